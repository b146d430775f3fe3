"""ActorView and SharedText keep scikit-learn's estimator contract: parameters in __init__
only, learned state from `fit` (named with `_`), NotFittedError before `fit`, input feature
names, clone/get_params/set_params, and a skops round trip with identical predictions."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_estimator_cloneable,
    check_estimator_repr,
    check_get_params_invariance,
    check_mixin_order,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
    check_transformers_unfitted,
)

from stance.core.params import defaults
from stance.model.features import ActorView, SharedText
from stance.model.persist import TRUSTED, load, save
from stance.model.pipeline import Registries
from stance.model.train import fit

ALIASES = {"PRK": ["North Korea", "Pyongyang"], "USA": ["Washington", "the FBI"]}
MOSCOW = pd.DataFrame({"sentence": ["Moscow denied it."], "actor": ["RUS"], "claim": ["c"]})
ROWS = [
    ("Pyongyang denied any role in the attack.", "PRK", "oppose"),
    ("North Korea rejected the accusation as groundless.", "PRK", "oppose"),
    ("Moscow said Washington had offered no proof.", "RUS", "oppose"),
    ("The FBI blamed North Korea for the hack.", "USA", "support"),
    ("Washington accused Pyongyang of the attack.", "USA", "support"),
    ("Britain agreed with the US assessment.", "GBR", "support"),
    ("Sony released the film on Wednesday.", "SONY", "neutral"),
    ("Seoul hosted trade talks.", "KOR", "neutral"),
    ("Russia and China held naval drills.", "RUS", "neutral"),
]


def table() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS * 2, columns=["sentence", "actor", "stance"])
    frame["claim"] = "sony-hack-2014"
    return frame


def trained(estimator: str = "logreg") -> object:
    regs = Registries(aliases={**ALIASES, "RUS": ["Moscow", "Russia"]}, ignore=[], claims={})
    return fit(table(), {**defaults("train"), "estimator": estimator}, regs)


ESTIMATORS = [ActorView(aliases=ALIASES, ignore=["the North Korea Times"]), SharedText()]
SKLEARN_CHECKS = [
    check_estimator_cloneable,
    check_estimator_repr,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_get_params_invariance,
    check_set_params,
    check_mixin_order,
    check_transformers_unfitted,
]


@pytest.mark.parametrize("check", SKLEARN_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_sklearn_checks(estimator, check) -> None:
    check(type(estimator).__name__, estimator)


def test_clone_is_unfitted_with_equal_params() -> None:
    view = ActorView(aliases=ALIASES, window=3).fit(MOSCOW)
    twin = clone(view)
    assert twin.get_params() == view.get_params()
    assert not hasattr(twin, "n_features_in_") and not hasattr(twin, "registry_")
    with pytest.raises(NotFittedError):
        twin.transform(MOSCOW)


def test_fit_learns_state_and_leaves_params_alone() -> None:
    view = ActorView(aliases=ALIASES, claims={"c": {"text": "t"}})
    before = copy.deepcopy(view.get_params())
    assert view.fit(MOSCOW) is view
    assert view.get_params() == before
    assert {"registry_", "n_features_in_", "feature_names_in_"} <= set(vars(view))


def test_unfitted_calls_raise_not_fitted() -> None:
    for call in (
        lambda: ActorView().transform(MOSCOW),
        lambda: ActorView().tagger_registry(),
        lambda: ActorView().get_feature_names_out(),
        lambda: SharedText().transform(["x"]),
        lambda: SharedText().get_feature_names_out(),
    ):
        with pytest.raises(NotFittedError):
            call()


def test_input_features() -> None:
    view = ActorView().fit(MOSCOW)
    assert view.n_features_in_ == 3
    assert list(view.feature_names_in_) == ["sentence", "actor", "claim"]
    text = SharedText().fit(pd.Series(["Moscow denied it", "Pyongyang denied it"], name="sentence"))
    assert text.n_features_in_ == 1 and list(text.feature_names_in_) == ["sentence"]
    with pytest.raises(ValueError, match="expects a DataFrame with columns sentence, actor"):
        ActorView().fit(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="missing column 'actor'"):
        ActorView().fit(MOSCOW[["sentence"]])
    # The whole pipeline sees only the columns prediction needs, never the label.
    pipe = trained()
    assert list(pipe.feature_names_in_) == ["sentence", "actor", "claim"]
    assert pipe[1].n_features_in_ == len(pipe[0].get_feature_names_out())


def test_set_params_never_leaves_a_stale_tagger() -> None:
    # The reproduction from issue #8: new aliases after one transform were ignored.
    view = ActorView(aliases=dict(ALIASES)).fit(MOSCOW)
    assert view.transform(MOSCOW)["found"][0] == 0
    view.set_params(aliases={**ALIASES, "RUS": ["Moscow"]})
    assert view.transform(MOSCOW)["found"][0] == 1  # without a new fit
    assert view.fit(MOSCOW).transform(MOSCOW)["found"][0] == 1  # and with one
    view.set_params(ignore=["Moscow denied"])  # an ignore phrase hides the alias inside it
    assert view.transform(MOSCOW)["found"][0] == 0
    view.set_params(ignore=None)
    view.aliases["RUS"] = ["Kremlin"]  # changed in place: still seen
    assert view.transform(MOSCOW)["found"][0] == 0
    # Through the pipeline, by nested parameter name.
    pipe = trained()
    pipe.set_params(view__aliases=ALIASES)
    assert pipe[0].transform(MOSCOW)["found"][0] == 0
    assert "Moscow" not in {
        a for actor in pipe[0].tagger_registry().actors.values() for a in actor.aliases
    }


def test_registry_is_not_part_of_the_saved_state() -> None:
    view = ActorView(aliases=ALIASES).fit(MOSCOW)
    state = view.__getstate__()
    assert "registry_" not in state and "_registry_source" not in state
    assert "registry_" in vars(view)  # getting the state did not strip the live object
    twin = copy.deepcopy(view)
    assert "registry_" not in vars(twin)
    assert twin.transform(MOSCOW).equals(view.transform(MOSCOW))  # rebuilt on first use


@pytest.mark.parametrize("estimator", ["logreg", "linear_svm", "sgd"])
def test_skops_round_trip_predicts_the_same(tmp_path: Path, estimator: str) -> None:
    import skops.io as sio

    pipe = trained(estimator)
    path = tmp_path / "m.skops"
    save(pipe, path, {"note": "test"})
    data = path.read_bytes()
    untrusted = sio.get_untrusted_types(data=data)
    assert set(untrusted) <= set(TRUSTED) and not any("Registry" in t for t in untrusted)
    with zipfile.ZipFile(path) as z:
        assert "Registry" not in z.read("schema.json").decode()
    loaded, card = load(path)
    assert card["note"] == "test" and "registry_" not in vars(loaded[0])
    rows = table()[["sentence", "actor", "claim"]]
    assert np.array_equal(loaded.predict_proba(rows), pipe.predict_proba(rows))
    assert list(loaded.predict(rows)) == list(pipe.predict(rows))
    assert set(loaded[0].tagger_registry().actors) == set(pipe[0].tagger_registry().actors)
