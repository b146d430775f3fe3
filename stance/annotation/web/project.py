"""What one `stance serve` holds open: the queues, one session per annotator, the lead's
adjudication session, and the locks that keep every other writer out.

The server takes an exclusive `flock` on the data/annotations folder itself (a second server is
refused) and opens each served annotator's log as `stance annotate` does (so a terminal UI for
an annotator labelling on the web is refused). Every key press goes through
stance.annotation.session under that annotator's lock: one session logic, two front ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stance.annotation.context import Context, Paths, context_for
from stance.annotation.events import check_annotator
from stance.annotation.guidelines import load_guidelines
from stance.annotation.log import (
    AnnotationLog,
    ItemState,
    annotator_logs,
    describe_stale,
    log_path,
    replay,
    stale_items,
)
from stance.annotation.queue import build_queue
from stance.annotation.retrain import Retrainer
from stance.annotation.review import needs_review
from stance.annotation.session import Session
from stance.annotation.web.auth import ANNOTATOR, LEAD, Principal
from stance.core.errors import AnnotationError
from stance.core.schema import ADJUDICATIONS, BLIND_SHARE
from stance.corpus.candidates import load_candidates
from stance.corpus.claim_input import registry_claim
from stance.corpus.written import read_written

SERVE_LOCK = ".serve.lock"


@dataclass
class Desk:
    """One principal's open session, and the lock every request for it takes."""

    principal: Principal
    session: Session
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Options:
    annotators: list[str]
    lead: str = "lead"
    team: list[str] | None = None
    overlap: float = 0.0
    claim: str | None = None
    how: str = "file"
    limit: int | None = None  # items each annotator decides while this server runs
    blind: float = BLIND_SHARE  # share of items shown without the model's suggestion
    retrain_every: int = 0  # with a model: retrain after this many new labels (0: never)
    card_path: Any = None  # (model path) -> its card's path, for retraining
    scores: Callable[[list[dict[str, Any]]], list[dict[str, float]]] | None = None  # the model


def check_options(o: Options) -> None:
    """Every option error before anything is opened, bound or written."""
    if not o.annotators:
        raise AnnotationError(
            "no annotators: name them with --team ann,bo,cy (they share the work) or "
            "--annotator NAME (repeatable)"
        )
    for name in o.team or []:
        check_annotator(name, "--team")
    for name in o.annotators:
        check_annotator(name, "--annotator")
    check_annotator(o.lead, "--lead")
    if len(set(o.annotators)) != len(o.annotators):
        raise AnnotationError("an annotator is named twice in --team or --annotator")
    if o.team:
        outside = [a for a in o.annotators if a not in o.team]
        if outside:
            raise AnnotationError(f"--annotator {outside[0]} is not in --team {','.join(o.team)}")
    if not 0 <= o.overlap <= 1:
        raise AnnotationError(f"--overlap {o.overlap}: expected a fraction from 0 to 1")
    if o.retrain_every < 0:
        raise AnnotationError(f"--retrain-every {o.retrain_every}: expected 0 (never) or more")
    if o.limit is not None and o.limit < 1:
        raise AnnotationError(f"--limit {o.limit}: expected a positive number")


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive flock on the folder itself: one server per data/annotations/."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    info = folder / SERVE_LOCK
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        try:
            pid = info.read_text(encoding="utf-8").strip() or "?"
        except OSError:
            pid = "?"
        raise AnnotationError(
            f"{folder} is already served by another `stance serve` (pid {pid}): one server per "
            f"annotations folder; stop it first, or open the URLs it printed"
        ) from None
    try:
        with contextlib.suppress(OSError):
            info.write_text(str(os.getpid()), encoding="utf-8")
        yield
    finally:
        with contextlib.suppress(OSError):
            info.unlink()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class Served:
    """The project as the web app sees it, once every log is open."""

    def __init__(
        self,
        paths: Paths,
        ctx: Context,
        candidates: list[dict[str, Any]],
        version: str,
        desks: dict[str, Desk],
        adjudications: AnnotationLog,
        lead: Principal,
        options: Options,
        warnings: list[str],
    ):
        self.paths, self.ctx, self.candidates, self.version = paths, ctx, candidates, version
        self.desks, self.adjudications, self.options = desks, adjudications, options
        self.warnings = warnings
        self.lead = Desk(lead, Session.start([], adjudications, lead.name, version))
        self.review: dict[str, dict[str, ItemState]] = {}
        # The labels constructed sentences were written with: the writer is one more voter.
        self.written = read_written(paths.documents, candidates)
        self._review_key: tuple[str, ...] | None = None
        self._disk: dict[Path, tuple[tuple[int, int], dict[str, ItemState]]] = {}
        self.retrainer: Retrainer | None = None
        if options.scores is not None and options.retrain_every > 0 and options.card_path:
            self.retrainer = Retrainer(
                candidates,
                paths.documents,
                options.retrain_every,
                lambda: [(name, d.session, d.lock) for name, d in self.desks.items()],
                self.states,
                options.card_path,
            )

    def principals(self) -> list[Principal]:
        return [d.principal for d in self.desks.values()] + [self.lead.principal]

    def desk(self, p: Principal) -> Desk:
        if p.role == LEAD:
            return self.lead
        return self.desks[p.name]

    def states(self) -> dict[str, dict[str, ItemState]]:
        """Annotator -> item -> state: served logs from memory, the others (a terminal UI, the
        seed labels) from disk, re-read only when they changed."""
        out = {}
        for name, path in annotator_logs(self.paths.annotations).items():
            desk = self.desks.get(name)
            if desk is not None:
                with desk.lock:
                    out[name] = desk.session.log.state.items()
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            key = (st.st_mtime_ns, st.st_size)
            cached = self._disk.get(path)
            if cached is None or cached[0] != key:
                cached = self._disk[path] = (key, replay(path).items())
            out[name] = cached[1]
        return out

    def lead_session(self) -> Session:
        """The adjudication session over what needs review now; call with the lead's lock.
        Disagreements appear while the team labels, so the queue is rebuilt when they change."""
        self.review = needs_review(self.states(), self.written)
        queue = [c for c in self.candidates if c["id"] in self.review]
        key = tuple(c["id"] for c in queue)
        if key != self._review_key:
            self.lead.session = Session.start(
                queue, self.adjudications, self.lead.principal.name, self.version
            )
            self.lead.session.suggest = False  # the lead decides from the people's labels
            self._review_key = key
        return self.lead.session


