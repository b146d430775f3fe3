"""Cue lexicons and actor-aware features on real sentences."""

import random
import re

import pandas as pd
import pytest

from stance.model.cues import _REFERENCE, find_cues
from stance.model.features import ActorView
from stance.model.pipeline import load_registries
from tests.conftest import ROOT, read_jsonl


def all_sentences() -> list[str]:
    out = []
    for path in sorted((ROOT / "data/constructed").glob("*.jsonl")):
        out += [r["text"] for r in read_jsonl(path)]
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        out += path.read_text(encoding="utf-8").splitlines()
    return [s for s in out if s.strip()]


def test_dispatched_cue_matching_equals_the_reference_regex() -> None:
    for text in all_sentences() + ["They didn't comment; it was NOT responsible, no evidence."]:
        ref = [(m.lastgroup, m.start(), m.end()) for m in _REFERENCE.finditer(text)]
        assert find_cues(text) == ref, text


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "North Korea has denied the allegations, saying it had nothing to do with it.",
            [("deny", "denied"), ("accuse", "allegations"), ("deny", "nothing to do with")],
        ),
        (
            "Washington failed to offer any proof, adding that the threats were counterproductive.",
            [
                ("dispute_evidence", "failed to offer"),
                ("retaliate", "threats"),
                ("criticize_response", "counterproductive"),
            ],
        ),
        ("Nothing was said about the notion.", [("speech", "said")]),  # "not" inside words: no
        (
            "Havana stood by Caracas and sided with it.",
            [("sympathize", "stood by"), ("sympathize", "sided with")],
        ),
        # Solidarity or support for whom? The lexicon cannot tell: no cue.
        ("The bloc expressed solidarity with Tallinn and support for it.", []),
    ],
)
def test_cues(text: str, expected: list) -> None:
    assert [(c, text[s:e]) for c, s, e in find_cues(text)] == expected


def test_sympathy_cues_name_no_actor() -> None:
    # Whom the sympathy is for comes from the actor features, not from the lexicon.
    from stance.corpus.actors import load_registry
    from stance.model.cues import LEXICON

    registry = load_registry(ROOT / "data/actors.yaml")
    names = {
        n.lower()
        for a in registry.actors.values()
        for n in (a.name, *a.aliases)
        if len(n) > 3 and n.isalpha()
    }
    for pattern in LEXICON["sympathize"][1]:
        words = set(re.findall(r"[a-z]+", pattern.lower()))
        assert not words & names, pattern


@pytest.fixture(scope="module")
def view() -> ActorView:
    regs = load_registries(ROOT / "data/actors.yaml", ROOT / "data/claims.yaml")
    view = ActorView(aliases=regs.aliases, ignore=regs.ignore, claims=regs.claims)
    return view.fit(pd.DataFrame(columns=["sentence", "actor", "claim"]))


def rows(
    view: ActorView, sentence: str, actors: list[str], claim: str = "sony-hack-2014"
) -> pd.DataFrame:
    return view.transform(pd.DataFrame({"sentence": sentence, "actor": actors, "claim": claim}))


def test_cue_holders_follow_the_sentence(view: ActorView) -> None:
    # Seed: Russia holds the criticism, the U.S. holds the threats, North Korea holds neither.
    out = rows(
        view,
        "Sony hack update: Russia calls U.S. threats against North Korea "
        "'counter-productive and dangerous'",
        ["RUS", "USA", "PRK"],
    )
    assert list(out["hold_oppose"]) == [2, 0, 0]
    assert list(out["hold_support"]) == [0, 1, 0]
    assert list(out["role_accuser"]) == [0, 1, 0] and list(out["role_accused"]) == [0, 0, 1]
    # Reported speech: the speaker holds the dispute, not the sentence's first actor.
    out = rows(
        view,
        "Washington failed to offer any proof to back its claims of Pyongyang's "
        "involvement, Russian Foreign Ministry spokesman Alexander Lukashevich said.",
        ["USA", "PRK", "RUS"],
    )
    assert list(out["hold_oppose"]) == [0, 0, 1] and list(out["speaker"]) == [0, 0, 1]
    # An agent after "by" holds the cue before it.
    out = rows(view, "North Korea has denied the allegations made by the U.S.", ["PRK", "USA"])
    assert list(out["hold_oppose"]) == [1, 0] and list(out["hold_support"]) == [0, 1]


