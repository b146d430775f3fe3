"""The retraining machinery both UIs share (stance/annotation/retrain.py) and the queue's
uncertain order, without a terminal or a server."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from stance.annotation.log import AnnotationLog, ItemState
from stance.annotation.queue import _margin, order
from stance.annotation.retrain import Retrainer, reorder, training_rows
from stance.annotation.session import Session
from tests.waiting import CEILING, until

DOCS = 20
ITEMS = [
    {"id": f"c{i:03d}", "doc_id": f"d{i % DOCS:02d}", "sentence_id": f"s{i}",
     "sentence": f"S{i}", "actor": "PRK", "claim": "sony-hack-2014"}
    for i in range(200)
]  # fmt: skip


def probs(i: int, flip: bool = False) -> dict[str, float]:
    top = 0.34 + 0.6 * ((i * 37 + (50 if flip else 0)) % 101) / 101
    return {"oppose": top, "support": (1 - top) / 2, "neutral": (1 - top) / 2}


def scores(flip: bool = False):  # type: ignore[no-untyped-def]
    by_id = {c["id"]: probs(i, flip) for i, c in enumerate(ITEMS)}
    return lambda cs: [by_id[c["id"]] for c in cs]


def test_documents_take_turns_in_the_uncertain_order() -> None:
    ranked = order([dict(c) for c in ITEMS], "uncertain", "ann", scores(), explore=0, spread="doc")
    # Round one: every document's least certain item, least certain first.
    first = ranked[:DOCS]
    assert len({c["doc_id"] for c in first}) == DOCS
    margins = [_margin(c["suggestion"]) for c in first]
    assert margins == sorted(margins)
    plain = order([dict(c) for c in ITEMS], "uncertain", "ann", scores(), explore=0, spread=None)
    assert [_margin(c["suggestion"]) for c in plain] == sorted(
        _margin(c["suggestion"]) for c in plain
    )
    assert ranked != plain


def test_a_swap_reorders_what_is_left_and_keeps_the_item_on_screen(tmp_path: Path) -> None:
    queue = order([dict(c) for c in ITEMS], "uncertain", "ann", scores())
    with AnnotationLog(tmp_path / "ann.jsonl", "ann") as log:
        s = Session.start(queue, log, "ann", "1.0")
        s.decide("support")
        s.decide(None)  # a skip comes back at the end, whatever the model
        on_screen = s.current()
        fresh = dict(zip([c["id"] for c in ITEMS], scores(flip=True)(ITEMS), strict=True))
        reorder(s, "ann", fresh)
        assert s.current() is on_screen and on_screen["suggestion"] == fresh[on_screen["id"]]
        left = [c for c in queue if not s.is_decided(c["id"]) and c["id"] != on_screen["id"]]
        expected = order([dict(c) for c in left], "uncertain", "ann", scores(flip=True))
        assert [c["id"] for c in s.upcoming(len(ITEMS))[1:-1]] == [c["id"] for c in expected]
        assert s.upcoming(len(ITEMS))[-1]["id"] == queue[1]["id"]  # the skipped one, last
        assert s.done == 1 and s.skipped == 1


def test_training_rows_take_the_majority_and_leave_out_test_documents() -> None:
    def state(cid: str, stance: str | None) -> ItemState:
        st = ItemState(cid, "S", "PRK", "sony-hack-2014")
        st.stance = stance
        return st

    states = {
        "ann": {"c000": state("c000", "oppose"), "c001": state("c001", "support")},
        "bo": {"c000": state("c000", "oppose"), "c001": state("c001", None)},
        "cy": {"c000": state("c000", "neutral")},
    }
    rows = training_rows(ITEMS, states, held={"d01"})  # c001 is in d01
    assert [(r["id"], r["stance"]) for r in rows] == [("c000", "oppose")]
    assert set(rows[0]) == {"id", "doc_id", "sentence_id", "sentence", "actor", "claim", "stance"}


def test_a_failed_training_run_keeps_the_old_model_and_says_why(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no params.yaml here: `stance train` cannot run
    queue = order([dict(c) for c in ITEMS], "uncertain", "ann", scores())
    with AnnotationLog(tmp_path / "ann.jsonl", "ann") as log:
        s = Session.start(queue, log, "ann", "1.0")
        lock = threading.Lock()
        r = Retrainer(
            ITEMS,
            tmp_path / "documents.jsonl",
            2,
            lambda: [("ann", s, lock)],
            lambda: {"ann": log.state.items()},
            lambda p: p.with_suffix(".card.json"),
            folder=tmp_path / "loop",
        )
        before = [c["id"] for c in s.queue]
        s.decide("support")
        r.note()
        assert not r.running  # one label: below the threshold
        s.decide("oppose")
        r.note()
        assert r.status["state"] == "training on 2 labels"
        until(lambda: not r.running, "the training run never ended", CEILING)
        assert r.status["state"].startswith("last training failed: ")
        assert r.version == 0 and [c["id"] for c in s.queue] == before
        rows = [json.loads(x) for x in (tmp_path / "loop/labels-1.jsonl").read_text().splitlines()]
        assert {r["stance"] for r in rows} == {"support", "oppose"}
        r.stop()
        s.decide("neutral")
        s.decide("neutral")
        r.note()
        assert not r.running  # stopped: no new run
