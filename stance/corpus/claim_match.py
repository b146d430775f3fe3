"""Which registry claim a claim text names, as a reader tells it: the same accused and event.

"North Korea was behind the 2014 hack of Sony Pictures." and the registry's "North Korea was
responsible for the November 2014 cyber-attack on Sony Pictures Entertainment" differ in every
word but the ones that matter: who is accused (PRK), what was hit (SONY), when (2014). A text
resolves to a registry claim when

- it accuses the same actor (the accused its text names, stance.corpus.claim_text), and
- it names the same event: a distinctive word both use (WannaCry, NotPetya, Exchange, "Wanna
  Cry" and "Not-Petya" too), weighted by how rare the word is among the registry's claims, or
  a target both name that is no party to any registry accusation (Sony Pictures, the DNC,
  Saudi Aramco); a state such as Ukraine or the United States is a party to several, so it
  names an event only together with a shared word ("Ukraine's power grid"); and
- a year it gives, if any, is the event's (the year in the claim's text; without one, the year
  the claim was made public, one year either way when a distinctive word is shared: the
  SolarWinds compromise of 2020 was attributed in 2021), and an accuser it names, if any, is
  one of the claim's;

and no other claim scores as well. Anything less stays a claim of its own: a wrong match would
give a text the roles of another accusation, which is worse than reading them from the text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stance.corpus.actors import Registry
from stance.corpus.claim_text import claim_roles

_WORD = re.compile(r"[a-z][a-z0-9]+(?:-[a-z0-9]+)*")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
# Words every accusation shares: they tell nothing about which event a text means.
_GENERIC = frozenset(
    """
    the a an of to in on at for and or but by with from that this these those its it his her
    against into onto over under via using through during after before between among including
    several many some other others new
    their was were is are be been being has have had will would could may might also which who
    said says say claims claim claimed alleged allegedly accused accuses accusation accusations
    responsible responsibility behind blamed blames blame carried out conducted launched
    attack attacks attacked cyber cyberattack cyberattacks cyber-attack cyber-attacks hack hacks
    hacking hacked hackers hacker intrusion intrusions breach breaches breached operation
    operations campaign campaigns incident compromise compromised state state-sponsored
    sponsored government agents agent intelligence service services military unit group
    january february march april may june july august september october november december
    spring summer autumn fall winter early late last year years
    """.split()
)


@dataclass(frozen=True)
class Candidate:
    """A registry claim and how well a text matches it."""

    id: str
    text: str
    score: float  # 0..1: the share of the evidence below that agrees
    same_accused: bool
    targets: tuple[str, ...]  # target actors both name
    words: tuple[str, ...]  # distinctive words both use
    year: bool | None  # the text's year is the claim's; None when the text gives none
    # An accuser the text names is one of the claim's; None when the text names none.
    accuser: bool | None = None

    event: bool = False  # a distinctive word, or a target that is no party elsewhere

    @property
    def names_event(self) -> bool:
        return self.event

    def why(self) -> str:
        parts = ["same accused" if self.same_accused else "other accused"]
        if self.targets:
            parts.append("target " + ", ".join(self.targets))
        if self.words:
            parts.append("words " + ", ".join(self.words))
        if self.year is not None:
            parts.append("same year" if self.year else "other year")
        if self.accuser is not None:
            parts.append("same accuser" if self.accuser else "other accuser")
        return "; ".join(parts)


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word


def _event_words(text: str, registry: Registry) -> set[str]:
    """Content words that are neither generic nor part of an actor's name, nor a year; with
    each pair of neighbours joined and hyphens dropped, so "Wanna Cry" and "Not-Petya" meet
    "WannaCry" and "NotPetya"."""
    low = text.lower()
    masked = list(low)
    for m in registry.scan(text):
        masked[m.start : m.end] = " " * (m.end - m.start)
    words = _WORD.findall("".join(masked))
    out = {_stem(w) for w in words if w not in _GENERIC and not w.isdigit()}
    out |= {w.replace("-", "") for w in out if "-" in w}
    out |= {a + b for a, b in zip(words, words[1:], strict=False) if a not in _GENERIC}
    return out


def _years(text: str) -> set[str]:
    return set(_YEAR.findall(text))


def _same_year(years: set[str], ctext: str, date: Any, shared_word: bool) -> bool:
    """A text's year against the event's: the claim text's year, else the year it was made
    public, give or take one when a distinctive word is shared."""
    own = _years(ctext)
    if own:
        return bool(years & own)
    if not date:
        return True
    made = int(str(date)[:4])
    slack = 1 if shared_word else 0
    return any(abs(int(y) - made) <= slack for y in years)


def match_claims(
    text: str, claims: Mapping[str, Mapping[str, Any]], registry: Registry
) -> list[Candidate]:
    """Every registry claim scored against `text`, best first. `claims`: id -> {text,
    accusers, accused[, date]} (the registry's, or what a model carries)."""
    roles = claim_roles(text, registry)
    accused = set(roles.accused)
    named = {*roles.accused, *roles.accusers, *roles.others}
    words = _event_words(text, registry)
    years = _years(text)
    own = {cid: _event_words(str(info.get("text", "")), registry) for cid, info in claims.items()}
    df: dict[str, int] = {}
    for ws in own.values():
        for w in ws:
            df[w] = df.get(w, 0) + 1
    n = max(len(claims), 1)
    # How many claims each actor accuses or is accused in: a target that is a party to
    # another accusation too does not tell events apart on its own.
    parties: dict[str, int] = {}
    for info in claims.values():
        for a in {*(info.get("accusers") or ()), *(info.get("accused") or ())}:
            parties[a] = parties.get(a, 0) + 1
    out = []
    for cid, info in claims.items():
        ctext = str(info.get("text", ""))
        c_accused = set(info.get("accused") or claim_roles(ctext, registry).accused)
        # What the claim's text names besides the accused: the victim ("the German
        # Bundestag"), which may be an accuser too (Germany).
        c_targets = set(claim_roles(ctext, registry).others) - c_accused
        same = bool(accused & c_accused) if accused else bool(named & c_accused)
        targets = tuple(sorted((named - accused) & c_targets))
        shared = tuple(sorted(words & own[cid]))
        # Rare words weigh more: "wannacry" names one event, "ransomware" several.
        weight = sum(math.log(1 + n / df[w]) for w in shared)
        distinct = weight >= math.log(1 + n / 2)
        year = None if not years else _same_year(years, ctext, info.get("date"), distinct)
        mine = {*(info.get("accusers") or ()), *c_accused}
        victim = any(parties.get(t, 0) - (t in mine) == 0 for t in targets)
        victim = victim or (bool(targets) and bool(shared))
        evidence = [same, victim or distinct]
        if year is not None:
            evidence.append(year)
        accuser = None
        if roles.accusers:
            accuser = bool(set(roles.accusers) & set(info.get("accusers") or ()))
            evidence.append(accuser)
        score = sum(evidence) / len(evidence) + min(weight, 5.0) / 100 + len(targets) / 100
        out.append(
            Candidate(
                cid, ctext, round(score, 4), same, targets, shared, year, accuser, evidence[1]
            )
        )
    return sorted(out, key=lambda c: (-c.score, c.id))


def _accepted(c: Candidate) -> bool:
    return c.same_accused and c.names_event and c.year is not False and c.accuser is not False


def best_match(
    text: str, claims: Mapping[str, Mapping[str, Any]], registry: Registry
) -> Candidate | None:
    """The registry claim `text` names (see the module docstring), or None."""
    ranked = [c for c in match_claims(text, claims, registry) if _accepted(c)]
    if not ranked:
        return None
    if len(ranked) > 1 and ranked[1].score >= ranked[0].score:
        return None  # two claims fit as well: a reader could not tell either
    return ranked[0]
