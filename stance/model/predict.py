"""`stance predict`: stances for tables of (sentence, actor) rows, or for raw text.

Tables stream in batches (JSONL line by line, CSV in chunks, Parquet by record batch), so
memory is bounded by the batch size, not the input size. The output is written to a temporary
file and renamed into place when complete. Raw text goes through the ingest path (cleaning,
segmentation, actor tagging with the aliases stored in the model) and every (sentence, actor)
pair is predicted.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from stance.core.errors import InputError
from stance.core.files import check_regular
from stance.core.schema import PREDICTED_COLUMNS
from stance.core.tables import TableWriter, count_rows, iter_batches, table_format
from stance.model.data import fill_claims, prepare_table
from stance.model.persist import load_predictor


def scorer(path: Path) -> Callable[[list[dict[str, Any]]], list[dict[str, float]]]:
    """{label: probability} for candidates: the suggestions and the uncertainty order of
    `stance annotate` and `stance serve`."""
    import pandas as pd

    predictor, _ = load_predictor(path)

    def score(candidates: list[dict[str, Any]]) -> list[dict[str, float]]:
        frame = prepare_table(pd.DataFrame(candidates), path, need_labels=False)
        return predictor.predict(frame).scores  # type: ignore[no-any-return]

    return score


class TableRun(NamedTuple):
    rows: int
    defaulted: int  # rows that named no claim and were given the default
    notes: list[str] = []  # how claims given as text were resolved (stance.model.claim_use)


def claim_columns(
    values: Sequence[str], known: dict[str, dict[str, Any]], where: str = "--claim", offset: int = 0
) -> tuple[list[str], list[str]]:
    """The claim id and text each row was predicted with (stance.model.claim_use), without the
    rows' sentences: for callers that only name claims."""
    from stance.model.claim_use import ClaimResolver

    uses = ClaimResolver(known, None).resolve(values, (), where, offset)
    return [u.id for u in uses], [u.text for u in uses]


def _predict_batch(
    predictor: Any,
    batch: Any,
    path: Path,
    offset: int,
    claim: str | None = None,
    resolver: Any = None,
) -> Any:
    """Predicted rows of one batch; rows without a claim get `claim` (their count is in
    `.attrs["defaulted"]`), and every row says the claim it was predicted with (`claim`,
    `claim_text`, `accusers`, `accused`). `resolver`: the run's
    stance.model.claim_use.ClaimResolver (one is made for this batch without it)."""
    from stance.model.claim_use import ClaimResolver

    taken = [c for c in PREDICTED_COLUMNS if c in batch.columns]
    if taken:
        raise InputError(
            f"{path}: has a {taken[0]!r} column, which `stance predict` writes; rename it "
            f"(e.g. to 'gold_{taken[0]}') or drop it, so that it is not overwritten"
        )
    try:
        frame = prepare_table(batch, path, need_labels=False)
    except InputError as exc:
        # Row numbers in the message are per batch: make them per file.
        msg = str(exc)
        if ": row " in msg:
            head, rest = msg.split(": row ", 1)
            n, tail = rest.split(":", 1)
            msg = f"{head}: row {int(n) + offset}:{tail}"
        raise InputError(msg) from None
    defaulted = fill_claims(frame, claim) if claim is not None else 0
    uses = None
    if claim is not None:
        if resolver is None:
            resolver = ClaimResolver(predictor.claims, predictor.registry)
        values = [str(c) for c in frame["claim"]]
        uses = resolver.resolve(values, list(frame["sentence"]), str(path), offset)
        predictor.add_claims(resolver.extra)
        frame["claim"] = [u.value for u in uses]
    pred = predictor.predict(frame)
    out = batch.copy()
    if uses is not None:
        out["claim"] = [u.id for u in uses]
        out["claim_text"] = [u.text for u in uses]
        out["accusers"] = [list(u.accusers) for u in uses]
        out["accused"] = [list(u.accused) for u in uses]
    out["stance"] = pred.labels
    out["scores"] = pred.scores
    out["actor_found"] = pred.found
    out.attrs["defaulted"] = defaulted
    return out


