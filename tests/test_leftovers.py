"""What a killed run leaves beside its output (temporary files, new and old folders) is removed
by the next run of the same command: only its own names, only of processes that are gone
(stance.core.leftovers)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stance.core.files import atomic_writer, replace_folder
from stance.core.leftovers import clear_leftovers, is_leftover
from tests.waiting import until

HEX = "1a2b3c4d"


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The pid of a process that has ended (a child started and reaped here)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def live_pid() -> Iterator[int]:
    """The pid of a running process other than this one: a concurrent run."""
    child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                             stdin=subprocess.PIPE)  # fmt: skip
    yield child.pid
    child.communicate(b"")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if is_leftover(p.name))


def test_only_a_dead_run_s_own_leftovers_are_removed(
    tmp_path: Path, dead_pid: int, live_pid: int
) -> None:
    out = tmp_path / "out.jsonl"
    dead = [f".out.jsonl.{dead_pid}-abc_123x.tmp", f".out.jsonl.new-{dead_pid}-{HEX}"]
    kept = [
        f".out.jsonl.{live_pid}-abc_123x.tmp",  # a live run's work in progress
        f".out.jsonl.new-{live_pid}-{HEX}",
        f".other.jsonl.{dead_pid}-abc_123x.tmp",  # another output's
        ".out.jsonl.abc_123x.tmp",  # no pid: not a name this project writes
        "out.jsonl.tmp",
    ]
    for name in dead + kept:
        path = tmp_path / name
        path.mkdir() if "new-" in name else path.write_text("partial")
    (tmp_path / dead[1] / "part-00000.parquet").write_text("partial")
    with atomic_writer(out) as fh:
        fh.write("{}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(kept + ["out.jsonl"])


def test_an_old_folder_is_put_back_when_the_run_died_between_its_renames(
    tmp_path: Path, dead_pid: int
) -> None:
    target = tmp_path / "predicted"
    old = tmp_path / f".predicted.old-{dead_pid}-{HEX}"
    old.mkdir()
    (old / "part-00000.parquet").write_text("previous")
    new = tmp_path / f".predicted.new-{dead_pid}-{HEX}"
    new.mkdir()
    assert set(clear_leftovers(target)) == {new, old}
    assert (target / "part-00000.parquet").read_text() == "previous"
    assert leftovers(tmp_path) == []
    # With the output in place, an old folder is what a finished swap did not remove yet.
    old.mkdir()
    assert clear_leftovers(target) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["predicted"]


def test_a_folder_output_clears_its_leftovers_and_lists_no_temporary_file(
    tmp_path: Path, dead_pid: int
) -> None:
    output = tmp_path / "out"
    (tmp_path / f".out.new-{dead_pid}-{HEX}").mkdir()

    def build(folder: Path) -> None:
        (folder / "part-00000.parquet").write_text("rows")
        # What a worker killed mid-write leaves in the folder; another wrote the part again.
        (folder / f".part-00001.parquet.{dead_pid}-x1y2z3w4.tmp").write_text("half")
        (folder / "part-00001.parquet").write_text("rows")

    replace_folder(output, build, ".marker", "stance test", "--output")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert sorted(p.name for p in output.iterdir()) == [
        ".marker", "part-00000.parquet", "part-00001.parquet"
    ]  # fmt: skip
    assert json.loads((output / ".marker").read_text())["files"] == [
        "part-00000.parquet", "part-00001.parquet"
    ]  # fmt: skip


def test_a_release_clears_a_killed_release_s_new_folder(tmp_path: Path, dead_pid: int) -> None:
    from stance.release.folder import replace_folder as replace_release

    stale = tmp_path / f".release.new-{dead_pid}-{HEX}"
    stale.mkdir()
    (stale / "README.md").write_text("half a card")
    replace_release(tmp_path / "release", lambda folder: (folder / "README.md").write_text("x"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["release"]


@pytest.mark.slow
def test_kill_9_mid_write_leaves_nothing_after_the_next_run(project: Path, trained: Path) -> None:
    """A real `kill -9` while predict writes its output: the temporary file stays; the same
    command run again removes it and writes the output."""
    row = json.dumps({"sentence": "Moscow denied any role in the attack.", "actor": "RUS"})
    (project / "in.jsonl").write_text((row + "\n") * 200_000)
    stance = str(Path(sys.executable).parent / "stance")
    args = [stance, "predict", "--model", str(trained), "--input", "in.jsonl",
            "--output", "out.jsonl", "--batch-size", "1000"]  # fmt: skip
    run = subprocess.Popen(args, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        until(
            lambda: leftovers(project) or run.poll() is not None,
            "predict never started writing its output",
        )
    finally:
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
    assert run.returncode == -signal.SIGKILL, "predict ended before it was killed"
    stale = leftovers(project)
    assert stale and stale[0].startswith(f".out.jsonl.{run.pid}-"), stale
    # The same command again, on a shorter input: the long one only had to outlast the kill.
    (project / "in.jsonl").write_text((row + "\n") * 2_000)
    again = subprocess.run(args, cwd=project, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert leftovers(project) == []
    assert sum(1 for _ in (project / "out.jsonl").open()) == 2_000
