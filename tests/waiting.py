"""Waiting on a condition in a test, never on the clock.

A test that sleeps for a fixed time and then looks is a race: under load the thing it waits for
takes longer and the test fails for no reason. These helpers look again and again until the
condition holds, and fail only after a generous ceiling, which costs nothing when all is well:
they return as soon as the condition holds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# Two test workers share two cores with other work on CI, and machines of the same kind differ
# twofold in speed (the suite took 146 s on one and 333 s on another, the same commit); a slow
# start under that load is not a failure. The ceiling only bounds how long a real failure takes
# to report.
CEILING = 120.0
POLL = 0.05


def until(
    check: Callable[[], T | None | bool],
    what: str | Callable[[], str],
    timeout: float = CEILING,
) -> T:
    """Call `check` until it returns something truthy and return that; after `timeout` seconds
    fail with `what` (a callable is called then, for a message showing the state at the end)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        found = check()
        if found:
            return found  # type: ignore[return-value]
        if time.monotonic() >= deadline:
            raise AssertionError(what() if callable(what) else what)
        pause.wait(POLL)  # the interval between two looks, not a guess at how long it takes
