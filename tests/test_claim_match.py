"""Claims given as text, resolved as a reader would: registry matches and accusers from rows."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from stance.corpus.actors import load_registry
from stance.corpus.claim_input import accusers_in, likely_accusers, resolve_claim
from stance.corpus.claim_match import best_match, match_claims
from stance.model.pipeline import load_registries

ROOT = Path(__file__).resolve().parents[1]
REG = load_registry(ROOT / "data/actors.yaml")
CLAIMS = load_registries(ROOT / "data/actors.yaml", ROOT / "data/claims.yaml").claims


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        # The example: no word of the registry text but the accused, target and year.
        ("North Korea was behind the 2014 hack of Sony Pictures.", "sony-hack-2014"),
        ("The FBI says North Korea hacked Sony Pictures", "sony-hack-2014"),
        ("Pyongyang's hackers stole from Bangladesh Bank", "bangladesh-bank-2016"),
        ("Russia hacked the Democratic National Committee", "dnc-hack-2016"),
        ("Britain blames Russia for the NotPetya attack", "notpetya-2017"),
        ("North Korea was behind the WannaCry ransomware", "wannacry-2017"),
        ("China hacked Microsoft Exchange servers", "exchange-2021"),
        ("Russia was behind the 2007 cyber-attacks on Estonia", "estonia-2007"),
        # Spelling variants, and an event a year before it was attributed.
        ("North Korea was behind Wanna Cry", "wannacry-2017"),
        ("Russia was behind Not-Petya", "notpetya-2017"),
        ("Russia was behind the 2020 SolarWinds hack", "solarwinds-2020"),
        ("Russia attacked the Ukrainian power grid in December 2015", "ukraine-grid-2015"),
    ],
)
def test_a_text_naming_a_registry_claims_accused_and_event_resolves_to_it(
    text: str, claim: str
) -> None:
    best = best_match(text, CLAIMS, REG)
    assert best is not None and best.id == claim and best.same_accused


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Russia was behind the attack", "no event: eight registry claims accuse Russia"),
        ("North Korea hacked Sony Pictures in 2016", "another year"),
        ("China was behind the hack of Sony Pictures", "another accused"),
        ("France says North Korea hacked Sony Pictures", "an accuser the claim does not have"),
        ("Iran was behind the attack on the water plant", "no registry event"),
        # A state that is a party to other accusations names no event on its own.
        ("China hacked the US Office of Personnel Management", "the US alone"),
        ("China hacked the UK", "the UK alone"),
        # The same target and words, but the claim's text names another year.
        ("Russia was behind the December 2016 Industroyer attack on Ukraine's power grid", "2016"),
    ],
)
def test_a_text_that_could_be_another_accusation_stays_its_own(text: str, why: str) -> None:
    assert best_match(text, CLAIMS, REG) is None, why


def test_a_registry_text_never_resolves_to_another_claim() -> None:
    texts = {cid: info["text"] for cid, info in CLAIMS.items()}
    for cid, info in CLAIMS.items():
        best = best_match(info["text"], CLAIMS, REG)
        # The German Bundestag: Germany accuses in another claim too, and the registry's
        # alias takes the word "Bundestag", so no event word is left (the exact text is
        # still that claim).
        assert (best.id if best else None) in (cid, None)
        assert resolve_claim(info["text"], texts, claims=CLAIMS, registry=REG).id == cid


def test_candidates_are_scored_best_first_with_their_evidence() -> None:
    ranked = match_claims("North Korea was behind the 2014 hack of Sony Pictures.", CLAIMS, REG)
    assert ranked[0].id == "sony-hack-2014"
    assert ranked[0].why() == "same accused; target SONY; same year"
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert ranked[1].score < 0.5  # the other North Korea claims: the same accused only


def test_resolve_claim_says_how_a_text_was_resolved() -> None:
    texts = {cid: info["text"] for cid, info in CLAIMS.items()}
    text = "North Korea was behind the 2014 hack of Sony Pictures."
    ref = resolve_claim(text, texts, claims=CLAIMS, registry=REG)
    assert (ref.id, ref.text, ref.known) == (
        "sony-hack-2014",
        CLAIMS["sony-hack-2014"]["text"],
        True,
    )
    assert ref.note.startswith(f"--claim {text!r}: resolved to registry claim sony-hack-2014")
    # Without the registry's roles nothing is matched: the text is a claim of its own.
    assert not resolve_claim(text, texts).known


def test_accusers_are_read_from_accusation_frames_and_held_charges() -> None:
    sentences = [
        "Pyongyang rejected the White House's charge that its agents broke into the network.",
        # The verb, not the noun: Russia speaks here, it holds no accusation.
        "Russia claims there is no proof that North Korea was behind the theft.",
        "US accusations against North Korea were met with scorn in Pyongyang.",
        "The FBI said North Korea was behind the intrusion.",
        # Reported only to doubt it: Russia is no accuser.
        "Russia said Washington had shown no proof that North Korea was behind it.",
        "Moscow rejected claims that North Korea was behind the hack.",
        "China held trade talks with Japan.",  # no accused named: not read at all
    ]
    found = accusers_in(sentences, ["PRK"], REG)
    assert found == {"USA": 3}
    # A stray holder does not make an accuser: a third of the top count at least.
    assert likely_accusers({"USA": 6, "RUS": 1, "GBR": 2}) == ["USA", "GBR"]
    assert likely_accusers({}) == []


def test_predict_resolves_claim_texts_and_reads_missing_accusers_from_the_rows(
    trained: Path, project: Path, cli
) -> None:
    sony_words = "North Korea was behind the 2014 hack of Sony Pictures."
    own = "North Korea was behind the attack on the film studio"
    rows = [
        {"sentence": "Pyongyang denied it.", "actor": "PRK", "claim": sony_words},
        {
            "sentence": "The FBI said North Korea was behind the attack.",
            "actor": "USA",
            "claim": own,
        },
        {"sentence": "US accusations against North Korea grew.", "actor": "USA", "claim": own},
        {"sentence": "Pyongyang dismissed the American charges.", "actor": "PRK", "claim": own},
    ]
    src = project / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = ("predict", "--input", str(src), "--output", "out.jsonl", "--model", str(trained))
    result = cli(*args)
    assert result.exit_code == 0, result.output
    out = pd.read_json(project / "out.jsonl", lines=True)
    assert list(out["claim"]) == ["sony-hack-2014"] + ["north-korea-behind-attack-film"] * 3
    assert out["claim_text"][0] == CLAIMS["sony-hack-2014"]["text"]
    assert [list(a) for a in out["accusers"]] == [["USA"]] * 4
    assert [list(a) for a in out["accused"]] == [["PRK"]] * 4
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == [
        f"note: claim {sony_words!r}: resolved to registry claim sony-hack-2014 (same accused; "
        "target SONY; same year); `stance claims match` shows the candidates",
        f"note: claim {own!r} names no accuser: USA read from the rows (3 sentences) as "
        "accusing PRK",
    ]
    # An input column predict writes is refused, the new ones included.
    src.write_text(json.dumps({**rows[0], "accused": ["PRK"]}) + "\n")
    bad = cli(*args)
    assert bad.exit_code == 1 and "has a 'accused' column" in bad.stderr


def test_claims_match_lists_the_candidates(project: Path, cli) -> None:
    result = cli(
        "claims", "match", "North Korea was behind the 2014 hack of Sony Pictures", "--top", "2"
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split("\t") == [
        "*",
        "sony-hack-2014",
        "1.010",
        "same accused; target SONY; same year",
    ]
    assert len(lines) == 3
    none = cli("claims", "match", "Russia was behind the attack")
    assert none.stdout.splitlines()[-1].startswith("no registry claim names this accused and event")
    nothing = cli("claims", "match", "x")  # no known actor: no candidate at all
    assert nothing.stdout.splitlines() == [
        "no registry claim names this accused and event: the text is a claim of its own"
    ]
    empty = cli("claims", "match", "  ")
    assert empty.exit_code == 1 and empty.stderr.startswith("Error: the claim text is empty")


def test_an_empty_claim_is_an_error_not_the_default(trained: Path, project: Path, cli) -> None:
    result = cli("predict", "Moscow denied it.", "--model", str(trained), "--claim", " ")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "Error: --claim: empty: give a claim id or the accusation as text, or leave it out"
    ]
