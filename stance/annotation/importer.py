"""`stance import`: labels from Prodigy, Label Studio or doccano appended to an annotator's log.

Each row must name a current candidate and carry its sentence and actor, so a label never
lands on other text; the whole file is checked before the first event is appended.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stance.annotation.events import check_annotator, make_event
from stance.annotation.interop import FORMATS
from stance.annotation.log import AnnotationLog, ItemState, log_path
from stance.core.errors import InputError
from stance.core.schema import LABELS, RESPONSES
from stance.core.tables import parse_jsonl


def _iso(where: str, epoch: Any) -> str | None:
    if epoch is None:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")
    except (TypeError, ValueError, OverflowError, OSError):
        raise InputError(
            f"{where}: _timestamp {str(epoch)[:30]!r} is not a time (seconds since 1970)"
        ) from None


@dataclass
class Imported:
    """One decision read from another tool."""

    id: str
    stance: str | None  # None with skipped=True: skipped
    skipped: bool
    response: str | None
    flag: bool
    note: str | None
    annotated_at: str | None
    guideline_version: str
    sentence: Any = None  # as the file gives them, checked against the candidate
    actor: Any = None


def _check(where: str, stance: Any, response: Any) -> None:
    if stance is not None and stance not in LABELS:
        raise InputError(f"{where}: unknown label {stance!r} (labels: {', '.join(LABELS)})")
    if response is not None and response not in RESPONSES:
        raise InputError(f"{where}: unknown response {response!r}")


def _rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; give the export file itself") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not valid UTF-8 (byte offset {exc.start}); export it again as UTF-8"
        ) from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    if text.lstrip().startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        except RecursionError:
            raise InputError(f"{path}: JSON nested too deeply") from None
        for n, row in enumerate(data, 1):
            yield f"{path}: task {n}", row
        return
    for lineno, row in parse_jsonl(text.splitlines(), str(path)):
        yield f"{path}:{lineno}", row


_SHAPE = {
    "prodigy": "a Prodigy task has 'text' and a 'meta' object",
    "labelstudio": "a Label Studio task has a 'data' object",
    "doccano": "a doccano row has 'text' and 'id'",
}
ANSWERS = ("accept", "reject", "ignore")


def _obj(where: str, row: dict[str, Any], key: str) -> dict[str, Any]:
    value = row.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"{where}: {key!r} must be a JSON object, not {type(value).__name__}")
    return value


def _one(where: str, values: Any, what: str) -> Any:
    """The single value of a list that may hold at most one (a task has one label)."""
    if values is None:
        return None
    if not isinstance(values, list):
        raise InputError(f"{where}: {what} must be a list")
    if len(values) > 1:
        raise InputError(
            f"{where}: {len(values)} {what}s ({', '.join(map(str, values))[:80]}) on one task; "
            f"one per task: keep one of them"
        )
    return values[0] if values else None


def _shape(fmt: str, where: str, row: Any) -> dict[str, Any]:
    """The row as a task of `fmt`, or an error saying the file is another format."""
    if not isinstance(row, dict):
        raise InputError(f"{where}: expected a JSON object")
    ok = {
        "prodigy": "text" in row and isinstance(row.get("meta"), dict),
        "labelstudio": isinstance(row.get("data"), dict),
        "doccano": "text" in row and "id" in row,
    }[fmt]
    if not ok:
        raise InputError(
            f"{where}: not a {fmt} export ({_SHAPE[fmt]}); check --format ({', '.join(FORMATS)})"
        )
    return row


def _parse(fmt: str, where: str, row: Any) -> Imported | None:
    row = _shape(fmt, where, row)
    if fmt == "prodigy":
        meta = _obj(where, row, "meta")
        cid, text, actor = meta.get("id"), row.get("text"), meta.get("actor")
        answer = row.get("answer")
        if answer is not None and answer not in ANSWERS:
            raise InputError(
                f"{where}: answer {str(answer)[:40]!r} is not one of {', '.join(ANSWERS)}"
            )
        accepted = _one(where, row.get("accept") or [], "accepted label")
        stance = accepted if answer == "accept" else None
        skipped = answer in ("ignore", "reject")
        flag, note, response = bool(row.get("flag")), row.get("note"), row.get("response")
        when = row.get("annotated_at") or _iso(where, row.get("_timestamp"))
        version = row.get("guideline_version") or meta.get("guideline_version")
        if answer is None and not (flag or note or response):
            return None
    elif fmt == "labelstudio":
        data = _obj(where, row, "data")
        cid, text, actor = data.get("candidate_id"), data.get("text"), data.get("actor")
        anns = row.get("annotations") or []
        if not isinstance(anns, list) or not all(isinstance(x, dict) for x in anns):
            raise InputError(f"{where}: 'annotations' must be a list of objects")
        ann = _one(where, anns, "annotation")
        if ann is None:
            return None
        stance = response = note = None
        flag = False
        for r in ann.get("result") or []:
            if not isinstance(r, dict):
                raise InputError(f"{where}: an annotation result must be a JSON object")
            value = _obj(where, r, "value")
            if r.get("from_name") == "stance":
                stance = _one(where, value.get("choices"), "stance choice")
            elif r.get("from_name") == "response":
                response = _one(where, value.get("choices"), "response choice")
            elif r.get("from_name") == "flag":
                flag = "flag" in (value.get("choices") or [])
            elif r.get("from_name") == "note":
                note = "\n".join(map(str, value.get("text") or [])) or None
        skipped = bool(ann.get("was_cancelled"))
        when = ann.get("created_at")
        version = _obj(where, ann, "meta").get("guideline_version")
    else:
        cid, text, actor = row.get("id"), row.get("text"), row.get("actor")
        stance = _one(where, row.get("label") or [], "label")
        skipped = bool(row.get("skipped"))
        flag, note, response = bool(row.get("flag")), row.get("note"), row.get("response")
        when = row.get("annotated_at")
        version = row.get("guideline_version")
        if stance is None and not (skipped or flag or note or response):
            return None
    if not cid:
        raise InputError(f"{where}: no candidate id (it is in meta.id / data.candidate_id / id)")
    _check(where, stance, response)
    for name, given in (("note", note), ("annotated_at", when), ("guideline_version", version)):
        if isinstance(given, str):  # other types are refused where the event is made
            _utf8(where, name, given)
    return Imported(
        str(cid),
        stance,
        skipped and stance is None,
        response,
        flag,
        note,
        when,
        str(version or "unknown"),
        text,
        actor,
    )


def _utf8(where: str, name: str, value: str | None) -> None:
    text = value or ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{where}: {name!r} holds a lone surrogate (\\u{ord(text[exc.start]):04x}), "
            f"which is no character: fix the export"
        ) from None


def _matches(where: str, item: Imported, c: dict[str, Any]) -> None:
    """A label belongs to the text it was given on: an id that now names another sentence or
    actor (candidates re-ingested, a file edited or mixed up) is refused, not re-attached."""
    for name, theirs, ours in (("sentence", item.sentence, c["sentence"]),
                               ("actor", item.actor, c["actor"])):  # fmt: skip
        if theirs is None:
            raise InputError(
                f"{where}: candidate {item.id} comes without its {name}, so the label cannot "
                f"be checked against it; export the task with its {name}"
            )
        if theirs != ours:
            raise InputError(
                f"{where}: candidate {item.id} has {name} {str(theirs)[:60]!r} here but "
                f"{str(ours)[:60]!r} in the candidates; nothing was imported: re-export from "
                f"the current candidates"
            )


def import_labels(
    fmt: str, source: Path, candidates: list[dict[str, Any]], annotations_dir: Path, annotator: str
) -> dict[str, int]:
    """Append the decisions in `source` to the annotator's log; unchanged ones are not repeated."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    check_annotator(annotator)
    by_id = {c["id"]: c for c in candidates}
    parsed: list[tuple[str, Imported]] = []
    first_seen: dict[str, str] = {}
    for where, row in _rows(source):
        item = _parse(fmt, where, row)
        if item is None:
            continue
        if item.id not in by_id:
            raise InputError(
                f"{where}: candidate {item.id} is not in the current candidates (stale ids are "
                f"never remapped: re-ingest the inputs it was labelled on)"
            )
        _matches(where, item, by_id[item.id])
        if item.id in first_seen:
            raise InputError(
                f"{where}: candidate {item.id} is also decided at {first_seen[item.id]}: one "
                f"decision per candidate in an import file; remove one of them"
            )
        first_seen[item.id] = where
        parsed.append((where, item))
    if not parsed:
        raise InputError(
            f"{source}: no labelled task in it (a {fmt} export with answers was expected); "
            f"nothing was imported"
        )
    with AnnotationLog(log_path(annotations_dir, annotator), annotator) as log:
        current = log.state.items()
        # Every event is made and validated before the first is appended: a bad row anywhere
        # leaves the log exactly as it was.
        events = [
            e
            for where, item in parsed
            for e in _events(item, by_id[item.id], current.get(item.id), annotator, where)
        ]
        log.extend(events)  # all or none: a full disk leaves the log as it was
    return {"items": len(parsed), "events": len(events)}


def _events(
    item: Imported, c: dict[str, Any], st: ItemState | None, annotator: str, where: str
) -> list[dict[str, Any]]:
    """The events that bring an item's state in the log to what the import says."""
    common: dict[str, Any] = {
        "annotator": annotator,
        "guideline_version": item.guideline_version,
        "candidate": c,
        "annotated_at": item.annotated_at,
        "where": where,
    }
    events = []
    decision = "label" if item.stance else "skip" if item.skipped else None
    # A note rides on the flag when flagged, else on the decision (a rationale).
    label_note = None if item.flag else item.note
    was = (st.decision, st.stance, None if st.flag else st.note) if st else None
    if decision and was != (decision, item.stance, label_note):
        events.append(make_event(decision, stance=item.stance, note=label_note, **common))
    if item.response and (st is None or st.response != item.response):
        events.append(make_event("response", response=item.response, **common))
    if item.flag and (st is None or not st.flag or st.note != item.note):
        events.append(make_event("flag", flag=True, note=item.note, **common))
    return events
