"""A retrained model swapped into the queues without a key or a request waiting on it.

A queue's new order (its suggestions from the new model, the undecided items re-ordered by the
new model's doubts) is worked out outside the queue's lock, from a snapshot taken under it in
O(1): the session's version, its queue (a list a swap replaces, never changes in place) and the
item on screen. Back under the lock, the swap only checks that the version has not moved and
assigns: one dict store per item for the suggestions, then the queue. A key press in between
(a label, a skip, an undo...) moves the version: the order is worked out again from a new
snapshot, a few times at most, and then fitted under the lock from the last one worked out,
which only needs filtering (the decided items out, the item on screen kept in place).

What a swap keeps, as `reorder` always has: the item on screen stays where it is; an undone item
stays in front of the queue and a skipped one at its end (both are shown from their own lists,
which a swap does not touch); the decided items go before the queue's position.

The scores come from `stance predict` as Parquet: only the id and scores columns are read, a
slice of rows at a time, so the reading thread turns 2,000 rows into Python objects between
two reads of the file (which let the requests' threads run), never a whole file at once.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.annotation.queue import uncertain
from stance.annotation.session import Session

Item = dict[str, Any]
Scores = dict[str, dict[str, float]]  # item id -> {label: probability}
TRIES = 3  # orders worked out outside the lock before the last one is fitted under it
SLICE = 2000  # rows of the scores file read and turned into Python objects at a time


@dataclass
class Plan:
    """A queue's new order, worked out for one version of its session."""

    version: int
    queue: list[Item]
    pos: int  # the number of decided items: the item on screen, if any, comes next
    suggestions: list[tuple[Item, dict[str, float]]]  # every scored item, its new scores


def read_scores(path: Path) -> Scores:
    """Item id -> scores, from the Parquet table `stance predict` wrote (its id and scores
    columns only)."""
    import pyarrow.parquet as pq

    fresh: Scores = {}
    with pq.ParquetFile(path) as table:
        for rows in table.iter_batches(batch_size=SLICE, columns=["id", "scores"]):
            fresh.update(zip(rows.column(0).to_pylist(), rows.column(1).to_pylist(), strict=True))
    return fresh


def on_screen(session: Session) -> Item | None:
    """The item on screen, which the new order keeps in place: None when it is not drawn from
    the queue's undecided part (an undone item, shown from the front; a skipped one)."""
    now = session.current()
    if now is None or session.is_decided(now["id"]):
        return None
    if any(f["id"] == now["id"] for f in session.front):
        return None
    return now


def plan(
    session: Session,
    annotator: str,
    fresh: Scores,
    version: int,
    queue: list[Item],
    now: Item | None,
) -> Plan:
    """The new order of `queue` (the session's at `version`, with `now` on screen). Needs no
    lock: what it reads of the session may change meanwhile, which the version tells."""
    keep = now["id"] if now is not None else None
    decided: list[Item] = []
    undecided: list[Item] = []
    for c in queue:
        if session.is_decided(c["id"]):
            decided.append(c)
        elif c["id"] != keep:
            undecided.append(c)
    scored = [c for c in undecided if c["id"] in fresh]
    ranked = uncertain(scored, [fresh[c["id"]] for c in scored], annotator)
    rest = [c for c in undecided if c["id"] not in fresh]
    head = [now] if now is not None else []
    suggestions = [(c, fresh[c["id"]]) for c in queue if c["id"] in fresh]
    return Plan(version, decided + head + ranked + rest, len(decided), suggestions)


def apply(session: Session, new: Plan) -> None:
    """Swap a plan in (with the session's lock, the session still at the plan's version)."""
    for c, p in new.suggestions:
        c["suggestion"] = p
    session.queue, session.pos = new.queue, new.pos
    session.version += 1


def fit(session: Session, new: Plan) -> None:
    """Swap in a plan the session has moved on from (with its lock): its order, filtered to
    what is undecided now, the item on screen kept in place. An item decided when the plan
    was made and undone since goes after the others (it is shown from the front until it is
    decided again)."""
    now = on_screen(session)
    keep = now["id"] if now is not None else None
    decided = [c for c in session.queue if session.is_decided(c["id"])]
    later = new.queue[new.pos :] + new.queue[: new.pos]
    undecided = [c for c in later if c["id"] != keep and not session.is_decided(c["id"])]
    head = [now] if now is not None else []
    apply(session, Plan(session.version, decided + head + undecided, len(decided), new.suggestions))


def reorder(session: Session, annotator: str, fresh: Scores) -> None:
    """The new model's suggestions on every item and its order on the undecided ones, all at
    once (call with the session's lock). The item on screen stays where it is: a swap never
    changes what the annotator is reading."""
    apply(
        session, plan(session, annotator, fresh, session.version, session.queue, on_screen(session))
    )


def swap_in(
    session: Session,
    lock: AbstractContextManager[Any],
    annotator: str,
    fresh: Scores,
    held: list[float] | None = None,
    tries: int = TRIES,
) -> int:
    """`reorder`, with the lock held only to take a snapshot and to swap the order in: the
    order is worked out between the two. How many orders were worked out (`tries` + 1: the
    last one was fitted); each time the lock was held is added to `held` (ms)."""
    held = [] if held is None else held
    new: Plan | None = None
    for n in range(1, tries + 1):
        with lock:
            t0 = time.perf_counter()
            version, queue, now = session.version, session.queue, on_screen(session)
            held.append((time.perf_counter() - t0) * 1000)
        new = plan(session, annotator, fresh, version, queue, now)
        with lock:
            t0 = time.perf_counter()
            done = session.version == new.version
            if done:
                apply(session, new)
            held.append((time.perf_counter() - t0) * 1000)
        if done:
            return n
    if new is None:
        raise ValueError(f"tries={tries}: at least one order must be worked out")
    with lock:
        t0 = time.perf_counter()
        fit(session, new)
        held.append((time.perf_counter() - t0) * 1000)
    return tries + 1
