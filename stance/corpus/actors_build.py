"""Generate data/actors.yaml from well-kept public sources plus a small curated overlay.

States are not typed by hand: UN membership, short and official names come from
country_converter's table, ISO names from pycountry, demonyms and capitals from countryinfo.
data/actors_curated.yaml adds what no such source has: metonyms ("the Kremlin"), bodies and
officials acting for a state, organisations, companies and groups, and an ignore list.

Aliases that two generated states both claim ("Dominican", "Congolese") denote neither with
certainty, so they are dropped and listed in the file header rather than guessed.
"""

from __future__ import annotations

import csv
import importlib.util
import json
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

from stance.core.errors import RegistryError
from stance.corpus.actors import load_yaml, match_key, parse_registry

SOURCES = ("pycountry", "country_converter", "countryinfo")
_CURATED_KEYS = ("actors", "ignore", "capitals_for", "exclude")


def _package_dir(name: str) -> Path:
    # Located without importing: country_converter imports pandas at import time.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RegistryError(
            f"package {name!r} is needed to rebuild actors: pip install -e '.[dev]'"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _usable(name: str | None) -> bool:
    # Inverted ISO forms ("Korea, Republic of") and codes ("KP") are not how news names states.
    if not name or "," in name or "(" in name or len(name) < 4:
        return False
    return not (name.isupper() and " " not in name)


def _un_members() -> dict[str, dict[str, str]]:
    table = _package_dir("country_converter") / "country_data.tsv"
    with table.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return {r["ISO3"]: r for r in rows if r["UNmember"] not in ("", "nan")}


def _countryinfo() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted((_package_dir("countryinfo") / "data").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        iso3 = (data.get("ISO") or {}).get("alpha3")
        if iso3:
            out[iso3] = data
    return out


def _state_names(iso3: str, cc: dict[str, str], info: dict[str, Any]) -> tuple[str, list[str]]:
    import pycountry

    name = cc["name_short"]
    if "," in name or "." in name:  # "Micronesia, Fed. Sts."
        name = info.get("name") or name
    names: list[str | None] = [name, cc["name_official"]]
    country = pycountry.countries.get(alpha_3=iso3)
    if country is not None:
        names += [
            country.name,
            getattr(country, "official_name", None),
            getattr(country, "common_name", None),
        ]
    names += [info.get("name")] + list(info.get("altSpellings") or [])
    # Latin script only: the seeds and the target news are English.
    stripped = [n.strip() for n in names if n]
    return name, [n for n in stripped if _usable(n) and all(ord(c) < 0x250 for c in n)]


def _demonyms(raw: str | None) -> list[str]:
    """'Antiguan,Barbudan' -> both; plurals news uses for people ('Iranians', 'Iraqis')."""
    out = []
    for d in (raw or "").split(","):
        d = d.strip()
        if d:
            out.append(d)
            if d.endswith(("an", "i")):
                out.append(d + "s")
    return out


def generate(curated_path: Path) -> tuple[dict[str, Any], list[str]]:
    """The registry as a mapping ready to dump, and the header lines saying how it was made."""
    curated = load_yaml(curated_path) or {}
    unknown = sorted(set(curated) - set(_CURATED_KEYS))
    if unknown:
        raise RegistryError(f"{curated_path}: unknown top-level key {unknown[0]!r}")
    members = _un_members()
    info = _countryinfo()
    capitals_for = set(curated.get("capitals_for") or [])
    g20 = {iso for iso, r in members.items() if r.get("G20") not in ("", "nan", None)}
    exclude = {match_key(a) for a in curated.get("exclude") or []}

    states: dict[str, dict[str, Any]] = {}
    claims: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for iso3 in sorted(members):
        name, names = _state_names(iso3, members[iso3], info.get(iso3, {}))
        extra = info.get(iso3, {})
        names += _demonyms(extra.get("demonym"))
        if (iso3 in g20 or iso3 in capitals_for) and extra.get("capital"):
            names.append(extra["capital"])
        aliases = []
        for n in dict.fromkeys(names):
            key = match_key(n)
            if key in exclude:
                continue
            claims[key].add(iso3)
            aliases.append(n)
        states[iso3] = {"id": iso3, "type": "state", "name": name, "aliases": aliases}

    contested = {k for k, owners in claims.items() if len(owners) > 1}
    dropped = sorted(
        {a for s in states.values() for a in s["aliases"] if match_key(a) in contested}
    )
    for s in states.values():
        s["aliases"] = [a for a in s["aliases"] if match_key(a) not in contested and a != s["name"]]

    others: list[dict[str, Any]] = []
    for entry in curated.get("actors") or []:
        if not isinstance(entry, dict) or "id" not in entry:
            raise RegistryError(f"{curated_path}: every actor entry needs an 'id'")
        if entry["id"] in states:
            target = states[entry["id"]]
            if set(entry) - {"id", "aliases"}:
                raise RegistryError(
                    f"{curated_path}: {entry['id']} is generated; only 'aliases' may be added"
                )
            target["aliases"] += [
                a for a in entry.get("aliases") or [] if a not in target["aliases"]
            ]
        else:
            others.append(dict(entry))

    actors = [states[k] for k in sorted(states)] + sorted(others, key=lambda e: e["id"])
    for a in actors:
        a["aliases"] = sorted(dict.fromkeys(a.get("aliases") or []), key=str.casefold)
    data = {"actors": actors, "ignore": sorted(curated.get("ignore") or [], key=str.casefold)}
    header = [
        "GENERATED by `stance actors --rebuild`: do not edit by hand.",
        "States: the 193 UN members (country_converter UNmember), names from country_converter,",
        "pycountry and countryinfo, demonyms from countryinfo, capitals for the G20 and",
        "`capitals_for`. Everything else: data/actors_curated.yaml.",
        "Sources: " + ", ".join(f"{p} {version(p)}" for p in SOURCES),
        f"{len(members)} states, {len(others)} other actors, {len(data['ignore'])} ignore phrases.",
        "Dropped as ambiguous (claimed by several states): " + (", ".join(dropped) or "none"),
    ]
    return data, header


def render(data: dict[str, Any], header: list[str]) -> str:
    lines = []
    for h in header:
        # Keep header comments readable in an editor.
        words, line = h.split(" "), "#"
        for w in words:
            if len(line) + len(w) + 1 > 99:
                lines.append(line)
                line = "#  "
            line += " " + w
        lines.append(line)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(lines) + "\n" + body


def rebuild(curated_path: Path, out_path: Path) -> dict[str, int]:
    """Regenerate the registry and write it atomically; validate before writing."""
    from stance.core.files import atomic_writer

    data, header = generate(curated_path)
    registry = parse_registry(data, out_path)  # fails on any clash the overlay introduced
    with atomic_writer(out_path) as fh:
        fh.write(render(data, header))
    types: dict[str, int] = defaultdict(int)
    for actor in registry.actors.values():
        types[actor.type] += 1
    return dict(types)
