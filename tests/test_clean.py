import pytest

from stance.corpus.clean import clean, normalize
from tests.conftest import SEED_A, SEED_B, SEEDS

BOILERPLATE = [
    "BrandSpace Articles",
    "Trending",
    "Latest",
    "Recommended",
    "North Korean leader Kim Jong-UnReuters/KCNA",
    'Teaser poster of "The Interview"Wikipedia',
]


def kept_text(name: str) -> list[str]:
    doc = clean((SEEDS / f"{name}.txt").read_text(encoding="utf-8"))
    return [doc.text[b.start : b.end] for b in doc.blocks]


def test_seed_boilerplate_and_captions_are_dropped() -> None:
    kept = kept_text(SEED_A) + kept_text(SEED_B)
    for junk in BOILERPLATE:
        assert not any(junk in block for block in kept), junk
    assert not any(block.strip() in {"<", ">", "- Latest", "- Trending"} for block in kept)


def test_seed_drop_reasons_are_recorded() -> None:
    doc = clean((SEEDS / f"{SEED_A}.txt").read_text(encoding="utf-8"))
    reasons = {doc.text[d["start"] : d["end"]]: d["reason"] for d in doc.dropped}
    assert reasons == {
        "North Korean leader Kim Jong-UnReuters/KCNA": "caption",
        'Teaser poster of "The Interview"Wikipedia': "caption",
    }


def test_headline_stays_and_dateline_becomes_metadata() -> None:
    doc = clean((SEEDS / f"{SEED_B}.txt").read_text(encoding="utf-8"))
    assert doc.title == "Russia offers support to North Korea amid Sony hack"
    assert doc.blocks[0].kind == "title"
    assert (doc.date, doc.time, doc.dateline) == ("2014-12-26", "01:00", "MOSCOW")
    first_body = doc.text[doc.blocks[1].start : doc.blocks[1].end]
    assert first_body.startswith("Russia on Thursday offered sympathy")
    assert all("December 26, 2014" not in doc.text[b.start : b.end] for b in doc.blocks)


def test_nbsp_becomes_a_space_without_moving_offsets() -> None:
    raw = (SEEDS / f"{SEED_A}.txt").read_text(encoding="utf-8")
    assert "\xa0" in raw
    doc = clean(raw)
    assert len(doc.text) == len(raw)
    assert "website where viewers" in doc.text and "\xa0" not in doc.text


def test_normalize_removes_invisible_characters() -> None:
    assert (
        normalize("Pyong\u200byang\u00ad said\r\nno\u2003thing\ufeff") == "Pyongyang said\nno thing"
    )


def test_hard_wrapped_paragraphs_are_joined() -> None:
    doc = clean("Headline here\n\nNorth Korea denied the\nallegations on Friday.\n")
    body = [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "body"]
    assert body == ["North Korea denied the\nallegations on Friday."]


def test_document_without_headline() -> None:
    doc = clean(
        "North Korea denied the allegations made by the United States on Friday. It said so."
    )
    assert doc.title is None
    assert [b.kind for b in doc.blocks] == ["body"]


def test_other_credit_styles_are_captions() -> None:
    doc = clean(
        "Headline\nSony's headquarters in Tokyo. Photo: AP\n"
        "Kim Jong Un at a rally (Reuters)\nThe FBI said on Friday that North Korea was to blame.\n"
    )
    assert [d["reason"] for d in doc.dropped] == ["caption", "caption"]


