"""Text -> sentences -> actor rows: the one path from raw text to (sentence, actor) pairs.

`stance ingest` (documents into candidates) and `stance predict` on raw text both go through
here, so a sentence is cut and tagged the same way whether it is labelled or predicted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from stance.core.errors import InputError
from stance.core.schema import MAX_SENTENCE_CHARS, Mention
from stance.corpus.actors import Registry
from stance.corpus.clean import CleanDocument, clean
from stance.corpus.segment import split_sentences


@dataclass(frozen=True)
class Span:
    """A sentence of a cleaned document: offsets into its stored text, and its kind."""

    index: int
    kind: str
    start: int
    end: int


def sentence_spans(doc: CleanDocument) -> list[Span]:
    """Every sentence of a cleaned document, in order, numbered from 0."""
    spans: list[Span] = []
    for block in doc.blocks:
        for start, end in split_sentences(doc.text, block.start, block.end):
            spans.append(Span(len(spans), block.kind, start, end))
    return spans


def actor_rows(
    text: str, spans: Iterable[Span], registry: Registry
) -> Iterator[tuple[Span, str, list[Mention]]]:
    """(sentence, actor, mentions) for every actor mentioned in each sentence, in order of
    first mention; mention offsets are into `text`."""
    for span in spans:
        for actor, mentions in registry.mentions(text, span.start, span.end).items():
            yield span, actor, mentions


def tag_text(
    raw: str, registry: Registry, where: str = "the text"
) -> tuple[CleanDocument, list[tuple[Span, str, list[Mention]]]]:
    """Clean and segment raw text, then tag it: the document and its actor rows. A sentence
    over MAX_SENTENCE_CHARS is refused before it is tagged."""
    doc = clean(raw)
    spans = sentence_spans(doc)
    for span in spans:
        if span.end - span.start > MAX_SENTENCE_CHARS:
            raise InputError(
                f"{where}: sentence {span.index + 1} has {span.end - span.start:,} characters, "
                f"over the limit of {MAX_SENTENCE_CHARS:,} (no sentence ends?): split it"
            )
    return doc, list(actor_rows(doc.text, spans, registry))
