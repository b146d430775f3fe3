import json
from pathlib import Path

import pytest

from stance.annotation.events import check_annotator, make_event
from stance.annotation.log import AnnotationLog, read_all, replay, stale_items
from stance.annotation.queue import assign, order
from stance.annotation.session import Session
from stance.core.errors import AnnotationError

CANDS = [
    {
        "id": f"c{i}",
        "sentence_id": f"d:{i // 2:04d}",
        "sentence": f"S{i // 2}",
        "actor": a,
        "claim": "sony-hack-2014",
        "doc_id": "d",
        "start": 0,
        "end": 2,
        "group": "g",
        "mentions": [],
    }
    for i, a in enumerate(["USA", "PRK", "RUS", "PRK", "CHN", "USA"])
]


def label(log: AnnotationLog, cand: dict, stance: str) -> dict:
    event = make_event(
        "label", annotator="ann", guideline_version="1.0", candidate=cand, stance=stance
    )
    log.append(event)
    return event


def test_events_are_durable_lines(tmp_path: Path) -> None:
    path = tmp_path / "ann.jsonl"
    with AnnotationLog(path, "ann") as log:
        label(log, CANDS[0], "support")
        # On disk already, before the log is closed.
        assert json.loads(path.read_text().splitlines()[0])["stance"] == "support"
    event = json.loads(path.read_text())
    assert event["annotated_at"].endswith("Z") and event["guideline_version"] == "1.0"
    assert replay(path).items()["c0"].stance == "support"


def test_undo_appends_a_retraction(tmp_path: Path) -> None:
    path = tmp_path / "ann.jsonl"
    with AnnotationLog(path, "ann") as log:
        s = Session.start(list(CANDS), log, "ann", "1.0")
        s.decide("support")
        s.decide("oppose")
        assert s.current()["id"] == "c2" and s.done == 2
        undone = s.undo()
        assert undone["id"] == "c1" and s.current()["id"] == "c1" and s.done == 1
        s.decide("neutral")
        assert s.current()["id"] == "c2"
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [e["event"] for e in lines] == ["label", "label", "retract", "label"]
    assert lines[2]["target"] == lines[1]["event_id"]
    items = replay(path).items()
    assert (items["c0"].stance, items["c1"].stance) == ("support", "neutral")


def test_resume_never_shows_an_item_twice(tmp_path: Path) -> None:
    path = tmp_path / "ann.jsonl"
    with AnnotationLog(path, "ann") as log:
        s = Session.start(list(CANDS), log, "ann", "1.0")
        s.decide("support")
        s.decide(None)  # skip
        s.flag("hard one")
    with AnnotationLog(path, "ann") as log:
        s = Session.start(list(CANDS), log, "ann", "1.0")
        assert s.current()["id"] == "c2" and (s.done, s.skipped, s.total) == (1, 1, 6)
        assert s.state_of("c2")["flag"] is True and s.state_of("c2")["note"] == "hard one"
        seen = []
        while (item := s.current()) is not None:
            seen.append(item["id"])
            s.decide("neutral")
    # The skipped item is not done: it comes back after the items not seen yet.
    assert seen == ["c2", "c3", "c4", "c5", "c1"]
    assert (s.done, s.skipped) == (6, 0)


def test_response_tags_previous_or_current(tmp_path: Path) -> None:
    with AnnotationLog(tmp_path / "ann.jsonl", "ann") as log:
        s = Session.start(list(CANDS), log, "ann", "1.0")
        with pytest.raises(AnnotationError, match="no previous item"):
            s.respond("deny")
        s.decide("oppose")
        s.respond("deny")  # previous = c0
        s.respond("accuse", target="current")  # current = c1
    items = replay(tmp_path / "ann.jsonl").items()
    assert (items["c0"].response, items["c1"].response) == ("deny", "accuse")
    assert items["c1"].decision is None


def test_torn_last_line_is_reported_and_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "ann.jsonl"
    with AnnotationLog(path, "ann") as log:
        label(log, CANDS[0], "support")
        label(log, CANDS[1], "oppose")
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"event":"label","event_id":"x","id":"c2","sent')  # power cut
    state = replay(path)
    assert state.torn is not None and len(state.events) == 2
    with AnnotationLog(path, "ann") as log:
        assert "last line was incomplete" in log.warnings[0]
        label(log, CANDS[2], "neutral")
    assert path.read_bytes().startswith(whole)
    assert len(replay(path).events) == 3 and replay(path).torn is None
    assert (tmp_path / ".ann.torn").read_text().startswith('{"event":"label","event_id":"x"')


