"""The one predictor: probabilities for (sentence, actor[, claim][, mentions]) rows from a
model's plain-data export (stance.model.export), with NumPy and scipy.sparse only.

`stance predict` (text, tables, every engine), `stance evaluate`, `stance annotate` and the web
suggestions all predict through `Predictor.predict`; training checks it against the fitted
pipeline (export.check) and refuses a pipeline it cannot reproduce. The actor view is computed
by the same code as training (stance.model.views.actor_views); its TF-IDF is the batch one of
stance.model.tfidf, several times faster than scikit-learn's per-document one.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np

from stance.core.gcpause import gc_paused
from stance.corpus.actors import Registry
from stance.model.export import FORMAT, INDEX, LINKS, CannotExport, export
from stance.model.tfidf import char_wb_tfidf, closed, distinct, word_tfidf
from stance.model.views import NUMERIC, actor_views, alias_registry

_FOUND = NUMERIC.index("found")


class Prediction(NamedTuple):
    labels: list[str]
    scores: list[dict[str, float]]  # {label: probability}, rounded to 4 places
    found: list[bool]  # whether each row's actor was found in its sentence
    probs: np.ndarray  # rows x classes, in `Predictor.classes` order
    numeric: np.ndarray  # the view's NUMERIC features (the cue rules read them)


class Predictor:
    """Probabilities for rows, from the members `export` wrote (a dict, or the archive)."""

    def __init__(self, members: dict[str, bytes] | zipfile.ZipFile):
        read = members.read if isinstance(members, zipfile.ZipFile) else members.__getitem__
        index = json.loads(read(INDEX))
        if index.get("format") != FORMAT or index.get("link") not in LINKS:
            raise CannotExport(f"unknown export format {index.get('format')}")

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

    @classmethod
    def of(cls, pipe: Any) -> Predictor:
        """The predictor of a pipeline fitted in this process (cross-validation folds,
        learning curves): the same export a saved model carries, made in ~5 ms."""
        return cls(export(pipe))

    @property
    def claims(self) -> dict[str, dict[str, Any]]:
        """Claim id -> {text, accusers, accused}: the claims the model knows."""
        return self.view["claims"] or {}  # type: ignore[no-any-return]

    @claims.setter
    def claims(self, claims: dict[str, dict[str, Any]]) -> None:
        # For this run only (leave-one-claim-out hides the held-out claim): the file is not
        # changed.
        self.view["claims"] = dict(claims)

    def add_claims(self, extra: dict[str, dict[str, Any]]) -> None:
        """Know these claims too, for this run (the model file is not changed)."""
        if extra:
            self.view["claims"] = {**self.claims, **extra}

    @property
    def registry(self) -> Registry:
        """The actor tagger for rows without mention offsets, from the model's aliases."""
        if self._registry is None:
            self._registry = alias_registry(self.view["aliases"], self.view["ignore"])
        return self._registry

    def predict(self, rows: Any) -> Prediction:
        """Labels and probabilities for `rows`: a DataFrame, or a dict of equal-length
        sequences, with `sentence` and `actor` and optionally `claim` and `mentions`."""
        n = len(rows["sentence"])

        def column(name: str, as_str: bool = False) -> list[Any]:
            if name not in rows:
                return [None] * n
            values = rows[name]
            if as_str:
                # As ActorView reads a DataFrame: `astype(str)`, so a missing cell is "nan".
                return (
                    values.astype(str).tolist()
                    if hasattr(values, "astype")
                    else [str(v) for v in values]
                )
            return values.tolist() if hasattr(values, "tolist") else list(values)

        generic, windows, numeric = actor_views(
            column("sentence", True),
            column("actor", True),
            column("claim"),
            column("mentions"),
            self.registry,
            self.claims,
            self.view["window"],
            self.view.get("roles", "registry"),  # models exported before roles had a choice
        )
        probs = self._proba(generic, windows, numeric)
        labels = np.asarray(self.classes, dtype=object)[probs.argmax(axis=1)].tolist()
        # map(dict, map(zip, ...)): no Python frame per row (a quarter of this step's time)
        scores = list(map(dict, map(zip, repeat(self.classes), probs.round(4).tolist())))
        found = (numeric[:, _FOUND] != 0).tolist()
        return Prediction(labels, scores, found, probs, numeric)

    @gc_paused
    def _proba(
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
