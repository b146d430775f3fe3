"""The stance classifier as one scikit-learn Pipeline, and the registries it is built from.

Steps, in order: the actor view (stance.model.features.ActorView), the feature union, and the
final estimator. Callers reach steps by position (`pipe[0]`, `pipe[-1]`), never by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.core.params import ESTIMATORS
from stance.core.schema import MODEL_KINDS


@dataclass
class Registries:
    aliases: dict[str, list[str]]
    ignore: list[str]
    claims: dict[str, dict[str, Any]]


def load_registries(actors_path: Path, claims_path: Path) -> Registries:
    from stance.corpus.actors import load_registry
    from stance.corpus.claims import load_claims

    reg = load_registry(actors_path)
    claims = load_claims(claims_path, reg)
    return Registries(
        aliases={a.id: [a.name, *a.aliases] for a in reg.actors.values()},
        ignore=list(reg.ignore),
        claims={
            c.id: {"text": c.text, "accusers": list(c.accusers), "accused": list(c.accused)}
            for c in claims.values()
        },
    )


def _class_weight(value: str) -> str | None:
    return None if value == "none" else value


def make_estimator(params: dict[str, Any]) -> Any:
    """The final estimator `train.estimator` names, from its own section of `train`.

    Every choice gives probabilities: the linear SVM through sigmoid calibration on internal
    folds, SGD through a loss that has `predict_proba`.
    """
    name = params["estimator"]
    own = params[name]
    seed = params["seed"]
    if name == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(
            C=own["C"],
            class_weight=_class_weight(own["class_weight"]),
            max_iter=own["max_iter"],
            random_state=seed,
        )
    if name == "linear_svm":
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.svm import LinearSVC

        svm = LinearSVC(
            C=own["C"],
            class_weight=_class_weight(own["class_weight"]),
            max_iter=own["max_iter"],
            random_state=seed,
        )
        return CalibratedClassifierCV(svm, method="sigmoid", cv=own["calibration_folds"])
    if name == "sgd":
        from sklearn.linear_model import SGDClassifier

        return SGDClassifier(
            loss=own["loss"],
            alpha=own["alpha"],
            penalty=own["penalty"],
            class_weight=_class_weight(own["class_weight"]),
            max_iter=own["max_iter"],
            random_state=seed,
        )
    raise ValueError(f"unknown estimator {name!r} (params.yaml train.estimator: {ESTIMATORS})")


def rows_needed_per_label(params: dict[str, Any]) -> int:
    """Rows of each label a training set needs: the calibrated SVM fits one model per
    internal fold, and each fold must see every label."""
    return (
        int(params["linear_svm"]["calibration_folds"]) if params["estimator"] == "linear_svm" else 1
    )


def describe_estimator(params: dict[str, Any], estimator: Any) -> dict[str, Any]:
    """What the model card records about the final estimator."""
    name = params["estimator"]
    inner = getattr(estimator, "estimator", None)  # the SVM inside the calibration
    kind = type(estimator).__name__
    return {
        "name": name,
        "class": kind if inner is None else f"{kind}({type(inner).__name__})",
        "params": params[name],
    }


def build_pipeline(
    params: dict[str, Any],
    aliases: dict[str, list[str]],
    ignore: list[str],
    claims: dict[str, dict[str, Any]],
) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from stance.model.features import ActorView, SharedText
    from stance.model.views import NUMERIC

    ngrams = (1, params["ngram_max"])
    kind = params["model"]
    blocks: list[tuple[str, Any, Any]] = []
    weights = {"sentence": 1.0, "window": 1.0, "cues": params["cue_weight"], "chars": 1.0}
    if kind not in MODEL_KINDS:
        raise ValueError(f"train.model {kind!r}: resolve 'auto' first (stance.model.train)")
    if kind in ("plain", "union"):
        # The plain baseline's extra view: character 2-5 grams of the actor-masked sentence.
        blocks.append(("chars", SharedText(5, params["min_df"], analyzer="char_wb"), "sentence"))
    # The sentence with every actor masked alike: computed once per distinct sentence.
    blocks.insert(0, ("sentence", SharedText(params["ngram_max"], params["min_df"]), "sentence"))
    if kind != "plain":
        blocks += [
            # What surrounds this actor ("ACTORX denied", "against ACTORX"): per row, short.
            (
                "window",
                TfidfVectorizer(ngram_range=ngrams, min_df=params["min_df"], sublinear_tf=True),
                "window",
            ),
            ("cues", StandardScaler(), list(NUMERIC)),
        ]
    features = ColumnTransformer(
        blocks,
        # Relative weight of the cue, holder and role block against the text blocks.
        transformer_weights={name: weights[name] for name, _, _ in blocks},
    )
    view = ActorView(
        aliases=aliases,
        ignore=ignore,
        claims=claims,
        window=params["window"],
        roles=params["roles"],
        role_dropout=params["role_dropout"],
        random_state=params["seed"],
    )
    # Step names serve set_params (`clf__C`); callers reach steps by position.
    return Pipeline([("view", view), ("features", features), ("clf", make_estimator(params))])
