"""What an annotator sees around an item, and where the annotation inputs live.

Titles, previous sentences, every actor's mentions and the claim texts are indexed once per
session, so drawing an item costs nothing per key; both front ends use this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.core.paths import PATHS
from stance.core.tables import read_jsonl
from stance.corpus.actors import load_registry
from stance.corpus.claims import load_claims


@dataclass
class Context:
    """What the screen shows around an item: looked up once, not per key."""

    claim_text: dict[str, str]
    titles: dict[str, str]  # doc_id -> title
    previous: dict[str, str]  # sentence_id -> the sentence before it
    others: dict[str, list[tuple[int, int]]]  # sentence_id -> spans of every actor mention
    actor_names: dict[str, str]
    extra: Callable[[dict[str, Any]], list[str]] | None = None  # adjudication: each label
    mode: str = "annotate"
    summary: str = ""
    status: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Paths:
    """What annotation reads and appends to (the project's defaults: stance.core.paths)."""

    candidates: Path = PATHS.candidates
    sentences: Path = PATHS.sentences
    documents: Path = PATHS.documents
    actors: Path = PATHS.actors
    claims: Path = PATHS.claims
    annotations: Path = PATHS.annotations
    guidelines: Path = PATHS.guidelines


def segments(item: dict[str, Any], ctx: Context) -> list[tuple[str, str]]:
    """The sentence cut into (text, kind) runs: kind `this` for this actor's mentions, `other`
    for other actors' and "" for the rest. Both front ends draw these runs."""
    start, text = item["start"], item["sentence"]
    mine = {(m["start"] - start, m["end"] - start) for m in item["mentions"]}
    spans = sorted(
        {(s - start, e - start) for s, e in ctx.others.get(item["sentence_id"], [])} | mine
    )
    out, pos = [], 0
    for s, e in spans:
        if s < pos:
            continue
        out.append((text[pos:s], ""))
        out.append((text[s:e], "this" if (s, e) in mine else "other"))
        pos = e
    out.append((text[pos:], ""))
    return out


def context_for(paths: Paths, candidates: list[dict[str, Any]], mode: str = "annotate") -> Any:
    """Titles, previous sentences and all actor mentions, indexed once for the UI."""
    titles: dict[str, str] = {}
    if paths.documents.exists():
        for d in read_jsonl(paths.documents):
            titles[d["doc_id"]] = d.get("title") or ""
    previous: dict[str, str] = {}
    if paths.sentences.exists():
        last: dict[str, str] = {}
        for s in read_jsonl(paths.sentences):
            if s["doc_id"] in last:
                previous[s["sentence_id"]] = last[s["doc_id"]]
            last[s["doc_id"]] = s["sentence"]
    others: dict[str, list[tuple[int, int]]] = {}
    for c in candidates:
        spans = others.setdefault(c["sentence_id"], [])
        spans += [(m["start"], m["end"]) for m in c["mentions"]]
    registry = load_registry(paths.actors)
    claims = load_claims(paths.claims)
    return Context(
        claim_text={
            k: f"{v.text} ({k}; accuser {', '.join(v.accusers)}, accused {', '.join(v.accused)})"
            for k, v in claims.items()
        },
        titles=titles,
        previous=previous,
        others=others,
        actor_names={a.id: a.name for a in registry.actors.values()},
        mode=mode,
    )
