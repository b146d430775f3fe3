"""End to end: `dvc repro` in a fresh copy of the repository rebuilds the pipeline's outputs."""

import json
import shutil
from pathlib import Path

from tests.conftest import read_jsonl, run_in


def test_dvc_repro_from_a_fresh_clone(pipeline_run: Path) -> None:
    cands = read_jsonl(pipeline_run / "data/interim/candidates.jsonl")
    assert len(cands) > 400 and {"PRK", "RUS", "USA"} <= {c["actor"] for c in cands}
    again = run_in(["dvc", "status"], pipeline_run)
    assert "up to date" in again.stdout, again.stdout
    metrics = json.loads((pipeline_run / "reports/metrics.json").read_text())
    assert metrics["splits"]["test"]["model"]["rows"] > 0
    assert (pipeline_run / "models/model.card.json").exists()
    assert (pipeline_run / "release/README.md").exists()


def test_an_experiment_reruns_only_what_its_parameter_affects(
    pipeline_run: Path, tmp_path: Path
) -> None:
    # On a copy: the shared run's outputs stay as `dvc repro` made them for the other tests.
    clone = tmp_path / "clone"
    shutil.copytree(pipeline_run, clone, symlinks=True)
    exp = run_in(["dvc", "exp", "run", "-S", "train.logreg.C=0.5"], clone)
    assert exp.returncode == 0, exp.stdout + exp.stderr
    assert "Running stage 'train'" in exp.stdout and "Running stage 'ingest'" not in exp.stdout
    assert "Running stage 'build'" not in exp.stdout
    card = json.loads((clone / "models/model.card.json").read_text())
    assert card["params"]["logreg"]["C"] == 0.5
