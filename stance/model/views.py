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
from stance.model.holders import Reading, read_holders

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
    """Per row: the actor-free sentence, the words around the actor, and the NUMERIC features.

    What needs the row's own mentions (its window, the cues near it, the cues it holds or is
    the target of) is worked out row by row in `_row`; every other feature is a column of
    per-row values set in one array operation at the end: per-cell NumPy writes cost more
    than the features themselves."""
    n = len(sentences)
    window_col: list[str] = []
    # Each distinct sentence once (it recurs once per actor): sentence -> its index in `parsed`
    cache: dict[str, int] = {}
    which = [cache.setdefault(text, len(cache)) for text in sentences]  # each row's sentence
    parsed = _parse(list(cache), registry)
    roled: dict[tuple[str, Any], _Claimed] = {}  # an (actor, claim) pair recurs too
    own: list[dict[int, float]] = []  # each row's mention-dependent features (column -> value)
    # Per-row values gathered in lists (a NumPy write per cell costs more than the feature):
    pairs: list[_Claimed] = []
    found: list[bool] = []
    flags: list[tuple[bool, bool, bool, bool]] = []  # speaker, first, silent, dateline
    overlap: list[float] = []
    unmentioned: list[bool] = []  # the actor is not among the sentence's mentions
    for j, actor, claim, given in zip(which, actors, claim_col, mention_col, strict=True):
        sent = parsed[j]
        key = (actor, claim)
        part = roled.get(key)
        if part is None:
            part = roled[key] = _claimed(actor, claim, claims, roles, registry)
        feats: dict[int, float] = {}
        win, mine = _row(feats, sent, actor, given, window)
        window_col.append(win)
        own.append(feats)
        pairs.append(part)
        found.append(bool(mine) or actor == AUTHOR)
        flags.append(
            (
                actor in sent.speakers,
                sent.first == actor,
                actor in sent.silent,
                bool(mine) and all(s < sent.cut for s, _ in mine),
            )
        )
        words = part.words
        overlap.append(sent.overlap(words) / len(words) if words else 0.0)
        unmentioned.append(actor not in sent.spans)
    numeric = np.zeros((n, len(NUMERIC)))
    sizes = np.fromiter(map(len, own), dtype=np.intp, count=n)
    rows = np.repeat(np.arange(n, dtype=np.intp), sizes)
    cols = np.fromiter(chain.from_iterable(own), dtype=np.intp, count=int(sizes.sum()))
    vals = np.fromiter(
        chain.from_iterable(map(dict.values, own)), dtype=np.float64, count=int(sizes.sum())
    )
    numeric[rows, cols] = vals
    # A role's copies of the hold and target columns ("accuser_hold_support"), per role.
    cross = np.fromiter((p.role_index for p in pairs), dtype=np.intp, count=n)
    for k, role in enumerate(ROLES[:3]):
        mine_rows = np.flatnonzero(cross == k)
        if len(mine_rows):
            src, dst = _CROSS_COLS[role]
            numeric[np.ix_(mine_rows, dst)] = numeric[np.ix_(mine_rows, src)]
    role_col = np.fromiter((p.role_col for p in pairs), dtype=np.intp, count=n)
    numeric[np.arange(n), role_col] = 1.0
    if n:
        numeric[:, _FLAGS] = np.array(flags, dtype=np.float64)
    numeric[:, _OVERLAP] = overlap
    numeric[:, _FOUND] = found
    # Sentence-level features, computed once per sentence; no row feature shares a column.
    per_sentence = np.zeros((len(parsed), len(NUMERIC)))
    for j, sent in enumerate(parsed):
        for col, count in sent.counts.items():
            per_sentence[j, col] = count
        per_sentence[j, _QUESTION] = "?" in sent.text
        per_sentence[j, _N_ACTORS] = len(sent.spans)
    numeric += per_sentence[np.array(which, dtype=np.intp)]
    numeric[:, _N_ACTORS] += unmentioned
    return [parsed[j].generic for j in which], window_col, numeric


