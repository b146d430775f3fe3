"""Every model kind cross-validated on shared folds scores what scikit-learn's own
`cross_validate` of its pipeline scores, fold by fold (stance.model.shared_folds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_validate

from stance.core.params import load_params
from stance.core.paths import PATHS
from stance.core.schema import LABELS, MODEL_KINDS
from stance.model.pipeline import build_pipeline
from stance.model.shared_folds import _STORE, fold_scores
from stance.model.train import load_registries
from tests.conftest import ROOT
from tests.test_model import ROWS

# Each row again with other names in it, so folds see the same patterns on other actors.
SWAPS = [("North Korea", "Pyongyang"), ("Washington", "the US"), ("Moscow", "Russia")]


def frame() -> pd.DataFrame:
    rows = list(ROWS)
    for old, new in SWAPS:
        rows += [(s.replace(old, new), a, y) for s, a, y in ROWS if old in s]
    rows += [(s.replace(".", " on Friday."), a, y) for s, a, y in ROWS]
    out = pd.DataFrame(rows, columns=["sentence", "actor", "stance"])
    out["claim"] = "sony-hack-2014"
    return out


def sklearn_scores(pipe, X, y, splits) -> list[float]:
    def scorer(estimator, X_test, y_test) -> float:
        pred = estimator.predict(X_test)
        return f1_score(y_test, pred, average="macro", labels=list(LABELS), zero_division=0)

    return cross_validate(pipe, X, y, cv=splits, scoring=scorer)["test_score"].tolist()


def test_every_kind_scores_as_its_own_pipeline() -> None:
    params = load_params(ROOT / "params.yaml", "train")
    regs = load_registries(ROOT / PATHS.actors, ROOT / PATHS.claims)
    data = frame()
    X, y = data[["sentence", "actor", "claim"]], data["stance"].to_numpy()
    splits = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    pipes = {
        kind: build_pipeline({**params, "model": kind}, regs.aliases, regs.ignore, regs.claims)
        for kind in MODEL_KINDS
    }
    # One kind with another window: a view of its own, not the shared one.
    odd = build_pipeline(
        {**params, "model": "union", "window": 2}, regs.aliases, regs.ignore, regs.claims
    )
    shared = fold_scores({**pipes, "odd": odd}, X, y, splits)
    for kind, pipe in {**pipes, "odd": odd}.items():
        assert shared[kind] == sklearn_scores(pipe, X, y, splits), kind
    assert len({tuple(v) for v in shared.values()}) > 1  # the kinds do differ
    assert not _STORE  # nothing kept after the run


def test_a_failing_fit_leaves_nothing_stored() -> None:
    params = load_params(ROOT / "params.yaml", "train")
    regs = load_registries(ROOT / PATHS.actors, ROOT / PATHS.claims)
    data = frame()
    X, y = data[["sentence", "actor", "claim"]], data["stance"].to_numpy()
    one_label = [(np.arange(6), np.arange(6, 12))]  # six rows of one label: no fit
    pipe = build_pipeline({**params, "model": "plain"}, regs.aliases, regs.ignore, regs.claims)
    with pytest.raises(ValueError):
        fold_scores({"plain": pipe}, X, np.array(["oppose"] * len(y)), one_label)
    assert not _STORE
