"""`stance export`: labels to Prodigy, Label Studio and doccano (stance.annotation.importer
reads them back).

Every candidate goes out as a task; labelled ones carry the annotator's decision, fine response
tag, flag and note, so importing the export gives back the same labels with nothing dropped.
Prodigy's `_input_hash` is built from sentence, actor and claim, so two actors of one sentence
never collide (Prodigy's own hash of the text alone would merge them). The hashes are this
project's (SHA-1 folded to a signed 32-bit integer), not Prodigy's MurmurHash.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from stance.annotation.events import check_annotator
from stance.annotation.log import ItemState, log_path, replay
from stance.core.errors import InputError
from stance.core.files import atomic_writer
from stance.core.schema import ANNOTATION_FORMATS, LABELS, RESPONSES

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


def _hash32(*parts: str) -> int:
    n = int.from_bytes(hashlib.sha1("\x1f".join(parts).encode()).digest()[:4], "big")
    return n - 2**32 if n >= 2**31 else n


def _epoch(iso: str | None) -> int | None:
    if not iso:
        return None
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp())


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


def config_path(fmt: str, output: Path) -> Path | None:
    """The Label Studio labelling config written beside its task list; None for the others."""
    return output.with_suffix(".xml") if fmt == "labelstudio" else None


def export_outputs(
    fmt: str,
    output: Path,
    candidates: Path,
    annotations_dir: Path,
    annotator: str,
    force: bool = False,
) -> None:
    """The output rule (stance.core.outputs) for an export and the config beside it."""
    from stance.core.outputs import guard_output, looks_like_export, looks_like_labelstudio_config

    inputs = [candidates, log_path(annotations_dir, annotator)]
    guard_output(
        output,
        command="export",
        option="--output",
        inputs=inputs,
        force=force,
        recognise=looks_like_export,
    )
    config = config_path(fmt, output)
    if config is None:
        return
    if _resolved_same(config, output):
        raise InputError(
            f"--output {output}: the Label Studio config goes to {config}, the same file: "
            f"name the task list .json"
        )
    guard_output(
        config,
        command="export",
        option="--output (its labelling config)",
        inputs=inputs,
        force=force,
        recognise=looks_like_labelstudio_config,
    )


def _resolved_same(a: Path, b: Path) -> bool:
    return a.absolute().resolve() == b.absolute().resolve()


def export(
    fmt: str, candidates: list[dict[str, Any]], annotations_dir: Path, annotator: str, output: Path
) -> dict[str, Any]:
    """Write every candidate as a task, with this annotator's labels where there are any;
    `extra` lists the files written beside `output` (Label Studio's labelling config)."""
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    check_annotator(annotator)
    path = log_path(annotations_dir, annotator)
    if not path.exists():
        raise InputError(f"{path}: no such annotation log (annotators: see {annotations_dir}/)")
    states = replay(path).items()
    labelled = sum(1 for c in candidates if c["id"] in states)
    config = config_path(fmt, output)
    if config is not None and _resolved_same(config, output):
        raise InputError(f"--output {output}: would be overwritten by its labelling config")
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
    if config is not None:
        with atomic_writer(config) as fh:
            fh.write(LABEL_STUDIO_CONFIG)
    return {"tasks": len(candidates), "labelled": labelled, "extra": [config] if config else []}
