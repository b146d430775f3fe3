"""Annotation events: how one is made, and what makes one valid.

Every event that reaches an append-only log passes `validate_event`, whether a key press made
it or `stance import` read it from another tool: a log never holds a value later tools cannot
read (a number as a timestamp, an object as a note), because it can never be rewritten.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from stance.core.errors import AnnotationError
from stance.core.paths import PATHS
from stance.core.schema import (
    ADJUDICATIONS,
    DECISION_EVENTS,
    EVENT_FIELDS,
    EVENT_OPTIONAL_FIELDS,
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
            f"letter or digit (it names the file {PATHS.annotations}/<name>.jsonl)"
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
    event_id: str | None = None,
    suggestion: dict[str, Any] | None = None,
    where: str = "new event",
) -> dict[str, Any]:
    """One log line. `candidate` gives id, sentence, actor and claim. `event_id` is made here
    unless the client made it (the web page names each key press, so a retried request can be
    recognised and written once)."""
    c = candidate or {}
    record = {
        "event": event,
        "event_id": uuid.uuid4().hex[:16] if event_id is None else event_id,
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
    if suggestion is not None:
        record["suggestion"] = suggestion
    validate_event(record, where)
    return record


_EVENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TEXT_FIELDS = ("id", "sentence", "actor", "claim", "note", "target", "guideline_version")
MAX_NOTE = 2000  # characters: a note is a sentence or two, not a document


def validate_event(e: Any, where: str) -> None:
    """Raise AnnotationError naming `where` and the field unless `e` is a well-formed event."""
    if not isinstance(e, dict):
        raise AnnotationError(f"{where}: expected a JSON object")
    missing = [k for k in EVENT_FIELDS if k not in e]
    if missing:
        raise AnnotationError(f"{where}: missing field {missing[0]!r}")
    extra = sorted(set(e) - set(EVENT_FIELDS) - set(EVENT_OPTIONAL_FIELDS))
    if extra:
        raise AnnotationError(f"{where}: unknown field {extra[0]!r}")
    hint = e.get("suggestion")
    if hint is not None and not (
        e["event"] in DECISION_EVENTS
        and isinstance(hint, dict)
        and set(hint) == {"label", "shown"}
        and hint["label"] in LABELS
        and isinstance(hint["shown"], bool)
    ):
        raise AnnotationError(
            f"{where}: 'suggestion' must be null or, on a decision, "
            f'{{"label": one of {", ".join(LABELS)}, "shown": true or false}}'
        )
    if e["event"] not in EVENT_TYPES:
        raise AnnotationError(
            f"{where}: unknown event {e['event']!r} (known: {', '.join(EVENT_TYPES)})"
        )
    if not isinstance(e["event_id"], str) or not _EVENT_ID.fullmatch(e["event_id"]):
        raise AnnotationError(f"{where}: 'event_id' must be 1-64 letters, digits, '_' or '-'")
    for key in _TEXT_FIELDS:
        if e[key] is not None and not isinstance(e[key], str):
            raise AnnotationError(f"{where}: {key!r} must be text or null, not {e[key]!r:.40}")
    if not isinstance(e["annotator"], str) or not e["annotator"]:
        raise AnnotationError(f"{where}: 'annotator' must be a non-empty name")
    if not isinstance(e["flag"], bool):
        raise AnnotationError(f"{where}: 'flag' must be true or false, not {e['flag']!r:.40}")
    if e["note"] is not None and len(e["note"]) > MAX_NOTE:
        raise AnnotationError(f"{where}: 'note' is longer than {MAX_NOTE} characters")
    if not _is_timestamp(e["annotated_at"]):
        raise AnnotationError(
            f"{where}: 'annotated_at' {e['annotated_at']!r:.40} is not an ISO 8601 time "
            f"with a zone, e.g. 2014-12-19T15:00:00Z"
        )
    if e["stance"] is not None and e["stance"] not in LABELS:
        raise AnnotationError(
            f"{where}: unknown label {e['stance']!r} (labels: {', '.join(LABELS)})"
        )
    if e["event"] == "label" and e["stance"] is None:
        raise AnnotationError(f"{where}: a label event needs a 'stance'")
    if e["response"] is not None and e["response"] not in RESPONSES:
        raise AnnotationError(
            f"{where}: unknown response {e['response']!r} (responses: {', '.join(RESPONSES)})"
        )
    if e["event"] == "response" and e["response"] is None:
        raise AnnotationError(f"{where}: a response event needs a 'response'")
    if e["event"] == "retract" and not e["target"]:
        raise AnnotationError(f"{where}: a retract event needs a 'target' event id")
    if e["event"] != "retract" and not e["id"]:
        raise AnnotationError(f"{where}: missing candidate 'id'")


def _is_timestamp(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 40:
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None
