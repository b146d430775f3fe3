"""Query strategies tried against the queue's own order in the active-learning benchmark
(`active_learning.py --dev --orders ...`), for choosing it; the queue itself uses only
stance.annotation.queue. Each takes the unlabelled items (dicts with id, doc_id, sentence),
the model's probabilities for them, the simulated annotator's name and the label counts so far,
and returns the items in the order they would be labelled. Every one keeps a random share
placed by stance.annotation.queue.explored, as the queue does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from stance.annotation.queue import EXPLORE, _margin, explored
from stance.core.schema import LABELS

Items = list[dict[str, Any]]
Probs = list[dict[str, float]]


def _by(items: Items, key: list[float], ann: str, explore: float = EXPLORE) -> Items:
    """Smallest key first, with the random share."""
    return explored(items, sorted(range(len(items)), key=key.__getitem__), ann, explore)


def _entropy(p: dict[str, float]) -> float:
    return -sum(v * math.log(v) for v in p.values() if v > 0)


def _pred(p: dict[str, float]) -> str:
    return max(p, key=p.__getitem__)


def _tfidf(items: Items) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    return vec.fit_transform([str(c["sentence"]) for c in items])


def margin_share(explore: float) -> Callable[..., Items]:
    """Smallest margin first with another random share than the queue's."""
    return lambda items, probs, ann, counts: _by(items, [_margin(p) for p in probs], ann, explore)


def entropy(items: Items, probs: Probs, ann: str, counts: dict[str, int]) -> Items:
    return _by(items, [-_entropy(p) for p in probs], ann)


def least_confident(items: Items, probs: Probs, ann: str, counts: dict[str, int]) -> Items:
    return _by(items, [max(p.values()) for p in probs], ann)


def density(items: Items, probs: Probs, ann: str, counts: dict[str, int]) -> Items:
    """(1 - margin) x mean cosine similarity to the pool in TF-IDF space: doubtful and typical."""
    import numpy as np

    x = _tfidf(items)
    sim = np.asarray(x @ np.asarray(x.mean(axis=0)).ravel()).ravel()
    return _by(items, [-(1 - _margin(p)) * sim[i] for i, p in enumerate(probs)], ann)


def balanced_pool(items: Items, probs: Probs, ann: str, counts: dict[str, int]) -> Items:
    """Margin scaled by the share of the item's predicted label in the pool's predictions: an
    item the model calls by a rare label comes earlier."""
    pred = [_pred(p) for p in probs]
    share = {lab: max(pred.count(lab), 1) / len(pred) for lab in LABELS}
    return _by(items, [_margin(p) * share[pred[i]] for i, p in enumerate(probs)], ann)


def _label_share(counts: dict[str, int]) -> dict[str, float]:
    total = sum(counts.values())
    return {lab: (counts.get(lab, 0) + 1) / (total + len(LABELS)) for lab in LABELS}


def balanced_labels(items: Items, probs: Probs, ann: str, counts: dict[str, int]) -> Items:
    """(1 - margin) divided by the share of the item's predicted label among the labels so
    far: macro-F1 rewards finding the under-represented label."""
    share = _label_share(counts)
    return _by(items, [-(1 - _margin(p)) / share[_pred(p)] for p in probs], ann)


def density_balanced(items: Items, probs: Probs, ann: str, counts: dict[str, int]) -> Items:
    import numpy as np

    x = _tfidf(items)
    sim = np.asarray(x @ np.asarray(x.mean(axis=0)).ravel()).ravel()
    share = _label_share(counts)
    key = [-(1 - _margin(p)) * sim[i] / share[_pred(p)] for i, p in enumerate(probs)]
    return _by(items, key, ann)


def clusters(k: int, explore: float = EXPLORE) -> Callable[..., Items]:
    """k-means (k = the batch) on TF-IDF; clusters take turns, each by margin: a batch is one
    doubtful item per cluster, not near-duplicates."""

    def rank(items: Items, probs: Probs, ann: str, counts: dict[str, int]) -> Items:
        from sklearn.cluster import KMeans

        labels = KMeans(n_clusters=min(k, len(items)), n_init=1, random_state=0).fit_predict(
            _tfidf(items)
        )
        by_margin = sorted(range(len(items)), key=lambda i: _margin(probs[i]))
        seen: dict[int, int] = {}
        rounds = {}
        for i in by_margin:
            rounds[i] = seen.get(labels[i], 0)
            seen[labels[i]] = rounds[i] + 1
        return explored(items, sorted(by_margin, key=rounds.__getitem__), ann, explore)

    return rank


def strategies(batch: int) -> dict[str, Callable[..., Items]]:
    return {
        "entropy": entropy,
        "least_confident": least_confident,
        "density": density,
        "balanced_pool": balanced_pool,
        "balanced_labels": balanced_labels,
        "density_balanced": density_balanced,
        "clusters": clusters(batch),
        "clusters_explore30": clusters(batch, 0.3),
        "margin_explore0": margin_share(0.0),
        "margin_explore10": margin_share(0.1),
        "margin_explore20": margin_share(0.2),
        "margin_explore30": margin_share(0.3),
        "margin_explore50": margin_share(0.5),
    }
