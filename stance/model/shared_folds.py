"""Cross-validation of several model kinds on the same folds, each feature block fitted once.

`train.model: auto` compares every kind (stance.model.train.choose_model) on the same grouped
folds. The kinds share most of their work: the actor view is the same in all three, the
sentence TF-IDF too, the character n-grams are in plain and union, the window and cue blocks
in actor_aware and union. Fitted kind by kind (scikit-learn's `cross_validate`) each fold
computed the view three times and most blocks twice; here each fold computes the view and
each distinct block once, and every kind's own ColumnTransformer stacks and weights the
blocks it has. The classifier of each kind is fitted on exactly the matrix its pipeline
would build, so every fold's score is the one `cross_validate` gives
(tests/test_shared_folds.py checks it, fold by fold).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.metrics import f1_score

from stance.core.schema import LABELS

# A fold's block outputs, by key, while the fold's kinds are fitted: `_Stored` holds only the
# key, so scikit-learn's clone copies a number, not a matrix.
_STORE: dict[int, tuple[Any, Any]] = {}


class _Stored(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """A block already fitted on the fold's training part: hands back its outputs."""

    def __init__(self, key: int = 0):
        self.key = key

    def fit(self, X: Any, y: Any = None) -> _Stored:
        return self

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        return _STORE[self.key][0]

    def transform(self, X: Any) -> Any:
        return _STORE[self.key][1]


def _ident(step: Any, columns: Any = None) -> str:
    """What makes two steps compute the same thing: their kind, parameters and columns."""
    return f"{type(step).__name__}|{step.get_params()!r}|{columns!r}"


def fold_scores(
    pipes: dict[str, Any], X: Any, y: np.ndarray, splits: Sequence[tuple[Any, Any]]
) -> dict[str, list[float]]:
    """Macro-F1 of each pipeline (kind -> an unfitted view/features/clf Pipeline, as
    stance.model.pipeline.build_pipeline makes) on each (train, test) split of X, y."""
    scores: dict[str, list[float]] = {kind: [] for kind in pipes}
    try:
        for tr, te in splits:
            X_tr, X_te, y_tr = X.iloc[tr], X.iloc[te], y[tr]
            views: dict[str, tuple[Any, Any]] = {}  # a view's ident -> (train, test) views
            keys: dict[str, int] = {}  # a block's ident -> its key in _STORE
            for kind, pipe in pipes.items():
                view = pipe.steps[0][1]
                vid = _ident(view)
                if vid not in views:
                    fitted = clone(view)
                    v_tr = fitted.fit_transform(X_tr, y_tr)
                    views[vid] = (v_tr, fitted.transform(X_te))
                v_tr, v_te = views[vid]
                features, clf = clone(pipe.steps[1][1]), clone(pipe.steps[2][1])
                stored = []
                for name, block, columns in features.transformers:
                    bid = vid + "||" + _ident(block, columns)
                    if bid not in keys:
                        own = clone(block)
                        out_tr = own.fit_transform(v_tr[columns], y_tr)
                        keys[bid] = len(keys) + 1
                        _STORE[keys[bid]] = (out_tr, own.transform(v_te[columns]))
                    stored.append((name, _Stored(keys[bid]), columns))
                features.set_params(transformers=stored)
                clf.fit(features.fit_transform(v_tr, y_tr), y_tr)
                pred = clf.predict(features.transform(v_te))
                f1 = f1_score(y[te], pred, average="macro", labels=list(LABELS), zero_division=0)
                scores[kind].append(float(f1))
            _STORE.clear()
    finally:
        _STORE.clear()
    return scores
