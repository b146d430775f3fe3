"""`stance annotate`: build an annotator's queue and context, then run the labelling UI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.actors import load_registry
from stance.annotations import (
    AnnotationLog,
    check_annotator,
    describe_stale,
    log_path,
    stale_items,
)
from stance.claims import load_claims
from stance.errors import AnnotationError
from stance.fileio import read_jsonl
from stance.guidelines import load_guidelines
from stance.session import Session, assign, load_candidates, order


@dataclass(frozen=True)
class Paths:
    candidates: Path = Path("data/interim/candidates.jsonl")
    sentences: Path = Path("data/interim/sentences.jsonl")
    documents: Path = Path("data/interim/documents.jsonl")
    actors: Path = Path("data/actors.yaml")
    claims: Path = Path("data/claims.yaml")
    annotations: Path = Path("data/annotations")
    guidelines: Path = Path("docs/guidelines.md")


def context_for(paths: Paths, candidates: list[dict[str, Any]], mode: str = "annotate") -> Any:
    """Titles, previous sentences and all actor mentions, indexed once for the UI."""
    from stance.annotate_ui import Context

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


def build_queue(
    candidates: list[dict[str, Any]],
    annotator: str,
    *,
    claim: str | None = None,
    limit: int | None = None,
    how: str = "file",
    team: list[str] | None = None,
    overlap: float = 0.0,
    scores: Any = None,
) -> list[dict[str, Any]]:
    pool = [c for c in candidates if claim is None or c["claim"] == claim]
    if claim is not None and not pool:
        raise AnnotationError(f"--claim {claim}: no candidates for this claim")
    pool = assign(pool, annotator, team or [], overlap)
    queue = order(pool, how, annotator, scores)
    return queue[:limit] if limit else queue


def annotate(
    annotator: str,
    paths: Paths | None = None,
    *,
    claim: str | None = None,
    limit: int | None = None,
    how: str = "file",
    team: list[str] | None = None,
    overlap: float = 0.0,
    scores: Any = None,
) -> dict[str, Any]:
    """Run the UI for one annotator; returns what was done, and any warnings."""
    paths = paths or Paths()
    check_annotator(annotator)
    if limit is not None and limit < 1:
        raise AnnotationError(f"--limit {limit}: expected a positive number")
    guide = load_guidelines(paths.guidelines)
    candidates = load_candidates(paths.candidates)
    queue = build_queue(
        candidates,
        annotator,
        claim=claim,
        limit=limit,
        how=how,
        team=team,
        overlap=overlap,
        scores=scores,
    )
    ctx = context_for(paths, candidates)
    ctx.summary = guide.summary
    path = log_path(paths.annotations, annotator)
    with AnnotationLog(path, annotator) as log:
        warnings = list(log.warnings)
        by_id = {c["id"]: c for c in candidates}
        stale = list(stale_items(log.state.items().values(), by_id))
        if stale:
            warnings.append(describe_stale(path, stale, paths.candidates))
        return run_session(log, queue, ctx, guide.version, warnings)


def run_session(
    log: AnnotationLog, queue: list[dict[str, Any]], ctx: Any, version: str, warnings: list[str]
) -> dict[str, Any]:
    """Run the UI over `queue` on an open log; what was done, for the command's summary."""
    from stance.annotate_ui import run

    ctx.status = warnings
    session = Session.start(queue, log, log.annotator, version)
    before = len(log.state.events)
    run(session, ctx)
    return {
        "path": log.path,
        "done": session.done,
        "total": session.total,
        "events": len(log.state.events) - before,
        "warnings": warnings,
    }
