"""Tables of (sentence, actor[, claim], stance) rows: checks, groups and hashes for training.

Any table a user brings (`stance train --data`, `stance predict --input`) and the gold dataset
go through `prepare_table`, so a missing column, an empty cell or an unknown label is one error
naming the file and the row.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from stance.core.errors import InputError
from stance.core.schema import LABELS, MAX_SENTENCE_CHARS
from stance.core.unionfind import UnionFind

TABLE_COLUMNS = ("sentence", "actor", "stance")


def prepare_table(
    frame: Any, path: Path, label_map: dict[str, str] | None = None, need_labels: bool = True
) -> Any:
    """Check columns and rows; mentions become offsets relative to the sentence."""
    import pandas as pd

    need = TABLE_COLUMNS if need_labels else TABLE_COLUMNS[:2]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column {missing[0]!r} (needed: {', '.join(need)})")
    frame = frame.reset_index(drop=True).copy()
    for col in need:
        bad = frame[col].isna() | (frame[col].astype(str).str.strip() == "")
        if bad.any():
            row = int(bad.idxmax())
            raise InputError(f"{path}: row {row + 1}: empty {col!r}")
    for col in ("sentence", "actor"):
        wrong = ~frame[col].map(lambda v: isinstance(v, str))
        if wrong.any():
            row = int(wrong.idxmax())
            kind = type(frame[col][row]).__name__
            raise InputError(f"{path}: row {row + 1}: {col!r} must be text, not {kind}")
    lengths = frame["sentence"].str.len()
    if (lengths > MAX_SENTENCE_CHARS).any():
        row = int((lengths > MAX_SENTENCE_CHARS).idxmax())
        raise InputError(
            f"{path}: row {row + 1}: a sentence of {lengths[row]:,} characters, over the limit "
            f"of {MAX_SENTENCE_CHARS:,}: split it into sentences"
        )
    if need_labels:
        if label_map:
            frame["stance"] = frame["stance"].map(lambda s: label_map.get(s, s))
        unknown = ~frame["stance"].isin(LABELS)
        if unknown.any():
            row = int(unknown.idxmax())
            raise InputError(
                f"{path}: row {row + 1}: unknown label {frame['stance'][row]!r} "
                f"(labels: {', '.join(LABELS)}; map others with --label-map old=new,...)"
            )
    if "mentions" in frame.columns and "start" in frame.columns:
        frame["mentions"] = [
            _relative_mentions(ms, s, text, f"{path}: row {n}")
            for n, (ms, s, text) in enumerate(
                zip(frame["mentions"], frame["start"], frame["sentence"], strict=True), 1
            )
        ]
    if "claim" not in frame.columns:
        frame["claim"] = None
    frame["sentence"] = frame["sentence"].astype(str)
    frame["actor"] = frame["actor"].astype(str)
    return pd.DataFrame(frame)


def _relative_mentions(mentions: Any, start: Any, sentence: str, where: str) -> list[Any]:
    """A row's mentions as offsets in its sentence, each checked to lie inside it: a mention
    outside its sentence would mark text that is not there."""
    if mentions is None:
        return []
    if isinstance(mentions, (str, bytes, dict)) or not hasattr(mentions, "__iter__"):
        raise InputError(f"{where}: 'mentions' must be a list of {{start, end}} objects")
    out = []
    for m in mentions:
        try:
            a, b = int(m["start"]) - int(start), int(m["end"]) - int(start)
        except (TypeError, KeyError, ValueError, IndexError):
            raise InputError(
                f"{where}: each mention needs integer 'start' and 'end' offsets"
            ) from None
        if not 0 <= a < b <= len(sentence):
            raise InputError(
                f"{where}: a mention at {a}-{b} lies outside its sentence of {len(sentence)} "
                f"characters"
            )
        out.append({"start": a, "end": b})
    return out


def fill_claims(frame: Any, claim: str) -> int:
    """Give rows without a claim (no column, or an empty cell) this one; returns how many."""
    values = frame["claim"] if "claim" in frame.columns else None
    if values is None:
        frame["claim"] = claim
        return len(frame)
    empty = values.isna() | (values.astype(str).str.strip() == "")
    if empty.any():
        frame.loc[empty, "claim"] = claim
    return int(empty.sum())


def resolve_row_claim(
    value: str, claims: dict[str, dict[str, Any]], registry: Any, option: str
) -> tuple[str, str, str]:
    """The claim for rows that name none, as (cell value, text, note): a claim id the model
    knows (a text naming its accused and event included: the note says so), or an
    accusation as text (its roles are read from it, so it must name a known actor)."""
    from stance.corpus.claim_input import read_claim_text, resolve_claim

    texts = {cid: info.get("text", "") for cid, info in claims.items()}
    ref = resolve_claim(value, texts, option, claims=claims, registry=registry)
    if ref.known:
        return ref.id, ref.text, ref.note
    read_claim_text(ref.text, registry, accused_given=False, option=option)
    return ref.text, ref.text, ""


def groups_of(frame: Any, how: str = "auto") -> list[str]:
    """What must stay together in cross-validation (train.cv_group): with `auto`, documents
    linked by shared groups, else documents, else identical sentences; with `claim`, claims.

    By claim, every fold tests on accusations the model never saw: that selects for transfer
    to new claims, and with few claims (SemEval's 5 targets) it is leave-one-target-out, not
    the table's own use. So it is asked for, never assumed."""
    if how == "claim" and "claim" in frame.columns:
        return [str(c) for c in frame["claim"]]
    if "doc_id" in frame.columns and "group" in frame.columns:
        linked: UnionFind[str] = UnionFind()
        seen: dict[str, str] = {}
        for doc, grp in zip(frame["doc_id"], frame["group"], strict=True):
            linked.union(seen.setdefault(grp, doc), doc)
        return [linked.find(d) for d in frame["doc_id"]]
    if "doc_id" in frame.columns:
        return [str(d) for d in frame["doc_id"]]
    return [str(s) for s in frame["sentence"]]


def grouped_by(frame: Any, how: str = "auto") -> str:
    """What `groups_of` keeps together, in words, for the model card."""
    if how == "claim" and "claim" in frame.columns:
        return "claim"
    if "doc_id" in frame.columns:
        return "document components" if "group" in frame.columns else "document"
    return "sentence"


def data_hash(frame: Any) -> str:
    cols = [c for c in ("sentence", "actor", "claim", "stance") if c in frame.columns]
    digest = hashlib.sha256()
    for row in frame[cols].itertuples(index=False):
        digest.update("\x1f".join(map(str, row)).encode())
        digest.update(b"\n")
    return digest.hexdigest()
