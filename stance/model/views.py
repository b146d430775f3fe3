"""What one (sentence, actor[, claim]) row looks like to the model, computed without sklearn.

The scikit-learn wrapper (stance.model.features.ActorView) and the plain-data predictor
(stance.model.predictor) both call `actor_views`, so training and prediction cannot drift
apart. Only NumPy is imported here: `stance predict TEXT` must not pay for pandas or sklearn.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain
from typing import Any, NamedTuple

import numpy as np

from stance.core.gcpause import gc_paused
from stance.core.schema import AUTHOR, ROLE_SOURCES
from stance.corpus.actors import Actor, Registry
from stance.corpus.claim_text import claim_roles
from stance.model.cues import CATEGORIES, LEXICON, OPPOSE, STANCE_CUES, SUPPORT, find_cues
from stance.model.holders import read_holders

ROLES = ("accuser", "accused", "other", "author", "unknown")
POLARITIES = (SUPPORT, OPPOSE)
NUMERIC = (
    [f"cue_{c}" for c in CATEGORIES]
    + [f"win_{c}" for c in CATEGORIES]
    + [f"hold_{c}" for c in STANCE_CUES]
    + [f"hold_{p}" for p in POLARITIES]
    + [f"target_{p}" for p in POLARITIES]
    + [f"{r}_{k}_{p}" for r in ROLES[:3] for k in ("hold", "target") for p in POLARITIES]
    + ["speaker", "first", "silent", "dateline"]
    + [f"role_{r}" for r in ROLES]
    + ["claim_overlap", "question", "found", "n_actors"]
)
# What a row to predict is made of: the first two are required, the others optional.
INPUT_COLUMNS = ("sentence", "actor", "claim", "mentions")
# The text columns ahead of NUMERIC in a view: the actor-free sentence and the actor's window.
TEXT_COLUMNS = ("sentence", "window")
_WORD3 = re.compile(r"\w{3,}")  # content words: three letters or more
_STOP = frozenset(
    "the a an of to in on at for and or but by with from that this is was are were be been it its "
    "as has have had will would said says".split()
)


def alias_registry(aliases: dict[str, list[str]] | None, ignore: Sequence[str] | None) -> Registry:
    """The tagger for rows without mention offsets, from the aliases a model carries."""
    actors = [Actor(a, "group", a, tuple(names)) for a, names in (aliases or {}).items()]
    return Registry(actors, ignore or [], source="model aliases")


@gc_paused
def actor_views(
    sentences: Sequence[str],
    actors: Sequence[str],
    claim_col: Sequence[Any],
    mention_col: Sequence[Any],
    registry: Registry,
    claims: dict[str, dict[str, Any]],
    window: int,
    roles: str = "registry",
) -> tuple[list[str], list[str], np.ndarray]:
    """Per row: the actor-free sentence, the words around the actor, and the NUMERIC features."""
    window_col: list[str] = []
    cache: dict[str, _Sentence] = {}  # a sentence recurs once per actor in it
    roled: dict[tuple[str, Any], _Claimed] = {}  # an (actor, claim) pair recurs too
    # Each row's own features (column -> value), set in one array operation after the loop:
    # per-cell NumPy writes cost more than the features themselves.
    own: list[dict[int, float]] = []
    for text, actor, claim, given in zip(sentences, actors, claim_col, mention_col, strict=True):
        sent = cache.get(text)
        if sent is None:
            sent = cache[text] = _Sentence(text, registry)
        key = (actor, claim)
        part = roled.get(key)
        if part is None:
            part = roled[key] = _claimed(actor, claim, claims, roles, registry)
        feats: dict[int, float] = {}
        window_col.append(_row(feats, sent, actor, given, part, window))
        own.append(feats)
    numeric = np.zeros((len(sentences), len(NUMERIC)))
    sizes = np.fromiter(map(len, own), dtype=np.intp, count=len(own))
    rows = np.repeat(np.arange(len(own), dtype=np.intp), sizes)
    cols = np.fromiter(chain.from_iterable(own), dtype=np.intp, count=int(sizes.sum()))
    vals = np.fromiter(
        chain.from_iterable(map(dict.values, own)), dtype=np.float64, count=int(sizes.sum())
    )
    numeric[rows, cols] = vals
    # Sentence-level cue counts, computed once per sentence; no row feature shares a column.
    order = {t: j for j, t in enumerate(cache)}
    per_sentence = np.zeros((len(cache), len(NUMERIC)))
    for j, sent in enumerate(cache.values()):
        for col, count in sent.counts.items():
            per_sentence[j, col] = count
    numeric += per_sentence[[order[t] for t in sentences]]
    return [cache[t].generic for t in sentences], window_col, numeric


class _Claimed(NamedTuple):
    """What a row's features take from its (actor, claim) pair, worked out once per pair."""

    role_col: int  # the role_<role> column
    cross: list[tuple[int, int]]  # (hold/target column, the role's copy of it)
    words: frozenset[str]  # the claim's content words (`_content`)