FURNITURE_LINES = [
    "RELATED: Obama vows response to North Korea over Sony hack",
    "Related: Sony cancels release of The Interview",
    "SEE ALSO: Kremlin says proof of hack is lacking",
    "You have read 3 of 5 free articles this month.",
    "You have read 3 of 5 free articles this month. Subscribe for full access to The Tokyo Ledger.",
    "Subscribe for full access to The Tokyo Ledger.",
    "Subscribe to continue reading",
    "Reporting by Kiyoshi Takenaka; Editing by Robert Birsel",
    "Additional reporting by Jack Kim in Seoul; Writing by Tim Kelly; Editing by Robert Birsel.",
    "Reporting by Ju-min Park and Jack Kim, Editing by Tim Kelly",
]
SENTENCES_STARTING_WITH_BY = [
    "By Friday, the United States had imposed new sanctions on Pyongyang over the attack.",
    "By Tuesday Kim Jong Un had not responded to the charge.",
    "By contrast, Moscow said Washington had shown no proof.",
    "By the numbers: what the hack cost Sony Pictures this year.",
    # Headline case and capitals: the words after the names are no role, date or outlet.
    "BY FRIDAY, THE UNITED STATES HAD IMPOSED NEW SANCTIONS ON PYONGYANG.",
    "BY FRIDAY THE US HAD IMPOSED SANCTIONS ON PYONGYANG",
    "By Friday, North Korea And China Had Agreed To Talks.",
    "By Contrast, Moscow Said Washington Had Shown No Proof.",
]
NEWS_LINES = [
    "Officials said they were reporting the breach to the FBI.",
    "Reporting by Jack Kim in Seoul said the North was to blame.",
    "Reporting by state media said the film was an act of war.",
    "Editing by Sony executives removed the scene in which Kim Jong Un dies.",
    "Related coverage of the hack appeared in Seoul papers on Monday.",
    "Viewers who subscribe to Sony's service can stream the film from Wednesday.",
    "You have read the statement, the envoy told reporters.",
]


@pytest.mark.parametrize("line", FURNITURE_LINES)
def test_related_links_credit_lines_and_paywall_meters_are_dropped(line: str) -> None:
    doc = clean(f"Headline\nThe FBI blamed North Korea for the hack.\n{line}\n")
    assert [doc.text[b.start : b.end] for b in doc.blocks][1:] == [
        "The FBI blamed North Korea for the hack."
    ]
    assert [d["reason"] for d in doc.dropped] == ["boilerplate"]


@pytest.mark.parametrize("line", NEWS_LINES + SENTENCES_STARTING_WITH_BY)
def test_news_sentences_with_those_words_stay(line: str) -> None:
    doc = clean(f"Headline\nThe FBI blamed North Korea for the hack.\n{line}\n")
    assert doc.text[doc.blocks[-1].start : doc.blocks[-1].end] == line
    assert doc.dropped == []


BYLINES = [
    "By Jane Reporter",
    "BY JANE REPORTER, REUTERS",
    "By Jane Reporter and Tom Writer, Senior Correspondents | December 27, 2014, 5:30 pm EST",
    "By Hannah Castell, Diplomatic Correspondent",
    "By Jane Reporter in Seoul",
    "By Jane Reporter, updated 27 December 2014 at 10:02",
    "By Ju-min Park and Jack Kim, Reuters",
    "By Jane Reporter — Published December 27, 2014 at 5:30 pm EST",
]


@pytest.mark.parametrize("line", BYLINES)
def test_bylines_are_dropped(line: str) -> None:
    # Long bylines (names, role, date and time) pass the short-line rule; the first body
    # paragraph after one still gets its dateline taken off.
    doc = clean(f"Headline\n{line}\nMOSCOW — Russia said Washington had shown no proof.\n")
    kept = [doc.text[b.start : b.end] for b in doc.blocks]
    assert kept == ["Headline", "Russia said Washington had shown no proof."]
    assert [d["reason"] for d in doc.dropped] == ["byline", "dateline"]


def test_a_run_of_capitals_is_read_in_linear_time() -> None:
    # An earlier byline regex backtracked exponentially on these (minutes for 20 capitals).
    from stance.corpus.clean import is_byline

    assert not is_byline("By NATO " + "ABCDEFGHIJKLMNOPQRST" * 500 + " x")
    assert not is_byline("BY FRIDAY THE US HAD IMPOSED SANCTIONS ON PYONGYANG?")
    assert is_byline("By Jane Reporter, " + "REUTERS, " * 2000 + "Reuters")