def test_corrupted_middle_line_stops_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "ann.jsonl"
    with AnnotationLog(path, "ann") as log:
        label(log, CANDS[0], "support")
        label(log, CANDS[1], "oppose")
    lines = path.read_text().splitlines()
    path.write_text(lines[0] + "\n" + "garbage\n" + lines[1] + "\n")
    with pytest.raises(AnnotationError, match=r"ann.jsonl:2: corrupted line"):
        replay(path)


def test_unknown_label_in_a_log(tmp_path: Path) -> None:
    path = tmp_path / "ann.jsonl"
    event = make_event(
        "label", annotator="ann", guideline_version="1", candidate=CANDS[0], stance="support"
    )
    path.write_text(json.dumps({**event, "stance": "agree"}) + "\n")
    with pytest.raises(
        AnnotationError,
        match=r"ann.jsonl:1: unknown label 'agree' \(labels: support, oppose, neutral\)",
    ):
        replay(path)


def test_second_process_for_the_same_annotator_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ann.jsonl"
    with AnnotationLog(path, "ann"):
        with pytest.raises(AnnotationError, match="already open in another process"):
            AnnotationLog(path, "ann").__enter__()
        with AnnotationLog(tmp_path / "bo.jsonl", "bo"):  # another annotator is fine
            pass
    with AnnotationLog(path, "ann"):  # released on close
        pass


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".hidden", "adjudications", "x" * 65, "a b"])
def test_unsafe_annotator_names(name: str) -> None:
    with pytest.raises(AnnotationError, match="--annotator"):
        check_annotator(name)


def test_stale_labels_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "ann.jsonl"
    with AnnotationLog(path, "ann") as log:
        label(log, CANDS[0], "support")
        label(log, CANDS[1], "oppose")
        label(log, CANDS[2], "neutral")
    now = {c["id"]: c for c in CANDS[1:]}
    now["c2"] = {**now["c2"], "sentence": "edited"}
    stale = [(s.id, why) for s, why in stale_items(replay(path).items().values(), now)]
    assert stale == [("c0", "no longer a candidate"), ("c2", "its sentence text changed")]


def test_read_all_skips_adjudications_and_hidden(tmp_path: Path) -> None:
    for name in ("ann", "bo", "adjudications"):
        with AnnotationLog(tmp_path / f"{name}.jsonl", name) as log:
            label(log, CANDS[0], "support")
    states, warnings = read_all(tmp_path)
    assert sorted(states) == ["ann", "bo"] and warnings == []


def test_assignment_is_deterministic_with_overlap() -> None:
    cands = [dict(CANDS[0], id=f"x{i}", sentence_id=f"d:{i:04d}") for i in range(400)]
    team = ["ann", "bo", "cy"]
    shares = {a: {c["id"] for c in assign(cands, a, team, 0.25)} for a in team}
    common = shares["ann"] & shares["bo"] & shares["cy"]
    assert 0.18 < len(common) / 400 < 0.32
    union = set().union(*shares.values())
    assert union == {c["id"] for c in cands}  # everything is labelled by someone
    for a in team:  # the rest is split: no item outside the overlap goes to two people
        for b in team:
            if a < b:
                assert shares[a] & shares[b] == common
    assert shares == {a: {c["id"] for c in assign(cands, a, team, 0.25)} for a in team}
    with pytest.raises(AnnotationError, match="not in --team"):
        assign(cands, "dee", team, 0.25)


def test_random_order_keeps_sentences_together_and_is_per_annotator() -> None:
    a = order(list(CANDS), "random", "ann")
    assert sorted(c["id"] for c in a) == sorted(c["id"] for c in CANDS)
    sids = [c["sentence_id"] for c in a]
    assert all(
        sids.index(s) + sids.count(s) - 1 == len(sids) - 1 - sids[::-1].index(s) for s in sids
    )
    assert order(list(CANDS), "random", "ann") == a
    with pytest.raises(AnnotationError, match="needs a trained model"):
        order(list(CANDS), "uncertain", "ann")


def test_uncertain_order_puts_least_certain_first() -> None:
    probs = [
        {"support": p, "oppose": 1 - p, "neutral": 0.0} for p in (0.9, 0.5, 0.7, 0.55, 1.0, 0.6)
    ]
    ranked = order([dict(c) for c in CANDS], "uncertain", "ann", lambda cs: probs, explore=0)
    assert [c["id"] for c in ranked] == ["c1", "c3", "c5", "c2", "c0", "c4"]
    assert ranked[0]["suggestion"] == probs[1]
