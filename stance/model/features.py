"""Actor-aware features: one sentence looks different to the model for each of its actors.

`ActorView` turns a DataFrame of (sentence, actor[, claim][, mentions]) rows into one row per
input row with these columns (the logic lives in stance.model.views):
- `sentence`: the sentence with every actor's mentions replaced by `OTHERX`, the same for all
  actors of a sentence (so its TF-IDF is computed once per distinct sentence);
- `window`: the words around this actor's mentions, which become `ACTORX`, so n-grams say
  "ACTORX denied" rather than "Pyongyang denied" (the whole masked sentence when the actor is
  not found);
- `cue_<category>` and `win_<category>`: stance-cue counts (stance.model.cues) in the sentence
  and near the actor's mentions;
- `hold_<category>`, `hold_<label>`: cues this actor holds (the agent after "by", the actor
  right before the cue, the reported speaker, or the clause's first actor); `target_<label>`:
  cues held by another actor right before this one ("blamed ACTORX");
- `<role>_hold_<label>`, `<role>_target_<label>`: the same crossed with the actor's role in the
  claim (accuser, accused, other);
- `speaker`, `first`: the actor is a reported speaker, the sentence's first actor;
- `role_<role>`: accuser, accused, other, `author` (the writer's own stance), or unknown;
- `claim_overlap` (share of the claim's content words in the sentence), `question` (a question
  mark), `found` (the actor was found in the sentence), `n_actors`.

An actor that cannot be found in the sentence still gets a row (found = 0), so it still gets a
prediction, flagged as such by stance.model.predict.

`SharedText` is TF-IDF over a column that repeats (the sentence, once per actor in it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from stance.core.schema import ROLE_SOURCES
from stance.corpus.actors import Registry
from stance.model.views import (
    INPUT_COLUMNS,
    NUMERIC,
    TEXT_COLUMNS,
    actor_views,
    alias_registry,
)

REQUIRED, OPTIONAL = INPUT_COLUMNS[:2], INPUT_COLUMNS[2:]
# Rebuilt from the parameters on demand, never persisted: the model file stays plain data and
# a changed `aliases` or `ignore` cannot leave a stale tagger behind.
_DERIVED = ("registry_", "_registry_source")


def _frame_columns(X: Any, who: str) -> list[str]:
    if not isinstance(X, pd.DataFrame):
        raise ValueError(
            f"{who} expects a DataFrame with columns {', '.join(REQUIRED)} "
            f"(optionally {', '.join(OPTIONAL)}), got {type(X).__name__}"
        )
    missing = [c for c in REQUIRED if c not in X.columns]
    if missing:
        raise ValueError(f"{who}: missing column {missing[0]!r} (got {', '.join(map(str, X))})")
    return [str(c) for c in X.columns]


class ActorView(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Per-(sentence, actor) text views and cue features (see the module docstring).

    aliases: actor id -> names, so tables without mention offsets can be tagged at predict
    time without the registry file; ignore: phrases that name no actor; claims: claim id ->
    {"text", "accusers", "accused"}; window: words either side of a mention; roles: where
    claim roles come from (registry, text, none: stance.model.views.ROLE_SOURCES);
    role_dropout: share of training rows whose roles are read from the claim text instead of
    the registry (fit_transform only, with roles="registry"), drawn with random_state.
    """

    def __init__(
        self,
        aliases: dict[str, list[str]] | None = None,
        ignore: list[str] | None = None,
        claims: dict[str, dict[str, Any]] | None = None,
        window: int = 6,
        roles: str = "registry",
        role_dropout: float = 0.0,
        random_state: int = 0,
    ):
        self.aliases = aliases
        self.ignore = ignore
        self.claims = claims
        self.window = window
        self.roles = roles
        self.role_dropout = role_dropout
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: Any = None) -> ActorView:
        columns = _frame_columns(X, type(self).__name__)
        self.feature_names_in_ = np.asarray(columns, dtype=object)
        self.n_features_in_ = len(columns)
        for name in _DERIVED:
            self.__dict__.pop(name, None)
        self.tagger_registry()
        return self

    def tagger_registry(self) -> Registry:
        """The actor tagger built from `aliases` and `ignore`, as `transform` uses it.

        Built in `fit`, dropped from the saved state and rebuilt on first use after loading,
        and rebuilt whenever `aliases` or `ignore` no longer match what it was built from
        (after `set_params`, even without a new `fit`).
        """
        check_is_fitted(self)
        # Compared as copies: a caller mutating its dict in place must still be seen.
        source = (
            None if self.aliases is None else {k: list(v) for k, v in self.aliases.items()},
            None if self.ignore is None else list(self.ignore),
        )
        if self.__dict__.get("_registry_source") != source:
            self.registry_ = alias_registry(self.aliases, self.ignore)
            self._registry_source = source
        return self.registry_  # type: ignore[no-any-return]

    def __getstate__(self) -> dict[str, Any]:
        # A copy: object.__getstate__ hands back the live __dict__.
        state = dict(super().__getstate__())
        for name in _DERIVED:
            state.pop(name, None)
        return state

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self)
        return np.array([*TEXT_COLUMNS, *NUMERIC], dtype=object)

    def fit_transform(self, X: pd.DataFrame, y: Any = None, **fit_params: Any) -> pd.DataFrame:
        """fit, then transform with role dropout: a `role_dropout` share of the training rows
        (drawn with `random_state`) lose what the registry adds to their claim's text (the
        accusers, mostly), so the model also learns from the roles a claim given as text
        has. Never at predict."""
        self.fit(X, y)
        return self._views(X, self.role_dropout)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        return self._views(X, 0.0)

    def _views(self, X: pd.DataFrame, dropout: float) -> pd.DataFrame:
        check_is_fitted(self)
        _frame_columns(X, type(self).__name__)
        n = len(X)
        columns: tuple[list[Any], list[Any], list[Any], list[Any]] = (
            X["sentence"].astype(str).tolist(),
            X["actor"].astype(str).tolist(),
            X["claim"].tolist() if "claim" in X.columns else [None] * n,
            X["mentions"].tolist() if "mentions" in X.columns else [None] * n,
        )
        reg, claims = self.tagger_registry(), self.claims or {}
        sentences, windows, numeric = actor_views(*columns, reg, claims, self.window, self.roles)
        if dropout > 0 and self.roles == ROLE_SOURCES[0]:
            # Dropped rows see the roles their claim's text gives (the accused, and accusers
            # only where the text names them), as a claim given as text will at predict time.
            rows = np.flatnonzero(np.random.default_rng(self.random_state).random(n) < dropout)
            sents, actors, claim_col, mention_col = ([col[i] for i in rows] for col in columns)
            numeric[rows] = actor_views(
                sents, actors, claim_col, mention_col, reg, claims, self.window, ROLE_SOURCES[1]
            )[2]
        frame = pd.DataFrame(numeric, columns=list(NUMERIC))
        frame.insert(0, TEXT_COLUMNS[1], windows)
        frame.insert(0, TEXT_COLUMNS[0], sentences)
        return frame