class _Claimed(NamedTuple):
    """What a row's features take from its (actor, claim) pair, worked out once per pair."""

    role_col: int  # the role_<role> column
    role_index: int  # the role's place in ROLES[:3] (the roles with copies), else -1
    words: frozenset[str]  # the claim's content words (`_content`)


def _claimed(
    actor: str, claim: Any, claims: dict[str, dict[str, Any]], roles: str, registry: Registry
) -> _Claimed:
    info = claims.get(str(claim)) if claim is not None else None
    # A claim not in the registry is its own text ("claims given as text").
    claim_text = str(claim or "") if info is None else info.get("text", "")
    role = _role(actor, info, claim_text, roles, registry)
    index = ROLES[:3].index(role) if role in ROLES[:3] else -1
    return _Claimed(_COL[f"role_{role}"], index, _content(claim_text))


@lru_cache(maxsize=4096)
def _content(text: str) -> frozenset[str]:
    # Cached: a claim recurs once per row.
    return frozenset(_WORD3.findall(text.lower())) - _STOP


def _row(
    out: dict[int, float], sent: _Sentence, actor: str, given: Any, width: int
) -> tuple[str, list[tuple[int, int]]]:
    """Put the features that depend on this row's mentions (the cues near them, the cues the
    actor holds or is the target of) into `out` (column -> value); return the words around
    the actor and its mentions (start, end)."""
    if given is not None and len(given) > 0:
        mine = [(int(m["start"]), int(m["end"])) for m in given]
    else:
        mine = sent.spans.get(actor, [])
    if mine:
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
        for cat, s, _ in sent.cues:
            if lo <= s <= hi:
                col = _WIN[cat]
                out[col] = out.get(col, 0.0) + 1
    else:  # the whole sentence is the window: every cue is in it
        window = sent.generic
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
    return window, mine


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
_FLAGS = [_COL[c] for c in ("speaker", "first", "silent", "dateline")]
_OVERLAP, _QUESTION, _FOUND, _N_ACTORS = (
    _COL[c] for c in ("claim_overlap", "question", "found", "n_actors")
)
# role -> (the hold/target columns, the role's copies of them)
_CROSS_COLS = {
    r: (
        np.array([_COL[f"{k}_{p}"] for k in ("hold", "target") for p in POLARITIES]),
        np.array([_COL[f"{r}_{k}_{p}"] for k in ("hold", "target") for p in POLARITIES]),
    )
    for r in ROLES[:3]
}


def _parse(texts: list[str], reg: Registry) -> list[_Sentence]:
    """The _Sentence of each text, one pass at a time over all of them (the actors, then the
    cues, then who holds them): each pass's regexes and code stay warm in the CPU's caches,
    ~15% faster than text by text (`benchmarks/predict.py`)."""
    scanned = [reg.scan_words(text) for text in texts]
    cues = [find_cues(text) for text in texts]
    # (start, end, actor) of each actor mention (Match: actor, alias, start, end)
    every = [[(s, e, a) for a, _, s, e in found if a] for found, _ in scanned]
    reads = [read_holders(*args) for args in zip(texts, every, cues, strict=True)]
    return [
        _Sentence(text, mentions, words, found_cues, read)
        for text, mentions, (_, words), found_cues, read in zip(
            texts, every, scanned, cues, reads, strict=True
        )
    ]


class _Sentence:
    """What depends on the sentence only: mentions, cues, and who holds each stance cue
    (stance.model.holders); made by `_parse`."""

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

    def __init__(
        self,
        text: str,
        every: list[tuple[int, int, str]],
        words: list[str],
        cues: list[tuple[str, int, int]],
        read: Reading,
    ):
        self.text = text
        self._words = words
        self.spans: dict[str, list[tuple[int, int]]] = {}
        for s, e, a in every:
            self.spans.setdefault(a, []).append((s, e))
        self.all_spans = [(s, e) for s, e, _ in every]
        self.cues = cues
        per_category: dict[str, int] = {}
        for cat, _, _ in self.cues:
            per_category[cat] = per_category.get(cat, 0) + 1
        # cue_<category> and win_<category> column -> count
        self.counts = {_CUE[c]: n for c, n in per_category.items()}
        self.win_counts = {_WIN[c]: float(n) for c, n in per_category.items()}
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
