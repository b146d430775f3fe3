"""`stance build`: the gold dataset from candidates and every annotator's labels.

Each candidate is resolved by, in order: an adjudication; else the label every annotator who
labelled it gave (unanimous, one annotator included); else a strict majority. Anything else is
unresolved: reported, never guessed, and left out. The writer of a constructed sentence is one
voter among the annotators, not a veto: a sentence nobody else labelled keeps the writer's
label, annotators who disagree with it outvote it or send the item to adjudication, and the
report counts the writer's labels that people confirmed and changed. Labels that refer to
candidates which no longer exist (or whose sentence changed) stop the build: they are never
remapped.

Splits are made over connected components of documents, where two documents are connected
when they share a near-duplicate group, so no document and no group is on two sides. Whole
sources or documents can be pinned to a split (the seed articles are the test set: the model
never trains on them).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.annotation.log import ItemState, describe_stale, log_path, read_all, stale_items
from stance.annotation.review import adjudications, writer_vote
from stance.core.errors import AnnotationError, InputError
from stance.core.files import atomic_writer
from stance.core.paths import PATHS
from stance.core.schema import (
    ADJUDICATIONS,
    CANDIDATE_FIELDS,
    DATASET_COLUMNS,
    RESPONSES,
    SPLITS,
)
from stance.core.tables import read_jsonl
from stance.core.unionfind import UnionFind
from stance.corpus.candidates import load_candidates
from stance.corpus.written import WRITER, written_labels


@dataclass(frozen=True)
class BuildPaths:
    """What `stance build` reads and writes (the project's defaults: stance.core.paths)."""

    candidates: Path = PATHS.candidates
    documents: Path = PATHS.documents
    annotations: Path = PATHS.annotations
    dataset: Path = PATHS.dataset
    splits: Path = PATHS.splits
    report: Path = PATHS.build_report


def resolve(
    votes: dict[str, ItemState], adjudicated: ItemState | None
) -> tuple[str | None, str | None, str]:
    """(stance, response, how) for one candidate; stance None when unresolved."""
    if adjudicated is not None and adjudicated.stance:
        response = adjudicated.response or _response(votes, adjudicated.stance)
        return adjudicated.stance, response, "adjudicated"
    labels = [st.stance for st in votes.values() if st.stance]
    if not labels:
        return None, None, "unlabelled"
    counts = Counter(labels)
    top, n = counts.most_common(1)[0]
    if n == len(labels):
        return top, _response(votes, top), "unanimous"
    if n > len(labels) / 2:
        return top, _response(votes, top), "majority"
    return None, None, "unresolved"


def _response(votes: dict[str, ItemState], stance: str) -> str | None:
    """The most common fine tag among the annotators who gave the winning label."""
    tags = Counter(st.response for st in votes.values() if st.stance == stance and st.response)
    if not tags:
        return None
    best = max(tags.values())
    return min((t for t, n in tags.items() if n == best), key=RESPONSES.index)


def _stable(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


def assign_splits(
    rows: list[dict[str, Any]],
    sources: dict[str, str],
    fractions: dict[str, float],
    pin_sources: dict[str, str],
    pin_docs: dict[str, str],
    seed: int,
) -> dict[str, str]:
    """doc_id -> split, over components of documents linked by shared groups."""
    linked: UnionFind[str] = UnionFind()
    group_doc: dict[str, str] = {}
    size: Counter[str] = Counter()
    for r in rows:
        doc = r["doc_id"]
        linked.add(doc)
        size[doc] += 1
        linked.union(group_doc.setdefault(r["group"], doc), doc)
    components = linked.components()

    def pinned(doc: str) -> str | None:
        for pattern, split in pin_docs.items():
            if fnmatch.fnmatchcase(doc, pattern):
                return split
        return pin_sources.get(sources.get(doc, ""))

    out: dict[str, str] = {}
    free = []
    for key, docs in sorted(components.items()):
        pins = {p for d in docs if (p := pinned(d))}
        if len(pins) > 1:
            raise AnnotationError(
                f"documents {', '.join(sorted(docs))} share near-duplicate sentences but are "
                f"pinned to different splits ({', '.join(sorted(pins))}): pin them together"
            )
        if pins:
            out.update({d: next(iter(pins)) for d in docs})
        else:
            free.append((key, docs))
    # Fractions share out the unpinned documents; pinned ones are outside that scheme.
    count: Counter[str] = Counter()
    targets = {s: f for s, f in fractions.items() if f > 0}
    total = sum(size[d] for _, docs in free for d in docs)
    for _, docs in sorted(free, key=lambda kd: _stable(seed, kd[0])):
        n = sum(size[d] for d in docs)
        # The split furthest below its share of the rows takes the next component.
        split = max(targets, key=lambda s: (targets[s] * total - count[s], targets[s]))
        out.update({d: split for d in docs})
        count[split] += n
    return out


# The split `stance train` fits on: a build without it would only fail later, in another stage.
TRAINING_SPLIT = "train"


def check_training_split(rows: list[dict[str, Any]], paths: BuildPaths) -> None:
    """Refuse, before anything is written, a dataset whose train split is empty."""
    if any(r["split"] == TRAINING_SPLIT for r in rows):
        return
    sources = ", ".join(f"{k} {n}" for k, n in sorted(Counter(r["source"] for r in rows).items()))
    raise AnnotationError(
        f"{paths.dataset}: the {TRAINING_SPLIT} split would be empty (resolved rows by source: "
        f"{sources}; pinned sources and documents go to test): ingest documents that are not "
        f"pinned, e.g. `stance ingest` with params.yaml ingest.inputs listing data/constructed, "
        f"or label some"
    )


def build(paths: BuildPaths, params: dict[str, Any]) -> dict[str, Any]:
    """Resolve labels, split, write the Parquet dataset, the split ids and a report."""
    import pandas as pd

    candidates = load_candidates(paths.candidates)
    by_id = {c["id"]: c for c in candidates}
    documents = list(read_jsonl(paths.documents))
    sources = {d["doc_id"]: d["source"] for d in documents}
    written = written_labels(documents, candidates)
    states, warnings = read_all(paths.annotations)
    adjudicated = adjudications(paths.annotations)
    for name, items in [*states.items(), (ADJUDICATIONS, adjudicated)]:
        stale = list(stale_items(items.values(), by_id))
        if stale:
            raise AnnotationError(
                describe_stale(log_path(paths.annotations, name), stale, paths.candidates)
            )

    votes: dict[str, dict[str, ItemState]] = defaultdict(dict)
    for coder, items in states.items():
        for cid, st in items.items():
            votes[cid][coder] = st
    rows: list[dict[str, Any]] = []
    unresolved: list[dict[str, Any]] = []
    how_counts: Counter[str] = Counter()
    reviewed: Counter[str] = Counter()  # the writer's labels that people looked at, by outcome
    for c in candidates:
        people = {k: v for k, v in votes.get(c["id"], {}).items() if v.stance}
        voters = dict(people)
        if c["id"] in written:
            voters[WRITER] = writer_vote(c["id"], written[c["id"]])
        decided = adjudicated.get(c["id"])
        stance, response, how = resolve(voters, decided)
        if how == "unanimous" and not people:
            how = "constructed"  # the writer alone
        how_counts[how] += 1
        if c["id"] in written and (people or (decided is not None and decided.stance)):
            mine = written[c["id"]][0]
            reviewed[
                "awaiting_adjudication"
                if stance is None
                else "confirmed"
                if stance == mine
                else "changed"
            ] += 1
        if how == "unresolved":
            unresolved.append(
                {
                    "id": c["id"],
                    "actor": c["actor"],
                    "sentence": c["sentence"],
                    "labels": {k: v.stance for k, v in voters.items()},
                }
            )
        if stance is None:
            continue
        if c["doc_id"] not in sources:
            raise InputError(
                f"{paths.documents}: no document {c['doc_id']!r}: rerun `stance ingest`"
            )
        rows.append(
            {
                **{k: c[k] for k in CANDIDATE_FIELDS},
                "stance": stance,
                "response": response,
                "source": sources[c["doc_id"]],
                "annotators": sorted(people),
                "resolution": how,
            }
        )
    if not rows:
        raise AnnotationError(
            f"no resolved labels in {paths.annotations}: label with `stance annotate` first"
        )
    split_of = assign_splits(
        rows,
        sources,
        params["fractions"],
        params["pin_sources"],
        params["pin_docs"],
        params["seed"],
    )
    for r in rows:
        r["split"] = split_of[r["doc_id"]]
    check_training_split(rows, paths)
    frame = pd.DataFrame(rows, columns=list(DATASET_COLUMNS))
    paths.dataset.parent.mkdir(parents=True, exist_ok=True)
    with atomic_writer(paths.dataset, "wb") as fh:
        frame.to_parquet(fh, index=False)
    splits = {
        s: {
            "documents": sorted({r["doc_id"] for r in rows if r["split"] == s}),
            "groups": sorted({r["group"] for r in rows if r["split"] == s}),
            "rows": sum(1 for r in rows if r["split"] == s),
        }
        for s in SPLITS
    }
    with atomic_writer(paths.splits) as fh:
        json.dump(splits, fh, indent=2)
        fh.write("\n")
    report = {
        "rows": len(rows),
        "candidates": len(candidates),
        "resolution": dict(sorted(how_counts.items())),
        "unresolved": unresolved,
        # Of the labels constructed sentences were written with: how many there are, and of
        # those people labelled or adjudicated, how many they confirmed, changed, or left
        # waiting for adjudication (out of the dataset until then, each one in `unresolved`).
        "constructed": {
            "written": len(written),
            "reviewed": sum(reviewed.values()),
            **{k: reviewed[k] for k in ("confirmed", "changed", "awaiting_adjudication")},
        },
        "by_split": {s: v["rows"] for s, v in splits.items()},
        "by_source": dict(sorted(Counter(r["source"] for r in rows).items())),
        "by_label": dict(sorted(Counter(r["stance"] for r in rows).items())),
        "documents_by_source": dict(sorted(Counter(sources.values()).items())),
        "warnings": warnings,
    }
    with atomic_writer(paths.report) as fh:
        json.dump(report, fh, indent=2)
        fh.write("\n")
    return report
