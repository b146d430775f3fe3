"""`stance export` / `stance import`: labels to and from Prodigy, Label Studio and doccano.

Every candidate goes out as a task; labelled ones carry the annotator's decision, fine response
tag, flag and note, so importing the export gives back the same labels with nothing dropped.
Prodigy's `_input_hash` is built from sentence, actor and claim, so two actors of one sentence
never collide (Prodigy's own hash of the text alone would merge them). The hashes are this
project's (SHA-1 folded to a signed 32-bit integer), not Prodigy's MurmurHash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stance.annotation.events import check_annotator, make_event
from stance.annotation.log import AnnotationLog, ItemState, log_path, replay
from stance.core.errors import InputError
from stance.core.files import atomic_writer
from stance.core.schema import ANNOTATION_FORMATS, LABELS, RESPONSES
from stance.core.tables import parse_jsonl

FORMATS = ANNOTATION_FORMATS

LABEL_STUDIO_CONFIG = (
    """<View>
  <Header value="$actor: stance toward $claim"/>
  <Text name="text" value="$text"/>
  <Choices name="stance" toName="text" choice="single" showInline="true">
"""
    + "".join(f'    <Choice value="{label}" hotkey="{i}"/>\n' for i, label in enumerate(LABELS, 1))
    + """  </Choices>
  <Choices name="response" toName="text" choice="single">
"""
    + "".join(f'    <Choice value="{r}"/>\n' for r in RESPONSES)
    + """  </Choices>
  <Choices name="flag" toName="text" choice="single"><Choice value="flag"/></Choices>
  <TextArea name="note" toName="text" maxSubmissions="1"/>
</View>
"""
)


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


def _hash32(*parts: str) -> int:
    n = int.from_bytes(hashlib.sha1("\x1f".join(parts).encode()).digest()[:4], "big")
    return n - 2**32 if n >= 2**31 else n


def _epoch(iso: str | None) -> int | None:
    if not iso:
        return None
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


def _iso(epoch: Any) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(int(epoch), UTC).isoformat().replace("+00:00", "Z")


# --- export ---------------------------------------------------------------------------------------


def _prodigy(c: dict[str, Any], st: ItemState | None, annotator: str) -> dict[str, Any]:
    input_hash = _hash32(c["sentence"], c["actor"], c["claim"])
    task: dict[str, Any] = {
        "text": c["sentence"],
        "meta": {
            "id": c["id"],
            "actor": c["actor"],
            "claim": c["claim"],
            "doc_id": c["doc_id"],
            "sentence_id": c["sentence_id"],
        },
        "spans": [
            {"start": m["start"] - c["start"], "end": m["end"] - c["start"], "label": c["actor"]}
            for m in c["mentions"]
        ],
        "options": [{"id": label, "text": label.capitalize()} for label in LABELS],
        "_input_hash": input_hash,
        "_task_hash": _hash32(str(input_hash), *LABELS),
    }
    if st is not None:
        task.update(
            {
                "accept": [st.stance] if st.stance else [],
                "answer": "accept" if st.stance else "ignore" if st.decision == "skip" else None,
                "_annotator_id": annotator,
                "_timestamp": _epoch(st.annotated_at),
                "annotated_at": st.annotated_at,
                "guideline_version": st.guideline_version,
                "response": st.response,
                "flag": st.flag,
                "note": st.note,
            }
        )
        if task["answer"] is None:
            del task["answer"]  # only flagged or tagged: still a task to answer
    return task


def _choice(name: str, value: str) -> dict[str, Any]:
    """One single-choice result of the labelling config (LABEL_STUDIO_CONFIG)."""
    return {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": [value]}}


def _labelstudio(n: int, c: dict[str, Any], st: ItemState | None, annotator: str) -> dict[str, Any]:
    task: dict[str, Any] = {
        "id": n,
        "data": {
            "text": c["sentence"],
            "actor": c["actor"],
            "claim": c["claim"],
            "candidate_id": c["id"],
            "doc_id": c["doc_id"],
            "sentence_id": c["sentence_id"],
        },
        "annotations": [],
        "predictions": [],
    }
    if st is None:
        return task
    result = [
        _choice(name, value)
        for name, value in (
            ("stance", st.stance),
            ("response", st.response),
            ("flag", "flag" if st.flag else None),
        )
        if value
    ]
    if st.note:
        result.append(
            {
                "from_name": "note",
                "to_name": "text",
                "type": "textarea",
                "value": {"text": [st.note]},
            }
        )
    task["annotations"].append(
        {
            "completed_by": {"email": f"{annotator}@stance.local"},
            "was_cancelled": st.decision == "skip",
            "lead_time": 0,
            "created_at": st.annotated_at,
            "meta": {"guideline_version": st.guideline_version},
            "result": result,
        }
    )
    return task


def _doccano(c: dict[str, Any], st: ItemState | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "text": c["sentence"],
        "label": [st.stance] if st and st.stance else [],
        "id": c["id"],
        "actor": c["actor"],
        "claim": c["claim"],
        "doc_id": c["doc_id"],
        "sentence_id": c["sentence_id"],
    }
    if st is not None:
        row.update(
            {
                "skipped": st.decision == "skip",
                "response": st.response,
                "flag": st.flag,
                "note": st.note,
                "annotator": st.annotator,
                "annotated_at": st.annotated_at,
                "guideline_version": st.guideline_version,
            }
        )
    return row


def export(
    fmt: str, candidates: list[dict[str, Any]], annotations_dir: Path, annotator: str, output: Path
) -> dict[str, Any]:
    """Write every candidate as a task, with this annotator's labels where there are any;
    for Label Studio also its labelling config beside it (`config`: that path)."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    check_annotator(annotator)
    path = log_path(annotations_dir, annotator)
    if not path.exists():
        raise InputError(f"{path}: no such annotation log (annotators: see {annotations_dir}/)")
    states = replay(path).items()
    labelled = sum(1 for c in candidates if c["id"] in states)
    with atomic_writer(output) as fh:
        if fmt == "labelstudio":
            tasks = [
                _labelstudio(n, c, states.get(c["id"]), annotator)
                for n, c in enumerate(candidates, 1)
            ]
            json.dump(tasks, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        else:
            for c in candidates:
                st = states.get(c["id"])
                row = _prodigy(c, st, annotator) if fmt == "prodigy" else _doccano(c, st)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    out: dict[str, Any] = {"tasks": len(candidates), "labelled": labelled, "config": None}
    if fmt == "labelstudio":
        out["config"] = output.with_suffix(".xml")
        with atomic_writer(out["config"]) as fh:
            fh.write(LABEL_STUDIO_CONFIG)
    return out


# --- import ---------------------------------------------------------------------------------------


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