def predict_table(
    predictor: Any,
    source: Path,
    output: Path,
    batch_size: int = 10_000,
    progress: bool = True,
    claim: str | None = None,
) -> TableRun:
    """Predict every row of `source` into `output` (format by suffix). Rows without a claim
    get `claim` (a claim id or text, see stance.model.data.resolve_row_claim).

    The output replaces an existing file only when every row was predicted: an input with no
    rows, or a bad row anywhere, leaves the old output as it was.
    """
    from tqdm import tqdm

    # Every check that needs no model work comes before the progress bar appears.
    table_format(source, "--input")
    table_format(output, "--output")
    check_regular(source, f"--input {source}")
    if not source.is_file():
        what = "is a directory, expected a file" if source.is_dir() else "no such file"
        raise InputError(f"--input {source}: {what}")
    if output.resolve() == source.resolve():
        raise InputError(f"--output {output}: is the --input file; write the predictions elsewhere")
    bar = tqdm(
        total=count_rows(source),
        unit="rows",
        disable=None if progress else True,  # None: only on a terminal
        leave=False,  # cleared when done, so an error line stands alone
        file=sys.stderr,
        mininterval=0.5,
    )
    from stance.model.claim_use import ClaimResolver

    resolver = ClaimResolver(predictor.claims, predictor.registry)  # once a run
    defaulted = 0
    try:
        with TableWriter(output, "--output") as out:
            for batch in iter_batches(source, batch_size, "--input"):
                done = _predict_batch(predictor, batch, source, out.rows, claim, resolver)
                defaulted += done.attrs["defaulted"]
                out.write(done)
                bar.update(len(batch))
            if out.rows == 0:
                raise InputError(f"--input {source}: no rows")
    finally:
        bar.close()
    return TableRun(out.rows, defaulted, resolver.notes)


def row_claim(model: Any, card: dict[str, Any], claim: str | None) -> dict[str, str]:
    """{claim: cell value, text, origin}: the claim of rows that name none, `claim` (--claim)
    or else the default the model was trained with (params.yaml train.default_claim)."""
    from stance.model.data import resolve_row_claim

    if claim is not None and not claim.strip():
        raise InputError(
            "--claim: empty: give a claim id or the accusation as text, or leave it out"
        )
    if claim:
        wanted, origin = claim, "--claim"
    else:
        stored = card.get("default_claim") or {}
        if not stored.get("claim"):
            raise InputError(
                "the model has no default claim (trained before it had one): pass --claim"
            )
        wanted, origin = stored["claim"], "the model's train.default_claim"
    value, text, note = resolve_row_claim(wanted, model.claims, model.registry, origin)
    return {"claim": value, "text": text, "origin": origin, "note": note}


def predict_text(
    model: Any, text: str, claim: str, notes: list[str] | None = None, where: str = "TEXT"
) -> list[dict[str, Any]]:
    """Every (sentence, actor) of a raw text, with its predicted stance toward `claim` (an id
    the model knows or an accusation as text: see stance.model.data.resolve_row_claim).

    `model` is the model's stance.model.predictor.Predictor. How the claim was resolved
    (stance.model.claim_use) is appended to `notes`; `where` names the text in errors.
    """
    from stance.corpus.sentences import tag_text

    doc, tagged = tag_text(text, model.registry, where)
    rows: list[dict[str, Any]] = [
        {
            "sentence": doc.text[span.start : span.end],
            "actor": actor,
            "claim": claim,
            "mentions": [
                {"text": m["text"], "start": m["start"] - span.start, "end": m["end"] - span.start}
                for m in mentions
            ],
        }
        for span, actor, mentions in tagged
    ]
    if not rows:
        return []
    from stance.model.claim_use import ClaimResolver

    resolver = ClaimResolver(model.claims, model.registry)
    uses = resolver.resolve([claim] * len(rows), [r["sentence"] for r in rows])
    model.add_claims(resolver.extra)
    if notes is not None:
        notes.extend(resolver.notes)
    for r, u in zip(rows, uses, strict=True):
        r["claim"] = u.value
    columns = {k: [r[k] for r in rows] for k in ("sentence", "actor", "claim", "mentions")}
    pred = model.predict(columns)
    labels, scores = pred.labels, pred.scores
    u = uses[0]
    extra = {
        "claim": u.id,
        "claim_text": u.text,
        "accusers": [*u.accusers],
        "accused": [*u.accused],
    }
    return [
        {**r, **extra, "stance": lab, "scores": p}
        for r, lab, p in zip(rows, labels, scores, strict=True)
    ]
