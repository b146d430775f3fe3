"""The uncertain order's random share (stance.annotation.queue.explored): on small fixtures,
which items are explored, where they go, and that an annotator's order never depends on the
run."""

from __future__ import annotations

from stance.annotation.queue import EXPLORE, _margin, _unit, explored, order

ITEMS = [{"id": f"c{i:03d}", "sentence_id": f"s{i}", "doc_id": f"d{i % 7}"} for i in range(300)]


def probs(i: int) -> dict[str, float]:
    top = 0.34 + 0.6 * ((i * 53) % 299) / 299  # distinct margins, not in id order
    return {"oppose": top, "support": (1 - top) / 2, "neutral": (1 - top) / 2}


def by_id() -> dict[str, dict[str, float]]:
    return {c["id"]: probs(i) for i, c in enumerate(ITEMS)}


def test_no_share_keeps_the_ranking() -> None:
    ranked = [5, 2, 9, 0, 1, 3, 4, 6, 7, 8]
    items = [dict(c) for c in ITEMS[:10]]
    assert [c["id"] for c in explored(items, ranked, "ann", 0.0)] == [
        ITEMS[i]["id"] for i in ranked
    ]


def test_a_share_of_one_is_a_shuffle_seeded_by_the_annotator() -> None:
    items = [dict(c) for c in ITEMS[:50]]
    out = explored(items, list(range(50)), "ann", 1.0)
    assert sorted(c["id"] for c in out) == sorted(c["id"] for c in items)
    assert [c["id"] for c in out] == sorted(
        (c["id"] for c in items), key=lambda i: _unit(f"place:ann:{i}")
    )
    assert out != explored(items, list(range(50)), "bo", 1.0)


def test_the_explored_items_are_those_the_hash_draws_and_the_rest_keep_their_order() -> None:
    items = [dict(c) for c in ITEMS]
    ranked = sorted(range(len(items)), key=lambda i: _margin(probs(i)))
    out = explored(items, ranked, "ann", 0.3)
    drawn = {c["id"] for c in items if _unit(f"explore:ann:{c['id']}") < 0.3}
    assert 0.2 * len(items) < len(drawn) < 0.4 * len(items)
    # The items not drawn come in the ranking's order, whatever the explored ones do.
    kept = [c["id"] for c in out if c["id"] not in drawn]
    assert kept == [items[i]["id"] for i in ranked if items[i]["id"] not in drawn]
    # The explored ones are spread through the queue, not gathered at one end.
    where = [k for k, c in enumerate(out) if c["id"] in drawn]
    thirds = [sum(1 for k in where if k * 3 // len(out) == t) for t in range(3)]
    assert min(thirds) > 0.15 * len(drawn)


def test_the_uncertain_order_is_the_same_on_every_run_and_ties_keep_the_input_order() -> None:
    scores = by_id()
    first = order(
        [dict(c) for c in ITEMS], "uncertain", "ann", lambda cs: [scores[c["id"]] for c in cs]
    )
    again = order(
        [dict(c) for c in ITEMS], "uncertain", "ann", lambda cs: [scores[c["id"]] for c in cs]
    )
    assert [c["id"] for c in first] == [c["id"] for c in again]
    # Equal margins everywhere: with no random share, the input order stands.
    flat = {"oppose": 0.5, "support": 0.3, "neutral": 0.2}
    tied = order(
        [dict(c) for c in ITEMS], "uncertain", "ann", lambda cs: [flat] * len(cs), explore=0
    )
    assert [c["id"] for c in tied] == [c["id"] for c in ITEMS]


def test_the_default_share_is_kept_in_the_queues_order() -> None:
    scores = by_id()
    out = order(
        [dict(c) for c in ITEMS], "uncertain", "ann", lambda cs: [scores[c["id"]] for c in cs]
    )
    drawn = [c for c in ITEMS if _unit(f"explore:ann:{c['id']}") < EXPLORE]
    assert 0.5 * EXPLORE * len(ITEMS) < len(drawn) < 1.5 * EXPLORE * len(ITEMS)
    # Every batch of 50 holds some of the random share and mostly the model's doubts.
    ids = {c["id"] for c in drawn}
    for start in range(0, len(out), 50):
        batch = out[start : start + 50]
        assert 0 < sum(1 for c in batch if c["id"] in ids) < 25