def _claimed(
    actor: str, claim: Any, claims: dict[str, dict[str, Any]], roles: str, registry: Registry
) -> _Claimed:
    info = claims.get(str(claim)) if claim is not None else None
    # A claim not in the registry is its own text ("claims given as text").
    claim_text = str(claim or "") if info is None else info.get("text", "")
    role = _role(actor, info, claim_text, roles, registry)
    return _Claimed(_COL[f"role_{role}"], _CROSS.get(role, []), _content(claim_text))


@lru_cache(maxsize=4096)
def _content(text: str) -> frozenset[str]:
    # Cached: a claim recurs once per row.
    return frozenset(_WORD3.findall(text.lower())) - _STOP


def _row(
    out: dict[int, float],
    sent: _Sentence,
    actor: str,
    given: Any,
    claimed: _Claimed,
    width: int,
) -> str:
    """Put this row's own numeric features (all but the sentence's cue counts) into `out`
    (column -> value); return the words around the actor."""
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
        if len(marks) == 1:  # one mention (most rows): the window is one slice of tokens
            (i,) = marks
            before = tokens[max(i - width, 0) : i]
            window = " ".join([*before, "ACTORX", *tokens[i + 1 : i + width + 1]])
        else:
            keep = sorted(
                {j for i in marks for j in range(i - width, i + width + 1) if 0 <= j < len(tokens)}
            )
            window = " ".join("ACTORX" if j in marks else tokens[j] for j in keep)
        if len(mine) == 1:
            ((lo, hi),) = mine
        else:
            lo, hi = min(s for s, _ in mine), max(e for _, e in mine)
        lo, hi = lo - 60, hi + 60
    else:
        window = sent.generic
        lo, hi = 0, len(text)
    if found:
        for cat, s, _ in sent.cues:
            if lo <= s <= hi:
                col = _WIN[cat]
                out[col] = out.get(col, 0.0) + 1
    else:  # the whole sentence is the window: every cue is in it
        out.update(sent.win_counts)
    mine_starts: list[int] | None = None
    for held, holder, e in sent.holders:
        if holder == actor or (holder is None and actor == AUTHOR):
            for col in held[:2]:
                out[col] = out.get(col, 0.0) + 1
        elif holder is not None and mine:
            if mine_starts is None:  # a mention of this actor 0-30 characters after the cue?
                mine_starts = sorted(s for s, _ in mine)
            k = bisect_left(mine_starts, e)
            if k < len(mine_starts) and mine_starts[k] - e <= 30:
                col = held[2]
                out[col] = out.get(col, 0.0) + 1
    if actor in sent.speakers:
        out[_SPEAKER] = 1.0
    if sent.first == actor:
        out[_FIRST] = 1.0
    if actor in sent.silent:
        out[_SILENT] = 1.0
    if found and all(s < sent.cut for s, _ in mine):
        out[_DATELINE_COL] = 1.0
    out[claimed.role_col] = 1.0
    for col, copy in claimed.cross:
        if col in out:
            out[copy] = out[col]
    cw = claimed.words
    if cw:
        out[_OVERLAP] = sent.overlap(cw) / len(cw)
    if "?" in text:
        out[_QUESTION] = 1.0
    if found or actor == AUTHOR:
        out[_FOUND] = 1.0
    out[_N_ACTORS] = float(len(sent.spans) + (actor not in sent.spans))
    return window


