"""Append-only annotation logs: data/annotations/<annotator>.jsonl, one event per line.

Every event is flushed and fsynced before the caller goes on, so a confirmed label survives a
crash or a power cut. Nothing is ever rewritten: undo appends a `retract` event naming the event
it takes back, and the state of every item is what replaying the log gives. A torn last line
(a write cut off mid-way) is reported, moved aside to `.<annotator>.torn` and cut off, and
everything before it is kept. A second process for the same log is refused by a file lock.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from stance.core.errors import AnnotationError
from stance.core.schema import (
    ADJUDICATIONS,
    DECISION_EVENTS,
    EVENT_FIELDS,
    EVENT_TYPES,
    LABELS,
    RESPONSES,
)

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def check_annotator(name: str, option: str = "--annotator") -> str:
    """Annotator names become file names: letters, digits, '.', '_', '-' only."""
    if not _SAFE_NAME.fullmatch(name) or name in (ADJUDICATIONS,) or name.endswith(".jsonl"):
        raise AnnotationError(
            f"{option} {name!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a "
            f"letter or digit (it names the file data/annotations/<name>.jsonl)"
        )
    return name


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def make_event(
    event: str,
    *,
    annotator: str,
    guideline_version: str,
    candidate: dict[str, Any] | None = None,
    stance: str | None = None,
    response: str | None = None,
    flag: bool = False,
    note: str | None = None,
    target: str | None = None,
    annotated_at: str | None = None,
) -> dict[str, Any]:
    """One log line. `candidate` gives id, sentence, actor and claim."""
    c = candidate or {}
    record = {
        "event": event,
        "event_id": uuid.uuid4().hex[:16],
        "id": c.get("id"),
        "sentence": c.get("sentence"),
        "actor": c.get("actor"),
        "claim": c.get("claim"),
        "stance": stance,
        "response": response,
        "flag": flag,
        "note": note,
        "target": target,
        "annotator": annotator,
        "annotated_at": annotated_at or now_utc(),
        "guideline_version": guideline_version,
    }
    validate_event(record, "new event")
    return record


def validate_event(e: Any, where: str) -> None:
    if not isinstance(e, dict):
        raise AnnotationError(f"{where}: expected a JSON object")
    missing = [k for k in EVENT_FIELDS if k not in e]
    if missing:
        raise AnnotationError(f"{where}: missing field {missing[0]!r}")
    if e["event"] not in EVENT_TYPES:
        raise AnnotationError(
            f"{where}: unknown event {e['event']!r} (known: {', '.join(EVENT_TYPES)})"
        )
    if e["event"] == "label" and e["stance"] not in LABELS:
        raise AnnotationError(
            f"{where}: unknown label {e['stance']!r} (labels: {', '.join(LABELS)})"
        )
    if e["event"] == "response" and e["response"] not in RESPONSES:
        raise AnnotationError(
            f"{where}: unknown response {e['response']!r} (responses: {', '.join(RESPONSES)})"
        )
    if e["event"] == "retract" and not e["target"]:
        raise AnnotationError(f"{where}: a retract event needs a 'target' event id")
    if e["event"] != "retract" and not e["id"]:
        raise AnnotationError(f"{where}: missing candidate 'id'")


@dataclass
class ItemState:
    """What replaying a log says about one candidate."""

    id: str
    sentence: str | None = None
    actor: str | None = None
    claim: str | None = None
    decision: str | None = None  # "label" or "skip"
    stance: str | None = None
    response: str | None = None
    flag: bool = False
    note: str | None = None
    annotator: str | None = None
    annotated_at: str | None = None
    guideline_version: str | None = None

    @property
    def labelled(self) -> bool:
        return self.decision == "label"


@dataclass
class LogState:
    path: Path
    events: list[dict[str, Any]] = field(default_factory=list)
    torn: str | None = None  # text of a torn last line, if any

    def effective(self) -> list[dict[str, Any]]:
        retracted = {e["target"] for e in self.events if e["event"] == "retract"}
        return [
            e for e in self.events if e["event"] != "retract" and e["event_id"] not in retracted
        ]

    def items(self) -> dict[str, ItemState]:
        """Candidate id -> its state; only candidates with an effective event appear."""
        out: dict[str, ItemState] = {}
        for e in self.effective():
            s = out.get(e["id"])
            if s is None:
                s = out[e["id"]] = ItemState(e["id"], e["sentence"], e["actor"], e["claim"])
            if e["event"] in DECISION_EVENTS:
                s.decision = e["event"]
                s.stance = e["stance"] if e["event"] == "label" else None
                s.annotator = e["annotator"]
                s.annotated_at = e["annotated_at"]
                s.guideline_version = e["guideline_version"]
                if e["note"]:
                    s.note = e["note"]  # a rationale given with the label
            elif e["event"] == "flag":
                s.flag, s.note = bool(e["flag"]), e["note"]
            elif e["event"] == "response":
                s.response = e["response"]
        return out


def replay(path: Path) -> LogState:
    """Read a log. A corrupt line in the middle is an error; a torn last line is only noted."""
    state = LogState(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return state
    text = raw.decode("utf-8", errors="replace")
    lines = text.split("\n")
    complete, tail = lines[:-1], lines[-1]
    for lineno, line in enumerate(complete, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            if lineno == len(complete) and not tail and _looks_torn(line):
                state.torn = line
                break
            raise AnnotationError(
                f"{path}:{lineno}: corrupted line ({exc.msg}); fix or delete that line by hand "
                f"(every other line is intact)"
            ) from None
        validate_event(event, f"{path}:{lineno}")
        state.events.append(event)
    if tail.strip():
        # No final newline: the write of this line never finished.
        try:
            event = json.loads(tail)
            validate_event(event, f"{path}:{len(lines)}")
            state.events.append(event)  # complete but unterminated: keep it
        except (json.JSONDecodeError, AnnotationError):
            state.torn = tail
    return state


def _looks_torn(line: str) -> bool:
    return line.startswith("{") and not line.rstrip().endswith("}")


class AnnotationLog:
    """An annotator's log opened for appending: locked, repaired, replayed."""

    def __init__(self, path: Path, annotator: str):
        self.path = path
        self.annotator = annotator
        self._lock_fh: IO[str] | None = None
        self._fh: IO[str] | None = None
        self.state = LogState(path)
        self.warnings: list[str] = []

    def __enter__(self) -> AnnotationLog:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock()
        self.state = replay(self.path)
        if self.state.torn is not None:
            self._cut_torn_tail(self.state.torn)
        self._fh = self.path.open("a", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh:
            self._fh.close()
        if self._lock_fh:
            fcntl.flock(self._lock_fh, fcntl.LOCK_UN)
            self._lock_fh.close()

    def _lock(self) -> None:
        lock_path = self.path.parent / f".{self.path.stem}.lock"
        fh = lock_path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            pid = fh.read().strip() or "?"
            fh.close()
            raise AnnotationError(
                f"{self.path} is already open in another process (pid {pid}): "
                f"one process per annotator; close the other one first"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._lock_fh = fh

    def _cut_torn_tail(self, torn: str) -> None:
        raw = self.path.read_bytes()
        keep = raw.rfind(b"\n", 0, len(raw) - 1 if raw.endswith(b"\n") else len(raw)) + 1
        aside = self.path.parent / f".{self.path.stem}.torn"
        with aside.open("ab") as fh:
            fh.write(raw[keep:].rstrip(b"\n") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        with self.path.open("r+b") as fh:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
        self.warnings.append(
            f"{self.path}: the last line was incomplete (a write cut off mid-way) and was "
            f"ignored; its text is kept in {aside}"
        )

    def append(self, event: dict[str, Any]) -> None:
        """Write one event and make it durable before returning."""
        assert self._fh is not None, "open the log with `with AnnotationLog(...)`"
        self._fh.write(json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.state.events.append(event)


def log_path(annotations_dir: Path, annotator: str) -> Path:
    return annotations_dir / f"{annotator}.jsonl"


def annotator_logs(annotations_dir: Path) -> dict[str, Path]:
    """Every annotator's log in the folder (not adjudications, not hidden files)."""
    if not annotations_dir.is_dir():
        return {}
    return {
        p.stem: p
        for p in sorted(annotations_dir.glob("*.jsonl"))
        if p.stem != ADJUDICATIONS and not p.name.startswith(".")
    }


def read_all(annotations_dir: Path) -> tuple[dict[str, dict[str, ItemState]], list[str]]:
    """Annotator -> candidate id -> state, for every log; plus warnings (torn lines)."""
    out: dict[str, dict[str, ItemState]] = {}
    warnings = []
    for name, path in annotator_logs(annotations_dir).items():
        state = replay(path)
        if state.torn is not None:
            warnings.append(f"{path}: incomplete last line ignored")
        out[name] = state.items()
    return out, warnings


def stale_items(
    states: Iterable[ItemState], candidates: dict[str, dict[str, Any]]
) -> Iterator[tuple[ItemState, str]]:
    """Labels whose candidate is gone or whose sentence text changed since labelling."""
    for s in states:
        c = candidates.get(s.id)
        if c is None:
            yield s, "no longer a candidate"
        elif s.sentence is not None and c["sentence"] != s.sentence:
            yield s, "its sentence text changed"


def describe_stale(path: Path, stale: list[tuple[ItemState, str]], candidates_path: Path) -> str:
    ids = ", ".join(s.id for s, _ in stale[:5]) + (" ..." if len(stale) > 5 else "")
    return (
        f"{path}: {len(stale)} label(s) refer to candidates that changed in {candidates_path} "
        f"({stale[0][1]}: {ids}); they are never remapped: re-ingest the inputs they were made "
        f"on, or relabel them"
    )
