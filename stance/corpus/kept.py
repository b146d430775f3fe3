"""The documents one `stance ingest` run keeps: one per article text, in the languages asked
for; the rest are counted in the report (stance.corpus.report) with the reason they were left out.
"""

from __future__ import annotations

from stance.core.errors import InputError
from stance.core.schema import KIND_BODY, DocumentRecord, SentenceRecord
from stance.corpus.dedup import text_key
from stance.corpus.dumps import dump_row
from stance.corpus.language import wanted
from stance.corpus.raw import BadDate, Skip
from stance.corpus.report import IngestReport


class Corpus:
    """The documents kept so far: one per article text, in the languages asked for."""

    def __init__(self, langs: list[str], report: IngestReport, id_field: str = "id"):
        self.langs = langs
        self.id_field = id_field  # named in the error for a dump whose ids repeat
        self.report = report
        self.documents: list[DocumentRecord] = []
        self.sentences: list[SentenceRecord] = []
        self._first: dict[bytes, DocumentRecord] = {}
        self._ids: dict[str, str] = {}
        self._kept_last = False  # whether the last document added was kept

    def _clash(self, doc_id: str, first: str, again: str) -> InputError:
        """Two documents with one id: in one dump the id field repeats, else two file names
        (and dump names) make the same id."""
        here, there = dump_row(again), dump_row(first)
        if here and there and here[0] == there[0]:
            return InputError(
                f"{again}: document id {doc_id!r} (from field {self.id_field!r}) is also that "
                f"of row {there[1]}; ids must be unique within the dump: fix the ids, or name "
                f"another field with --id-field"
            )
        return InputError(
            f"{again}: document id {doc_id!r} is also used by {first}: rename one file "
            f"(ids come from file names)"
        )

    def add(self, entry: tuple[DocumentRecord, list[SentenceRecord]] | Skip | BadDate) -> None:
        if isinstance(entry, BadDate):  # about the document before it: counted if kept
            if self._kept_last:
                self.report.bad_date(entry.where, entry.value)
            return
        self._kept_last = False
        if isinstance(entry, Skip):
            if entry.reason == "invalid":  # a bad record of a crawl, with --skip-invalid
                self.report.problem(entry.detail or entry.where)
            else:
                self.report.skip(entry.reason, entry.where, entry.detail)
            return
        doc, sents = entry
        if not wanted(doc["lang"], self.langs):
            self.report.skip("language", doc["path"], doc["lang"])
            return
        # Syndicated copies differ in headline and furniture, not in the article: the body's
        # words decide. The first copy in input order is kept and lists every copy's URL.
        body = [s["sentence"] for s in sents if s["kind"] == KIND_BODY]
        key = text_key(body or [s["sentence"] for s in sents])
        kept = self._first.get(key)
        if kept is not None:
            # The same article reached twice at one URL (a saved page and a crawl of it, a dump
            # and its converted copy) is one source: each URL is listed once, first-seen order.
            where = doc["url"] or doc["path"]
            if where not in kept["urls"]:
                kept["urls"].append(where)
            self.report.skip("duplicate", doc["path"], f"the text of {kept['doc_id']}")
            return
        if doc["doc_id"] in self._ids:
            raise self._clash(doc["doc_id"], self._ids[doc["doc_id"]], doc["path"])
        self._first[key] = doc
        self._ids[doc["doc_id"]] = doc["path"]
        self.documents.append(doc)
        self.sentences.extend(sents)
        self._kept_last = True
        self.report.languages[doc["lang"]] += 1
        if doc["extractor"]:
            self.report.extractors[doc["extractor"]] += 1