def _texts(X: Any) -> pd.Series:
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise ValueError(f"SharedText expects one text column, got {X.shape[1]}")
        return X.iloc[:, 0]
    return pd.Series(np.asarray(X, dtype=object).ravel())


class SharedText(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """TF-IDF over a text column that repeats (a sentence, once per actor in it): each
    distinct text is analysed once and its row copied, so cost follows distinct sentences."""

    def __init__(self, ngram_max: int = 2, min_df: int = 1, analyzer: str = "word"):
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.analyzer = analyzer

    def fit(self, X: Any, y: Any = None) -> SharedText:
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = _texts(X)
        self.n_features_in_ = 1
        # A named column (a DataFrame's, or the Series ColumnTransformer passes) is the input
        # feature's name, as scikit-learn records it for DataFrames.
        name = X.columns[0] if isinstance(X, pd.DataFrame) else getattr(X, "name", None)
        if isinstance(name, str):
            self.feature_names_in_ = np.asarray([name], dtype=object)
        # Characters: 2..ngram_max within word boundaries ("char_wb"); words: 1..ngram_max.
        low = 2 if self.analyzer == "char_wb" else 1
        self.vectorizer_ = TfidfVectorizer(
            analyzer=self.analyzer,
            ngram_range=(low, self.ngram_max),
            min_df=self.min_df,
            sublinear_tf=True,
        ).fit(texts.drop_duplicates())
        return self

    def transform(self, X: Any) -> Any:
        check_is_fitted(self)
        codes, uniques = pd.factorize(_texts(X))
        return self.vectorizer_.transform(uniques)[codes]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self)
        return self.vectorizer_.get_feature_names_out()  # type: ignore[no-any-return]
