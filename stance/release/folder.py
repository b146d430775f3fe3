"""Where a release may be written, and how it replaces the previous one without losing data.

`--output` is a path typed by a person: `data/annotations` or `.` are one typo away from
`release`. So a release only ever replaces a folder that a release wrote: one holding the marker
file `.stance-release` and nothing but the files that marker lists. Anything else that exists (a
file, a folder with other files, a git checkout) is refused before any work starts.

The new release is built in a hidden sibling folder and swapped in by two renames within the same
parent (old aside, new in), then the old one is deleted: at no point is a half-written folder at
the output path. Should the process die between the two renames, the previous release is still
whole in the sibling `.<name>.old-*` folder: the next run puts it back, and removes the new
folders of runs that died (stance.core.leftovers).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stance.core.files import swap_in, write_failed
from stance.core.leftovers import clear_leftovers, sibling
from stance.core.stamp import stamp
from stance.release.layout import ReleaseError

# Hidden, so `datasets` file discovery skips it, and the card's `configs` never name it.
MARKER = ".stance-release"
TOOL = "stance"

_FIX = "choose a new or empty folder for --output, or delete"


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker's content when `folder` was written by `stance release`, else None."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("tool") == TOOL else None


def write_marker(folder: Path, when: dict[str, str]) -> None:
    """Mark `folder` as a release and record every file in it, so foreign files show later;
    `when` is `stamp("created_at")`, empty unless SOURCE_DATE_EPOCH fixes the time."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        tool_version = version(TOOL)  # the package root is outside the layers: ask its metadata
    except PackageNotFoundError:
        tool_version = "unknown"
    files = sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() or p.is_symlink()
    )
    marker = {
        "tool": TOOL,
        "version": tool_version,
        # No clock time: the same inputs give the same folder, byte for byte.
        **when,
        "files": files,
    }
    (folder / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")


def check_output(output: Path) -> None:
    """Refuse an output path whose replacement could destroy anything a release did not write."""
    if output.is_symlink():
        raise ReleaseError(
            f"{output}: is a symbolic link; nothing was touched: {_FIX} the link yourself"
        )
    if output.exists() and not output.is_dir():
        raise ReleaseError(
            f"{output}: is a file, not a folder; nothing was touched: {_FIX} the file yourself"
        )
    if not output.exists() or not any(output.iterdir()):
        return
    marker = read_marker(output)
    if marker is None:
        raise ReleaseError(
            f"{output}: not empty and not made by `stance release` (no {MARKER} file in it); "
            f"nothing was touched: {_FIX} this one yourself"
        )
    ours = set(marker.get("files") or ()) | {MARKER}
    for path in sorted(output.rglob("*")):
        name = path.relative_to(output).as_posix()
        if (path.is_file() or path.is_symlink()) and name not in ours:
            raise ReleaseError(
                f"{output}: holds {name}, which `stance release` did not write; nothing was "
                "touched: move it out, choose another --output, or delete the folder yourself"
            )


def replace_folder(output: Path, build: Callable[[Path], None]) -> None:
    """Run `build(tmp)` on a new folder beside `output`, mark it, and swap it in for `output`.

    `output` is checked before the build and again just before the swap (another run may have
    changed it in between). On any failure the temporary folder is removed and `output` is left
    as it was.
    """
    target = output.absolute()
    clear_leftovers(target)  # what a killed run left; before the check, which sees a restore
    check_output(output)
    when = stamp("created_at")  # a bad SOURCE_DATE_EPOCH fails before any work
    target.parent.mkdir(parents=True, exist_ok=True)
    # Same parent: the renames below stay on one file system, so each one is atomic.
    new = sibling(target, "new")
    try:
        new.mkdir()  # not mkdtemp: its 0700 mode would become the release's
    except OSError as exc:
        raise write_failed(f"--output {output}", exc) from None
    try:
        build(new)
        write_marker(new, when)
        check_output(output)
        swap_in(new, target)
    except OSError as exc:
        shutil.rmtree(new, ignore_errors=True)
        raise write_failed(f"--output {output}", exc) from None
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
