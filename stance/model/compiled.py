"""The fitted pipeline as plain data, so `stance predict TEXT` needs NumPy and scipy.sparse.

Importing scikit-learn costs ~1.8 s here (it imports SciPy's stats and pandas), skops ~0.8 s
more: most of a one-sentence prediction; scipy.sparse alone costs 0.1 s. After the actor view
the pipeline is linear: TF-IDF blocks, a standard scaler and a linear model whose scores go
through a fixed link (softmax, one-vs-rest logistic, modified Huber, or per-class sigmoids
for the calibrated SVM).
`export` writes what that needs (view parameters, vocabularies, idf, scaler statistics,
coefficients) as JSON and .npy members of the model archive; `CompiledModel` evaluates them,
computing the view with the same code as training (stance.model.views). `export` refuses
any pipeline it cannot reproduce, and `check` compares both on real rows at training time.
Tables (`stance predict --input`) use the same evaluation after the pipeline's own actor view
(`pipeline_proba`): its batch TF-IDF (stance.model.tfidf) is several times faster than
scikit-learn's per-document one.

Reading runs no code from the file: `json.loads` and `np.load(..., allow_pickle=False)`.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from typing import Any

import numpy as np

from stance.core.gcpause import gc_paused
from stance.corpus.actors import Registry
from stance.model.tfidf import TOKEN_PATTERN, char_wb_tfidf, closed, distinct, word_tfidf
from stance.model.views import NUMERIC, actor_views, alias_registry

FORMAT = 1
PREFIX = "stance-compiled/"
INDEX = PREFIX + "model.json"
LINKS = ("softmax", "ovr_logistic", "modified_huber", "sigmoid_calibrated")
# The TfidfVectorizer settings stance.model.tfidf implements; anything else is not compiled.
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


class CannotCompile(Exception):
    "The pipeline holds something the plain-data predictor does not reproduce."


def has_export(archive: zipfile.ZipFile) -> bool:
    return INDEX in archive.namelist()


# ---- writing (at training time, with scikit-learn loaded) ----------------------------------


def export(pipe: Any) -> dict[str, bytes]:
    """Archive members (name -> bytes) describing `pipe`; CannotCompile if it is not the
    view + features + linear model this module knows."""
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
        raise CannotCompile("a model with fewer than three labels")
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
            raise CannotCompile(f"column block {name!r} is {trans!r}")
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
                raise CannotCompile(f"TF-IDF block {name!r} sets {', '.join(odd)}")
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
                raise CannotCompile(f"scaler block {name!r} does not centre and scale")
            block.update(
                kind="scaler",
                mean=array(f"{name}_mean", trans.mean_),
                scale=array(f"{name}_scale", trans.scale_),
            )
        else:
            raise CannotCompile(f"column block {name!r} ({type(trans).__name__})")
        blocks.append(block)
    return blocks


def _export_final(final: Any, array: Any) -> dict[str, Any]:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression, SGDClassifier

    def linear(est: Any, i: int) -> dict[str, Any]:
        if est.coef_.shape[0] < 3:
            raise CannotCompile("a binary linear model")
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
    raise CannotCompile(f"final estimator {type(final).__name__}")


def check(pipe: Any, members: dict[str, bytes], frame: Any, atol: float = 1e-9) -> float:
    """The largest difference between the pipeline's and the export's probabilities on
    `frame`'s rows; CannotCompile when they differ by more than `atol`."""
    model = CompiledModel(members)
    n = len(frame)

    def column(name: str) -> list[Any]:
        return frame[name].tolist() if name in frame.columns else [None] * n

    mine, _ = model.predict_proba(
        frame["sentence"].astype(str).tolist(),
        frame["actor"].astype(str).tolist(),
        column("claim"),
        column("mentions"),
    )
    theirs = pipe.predict_proba(frame)
    diff = float(np.abs(mine - theirs).max()) if n else 0.0
    if not diff <= atol:
        raise CannotCompile(f"probabilities differ by up to {diff:.2e} from the pipeline's")
    return diff


def compile_pipeline(pipe: Any) -> CompiledModel | None:
    """The plain-data export of a fitted pipeline, or None when it cannot be compiled."""
    from stance.model.features import ActorView

    try:
        if not isinstance(pipe[0], ActorView):
            raise CannotCompile(f"first step {type(pipe[0]).__name__}")
        return CompiledModel(export(pipe))
    except CannotCompile:
        return None


def pipeline_proba(pipe: Any, view: Any, compiled: CompiledModel | None = None) -> np.ndarray:
    """`pipe[1:].predict_proba(view)` for a batch of actor views (ActorView's output): the
    same probabilities (to ~1e-15, the order of a sum) from the export of the fitted pipeline,
    several times faster than scikit-learn's per-document TF-IDF; the pipeline's own when it
    cannot be compiled. Without `compiled` (made by `compile_pipeline` from this same `pipe`,
    and reused across the batches of one run: it keeps what it learns of the batches' words)
    the export is made here (~5 ms), so a refitted pipeline is never evaluated with stale
    coefficients."""
    model = compiled if compiled is not None else compile_pipeline(pipe)
    if model is None:
        return pipe[1:].predict_proba(view)  # type: ignore[no-any-return]
    numeric = view[list(NUMERIC)].to_numpy(dtype=np.float64)
    return model.proba_from_view(view["sentence"].tolist(), view["window"].tolist(), numeric)


