"""`stance adjudicate`: walk only disagreements and flagged items and record a final decision.

Decisions go to data/annotations/adjudications.jsonl with the same durability as labels
(fsync per event, retractions for undo, one process at a time).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stance.annotate import Paths, context_for, run_session
from stance.annotations import (
    AnnotationLog,
    ItemState,
    check_annotator,
    log_path,
    read_all,
    replay,
)
from stance.guidelines import load_guidelines
from stance.schema import ADJUDICATIONS
from stance.session import load_candidates


def needs_review(states: dict[str, dict[str, ItemState]]) -> dict[str, dict[str, ItemState]]:
    """Candidate id -> annotator -> state, for items with disagreeing labels or any flag."""
    by_item: dict[str, dict[str, ItemState]] = {}
    for coder, items in states.items():
        for cid, st in items.items():
            by_item.setdefault(cid, {})[coder] = st
    out = {}
    for cid, coders in by_item.items():
        labels = {st.stance for st in coders.values() if st.stance}
        if len(labels) > 1 or any(st.flag for st in coders.values()):
            out[cid] = coders
    return out


def review_queue(
    paths: Paths, candidates: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, ItemState]]]:
    """Items to adjudicate, in candidate-file order, with everyone's labels and notes."""
    states, _ = read_all(paths.annotations)
    review = needs_review(states)
    return [c for c in candidates if c["id"] in review], review


def adjudicate(adjudicator: str, paths: Paths | None = None) -> dict[str, Any]:
    paths = paths or Paths()
    check_annotator(adjudicator, "--adjudicator")
    guide = load_guidelines(paths.guidelines)
    candidates = load_candidates(paths.candidates)
    queue, review = review_queue(paths, candidates)
    ctx = context_for(paths, candidates, mode="adjudicate")
    ctx.summary = guide.summary

    def extra(item: dict[str, Any]) -> list[str]:
        lines = []
        for coder, st in sorted(review[item["id"]].items()):
            label = st.stance or ("skipped" if st.decision == "skip" else "-")
            more = f" ({st.response})" if st.response else ""
            flag = f"  FLAG: {st.note or ''}" if st.flag else ""
            lines.append(f"{coder}: {label}{more}{flag}")
        return lines

    ctx.extra = extra
    path = log_path(paths.annotations, ADJUDICATIONS)
    with AnnotationLog(path, adjudicator) as log:
        return run_session(log, queue, ctx, guide.version, list(log.warnings))


def adjudications(annotations_dir: Path) -> dict[str, ItemState]:
    """Candidate id -> the adjudicated state (effective decisions only)."""
    return replay(log_path(annotations_dir, ADJUDICATIONS)).items()
