"""The test helpers themselves: a scratch project holds the committed inputs and nothing that
using the checkout left behind, and a wait fails only when its condition never holds."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from tests.conftest import input_files
from tests.waiting import until


def lay_out(root: Path) -> None:
    for name, text in {
        "params.yaml": "x: 1\n",
        "seeds/a.txt": "seed\n",
        "data/annotations/core.jsonl": "{}\n",
        "data/interim/candidates.jsonl": "{}\n",
    }.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def leave_traces(root: Path) -> None:
    """What a `stance serve` and a labelling session in the checkout leave there."""
    (root / "data/annotations/.serve-tokens.json").write_text("{}", encoding="utf-8")
    (root / "data/annotations/.ann.jsonl.lock").write_text("", encoding="utf-8")
    (root / "data/annotations/ann.jsonl").write_text("{}\n", encoding="utf-8")


COMMITTED = ["data/annotations/core.jsonl", "params.yaml", "seeds/a.txt"]


def test_a_scratch_project_copies_only_what_git_tracks(tmp_path: Path) -> None:
    lay_out(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", *COMMITTED], cwd=tmp_path, check=True)
    leave_traces(tmp_path)
    assert sorted(input_files(root=tmp_path)) == COMMITTED


def test_outside_git_the_dot_files_and_derived_folders_stay_behind(tmp_path: Path) -> None:
    lay_out(tmp_path)
    leave_traces(tmp_path)
    found = sorted(input_files(root=tmp_path))
    assert found == ["data/annotations/ann.jsonl", *COMMITTED]


def test_until_returns_as_soon_as_the_condition_holds() -> None:
    done = threading.Event()
    threading.Timer(0.2, done.set).start()
    assert until(lambda: done.is_set() and "yes", "never set", timeout=30) == "yes"


def test_until_fails_with_the_state_at_the_end() -> None:
    seen = []
    with pytest.raises(AssertionError, match=r"still 0 after \d+ looks"):
        until(lambda: seen.append(0), lambda: f"still 0 after {len(seen)} looks", timeout=0.2)
