"""A labelling UI killed with SIGKILL used to leave its retrain child training for nobody."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from stance.annotation import retrain
from stance.core.orphan import PARENT, child_env, watch_parent
from tests.waiting import until

# The parent starts the child as the retrainer does and prints the child's pid. (A real
# retrain child, `python -m stance train`, killed with its server: tests/test_serve_retrain.py.)
PARENT_SCRIPT = """
import subprocess, sys
from stance.core.orphan import child_env
child = subprocess.Popen([sys.executable, *sys.argv[1:]], env=child_env())
print(child.pid, flush=True)
child.wait()
"""
# A child that would otherwise wait forever (blocked in a lock, where only a real signal
# reaches it), and says when its watch is armed and when it was interrupted.
WATCHER = """
import threading
from stance.core.orphan import watch_parent
assert watch_parent() is not None
print("armed", flush=True)
try:
    threading.Event().wait()
except KeyboardInterrupt:  # what lets `with` blocks remove their temporary files
    print("interrupted", flush=True)
"""


def children(pid: int) -> list[int]:
    """The pids of a process's children, from /proc."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it ended while we looked
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def gone(pid: int) -> bool:
    """The process has exited (a zombie left for a parent that does not reap counts)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def orphan_ends(child: list[str]) -> str:
    """Start `child` under a parent, kill the parent, wait for the child to end; return what
    the child printed after its parent died."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT_SCRIPT, *child],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    try:
        assert parent.stdout.readline().strip() == "armed"  # the child shares the pipe
        assert not gone(pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        said = parent.stdout.read()  # until the child, the last writer, has ended
        until(lambda: gone(pid), f"child {pid} still runs after its parent was killed")
        return said
    finally:
        if not gone(pid):
            os.kill(pid, signal.SIGKILL)
        parent.stdout.close()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_a_watched_child_ends_when_its_parent_is_killed() -> None:
    # Interrupted (its clean-up ran), not ended by the hard exit after the grace period.
    assert orphan_ends(["-c", WATCHER]) == "interrupted\n"


def test_no_watch_without_a_parent_named_or_with_a_bad_value() -> None:
    assert watch_parent({}) is None
    assert watch_parent({PARENT: "not-a-pid"}) is None
    assert child_env({"A": "1"}) == {"A": "1", PARENT: str(os.getpid())}


def test_the_retrainer_names_itself_as_its_childs_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, str] = {}

    class Popen:
        def __init__(self, cmd: list[str], **kw: object) -> None:
            seen.update(kw["env"])  # type: ignore[arg-type]
            self.pid, self.returncode = os.getpid(), 0

        def communicate(self) -> tuple[str, str]:
            return "", ""

    monkeypatch.setattr(retrain.subprocess, "Popen", Popen)
    monkeypatch.setattr(retrain.os, "setpriority", lambda *a: None)
    r = retrain.Retrainer.__new__(retrain.Retrainer)
    r.lock, r.stopped = __import__("threading").Lock(), False
    assert r._child("train") is None
    assert seen[PARENT] == str(os.getpid())
