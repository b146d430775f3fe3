"""Candidates: one row per (sentence, actor, claim), the unit every later stage works on.

Written by `stance ingest` to data/interim/candidates.jsonl; read here, checked for the fields
later tools depend on, by annotation, build and interop alike.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from stance.core.errors import InputError
from stance.core.schema import CANDIDATE_FIELDS
from stance.core.tables import read_jsonl


def candidate_id(doc_id: str, start: int, end: int, actor: str, claim: str) -> str:
    """Stable across reruns: depends only on where the sentence is and who and what it is about."""
    key = f"{doc_id}\x1f{start}\x1f{end}\x1f{actor}\x1f{claim}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def load_candidates(path: Path) -> list[dict[str, Any]]:
    """data/interim/candidates.jsonl, checked for the fields later tools depend on."""
    rows = []
    try:
        for lineno, row in enumerate(read_jsonl(path), 1):
            missing = [f for f in CANDIDATE_FIELDS if f not in row]
            if missing:
                raise InputError(f"{path}:{lineno}: missing field {missing[0]!r}")
            rows.append(row)
    except InputError as exc:
        if "no such file" in str(exc):
            raise InputError(
                f"{path}: no such file: run `stance ingest` (or `dvc repro`) first"
            ) from None
        raise
    return rows
