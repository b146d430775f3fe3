"""Labels, column names and record types: defined once, imported everywhere.

Other tooling (annotation logs, the dataset, the Hub release) depends on these exact names, so
nothing outside this module spells a label or a column name as a literal.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, TypedDict

# Coarse stance labels in their canonical order; the Hub ClassLabel keeps this order.
LABELS: Final = ("support", "oppose", "neutral")

# The fine `response` tag (docs/guidelines.md, after ../shared/docs/domain.md).
RESPONSES: Final = (
    "accuse",
    "retaliate",
    "endorse",
    "deny",
    "dispute_evidence",
    "call_for_investigation",
    "criticize_response",
    "sympathize",
    "praise_attack",
    "none",
)

# The writer's own stance, for corpora without an actor column (Emergent, SemEval).
AUTHOR: Final = "AUTHOR"

# The longest sentence a model reads. Longer is no sentence (a text without sentence ends, a
# table cell holding a whole file): prediction is linear in it, about 10 s per million
# characters, and a 50 MB row took over 300 s and 3-4 GB, so it is refused, naming the row.
MAX_SENTENCE_CHARS: Final = 1_000_000


class ActorType(StrEnum):
    state = "state"
    organisation = "organisation"
    company = "company"
    group = "group"


class AnnotationFormat(StrEnum):
    """Interchange formats of `stance export` / `stance import`."""

    prodigy = "prodigy"
    labelstudio = "labelstudio"
    doccano = "doccano"


class QueueOrder(StrEnum):
    """How an annotator's queue is ordered."""

    file = "file"
    random = "random"
    uncertain = "uncertain"


# The same values as tuples, for validation and messages. Option choices in the CLI are the
# Enums themselves, so `--help` lists them.
ACTOR_TYPES: Final = tuple(a.value for a in ActorType)
ANNOTATION_FORMATS: Final = tuple(f.value for f in AnnotationFormat)
QUEUE_ORDERS: Final = tuple(o.value for o in QueueOrder)

# data/interim/candidates.jsonl: exactly these fields, in this order (issue #2).
CANDIDATE_FIELDS: Final = (
    "id",
    "doc_id",
    "sentence_id",
    "sentence",
    "start",
    "end",
    "group",
    "actor",
    "mentions",
    "claim",
)

# data/processed/dataset.parquet: one row per (sentence, actor, claim) with a resolved label.
DATASET_COLUMNS: Final = (
    *CANDIDATE_FIELDS,
    "stance",
    "response",
    "source",
    "annotators",
    "resolution",
    "split",
)
SPLITS: Final = ("train", "validation", "test")
# What `stance predict` adds to each input row (besides resolving `claim` to its id); an input
# that already has one of them is refused rather than overwritten.
PREDICTED_COLUMNS: Final = ("claim_text", "accusers", "accused", "stance", "scores", "actor_found")

# Where the model reads an actor's role in the claim from: the claim registry (a claim it does
# not hold is read from its text), the claim's text only, or nowhere (an ablation).
ROLE_SOURCES: Final = ("registry", "text", "none")
# The models `train.model` chooses from; `auto` picks one by grouped cross-validation.
MODEL_KINDS: Final = ("actor_aware", "plain", "union")
# The same kinds from the simplest (sentence TF-IDF only) to the richest (actor features and
# character n-grams): `auto` takes the simplest within one standard deviation of the best.
SIMPLEST_FIRST: Final = ("plain", "actor_aware", "union")
# What cross-validation keeps together (train.cv_group): `auto` documents (their
# near-duplicate components) when the rows have them, else identical sentences, for a model
# used on the same claims; `claim` whole claims, for a model meant for new accusations.
CV_GROUPS: Final = ("auto", "claim")

# Annotation log events (data/annotations/<annotator>.jsonl). `label` and `skip` decide an item;
# `flag` and `response` annotate it; `retract` takes back the event named in `target` (undo).
EVENT_TYPES: Final = ("label", "skip", "flag", "response", "retract")
DECISION_EVENTS: Final = ("label", "skip")
EVENT_FIELDS: Final = (
    "event",
    "event_id",
    "id",
    "sentence",
    "actor",
    "claim",
    "stance",
    "response",
    "flag",
    "note",
    "target",
    "annotator",
    "annotated_at",
    "guideline_version",
)
# Optional on a decision made with a model in the loop: {"label": the model's label, "shown":
# whether the annotator saw it}. Logs written before it existed stay valid.
EVENT_OPTIONAL_FIELDS: Final = ("suggestion",)
# The share of items shown without the model's suggestion (stance annotate/serve --blind):
# agreement with the model is measured on them free of the suggestion's pull.
BLIND_SHARE: Final = 0.1
# The adjudicators' shared log, data/annotations/adjudications.jsonl (same event format).
ADJUDICATIONS: Final = "adjudications"

# Sentence kinds: the headline is kept as a sentence but marked, so models and annotators can
# tell headline style from body text.
KIND_TITLE: Final = "title"
KIND_BODY: Final = "body"

# Document sources. Imported documents are `imported:<name>`.
SOURCE_SEED: Final = "seed"
SOURCE_CONSTRUCTED: Final = "constructed"
SOURCE_IMPORTED_PREFIX: Final = "imported:"

# HTML extractors, recorded per document (`extractor`): trafilatura by default, the built-in
# one as its fallback when trafilatura finds no text (or when chosen with --html-extractor).
EXTRACTOR_TRAFILATURA: Final = "trafilatura"
EXTRACTOR_BUILTIN: Final = "builtin"
HTML_EXTRACTORS: Final = (EXTRACTOR_TRAFILATURA, EXTRACTOR_BUILTIN)

# Why an input record became no document (data/interim/ingest_report.json, the ingest summary).
SKIP_REASONS: Final = (
    "language",  # detected in a language not asked for (--lang)
    "duplicate",  # the same article text as an earlier document (syndicated copies)
    "empty",  # a crawled page with no article text left after extraction
    "not_html",  # a WARC response that is not an HTML page
    "status",  # an HTML response with an HTTP status other than 200
    "not_response",  # a WARC request, metadata, warcinfo or revisit record
    "invalid",  # a file or record that cannot be read, skipped with --skip-invalid
)
# Language codes: `und` where the detector is not confident (short texts); `any` as --lang.
LANG_UNDETERMINED: Final = "und"
LANG_ANY: Final = "any"


class Mention(TypedDict):
    text: str
    start: int
    end: int


class Candidate(TypedDict):
    id: str
    doc_id: str
    sentence_id: str
    sentence: str
    start: int
    end: int
    group: str
    actor: str
    mentions: list[Mention]
    claim: str


class SentenceRecord(TypedDict):
    doc_id: str
    sentence_id: str
    index: int
    kind: str
    sentence: str
    start: int
    end: int
    group: str


class Dropped(TypedDict):
    start: int
    end: int
    reason: str


class DocumentRecord(TypedDict):
    doc_id: str
    source: str
    path: str
    sha256: str
    title: str | None
    date: str | None
    time: str | None
    dateline: str | None
    text: str
    dropped: list[Dropped]
    claim: str | None
    labels: dict[str, str] | None
    responses: dict[str, str] | None
    extractor: str | None  # HTML_EXTRACTORS; None for plain text and dumps
    lang: str  # ISO 639-1 code, or LANG_UNDETERMINED
    url: str | None
    urls: list[str]  # this document's URL (else path) and those of its dropped identical copies
    site: str | None
    author: str | None
    fetched: str | None  # WARC-Date of a crawled page
