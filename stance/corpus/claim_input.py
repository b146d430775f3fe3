"""What a user gives as a claim: a registry id or the accusation as text, and actor ids.

Every command that takes `--claim` (ingest, annotate, train, predict) resolves it here, so a
claim id, a claim text and a mistyped id get the same answer everywhere:

- a registry id is that claim;
- a text equal to a registry claim's text (spacing and case aside) is that claim;
- a text that names a registry claim's accused and event (stance.corpus.claim_match: "North
  Korea was behind the 2014 hack of Sony Pictures") is that claim, with a note saying so;
- any other text of three words or more is a new claim, read with the actor registry
  (stance.corpus.claim_text); it must name at least one known actor;
- anything else is a mistyped id, and the error names the nearest ids.

Accusers a claim text does not name are found in the documents themselves: the actors that
make the accusation there ("X blamed Y", "Y was behind it, X said", "the FBI said"), and the
holders of "X's accusations" / "US allegations", by `accusers_in`.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.core.errors import InputError
from stance.core.paths import PATHS
from stance.corpus.actors import Registry
from stance.corpus.claim_text import ClaimRoles, claim_roles

CURATED = PATHS.actors_curated


@dataclass(frozen=True)
class ClaimRef:
    id: str  # the registry id, or one made from the text (stance.corpus.claims.claim_id_from_text)
    text: str
    known: bool  # in the registry (or the model's claims)
    note: str = ""  # how a text was resolved to a registry claim, to say once on stderr


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def is_claim_text(value: str) -> bool:
    """Three words or more: an accusation, not a (mistyped) id."""
    return len(value.split()) >= 3


def nearest(value: str, choices: Iterable[str], n: int = 3) -> list[str]:
    pool = sorted(set(choices))
    close = difflib.get_close_matches(value, pool, n=n, cutoff=0.5)
    return close or difflib.get_close_matches(value.lower(), pool, n=n, cutoff=0.3)


def resolve_claim(
    value: str,
    known: Mapping[str, str],
    option: str = "--claim",
    *,
    claims: Mapping[str, Mapping[str, Any]] | None = None,
    registry: Registry | None = None,
) -> ClaimRef:
    """`value` as a claim: `known` maps claim ids to their texts (the registry's, the model's).
    With `claims` (id -> text, accusers, accused[, date]) and the actor `registry`, a text that
    names a known claim's accused and event resolves to that claim."""
    from stance.corpus.claims import claim_id_from_text

    value = " ".join(str(value).split())
    if value in known:
        return ClaimRef(value, known[value], True)
    wanted = _norm(value)
    for cid, text in known.items():
        if _norm(text) == wanted:
            return ClaimRef(cid, text, True)
    if not is_claim_text(value):
        near = nearest(value, known)
        hint = f" (nearest: {', '.join(near)})" if near else ""
        raise InputError(
            f"{option} {value!r}: not a known claim id{hint}; see `stance claims list`, or give "
            f'the accusation as text, e.g. {option} "Russia was behind the attack"'
        )
    if claims is not None and registry is not None:
        from stance.corpus.claim_match import best_match

        best = best_match(value, {k: v for k, v in claims.items() if k in known}, registry)
        if best is not None:
            note = (
                f"{option} {value!r}: resolved to registry claim {best.id} ({best.why()}); "
                f"`stance claims match` shows the candidates"
            )
            return ClaimRef(best.id, known[best.id], True, note)
    return ClaimRef(claim_id_from_text(value), value, False)


def check_actor_ids(registry: Registry, ids: Iterable[str], option: str) -> None:
    """Every id is an actor of the registry; a wrong one gets the nearest ids."""
    for actor in ids:
        if actor in registry.actors:
            continue
        near = nearest(actor.upper(), registry.actors)
        by_name = [m.actor for m in registry.find(actor) if m.actor]
        near = list(dict.fromkeys([*by_name, *near]))[:3]
        hint = f" (nearest: {', '.join(near)})" if near else ""
        raise InputError(
            f"{option} {actor}: not an actor id{hint}; find ids with `stance actors --find NAME`"
        )


def read_claim_text(
    text: str, registry: Registry, *, accused_given: bool = False, option: str = "--claim"
) -> ClaimRoles:
    """The roles a claim text names; it must name a known actor, and an accused unless given."""
    roles = claim_roles(text, registry)
    if not (roles.accusers or roles.accused or roles.others):
        raise InputError(
            f"{option} {text!r}: names no known actor: add the actor to {CURATED} (check with "
            f"`stance actors --find NAME`) or name the accused with --accused ACTOR_ID"
        )
    if not roles.accused and not accused_given:
        named = ", ".join(roles.accusers + roles.others)
        raise InputError(
            f"{option} {text!r}: no accused found (it names {named}, but not as responsible): "
            f'say who did it ("X was behind ...") or pass --accused ACTOR_ID'
        )
    return roles


# Words before the accused that frame the accusation as disputed, denied or doubted.
_DISPUTED = re.compile(
    r"\b(?:no|without|lack of|little|scant)\s+(?:\w+\s+)?(?:proof|evidence)\b|"
    r"\b(?:den(?:y|ies|ied|ying)|reject\w*|dismiss\w*|refut\w*|disput\w*|doubt\w*|"
    r"question(?:s|ed|ing)?|not|never|baseless|groundless|unfounded|false)\b|n't\b",
    re.I,
)


