"""Actor-aware features: one sentence looks different to the model for each of its actors.

`ActorView` turns rows of (sentence, actor, claim[, mentions]) into:
- `masked`: the sentence with this actor's mentions replaced by `ACTORX` and every other
  actor's by `OTHERX`, so n-grams say "ACTORX denied" rather than "Pyongyang denied";
- `window`: the masked words around this actor's mentions;
- cue counts (stance.cues) in the sentence and in the window, and whether this actor is the
  subject of a cue (the nearest actor before it: "ACTORX denied"), its object ("blamed ACTORX"),
  or the speaker ("..., ACTORX said");
- the actor's role in the claim (accuser, accused, other; `author` for the writer's own stance),
  overlap with the claim text, a question mark, and whether the actor was found at all.

An actor that cannot be found in the sentence still gets a row (found = 0), so it still gets a
prediction, flagged as such by stance.model.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from stance.actors import Actor, Registry
from stance.cues import CATEGORIES, LEXICON, STANCE_CUES, find_cues
from stance.schema import AUTHOR

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
_GAP = re.compile(r"[\s'’s]*(?:has|have|had|was|were|is|are|also|again|has\s+also|on\s+\w+day|\s)*\s*$")
_WORD = re.compile(r"\w+")
_STOP = frozenset(
    "the a an of to in on at for and or but by with from that this is was are were be been it its "
    "as has have had will would said says".split()
)
_REGISTRIES: weakref.WeakKeyDictionary[Any, Registry] = weakref.WeakKeyDictionary()


def _content(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and len(w) > 2}


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
            actors = [Actor(a, "group", a, tuple(names)) for a, names in (self.aliases or {}).items()]
            reg = _REGISTRIES[self] = Registry(actors, self.ignore or [], source="model aliases")
        return reg

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(["masked", "window", *NUMERIC], dtype=object)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        reg = self._registry()
        claims = self.claims or {}
        has_mentions = "mentions" in X.columns
        sentences = X["sentence"].astype(str).tolist()
        actors = X["actor"].astype(str).tolist()
        claim_col = X["claim"].tolist() if "claim" in X.columns else [None] * len(X)
        mention_col = X["mentions"].tolist() if has_mentions else [None] * len(X)
        rows: list[dict[str, Any]] = []
        scan_cache: dict[str, tuple[list[Any], list[tuple[str, int, int]]]] = {}
        for text, actor, claim, given in zip(sentences, actors, claim_col, mention_col, strict=True):
            cached = scan_cache.get(text)
            if cached is None:
                cached = scan_cache[text] = (reg.scan(text), find_cues(text))
            matches, cues = cached
            mine: list[tuple[int, int]]
            if given is not None and len(given) > 0:
                mine = [(int(m["start"]), int(m["end"])) for m in given]
            else:
                mine = [(m.start, m.end) for m in matches if m.actor == actor]
            others = [(m.start, m.end) for m in matches if m.actor and (m.start, m.end) not in mine
                      and not any(s <= m.start < e for s, e in mine)]
            rows.append(self._row(text, actor, claim, mine, others, cues, claims, matches))
        return pd.DataFrame(rows, columns=["masked", "window", *NUMERIC])

    def _row(
        self,
        text: str,
        actor: str,
        claim: Any,
        mine: list[tuple[int, int]],
        others: list[tuple[int, int]],
        cues: list[tuple[str, int, int]],
        claims: dict[str, dict[str, Any]],
        matches: list[Any],
    ) -> dict[str, Any]:
        spans = sorted([(s, e, "ACTORX") for s, e in mine] + [(s, e, "OTHERX") for s, e in others])
        parts, pos = [], 0
        for s, e, tag in spans:
            if s < pos:
                continue
            parts.append(text[pos:s])
            parts.append(f" {tag} ")
            pos = e
        parts.append(text[pos:])
        masked = "".join(parts)
        row: dict[str, Any] = dict.fromkeys(NUMERIC, 0.0)
        row["masked"] = masked
        found = bool(mine)
        if found:
            words = masked.split()
            idx = [i for i, w in enumerate(words) if "ACTORX" in w]
            keep = sorted({j for i in idx for j in range(i - self.window, i + self.window + 1)
                           if 0 <= j < len(words)})
            row["window"] = " ".join(words[j] for j in keep)
            lo = min(s for s, _ in mine) - 60
            hi = max(e for _, e in mine) + 60
        else:
            row["window"] = masked
            lo, hi = 0, len(text)
        for cat, s, e in cues:
            row[f"cue_{cat}"] += 1
            if lo <= s <= hi:
                row[f"win_{cat}"] += 1
        # Who holds each stance cue: the agent after "by", else an actor right before the cue
        # ("Pyongyang has denied", "U.S. threats"), else the reported speaker ("..., X said"),
        # else the sentence's first actor. AUTHOR holds the cues no actor holds.
        spans = sorted([(s, e, actor) for s, e in mine]
                       + [(m.start, m.end, m.actor) for m in matches
                          if m.actor and m.actor != actor and (m.start, m.end) not in mine])
        speaker = None
        for cat, s, e in cues:
            if cat != "speech":
                continue
            for ms, me, who in spans:
                if (0 <= s - me <= 40) or (0 <= ms - e <= 25):
                    speaker = speaker or who
                    if who == actor:
                        row["speaker"] = 1.0
        first = spans[0][2] if spans else None
        row["first"] = float(first == actor)
        polarity = {c: LEXICON[c][0] for c in STANCE_CUES}
        for cat, s, e in cues:
            if cat not in polarity:
                continue
            holder = None
            agent = _AGENT.match(text, e)
            if agent:
                holder = next((w for ms, _, w in spans if ms == agent.end()), None)
            if holder is None:
                near = [(ms, me, w) for ms, me, w in spans if me <= s and s - me <= 25]
                if near and _GAP.match(text[near[-1][1]:s]):
                    holder = near[-1][2]
            if holder is None and speaker is not None:
                holder = speaker
            if holder is None and spans and spans[0][0] < s:
                holder = first
            if holder == actor or (holder is None and actor == AUTHOR):
                row[f"hold_{cat}"] += 1
                row[f"hold_{polarity[cat]}"] += 1
            elif holder is not None and any(0 <= ms - e <= 30 for ms, _, w in spans if w == actor):
                row[f"target_{polarity[cat]}"] += 1
        role = "author" if actor == AUTHOR else "unknown"
        info = claims.get(str(claim)) if claim is not None else None
        claim_text = str(claim or "")
        if info is not None:
            claim_text = info.get("text", "")
            if actor != AUTHOR:
                role = ("accuser" if actor in info.get("accusers", ()) else
                        "accused" if actor in info.get("accused", ()) else "other")
        row[f"role_{role}"] = 1.0
        if role in ROLES[:3]:
            for k in ("hold", "target"):
                for pol in POLARITIES:
                    row[f"{role}_{k}_{pol}"] = row[f"{k}_{pol}"]
        words, cw = _content(text), _content(claim_text)
        row["claim_overlap"] = len(words & cw) / len(cw) if cw else 0.0
        row["question"] = float("?" in text)
        row["found"] = float(found or actor == AUTHOR)
        row["n_actors"] = float(len({w for _, _, w in spans}))
        return row
