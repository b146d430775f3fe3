"""Where a release may be written, and how it replaces the previous one without losing data.

`--output` is a path typed by a person: `data/annotations` or `.` are one typo away from
`release`. So a release only ever replaces a folder that a release wrote: one holding the marker
file `.stance-release` and nothing but the files that marker lists. Anything else that exists (a
file, a folder with other files, a git checkout) is refused before any work starts. The rule and
the swap (built beside, renamed in, the old one removed last; a killed run's leftovers removed and
an old folder put back by the next run, stance.core.leftovers) are stance.core.files', shared with
`stance predict`'s folders of parts; this module names the release's marker and what it records.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from stance.core import files
from stance.core.stamp import stamp

# Hidden, so `datasets` file discovery skips it, and the card's `configs` never name it.
MARKER = ".stance-release"
TOOL = "stance"
OWNER = {"tool": TOOL}
COMMAND, OPTION = "stance release", "--output"


def read_marker(folder: Path) -> dict[str, Any] | None:
    """The marker's content when `folder` was written by `stance release`, else None."""
    return files.read_marker(folder, MARKER, OWNER)


def check_output(output: Path) -> None:
    """Refuse an output path whose replacement could destroy anything a release did not write."""
    files.check_folder_output(output, MARKER, COMMAND, OPTION, OWNER)


def replace_folder(output: Path, build: Callable[[Path], None]) -> None:
    """Run `build(tmp)` on a new folder beside `output`, mark it, and swap it in for `output`."""
    from importlib.metadata import PackageNotFoundError, version

    when = stamp("created_at")  # a bad SOURCE_DATE_EPOCH fails before any work
    try:
        tool_version = version(TOOL)  # the package root is outside the layers: ask its metadata
    except PackageNotFoundError:
        tool_version = "unknown"
    # No clock time unless SOURCE_DATE_EPOCH sets one: the same inputs give the same folder.
    about = {"version": tool_version, **when}
    files.replace_folder(output, build, MARKER, COMMAND, OPTION, OWNER, about)
