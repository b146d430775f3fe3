"""Actor-aware features: one sentence looks different to the model for each of its actors.

`ActorView` turns rows of (sentence, actor, claim[, mentions]) into:
- `masked`: the sentence with this actor's mentions replaced by `ACTORX` and every other
  actor's by `OTHERX`, so n-grams say "ACTORX denied" rather than "Pyongyang denied";
- `window`: the masked words around this actor's mentions;
- cue counts (stance.model.cues) in the sentence and in the window, and whether this actor is the
  subject of a cue (the nearest actor before it: "ACTORX denied"), its object ("blamed ACTORX"),
  or the speaker ("..., ACTORX said");
- the actor's role in the claim (accuser, accused, other; `author` for the writer's own stance),
  overlap with the claim text, a question mark, and whether the actor was found at all.

An actor that cannot be found in the sentence still gets a row (found = 0), so it still gets a
prediction, flagged as such by stance.model.predict.
"""

from __future__ import annotations

import re
import weakref
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from stance.core.schema import AUTHOR
from stance.corpus.actors import Actor, Registry
from stance.model.cues import CATEGORIES, LEXICON, STANCE_CUES, find_cues

ROLES = ("accuser", "accused", "other", "author", "unknown")
POLARITIES = ("support", "oppose")
NUMERIC = (
    [f"cue_{c}" for c in CATEGORIES]
    + [f"win_{c}" for c in CATEGORIES]
    + [f"hold_{c}" for c in STANCE_CUES]
    + [f"hold_{p}" for p in POLARITIES]
    + [f"target_{p}" for p in POLARITIES]
    + [f"{r}_{k}_{p}" for r in ROLES[:3] for k in ("hold", "target") for p in POLARITIES]
    + ["speaker", "first"]
    + [f"role_{r}" for r in ROLES]
    + ["claim_overlap", "question", "found", "n_actors"]
)
_AGENT = re.compile(r"\s+(?:made\s+|issued\s+|levelled\s+)?by\s+(?:the\s+)?")
# What may stand between an actor and the cue it holds: a possessive and auxiliaries
# ("Washington's assessment", "Pyongyang has again denied"); an opening quote may not (the cue
# is then quoted speech, held by whoever speaks it).
_GAP = re.compile(r"(?:['’]s)?(?:\s+(?:has|have|had|was|were|is|are|also|again|on\s+\w+day))*\s*$")
_CLAUSE = re.compile(r"[:;—]")
_WORD3 = re.compile(r"\w{3,}")  # content words: three letters or more
_STOP = frozenset(
    "the a an of to in on at for and or but by with from that this is was are were be been it its "
    "as has have had will would said says".split()
)
_REGISTRIES: weakref.WeakKeyDictionary[Any, Registry] = weakref.WeakKeyDictionary()


@lru_cache(maxsize=4096)
def _content(text: str) -> frozenset[str]:
    # Cached: a sentence recurs once per actor in it, a claim once per row.
    return frozenset(_WORD3.findall(text.lower())) - _STOP


