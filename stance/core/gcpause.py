"""Pause Python's cyclic garbage collector around batch work that makes no reference cycles.

A batch of 10,000 rows to predict allocates hundreds of thousands of short-lived lists, tuples
and dicts; each burst of allocations triggers collections that walk every live container,
including those the batch is still building. Paused, the actor view and the predictor
took 10-20% less time on benchmarks/predict.py's rows (same process, runs alternated).
(Ingest gained nothing measurable from it at 10,000 articles, runs alternated, so it does not
use it.) Reference counting frees everything as usual, so memory stays bounded by the batch,
and the collector runs again as soon as the outermost pause ends.
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