# ---- reading (at prediction time, NumPy and scipy.sparse only) ----------------------------


class CompiledModel:
    """Probabilities for (sentence, actor, claim, mentions) rows from the exported data."""

    def __init__(self, members: dict[str, bytes] | zipfile.ZipFile):
        read = members.read if isinstance(members, zipfile.ZipFile) else members.__getitem__
        index = json.loads(read(INDEX))
        if index.get("format") != FORMAT or index.get("link") not in LINKS:
            raise CannotCompile(f"unknown compiled format {index.get('format')}")

        def array(member: str) -> np.ndarray:
            return np.load(io.BytesIO(read(member)), allow_pickle=False)

        self.view = index["view"]
        self.classes: list[str] = index["classes"]
        self.link: str = index["link"]
        self.blocks = []
        for block in index["blocks"]:
            block = dict(block)
            if block["kind"] == "tfidf":
                block["vocab"] = {t: i for i, t in enumerate(block.pop("terms"))}
                block.setdefault("analyzer", "word")  # exports before character n-grams
                block["closed"] = block["analyzer"] == "word" and closed(
                    block["vocab"], block["ngram_range"]
                )
                block["idf"] = array(block["idf"])
                block["grams"] = {}  # word -> its character n-gram columns, across batches
            else:
                block["mean"], block["scale"] = array(block["mean"]), array(block["scale"])
            self.blocks.append(block)
        self.members = [
            {k: array(v) if k in ("coef", "intercept", "a", "b") else v for k, v in m.items()}
            for m in index["members"]
        ]
        self._registry: Registry | None = None

    def tagger_registry(self) -> Registry:
        if self._registry is None:
            self._registry = alias_registry(self.view["aliases"], self.view["ignore"])
        return self._registry

    def predict_proba(
        self,
        sentences: Sequence[str],
        actors: Sequence[str],
        claims: Sequence[Any],
        mentions: Sequence[Any],
    ) -> tuple[np.ndarray, list[bool]]:
        """Probabilities (rows x classes) and whether each actor was found."""
        generic, windows, numeric = actor_views(
            sentences,
            actors,
            claims,
            mentions,
            self.tagger_registry(),
            self.view["claims"] or {},
            self.view["window"],
            self.view.get("roles", "registry"),  # models exported before roles had a choice
        )
        found = [bool(f) for f in numeric[:, NUMERIC.index("found")]]
        return self.proba_from_view(generic, windows, numeric), found

    @gc_paused
    def proba_from_view(
        self, generic: Sequence[str], windows: Sequence[str], numeric: np.ndarray
    ) -> np.ndarray:
        """Probabilities from the actor view's columns (what ActorView.transform gives)."""
        texts = {"sentence": generic, "window": windows}
        n = len(numeric)
        decisions = [np.tile(m["intercept"], (n, 1)) for m in self.members]
        tokenized: dict[str, list[str]] = {}
        for b in self.blocks:
            if b["kind"] == "tfidf":
                # Each distinct text once (a sentence recurs once per actor), then its
                # decision-function share is copied to every row that has it.
                codes, uniques = distinct(texts[b["column"]])
                if b["analyzer"] == "char_wb":
                    matrix = char_wb_tfidf(
                        uniques,
                        b["vocab"],
                        b["idf"],
                        b["ngram_range"],
                        b["sublinear_tf"],
                        b["grams"],
                    )
                else:
                    matrix = word_tfidf(
                        uniques,
                        b["vocab"],
                        b["idf"],
                        b["ngram_range"],
                        b["sublinear_tf"],
                        tokenized,
                        b["closed"],
                    )
                for member, decision in zip(self.members, decisions, strict=True):
                    share = matrix @ member["coef"][:, b["start"] : b["stop"]].T
                    decision += share[codes] * b["weight"]
            else:
                scaled = (numeric - b["mean"]) / b["scale"] * b["weight"]
                for member, decision in zip(self.members, decisions, strict=True):
                    decision += scaled @ member["coef"][:, b["start"] : b["stop"]].T
        probs = np.zeros((n, len(self.classes)))
        for member, decision in zip(self.members, decisions, strict=True):
            probs += self._link(decision, member)
        return probs / len(self.members)  # type: ignore[no-any-return]

    def _link(self, d: np.ndarray, member: dict[str, Any]) -> np.ndarray:
        # The formulas of LogisticRegression, SGDClassifier and CalibratedClassifierCV's
        # predict_proba (scikit-learn 1.9), including their all-zero-row fallbacks.
        if self.link == "softmax":
            e = np.exp(d - d.max(axis=1, keepdims=True))
            return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]
        if self.link == "sigmoid_calibrated":
            p = np.zeros((len(d), len(self.classes)))
            for j, col in enumerate(member["columns"]):
                p[:, col] = _expit(-(member["a"][j] * d[:, j] + member["b"][j]))
            total = p.sum(axis=1, keepdims=True)
            uniform = np.full_like(p, 1 / len(self.classes))
            return np.divide(p, total, out=uniform, where=total != 0)
        p = _expit(d) if self.link == "ovr_logistic" else (np.clip(d, -1, 1) + 1) / 2
        total = p.sum(axis=1)
        p[total == 0] = 1
        total[total == 0] = p.shape[1]
        return p / total[:, None]  # type: ignore[no-any-return]


def _expit(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))  # type: ignore[no-any-return]
