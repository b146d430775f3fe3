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
