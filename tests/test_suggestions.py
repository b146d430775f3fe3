"""The model in the loop: suggestions shown (or kept back), recorded with each decision, the
queue's random share, and how people's labels agree with the model."""

from __future__ import annotations

from pathlib import Path

import pytest

from stance.annotation.agreement import agreement, render
from stance.annotation.events import make_event
from stance.annotation.log import AnnotationLog, replay
from stance.annotation.queue import EXPLORE, _margin, order, shows_suggestion
from stance.annotation.session import Session
from stance.annotation.suggestions import suggestion_agreement
from stance.core.errors import AnnotationError

ITEMS = [
    {"id": f"c{i:03d}", "sentence_id": f"d:{i:04d}", "sentence": f"S{i}", "actor": "PRK",
     "claim": "sony-hack-2014"}
    for i in range(400)
]  # fmt: skip


def probs(i: int) -> dict[str, float]:
    top = 0.34 + 0.6 * (i % 97) / 97
    return {"oppose": top, "support": (1 - top) / 2, "neutral": (1 - top) / 2}


def scored() -> list[dict]:
    return [{**c, "suggestion": probs(i)} for i, c in enumerate(ITEMS)]


def test_a_blind_share_sees_no_suggestion_and_every_decision_records_it(tmp_path: Path) -> None:
    queue = scored()
    with AnnotationLog(tmp_path / "ann.jsonl", "ann") as log:
        s = Session.start(queue, log, "ann", "1.0")
        blind = [c for c in queue if s.suggested(c) is None]
        assert 0.06 < len(blind) / len(queue) < 0.14  # the default 10%
        assert blind == [c for c in queue if not shows_suggestion("ann", c["id"], 0.1)]
        first = s.current()
        shown = s.suggested(first)
        s.decide("support")
        s.decide(None)
    events = replay(tmp_path / "ann.jsonl").events
    assert events[0]["suggestion"] == {"label": "oppose", "shown": shown is not None}
    assert events[1]["event"] == "skip" and events[1]["suggestion"]["label"] == "oppose"
    # Without a model nothing is recorded, and old logs without the field stay valid.
    with AnnotationLog(tmp_path / "bo.jsonl", "bo") as log:
        Session.start(list(ITEMS), log, "bo", "1.0").decide("neutral")
    assert "suggestion" not in replay(tmp_path / "bo.jsonl").events[0]


@pytest.mark.parametrize(
    "event, suggestion",
    [
        ("label", {"label": "maybe", "shown": True}),
        ("label", {"label": "oppose"}),
        ("label", {"label": "oppose", "shown": "yes"}),
        ("flag", {"label": "oppose", "shown": True}),
    ],
)
def test_a_malformed_suggestion_is_refused(event: str, suggestion: dict) -> None:
    with pytest.raises(AnnotationError, match="'suggestion' must be null or, on a decision"):
        make_event(
            event,
            annotator="ann",
            guideline_version="1.0",
            candidate=ITEMS[0],
            stance="oppose" if event == "label" else None,
            suggestion=suggestion,
        )


def test_uncertain_order_keeps_a_random_share(tmp_path: Path) -> None:
    queue = scored()
    ranked = order(queue, "uncertain", "ann", lambda items: [c["suggestion"] for c in items])
    margins = [_margin(c["suggestion"]) for c in ranked]
    # Most of the queue is least certain first; a share sits at random places among them.
    out_of_place = sum(1 for a, b in zip(margins, margins[1:], strict=False) if b < a)
    assert 0.5 * EXPLORE * len(queue) < out_of_place < 2 * EXPLORE * len(queue)
    assert ranked == order(
        queue, "uncertain", "ann", lambda items: [c["suggestion"] for c in items]
    )
    first_quarter = {c["id"] for c in ranked[:100]}
    assert any(_margin(c["suggestion"]) > 0.6 for c in ranked[:100])  # explored, not doubted
    assert first_quarter != {
        c["id"] for c in sorted(queue, key=lambda c: _margin(c["suggestion"]))[:100]
    }


def test_agreement_with_suggestions_per_annotator(tmp_path: Path) -> None:
    def decide(log: AnnotationLog, i: int, stance: str, shown: bool) -> None:
        log.append(
            make_event(
                "label",
                annotator=log.annotator,
                guideline_version="1.0",
                candidate=ITEMS[i],
                stance=stance,
                suggestion={"label": "oppose", "shown": shown},
            )
        )

    with AnnotationLog(tmp_path / "ann.jsonl", "ann") as log:
        decide(log, 0, "oppose", True)
        decide(log, 1, "oppose", True)
        decide(log, 2, "support", True)
        decide(log, 3, "support", False)
        decide(log, 4, "oppose", False)
    with AnnotationLog(tmp_path / "bo.jsonl", "bo") as log:
        log.append(
            make_event(
                "label",
                annotator="bo",
                guideline_version="1.0",
                candidate=ITEMS[0],
                stance="oppose",
            )
        )
    report = suggestion_agreement(tmp_path)
    assert report == {
        "ann": {
            "shown": 3,
            "accepted": 2,
            "acceptance": 0.6667,
            "blind": 2,
            "agreed": 1,
            "blind_agreement": 0.5,
        }
    }
    full = agreement(tmp_path, samples=10)
    assert full["suggestions"] == report
    assert (
        "Model suggestions, ann: accepted 2 of 3 shown (0.667); agreed on 1 of 2 blind (0.500)"
        in render(full)
    )
