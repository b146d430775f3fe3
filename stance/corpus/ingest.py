"""`stance ingest`: articles -> documents, sentences and (sentence, actor, claim) candidates.

Everything is computed in memory first and written only when all inputs were read, each file
atomically, so a bad input never leaves a half-updated data/interim/.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from stance.core.errors import InputError, RegistryError
from stance.core.files import atomic_files
from stance.core.schema import (
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
from stance.corpus.claims import load_claims
from stance.corpus.clean import clean
from stance.corpus.dedup import group_ids
from stance.corpus.readers import Limits, RawDocument, expand_paths, read_documents
from stance.corpus.sentences import Span, actor_rows, sentence_spans

OUTPUTS = ("documents.jsonl", "sentences.jsonl", "candidates.jsonl")
_SOURCE = re.compile(r"seed|constructed|imported:[\w.-]+")


@dataclass
class IngestResult:
    documents: int
    sentences: int
    candidates: int
    actors: Counter[str]
    out_dir: Path
    skipped: list[str] = field(default_factory=list)


def default_source(path: Path) -> str:
    parts = path.resolve().parts
    if "seeds" in parts:
        return SOURCE_SEED
    if "constructed" in parts:
        return SOURCE_CONSTRUCTED
    return SOURCE_IMPORTED_PREFIX + re.sub(r"[^\w.-]+", "_", path.resolve().parent.name or "input")


def process_document(raw: RawDocument, source: str) -> tuple[DocumentRecord, list[SentenceRecord]]:
    doc = clean(raw.text)
    if not doc.blocks:
        raise InputError(f"{raw.path}: no article text left after cleaning")
    date = doc.date
    if date is None and raw.date and re.match(r"\d{4}-\d{2}-\d{2}", raw.date):
        date = raw.date[:10]
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


def ingest(
    paths: list[Path],
    *,
    out_dir: Path,
    actors_path: Path,
    claims_path: Path,
    claims: list[str],
    shingle_size: int = 5,
    near_duplicate_threshold: float = 0.5,
    encoding: str = "utf-8",
    text_field: str = "text",
    source: str | None = None,
    skip_invalid: bool = False,
    limits: Limits | None = None,
) -> IngestResult:
    """Read, clean, segment, group and tag; write documents, sentences and candidates."""
    if source is not None and not _SOURCE.fullmatch(source):
        raise InputError(f"--source {source!r}: expected seed, constructed or imported:NAME")
    registry = load_registry(actors_path)
    known = load_claims(claims_path, registry)
    for claim in claims:
        if claim not in known:
            raise RegistryError(
                f"{claims_path}: no claim {claim!r} (known: {', '.join(sorted(known)) or 'none'})"
            )

    documents: list[DocumentRecord] = []
    sentences: list[SentenceRecord] = []
    skipped: list[str] = []
    seen: dict[str, str] = {}
    for path in expand_paths(paths):
        try:
            raws = read_documents(path, encoding, text_field, limits or Limits())
            processed = [process_document(r, source or default_source(path)) for r in raws]
        except InputError as exc:
            if not skip_invalid:
                raise
            skipped.append(str(exc))
            continue
        for doc, sents in processed:
            if doc["doc_id"] in seen:
                raise InputError(
                    f"{doc['path']}: document id {doc['doc_id']!r} is also used by "
                    f"{seen[doc['doc_id']]}: rename one file (ids come from file names)"
                )
            seen[doc["doc_id"]] = doc["path"]
            documents.append(doc)
            sentences.extend(sents)

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
    actors: Counter[str] = Counter()
    # All three files are renamed into place together, only once all three are complete.
    with atomic_files([out_dir / name for name in OUTPUTS]) as (docs_fh, sents_fh, cands_fh):
        for doc in documents:
            docs_fh.write(dumps_jsonl(doc))  # type: ignore[arg-type]
        for sent in sentences:
            sents_fh.write(dumps_jsonl(sent))  # type: ignore[arg-type]
        for cand in make_candidates(sentences, by_doc, registry, claims):
            actors[cand["actor"]] += 1
            cands_fh.write(dumps_jsonl(cand))  # type: ignore[arg-type]
    return IngestResult(
        documents=len(documents),
        sentences=len(sentences),
        candidates=sum(actors.values()),
        actors=actors,
        out_dir=out_dir,
        skipped=skipped,
    )
