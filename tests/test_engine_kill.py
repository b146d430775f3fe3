"""Dask workers killed under `stance predict --engine dask`: with one lost the run recomputes
its part and the finished folder holds only complete parts; with all lost, or a task whose
worker dies each time, the command is one `Error:` line and leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from stance.core.engine import EngineError, session
from stance.core.leftovers import is_leftover
from tests.test_engine import model, pairs, write_parts  # noqa: F401  (a fixture)
from tests.waiting import until

psutil = pytest.importorskip("psutil")
pytest.importorskip("distributed")

PARTS, ROWS = 6, 6_000  # enough that the parts are still being written when a worker dies


def workers_of(pid: int) -> list[object]:
    """The LocalCluster's worker processes: children started by multiprocessing's spawn."""
    return [
        p
        for p in psutil.Process(pid).children(recursive=True)
        if "spawn_main" in " ".join(p.cmdline())
    ]


def part_in_progress(folder: Path) -> bool:
    return any(folder.glob(".out.new-*/.part-*.tmp"))


def run_and_kill(tmp_path: Path, model: Path, victims: int) -> tuple[subprocess.Popen, str]:  # noqa: F811
    """Start predict on a 2-worker LocalCluster, kill `victims` workers (SIGKILL) while a part
    is being written, and wait for the command to end; (the process, its stderr)."""
    write_parts(tmp_path / "parts", pairs(PARTS * ROWS), [ROWS] * PARTS, 1_000)
    stance = str(Path(sys.executable).parent / "stance")
    args = [stance, "predict", "--input", "parts", "--output", "out", "--model", str(model),
            "--engine", "dask", "--workers", "2", "--batch-size", "200"]  # fmt: skip
    run = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, start_new_session=True)  # fmt: skip
    try:
        until(lambda: part_in_progress(tmp_path) or run.poll() is not None, "no part written")
        assert run.poll() is None, run.communicate()
        found = until(lambda: len(workers_of(run.pid)) == 2 and workers_of(run.pid), "workers")
        for worker in found[:victims]:
            worker.kill()  # type: ignore[attr-defined]
        _, err = run.communicate(timeout=600)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)  # the group this test started, nothing else
            run.wait()
    return run, err


@pytest.mark.slow
def test_one_worker_killed_the_part_is_recomputed_and_no_temp_file_is_kept(
    tmp_path: Path,
    model: Path,  # noqa: F811
) -> None:
    run, err = run_and_kill(tmp_path, model, victims=1)
    assert run.returncode == 0, err
    out = tmp_path / "out"
    names = sorted(p.name for p in out.iterdir())
    assert names == [".stance-predict"] + [f"part-{i:05d}.parquet" for i in range(PARTS)]
    assert len(pd.read_parquet(out)) == PARTS * ROWS
    assert not [p for p in tmp_path.iterdir() if is_leftover(p.name)]
    assert ".tmp" not in (out / ".stance-predict").read_text()


@pytest.mark.slow
def test_both_workers_killed_is_one_error_line_and_nothing_is_left(
    tmp_path: Path,
    model: Path,  # noqa: F811
) -> None:
    run, err = run_and_kill(tmp_path, model, victims=2)
    lines = err.strip().splitlines()
    assert run.returncode == 1, err
    assert "Traceback" not in err
    assert len(lines) == 1 and lines[0].startswith("Error: --engine dask: "), err
    assert "workers were lost mid-run" in lines[0] and "run it again" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts"]


@pytest.mark.slow
def test_a_task_whose_worker_dies_every_time_is_one_error() -> None:
    import dask

    # Dask retries a task whose worker died (3 times by default); none here, to be quick.
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with pytest.raises(EngineError, match="a task's worker died each time it ran it"):
            with session("dask", workers=1) as runner:
                for call in runner.map(lambda _: os.kill(os.getpid(), signal.SIGKILL), [1]):
                    call()
