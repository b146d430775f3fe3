import json
from pathlib import Path

import pytest

from stance.annotation.log import replay
from tests.conftest import ingest_here, read_jsonl

FORMATS = ["prodigy", "labelstudio", "doccano"]


@pytest.fixture
def ingested(project: Path) -> Path:
    """The scratch project after `stance ingest seeds` (one run per process, then copies)."""
    ingest_here("seeds")
    return project


def states(path: Path) -> dict:
    return {
        cid: (s.decision, s.stance, s.response, s.flag, s.note, s.guideline_version)
        for cid, s in replay(path).items().items()
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_drops_nothing(ingested: Path, cli, fmt: str) -> None:
    # Give core's log a skip and a flag too, so every kind of decision travels.
    from stance.annotation.events import make_event
    from stance.annotation.log import AnnotationLog

    cands = read_jsonl(ingested / "data/interim/candidates.jsonl")
    with AnnotationLog(ingested / "data/annotations/core.jsonl", "core") as log:
        log.append(
            make_event("skip", annotator="core", guideline_version="1.0", candidate=cands[5])
        )
        log.append(
            make_event(
                "flag",
                annotator="core",
                guideline_version="1.0",
                candidate=cands[6],
                flag=True,
                note="a second look, please",
            )
        )
    out = ingested / f"export.{fmt}"
    result = cli("export", "--format", fmt, "--annotator", "core", "--output", str(out))
    lines = result.output.strip().splitlines()
    assert lines[-1] == f"54 tasks (54 with labels) -> {out}"
    # Label Studio's labelling config goes beside the tasks, and the user is told.
    extra = [f"note: also wrote {out.with_suffix('.xml')}"] if fmt == "labelstudio" else []
    assert lines[:-1] == extra
    result = cli("import", str(out), "--format", fmt, "--annotator", "again")
    assert result.exit_code == 0, result.output
    original = states(ingested / "data/annotations/core.jsonl")
    assert states(ingested / "data/annotations/again.jsonl") == original
    assert original[cands[5]["id"]][0] == "skip" and original[cands[6]["id"]][3] is True
    again = cli("import", str(out), "--format", fmt, "--annotator", "again")
    assert again.output.strip().endswith("0 new events for again")


def test_prodigy_hashes_include_actor_and_claim(ingested: Path, cli) -> None:
    out = ingested / "p.jsonl"
    cli("export", "--format", "prodigy", "--annotator", "core", "--output", str(out))
    tasks = read_jsonl(out)
    first = [t for t in tasks if t["text"] == tasks[0]["text"]]
    assert len(first) == 4  # SONY, RUS, USA, PRK in the first headline
    assert len({t["_input_hash"] for t in first}) == 4
    assert len({t["_task_hash"] for t in tasks}) == len(tasks)
    assert {t["meta"]["actor"] for t in first} == {"SONY", "RUS", "USA", "PRK"}
    span = first[1]["spans"][0]
    assert first[1]["text"][span["start"] : span["end"]] == "Russia"


def test_label_studio_config_and_tasks(ingested: Path, cli) -> None:
    out = ingested / "ls.json"
    shown = cli("export", "--format", "labelstudio", "--annotator", "core", "--output", str(out))
    # The labelling config is written beside the tasks, and the user is told which file.
    assert shown.stderr.splitlines() == [f"note: also wrote {ingested / 'ls.xml'}"]
    tasks = json.loads(out.read_text())
    result = tasks[1]["annotations"][0]["result"]
    assert {
        "from_name": "stance",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": ["oppose"]},
    } in result
    config = (ingested / "ls.xml").read_text()
    assert '<Choices name="stance" toName="text" choice="single"' in config


def test_import_rejects_unknown_labels_and_stale_ids(ingested: Path, cli) -> None:
    cands = read_jsonl(ingested / "data/interim/candidates.jsonl")
    bad = Path("bad.jsonl")  # relative to the project: the message names it as given
    bad.write_text(json.dumps({"text": "x", "label": ["agree"], "id": cands[0]["id"]}) + "\n")
    result = cli("import", str(bad), "--format", "doccano", "--annotator", "x")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: bad.jsonl:1: unknown label 'agree' (labels: support, oppose, neutral)"
    )
    bad.write_text(json.dumps({"text": "x", "label": ["oppose"], "id": "feedfacefeedface"}) + "\n")
    result = cli("import", str(bad), "--format", "doccano", "--annotator", "x")
    assert "candidate feedfacefeedface is not in the current candidates" in result.output
    assert "never remapped" in result.output
    assert (
        not (ingested / "data/annotations/x.jsonl").exists()
        or not replay(ingested / "data/annotations/x.jsonl").events
    )
    bad.write_text("{not json\n")
    result = cli("import", str(bad), "--format", "prodigy", "--annotator", "x")
    assert result.output.startswith("Error: bad.jsonl:1: not valid JSON")
    result = cli("export", "--format", "brat", "--annotator", "core", "--output", "x")
    assert result.exit_code == 2 and result.output.startswith("Error: Invalid value for '--format'")
    assert "'brat' is not one of 'prodigy', 'labelstudio', 'doccano'" in result.output
