"""What needs adjudication, and what adjudicators decided: plain data, no screen.

An item needs review when its annotators disagree or anyone flagged it. The writer of a
constructed sentence is one of its voters (`WRITER`): an annotator who disagrees with the label
the writer gave sends the item to review like any other disagreement. Adjudicators' decisions
live in data/annotations/adjudications.jsonl (the same event log as labels); `stance build`
reads them from here without loading any user interface.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stance.annotation.log import ItemState, log_path, read_all, replay
from stance.core.schema import ADJUDICATIONS
from stance.corpus.written import WRITER

Written = dict[str, tuple[str, str | None]]  # candidate id -> the writer's (stance, response)


def writer_vote(cid: str, written: tuple[str, str | None]) -> ItemState:
    """The writer's label as a vote beside the annotators'."""
    stance, response = written
    return ItemState(cid, decision="label", stance=stance, response=response, annotator=WRITER)


def needs_review(
    states: dict[str, dict[str, ItemState]], written: Written | None = None
) -> dict[str, dict[str, ItemState]]:
    """Candidate id -> annotator -> state, for items with disagreeing labels or any flag.
    The writer's label (`written`) joins the items some annotator decided."""
    written = written or {}
    by_item: dict[str, dict[str, ItemState]] = {}
    for coder, items in states.items():
        for cid, st in items.items():
            by_item.setdefault(cid, {})[coder] = st
    for cid, coders in by_item.items():
        if cid in written:
            coders[WRITER] = writer_vote(cid, written[cid])
    out = {}
    for cid, coders in by_item.items():
        labels = {st.stance for st in coders.values() if st.stance}
        if len(labels) > 1 or any(st.flag for st in coders.values()):
            out[cid] = coders
    return out


def review_queue(
    annotations: Path, candidates: list[dict[str, Any]], written: Written | None = None
) -> tuple[list[dict[str, Any]], dict[str, dict[str, ItemState]]]:
    """Items to adjudicate, in candidate-file order, with everyone's labels and notes."""
    states, _ = read_all(annotations)
    review = needs_review(states, written)
    return [c for c in candidates if c["id"] in review], review


def adjudications(annotations_dir: Path) -> dict[str, ItemState]:
    """Candidate id -> the adjudicated state (effective decisions only)."""
    return replay(log_path(annotations_dir, ADJUDICATIONS)).items()
