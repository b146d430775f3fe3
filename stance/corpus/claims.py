"""The claim registry (data/claims.yaml): the accusations toward which stances are labelled."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.core.errors import RegistryError
from stance.corpus.actors import Registry, load_yaml

_KEYS = ("id", "text", "accusers", "accused", "date")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    accusers: tuple[str, ...]
    accused: tuple[str, ...]
    date: str  # ISO 8601


def _parse_claim(path: Path, i: int, entry: Any, actors: Registry | None) -> Claim:
    where = f"claim #{i + 1}"
    if not isinstance(entry, dict):
        raise RegistryError(f"{path}: {where}: expected a mapping with keys {', '.join(_KEYS)}")
    if "id" in entry:
        where = f"claim {entry['id']!r}"
    unknown = sorted(set(entry) - set(_KEYS))
    if unknown:
        raise RegistryError(
            f"{path}: {where}: unknown key {unknown[0]!r} (allowed: {', '.join(_KEYS)})"
        )
    missing = [k for k in _KEYS if entry.get(k) in (None, "", [])]
    if missing:
        raise RegistryError(f"{path}: {where}: missing {missing[0]!r}")
    if not isinstance(entry["id"], str) or not _ID.fullmatch(entry["id"]):
        raise RegistryError(
            f"{path}: {where}: id must be lower-case-with-hyphens, e.g. sony-hack-2014"
        )
    if not isinstance(entry["text"], str):
        raise RegistryError(f"{path}: {where}: 'text' must be a string")
    sides: dict[str, tuple[str, ...]] = {}
    for key in ("accusers", "accused"):
        value = entry[key]
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RegistryError(f"{path}: {where}: {key!r} must be a list of actor ids")
        for actor in value:
            if actors is not None and actor not in actors.actors:
                raise RegistryError(f"{path}: {where}: {key} names unknown actor {actor!r}")
        sides[key] = tuple(value)
    date = entry["date"]
    if isinstance(date, dt.date):
        date = date.isoformat()
    else:
        try:
            date = dt.date.fromisoformat(str(date)).isoformat()
        except ValueError:
            raise RegistryError(f"{path}: {where}: date {date!r} is not YYYY-MM-DD") from None
    return Claim(entry["id"], entry["text"].strip(), sides["accusers"], sides["accused"], date)


def load_claims(path: Path, actors: Registry | None = None) -> dict[str, Claim]:
    """Load and validate data/claims.yaml; actor ids are checked when a registry is given."""
    data = load_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
        raise RegistryError(f"{path}: expected a mapping with a 'claims' list")
    unknown = sorted(set(data) - {"claims"})
    if unknown:
        raise RegistryError(f"{path}: unknown top-level key {unknown[0]!r} (allowed: claims)")
    claims: dict[str, Claim] = {}
    for i, entry in enumerate(data["claims"]):
        claim = _parse_claim(path, i, entry, actors)
        if claim.id in claims:
            raise RegistryError(f"{path}: claim id {claim.id!r} is defined twice")
        claims[claim.id] = claim
    return claims


_STOP = frozenset("the a an of on in for to and by was were is are be been its it that".split())


def claim_id_from_text(text: str, date: str = "") -> str:
    """A lower-case-with-hyphens id from a claim's text: its first content words, and the
    year of `date` when the text has none ("Russia hacked the DNC" -> russia-hacked-dnc)."""
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP]
    slug = "-".join(words[:5]) or "claim"
    year = date[:4]
    if year.isdigit() and year not in words[:5]:
        slug += f"-{year}"
    return slug


def add_claim(
    path: Path,
    text: str,
    actors: Registry,
    *,
    date: str,
    claim_id: str | None = None,
    accusers: list[str] | None = None,
    accused: list[str] | None = None,
) -> Claim:
    """Append one claim to the registry file, atomically, keeping its comments.

    Roles not given are read from the text (stance.corpus.claim_text); the id, when not given,
    is derived from the text. The new entry is validated as `load_claims` validates the file.
    """
    import yaml

    from stance.core.files import atomic_writer, read_text
    from stance.corpus.claim_input import check_actor_ids, read_claim_text

    text = " ".join(text.split())
    if not text:
        raise RegistryError("the claim text is empty: give the accusation as a sentence")
    existing = load_claims(path, actors)
    check_actor_ids(actors, accusers or [], "--accuser")
    check_actor_ids(actors, accused or [], "--accused")
    roles = read_claim_text(text, actors, accused_given=bool(accused), option="claim")
    sides = {
        "accusers": accusers or list(roles.accusers),
        "accused": accused or list(roles.accused),
    }
    if not sides["accusers"]:
        raise RegistryError(
            f"no accuser found in the text {text!r}: say who makes the accusation "
            f'("the FBI says ...") or name them with --accuser ACTOR_ID'
        )
    entry: dict[str, Any] = {
        "id": claim_id or claim_id_from_text(text, date),
        "text": text,
        **sides,
        "date": date,
    }
    claim = _parse_claim(path, len(existing), entry, actors)
    if claim.id in existing:
        raise RegistryError(f"{path}: claim id {claim.id!r} is already defined: give another --id")
    entry["date"] = dt.date.fromisoformat(claim.date)
    body = read_text(path)
    dumped = yaml.safe_dump(
        [entry], sort_keys=False, default_flow_style=None, allow_unicode=True, width=10**6
    )
    block = "".join(f"  {line}\n" for line in dumped.splitlines())
    new = (body if body.endswith("\n") else body + "\n") + block
    parsed = yaml.safe_load(new)
    if not isinstance(parsed, dict) or parsed.get("claims", [None])[-1] != entry:
        raise RegistryError(f"{path}: the claims list is not the file's last block: add by hand")
    with atomic_writer(path) as out:
        out.write(new)
    return claim
