import pytest

from stance.corpus.segment import split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        # Dotted acronyms mid-sentence are not boundaries ...
        (
            "The U.S. government has vowed to act. Viewers within the U.S. can rent it.",
            ["The U.S. government has vowed to act.", "Viewers within the U.S. can rent it."],
        ),
        (
            "Back in June, U.N. Ambassador Ja Song Nam wrote to the United Nations.",
            ["Back in June, U.N. Ambassador Ja Song Nam wrote to the United Nations."],
        ),
        # ... but end a sentence when a typical opener follows.
        (
            "The film was released in the U.S. The studio said so.",
            ["The film was released in the U.S.", "The studio said so."],
        ),
        # Titles and initials never end a sentence.
        (
            "Mr. Lukashevich spoke. Gen. Kim and John F. Kennedy were named.",
            ["Mr. Lukashevich spoke.", "Gen. Kim and John F. Kennedy were named."],
        ),
        # A quotation running over several sentences stays whole with its speaker.
        (
            '"We did not do it. We want a joint investigation," the ministry said. It added more.',
            [
                '"We did not do it. We want a joint investigation," the ministry said.',
                "It added more.",
            ],
        ),
        (
            "“It was not us. Show the proof,” Pyongyang said. Washington declined.",
            ["“It was not us. Show the proof,” Pyongyang said.", "Washington declined."],
        ),
        # Attribution after a quote that ends with its own full stop.
        (
            '"It was a mistake." Obama said. Sony disagreed.',
            ['"It was a mistake." Obama said.', "Sony disagreed."],
        ),
        ('"Why now?" he asked. Nobody knew.', ['"Why now?" he asked.', "Nobody knew."]),
        # A quote that ends a sentence is a boundary when a new sentence follows.
        (
            'They called the act a "righteous deed." The reclusive nation also proposed a probe.',
            [
                'They called the act a "righteous deed."',
                "The reclusive nation also proposed a probe.",
            ],
        ),
        # Numbers and prices.
        ("It costs $5.99. It is 3.5 hours long.", ["It costs $5.99.", "It is 3.5 hours long."]),
        ("Is it true? Yes! Fine.", ["Is it true?", "Yes!", "Fine."]),
    ],
)
def test_split(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_spans_are_offsets_into_the_text_and_trimmed() -> None:
    text = "  Pyongyang denied it.   Moscow agreed.  "
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Pyongyang denied it.", "Moscow agreed."]
    assert spans[0][0] == 2


def test_sub_range_keeps_document_offsets() -> None:
    text = "HEADLINE\nFirst one. Second one."
    spans = split_sentences(text, 9, len(text))
    assert [text[s:e] for s, e in spans] == ["First one.", "Second one."]
    assert spans[0] == (9, 19)


def test_empty_range() -> None:
    assert split_sentences("   ") == []
