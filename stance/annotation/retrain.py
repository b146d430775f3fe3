"""The model learns while people label, in the terminal UI and on the web: after every `every`
new labels, a background process trains on everything people have labelled so far and scores
every candidate with the new model; when it is done, the scores are swapped in.

Nothing here runs while a key or a request waits: a label only bumps a counter and, at the
threshold, starts a thread. The thread runs `stance train` and then `stance predict` as child
processes (the fit and the scoring hold another interpreter's CPU, never the labelling
process's), reads the scores back (the id and scores columns of a Parquet table) and swaps them
into each queue (stance/annotation/swap.py): the new order is worked out outside the queue's
lock, and the lock is held only to swap it in, a few assignments. A failed run changes nothing:
the old model stays, and the status says why.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stance.annotation.log import AnnotationLog, ItemState, annotator_logs, replay
from stance.annotation.session import Session
from stance.annotation.swap import read_scores, reorder, swap_in
from stance.core.files import atomic_writer
from stance.core.orphan import child_env
from stance.core.paths import PATHS
from stance.core.tables import read_jsonl

__all__ = ["Retrainer", "held_out", "logged_states", "reorder", "training_rows"]

LOOP_DIR = PATHS.loop_models  # models trained while labelling (models/ is not in git)
# What a training row and a scoring row need of a candidate (the rest stays out of the files).
NICE = 10  # the training process's priority: below the people's keys and requests
COLUMNS = ("id", "doc_id", "sentence_id", "sentence", "start", "end", "actor", "mentions", "claim")

Queues = Callable[[], Iterable[tuple[str, Session, Any]]]  # (annotator, session, its lock)
States = Callable[[], dict[str, dict[str, ItemState]]]  # annotator -> item -> state
CardPath = Callable[[Path], Path]  # where a model's card is (the model package knows)
# A file to append each phase of a run to, one JSON line each (start and end on the system's
# monotonic clock): benchmarks/serve.py times the requests made during a swap by it.
TIMING = "STANCE_RETRAIN_TIMING"
SWITCH_S = 0.0002  # how often threads take turns during a swap (`eager_switching`)


def held_out(documents: Path, params: Path = PATHS.params) -> set[str]:
    """Documents `stance build` pins to test (the seeds, the held-out sets): never trained on,
    here either, so the figures measured on them stay honest."""
    import fnmatch

    from stance.core.params import load_params

    if not documents.exists() or not params.exists():
        return set()
    build = load_params(params, "build")
    out = set()
    for d in read_jsonl(documents):
        pinned = [s for p, s in build["pin_docs"].items() if fnmatch.fnmatchcase(d["doc_id"], p)]
        split = pinned[0] if pinned else build["pin_sources"].get(d.get("source"))
        if split == "test":
            out.add(d["doc_id"])
    return out


def logged_states(folder: Path, own: dict[str, tuple[AnnotationLog, Any]]) -> dict[str, Any]:
    """Annotator -> item -> state for every log in the folder: the open ones (`own`, name ->
    (log, lock)) from memory, the others from disk."""
    out = {}
    for name, path in annotator_logs(folder).items():
        if name in own:
            log, lock = own[name]
            with lock:
                out[name] = log.state.items()
        else:
            out[name] = replay(path).items()
    return out


def training_rows(
    candidates: list[dict[str, Any]], states: dict[str, dict[str, ItemState]], held: set[str]
) -> list[dict[str, Any]]:
    """One row per item people labelled outside the test documents: the label most of them
    gave (ties: the first)."""
    by_id = {c["id"]: c for c in candidates if c["doc_id"] not in held}
    votes: dict[str, Counter[str]] = {}
    for items in states.values():
        for cid, st in items.items():
            if st.stance and cid in by_id:
                votes.setdefault(cid, Counter())[st.stance] += 1
    return [{**_row(by_id[cid]), "stance": v.most_common(1)[0][0]} for cid, v in votes.items()]


def _row(c: dict[str, Any]) -> dict[str, Any]:
    return {k: c[k] for k in COLUMNS if k in c}


class Retrainer:
    """Counts new labels, trains in the background at every `every`, swaps the result in."""

    def __init__(
        self,
        candidates: list[dict[str, Any]],
        documents: Path,
        every: int,
        queues: Queues,
        states: States,
        card_path: CardPath,
        folder: Path = LOOP_DIR,
    ):
        self.candidates, self.every, self.folder = candidates, every, folder
        self.queues, self.states, self.card_path = queues, states, card_path
        self.lock = threading.Lock()
        self.running = False
        self.proc: subprocess.Popen[str] | None = None
        self.stopped = False
        self.version = 0  # models swapped in so far
        self.labels_at_start = self.labelled()
        self.status: dict[str, Any] = {"version": 0, "state": "initial model", "every": every}
        self.held_out = held_out(documents)

    def labelled(self) -> int:
        return sum(s.done for _, s, _ in self.queues())

    def note(self) -> None:
        """After a decision (the queue's lock held): start a run at the threshold."""
        if self.every <= 0 or self.stopped:
            return
        with self.lock:
            if self.running or self.labelled() - self.labels_at_start < self.every:
                return
            self.running = True
            self.labels_at_start = self.labelled()
            self.status = {**self.status, "state": f"training on {self.labels_at_start} labels"}
        threading.Thread(target=self._run, name="retrain", daemon=True).start()

    def stop(self) -> None:
        """At exit: a training run still going is ended, and none starts."""
        self.stopped = True
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()

    def _child(self, *args: str) -> str | None:
        """Run `stance ARGS` as a child process; None when it worked, else why it did not."""
        with self.lock:
            if self.stopped:
                return "stopped"
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "stance", *args],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=child_env(),  # it ends with this process, even one killed with SIGKILL
            )
            with contextlib.suppress(OSError):  # the labelling process keeps the CPU first
                os.setpriority(os.PRIO_PROCESS, self.proc.pid, NICE)
        _, err = self.proc.communicate()
        if self.proc.returncode == 0:
            return None
        return (err.strip().splitlines() or [f"exit status {self.proc.returncode}"])[-1]

    def _mark(self, phase: str, start: float, **extra: Any) -> None:
        """With STANCE_RETRAIN_TIMING set: a phase of this run, from `start` until now."""
        path = os.environ.get(TIMING)
        if path:
            line = {"run": self.version + 1, "phase": phase, "start": start, **extra}
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({**line, "end": time.monotonic()}) + "\n")

    def _run(self) -> None:
        n = self.version + 1
        try:
            t0 = time.monotonic()
            import pyarrow.parquet  # noqa: F401  (read_scores: imported here, not during the swap)

            self.folder.mkdir(parents=True, exist_ok=True)
            data, model = self.folder / f"labels-{n}.jsonl", self.folder / f"model-{n}.skops"
            items, scored = self.folder / "candidates.jsonl", self.folder / f"scores-{n}.parquet"
            with eager_switching():
                rows = training_rows(self.candidates, self.states(), self.held_out)
                _write_jsonl(data, rows)
                if not items.exists():
                    _write_jsonl(items, (_row(c) for c in self.candidates))
            self._mark("prepare", t0)
            t0 = time.monotonic()
            why = self._child("train", "--data", str(data), "--model-out", str(model))
            self._mark("train", t0)
            if why is None:
                t0 = time.monotonic()
                args = ("--input", str(items), "--output", str(scored), "--force")
                why = self._child("predict", "--model", str(model), *args)
                self._mark("score", t0)
            if why is not None:
                self.status = {**self.status, "state": f"last training failed: {why}"}
                return
            self.swap(model, scored, len(rows))
        except Exception as exc:  # a background failure must never stop the labelling
            self.status = {**self.status, "state": f"last training failed: {exc}"}
        finally:
            with self.lock:
                self.running = False

    def swap(self, model: Path, scored: Path, rows: int) -> None:
        t0 = time.monotonic()
        card = json.loads(self.card_path(model).read_text(encoding="utf-8"))
        held: list[float] = []  # each time a queue's lock was held (ms)
        with eager_switching():
            fresh = read_scores(scored)
            tries = [swap_in(session, lock, n, fresh, held) for n, session, lock in self.queues()]
        self._mark(
            "swap", t0, lock_ms_max=max(held, default=0.0), lock_ms_sum=sum(held), tries=tries
        )
        self.version += 1
        self.status = {
            "version": self.version,
            "state": "ready",
            "every": self.every,
            "rows": rows,
            "trained_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "cv_macro_f1": (card.get("cv") or {}).get("mean"),
            "path": str(model),
        }


@contextlib.contextmanager
def eager_switching(interval: float = SWITCH_S) -> Iterator[None]:
    """While a run writes its training rows or the swap works out the new orders (the long
    stretches of Python in this process), threads take turns every `interval` seconds instead
    of every 5 ms. A request's thread gives up the interpreter at each read, write and fsync;
    with the default interval it then waits up to 5 ms for the busy thread to hand it back,
    each time: a request of a few milliseconds took 200-300 ms during a swap, 10-30 ms with
    this (benchmarks/serve.py, decisions in flight during a swap or a run's preparation)."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with atomic_writer(path) as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