class ActorView(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Per-(sentence, actor) text views and cue features (see the module docstring).

    aliases: actor id -> names, so tables without mention offsets can be tagged at predict
    time without the registry file; ignore: phrases that name no actor; claims: claim id ->
    {"text", "accusers", "accused"}; window: words either side of a mention.
    """

    def __init__(
        self,
        aliases: dict[str, list[str]] | None = None,
        ignore: list[str] | None = None,
        claims: dict[str, dict[str, Any]] | None = None,
        window: int = 6,
    ):
        self.aliases = aliases
        self.ignore = ignore
        self.claims = claims
        self.window = window

    def fit(self, X: pd.DataFrame, y: Any = None) -> ActorView:
        self.n_features_in_ = 1
        return self

    def _registry(self) -> Registry:
        # Built from the aliases on first use, not persisted: the model file stays plain data.
        reg = _REGISTRIES.get(self)
        if reg is None:
            actors = [
                Actor(a, "group", a, tuple(names)) for a, names in (self.aliases or {}).items()
            ]
            reg = _REGISTRIES[self] = Registry(actors, self.ignore or [], source="model aliases")
        return reg

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(["sentence", "window", *NUMERIC], dtype=object)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        reg = self._registry()
        claims = self.claims or {}
        sentences = X["sentence"].astype(str).tolist()
        actors = X["actor"].astype(str).tolist()
        claim_col = X["claim"].tolist() if "claim" in X.columns else [None] * len(X)
        mention_col = X["mentions"].tolist() if "mentions" in X.columns else [None] * len(X)
        numeric = np.zeros((len(X), len(NUMERIC)))
        window_col: list[str] = []
        cache: dict[str, _Sentence] = {}  # a sentence recurs once per actor in it
        for i, (text, actor, claim, given) in enumerate(
            zip(sentences, actors, claim_col, mention_col, strict=True)
        ):
            sent = cache.get(text)
            if sent is None:
                sent = cache[text] = _Sentence(text, reg)
            window_col.append(self._row(numeric[i], sent, actor, claim, given, claims))
        frame = pd.DataFrame(numeric, columns=list(NUMERIC))
        frame.insert(0, "window", window_col)
        frame.insert(0, "sentence", [cache[t].generic for t in sentences])
        return frame

    def _row(
        self,
        out: np.ndarray,
        sent: _Sentence,
        actor: str,
        claim: Any,
        given: Any,
        claims: dict[str, dict[str, Any]],
    ) -> str:
        """Fill this row's numeric features into `out`; return the words around the actor."""
        text = sent.text
        if given is not None and len(given) > 0:
            mine = [(int(m["start"]), int(m["end"])) for m in given]
        else:
            mine = sent.spans.get(actor, [])
        found = bool(mine)
        if found:
            where: list[Any] = [sent.token_of.get(sp) for sp in mine]
            tokens = sent.tokens
            if None in where:  # offsets from elsewhere that the tagger did not produce
                tokens, where = _mask_tokens(sent.text, mine)
            marks = set(where)
            keep = sorted(
                {
                    j
                    for i in marks
                    for j in range(i - self.window, i + self.window + 1)
                    if 0 <= j < len(tokens)
                }
            )
            window = " ".join("ACTORX" if j in marks else tokens[j] for j in keep)
            lo = min(s for s, _ in mine) - 60
            hi = max(e for _, e in mine) + 60
        else:
            window = sent.generic
            lo, hi = 0, len(text)
        out += sent.counts  # sentence-level cue counts, computed once per sentence
        for cat, s, _ in sent.cues:
            if lo <= s <= hi:
                out[_COL[f"win_{cat}"]] += 1
        for cat, pol, holder, _, e in sent.holders:
            if holder == actor or (holder is None and actor == AUTHOR):
                out[_COL[f"hold_{cat}"]] += 1
                out[_COL[f"hold_{pol}"]] += 1
            elif holder is not None and any(0 <= s - e <= 30 for s, _ in mine):
                out[_COL[f"target_{pol}"]] += 1
        out[_COL["speaker"]] = float(actor in sent.speakers)
        out[_COL["first"]] = float(sent.first == actor)
        role = "author" if actor == AUTHOR else "unknown"
        info = claims.get(str(claim)) if claim is not None else None
        claim_text = str(claim or "")
        if info is not None:
            claim_text = info.get("text", "")
            if actor != AUTHOR:
                role = (
                    "accuser"
                    if actor in info.get("accusers", ())
                    else "accused"
                    if actor in info.get("accused", ())
                    else "other"
                )
        out[_COL[f"role_{role}"]] = 1.0
        if role in ROLES[:3]:
            for k in ("hold", "target"):
                for pol in POLARITIES:
                    out[_COL[f"{role}_{k}_{pol}"]] = out[_COL[f"{k}_{pol}"]]
        cw = _content(claim_text)
        out[_COL["claim_overlap"]] = len(sent.content & cw) / len(cw) if cw else 0.0
        out[_COL["question"]] = float("?" in text)
        out[_COL["found"]] = float(found or actor == AUTHOR)
        out[_COL["n_actors"]] = float(len(sent.spans.keys() | {actor}))
        return window


_COL = {name: i for i, name in enumerate(NUMERIC)}
_POLARITY = {c: LEXICON[c][0] for c in STANCE_CUES}


class _Sentence:
    """What depends on the sentence only: mentions, cues, and who holds each stance cue.

    A cue is held by the agent after "by", else an actor right before it ("Pyongyang has
    denied", "U.S. threats"), else the reported speaker ("..., X said"), else the sentence's
    first actor; cues nobody holds are the writer's (AUTHOR).
    """

    __slots__ = (
        "text",
        "spans",
        "all_spans",
        "cues",
        "holders",
        "speakers",
        "first",
        "content",
        "generic",
        "tokens",
        "token_of",
        "counts",
    )

    def __init__(self, text: str, reg: Registry):
        self.text = text
        matches = [m for m in reg.scan(text) if m.actor]
        self.spans: dict[str, list[tuple[int, int]]] = {}
        for m in matches:
            self.spans.setdefault(m.actor, []).append((m.start, m.end))  # type: ignore[arg-type]
        self.all_spans = [(m.start, m.end) for m in matches]
        self.cues = find_cues(text)
        self.counts = np.zeros(len(NUMERIC))
        for cat, _, _ in self.cues:
            self.counts[_COL[f"cue_{cat}"]] += 1
        ordered = [(m.start, m.end, m.actor) for m in matches]
        self.speakers: set[str] = set()
        speaker = None
        for cat, s, e in self.cues:
            if cat == "speech":
                for ms, me, who in ordered:
                    if (0 <= s - me <= 40) or (0 <= ms - e <= 25):
                        self.speakers.add(who)  # type: ignore[arg-type]
                        speaker = speaker or who
        self.first = ordered[0][2] if ordered else None
        self.holders: list[tuple[str, str, str | None, int, int]] = []
        for cat, s, e in self.cues:
            if cat not in _POLARITY:
                continue
            holder = None
            agent = _AGENT.match(text, e)
            if agent:
                holder = next((w for ms, _, w in ordered if ms == agent.end()), None)
            # "X failed to offer proof" disputes X's claim: X is its target, not its holder.
            failing = text[s : s + 4].lower() == "fail"
            if holder is None and not failing:
                near = [(ms, me, w) for ms, me, w in ordered if me <= s and s - me <= 25]
                if near and _GAP.match(text[near[-1][1] : s]):
                    holder = near[-1][2]
            if holder is None and speaker is not None:
                holder = speaker
            if holder is None and not failing:
                # The first actor of the cue's clause ("Sony hack update: Russia calls ...").
                cut = max((m.end() for m in _CLAUSE.finditer(text, 0, s)), default=0)
                holder = next((w for ms, _, w in ordered if cut <= ms < s), None)
            self.holders.append((cat, _POLARITY[cat], holder, s, e))
        self.content = _content(text)
        # Every actor masked alike: the actor-free view, as text and as tokens, with the token
        # index of each mention so a row's window is assembled without re-masking the text.
        self.tokens: list[str] = []
        self.token_of: dict[tuple[int, int], int] = {}
        pos = 0
        for s, e in self.all_spans:
            if s >= pos:
                self.tokens += text[pos:s].split()
                self.token_of[(s, e)] = len(self.tokens)
                self.tokens.append("OTHERX")
                pos = e
        self.tokens += text[pos:].split()
        self.generic = " ".join(self.tokens)


def _mask_tokens(text: str, mine: list[tuple[int, int]]) -> tuple[list[str], list[int]]:
    """Tokens with `mine` marked, and their indices, for mention offsets the tagger did not
    produce (a table from elsewhere); other actors stay unmasked in this rare case."""
    tokens: list[str] = []
    where, pos = [], 0
    for s, e in sorted(set(mine)):
        if s >= pos:
            tokens += text[pos:s].split()
            where.append(len(tokens))
            tokens.append("ACTORX")
            pos = e
    tokens += text[pos:].split()
    return tokens, where


class SharedText(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """TF-IDF over a text column that repeats (a sentence, once per actor in it): each
    distinct text is analysed once and its row copied, so cost follows distinct sentences."""

    def __init__(self, ngram_max: int = 2, min_df: int = 1):
        self.ngram_max = ngram_max
        self.min_df = min_df

    def fit(self, X: Any, y: Any = None) -> SharedText:
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = pd.Series(np.asarray(X).ravel())
        self.vectorizer_ = TfidfVectorizer(
            ngram_range=(1, self.ngram_max), min_df=self.min_df, sublinear_tf=True
        ).fit(texts.drop_duplicates())
        return self

    def transform(self, X: Any) -> Any:
        codes, uniques = pd.factorize(pd.Series(np.asarray(X).ravel()))
        return self.vectorizer_.transform(uniques)[codes]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.vectorizer_.get_feature_names_out()
