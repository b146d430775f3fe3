"""An annotation session without the screen: which item comes next, and what a key does.

The queue is fixed when the session starts (assignment, then order); replaying the log removes
what is already decided, so a resumed session never shows an item twice. Undo retracts the last
event and puts its item back in front. Each step costs O(1) whatever the queue length.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.annotations import AnnotationLog, make_event
from stance.errors import AnnotationError, InputError
from stance.fileio import read_jsonl
from stance.schema import CANDIDATE_FIELDS, DECISION_EVENTS, LABELS

ORDERS = ("file", "random", "uncertain")


def load_candidates(path: Path) -> list[dict[str, Any]]:
    """data/interim/candidates.jsonl, checked for the fields later tools depend on."""
    rows = []
    try:
        for lineno, row in enumerate(read_jsonl(path), 1):
            missing = [f for f in CANDIDATE_FIELDS if f not in row]
            if missing:
                raise InputError(f"{path}:{lineno}: missing field {missing[0]!r}")
            rows.append(row)
    except InputError as exc:
        if "no such file" in str(exc):
            raise InputError(
                f"{path}: no such file: run `stance ingest` (or `dvc repro`) first"
            ) from None
        raise
    return rows


def _unit(key: str) -> float:
    """A stable pseudo-random number in [0, 1) for a key."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64


def assign(
    candidates: Sequence[dict[str, Any]], annotator: str, team: Sequence[str], overlap: float
) -> list[dict[str, Any]]:
    """This annotator's share. Sentences, not candidates, are routed, so all actors of one
    sentence go to the same people: `overlap` of the sentences to everyone (for agreement),
    the rest to one team member each, by a hash of the sentence id (deterministic)."""
    if not team:
        return list(candidates)
    if annotator not in team:
        raise AnnotationError(f"--annotator {annotator} is not in --team {','.join(team)}")
    if not 0 <= overlap <= 1:
        raise AnnotationError(f"--overlap {overlap}: expected a fraction from 0 to 1")
    members = sorted(team)
    out = []
    for c in candidates:
        sid = c["sentence_id"]
        if _unit("overlap:" + sid) < overlap:
            out.append(c)
        elif members[int(_unit("member:" + sid) * len(members))] == annotator:
            out.append(c)
    return out


def order(
    candidates: list[dict[str, Any]],
    how: str,
    annotator: str,
    scores: Callable[[list[dict[str, Any]]], list[dict[str, float]]] | None = None,
) -> list[dict[str, Any]]:
    """`file` keeps the ingest order; `random` shuffles sentences (their actors stay together)
    with a seed from the annotator's name; `uncertain` puts the least certain first."""
    if how == "file":
        return candidates
    if how == "random":
        by_sentence: dict[str, list[dict[str, Any]]] = {}
        for c in candidates:
            by_sentence.setdefault(c["sentence_id"], []).append(c)
        keys = list(by_sentence)
        random.Random(annotator).shuffle(keys)
        return [c for k in keys for c in by_sentence[k]]
    if how == "uncertain":
        if scores is None:
            raise AnnotationError(
                "--order uncertain needs a trained model: run `stance train` first"
            )
        probs = scores(candidates)
        for c, p in zip(candidates, probs, strict=True):
            c["suggestion"] = p
        ranked = sorted(zip(candidates, probs, strict=True), key=lambda cp: _margin(cp[1]))
        return [c for c, _ in ranked]
    raise AnnotationError(f"--order {how}: expected one of {', '.join(ORDERS)}")


def _margin(p: dict[str, float]) -> float:
    top = sorted(p.values(), reverse=True) + [0.0, 0.0]
    return top[0] - top[1]


