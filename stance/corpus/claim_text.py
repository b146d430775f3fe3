"""What a claim's text says about who accuses whom: accusers, accused and others named.

A claim given as text ("The FBI says North Korea hacked Sony", "Russia was responsible for the
NotPetya attack") is read with the actor registry and a few attribution patterns:

- the accusers are the actors who say it: before an accusation or speech verb ("X accuses",
  "X says"), after "according to", or in a trailing ", X said";
- the accused are the actors before a responsibility predicate ("was responsible for", "was
  behind", "hacked", "carried out") or after "by" in the passive ("Sony was hacked by X"), or
  the object of an accusation verb ("X blamed Y for");
- every other actor named (the victim, a place) is `others`.

Nothing is guessed when no pattern matches: a side it cannot find is empty. Used by
`stance claims add` (fills the roles a user did not give), ingest and annotate (show them), and
the model (roles of a claim that is not in the registry).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from stance.corpus.actors import Registry

# "X accuses Y of", "X blamed Y for": the object of the verb is the accused.
_ACCUSE = re.compile(
    r"\b(?:accus(?:es|ed|e|ing)|blam(?:es|ed|e|ing)|point(?:s|ed)? the finger at|"
    r"(?:held|holds?)(?=[^,;.]*\b(?:responsible|accountable)\b)|"
    r"attribut(?:es|ed|e|ing) \w+ to|pinpoint(?:s|ed|ing)?)\b",
    re.I,
)
# "X says (that) ...": the speaker is the accuser, the rest is the proposition.
_SAY = re.compile(
    r"\b(?:says?|said|claims?|claimed|alleges?|alleged|concludes?|concluded|believes?|"
    r"believed|insists?|insisted|asserts?|asserted|found|finds|determined|assess(?:es|ed)?|"
    r"confirms?|confirmed|warns?|warned|reports?|reported)\b(?:\s+that\b)?",
    re.I,
)
_ACCORDING = re.compile(r"\baccording to\b", re.I)
# What the accused did, in the active voice.
_RESPONSIBLE = re.compile(
    r"\b(?:(?:was|were|is|are|be|been)\s+(?:(?:\w+ly|also)\s+)?(?:responsible|behind|to blame|"
    r"the (?:culprit|perpetrator|author)s?)|behind|"
    r"(?:has |have |had )?(?:hacked|attacked|carried out|launched|orchestrated|conducted|"
    r"perpetrated|stole|breached|targeted|sponsored|caused|hit|compromised|infiltrated|"
    r"penetrated|ran|spied on|hacks|attacks|targets|hijacked|sabotaged|disrupted))\b",
    re.I,
)
# The passive: "Sony was hacked by North Korea".
_PASSIVE_BY = re.compile(r"\b(?:was|were|is|are|been)\s+\w+ed\s+by\b", re.I)
_CLAUSE_END = re.compile(r"[,;:.]")


@dataclass(frozen=True)
class ClaimRoles:
    """Actor ids by role, each in order of first mention in the claim text."""

    accusers: tuple[str, ...]
    accused: tuple[str, ...]
    others: tuple[str, ...]

    def role_of(self, actor: str) -> str | None:
        """accuser, accused or other for an actor in the text; None for one it never names."""
        if actor in self.accused:
            return "accused"
        if actor in self.accusers:
            return "accuser"
        if actor in self.others:
            return "other"
        return None


def _actors(registry: Registry, text: str, lo: int, hi: int) -> list[str]:
    out: list[str] = []
    for m in registry.scan(text, lo, hi):
        if m.actor is not None and m.actor not in out:
            out.append(m.actor)
    return out


def _proposition(registry: Registry, text: str, lo: int, hi: int) -> list[str]:
    """The accused in text[lo:hi], a statement of who did it ("X was behind the hack")."""
    passive = _PASSIVE_BY.search(text, lo, hi)
    if passive:
        end = _CLAUSE_END.search(text, passive.end(), hi)
        return _actors(registry, text, passive.end(), end.start() if end else hi)
    verb = _RESPONSIBLE.search(text, lo, hi)
    if verb:
        return _actors(registry, text, lo, verb.start())
    return []


def analyse_claim(text: str, registry: Registry) -> ClaimRoles:
    """Accusers, accused and other actors a claim text names (see the module docstring)."""
    accusers: list[str] = []
    accused: list[str] = []
    lo, hi = 0, len(text)
    according = _ACCORDING.search(text)
    if according:
        end = _CLAUSE_END.search(text, according.end())
        stop = end.start() if end else hi
        accusers = _actors(registry, text, according.end(), stop)
        # The proposition is the rest: before "according to", or after its phrase.
        if according.start() > 0:
            hi = according.start()
        else:
            lo = stop
    else:
        # A trailing ", X said" / ", X says".
        tail = re.search(r",\s*([^,]+?)\s+(?:says?|said|claims?|claimed)\s*\.?\s*$", text)
        if tail and _actors(registry, text, tail.start(1), tail.end(1)):
            accusers = _actors(registry, text, tail.start(1), tail.end(1))
            hi = tail.start()
    if not accusers:
        accuse = _ACCUSE.search(text, lo, hi)
        say = _SAY.search(text, lo, hi)
        first = min((m for m in (accuse, say) if m), key=lambda m: m.start(), default=None)
        if first is not None and _actors(registry, text, lo, first.start()):
            accusers = _actors(registry, text, lo, first.start())
            if first is accuse:
                # "X accused Y of ...": the object, up to "of"/"for"/"over" or the clause end.
                rest = re.search(r"\b(?:of|for|over|as)\b|[,;:.]", text[first.end() : hi])
                stop = first.end() + rest.start() if rest else hi
                accused = _actors(registry, text, first.end(), stop)
            lo = first.end()
    if not accused:
        accused = _proposition(registry, text, lo, hi)
    accused = [a for a in accused if a not in accusers] or accused
    named = _actors(registry, text, 0, len(text))
    others = [a for a in named if a not in accused and a not in accusers]
    return ClaimRoles(tuple(accusers), tuple(accused), tuple(others))


@lru_cache(maxsize=1024)
def _cached(text: str, registry: Registry) -> ClaimRoles:
    return analyse_claim(text, registry)


def claim_roles(text: str, registry: Registry) -> ClaimRoles:
    """analyse_claim, cached: the model asks once per row, for few distinct claims."""
    return _cached(text, registry)
