"""`stance ingest`: articles -> documents, sentences and (sentence, actor, claim) candidates.

Inputs stream in file by file and record by record; documents in another language, identical
copies of an earlier document and crawl records that hold no article are left out and counted
(stance.corpus.report). Everything is computed in memory first and written only when all
inputs were read, each file atomically, so a bad input never leaves a half-updated
data/interim/.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from stance.core.engine import check_engine, session
from stance.core.errors import InputError, RegistryError
from stance.core.files import atomic_files
from stance.core.paths import PATHS
from stance.core.schema import (
    EXTRACTOR_TRAFILATURA,
    KIND_BODY,
    SOURCE_CONSTRUCTED,
    SOURCE_IMPORTED_PREFIX,
    SOURCE_SEED,
    Candidate,
    DocumentRecord,
    SentenceRecord,
)
from stance.core.tables import dumps_jsonl
from stance.corpus.actors import Registry, load_registry
from stance.corpus.candidates import candidate_id
from stance.corpus.claim_input import (
    check_actor_ids,
    read_claim_text,
    register_claims,
    resolve_claim,
)
from stance.corpus.claims import load_claims
from stance.corpus.clean import CleanDocument, clean
from stance.corpus.dedup import group_ids
from stance.corpus.kept import Corpus
from stance.corpus.language import SAMPLE_CHARS, check_languages, detect
from stance.corpus.raw import (
    SKIP_HINT,
    BadDate,
    Fields,
    Limits,
    RawDocument,
    ReadOptions,
    Skip,
    iso_day,
)
from stance.corpus.readers import expand_paths, file_kind, iter_documents
from stance.corpus.report import IngestReport
from stance.corpus.sentences import Span, actor_rows, sentence_spans

OUTPUTS = ("documents.jsonl", "sentences.jsonl", "candidates.jsonl", "ingest_report.json")
REPORT = OUTPUTS[-1]
_SOURCE = re.compile(r"seed|constructed|imported:[\w.-]+")


@dataclass
class IngestResult:
    documents: int
    sentences: int
    candidates: int
    actors: Counter[str]
    out_dir: Path
    skipped: list[str] = field(default_factory=list)  # inputs left out by --skip-invalid
    report: IngestReport = field(default_factory=IngestReport)
    claims_added: list[str] = field(default_factory=list)  # one note per claim text registered


def default_source(path: Path) -> str:
    parts = path.resolve().parts
    if "seeds" in parts:
        return SOURCE_SEED
    if "constructed" in parts:
        return SOURCE_CONSTRUCTED
    return SOURCE_IMPORTED_PREFIX + re.sub(r"[^\w.-]+", "_", path.resolve().parent.name or "input")


def _kept_text(doc: CleanDocument, limit: int) -> str:
    """The start of the article as kept, not of the page: menus and cookie banners say
    nothing of its language."""
    parts: list[str] = []
    size = 0
    for b in doc.blocks:
        parts.append(doc.text[b.start : min(b.end, b.start + limit - size)])
        size += len(parts[-1]) + 1
        if size >= limit:
            break
    return "\n".join(parts)


def process_document(
    raw: RawDocument, source: str, min_lang_confidence: float = 0.9
) -> tuple[DocumentRecord, list[SentenceRecord]]:
    doc = clean(raw.text)
    # A web page with a headline and no body is a section front or a gallery, not an article
    # (a headline-only text or dump record is a document: constructed headlines are).
    if not doc.blocks or (raw.extractor and all(b.kind != KIND_BODY for b in doc.blocks)):
        raise InputError(
            f"{raw.path}: no article text left after cleaning, only a headline or page "
            f"furniture{SKIP_HINT}"
        )
    date = doc.date or iso_day(raw.date)
    sentences = [
        SentenceRecord(
            doc_id=raw.doc_id,
            sentence_id=f"{raw.doc_id}:{span.index:04d}",
            index=span.index,
            kind=span.kind,
            sentence=doc.text[span.start : span.end],
            start=span.start,
            end=span.end,
            group="",
        )
        for span in sentence_spans(doc)
    ]
    record = DocumentRecord(
        doc_id=raw.doc_id,
        source=source,
        path=raw.path,
        sha256=raw.sha256,
        title=doc.title,
        date=date,
        time=doc.time,
        dateline=doc.dateline,
        text=doc.text,
        dropped=doc.dropped,
        claim=raw.claim,
        labels=raw.labels,
        responses=raw.responses,
        extractor=raw.extractor,
        lang=detect(_kept_text(doc, SAMPLE_CHARS), min_lang_confidence),
        url=raw.url,
        urls=[raw.url or raw.path],
        site=raw.site,
        author=raw.author,
        fetched=raw.fetched,
    )
    return record, sentences


def make_candidates(
    sentences: list[SentenceRecord],
    docs: dict[str, DocumentRecord],
    registry: Registry,
    claims: list[str],
) -> Iterator[Candidate]:
    """Candidates in sentence order; a generator, so a large corpus streams to disk.
    A document naming its own claim (a JSONL `claim` field) is paired with that claim only."""
    for s in sentences:
        doc = docs[s["doc_id"]]
        span = Span(s["index"], s["kind"], s["start"], s["end"])
        for _, actor, mentions in actor_rows(doc["text"], [span], registry):
            for claim in [doc["claim"]] if doc["claim"] else claims:
                yield Candidate(
                    id=candidate_id(s["doc_id"], s["start"], s["end"], actor, claim),
                    doc_id=s["doc_id"],
                    sentence_id=s["sentence_id"],
                    sentence=s["sentence"],
                    start=s["start"],
                    end=s["end"],
                    group=s["group"],
                    actor=actor,
                    mentions=mentions,
                    claim=claim,
                )


def _progress(files: list[Path], enabled: bool) -> Any:
    """A progress bar over the input bytes on stderr, shown only on a terminal."""
    from tqdm import tqdm

    total = sum(f.stat().st_size for f in files if f.is_file())
    return tqdm(
        total=total,
        unit="B",
        unit_scale=True,
        desc="ingest",
        file=sys.stderr,
        disable=not (enabled and sys.stderr.isatty()),
        leave=False,
    )


def _read_file(
    task: tuple[Path, str, str | None], opts: ReadOptions, min_lang_confidence: float
) -> list[tuple[DocumentRecord, list[SentenceRecord]] | Skip | BadDate]:
    """One input file (path, source, the client's directory on the dask engine), processed
    whole before any of it joins the corpus: with --skip-invalid a bad file is left out
    entirely, never half (but for a crawl cut short, whose whole records are kept: see
    stance.corpus.warc.warc_documents). A task on the dask engine."""
    path, source, base = task
    # A cluster's worker runs in its own directory: it reads the file named from the root (on
    # a shared file system), and the records name it as the user did, as the local engine's.
    readable = path if base is None or path.is_absolute() else Path(base) / path
    out: list[tuple[DocumentRecord, list[SentenceRecord]] | Skip | BadDate] = []
    for item in iter_documents(readable, opts):
        if readable != path:
            item = _named_as_given(item, str(readable), str(path))
        if isinstance(item, Skip):
            out.append(item)
            continue
        try:
            entry = process_document(item, source, min_lang_confidence)
        except InputError:
            if not item.crawled:
                raise
            out.append(Skip("empty", item.path, item.url or ""))
            continue
        out.append(entry)
        if item.date and entry[0]["date"] is None:  # the source's date is no real day
            out.append(BadDate(item.path, item.date))
    return out


def _named_as_given(item: RawDocument | Skip, read: str, given: str) -> RawDocument | Skip:
    # (A BadDate is made after this, from the renamed document.)
    if isinstance(item, Skip):
        return replace(
            item,
            where=item.where.replace(read, given, 1),
            detail=item.detail.replace(read, given, 1),
        )
    return replace(item, path=item.path.replace(read, given, 1))


def guard_outputs(out_dir: Path, inputs: list[Path], force: bool = False) -> None:
    """The output rule (stance.core.outputs) for every file ingest writes into `out_dir`."""
    from stance.core.outputs import guard_output

    for name in OUTPUTS:
        guard_output(
            out_dir / name,
            command="ingest",
            option="--out-dir",
            inputs=inputs,
            force=force,
            produces=[PATHS.interim / name],
        )


def ingest(
    paths: list[Path],
    *,
    out_dir: Path,
    actors_path: Path,
    claims_path: Path,
    claims: list[str],
    accusers: list[str] | None = None,
    accused: list[str] | None = None,
    shingle_size: int = 5,
    near_duplicate_threshold: float = 0.5,
    encoding: str = "utf-8",
    text_field: str = "text",
    fields: Fields | None = None,
    source: str | None = None,
    skip_invalid: bool = False,
    limits: Limits | None = None,
    html_extractor: str = EXTRACTOR_TRAFILATURA,
    langs: list[str] | None = None,
    min_lang_confidence: float = 0.9,
    progress: bool = False,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
) -> IngestResult:
    """Read, clean, segment, filter, group and tag; write documents, sentences, candidates and
    the report. `claims` are ids or texts; a text not in the registry is added to it
    (stance.corpus.claim_input.register_claims), with `accusers`/`accused` when given.
    `langs` (default English) are ISO 639-1 codes, or `any`; `fields` maps dump fields
    (default: `text_field`, id, date, url, title).

    On `engine` dask (stance.core.engine.session) each input file is read, cleaned, segmented
    and language-checked as one task; the results join the corpus here in input order, so
    duplicates, near-duplicate groups and candidates are those of the local engine."""
    if source is not None and not _SOURCE.fullmatch(source):
        raise InputError(f"--source {source!r}: expected seed, constructed or imported:NAME")
    check_engine(engine, scheduler, workers)
    langs = list(langs or ["en"])
    check_languages(langs)
    registry = load_registry(actors_path)
    known = load_claims(claims_path, registry)
    texts = {c.id: c.text for c in known.values()}
    # What a claim text is matched against (stance.corpus.claim_match): roles and dates too.
    infos = {c.id: c.info() for c in known.values()}
    # Every claim is checked before any file is read; a claim text is added to the registry
    # only once the documents are in (its accusers may come from them).
    check_actor_ids(registry, accusers or [], "--accuser")
    check_actor_ids(registry, accused or [], "--accused")
    for value in claims:
        ref = resolve_claim(value, texts, claims=infos, registry=registry)
        if not ref.known:
            read_claim_text(ref.text, registry, accused_given=bool(accused))

    files = expand_paths(paths)
    report = IngestReport(files=len(files))
    fields = fields or Fields(text=text_field)
    corpus = Corpus(langs, report, fields.id)
    bar = _progress(files, progress)
    opts = ReadOptions(
        encoding=encoding,
        fields=fields,
        limits=limits or Limits(),
        html_extractor=html_extractor,
        skip_invalid=skip_invalid,
        on_bytes=bar.update,
    )
    # A worker's progress cannot reach this bar: on dask a file counts when its task is done.
    here = engine == "local"
    base = None if here else os.getcwd()
    items = [(path, source or default_source(path), base) for path in files]
    try:
        with session(engine, scheduler, workers) as runner:
            calls = runner.map(
                _read_file,
                items,
                opts if here else replace(opts, on_bytes=None),
                min_lang_confidence,
            )
            for path, call in zip(files, calls, strict=True):
                try:
                    entries = call()
                except InputError as exc:
                    if not skip_invalid:
                        raise
                    report.problem(str(exc))
                    continue
                finally:
                    if (file_kind(path) != "warc" or not here) and path.is_file():
                        bar.update(path.stat().st_size)  # a WARC file reports its own progress
                for entry in entries:
                    corpus.add(entry)
    finally:
        bar.close()
    documents, sentences = corpus.documents, corpus.sentences

    groups = group_ids(
        [(s["sentence_id"], s["sentence"]) for s in sentences],
        shingle_size,
        near_duplicate_threshold,
    )
    for s in sentences:
        s["group"] = groups[s["sentence_id"]]
    by_doc = {d["doc_id"]: d for d in documents}
    for d in documents:
        if d["claim"] and d["claim"] not in known:
            raise RegistryError(f"{d['path']}: claim {d['claim']!r} is not in {claims_path}")
    report.documents, report.sentences = len(documents), len(sentences)
    claim_ids, added = register_claims(
        claims,
        texts,
        registry,
        claims_path=claims_path,
        sentences=[s["sentence"] for s in sentences],
        dates=[d["date"] for d in documents if d["date"]],
        accusers=accusers,
        accused=accused,
        claims=infos,
    )
    # All outputs are renamed into place together, only once all of them are complete.
    with atomic_files([out_dir / name for name in OUTPUTS]) as handles:
        docs_fh, sents_fh, cands_fh, report_fh = handles
        for doc in documents:
            docs_fh.write(dumps_jsonl(doc))  # type: ignore[arg-type]
        for sent in sentences:
            sents_fh.write(dumps_jsonl(sent))  # type: ignore[arg-type]
        for cand in make_candidates(sentences, by_doc, registry, claim_ids):
            report.actors[cand["actor"]] += 1
            cands_fh.write(dumps_jsonl(cand))  # type: ignore[arg-type]
        report.candidates = sum(report.actors.values())
        report_fh.write(json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n")
    return IngestResult(
        documents=len(documents),
        sentences=len(sentences),
        candidates=report.candidates,
        actors=report.actors,
        out_dir=out_dir,
        skipped=report.problems,
        report=report,
        claims_added=added,
    )
