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

# The parent starts the child as the retrainer does, then waits for it.
PARENT_SCRIPT = """
import subprocess, sys
from stance.core.orphan import child_env
subprocess.Popen([sys.executable, *sys.argv[1:]], env=child_env()).wait()
"""
# A child that would otherwise wait forever (blocked in a lock, where only a real signal
# reaches it). It says when its watch is armed (with its pid, and whether it would pass the
# parent's pid on to a child of its own) and when it was interrupted.
WATCHER = """
import os, threading
from stance.core.orphan import PARENT, watch_parent
assert watch_parent() is not None
try:
    print("armed", os.getpid(), PARENT in os.environ, flush=True)
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


def orphan_ends(child: list[str], ignore_sigint: bool = False) -> str:
    """Start `child` under a parent (optionally with SIGINT ignored, as a background job of
    a script has it), kill the parent, wait for the child to end; return what the child
    printed after it was armed."""

    def ignored() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT_SCRIPT, *child],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        preexec_fn=ignored if ignore_sigint else None,
    )
    assert parent.stdout is not None
    armed, pid, passed_on = parent.stdout.readline().split()  # the child shares the pipe
    pid = int(pid)
    try:
        assert armed == "armed" and not gone(pid)
        assert passed_on == "False"  # a child of its own would not watch this parent
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        until(lambda: gone(pid), f"child {pid} still runs after its parent was killed")
        return parent.stdout.read()  # the child, the last writer, has ended
    finally:
        if not gone(pid):
            os.kill(pid, signal.SIGKILL)
        parent.stdout.close()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_a_watched_child_ends_when_its_parent_is_killed() -> None:
    # Interrupted (its clean-up ran), not ended by the hard exit after the grace period.
    assert orphan_ends(["-c", WATCHER]) == "interrupted\n"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_the_clean_up_runs_where_sigint_was_inherited_ignored() -> None:
    assert orphan_ends(["-c", WATCHER], ignore_sigint=True) == "interrupted\n"


def test_no_watch_without_a_parent_named_or_with_a_bad_value() -> None:
    assert watch_parent({}) is None
    assert watch_parent({PARENT: "not-a-pid"}) is None
    assert watch_parent({PARENT: "²"}) is None  # a digit to isdigit(), not to int()
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