# "US accusations", "Washington's claims", "the FBI's assessment": the holder of an
# accusation noun accuses, whoever reports it (even to deny it: "Pyongyang rejected the
# White House's charges" still says the White House makes them).
_HELD_CHARGE = re.compile(
    r"['’]s\s+(?:\w+\s+)?(?:accusations?|allegations?|claims?|charges?|assessments?|"
    r"attributions?|findings?|conclusions?|indictments?)\b"
    # Without a possessive only nouns that are no verb: "Russia claims ..." and "China
    # charges that ..." are the actor speaking, not the holder of an accusation.
    r"|\s+(?:accusations|allegations|attributions|indictments)\b",
    re.I,
)


def accusers_in(
    sentences: Iterable[str], accused: Iterable[str], registry: Registry
) -> Counter[str]:
    """Actors that make the accusation in these sentences, with how often: the speaker of a
    sentence whose accused (read as a claim text) include one of `accused`, and the holder of
    an accusation noun ("US accusations", "Washington's claims") in a sentence naming them."""
    wanted = set(accused)
    found: Counter[str] = Counter()
    for sentence in sentences:
        named = registry.mentions(sentence)
        if not wanted.intersection(named):
            continue  # the cheap test first: most sentences do not name the accused
        for m in registry.scan(sentence):
            if m.actor and m.actor not in wanted and _HELD_CHARGE.match(sentence, m.end):
                found[m.actor] += 1
        # "Russia said Washington had no proof that Pyongyang was behind it" reports the
        # accusation to dispute it: its speaker is no accuser.
        first = min(m["start"] for a in wanted.intersection(named) for m in named[a])
        if _DISPUTED.search(sentence, 0, first):
            continue
        roles = claim_roles(sentence, registry)
        if wanted.intersection(roles.accused):
            found.update(a for a in roles.accusers if a not in wanted)
    return found


def likely_accusers(found: Mapping[str, int]) -> list[str]:
    """The actors found accusing often enough to be taken for accusers, most often first: a
    third of the top count at least, so one stray "Russia's claims" does not make an accuser."""
    if not found:
        return []
    top = max(found.values())
    return [a for a, n in Counter(found).most_common() if n * 3 >= top]


def register_claims(
    values: list[str],
    known: Mapping[str, str],
    registry: Registry,
    *,
    claims_path: Path,
    sentences: list[str],
    dates: list[str],
    accusers: list[str] | None = None,
    accused: list[str] | None = None,
    claims: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[list[str], list[str]]:
    """The claim ids for `values` (ids or texts), and a note for each claim text resolved to
    a registry claim (`claims`: see `resolve_claim`) or added to the registry: its accused
    from the text (or `accused`), its accusers from the text, else `accusers`, else the
    actors that make the accusation in `sentences`; its date the earliest of `dates` (the
    documents'). A text already in the registry is that claim."""
    from stance.corpus.claims import add_claim

    path = claims_path
    ids, notes = [], []
    for value in values:
        ref = resolve_claim(value, known, claims=claims, registry=registry)
        if ref.known:
            ids.append(ref.id)
            if ref.note:
                notes.append(ref.note)
            continue
        roles = read_claim_text(ref.text, registry, accused_given=bool(accused))
        blamed = list(accused or roles.accused)
        found = accusers_in(sentences, blamed, registry) if not (accusers or roles.accusers) else {}
        who = list(accusers or roles.accusers or likely_accusers(found))
        if not who:
            raise InputError(
                f"--claim {ref.text!r}: no accuser in the text, and no document has an actor "
                f"accusing {', '.join(blamed)}: name them with --accuser ACTOR_ID"
            )
        days = sorted(d for d in dates if d)
        if not days:
            raise InputError(
                f"--claim {ref.text!r}: no document has a date to give the claim: add it first "
                f'with `stance claims add "{ref.text}" --date YYYY-MM-DD`'
            )
        claim = add_claim(path, ref.text, registry, date=days[0], accusers=who, accused=blamed)
        origin = "the text" if (accusers or roles.accusers) else "the documents"
        if accusers:
            origin = "--accuser"
        notes.append(
            f"added claim {claim.id} to {path}: accusers {', '.join(claim.accusers)} "
            f"(from {origin}), accused {', '.join(claim.accused)}, date {claim.date}"
        )
        ids.append(claim.id)
    return ids, notes


def registry_claim(value: str, claims_path: Path, option: str = "--claim") -> str:
    """The registry id of `value` (an id, or the text of a registry claim), for commands that
    select by claim (annotate, serve, agreement): a new text must be registered first."""
    from stance.corpus.claims import load_claims

    path = claims_path
    ref = resolve_claim(value, {c.id: c.text for c in load_claims(path).values()}, option)
    if not ref.known:
        raise InputError(
            f"{option} {ref.text!r}: no claim in {path} has this text: add it with "
            f'`stance claims add "{ref.text}" --date YYYY-MM-DD` or `stance ingest --claim`'
        )
    return ref.id
