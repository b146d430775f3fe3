"""An annotation session without the screen: which item comes next, and what a key does.

The queue is fixed when the session starts (assignment, then order); replaying the log removes
what is already labelled, so a resumed session never shows a labelled item twice. A skipped item
is not done: it comes back at the end of the queue (after every item not seen yet, then in the
order they were skipped) until it is labelled. Undo retracts the last event and puts its item
back in front. `limit` is how many items this session decides (labels and skips) before it
stops. Each step costs O(1) whatever the queue length.

Both front ends drive this one class: the terminal UI acts on the current item; the web page
names the item it showed and the event it made (`apply`), so a request repeated after a lost
reply finds its event already in the log and writes nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import Any

from stance.annotation.events import make_event
from stance.annotation.log import AnnotationLog
from stance.annotation.queue import shows_suggestion
from stance.core.errors import AnnotationError
from stance.core.schema import BLIND_SHARE, DECISION_EVENTS, LABELS


class NotInQueue(AnnotationError):
    "A key press names an item that is not in this session's queue."


class Conflict(AnnotationError):
    "A key press no longer fits the log: its item was decided since, or undo names another event."


ACTIONS = ("label", "skip", "flag", "response", "undo")


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
    seen: dict[str, dict[str, Any]] = field(default_factory=dict)  # event_id -> every log event
    # Skipped items, in the order they come back: after the items not seen yet.
    skips: OrderedDict[str, dict[str, Any]] = field(default_factory=OrderedDict)
    limit: int | None = None  # items to decide in this session (None: all)
    decided_now: set[str] = field(default_factory=set)  # items decided in this session
    blind: float = BLIND_SHARE  # share of items shown without the model's suggestion
    suggest: bool = True  # False: no suggestion is shown or recorded (adjudication)
    total: int = 0
    done: int = 0  # labelled
    skipped: int = 0
    # Bumped by every change a key makes (and by a swap of the queue's order): a new model's
    # order, worked out outside the lock, is swapped in only if this has not moved meanwhile.
    version: int = 0

    @classmethod
    def start(
        cls,
        queue: list[dict[str, Any]],
        log: AnnotationLog,
        annotator: str,
        version: str,
        limit: int | None = None,
    ) -> Session:
        s = cls(queue, log, annotator, version, limit=limit)
        s.by_id = {c["id"]: c for c in queue}
        s.seen = {e["event_id"]: e for e in log.state.events}
        for e in log.state.effective():
            s._remember(e)
        s.total = len(queue)
        for c in queue:
            state = s.decision(c["id"])
            if state == "label":
                s.done += 1
            elif state == "skip":
                s.skipped += 1
                s.skips[c["id"]] = c
        return s

    def _remember(self, event: dict[str, Any]) -> None:
        self.history.append(event)
        self.events.setdefault(event["id"], []).append(event)

    def decision(self, candidate_id: str) -> str | None:
        """ "label", "skip" or None: the item's last effective decision."""
        for e in reversed(self.events.get(candidate_id, ())):
            if e["event"] in DECISION_EVENTS:
                return str(e["event"])
        return None

    def is_decided(self, candidate_id: str) -> bool:
        return self.decision(candidate_id) is not None

    def is_labelled(self, candidate_id: str) -> bool:
        return self.decision(candidate_id) == "label"

    def suggestion(self, item: dict[str, Any]) -> dict[str, Any] | None:
        """The model's label for an item scored by it, and whether this annotator is shown it;
        None without a model."""
        probs = item.get("suggestion")
        if not probs or not self.suggest:
            return None
        return {
            "label": max(probs, key=probs.get),
            "shown": shows_suggestion(self.annotator, item["id"], self.blind),
        }

    def suggested(self, item: dict[str, Any]) -> str | None:
        """The label shown (and preselected) on this item, if any."""
        hint = self.suggestion(item)
        return hint["label"] if hint and hint["shown"] else None

    def left(self) -> int | None:
        """Items this session may still decide (None: no limit)."""
        return None if self.limit is None else max(self.limit - len(self.decided_now), 0)

    # --- what is shown -------------------------------------------------------------------------

    def current(self) -> dict[str, Any] | None:
        if self.left() == 0:
            return None
        while self.front:
            if not self.is_labelled(self.front[-1]["id"]):
                return self.front[-1]
            self.front.pop()
        while self.pos < len(self.queue) and self.is_decided(self.queue[self.pos]["id"]):
            self.pos += 1
        if self.pos < len(self.queue):
            return self.queue[self.pos]
        return next(iter(self.skips.values()), None)

    def upcoming(self, n: int) -> list[dict[str, Any]]:
        """The current item and those after it, in the order they will come (at most `n`, and
        at most what this session may still decide)."""
        out: list[dict[str, Any]] = []
        if self.current() is None:
            return out
        left = self.left()
        n = n if left is None else min(n, left)
        ids: set[str] = set()
        fresh = (c for c in islice(self.queue, self.pos, None) if not self.is_decided(c["id"]))
        for item in chain(reversed(self.front), fresh, self.skips.values()):
            if len(out) >= n:
                break
            if item["id"] not in ids and not self.is_labelled(item["id"]):
                ids.add(item["id"])
                out.append(item)
        return out

    def bring_forward(self, candidate_id: str) -> None:
        """Show this undecided item next (the dashboard links straight to one)."""
        item = self.item(candidate_id)
        if not self.is_labelled(candidate_id):
            self.front.append(item)
            self.version += 1

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
        self.version += 1
        self.seen[event["event_id"]] = event
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

    def item(self, candidate_id: str) -> dict[str, Any]:
        """An item of this queue by id; another annotator's item is not there to find."""
        item = self.by_id.get(candidate_id)
        if item is None:
            raise NotInQueue(f"item {candidate_id!r:.80} is not in {self.annotator}'s queue")
        return item

    def decide(
        self, stance: str | None, item: str | None = None, event_id: str | None = None
    ) -> dict[str, Any]:
        """Label the current item, or the undecided item `item`, (`stance` in LABELS) or skip
        it (None)."""
        if item is None:
            target = self.current()
            if target is None:
                more = f" in this session (--limit {self.limit})" if self.left() == 0 else ""
                raise AnnotationError(f"nothing left to label{more}")
        else:
            target = self.item(item)
            if self.is_labelled(item):
                raise Conflict(f"item {item} is already decided (in another window?)")
        if stance is not None and stance not in LABELS:
            raise AnnotationError(f"unknown label {stance!r}")
        kind = "label" if stance else "skip"
        before = self.decision(target["id"])
        hint = self.suggestion(target)
        event = self._append(
            self._event(kind, target, stance=stance, event_id=event_id, suggestion=hint)
        )
        self._count(target, before, -1)
        self._count(target, kind, +1)
        self.front = [f for f in self.front if f["id"] != target["id"]]
        self.decided_now.add(target["id"])
        return event

    def _count(self, item: dict[str, Any], decision: str | None, sign: int) -> None:
        """Keep done, skipped and the skipped items' return order in step with a change."""
        if item["id"] not in self.by_id:
            return
        if decision == "label":
            self.done += sign
        elif decision == "skip":
            self.skipped += sign
            self.skips.pop(item["id"], None)
            if sign > 0:
                self.skips[item["id"]] = item  # back of the line

    def flag(
        self, note: str | None, item: str | None = None, event_id: str | None = None
    ) -> dict[str, Any]:
        target = self.current() if item is None else self.item(item)
        if target is None:
            raise AnnotationError("nothing to flag")
        return self._append(
            self._event("flag", target, flag=True, note=note or None, event_id=event_id)
        )

    def respond(
        self,
        response: str,
        target: str = "previous",
        item: str | None = None,
        event_id: str | None = None,
    ) -> dict[str, Any]:
        if item is not None:
            tagged: dict[str, Any] | None = self.item(item)
        else:
            tagged = self.previous() if target == "previous" else self.current()
        if tagged is None:
            raise AnnotationError(f"no {target} item to tag")
        return self._append(self._event("response", tagged, response=response, event_id=event_id))

    def undo(self, event_id: str | None = None, expect: str | None = None) -> dict[str, Any] | None:
        """Retract the last effective event; a decided item comes back as the current one.

        `expect` names the event the client means to take back: if another came after it
        (a second window), nothing is retracted."""
        if not self.history:
            if expect is not None:
                raise Conflict("nothing to undo: the log has changed since the page was drawn")
            return None
        last = self.history[-1]
        if expect is not None and last["event_id"] != expect:
            raise Conflict(
                "undo names an event that is no longer the last one (labelled in another "
                "window?): reload the page"
            )
        retract = make_event(
            "retract",
            annotator=self.annotator,
            guideline_version=self.guideline_version,
            candidate={k: last[k] for k in ("id", "sentence", "actor", "claim")},
            target=last["event_id"],
            event_id=event_id,
        )
        self.log.append(retract)
        self.version += 1
        self.seen[retract["event_id"]] = retract
        self.history.pop()
        before = self.decision(last["id"])
        self.events[last["id"]].remove(last)
        if last["event"] in DECISION_EVENTS:
            item = self.by_id.get(last["id"])
            if item is not None:
                self._count(item, before, -1)
                self._count(item, self.decision(last["id"]), +1)
                self.decided_now.discard(item["id"])
                if not self.is_labelled(item["id"]):
                    self.front.append(item)
        return last

    def apply(
        self,
        action: str,
        *,
        event_id: str,
        item: str | None = None,
        stance: str | None = None,
        note: str | None = None,
        response: str | None = None,
        expect: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """One key press made elsewhere (the web page), named by its `event_id`: the event
        written, and whether it was already in the log (a repeat writes nothing)."""
        if event_id in self.seen:
            return self.seen[event_id], True
        if action == "label":
            if stance is None:
                raise AnnotationError("a label needs a stance")
            event = self.decide(stance, item=item, event_id=event_id)
        elif action == "skip":
            event = self.decide(None, item=item, event_id=event_id)
        elif action == "flag":
            event = self.flag(note, item=item, event_id=event_id)
        elif action == "response":
            if response is None:
                raise AnnotationError("a response tag needs a response")
            event = self.respond(response, item=item, event_id=event_id)
        elif action == "undo":
            if self.undo(event_id=event_id, expect=expect) is None:
                raise Conflict("nothing to undo")
            event = self.seen[event_id]
        else:
            raise AnnotationError(f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
        return event, False
