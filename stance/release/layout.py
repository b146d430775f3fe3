"""What a release holds: its paths, its Hub features (column types) and its license."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.core.errors import StanceError
from stance.core.schema import LABELS

PRETTY_NAME = "stance: actors' stances toward public accusations"
LICENSE = "other"
LICENSE_NAME = "cc-by-4.0-and-quoted-news"


LICENSE_TEXT = """# License

- Annotations (labels, fine tags, notes), constructed sentences, and the dataset's structure:
  Creative Commons Attribution 4.0 International (CC BY 4.0),
  https://creativecommons.org/licenses/by/4.0/
- Rows with `source: seed` quote sentences of published news articles. Their copyright stays
  with the publishers; they are included as short quotations for research on news reporting.
  Check the publishers' terms before redistributing them beyond research use.
"""


class ReleaseError(StanceError):
    "The release folder cannot be built or is invalid."


@dataclass(frozen=True)
class ReleasePaths:
    dataset: Path = Path("data/processed/dataset.parquet")
    annotations: Path = Path("data/annotations")
    actors: Path = Path("data/actors.yaml")
    claims: Path = Path("data/claims.yaml")
    guidelines: Path = Path("docs/guidelines.md")
    agreement: Path = Path("reports/agreement.json")
    metrics: Path = Path("reports/metrics.json")
    emergent: Path = Path("benchmarks/results/emergent.json")
    dvc_lock: Path = Path("dvc.lock")


def features(kind: str) -> Any:
    from datasets import ClassLabel, Features, List, Value

    stance = ClassLabel(names=list(LABELS))
    if kind == "annotations":
        return Features(
            {
                "annotator": Value("string"),
                "role": Value("string"),
                "id": Value("string"),
                "actor": Value("string"),
                "claim": Value("string"),
                "sentence": Value("string"),
                "stance": stance,
                "response": Value("string"),
                "flag": Value("bool"),
                "note": Value("string"),
                "annotated_at": Value("string"),
                "guideline_version": Value("string"),
            }
        )
    return Features(
        {
            "id": Value("string"),
            "doc_id": Value("string"),
            "sentence_id": Value("string"),
            "sentence": Value("string"),
            "start": Value("int32"),
            "end": Value("int32"),
            "group": Value("string"),
            "actor": Value("string"),
            "actor_name": Value("string"),
            "mentions": List(
                {"text": Value("string"), "start": Value("int32"), "end": Value("int32")}
            ),
            "claim": Value("string"),
            "claim_text": Value("string"),
            "stance": stance,
            "response": Value("string"),
            "source": Value("string"),
            "annotators": List(Value("string")),
            "resolution": Value("string"),
        }
    )


def _json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
