"""What a release holds: its paths, its Hub features (column types) and its license."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.core.errors import StanceError
from stance.core.paths import PATHS
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


def parquet_file(config: str, split: str) -> str:
    """Where a config's split lives inside the release folder (push_to_hub's layout)."""
    folder = "data" if config == "default" else config
    return f"{folder}/{split}-00000-of-00001.parquet"


class ReleaseError(StanceError):
    "The release folder cannot be built or is invalid."


@dataclass(frozen=True)
class ReleasePaths:
    """What `stance release` reads (the project's defaults: stance.core.paths)."""

    dataset: Path = PATHS.dataset
    annotations: Path = PATHS.annotations
    actors: Path = PATHS.actors
    claims: Path = PATHS.claims
    guidelines: Path = PATHS.guidelines
    agreement: Path = PATHS.agreement
    build_report: Path = PATHS.build_report
    metrics: Path = PATHS.metrics
    emergent: Path = PATHS.emergent
    dvc_lock: Path = PATHS.dvc_lock


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


def yaml_features(feats: Any) -> list[dict[str, Any]]:
    """The card's `dataset_info.features` list for a `datasets.Features`, in the Hub's layout.

    Only the kinds of column a release has: Value, ClassLabel, a struct, a List of Value or of a
    struct. The project writes this itself rather than call a private `datasets` helper; a test
    reads the card back through `datasets.load_dataset_builder` to prove the two agree.
    """
    return [{"name": name, **_yaml_type(name, f)} for name, f in feats.items()]


def _yaml_type(name: str, feature: Any) -> dict[str, Any]:
    from datasets import ClassLabel, List, Value

    if isinstance(feature, Value):
        return {"dtype": feature.dtype}
    if isinstance(feature, ClassLabel):
        # The Hub wants string keys: names as a mapping from id to name, not a list.
        names = {str(i): n for i, n in enumerate(feature.names)}
        return {"dtype": {"class_label": {"names": names}}}
    if isinstance(feature, dict):
        return {"struct": yaml_features(feature)}
    if isinstance(feature, List) and feature.length == -1:
        inner = feature.feature
        if isinstance(inner, Value):
            return {"list": inner.dtype}
        if isinstance(inner, dict):
            return {"list": yaml_features(inner)}
    raise TypeError(f"column {name!r}: no card YAML for {feature!r}; extend yaml_features")


# What the card reads from each report, with its type: a report without them, or with another
# type, was not written by its stage (or was edited), and a card built from it would be wrong.
REPORT_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "agreement": {
        "items": int,
        "coders": list,
        "alpha_ci95": list,
        "verdict": str,
        "percent_agreement": (int, float, type(None)),
        "krippendorff_alpha": (int, float, type(None)),
        "fleiss_kappa": (int, float, type(None)),
    },
    "evaluate": {"cv": dict, "splits": dict, "subsets": dict},
}


def check_report(path: Path, stage: str) -> dict[str, Any]:
    """The report `stance <stage>` writes at `path`, refused when missing or malformed."""
    fix = f"run `stance {stage}` (or `dvc repro`) to make it"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ReleaseError(f"{path}: missing; {fix}") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ReleaseError(f"{path}: not a readable JSON report ({exc}); {fix}") from None
    if not isinstance(data, dict):
        raise ReleaseError(f"{path}: not a `stance {stage}` report (not an object); {fix}")
    for key, kind in REPORT_FIELDS[stage].items():
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise ReleaseError(
                f"{path}: not a `stance {stage}` report ({key!r} missing or of the wrong "
                f"type); {fix}"
            )
    return data


def _json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
