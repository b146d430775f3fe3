"""Reading accusers and accused from a claim's text (stance.corpus.claim_text)."""

from __future__ import annotations

import pytest

from stance.corpus.actors import load_registry
from stance.corpus.claim_text import analyse_claim, claim_roles
from stance.corpus.claims import load_claims
from tests.conftest import ROOT

REG = load_registry(ROOT / "data/actors.yaml")


@pytest.mark.parametrize(
    "text, accusers, accused, others",
    [
        ("North Korea was responsible for the attack on Sony Pictures", (), ("PRK",), ("SONY",)),
        ("The FBI says North Korea hacked Sony Pictures", ("USA",), ("PRK",), ("SONY",)),
        ("The FBI said that Pyongyang was behind the hack", ("USA",), ("PRK",), ()),
        (
            "Sony Pictures was hacked by North Korea, according to the FBI",
            ("USA",),
            ("PRK",),
            ("SONY",),
        ),
        ("According to Washington, Russia carried out the NotPetya attack", ("USA",), ("RUS",), ()),
        ("Washington accused Pyongyang of the Sony hack", ("USA",), ("PRK",), ("SONY",)),
        ("Britain blames Russia for the NotPetya attack on Ukraine", ("GBR",), ("RUS",), ("UKR",)),
        ("North Korea behind Sony hack, US officials say", ("USA",), ("PRK",), ("SONY",)),
        (
            "Israel and the United States were behind Stuxnet, Iran says",
            ("IRN",),
            ("ISR", "USA"),
            (),
        ),
        ("Apple will release a new phone next year", (), (), ()),
        ("Russia and China held naval drills", (), (), ("RUS", "CHN")),
    ],
)
def test_roles_from_text(text: str, accusers: tuple, accused: tuple, others: tuple) -> None:
    roles = analyse_claim(text, REG)
    assert (roles.accusers, roles.accused, roles.others) == (accusers, accused, others)


def test_every_registry_claim_names_its_accused() -> None:
    # The registry's own texts are statements of who did it: the accused is always found.
    for claim in load_claims(ROOT / "data/claims.yaml", REG).values():
        assert set(analyse_claim(claim.text, REG).accused) == set(claim.accused), claim.id


def test_role_of_and_cache() -> None:
    roles = claim_roles("The FBI says North Korea hacked Sony Pictures", REG)
    assert [roles.role_of(a) for a in ("USA", "PRK", "SONY", "RUS")] == [
        "accuser",
        "accused",
        "other",
        None,
    ]
    assert claim_roles("The FBI says North Korea hacked Sony Pictures", REG) is roles


def test_held_responsible_is_an_accusation() -> None:
    roles = analyse_claim("Germany holds Russia responsible for the Bundestag hack", REG)
    assert (roles.accusers, roles.accused) == (("DEU",), ("RUS",))


def test_accusers_found_in_documents_leave_out_those_who_dispute_it() -> None:
    """Ingest's `--claim TEXT` takes accusers from the documents: a speaker who reports the
    accusation only to deny or doubt it is not one."""
    from stance.corpus.claim_input import accusers_in

    sentences = [
        "The FBI said North Korea was behind the attack.",
        "Russia said Washington had offered no proof that Pyongyang was behind the attack.",
        "Moscow rejected claims that North Korea was behind the hack.",
        "China said it did not believe North Korea was behind the attack.",
        "Britain said North Korea was responsible for the attack, which Pyongyang denied.",
    ]
    assert accusers_in(sentences, ["PRK"], REG) == {"USA": 1, "GBR": 1}
