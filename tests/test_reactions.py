"""Reading reactions: the lexicon and holder rules on sentences in several outlets' styles.

Each sentence was written for these tests (wire, broadsheet, state media, ministry transcript);
none comes from the seeds or the held-out sets. The rule label is what the cue rules give the
actor (stance.model.evaluate.cue_rules): the polarity of the cues it holds, neutral when it
declines to comment or is only a dateline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stance.model.cues import find_cues
from stance.model.evaluate import cue_rules
from stance.model.pipeline import load_registries
from stance.model.views import NUMERIC, actor_views, alias_registry

ROOT = Path(__file__).resolve().parents[1]
REGS = load_registries(ROOT / "data/actors.yaml", ROOT / "data/claims.yaml")
REG = alias_registry(REGS.aliases, REGS.ignore)


def rule(sentence: str, actor: str, claim: str = "sony-hack-2014") -> str:
    _, _, numeric = actor_views([sentence], [actor], [claim], [None], REG, REGS.claims, 6)
    return cue_rules(numeric)[0]


def feature(sentence: str, actor: str, name: str, mentions: object = None) -> float:
    _, _, numeric = actor_views(
        [sentence], [actor], ["sony-hack-2014"], [mentions], REG, REGS.claims, 6
    )
    return float(numeric[0, NUMERIC.index(name)])


@pytest.mark.parametrize(
    ("sentence", "actor", "label"),
    [
        # 1. The accused's denial or dismissal in reported speech.
        ("Pyongyang rejected the White House's charge that its agents broke in.", "PRK", "oppose"),
        ("The Kremlin shrugged off suggestions that it had meddled in the vote.", "RUS", "oppose"),
        ("Beijing brushed aside the report, calling it a fabrication.", "CHN", "oppose"),
        ("North Korea's envoy scoffed at the findings on Tuesday.", "PRK", "oppose"),
        ("KCNA said the DPRK has no connection with the cyber-attack.", "PRK", "oppose"),
        ("Moscow struck back at the accusation on Friday.", "RUS", "oppose"),
        # 2. The accuser reporting its own accusation.
        ("Washington has formally pinned the attack on North Korea.", "USA", "support"),
        ("London officially charged Moscow with meddling in the vote.", "GBR", "support"),
        # Coordinated subjects hold the verb together; adverbs stand between them and it.
        ("Canberra and Ottawa have publicly blamed Beijing for the breach.", "AUS", "support"),
        ("Canberra and Ottawa have publicly blamed Beijing for the breach.", "CAN", "support"),
        ("Canberra and Ottawa have publicly blamed Beijing for the breach.", "CHN", "neutral"),
        # 3. Third parties: endorsements and objections.
        ("Tokyo backed Washington's finding on the breach.", "JPN", "support"),
        ("Germany welcomed the American findings, a spokesman said.", "DEU", "support"),
        (
            "Canberra stands firmly behind the attribution, the minister told parliament.",
            "AUS",
            "support",
        ),
        ("Seoul joined London in blaming Pyongyang for the attack.", "KOR", "support"),
        ("Beijing warned against jumping to conclusions over the hack.", "CHN", "oppose"),
        ("Moscow said Washington has not presented any evidence of the hack.", "RUS", "oppose"),
        ("Tehran mocked the investigation as a Western show.", "IRN", "oppose"),
        # 4. Refusals to comment and silence: neutral, whatever accusation words follow.
        ("France did not comment on the allegations.", "FRA", "neutral"),
        ("Beijing has kept quiet about the charge, diplomats said.", "CHN", "neutral"),
        ("The Foreign Ministry in Tokyo declined to comment on the sanctions.", "JPN", "neutral"),
        ("India neither confirmed nor denied that it had been briefed.", "IND", "neutral"),
        # Negation scope: a negated accusation is no accusation.
        ("Japan did not blame North Korea for the hack.", "JPN", "neutral"),
        ("Britain stopped short of accusing Russia directly.", "GBR", "neutral"),
        # The owner of a finding makes the accusation, whoever backs or doubts it.
        ("Tokyo backed Washington's finding on the breach.", "USA", "support"),
        ("Seoul supported the U.S. decision to blame Pyongyang.", "USA", "support"),
        ("Moscow questioned Washington's evidence.", "RUS", "oppose"),
        ("Moscow questioned Washington's evidence.", "USA", "support"),
        ("Japan's decision to stay out of the dispute surprised Seoul.", "JPN", "neutral"),
        # Not "not": "not only blamed" blames; an assessment that denies accuses no one; the
        # object of one clause is no subject of the next.
        ("Washington not only blamed Pyongyang but also imposed new sanctions.", "USA", "support"),
        (
            "Russia's own assessment is that North Korea had nothing to do with it.",
            "RUS",
            "neutral",
        ),
        ("The FBI accused North Korea, and Russia rejected the charge.", "PRK", "neutral"),
        ("The FBI accused North Korea, and Russia rejected the charge.", "RUS", "oppose"),
        # 5. The accuser as holder of the charge its accused denies.
        ("Pyongyang dismissed the American charges as slander.", "USA", "support"),
        ("Pyongyang dismissed the American charges as slander.", "PRK", "oppose"),
    ],
)
def test_the_rules_read_each_reaction(sentence: str, actor: str, label: str) -> None:
    assert rule(sentence, actor) == label


@pytest.mark.parametrize(
    ("sentence", "holder", "label"),
    [
        ("SEOUL, Dec 20 (Reuters) - North Korea denied any part in the attack.", "PRK", "oppose"),
        ("MOSCOW (AP) — Russia said Washington had shown no proof.", "RUS", "oppose"),
        ("PYONGYANG, Dec 21 (KCNA) -- The DPRK rejected the charge as a smear.", "PRK", "oppose"),
        ("BEIJING, March 3 - Japan accused North Korea of the hack.", "JPN", "support"),
    ],
)
def test_a_dateline_is_where_the_story_was_filed_not_a_party(
    sentence: str, holder: str, label: str
) -> None:
    # The dateline's place, given as a mention, is marked and holds no cue.
    place = sentence.split(",")[0].split(" (")[0]
    span = [{"start": 0, "end": len(place)}]
    assert feature(sentence, "XXX", "dateline", span) == 1.0
    assert rule(sentence, "XXX") == "neutral"
    # The body's actors are no dateline, and the body's holder holds the body's cue.
    assert feature(sentence, holder, "found") == 1.0
    assert feature(sentence, holder, "dateline") == 0.0
    assert rule(sentence, holder) == label


def test_capitals_in_headlines_are_no_dateline() -> None:
    # Four capitalised words before the dash: a headline, not a dateline.
    assert feature("NORTH KOREA DENIES HACK - state media", "PRK", "dateline") == 0.0
    assert rule("NORTH KOREA DENIES HACK - state media", "PRK") == "oppose"


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("The ministry declined to comment.", "no_comment"),
        ("Officials could not be reached for comment.", "no_comment"),
        ("The embassy did not respond to a request for comment.", "no_comment"),
        ("Moscow remained silent on the matter.", "no_comment"),
        ("Seoul supported the U.S. decision to blame Pyongyang.", "endorse"),
        ("Australia shares Britain's assessment.", "endorse"),
        ("Pyongyang laughed off the report.", "deny"),
        ("The charges were trumped-up, the ministry said.", "deny"),
        ("Beijing demanded hard evidence from Washington.", "dispute_evidence"),
        ("Critics warned of a rush to judgment.", "criticize_response"),
    ],
)
def test_the_lexicon_has_each_reaction(text: str, category: str) -> None:
    assert category in [c for c, _, _ in find_cues(text)]


def test_evidence_shown_is_not_evidence_disputed() -> None:
    # Only a negated presentation of evidence disputes it.
    assert "dispute_evidence" not in [c for c, _, _ in find_cues("The FBI provided evidence.")]
    assert "dispute_evidence" in [
        c for c, _, _ in find_cues("The FBI has never provided evidence.")
    ]


def test_a_long_enumeration_is_no_coordination_and_stays_fast() -> None:
    """Hundreds of actors joined by commas: linear work, and no actor holds the others' cue."""
    import time

    text = ", ".join(["Russia", "China", "Iran", "Japan"] * 500) + " blamed North Korea."
    started = time.process_time()
    assert rule(text, "JPN") in ("support", "neutral")
    assert time.process_time() - started < 5  # cubic, this took minutes
