"""The claim registry (data/claims.yaml): the accusations toward which stances are labelled."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.core.errors import RegistryError
from stance.corpus.actors import Registry, load_yaml

_KEYS = ("id", "text", "accusers", "accused", "date")
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_TEXT = 1000  # characters: an accusation is a sentence, not an article
MAX_ID = 100


@dataclass(frozen=True)
class Claim:
    id: str
    text: str
    accusers: tuple[str, ...]
    accused: tuple[str, ...]
    date: str  # ISO 8601

    def info(self) -> dict[str, Any]:
        """What claim matching reads of a claim (stance.corpus.claim_match)."""
        return {
            "text": self.text,
            "accusers": self.accusers,
            "accused": self.accused,
            "date": self.date,
        }


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
    if len(entry["id"]) > MAX_ID:
        raise RegistryError(f"{path}: {where}: id longer than {MAX_ID} characters")
    if not isinstance(entry["text"], str):
        raise RegistryError(f"{path}: {where}: 'text' must be a string")
    check_claim_text(entry["text"], f"{path}: {where}")
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


def check_claim_text(text: str, where: str) -> None:
    """A claim text is printable UTF-8 of sensible length: it is shown in terminals, pages and
    cards, and the registry must stay a file every command can read."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise RegistryError(
            f"{where}: the claim text holds bytes that are not UTF-8; type it again as text"
        ) from None
    bad = _CONTROL.search(text.replace("\n", " ").replace("\t", " "))
    if bad:
        raise RegistryError(
            f"{where}: the claim text holds a control character (\\x{ord(bad.group()):02x} "
            f"at {bad.start()}); remove it"
        )
    if len(text) > MAX_TEXT:
        raise RegistryError(
            f"{where}: the claim text is {len(text):,} characters; an accusation is one "
            f"sentence of at most {MAX_TEXT:,}"
        )


def load_claims(path: Path, actors: Registry | None = None) -> dict[str, Claim]:
    """Load and validate data/claims.yaml; actor ids are checked when a registry is given."""
    return _claims_of(load_yaml(path), path, actors)


def _claims_of(data: Any, path: Path, actors: Registry | None) -> dict[str, Claim]:
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
    is derived from the text. The new entry is validated as `load_claims` validates the file,
    and the whole new file is parsed back before it replaces the old one. All of it happens
    under a lock on the registry's folder, so concurrent adds each keep their entry.
    """
    text = " ".join(text.split())
    if not text:
        raise RegistryError("the claim text is empty: give the accusation as a sentence")
    check_claim_text(text, "claim")
    with _locked(path):
        return _add(path, text, actors, date, claim_id, accusers, accused)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the registry's folder: the file itself is replaced by a rename,
    so a lock on it would not be seen by the next writer; the folder stays."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise RegistryError(f"{path}: cannot open its folder ({exc.strerror})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _add(
    path: Path,
    text: str,
    actors: Registry,
    date: str,
    claim_id: str | None,
    accusers: list[str] | None,
    accused: list[str] | None,
) -> Claim:
    import yaml

    from stance.core.files import atomic_writer, read_text
    from stance.corpus.claim_input import check_actor_ids, read_claim_text

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
    if set(_claims_of(parsed, path, actors)) != {*existing, claim.id}:
        raise RegistryError(f"{path}: adding {claim.id!r} would change other claims: add by hand")
    with atomic_writer(path) as out:
        out.write(new)
    return claim
