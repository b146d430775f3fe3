"""Append-only annotation logs: data/annotations/<annotator>.jsonl, one event per line.

Every event is written with one `os.write` of the whole line on an unbuffered descriptor and
fsynced before the caller goes on, so a confirmed label survives a crash or a power cut; a write
or fsync that fails is cut back off (truncated to the last good length) before the caller
hears of it, so a refused event never reaches the disk later. An event id already in the log
is not written again. Nothing is ever rewritten: undo appends a `retract` event naming the event
it takes back, and the state of every item is what replaying the log gives. A torn last line
(a write cut off mid-way) is reported, moved aside to `.<annotator>.torn` and cut off, and
everything before it is kept. A second process for the same log is refused by a file lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.annotation.events import validate_event
from stance.core.errors import AnnotationError
from stance.core.schema import ADJUDICATIONS, DECISION_EVENTS


class NotSaved(AnnotationError):
    "An event could not be written (disk full, read-only): it is not in the log."


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


@dataclass
class LogState:
    path: Path
    events: list[dict[str, Any]] = field(default_factory=list)
    torn: str | None = None  # text of a torn last line, if any
    unterminated: bool = False  # the last event is complete but lacks its newline
    glued: list[int] = field(default_factory=list)  # lines holding several events

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
    except OSError as exc:
        raise AnnotationError(f"{path}: cannot read ({exc.strerror})") from None
    text = raw.decode("utf-8", errors="replace")
    lines = text.split("\n")
    complete, tail = lines[:-1], lines[-1]
    for lineno, line in enumerate(complete, 1):
        if not line.strip():
            continue
        try:
            events = [json.loads(line)]
        except json.JSONDecodeError as exc:
            if lineno == len(complete) and not tail and _looks_torn(line):
                state.torn = line
                break
            events = _glued(line)
            if not events:
                raise AnnotationError(
                    f"{path}:{lineno}: corrupted line ({exc.msg}); every other line is intact: "
                    f"copy the file aside, then repair that line by hand (do not delete it "
                    f"unread: it may hold a label)"
                ) from None
            state.glued.append(lineno)
        except RecursionError:
            raise AnnotationError(f"{path}:{lineno}: JSON nested too deeply") from None
        for event in events:
            validate_event(event, f"{path}:{lineno}")
            state.events.append(event)
    if tail.strip():
        # No final newline: the write of this line never finished, or an older version of this
        # tool left a complete last event unterminated.
        try:
            events = _glued(tail) or [json.loads(tail)]
            for event in events:
                validate_event(event, f"{path}:{len(lines)}")
            state.events.extend(events)  # complete but unterminated: keep it
            state.unterminated = True
        except (json.JSONDecodeError, AnnotationError, RecursionError):
            state.torn = tail
    return state


def _glued(line: str) -> list[Any]:
    """Events written on one line with no newline between them (`{...}{...}`), else []."""
    decoder = json.JSONDecoder()
    out, pos = [], 0
    try:
        while pos < len(line):
            obj, pos = decoder.raw_decode(line, pos)
            out.append(obj)
            while pos < len(line) and line[pos].isspace():
                pos += 1
    except (json.JSONDecodeError, RecursionError):
        return []
    return out if len(out) > 1 and all(isinstance(e, dict) for e in out) else []


def _looks_torn(line: str) -> bool:
    return line.startswith("{") and not line.rstrip().endswith("}")


class AnnotationLog:
    """An annotator's log opened for appending: locked, repaired, replayed.

    The lock is an exclusive `flock` on the log file itself, so it cannot be deleted out from
    under its holder the way a separate lock file could; `.NAME.lock` only names the holding
    process for the error message, and is removed on a clean exit.
    """

    def __init__(self, path: Path, annotator: str):
        self.path = path
        self.annotator = annotator
        self._fd: int | None = None
        self._good = 0  # the log's length up to its last durable event
        self._ids: set[str] = set()
        self._created = False
        self.state = LogState(path)
        self.warnings: list[str] = []

    def __enter__(self) -> AnnotationLog:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._open_locked()
            assert self._fd is not None
            self._good = os.fstat(self._fd).st_size
            self.state = replay(self.path)
            self._ids = {e["event_id"] for e in self.state.events}
            if self.state.torn is not None:
                self._cut_torn_tail()
            elif self.state.unterminated:
                # The last event is complete but has no newline: add it, or the next event
                # would be glued onto the same line.
                self._write(b"\n")
            for lineno in self.state.glued:
                self.warnings.append(
                    f"{self.path}:{lineno}: several events were written on one line (no newline "
                    f"between them); they are read as separate events"
                )
        except OSError as exc:
            self.__exit__(None, None, None)
            raise AnnotationError(
                f"{self.path}: cannot open for writing ({exc.strerror}): check the folder's "
                f"permissions and free space"
            ) from None
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is None:
            return
        info = self._info_path()
        with contextlib.suppress(OSError):
            if self._created and os.fstat(self._fd).st_size == 0:
                self.path.unlink()  # nothing was written: leave no empty log behind
            info.unlink()
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def _info_path(self) -> Path:
        return self.path.parent / f".{self.path.stem}.lock"

    def _open_locked(self) -> None:
        while True:
            self._created = not self.path.exists()
            # Unbuffered: nothing of a failed write can linger in a buffer and go out later.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                try:
                    pid = self._info_path().read_text(encoding="utf-8").strip() or "?"
                except OSError:
                    pid = "?"
                raise AnnotationError(
                    f"{self.path} is already open in another process (pid {pid}): "
                    f"one process per annotator; close the other one first"
                ) from None
            # The file may have been replaced between open and lock: lock what the path names.
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self._fd = fd
        with contextlib.suppress(OSError):
            self._info_path().write_text(str(os.getpid()), encoding="utf-8")

    def _write(self, data: bytes) -> None:
        """Append `data` durably, or leave the log at its last good length and raise OSError."""
        assert self._fd is not None, "open the log with `with AnnotationLog(...)`"
        try:
            written = os.write(self._fd, data)
            if written != len(data):  # a regular file writes short only when the disk is full
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            os.fsync(self._fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._good)
                os.fsync(self._fd)
            raise
        self._good += len(data)

    def _cut_torn_tail(self) -> None:
        raw = self.path.read_bytes()
        keep = raw.rfind(b"\n", 0, len(raw) - 1 if raw.endswith(b"\n") else len(raw)) + 1
        aside = self.path.parent / f".{self.path.stem}.torn"
        with aside.open("ab") as fh:
            fh.write(raw[keep:].rstrip(b"\n") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        assert self._fd is not None
        os.ftruncate(self._fd, keep)
        os.fsync(self._fd)
        self._good = keep
        self.warnings.append(
            f"{self.path}: the last line was incomplete (a write cut off mid-way) and was "
            f"ignored; its text is kept in {aside}"
        )

    def extend(self, events: list[dict[str, Any]]) -> None:
        """Write several events with one write: all of them are saved, or none is."""
        new = {e["event_id"]: e for e in events if e["event_id"] not in self._ids}
        if new:
            self._save(
                list(new.values()),
                f"could not save {len(new)} events ({{}}); none of them is recorded: free "
                f"space or fix permissions, then run it again",
            )

    def append(self, event: dict[str, Any]) -> None:
        """Write one event and make it durable before returning; an event id the log already
        holds (a retry) is not written twice."""
        if event["event_id"] not in self._ids:
            self._save(
                [event],
                "could not save the last decision ({}); it is not recorded: free space or fix "
                "permissions, then label it again",
            )

    def _save(self, events: list[dict[str, Any]], failure: str) -> None:
        """Write `events` with one write and record them; on an OS error nothing is recorded
        and NotSaved says `failure` (its {} is the system's reason) after the path."""
        data = "".join(
            json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events
        )
        try:
            self._write(data.encode("utf-8"))
        except OSError as exc:
            raise NotSaved(f"{self.path}: {failure.format(exc.strerror)}") from None
        self.state.events.extend(events)
        self._ids.update(e["event_id"] for e in events)


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