def _role(
    actor: str, info: dict[str, Any] | None, claim_text: str, roles: str, registry: Registry
) -> str:
    """The actor's role in the claim: from the registry entry (roles="registry"), else read
    from the claim's text (always, with roles="text"); "none" never tells the model.

    From text, an actor that is neither accuser nor accused is "other" only when the text
    names the accusers; otherwise it may be an accuser the text does not name: "unknown".
    """
    if actor == AUTHOR:
        return "author"
    if roles == ROLE_SOURCES[2] or not claim_text:
        return "unknown"
    if info is not None and roles == ROLE_SOURCES[0]:
        if actor in info.get("accusers", ()):
            return "accuser"
        return "accused" if actor in info.get("accused", ()) else "other"
    found = claim_roles(claim_text, registry)
    role = found.role_of(actor)
    if role in ("accuser", "accused"):
        return role
    return "other" if found.accusers and found.accused else "unknown"


_COL = {name: i for i, name in enumerate(NUMERIC)}
_POLARITY = {c: LEXICON[c][0] for c in STANCE_CUES}
# Column numbers by name part, looked up once here rather than formatted per row.
_CUE = {c: _COL[f"cue_{c}"] for c in CATEGORIES}
_WIN = {c: _COL[f"win_{c}"] for c in CATEGORIES}
_HOLD = {c: _COL[f"hold_{c}"] for c in (*STANCE_CUES, *POLARITIES)}
_TARGET = {p: _COL[f"target_{p}"] for p in POLARITIES}
# stance cue -> (hold_<cue>, hold_<its polarity>, target_<its polarity>) columns
_HELD = {c: (_HOLD[c], _HOLD[_POLARITY[c]], _TARGET[_POLARITY[c]]) for c in STANCE_CUES}
_SPEAKER, _FIRST, _SILENT, _DATELINE_COL, _OVERLAP, _QUESTION, _FOUND, _N_ACTORS = (
    _COL[c]
    for c in (
        "speaker",
        "first",
        "silent",
        "dateline",
        "claim_overlap",
        "question",
        "found",
        "n_actors",
    )
)
# role -> [(a hold/target column, the role's copy of it)]
_CROSS = {
    r: [(_COL[f"{k}_{p}"], _COL[f"{r}_{k}_{p}"]) for k in ("hold", "target") for p in POLARITIES]
    for r in ROLES[:3]
}


class _Sentence:
    """What depends on the sentence only: mentions, cues, and who holds each stance cue
    (stance.model.holders)."""

    __slots__ = (
        "text",
        "spans",
        "all_spans",
        "cues",
        "holders",
        "speakers",
        "first",
        "generic",
        "tokens",
        "token_of",
        "counts",
        "win_counts",
        "silent",
        "cut",
        "_content",
        "_words",
    )

    def __init__(self, text: str, reg: Registry):
        self.text = text
        found, self._words = reg.scan_words(text)
        # (start, end, actor) of each actor mention (Match: actor, alias, start, end)
        every: list[tuple[int, int, str]] = [(s, e, a) for a, _, s, e in found if a]
        self.spans: dict[str, list[tuple[int, int]]] = {}
        for s, e, a in every:
            self.spans.setdefault(a, []).append((s, e))
        self.all_spans = [(s, e) for s, e, _ in every]
        self.cues = find_cues(text)
        per_category: dict[str, int] = {}
        for cat, _, _ in self.cues:
            per_category[cat] = per_category.get(cat, 0) + 1
        # cue_<category> and win_<category> column -> count
        self.counts = {_CUE[c]: n for c, n in per_category.items()}
        self.win_counts = {_WIN[c]: float(n) for c, n in per_category.items()}
        read = read_holders(text, every, self.cues)
        self.cut, self.first = read.cut, read.first
        self.speakers, self.silent = read.speakers, read.silent
        # (its hold_<cue> and hold_<polarity> columns and target_<polarity> column, holder,
        # end) per stance cue
        self.holders = [(_HELD[cat], holder, end) for cat, holder, end in read.holds]
        self._content: frozenset[str] | None = None
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

    def overlap(self, words: frozenset[str]) -> int:
        """How many of a claim's content words (`_content`) the sentence has."""
        if self._content is None:  # on first use: rows without a claim never need it
            if self.text.isascii():
                # The tagger's tokens of ASCII text are its runs of word characters (as
                # _WORD3 finds them), abbreviations ("u.s.") and single other characters. A
                # claim's content words are runs of 3+ word characters that are no stopword,
                # so every token one of them meets is a content word: no filtering needed.
                self._content = frozenset(self._words)
            else:
                self._content = _content.__wrapped__(self.text)  # one sentence: not cached
        return len(self._content & words)


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
