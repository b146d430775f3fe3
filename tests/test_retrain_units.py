"""The retraining machinery both UIs share (stance/annotation/retrain.py) and the queue's
uncertain order, without a terminal or a server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stance.annotation import swap
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


# --- the swap: worked out outside the lock, swapped in under it ---------------------------------


def reorder_as_before(session: Session, annotator: str, fresh: dict[str, Any]) -> None:
    """The swap as it was, all of it under the lock: what the new one must still do."""
    for c in session.queue:
        if c["id"] in fresh:
            c["suggestion"] = fresh[c["id"]]
    now = session.current()
    front = {c["id"] for c in session.front}
    if now is not None and (session.is_decided(now["id"]) or now["id"] in front):
        now = None
    head = [now] if now is not None else []
    keep = now["id"] if now is not None else None
    decided = [c for c in session.queue if session.is_decided(c["id"])]
    undecided = [c for c in session.queue if not session.is_decided(c["id"]) and c["id"] != keep]
    scored = [c for c in undecided if c["id"] in fresh]
    ranked = order(scored, "uncertain", annotator, lambda cs: [fresh[c["id"]] for c in cs])
    rest = [c for c in undecided if c["id"] not in fresh]
    session.queue, session.pos = decided + head + ranked + rest, len(decided)


FRESH = {c["id"]: p for c, p in zip(ITEMS, scores(flip=True)(ITEMS), strict=True)}
FRESH.pop("c150")  # an item the new model did not score keeps its place after the scored ones

# What a session went through before the swap: each case ends with a different item on screen.
HISTORIES: dict[str, Callable[[Session], None]] = {
    "labels and a skip": lambda s: [s.decide("support"), s.decide(None), s.decide("oppose")],
    "an undone label on screen": lambda s: [s.decide("support"), s.decide("oppose"), s.undo()],
    "an undone skip on screen": lambda s: [s.decide(None), s.undo()],
    "an item brought forward": lambda s: [s.decide("support"), s.bring_forward("c100")],
    "only skips left": lambda s: [
        s.decide(None if c["id"] in ("c000", "c001") else "neutral") for c in list(s.queue)
    ],
}


def twin_sessions(tmp_path: Path, history: Callable[[Session], None]) -> list[Session]:
    """Two sessions in the same state, each on its own copy of the items."""
    out = []
    for name in ("a", "b"):
        queue = order([dict(c) for c in ITEMS], "uncertain", "ann", scores())
        log = AnnotationLog(tmp_path / f"{name}.jsonl", "ann").__enter__()
        s = Session.start(queue, log, "ann", "1.0")
        history(s)
        out.append(s)
    return out


def shown(s: Session) -> list[tuple[str, Any]]:
    """What a session will show, in order, with the suggestion on each."""
    return [(c["id"], c.get("suggestion")) for c in s.upcoming(len(ITEMS))]


class WatchedLock:
    """A lock that tells whether it is held, and counts what happens while it is."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held = False
        self.taken = 0

    def __enter__(self) -> WatchedLock:
        self.lock.acquire()
        self.held, self.taken = True, self.taken + 1
        return self

    def __exit__(self, *exc: Any) -> None:
        self.held = False
        self.lock.release()


@pytest.mark.parametrize("case", list(HISTORIES))
def test_a_swap_does_what_the_swap_under_the_lock_did(tmp_path: Path, case: str) -> None:
    new, old = twin_sessions(tmp_path, HISTORIES[case])
    on_screen = new.current()
    assert swap.swap_in(new, threading.Lock(), "ann", FRESH) == 1  # nothing moved meanwhile
    reorder_as_before(old, "ann", FRESH)
    assert shown(new) == shown(old)
    assert new.current() is on_screen
    assert [c["id"] for c in new.queue] == [c["id"] for c in old.queue] and new.pos == old.pos
    reorder(new, "ann", FRESH)  # the swap under the lock (the unit tests' and callers' own)
    reorder_as_before(old, "ann", FRESH)
    assert shown(new) == shown(old)


def test_the_lock_is_held_only_to_take_the_snapshot_and_to_swap_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, _ = twin_sessions(tmp_path, HISTORIES["labels and a skip"])
    lock = WatchedLock()
    ranked, checks = [], {"held": 0, "free": 0}
    rank = swap.uncertain

    def ranking(*args: Any) -> Any:
        ranked.append(lock.held)
        return rank(*args)

    decision = Session.decision

    def counted(self: Session, cid: str) -> Any:
        checks["held" if lock.held else "free"] += 1
        return decision(self, cid)

    monkeypatch.setattr(swap, "uncertain", ranking)
    monkeypatch.setattr(Session, "decision", counted)
    held: list[float] = []
    assert swap.swap_in(s, lock, "ann", FRESH, held) == 1
    assert ranked == [False]  # the order is worked out with the lock free
    assert lock.taken == 2 and len(held) == 2  # the snapshot, then the swap
    # Under the lock: only the item on screen is looked at, never the whole queue.
    assert checks["held"] <= 3 and checks["free"] >= len(ITEMS)


