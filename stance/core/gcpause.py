"""Pause Python's cyclic garbage collector around a batch of feature work.

A batch of 10,000 rows allocates hundreds of thousands of short-lived lists, tuples and dicts.
Each allocation burst triggers collections that walk every live container, including the ones
the batch itself is still building, which cost 10-20% of `stance predict` (measured with
benchmarks/predict.py). The batch makes no reference cycles that outlive it, and reference
counting frees everything else as usual, so memory stays bounded by the batch; the collector
runs again as soon as the outermost pause ends.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """The cyclic collector off inside; nested pauses leave it to the outermost one."""
    if not gc.isenabled():  # an outer pause (or the caller) owns the collector
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def gc_paused(fn: F) -> F:
    """`fn` run inside `paused()`."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with paused():
            return fn(*args, **kwargs)

    return run  # type: ignore[return-value]
