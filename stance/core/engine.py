"""Where the work of `stance predict` and `stance ingest` runs: in this process (`local`), or on
a Dask cluster (`dask`): a `LocalCluster` started on this machine, or any running cluster whose
scheduler address is given (dask-kubernetes, dask-jobqueue, Coiled, `dask scheduler` by hand).

The project holds no cluster code of its own: a `Runner` maps a function over items, in this
process or as Dask tasks, and hands the results back in input order. Dask is an optional extra,
imported only here and only when asked for, so `--help` and the local engine never load it.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from stance.core.errors import StanceError

ENGINES = ("local", "dask")
# How long to wait for a scheduler named by --scheduler: long enough for a busy scheduler,
# short enough that a typo does not look like a hang.
CONNECT_TIMEOUT_S = 5.0
MISSING = (
    "--engine dask needs Dask, an optional extra: pip install 'stance[dask]' "
    "(in a checkout: pip install -e '.[dask]')"
)

T = TypeVar("T")


class EngineError(StanceError):
    "The chosen engine cannot start, or cannot reach its cluster."


def check_engine(engine: str, scheduler: str | None, workers: int | None) -> None:
    """Options that contradict each other, refused before any work."""
    if engine not in ENGINES:
        raise EngineError(f"--engine {engine}: expected one of {', '.join(ENGINES)}")
    if engine == "local" and scheduler is not None:
        raise EngineError("--scheduler needs --engine dask")
    if engine == "local" and workers is not None:
        raise EngineError("--workers needs --engine dask")
    if scheduler is not None and workers is not None:
        raise EngineError(
            "--workers sizes the local cluster; with --scheduler the cluster has its own workers"
        )
    if workers is not None and workers < 1:
        raise EngineError(f"--workers {workers}: must be at least 1")
    most = 4 * (os.cpu_count() or 1)
    if workers is not None and workers > most:
        # Each worker is a process: beyond a few per core they only wait for each other.
        raise EngineError(f"--workers {workers}: at most {most} here (4 per core)")


@dataclass
class Runner:
    """Maps functions over items, locally or on a Dask client; results come back in order."""

    client: Any = None  # a distributed.Client, or None for this process
    _futures: list[Any] = field(default_factory=list)

    @property
    def workers(self) -> int:
        if self.client is None:
            return 1
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def scatter(self, value: T) -> Any:
        """`value` sent once to every worker (a handle tasks receive as the value itself)."""
        if self.client is None:
            return value
        return self.client.scatter(value, broadcast=True, hash=False)

    def map(
        self, fn: Callable[..., T], items: Sequence[Any], *args: Any
    ) -> Iterator[Callable[[], T]]:
        """For each item, in order, a call giving `fn(item, *args)`'s result or raising its
        error: locally it runs when called; on Dask every task is submitted at once and the
        call waits for its own."""
        if self.client is None:
            for item in items:
                yield functools.partial(fn, item, *args)
            return
        futures = [self.client.submit(fn, item, *args, pure=False) for item in items]
        self._futures.extend(futures)
        for future in futures:
            yield functools.partial(_result, future)

    def cancel(self) -> None:
        """After a failure: let every submitted task end before the caller cleans up. Dask's
        cancel does not stop a task already running on a worker, which could then write into
        a folder the caller is removing; waiting for all of them leaves nothing behind."""
        if self.client is not None and self._futures:
            from distributed import wait

            for future in self._futures:
                # A task whose worker died is cancelled or failed: it runs nowhere any more.
                with contextlib.suppress(Exception):
                    wait([future])
        self._futures.clear()


# What Dask raises for a task that did not fail itself: its worker died under it (killed, or
# out of memory) and retrying ran out, or the data it needed went with the last worker.
LOST = (
    "--engine dask: {what} ({reason}); nothing was written: run it again, with fewer or "
    "smaller parts if the workers ran out of memory"
)


def _result(future: Any) -> Any:
    """A task's result; its own errors as raised, a lost worker as one EngineError."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker:
        what = "a task's worker died each time it ran it"
        raise EngineError(LOST.format(what=what, reason="killed, or out of memory")) from None
    except CancelledError:
        # Dask's own text names internal task keys; what happened is that the workers died.
        what = "the Dask workers were lost mid-run"
        raise EngineError(LOST.format(what=what, reason="killed, or out of memory")) from None


@contextlib.contextmanager
def session(
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    processes: bool = True,
) -> Iterator[Runner]:
    """A Runner for `engine`: this process; or Dask on the cluster at `scheduler`; or, with no
    scheduler, on a LocalCluster of `workers` single-threaded workers (default: one per core)
    started here and closed on exit. `processes=False` keeps the workers in this process
    (threads; for tests)."""
    check_engine(engine, scheduler, workers)
    if engine == "local":
        yield Runner()
        return
    try:
        import dask  # noqa: F401
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError(MISSING) from None
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            import os

            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers or len(os.sched_getaffinity(0)),
                    threads_per_worker=1,
                    processes=processes,
                    # A free port: the default 8787 may be another cluster's, and taking it
                    # prints a warning; without bokeh installed there is no dashboard anyway.
                    dashboard_address=":0",
                    silence_logs=50,  # CRITICAL only: the command prints its own summary
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(_connect(Client, scheduler))
        runner = Runner(client)
        try:
            yield runner
        finally:
            runner.cancel()


def _connect(client_class: Any, scheduler: str) -> Any:
    try:
        return client_class(scheduler, timeout=CONNECT_TIMEOUT_S)
    except (OSError, ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise EngineError(
            f"--scheduler {scheduler}: cannot connect ({reason}); check the address "
            f"(tcp://HOST:8786), or leave --scheduler out to start a cluster on this machine"
        ) from None
