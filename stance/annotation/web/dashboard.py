"""The lead's dashboard: progress per annotator, agreement so far, and what waits for
adjudication. Figures come from the same functions as `stance agreement`."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from stance.annotation.log import ItemState
from stance.annotation.review import needs_review
from stance.annotation.web.project import Served
from stance.core.schema import LABELS

IDLE = 300.0  # seconds: a longer pause between two decisions is a break, not labelling time
MIN_ACTIVE = 60.0  # seconds of labelling before a rate means anything


def labels_per_hour(times: list[str]) -> float | None:
    """Labels per hour of labelling time: pauses over IDLE seconds are left out."""
    stamps = sorted(datetime.fromisoformat(t.replace("Z", "+00:00")) for t in times)
    active = sum(
        min((b - a).total_seconds(), IDLE) for a, b in zip(stamps, stamps[1:], strict=False)
    )
    return round(len(stamps) / active * 3600, 1) if active >= MIN_ACTIVE else None


def progress(served: Served, states: dict[str, dict[str, ItemState]]) -> list[dict[str, Any]]:
    rows = []
    for name in sorted(set(states) | set(served.desks)):
        items = states.get(name, {})
        desk = served.desks.get(name)
        decided = [s for s in items.values() if s.decision]
        times = [s.annotated_at for s in decided if s.stance and s.annotated_at]
        rate = labels_per_hour(times)
        rows.append(
            {
                "name": name,
                "web": desk is not None,
                # Labelled: a skipped item comes back, so it is counted apart.
                "done": desk.session.done if desk else sum(1 for s in decided if s.stance),
                "total": desk.session.total if desk else None,
                "skips": sum(1 for s in decided if s.decision == "skip"),
                "flags": sum(1 for s in items.values() if s.flag),
                "per_hour": rate,
                # Why there is no rate yet: a few quick labels on the web are not a rate.
                "rate_note": "under a minute of labelling so far" if times and rate is None else "",
            }
        )
    return rows


class Agreement:
    """Agreement on the doubly-coded items, recomputed only when the labels changed (the
    bootstrap takes a moment)."""

    def __init__(self, samples: int = 1000):
        self.samples = samples
        self._key: Any = None
        self._value: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def __call__(self, states: dict[str, dict[str, ItemState]]) -> dict[str, Any]:
        from stance.annotation.agreement import reliability

        ratings: dict[str, dict[str, str]] = {}
        for coder, items in states.items():
            for cid, st in items.items():
                if st.stance is not None:
                    ratings.setdefault(cid, {})[coder] = st.stance
        doubly = {i: r for i, r in ratings.items() if len(r) >= 2}
        key = sorted((i, sorted(r.items())) for i, r in doubly.items())
        with self._lock:
            if self._value is None or key != self._key:
                self._value = reliability(doubly, LABELS, self.samples)
                self._key = key
            return self._value


def waiting(served: Served, states: dict[str, dict[str, ItemState]]) -> list[dict[str, Any]]:
    """Disagreements and flags not adjudicated yet, in candidate order."""
    review = needs_review(states, served.written)
    decided = {i for i, s in served.adjudications.state.items().items() if s.decision}
    out = []
    for c in served.candidates:
        coders = review.get(c["id"])
        if coders is None or c["id"] in decided:
            continue
        labels = {s.stance for s in coders.values() if s.stance}
        out.append(
            {
                "id": c["id"],
                "actor": c["actor"],
                "sentence": c["sentence"],
                "why": "disagreement" if len(labels) > 1 else "flag",
                "coders": coders,
            }
        )
    return out


def dashboard(served: Served, agreement: Agreement) -> dict[str, Any]:
    states = served.states()
    return {
        "progress": progress(served, states),
        "agreement": agreement(states),
        "waiting": waiting(served, states),
        "adjudicated": sum(1 for s in served.adjudications.state.items().values() if s.decision),
        "model": served.retrainer.status if served.retrainer else None,
    }
