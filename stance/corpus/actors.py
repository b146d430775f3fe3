"""The actor registry (data/actors.yaml) and the matcher that finds actor mentions in text.

Matching is on word tokens, so it is whole-word by construction; at each position the longest
alias wins ("North Korean" is PRK, never KOR via "Korean"), hyphens and spaces are
interchangeable ("Kim Jong-Un" = "Kim Jong Un"), a possessive "'s" is left outside the
mention, and multi-word aliases ignore case ("The Kremlin" at a sentence start) while one-word
aliases do not ("US" the country, never "us").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from stance.core.errors import RegistryError
from stance.core.files import read_yaml
from stance.core.schema import ACTOR_TYPES, AUTHOR, Mention

# Hyphens are not tokens, so "Jong-Un" and "Jong Un" tokenize alike.
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\w+|[^\w\s\-‐‑]")
_STATE_ID = re.compile(r"[A-Z]{3}")
_ORG_ID = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")
_ACTOR_KEYS = ("id", "type", "name", "aliases")
_TOP_KEYS = ("actors", "ignore")


def _tokens(segment: str) -> list[str]:
    """_TOKEN.findall(segment), piece by whitespace-separated piece: no token spans
    whitespace, and a piece of letters and digits only (most of them) is one token as it is.
    ~2x faster than the regex over the whole text on this, the matcher's hot path."""
    out: list[str] = []
    for piece in segment.split():
        if piece.isalnum():
            out.append(piece)
        else:
            out += _TOKEN.findall(piece)
    return out


def _words(segment: str) -> tuple[list[str], list[str]]:
    """Tokens of a text and their lower-case forms."""
    if "’" in segment:
        segment = segment.replace("’", "'")  # same length: offsets are unchanged
    words = _tokens(segment)
    return words, list(map(str.lower, words))


def match_key(alias: str) -> tuple[str, ...]:
    """How an alias is compared: exact for one word, case-insensitive for several."""
    words, folded = _words(alias)
    return tuple(words) if len(words) == 1 else tuple(folded)


@dataclass(frozen=True)
class Actor:
    id: str
    type: str
    name: str
    aliases: tuple[str, ...]


class Match(NamedTuple):
    # A tuple, not a frozen dataclass: built several times per sentence on the prediction
    # path, where a frozen dataclass's __init__ costs twice as much.
    actor: str | None  # None: an `ignore` phrase, matched only so it hides shorter aliases
    alias: str
    start: int
    end: int


class Registry:
    """Actors by id, and a longest-match index over all their aliases."""

    def __init__(self, actors: Iterable[Actor], ignore: Iterable[str] = (), source: str = ""):
        self.actors: dict[str, Actor] = {}
        self.ignore = tuple(ignore)
        self.source = source or "actors registry"
        # first token (lower case) -> [(length, {key: (actor id or None, alias)})], longest
        # first: one dict lookup per length at each position, however many aliases share the
        # first word ("the Kremlin", "the White House", ... all start with "the").
        self._index: dict[str, list[tuple[int, dict[tuple[str, ...], tuple[str | None, str]]]]] = {}
        owner: dict[tuple[str, ...], tuple[str | None, str]] = {}
        for actor in actors:
            if actor.id in self.actors:
                raise RegistryError(f"{self.source}: actor id {actor.id} is defined twice")
            self.actors[actor.id] = actor
            for alias in (actor.name, *actor.aliases):
                self._add(alias, actor.id, owner)
        for phrase in self.ignore:
            self._add(phrase, None, owner)
        for entries in self._index.values():
            entries.sort(key=lambda e: -e[0])
        # first token -> the second tokens of its aliases of two words or more: most words
        # that start an alias ("the") are not followed by one, and need no longer lookup.
        self._second: dict[str, frozenset[str]] = {
            first: frozenset(key[1] for k, keys in entries if k > 1 for key in keys)
            for first, entries in self._index.items()
        }

    def _add(
        self,
        alias: str,
        actor: str | None,
        owner: dict[tuple[str, ...], tuple[str | None, str]],
    ) -> None:
        key = match_key(alias)
        if not key:
            raise RegistryError(f"{self.source}: alias {alias!r} of {actor} has no words")
        if key in owner:
            other, other_alias = owner[key]
            if other == actor:
                return  # the same actor listing a variant twice is harmless
            who = lambda a: a or "the ignore list"  # noqa: E731
            raise RegistryError(
                f"{self.source}: alias {alias!r} is claimed by both {who(other)} "
                f"({other_alias!r}) and {who(actor)}: keep it under one of them"
            )
        owner[key] = (actor, alias)
        entries = self._index.setdefault(key[0].lower(), [])
        for k, keys in entries:
            if k == len(key):
                keys[key] = (actor, alias)
                break
        else:
            entries.append((len(key), {key: (actor, alias)}))

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self.actors or actor_id == AUTHOR

    def scan(self, text: str, start: int = 0, end: int | None = None) -> list[Match]:
        """Leftmost-longest alias matches in text[start:end], ignore phrases included."""
        return self.scan_words(text, start, end)[0]

    def scan_words(
        self, text: str, start: int = 0, end: int | None = None
    ) -> tuple[list[Match], list[str]]:
        """`scan`, and the lower-cased tokens it matched on (what else needs the words of the
        text need not find them again)."""
        end = len(text) if end is None else end
        segment = text[start:end]
        if "’" in segment:
            segment = segment.replace("’", "'")  # same length: offsets are unchanged
        # One regex pass (the hot path: ~1/3 of a prediction): lower-casing each token keeps
        # the tokens of lower-casing the text, and a sentence naming no alias ends here.
        words = _tokens(segment)
        folded = list(map(str.lower, words))
        index = self._index
        if index.keys().isdisjoint(folded):
            return [], folded
        out: list[Match] = []
        n = len(words)
        after = 0  # first token not yet inside a match
        located = 0  # tokens whose offsets are known (in `starts`); `pos`: where they end
        starts: list[int] = []
        pos = 0
        for i in [i for i, w in enumerate(folded) if w in index]:
            if i < after:
                continue
            w = folded[i]
            longer = i + 1 < n and folded[i + 1] in self._second[w]
            for k, keys in index[w]:
                if i + k > n or (k > 1 and not longer):
                    continue
                # One word: exact case ("US", never "us"); several: case-insensitive.
                hit = keys.get((words[i],) if k == 1 else tuple(folded[i : i + k]))
                if hit is not None:
                    # Offsets by searching each token from the end of the one before: only
                    # spaces and hyphens (never inside a token) lie between tokens.
                    while located < i + k:
                        pos = segment.find(words[located], pos)
                        starts.append(pos)
                        pos += len(words[located])
                        located += 1
                    last = i + k - 1
                    actor, alias = hit
                    stop = starts[last] + len(words[last])
                    out.append(Match(actor, alias, start + starts[i], start + stop))
                    after = i + k
                    break  # longest first
        return out, folded

    def mentions(
        self, text: str, start: int = 0, end: int | None = None
    ) -> dict[str, list[Mention]]:
        """Actor id -> its mentions in text[start:end], in order of first mention."""
        found: dict[str, list[Mention]] = {}
        for m in self.scan(text, start, end):
            if m.actor is not None:
                found.setdefault(m.actor, []).append(
                    Mention(text=text[m.start : m.end], start=m.start, end=m.end)
                )
        return found

    def find(self, query: str) -> list[Match]:
        """Matches of a phrase, for `stance actors --find`."""
        return [m for m in self.scan(query) if m.actor is not None]


