from pathlib import Path

import pytest
import yaml

from stance.core.errors import RegistryError
from stance.corpus.actors import Actor, Registry, load_registry
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(ROOT / "data/actors.yaml")


def found(registry: Registry, text: str) -> list[tuple[str, str]]:
    return [(m.actor, text[m.start : m.end]) for m in registry.scan(text) if m.actor]


@pytest.mark.parametrize(
    "phrase, actor",
    [
        ("the Kremlin", "RUS"),
        ("The Kremlin", "RUS"),
        ("Moscow", "RUS"),
        ("Lukashevich", "RUS"),
        ("Russian Foreign Ministry", "RUS"),
        ("Putin", "RUS"),
        ("Lavrov", "RUS"),
        ("Peskov", "RUS"),
        ("Pyongyang", "PRK"),
        ("Kim Jong-Un", "PRK"),
        ("Kim Jong Un", "PRK"),
        ("Kim Jong-un", "PRK"),
        ("Ja Song Nam", "PRK"),
        ("KCNA", "PRK"),
        ("the communist North", "PRK"),
        ("Democratic People's Republic of Korea", "PRK"),
        ("DPRK", "PRK"),
        ("North Korean", "PRK"),
        ("South Korean", "KOR"),
        ("Seoul", "KOR"),
        ("Washington", "USA"),
        ("the White House", "USA"),
        ("FBI", "USA"),
        ("State Department", "USA"),
        ("Obama", "USA"),
        ("U.S.", "USA"),
        ("Beijing", "CHN"),
        ("Xi Jinping", "CHN"),
        ("Downing Street", "GBR"),
        ("United Nations", "UN"),
        ("U.N.", "UN"),
        ("Guardians of Peace", "GUARDIANS_OF_PEACE"),
        ("Sony Pictures Entertainment", "SONY"),
        ("NATO", "NATO"),
        ("European Union", "EU"),
    ],
)
def test_aliases(registry: Registry, phrase: str, actor: str) -> None:
    assert found(registry, phrase) == [(actor, phrase)]


def test_longest_match_wins(registry: Registry) -> None:
    assert found(registry, "North Korean hackers") == [("PRK", "North Korean")]
    assert found(registry, "Russian Foreign Ministry spokesman Alexander Lukashevich") == [
        ("RUS", "Russian Foreign Ministry"),
        ("RUS", "Alexander Lukashevich"),
    ]


def test_possessive_matches_without_the_s(registry: Registry) -> None:
    assert found(registry, "Pyongyang's anger and Russia’s ties") == [
        ("PRK", "Pyongyang"),
        ("RUS", "Russia"),
    ]


def test_whole_words_and_case(registry: Registry) -> None:
    # "us" is a pronoun, "Koreans" is not "Korean", "Russianness" is not "Russian".
    assert found(registry, "Tell us about Russianness") == []
    assert found(registry, "It is on the Korean Peninsula") == []  # an ignore phrase
    assert found(registry, "The Washington Post reported") == []


def test_every_un_member_is_a_state(registry: Registry) -> None:
    states = [a for a in registry.actors.values() if a.type == "state"]
    assert len(states) == 193
    assert {"USA", "PRK", "KOR", "RUS", "CHN", "SSD", "TLS", "VAT"} - {a.id for a in states} == {
        "VAT"
    }


@pytest.mark.parametrize(
    "iso3, demonym, capital",
    [
        ("ARG", "Argentine", "Buenos Aires"),
        ("AUS", "Australian", "Canberra"),
        ("BRA", "Brazilian", "Brasília"),
        ("CAN", "Canadian", "Ottawa"),
        ("CHN", "Chinese", "Beijing"),
        ("FRA", "French", "Paris"),
        ("DEU", "German", "Berlin"),
        ("IND", "Indian", "New Delhi"),
        ("IDN", "Indonesian", "Jakarta"),
        ("ITA", "Italian", "Rome"),
        ("JPN", "Japanese", "Tokyo"),
        ("MEX", "Mexican", "Mexico City"),
        ("RUS", "Russian", "Moscow"),
        ("SAU", "Saudi Arabian", "Riyadh"),
        ("ZAF", "South African", "Pretoria"),
        ("KOR", "South Korean", "Seoul"),
        ("TUR", "Turkish", "Ankara"),
        ("GBR", "British", "London"),
        ("USA", "American", "Washington"),
        ("PRK", "North Korean", "Pyongyang"),
    ],
)
def test_g20_and_koreas_have_demonyms_and_capitals(
    registry: Registry, iso3: str, demonym: str, capital: str
) -> None:
    assert found(registry, demonym) == [(iso3, demonym)]
    assert found(registry, capital) == [(iso3, capital)]


def test_registry_is_generated_from_its_sources() -> None:
    """data/actors.yaml is exactly what `stance actors --rebuild` makes: never hand-edited."""
    from stance.corpus.actors_build import generate, render

    data, header = generate(ROOT / "data/actors_curated.yaml")
    assert render(data, header) == (ROOT / "data/actors.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "actors.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def entry(id_: str, *aliases: str, type_: str = "state", name: str | None = None) -> dict:
    return {"id": id_, "type": type_, "name": name or id_.title(), "aliases": list(aliases)}


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"actors": [entry("USA", "Georgia"), entry("GEO", "Georgia")]},
            "alias 'Georgia' is claimed by both USA ('Georgia') and GEO: keep it under one of them",
        ),
        ({"actors": [entry("USA"), entry("USA")]}, "actor id USA is defined twice"),
        ({"actors": [{**entry("USA"), "alias": ["x"]}]}, "actor 'USA': unknown key 'alias'"),
        ({"actors": [{"type": "state", "name": "X"}]}, "actor #1: missing or empty 'id'"),
        ({"actors": [entry("USA", type_="country")]}, "type 'country' is not one of"),
        ({"actors": [entry("usa")]}, "id 'usa' is not ISO 3166-1 alpha-3"),
        ({"actors": [entry("UN", type_="organisation", name="United Nations")]}, None),
        ({"actors": [], "others": []}, "unknown top-level key 'others'"),
        ({"people": []}, "expected a mapping with an 'actors' list"),
        ({"actors": [entry("USA", "")]}, "'aliases' must be a list of non-empty strings"),
        (
            {"actors": [entry("USA", "Washington Post")], "ignore": ["Washington Post"]},
            "claimed by both USA",
        ),
    ],
)
def test_malformed_registry(tmp_path: Path, data: object, message: str | None) -> None:
    path = write(tmp_path, data)
    if message is None:
        load_registry(path)
        return
    with pytest.raises(RegistryError) as err:
        load_registry(path)
    assert str(err.value).startswith(f"{path}: ")
    assert message in str(err.value)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "actors.yaml"
    path.write_text("actors:\n  - id: USA\n   type: [\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"actors.yaml: line \d+ not valid YAML"):
        load_registry(path)


def test_missing_registry_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no such file .*run from the project root"):
        load_registry(tmp_path / "nope.yaml")


def test_same_actor_may_repeat_a_variant() -> None:
    reg = Registry([Actor("PRK", "state", "North Korea", ("Kim Jong-Un", "Kim Jong Un"))])
    assert [m.actor for m in reg.scan("Kim Jong Un spoke")] == ["PRK"]