Scores = Callable[[list[dict[str, Any]]], list[dict[str, float]]]


def scored_once(scores: Scores, candidates: list[dict[str, Any]]) -> Scores:
    """The model scores every candidate once, not once per annotator's queue."""
    by_id = {c["id"]: p for c, p in zip(candidates, scores(candidates), strict=True)}
    return lambda items: [by_id[c["id"]] for c in items]


@contextlib.contextmanager
def open_project(paths: Paths, o: Options) -> Iterator[Served]:
    """Load the inputs, build every queue, lock the folder and open every log."""
    check_options(o)
    guide = load_guidelines(paths.guidelines)
    claim = registry_claim(o.claim, paths.claims) if o.claim is not None else None
    candidates = load_candidates(paths.candidates)
    scores = scored_once(o.scores, candidates) if o.scores else None
    queues = {
        name: build_queue(
            candidates,
            name,
            claim=claim,
            how=o.how,
            team=o.team,
            overlap=o.overlap,
            scores=scores,
        )
        for name in o.annotators
    }
    ctx = context_for(paths, candidates)
    ctx.summary = guide.summary
    by_id = {c["id"]: c for c in candidates}
    with contextlib.ExitStack() as stack:
        stack.enter_context(folder_lock(paths.annotations))
        desks, warnings = {}, []
        for name in o.annotators:
            path = log_path(paths.annotations, name)
            log = stack.enter_context(AnnotationLog(path, name))
            warnings += log.warnings
            stale = list(stale_items(log.state.items().values(), by_id))
            if stale:
                warnings.append(describe_stale(path, stale, paths.candidates))
            session = Session.start(queues[name], log, name, guide.version, o.limit)
            session.blind = o.blind
            desks[name] = Desk(Principal(name, ANNOTATOR), session)
        adj_path = log_path(paths.annotations, ADJUDICATIONS)
        adjudications = stack.enter_context(AnnotationLog(adj_path, o.lead))
        warnings += adjudications.warnings
        yield Served(
            paths,
            ctx,
            candidates,
            guide.version,
            desks,
            adjudications,
            Principal(o.lead, LEAD),
            o,
            warnings,
        )
