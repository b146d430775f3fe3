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


def _iso(epoch: Any) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")


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


def _parse(fmt: str, where: str, row: Any) -> Imported | None:
    if not isinstance(row, dict):
        raise InputError(f"{where}: expected a JSON object")
    if fmt == "prodigy":
        cid = (row.get("meta") or {}).get("id")
        answer = row.get("answer")
        accept = row.get("accept") or []
        stance = accept[0] if answer == "accept" and accept else None
        skipped = answer in ("ignore", "reject")
        flag, note, response = bool(row.get("flag")), row.get("note"), row.get("response")
        when = row.get("annotated_at") or _iso(row.get("_timestamp"))
        if answer is None and not (flag or note or response):
            return None
    elif fmt == "labelstudio":
        cid = (row.get("data") or {}).get("candidate_id")
        anns = [a for a in row.get("annotations") or [] if isinstance(a, dict)]
        if not anns:
            return None
        ann = anns[-1]
        stance = response = note = None
        flag = False
        for r in ann.get("result") or []:
            value = r.get("value") or {}
            if r.get("from_name") == "stance":
                stance = (value.get("choices") or [None])[0]
            elif r.get("from_name") == "response":
                response = (value.get("choices") or [None])[0]
            elif r.get("from_name") == "flag":
                flag = "flag" in (value.get("choices") or [])
            elif r.get("from_name") == "note":
                note = "\n".join(value.get("text") or []) or None
        skipped = bool(ann.get("was_cancelled"))
        when = ann.get("created_at")
    else:
        cid = row.get("id")
        labels = row.get("label") or []
        if not isinstance(labels, list):
            raise InputError(f"{where}: 'label' must be a list")
        stance = labels[0] if labels else None
        skipped = bool(row.get("skipped"))
        flag, note, response = bool(row.get("flag")), row.get("note"), row.get("response")
        when = row.get("annotated_at")
        if stance is None and not (skipped or flag or note or response):
            return None
    if not cid:
        raise InputError(f"{where}: no candidate id (it is in meta.id / data.candidate_id / id)")
    _check(where, stance, response)
    version = str(
        row.get("guideline_version")
        or (row.get("meta") or {}).get("guideline_version")
        or ((row.get("annotations") or [{}])[-1].get("meta") or {}).get("guideline_version")
        or "unknown"
    )
    return Imported(
        str(cid), stance, skipped and stance is None, response, flag, note, when, version
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
        if item.id in first_seen:
            raise InputError(
                f"{where}: candidate {item.id} is also decided at {first_seen[item.id]}: one "
                f"decision per candidate in an import file; remove one of them"
            )
        first_seen[item.id] = where
        parsed.append((where, item))
    with AnnotationLog(log_path(annotations_dir, annotator), annotator) as log:
        current = log.state.items()
        # Every event is made and validated before the first is appended: a bad row anywhere
        # leaves the log exactly as it was.
        events = [
            e
            for where, item in parsed
            for e in _events(item, by_id[item.id], current.get(item.id), annotator, where)
        ]
        for e in events:
            log.append(e)
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
