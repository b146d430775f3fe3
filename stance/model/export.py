"""The fitted pipeline as plain data: what `stance.model.predictor.Predictor` evaluates.

At training time (scikit-learn loaded), `export` writes what the pipeline computes after the
actor view (view parameters, TF-IDF vocabularies and idf, scaler statistics, linear
coefficients and the link that turns scores into probabilities) as JSON and .npy members of
the model archive, and `check` compares the Predictor's probabilities with the pipeline's on
real rows. A pipeline it cannot reproduce is a training error (CannotExport): every prediction
`stance` makes goes through the export, so there is no second path to drift from the first.

Importing scikit-learn costs ~1.8 s (it imports SciPy's stats and pandas), skops ~0.8 s more:
most of a one-sentence prediction. The export needs NumPy and scipy.sparse only, and reading
it runs no code from the file (`json.loads`, `np.load(..., allow_pickle=False)`).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import numpy as np

from stance.model.tfidf import TOKEN_PATTERN
from stance.model.views import NUMERIC

FORMAT = 1
# The members' folder in the archive; its name predates the module's, and stays so that models
# already trained keep loading.
PREFIX = "stance-compiled/"
INDEX = PREFIX + "model.json"
LINKS = ("softmax", "ovr_logistic", "modified_huber", "sigmoid_calibrated")
# The TfidfVectorizer settings stance.model.tfidf implements; anything else is not exported.
_TOKEN_PATTERN = TOKEN_PATTERN
_VECTORIZER = {
    "analyzer": "word",
    "binary": False,
    "input": "content",
    "lowercase": True,
    "norm": "l2",
    "preprocessor": None,
    "stop_words": None,
    "strip_accents": None,
    "token_pattern": _TOKEN_PATTERN,
    "tokenizer": None,
    "use_idf": True,
    "vocabulary": None,
}


class CannotExport(Exception):
    "The pipeline holds something the plain-data predictor does not reproduce."


def has_export(archive: zipfile.ZipFile) -> bool:
    return INDEX in archive.namelist()


# ---- writing (at training time, with scikit-learn loaded) ----------------------------------


def export(pipe: Any) -> dict[str, bytes]:
    """Archive members (name -> bytes) describing `pipe`; CannotExport if it is not the
    view + features + linear model this module knows."""
    from stance.model.features import ActorView

    if not isinstance(pipe[0], ActorView):
        raise CannotExport(f"first step {type(pipe[0]).__name__}")
    view, features, final = pipe[0], pipe[1], pipe[-1]
    arrays: dict[str, np.ndarray] = {}

    def array(name: str, value: Any) -> str:
        member = f"{PREFIX}{name}.npy"
        arrays[member] = np.asarray(value, dtype=np.float64)
        return member

    index: dict[str, Any] = {
        "format": FORMAT,
        "view": {
            "aliases": view.aliases,
            "ignore": view.ignore,
            "claims": view.claims,
            "window": view.window,
            "roles": view.roles,
        },
        "blocks": _export_blocks(features, array),
        "classes": [str(c) for c in final.classes_],
        **_export_final(final, array),
    }
    if len(index["classes"]) < 3:
        raise CannotExport("a model with fewer than three labels")
    members = {INDEX: json.dumps(index).encode()}
    for member, value in arrays.items():
        buf = io.BytesIO()
        np.save(buf, value, allow_pickle=False)
        members[member] = buf.getvalue()
    return members


def _export_blocks(features: Any, array: Any) -> list[dict[str, Any]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import StandardScaler

    from stance.model.features import SharedText

    weights = features.transformer_weights or {}
    blocks = []
    for name, trans, columns in features.transformers_:
        if isinstance(trans, str):
            if trans == "drop":
                continue
            raise CannotExport(f"column block {name!r} is {trans!r}")
        where = features.output_indices_[name]
        block: dict[str, Any] = {
            "name": name,
            "start": where.start,
            "stop": where.stop,
            "weight": float(weights.get(name, 1.0)),
        }
        vec = trans.vectorizer_ if isinstance(trans, SharedText) else trans
        if isinstance(vec, TfidfVectorizer) and isinstance(columns, str):
            params = vec.get_params()
            # Word n-grams, or the plain model's character n-grams within word boundaries.
            odd = [
                k
                for k, v in _VECTORIZER.items()
                if params[k] != v and not (k == "analyzer" and params[k] == "char_wb")
            ]
            if odd:
                raise CannotExport(f"TF-IDF block {name!r} sets {', '.join(odd)}")
            terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
            block.update(
                kind="tfidf",
                analyzer=params["analyzer"],
                column=columns,
                ngram_range=list(params["ngram_range"]),
                sublinear_tf=bool(params["sublinear_tf"]),
                terms=terms,
                idf=array(f"{name}_idf", vec.idf_),
            )
        elif isinstance(trans, StandardScaler) and list(columns) == list(NUMERIC):
            if not (trans.with_mean and trans.with_std):
                raise CannotExport(f"scaler block {name!r} does not centre and scale")
            block.update(
                kind="scaler",
                mean=array(f"{name}_mean", trans.mean_),
                scale=array(f"{name}_scale", trans.scale_),
            )
        else:
            raise CannotExport(f"column block {name!r} ({type(trans).__name__})")
        blocks.append(block)
    return blocks


def _export_final(final: Any, array: Any) -> dict[str, Any]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression, SGDClassifier

    def linear(est: Any, i: int) -> dict[str, Any]:
        if est.coef_.shape[0] < 3:
            raise CannotExport("a binary linear model")
        return {
            "coef": array(f"coef_{i}", est.coef_),
            "intercept": array(f"intercept_{i}", est.intercept_),
        }

    if isinstance(final, LogisticRegression):
        return {"link": "softmax", "members": [linear(final, 0)]}
    if isinstance(final, SGDClassifier) and final.loss == "log_loss":
        return {"link": "ovr_logistic", "members": [linear(final, 0)]}
    if isinstance(final, SGDClassifier) and final.loss == "modified_huber":
        return {"link": "modified_huber", "members": [linear(final, 0)]}
    if isinstance(final, CalibratedClassifierCV) and final.method == "sigmoid":
        members = []
        classes = [str(c) for c in final.classes_]
        for i, cal in enumerate(final.calibrated_classifiers_):
            member = linear(cal.estimator, i)
            member["columns"] = [classes.index(str(c)) for c in cal.estimator.classes_]
            member["a"] = array(f"sigmoid_a_{i}", [c.a_ for c in cal.calibrators])
            member["b"] = array(f"sigmoid_b_{i}", [c.b_ for c in cal.calibrators])
            members.append(member)
        return {"link": "sigmoid_calibrated", "members": members}
    raise CannotExport(f"final estimator {type(final).__name__}")


def check(pipe: Any, members: dict[str, bytes], frame: Any, atol: float = 1e-9) -> float:
    """The largest difference between the pipeline's and the Predictor's probabilities on
    `frame`'s rows; CannotExport when they differ by more than `atol`."""
    from stance.model.predictor import Predictor

    n = len(frame)
    mine = Predictor(members).predict(frame).probs
    theirs = pipe.predict_proba(frame)
    diff = float(np.abs(mine - theirs).max()) if n else 0.0
    if not diff <= atol:
        raise CannotExport(f"probabilities differ by up to {diff:.2e} from the pipeline's")
    return diff