@dataclass
class Session:
    """The queue of one annotator (or adjudicator) and what each key does to it."""

    queue: list[dict[str, Any]]
    log: AnnotationLog
    annotator: str
    guideline_version: str
    pos: int = 0
    front: list[dict[str, Any]] = field(default_factory=list)  # undone items, shown first
    history: list[dict[str, Any]] = field(default_factory=list)  # effective events, in order
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # same, per item
    by_id: dict[str, dict[str, Any]] = field(default_factory=dict)
    total: int = 0
    done: int = 0

    @classmethod
    def start(
        cls, queue: list[dict[str, Any]], log: AnnotationLog, annotator: str, version: str
    ) -> Session:
        s = cls(queue, log, annotator, version)
        s.by_id = {c["id"]: c for c in queue}
        for e in log.state.effective():
            s._remember(e)
        s.total = len(queue)
        s.done = sum(1 for c in queue if s.is_decided(c["id"]))
        return s

    def _remember(self, event: dict[str, Any]) -> None:
        self.history.append(event)
        self.events.setdefault(event["id"], []).append(event)

    def is_decided(self, candidate_id: str) -> bool:
        return any(e["event"] in DECISION_EVENTS for e in self.events.get(candidate_id, ()))

    # --- what is shown -------------------------------------------------------------------------

    def current(self) -> dict[str, Any] | None:
        while self.front:
            if not self.is_decided(self.front[-1]["id"]):
                return self.front[-1]
            self.front.pop()
        while self.pos < len(self.queue) and self.is_decided(self.queue[self.pos]["id"]):
            self.pos += 1
        return self.queue[self.pos] if self.pos < len(self.queue) else None

    def previous(self) -> dict[str, Any] | None:
        """The item decided last (the target of `r`)."""
        for e in reversed(self.history):
            if e["event"] in DECISION_EVENTS:
                return self.by_id.get(e["id"]) or {
                    k: e[k] for k in ("id", "sentence", "actor", "claim")
                }
        return None

    def state_of(self, candidate_id: str) -> dict[str, Any]:
        """Decision, flag, note and response currently attached to an item."""
        out: dict[str, Any] = {"flag": False, "note": None, "response": None, "stance": None}
        for e in self.events.get(candidate_id, ()):
            if e["event"] == "flag":
                out["flag"], out["note"] = e["flag"], e["note"]
            elif e["event"] == "response":
                out["response"] = e["response"]
            elif e["event"] in DECISION_EVENTS:
                out["stance"] = e["stance"] if e["event"] == "label" else "skip"
        return out

    # --- what keys do -------------------------------------------------------------------------

    def _append(self, event: dict[str, Any]) -> dict[str, Any]:
        self.log.append(event)  # durable before anything else changes
        self._remember(event)
        return event

    def _event(self, kind: str, candidate: dict[str, Any], **kw: Any) -> dict[str, Any]:
        return make_event(
            kind,
            annotator=self.annotator,
            guideline_version=self.guideline_version,
            candidate=candidate,
            **kw,
        )

    def decide(self, stance: str | None) -> dict[str, Any]:
        """Label the current item (`stance` in LABELS) or skip it (None)."""
        item = self.current()
        if item is None:
            raise AnnotationError("nothing left to label")
        if stance is not None and stance not in LABELS:
            raise AnnotationError(f"unknown label {stance!r}")
        event = self._append(self._event("label" if stance else "skip", item, stance=stance))
        self.done += 1
        return event

    def flag(self, note: str | None) -> dict[str, Any]:
        item = self.current()
        if item is None:
            raise AnnotationError("nothing to flag")
        return self._append(self._event("flag", item, flag=True, note=note or None))

    def respond(self, response: str, target: str = "previous") -> dict[str, Any]:
        item = self.previous() if target == "previous" else self.current()
        if item is None:
            raise AnnotationError(f"no {target} item to tag")
        return self._append(self._event("response", item, response=response))

    def undo(self) -> dict[str, Any] | None:
        """Retract the last effective event; a decided item comes back as the current one."""
        if not self.history:
            return None
        last = self.history[-1]
        self.log.append(
            make_event(
                "retract",
                annotator=self.annotator,
                guideline_version=self.guideline_version,
                candidate={k: last[k] for k in ("id", "sentence", "actor", "claim")},
                target=last["event_id"],
            )
        )
        self.history.pop()
        self.events[last["id"]].remove(last)
        if last["event"] in DECISION_EVENTS and not self.is_decided(last["id"]):
            item = self.by_id.get(last["id"])
            if item is not None:
                self.done -= 1
                self.front.append(item)
        return last
