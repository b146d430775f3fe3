"""End to end: `dvc repro` in a fresh copy of the repository rebuilds the pipeline's outputs."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, read_jsonl

BIN = Path(sys.executable).parent


def repo_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [f for f in out.stdout.splitlines() if (ROOT / f).is_file()]


@pytest.fixture
def fresh_clone(tmp_path: Path) -> Path:
    dest = tmp_path / "clone"
    for f in repo_files():
        (dest / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, dest / f)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-qm", "snapshot"], cwd=dest, check=True)
    return dest


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1"}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


def test_dvc_repro_from_a_fresh_clone(fresh_clone: Path) -> None:
    result = run(["dvc", "repro"], fresh_clone)
    assert result.returncode == 0, result.stdout + result.stderr
    cands = read_jsonl(fresh_clone / "data/interim/candidates.jsonl")
    assert len(cands) > 400 and {"PRK", "RUS", "USA"} <= {c["actor"] for c in cands}
    again = run(["dvc", "status"], fresh_clone)
    assert "up to date" in again.stdout, again.stdout
    metrics = json.loads((fresh_clone / "reports/metrics.json").read_text())
    assert metrics["splits"]["test"]["model"]["rows"] > 0
    assert (fresh_clone / "models/model.card.json").exists()
    # An experiment with another hyperparameter reruns train and evaluate only.
    exp = run(["dvc", "exp", "run", "-S", "train.logreg.C=0.5"], fresh_clone)
    assert exp.returncode == 0, exp.stdout + exp.stderr
    assert "Running stage 'train'" in exp.stdout and "Running stage 'ingest'" not in exp.stdout
    card = json.loads((fresh_clone / "models/model.card.json").read_text())
    assert card["params"]["logreg"]["C"] == 0.5
