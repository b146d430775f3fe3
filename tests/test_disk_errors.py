"""Outputs on a full disk or a read-only folder: one `Error:` line naming the output, exit 1,
no traceback, and no temporary file left behind.

The disk is a real tmpfs filled to the last block, the read-only folder a read-only bind
mount (root ignores file permissions); both need root, so elsewhere the tests are skipped.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stance.cli import app
from tests.conftest import TINY_TRAINING
from tests.test_bad_input import template  # noqa: F401 - the shared project fixture

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")


@pytest.fixture
def project(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    root = tmp_path / "project"
    shutil.copytree(template, root)
    monkeypatch.chdir(root)
    (root / "in.jsonl").write_text(
        json.dumps({"sentence": "Moscow denied it.", "actor": "RUS"}) + "\n", encoding="utf-8"
    )
    (root / "t.csv").write_text(
        "sentence,actor,stance\n" + "".join(f'"{s}",{a},{y}\n' for s, a, y in TINY_TRAINING),
        encoding="utf-8",
    )
    return root


@pytest.fixture
def full(tmp_path: Path) -> Iterator[Path]:
    """A folder on a tmpfs with no free block left."""
    where = tmp_path / "full"
    where.mkdir()
    _mount("-t", "tmpfs", "-o", "size=200k", "tmpfs", str(where))
    try:
        with (where / ".filler").open("wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"x" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "ro"
    where.mkdir()
    _mount("--bind", str(where), str(where))
    try:
        _mount("-o", "remount,ro,bind", str(where))
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


M = ("--model", "models/m.skops")
COMMANDS = {
    "predict-csv": ("predict", "--input", "in.jsonl", "--output", "{out}/o.csv", *M),
    "predict-jsonl": ("predict", "--input", "in.jsonl", "--output", "{out}/o.jsonl", *M),
    "predict-parquet": ("predict", "--input", "in.jsonl", "--output", "{out}/o.parquet", *M),
    "predict-text": ("predict", "Moscow denied it.", "--output", "{out}/o.jsonl", *M),
    "export": ("export", "--format", "prodigy", "--annotator", "core", "--output", "{out}/e.jsonl"),
    "export-labelstudio": (
        "export",
        "--format",
        "labelstudio",
        "--annotator",
        "core",
        "--output",
        "{out}/e.json",
    ),  # fmt: skip
    "agreement": ("agreement", "--output", "{out}/agreement.json"),
    "train": ("train", "--data", "t.csv", "--model-out", "{out}/m.skops"),
    "ingest": ("ingest", "--out-dir", "{out}/interim"),
}


def run(args: tuple[str, ...], out: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, [a.format(out=out) for a in args], catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    return result.exit_code, result.output.strip().splitlines()


@pytest.mark.parametrize("name", COMMANDS)
def test_a_full_disk_is_one_line_and_leaves_nothing(project: Path, full: Path, name: str) -> None:
    code, lines = run(COMMANDS[name], full)
    errors = [line for line in lines if line.startswith("Error: ")]
    assert code == 1 and len(errors) == 1, lines
    assert str(full) in errors[0] and "No space left on device" in errors[0], errors[0]
    left = sorted(p.name for p in full.rglob("*"))  # no temporary file, no empty folder
    assert left == [".filler"], left


@pytest.mark.parametrize("name", COMMANDS)
def test_a_read_only_folder_is_one_line(project: Path, read_only: Path, name: str) -> None:
    code, lines = run(COMMANDS[name], read_only)
    errors = [line for line in lines if line.startswith("Error: ")]
    assert code == 1 and len(errors) == 1, lines
    assert str(read_only) in errors[0] and "Read-only file system" in errors[0], errors[0]