def test_a_key_between_the_snapshot_and_the_swap_is_seen_and_the_order_worked_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new, old = twin_sessions(tmp_path, HISTORIES["labels and a skip"])
    lock = WatchedLock()
    rank = swap.uncertain
    keys = [lambda s: s.decide("neutral")]  # a request that comes in while the order is worked

    def ranking(*args: Any) -> Any:
        if keys:
            with lock:  # the request takes the lock the swap let go
                keys.pop()(new)
        return rank(*args)

    monkeypatch.setattr(swap, "uncertain", ranking)
    assert swap.swap_in(new, lock, "ann", FRESH) == 2  # the first order was dropped
    old.decide("neutral")
    reorder_as_before(old, "ann", FRESH)
    assert shown(new) == shown(old)  # as if the swap had come after the key
    assert lock.taken == 5  # two snapshots, two checks, the key


@pytest.mark.parametrize("key", ["label", "undo", "skip"])
def test_a_session_that_never_stands_still_gets_the_last_order_filtered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    s, _ = twin_sessions(tmp_path, HISTORIES["labels and a skip"])
    lock = WatchedLock()
    rank = swap.uncertain
    plans: list[list[str]] = []
    act = {
        "label": lambda: s.decide("support"),
        "undo": lambda: s.undo(),
        "skip": lambda: s.decide(None),
    }[key]

    def ranking(*args: Any) -> Any:
        with lock:
            act()  # a key in every window: no order is ever current when it is done
        out = rank(*args)
        plans.append([c["id"] for c in out])
        return out

    monkeypatch.setattr(swap, "uncertain", ranking)
    checked: list[tuple[int, str | None]] = []
    fit = swap.fit

    def fitted(session: Session, new: swap.Plan) -> None:
        assert lock.held
        now = session.current()
        checked.append((session.version, now["id"] if now else None))
        fit(session, new)

    monkeypatch.setattr(swap, "fit", fitted)
    assert swap.swap_in(s, lock, "ann", FRESH) == swap.TRIES + 1
    assert len(plans) == swap.TRIES and len(checked) == 1
    (version, on_screen), after = checked[0], s.current()
    assert after is not None and after["id"] == on_screen  # the item on screen stays
    assert s.version == version + 1
    ids = [c["id"] for c in s.queue]
    assert sorted(ids) == sorted(c["id"] for c in ITEMS)  # every item, once
    assert all(s.is_decided(i) for i in ids[: s.pos])
    assert not any(s.is_decided(i) for i in ids[s.pos :])
    # The rest in the last order worked out (the undone item, if any, is shown from the front).
    upcoming = [c["id"] for c in s.upcoming(len(ITEMS))]
    fresh = [i for i in upcoming if i not in {f["id"] for f in s.front} and i in FRESH]
    skipped = set(s.skips)
    assert [i for i in fresh if i not in skipped and i != on_screen] == [
        i for i in plans[-1] if i in set(fresh) - skipped - {on_screen}
    ]
    assert upcoming[len(upcoming) - len(skipped) :] == list(s.skips)  # skips stay at the end
    assert all(c["suggestion"] == FRESH[c["id"]] for c in s.queue if c["id"] in FRESH)


def test_scores_are_read_from_the_parquet_table_predict_writes(tmp_path: Path) -> None:
    import pandas as pd

    from stance.core.tables import TableWriter

    rows = [
        {"id": c["id"], "sentence": c["sentence"], "scores": FRESH[c["id"]]}
        for c in ITEMS
        if c["id"] in FRESH
    ]
    with TableWriter(tmp_path / "scores.parquet") as out:
        out.write(pd.DataFrame(rows))
    assert swap.read_scores(tmp_path / "scores.parquet") == {r["id"]: r["scores"] for r in rows}


def test_the_swap_hands_the_interpreter_to_requests_often_and_restores_it(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """While the swap works, threads take turns every SWITCH_S, not every 5 ms (a request
    waited up to 5 ms at each read, write and fsync); afterwards, and after a failure, the
    interval is what it was."""
    import sys

    from stance.annotation import retrain
    from stance.core.tables import TableWriter

    seen: list[float] = []
    real = retrain.swap_in

    def spy(*args, **kw):  # type: ignore[no-untyped-def]
        seen.append(sys.getswitchinterval())
        return real(*args, **kw)

    monkeypatch.setattr(retrain, "swap_in", spy)
    import pandas as pd

    scored = tmp_path / "scores.parquet"
    with TableWriter(scored) as out:
        out.write(pd.DataFrame([{"id": i, "scores": p} for i, p in FRESH.items()]))
    model = tmp_path / "model.skops"
    model.with_suffix(".card.json").write_text('{"cv": {"mean": 0.5}}')
    queue = order([dict(c) for c in ITEMS], "uncertain", "ann", scores())
    before = sys.getswitchinterval()
    with AnnotationLog(tmp_path / "ann.jsonl", "ann") as log:
        s = Session.start(queue, log, "ann", "1.0")
        r = Retrainer(
            ITEMS,
            tmp_path / "documents.jsonl",
            2,
            lambda: [("ann", s, threading.Lock())],
            lambda: {"ann": log.state.items()},
            lambda p: p.with_suffix(".card.json"),
            folder=tmp_path / "loop",
        )
        r.swap(model, scored, 2)
        assert seen == [pytest.approx(retrain.SWITCH_S)] and retrain.SWITCH_S < before
        assert sys.getswitchinterval() == before
        assert r.status["cv_macro_f1"] == 0.5 and r.version == 1
        assert all(c["suggestion"] == FRESH[c["id"]] for c in s.queue if c["id"] in FRESH)
        scored.write_bytes(b"not parquet")
        with pytest.raises(Exception):  # noqa: B017  (whatever pyarrow raises on a bad file)
            r.swap(model, scored, 2)
        assert sys.getswitchinterval() == before
