"""The one moment an output may record: SOURCE_DATE_EPOCH, or none.

The same inputs and parameters must give the same bytes (DVC compares hashes; a file that
changes on every run for no reason makes it report stale stages and a modified dvc.lock). So no
output records the time it was made, unless the caller fixes that time, by the convention of
reproducible builds (https://reproducible-builds.org/specs/source-date-epoch/): set
SOURCE_DATE_EPOCH to a number of seconds since 1970, e.g. `$(git log -1 --format=%ct)`.
"""

from __future__ import annotations

import datetime as dt
import os

from stance.core.errors import StanceError

VARIABLE = "SOURCE_DATE_EPOCH"


def source_date() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as an aware UTC datetime; None when it is unset or empty."""
    raw = os.environ.get(VARIABLE, "").strip()
    if not raw:
        return None
    try:
        return dt.datetime.fromtimestamp(int(raw), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise StanceError(
            f"{VARIABLE}={raw!r}: not a whole number of seconds since 1970-01-01; set it to one "
            f"(e.g. $(git log -1 --format=%ct)) or unset it"
        ) from None


def stamp(key: str) -> dict[str, str]:
    """`{key: ISO time}` when SOURCE_DATE_EPOCH fixes the time, else `{}`: for merging into an
    output's metadata."""
    when = source_date()
    return {} if when is None else {key: when.isoformat(timespec="seconds")}
