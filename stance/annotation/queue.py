"""Which items an annotator gets, and in what order.

A team shares the work by a hash of the sentence id (the same split on every machine), with a
share of sentences given to everyone for agreement; the order is the file's, a shuffle seeded
by the annotator's name, or the model's least certain items first, with a share of items put at
random places (EXPLORE) so what is labelled stays a sample of the whole, not only of the
model's doubts.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from typing import Any

from stance.core.errors import AnnotationError
from stance.core.schema import QUEUE_ORDERS

EXPLORE = 0.1  # the share of an uncertainty-ordered queue placed at random
SPREAD: str | None = None  # groups taking turns in the uncertain order (uncertain): "doc", "label"


def _unit(key: str) -> float:
    """A stable pseudo-random number in [0, 1) for a key."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") / 2**64


def shows_suggestion(annotator: str, candidate_id: str, blind: float) -> bool:
    """Whether this annotator sees the model's suggestion on this item: a stable `blind`
    share is shown none, so people's agreement with the model can be measured without it."""
    return _unit(f"blind:{annotator}:{candidate_id}") >= blind


def assign(
    candidates: Sequence[dict[str, Any]], annotator: str, team: Sequence[str], overlap: float
) -> list[dict[str, Any]]:
    """This annotator's share. Sentences, not candidates, are routed, so all actors of one
    sentence go to the same people: `overlap` of the sentences to everyone (for agreement),
    the rest to one team member each, by a hash of the sentence id (deterministic)."""
    if not team:
        return list(candidates)
    if annotator not in team:
        raise AnnotationError(f"--annotator {annotator} is not in --team {','.join(team)}")
    if not 0 <= overlap <= 1:
        raise AnnotationError(f"--overlap {overlap}: expected a fraction from 0 to 1")
    members = sorted(team)
    out = []
    for c in candidates:
        sid = c["sentence_id"]
        if _unit("overlap:" + sid) < overlap:
            out.append(c)
        elif members[int(_unit("member:" + sid) * len(members))] == annotator:
            out.append(c)
    return out


def order(
    candidates: list[dict[str, Any]],
    how: str,
    annotator: str,
    scores: Callable[[list[dict[str, Any]]], list[dict[str, float]]] | None = None,
    explore: float = EXPLORE,
    spread: str | None = SPREAD,
) -> list[dict[str, Any]]:
    """`file` keeps the ingest order; `random` shuffles sentences (their actors stay together)
    with a seed from the annotator's name; `uncertain` puts the least certain first (documents
    or the model's labels taking turns, by `spread`), but for an `explore` share of the items,
    placed at random."""
    if how == "file":
        return candidates
    if how == "random":
        by_sentence: dict[str, list[dict[str, Any]]] = {}
        for c in candidates:
            by_sentence.setdefault(c["sentence_id"], []).append(c)
        keys = list(by_sentence)
        random.Random(annotator).shuffle(keys)
        return [c for k in keys for c in by_sentence[k]]
    if how == "uncertain":
        if scores is None:
            raise AnnotationError(
                "--order uncertain needs a trained model: run `stance train` first"
            )
        probs = scores(candidates)
        for c, p in zip(candidates, probs, strict=True):
            c["suggestion"] = p
        return uncertain(candidates, probs, annotator, explore, spread)
    raise AnnotationError(f"--order {how}: expected one of {', '.join(QUEUE_ORDERS)}")


def uncertain(
    candidates: list[dict[str, Any]],
    probs: list[dict[str, float]],
    annotator: str,
    explore: float = EXPLORE,
    spread: str | None = SPREAD,
) -> list[dict[str, Any]]:
    """Smallest margin first. With `spread`, groups take turns, each group's items by margin:
    round one is every group's least certain item, then the second, .... By "doc", a batch
    reaches across documents instead of taking one story's near-duplicates (a model unsure of
    one is unsure of all of them); by "label", the items the model calls support, oppose and
    neutral take turns, so the rarest label is not starved. Each item gets a place in [0, 1);
    an explored item a random one among them. The items are left as they are (`order` gives
    them their suggestions): a new model's order is worked out before it is swapped in."""
    n = len(candidates)
    by_margin = sorted(range(n), key=lambda i: _margin(probs[i]))
    if spread is not None:
        turns: dict[str, list[int]] = {}
        for i in by_margin:
            p = probs[i]
            key = max(p, key=p.__getitem__) if spread == "label" else _doc(candidates[i])
            turns.setdefault(key, []).append(i)
        # Round k of every group, least certain first within the round.
        rounds = {i: k for rows in turns.values() for k, i in enumerate(rows)}
        by_margin = sorted(by_margin, key=rounds.__getitem__)  # stable: margin within a round
    return explored(candidates, by_margin, annotator, explore)


def explored(
    candidates: list[dict[str, Any]], ranked: list[int], annotator: str, explore: float
) -> list[dict[str, Any]]:
    """The candidates in `ranked` order (indices, most wanted first), but for an `explore`
    share of them, each put at a random place: the draw and the place come from a hash of the
    annotator and the item id, so an annotator's queue is the same on every run."""
    n = len(candidates)
    place = [0.0] * n
    for rank, i in enumerate(ranked):
        place[i] = rank / max(n, 1)
    for i, c in enumerate(candidates):
        if _unit(f"explore:{annotator}:{c['id']}") < explore:
            place[i] = _unit(f"place:{annotator}:{c['id']}")
    return [candidates[i] for i in sorted(range(n), key=place.__getitem__)]


def _doc(c: dict[str, Any]) -> str:
    """An item's document; an item that names none is a document of its own."""
    return str(c.get("doc_id") or c["id"])


def _margin(p: dict[str, float]) -> float:
    top = sorted(p.values(), reverse=True) + [0.0, 0.0]
    return top[0] - top[1]


def build_queue(
    candidates: list[dict[str, Any]],
    annotator: str,
    *,
    claim: str | None = None,
    how: str = "file",
    team: list[str] | None = None,
    overlap: float = 0.0,
    scores: Any = None,
) -> list[dict[str, Any]]:
    pool = [c for c in candidates if claim is None or c["claim"] == claim]
    if claim is not None and not pool:
        raise AnnotationError(f"--claim {claim}: no candidates for this claim")
    pool = assign(pool, annotator, team or [], overlap)
    return order(pool, how, annotator, scores)