def test_author_and_missing_actor_rows(view: ActorView) -> None:
    out = rows(
        view,
        "Apple denies it will sell 19 million watches",
        ["AUTHOR"],
        claim="Apple will sell 19 million Apple Watches in 2015",
    )
    assert out["role_author"][0] == 1 and out["hold_deny"][0] == 1 and out["found"][0] == 1
    assert out["claim_overlap"][0] > 0.5
    out = rows(view, "Pyongyang denied it.", ["CHN"])
    assert out["found"][0] == 0 and out["window"][0] == "OTHERX denied it."


def test_given_mentions_are_used(view: ActorView) -> None:
    frame = pd.DataFrame(
        {
            "sentence": ["The reclusive state denied it."],
            "actor": ["PRK"],
            "claim": ["sony-hack-2014"],
            "mentions": [[{"start": 0, "end": 19}]],
        }
    )
    out = view.transform(frame)
    assert out["found"][0] == 1 and out["window"][0] == "ACTORX denied it."
    assert out["hold_deny"][0] == 1 and out["role_accused"][0] == 1


def test_candidate_starts_of_the_lexicons_patterns() -> None:
    from stance.model.cues import _leads

    assert _leads("accus\\w*") == {"accus"}  # at most _LEAD characters, never the \w*
    assert _leads("no") == {"no\\b"}  # all of a closed pattern: "not", "north" are no start
    assert _leads("(?:was|were) behind") == {"was be", "were b"}  # into what follows
    assert _leads("(?:did|does)n't comment") == {"didn't", "doesn'"}
    assert _leads("counter-?measures?") == {"counte"}  # stops before an optional character
    assert _leads("(?:very )?sure") is None  # an optional group: a match may start later
    assert _leads("a|b") is None  # a top-level alternation: either may start it
    assert _leads("state[- ]sponsored") == {"state"}


CLASS_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789 _-.,'"


def _sample(pattern: str, rng: random.Random) -> str:
    """A random string that `pattern` matches (the regex features the lexicon uses)."""
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser  # type: ignore[attr-defined]

    def in_class(ch: str, items: list) -> bool:
        hit, negate = False, False
        for op, av in items:
            if op is sre.NEGATE:
                negate = True
            elif op is sre.LITERAL:
                hit |= ch == chr(av)
            elif op is sre.RANGE:
                hit |= av[0] <= ord(ch) <= av[1]
            elif op is sre.CATEGORY:
                hit |= bool(
                    re.fullmatch(
                        {"CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s", "CATEGORY_DIGIT": r"\d"}[
                            str(av)
                        ],
                        ch,
                    )
                )
        return hit != negate

    def gen(items: list) -> str:
        out = ""
        for op, av in items:
            if op is sre.LITERAL:
                out += chr(av)
            elif op is sre.IN:
                out += rng.choice([c for c in CLASS_CHARS if in_class(c, av)])
            elif op is sre.CATEGORY:  # outside a class: \w or \s
                out += "x" if str(av) == "CATEGORY_WORD" else " "
            elif op is sre.BRANCH:
                out += gen(rng.choice(av[1]))
            elif op is sre.SUBPATTERN:
                out += gen(av[-1])
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
                lo, hi, sub = av
                out += "".join(gen(sub) for _ in range(rng.randint(lo, min(hi, lo + 3))))
            elif op is not sre.AT:  # a boundary: the spaces around the sample make it
                raise AssertionError(f"no sample for {op} in {pattern}")
        return out

    return gen(list(_parser.parse(pattern)))


def test_cue_matching_equals_the_reference_on_every_patterns_matches() -> None:
    # Strings each pattern matches, inflected, in upper case, run on into a longer word and
    # in a sentence: wherever a match starts, the candidate scan must not pass over it.
    from stance.model.cues import _ALL

    rng = random.Random(3)
    for _, p in _ALL:
        for _ in range(20):
            m = _sample(p, rng)
            for text in (m, f"Officials {m} today.", f"{m.upper()}ED, it said", f"un{m}ly"):
                ref = [(g.lastgroup, g.start(), g.end()) for g in _REFERENCE.finditer(text)]
                assert find_cues(text) == ref, (p, text)
