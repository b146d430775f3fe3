"""What a user gives as a claim: a registry id or the accusation as text, and actor ids.

Every command that takes `--claim` (ingest, annotate, train, predict) resolves it here, so a
claim id, a claim text and a mistyped id get the same answer everywhere:

- a registry id is that claim;
- a text equal to a registry claim's text (spacing and case aside) is that claim;
- any other text of three words or more is a new claim, read with the actor registry
  (stance.corpus.claim_text); it must name at least one known actor;
- anything else is a mistyped id, and the error names the nearest ids.

Accusers a claim text does not name are found in the documents themselves: the actors that
make the accusation there ("X blamed Y", "Y was behind it, X said"), by `accusers_in`.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from stance.core.errors import InputError
from stance.corpus.actors import Registry
from stance.corpus.claim_text import ClaimRoles, claim_roles

CURATED = "data/actors_curated.yaml"


@dataclass(frozen=True)
class ClaimRef:
    id: str  # the registry id, or one made from the text (stance.corpus.claims.claim_id_from_text)
    text: str
    known: bool  # in the registry (or the model's claims)


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def is_claim_text(value: str) -> bool:
    """Three words or more: an accusation, not a (mistyped) id."""
    return len(value.split()) >= 3


def nearest(value: str, choices: Iterable[str], n: int = 3) -> list[str]:
    pool = sorted(set(choices))
    close = difflib.get_close_matches(value, pool, n=n, cutoff=0.5)
    return close or difflib.get_close_matches(value.lower(), pool, n=n, cutoff=0.3)


def resolve_claim(value: str, known: Mapping[str, str], option: str = "--claim") -> ClaimRef:
    """`value` as a claim: `known` maps claim ids to their texts (the registry's, the model's)."""
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


def accusers_in(
    sentences: Iterable[str], accused: Iterable[str], registry: Registry
) -> Counter[str]:
    """Actors that make the accusation in these sentences, with how often: the speaker of a
    sentence whose accused (read as a claim text) include one of `accused`."""
    wanted = set(accused)
    found: Counter[str] = Counter()
    for sentence in sentences:
        if not wanted.intersection(registry.mentions(sentence)):
            continue  # the cheap test first: most sentences do not name the accused
        roles = claim_roles(sentence, registry)
        if wanted.intersection(roles.accused):
            found.update(a for a in roles.accusers if a not in wanted)
    return found
