from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stance.cli import app

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_A = "000_40f0a603c88ba03e"  # "Sony hack update: Russia calls U.S. threats ..."
SEED_B = "001_9ac04fd3f687a54f"  # "Russia offers support to North Korea amid Sony hack"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch copy of the project's inputs, as the working directory."""
    for name in ("seeds", "data", "docs"):
        shutil.copytree(
            ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("interim", "processed")
        )
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    return tmp_path


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="session")
def seed_ingest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """The seeds ingested once with the committed registries."""
    from stance.corpus.ingest import ingest

    out = tmp_path_factory.mktemp("interim")
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        ingest(
            [SEEDS],
            out_dir=out,
            actors_path=ROOT / "data/actors.yaml",
            claims_path=ROOT / "data/claims.yaml",
            claims=["sony-hack-2014"],
        )
    finally:
        os.chdir(cwd)
    return {
        name: read_jsonl(out / f"{name}.jsonl") for name in ("documents", "sentences", "candidates")
    }