def _fail(path: Path, msg: str) -> RegistryError:
    return RegistryError(f"{path}: {msg}")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_WORD = re.compile(r"\w")
MAX_ALIAS = 200


def _alias_problem(alias: str) -> str | None:
    """Why a name or alias cannot name an actor in text, or None. Aliases are matched as
    words, never as patterns: one of only punctuation (`.*`, `?`) would match any sentence."""
    if _CONTROL.search(alias):
        return "holds a control character"
    if len(alias) > MAX_ALIAS:
        return f"longer than {MAX_ALIAS} characters"
    if not _WORD.search(alias):
        return "has no letter or digit: an alias is a name as written in text"
    return None


def _parse_actor(path: Path, i: int, entry: Any) -> Actor:
    where = f"actor #{i + 1}"
    if not isinstance(entry, dict):
        raise _fail(path, f"{where}: expected a mapping with keys {', '.join(_ACTOR_KEYS)}")
    if "id" in entry:
        where = f"actor {entry['id']!r}"
    unknown = sorted(set(entry) - set(_ACTOR_KEYS))
    if unknown:
        raise _fail(
            path, f"{where}: unknown key {unknown[0]!r} (allowed: {', '.join(_ACTOR_KEYS)})"
        )
    for key in ("id", "type", "name"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise _fail(path, f"{where}: missing or empty {key!r}")
    actor_id, kind = entry["id"], entry["type"]
    if kind not in ACTOR_TYPES:
        raise _fail(path, f"{where}: type {kind!r} is not one of {', '.join(ACTOR_TYPES)}")
    pattern = _STATE_ID if kind == "state" else _ORG_ID
    if not pattern.fullmatch(actor_id) or actor_id == AUTHOR:
        rule = "ISO 3166-1 alpha-3, e.g. PRK" if kind == "state" else "UPPER_SNAKE_CASE, e.g. UN"
        raise _fail(path, f"{where}: id {actor_id!r} is not {rule}")
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise _fail(path, f"{where}: 'aliases' must be a list of non-empty strings")
    for alias in (entry["name"], *aliases):
        problem = _alias_problem(alias)
        if problem:
            raise _fail(path, f"{where}: alias {alias[:60]!r}: {problem}")
    return Actor(actor_id, kind, entry["name"], tuple(aliases))


def parse_registry(data: Any, path: Path) -> Registry:
    if not isinstance(data, dict) or "actors" not in data:
        raise _fail(path, "expected a mapping with an 'actors' list")
    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        raise _fail(path, f"unknown top-level key {unknown[0]!r} (allowed: {', '.join(_TOP_KEYS)})")
    if not isinstance(data["actors"], list):
        raise _fail(path, "'actors' must be a list")
    ignore = data.get("ignore") or []
    if not isinstance(ignore, list) or not all(isinstance(a, str) and a.strip() for a in ignore):
        raise _fail(path, "'ignore' must be a list of non-empty strings")
    actors = [_parse_actor(path, i, e) for i, e in enumerate(data["actors"])]
    return Registry(actors, ignore, source=str(path))


def load_yaml(path: Path) -> Any:
    return read_yaml(path, RegistryError)


def load_registry(path: Path) -> Registry:
    """Load and validate data/actors.yaml; any problem is one RegistryError naming the file."""
    return parse_registry(load_yaml(path), path)
