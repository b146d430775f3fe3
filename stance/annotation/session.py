"""An annotation session without the screen: which item comes next, and what a key does.

The queue is fixed when the session starts (assignment, then order); replaying the log removes
what is already decided, so a resumed session never shows an item twice. Undo retracts the last
event and puts its item back in front. Each step costs O(1) whatever the queue length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stance.annotation.events import make_event
from stance.annotation.log import AnnotationLog
from stance.core.errors import AnnotationError
from stance.core.schema import DECISION_EVENTS, LABELS


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
