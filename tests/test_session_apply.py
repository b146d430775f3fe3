"""The session logic the web page drives: client-made event ids, repeats, conflicts."""

from pathlib import Path

import pytest

from stance.annotation.log import AnnotationLog, replay
from stance.annotation.session import Conflict, NotInQueue, Session
from stance.core.errors import AnnotationError
from tests.test_annotations import CANDS


def start(path: Path, queue: list[dict] = CANDS) -> tuple[AnnotationLog, Session]:
    log = AnnotationLog(path, "ann").__enter__()
    return log, Session.start(queue, log, "ann", "1.0")


def test_a_repeated_event_id_writes_once(tmp_path: Path) -> None:
    log, s = start(tmp_path / "ann.jsonl")
    first, dup = s.apply("label", event_id="e1", item="c0", stance="oppose")
    again, dup2 = s.apply("label", event_id="e1", item="c0", stance="oppose")
    assert (dup, dup2) == (False, True) and again is first
    s.apply("undo", event_id="e2", expect="e1")
    assert s.apply("undo", event_id="e2", expect="e1")[1] is True
    log.__exit__(None, None, None)
    events = replay(tmp_path / "ann.jsonl").events
    assert [(e["event"], e["event_id"]) for e in events] == [("label", "e1"), ("retract", "e2")]
    assert events[1]["target"] == "e1"
    # A restart knows every id already written.
    log, s = start(tmp_path / "ann.jsonl")
    assert s.apply("label", event_id="e1", item="c0", stance="oppose")[1] is True
    assert s.current()["id"] == "c0"
    log.__exit__(None, None, None)


def test_the_named_item_is_decided_not_the_current_one(tmp_path: Path) -> None:
    log, s = start(tmp_path / "ann.jsonl")
    s.apply("label", event_id="a", item="c2", stance="support")
    assert [c["id"] for c in s.upcoming(3)] == ["c0", "c1", "c3"]
    s.apply("flag", event_id="b", item="c0", note="odd")
    s.apply("response", event_id="c", item="c2", response="deny")
    assert s.state_of("c2") == {
        "flag": False,
        "note": None,
        "response": "deny",
        "stance": "support",
    }
    assert s.done == 1
    log.__exit__(None, None, None)


def test_conflicts_and_foreign_items_write_nothing(tmp_path: Path) -> None:
    log, s = start(tmp_path / "ann.jsonl", CANDS[:3])
    s.apply("label", event_id="a", item="c0", stance="support")
    with pytest.raises(Conflict, match="already decided"):
        s.apply("skip", event_id="b", item="c0")
    with pytest.raises(NotInQueue, match="not in ann's queue"):
        s.apply("label", event_id="c", item="c5", stance="support")
    with pytest.raises(Conflict, match="no longer the last"):
        s.apply("undo", event_id="d", expect="zzz")
    with pytest.raises(AnnotationError, match="event_id"):
        s.apply("label", event_id="bad id!", item="c1", stance="support")
    with pytest.raises(AnnotationError, match="unknown action"):
        s.apply("delete", event_id="e", item="c1")
    with pytest.raises(AnnotationError, match="needs a stance"):
        s.apply("label", event_id="f", item="c1")
    assert len(log.state.events) == 1
    log.__exit__(None, None, None)


def test_upcoming_puts_undone_items_first_and_skips_decided(tmp_path: Path) -> None:
    log, s = start(tmp_path / "ann.jsonl")
    s.decide("support")
    s.decide("oppose")
    s.undo()
    assert [c["id"] for c in s.upcoming(3)] == ["c1", "c2", "c3"]
    s.bring_forward("c4")
    assert [c["id"] for c in s.upcoming(2)] == ["c4", "c1"]
    log.__exit__(None, None, None)


def test_skips_come_back_at_the_end_until_labelled(tmp_path: Path) -> None:
    log, s = start(tmp_path / "ann.jsonl", CANDS[:4])
    s.decide(None)  # c0
    s.decide("support")  # c1
    s.decide(None)  # c2
    assert (s.done, s.skipped) == (1, 2)
    assert [c["id"] for c in s.upcoming(9)] == ["c3", "c0", "c2"]
    s.decide("oppose")  # c3
    assert s.current()["id"] == "c0"
    s.decide(None)  # c0 again: to the back of the line
    assert [c["id"] for c in s.upcoming(9)] == ["c2", "c0"]
    s.decide("neutral")  # c2
    s.undo()  # c2 back in front, skipped again as before the label
    assert (s.current()["id"], s.done, s.skipped) == ("c2", 2, 2)
    s.apply("label", event_id="x", item="c0", stance="support")  # a skipped item is labelled
    assert [c["id"] for c in s.upcoming(9)] == ["c2"] and (s.done, s.skipped) == (3, 1)
    with pytest.raises(Conflict, match="already decided"):
        s.apply("skip", event_id="y", item="c0")
    log.__exit__(None, None, None)


def test_limit_is_more_items_this_session(tmp_path: Path) -> None:
    log, s = start(tmp_path / "ann.jsonl")
    for stance in ("support", "oppose", "neutral"):
        s.decide(stance)
    log.__exit__(None, None, None)
    log, s = start(tmp_path / "ann.jsonl")
    s.limit = 2
    assert (s.done, s.total, s.left()) == (3, 6, 2)
    assert [c["id"] for c in s.upcoming(9)] == ["c3", "c4"]
    s.decide(None)
    s.decide("support")
    assert s.current() is None and s.left() == 0
    with pytest.raises(
        AnnotationError, match=r"nothing left to label in this session \(--limit 2\)"
    ):
        s.decide("support")
    s.undo()  # the undone item may be decided again
    assert s.current()["id"] == "c4" and s.left() == 1
    log.__exit__(None, None, None)
