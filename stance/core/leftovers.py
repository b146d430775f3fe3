"""What a write leaves beside its output while it works, and who removes it after a crash.

A command writes `out` as `.out.PID-x1y2z3w4.tmp` (stance.core.files.atomic_writer), or a
folder `out` as `.out.new-PID-1a2b3c4d` swapped in by way of `.out.old-PID-1a2b3c4d`
(replace_folder). A run killed mid-write (kill -9, a lost Dask worker, a power cut) leaves
them behind; the next write of the same output removes them. The writer's pid in the name is
what makes that safe: only leftovers of processes that are gone are touched, so a concurrent
run of the same command keeps its work in progress.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

# The two shapes above; `name` is the output's own name, so one output's leftovers are told
# from another's in a shared folder.
_LEFTOVER = re.compile(
    r"\.(?P<name>.+)\."
    r"(?:(?P<pid>\d+)-[a-z0-9_]+\.tmp|(?P<kind>new|old)-(?P<fpid>\d+)-[0-9a-f]{8})"
)


def temp_prefix(target: Path) -> str:
    """The start of a temporary file's name for `target` (mkstemp adds the rest)."""
    return f".{target.name}.{os.getpid()}-"


def sibling(target: Path, kind: str) -> Path:
    """An unused hidden name beside `target` (`.out.new-PID-1a2b3c4d`): in the same folder, so
    a rename between the two stays on one file system and is atomic."""
    import secrets

    while True:
        path = target.with_name(f".{target.name}.{kind}-{os.getpid()}-{secrets.token_hex(4)}")
        if not os.path.lexists(path):
            return path


def is_leftover(name: str) -> bool:
    """Whether `name` is one of the shapes above (of any output, of any process)."""
    return _LEFTOVER.fullmatch(name) is not None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: it exists
    return True


def clear_leftovers(target: Path) -> list[Path]:
    """Remove what killed runs writing `target` left beside it: temporary files and new
    folders whose process is gone (on this machine), and old folders. An old folder is the
    previous output when the run died between its two renames: with `target` missing it is
    put back, not removed. Returns what was removed or put back."""
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return []
    done = []
    for entry in entries:
        found = _LEFTOVER.fullmatch(entry.name)
        if not found or found["name"] != target.name:
            continue
        if _alive(int(found["pid"] or found["fpid"])):
            continue
        path = Path(entry.path)
        with contextlib.suppress(OSError):  # another run cleaning at once got there first
            if found["kind"] == "old" and not os.path.lexists(target):
                os.rename(path, target)
            elif entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path)
            else:
                path.unlink()
            done.append(path)
    return done
