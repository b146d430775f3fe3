"""The stance classifier as one scikit-learn Pipeline, and the registries it is built from.

Steps, in order: the actor view (stance.model.features.ActorView), the feature union, and the
final estimator. Callers reach steps by position (`pipe[0]`, `pipe[-1]`), never by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


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


def build_pipeline(
    params: dict[str, Any],
    aliases: dict[str, list[str]],
    ignore: list[str],
    claims: dict[str, dict[str, Any]],
) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from stance.model.features import ActorView, SharedText
    from stance.model.views import NUMERIC

    ngrams = (1, params["ngram_max"])
    features = ColumnTransformer(
        [
            # The sentence with every actor masked alike: computed once per distinct sentence.
            ("sentence", SharedText(params["ngram_max"], params["min_df"]), "sentence"),
            # What surrounds this actor ("ACTORX denied", "against ACTORX"): per row, short.
            (
                "window",
                TfidfVectorizer(ngram_range=ngrams, min_df=params["min_df"], sublinear_tf=True),
                "window",
            ),
            ("cues", StandardScaler(), list(NUMERIC)),
        ],
        # Relative weight of the cue, holder and role block against the two text blocks.
        transformer_weights={"sentence": 1.0, "window": 1.0, "cues": params["cue_weight"]},
    )
    clf = LogisticRegression(
        C=params["C"],
        class_weight=None if params["class_weight"] == "none" else params["class_weight"],
        max_iter=params["max_iter"],
        random_state=params["seed"],
    )
    view = ActorView(aliases=aliases, ignore=ignore, claims=claims, window=params["window"])
    # Step names serve set_params (`clf__C`); callers reach steps by position.
    return Pipeline([("view", view), ("features", features), ("clf", clf)])
