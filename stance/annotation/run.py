"""The annotate and adjudicate commands: open the log, build the queue, run the terminal UI.

Everything a key does goes through stance.annotation.session and is durable in the log before
the next item is drawn; this module only wires the parts together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from stance.annotation.context import Paths, context_for
from stance.annotation.events import check_annotator
from stance.annotation.guidelines import load_guidelines
from stance.annotation.log import AnnotationLog, describe_stale, log_path, stale_items
from stance.annotation.queue import build_queue
from stance.annotation.retrain import CardPath, Retrainer, logged_states
from stance.annotation.review import review_queue
from stance.annotation.session import Session
from stance.annotation.tui import check_terminal, run
from stance.core.errors import AnnotationError
from stance.core.schema import ADJUDICATIONS, BLIND_SHARE
from stance.corpus.candidates import load_candidates
from stance.corpus.claim_input import registry_claim
from stance.corpus.written import read_written


def annotate(
    annotator: str,
    paths: Paths | None = None,
    *,
    claim: str | None = None,
    limit: int | None = None,
    how: str = "file",
    team: list[str] | None = None,
    overlap: float = 0.0,
    scores: Any = None,
    blind: float = BLIND_SHARE,
    retrain_every: int = 0,
    card_path: CardPath | None = None,
) -> dict[str, Any]:
    """Run the UI for one annotator; returns what was done, and any warnings. With a model
    (`scores`), `retrain_every` > 0 and `card_path`, the model is retrained while they label."""
    paths = paths or Paths()
    check_annotator(annotator)
    if limit is not None and limit < 1:
        raise AnnotationError(f"--limit {limit}: expected a positive number")
    if retrain_every < 0:
        raise AnnotationError(f"--retrain-every {retrain_every}: expected 0 (never) or more")
    guide = load_guidelines(paths.guidelines)
    if claim is not None:
        claim = registry_claim(claim, paths.claims)
    candidates = load_candidates(paths.candidates)
    queue = build_queue(
        candidates,
        annotator,
        claim=claim,
        how=how,
        team=team,
        overlap=overlap,
        scores=scores,
    )
    ctx = context_for(paths, candidates)
    ctx.summary = guide.summary
    path = log_path(paths.annotations, annotator)
    with AnnotationLog(path, annotator) as log:
        warnings = list(log.warnings)
        by_id = {c["id"]: c for c in candidates}
        stale = list(stale_items(log.state.items().values(), by_id))
        if stale:
            warnings.append(describe_stale(path, stale, paths.candidates))
        retrain = None
        if scores is not None and retrain_every > 0 and card_path is not None:

            def retrain(session: Session, lock: threading.Lock) -> Retrainer:
                return Retrainer(
                    candidates,
                    paths.documents,
                    retrain_every,
                    lambda: [(annotator, session, lock)],
                    lambda: logged_states(paths.annotations, {annotator: (log, lock)}),
                    card_path,
                )

        return run_session(log, queue, ctx, guide.version, warnings, limit, blind, retrain)


def run_session(
    log: AnnotationLog,
    queue: list[dict[str, Any]],
    ctx: Any,
    version: str,
    warnings: list[str],
    limit: int | None = None,
    blind: float = BLIND_SHARE,
    retrain: Callable[[Session, threading.Lock], Retrainer] | None = None,
) -> dict[str, Any]:
    """Run the UI over `queue` on an open log; what was done, for the command's summary."""
    check_terminal()  # after the lock: a second process hears that first
    ctx.status = warnings
    session = Session.start(queue, log, log.annotator, version, limit)
    session.blind = blind
    before = len(log.state.events)
    # The UI and the retraining thread share the session: every key takes this lock, the swap
    # of a new model too (for a sort, never for a fit).
    lock = threading.Lock()
    retrainer = retrain(session, lock) if retrain is not None else None
    try:
        run(session, ctx, retrainer, lock)
    finally:
        if retrainer is not None:
            retrainer.stop()
    return {
        "path": log.path,
        "done": session.done,
        "skipped": session.skipped,
        "total": session.total,
        "events": len(log.state.events) - before,
        "warnings": warnings,
    }


def adjudicate(adjudicator: str, paths: Paths | None = None) -> dict[str, Any]:
    paths = paths or Paths()
    check_annotator(adjudicator, "--adjudicator")
    guide = load_guidelines(paths.guidelines)
    candidates = load_candidates(paths.candidates)
    written = read_written(paths.documents, candidates)
    queue, review = review_queue(paths.annotations, candidates, written)
    ctx = context_for(paths, candidates, mode="adjudicate")
    ctx.summary = guide.summary

    def extra(item: dict[str, Any]) -> list[str]:
        lines = []
        for coder, st in sorted(review[item["id"]].items()):
            label = st.stance or ("skipped" if st.decision == "skip" else "-")
            more = f" ({st.response})" if st.response else ""
            flag = f"  FLAG: {st.note or ''}" if st.flag else ""
            lines.append(f"{coder}: {label}{more}{flag}")
        return lines

    ctx.extra = extra
    path = log_path(paths.annotations, ADJUDICATIONS)
    with AnnotationLog(path, adjudicator) as log:
        return run_session(log, queue, ctx, guide.version, list(log.warnings))
