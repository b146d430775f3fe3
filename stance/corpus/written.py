"""The labels a writer gave the actors of a sentence they wrote (`source: constructed`).

The writer is one voter among the annotators, not a veto: `stance build` counts the writer's
label with everyone else's, and the adjudication queues show it beside theirs, so both read it
from here.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from stance.core.errors import InputError
from stance.core.paths import PATHS
from stance.core.schema import LABELS, RESPONSES
from stance.core.tables import read_jsonl

# The writer's name among the voters: no annotator can have it (names are letters, digits,
# '.', '_' and '-'), so it never collides with a log.
WRITER = "(writer)"


def written_labels(
    documents: list[dict[str, Any]], candidates: list[dict[str, Any]]
) -> dict[str, tuple[str, str | None]]:
    """Candidate id -> (stance, response) for documents written with labels.

    The writer labels every actor of the sentence; an actor the tagger finds but the writer did
    not label, or the reverse, is an error naming the document, so the two never drift apart.
    """
    labelled = {d["doc_id"]: d for d in documents if d.get("labels")}
    found: dict[str, set[str]] = defaultdict(set)
    out: dict[str, tuple[str, str | None]] = {}
    for c in candidates:
        doc = labelled.get(c["doc_id"])
        if doc is None:
            continue
        found[c["doc_id"]].add(c["actor"])
        stance = doc["labels"].get(c["actor"])
        if stance is None:
            raise InputError(
                f"{doc['path']}: {c['actor']} is mentioned ({c['mentions'][0]['text']!r}) but "
                f"has no label: add it to 'labels'"
            )
        if stance not in LABELS:
            raise InputError(f"{doc['path']}: unknown label {stance!r} for {c['actor']}")
        response = (doc.get("responses") or {}).get(c["actor"])
        if response is not None and response not in RESPONSES:
            raise InputError(f"{doc['path']}: unknown response {response!r} for {c['actor']}")
        out[c["id"]] = (stance, response)
    for doc_id, doc in labelled.items():
        missing = sorted(set(doc["labels"]) - found[doc_id])
        if missing:
            raise InputError(
                f"{doc['path']}: labelled actor {missing[0]} is not found in the text: fix the "
                f"text or add an alias to {PATHS.actors_curated}"
            )
    return out


def read_written(
    documents: Path, candidates: list[dict[str, Any]]
) -> dict[str, tuple[str, str | None]]:
    """`written_labels` of a documents file; none when the file is not there yet."""
    if not documents.exists():
        return {}
    return written_labels(list(read_jsonl(documents)), candidates)
