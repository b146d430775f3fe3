"""params.yaml: one section per DVC stage and CLI command, validated before any work starts.

An unknown section or key, a missing key or a value of the wrong type is an error naming the
file and the key; nothing falls back silently to a default the user did not see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.core.errors import ParamsError
from stance.core.files import read_yaml
from stance.core.paths import PATHS
from stance.core.schema import CV_GROUPS, HTML_EXTRACTORS, MODEL_KINDS, ROLE_SOURCES, SPLITS


@dataclass(frozen=True)
class Param:
    default: Any
    check: Callable[[Any], bool]
    expect: str


def _str_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, str) and x for x in v)


def _int_at_least(n: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= n


def _int_between(low: int, high: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def _fraction(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1


def _fractions(v: Any) -> bool:
    return (
        isinstance(v, dict)
        and set(v) <= set(SPLITS)
        and all(_fraction(x) or x == 0 for x in v.values())
        and abs(sum(v.values()) - 1) < 1e-9
    )


def _pins(v: Any) -> bool:
    return isinstance(v, dict) and all(isinstance(k, str) and x in SPLITS for k, x in v.items())


def _positive(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0


def _one_of(*values: str) -> Callable[[Any], bool]:
    return lambda v: v in values


# A section maps keys to a Param or to a nested mapping of its own (train.logreg.C).
Spec = dict[str, "Param | Spec"]

# The final estimators `train.estimator` chooses from; each has a section of its own.
ESTIMATORS = ("logreg", "linear_svm", "sgd")
# The SGD losses that give probabilities (predict_proba), so `scores` stay probabilities.
SGD_LOSSES = ("log_loss", "modified_huber")
_CLASS_WEIGHT = Param("balanced", _one_of("balanced", "none"), "'balanced' or 'none'")

SPEC: dict[str, Spec] = {
    "ingest": {
        "inputs": Param(
            [PATHS.seeds.as_posix(), PATHS.constructed.as_posix()],
            _str_list,
            "a non-empty list of article files or folders (what bare `stance ingest` reads)",
        ),
        "claims": Param(
            ["sony-hack-2014"], _str_list, "a non-empty list of claim ids or accusations as text"
        ),
        "shingle_size": Param(5, _int_at_least(1), "an integer >= 1"),
        "near_duplicate_threshold": Param(0.5, _fraction, "a number in (0, 1]"),
        "max_document_bytes": Param(5_000_000, _int_at_least(1000), "an integer >= 1000"),
        "max_line_chars": Param(100_000, _int_at_least(100), "an integer >= 100"),
        "html_extractor": Param(
            "trafilatura", lambda v: v in HTML_EXTRACTORS, " or ".join(map(repr, HTML_EXTRACTORS))
        ),
        "lang": Param(["en"], _str_list, "a non-empty list of ISO 639-1 codes, or [any]"),
        "min_lang_confidence": Param(0.9, _fraction, "a number in (0, 1]"),
    },
    "train": {
        "model": Param(
            "auto",
            _one_of(*MODEL_KINDS, "auto"),
            f"one of {', '.join(MODEL_KINDS)} or auto (chosen by grouped cross-validation)",
        ),
        "roles": Param("registry", _one_of(*ROLE_SOURCES), f"one of {', '.join(ROLE_SOURCES)}"),
        "role_dropout": Param(
            0.6,
            lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v < 1,
            "a number in [0, 1)",
        ),
        "default_claim": Param(
            "sony-hack-2014",
            lambda v: isinstance(v, str) and bool(v.strip()),
            "a claim id from data/claims.yaml, or an accusation as text",
        ),
        "estimator": Param("logreg", _one_of(*ESTIMATORS), f"one of {', '.join(ESTIMATORS)}"),
        "logreg": {
            "C": Param(1.0, _positive, "a number > 0"),
            "class_weight": _CLASS_WEIGHT,
            "max_iter": Param(3000, _int_at_least(100), "an integer >= 100"),
        },
        "linear_svm": {
            "C": Param(1.0, _positive, "a number > 0"),
            "class_weight": _CLASS_WEIGHT,
            "max_iter": Param(5000, _int_at_least(100), "an integer >= 100"),
            "calibration_folds": Param(3, _int_at_least(2), "an integer >= 2"),
        },
        "sgd": {
            "loss": Param("log_loss", _one_of(*SGD_LOSSES), f"one of {', '.join(SGD_LOSSES)}"),
            "alpha": Param(0.0001, _positive, "a number > 0"),
            "penalty": Param("l2", _one_of("l2", "l1", "elasticnet"), "'l2', 'l1' or 'elasticnet'"),
            "class_weight": _CLASS_WEIGHT,
            "max_iter": Param(1000, _int_at_least(5), "an integer >= 5"),
        },
        "window": Param(6, _int_at_least(1), "an integer >= 1"),
        "cue_weight": Param(1.0, _positive, "a number > 0"),
        "ngram_max": Param(2, _int_at_least(1), "an integer >= 1"),
        "min_df": Param(1, _int_between(1, 1000), "an integer from 1 to 1000"),
        # More folds than this only multiplies the fits: each is a few rows smaller.
        "cv_folds": Param(5, _int_between(2, 50), "an integer from 2 to 50"),
        "cv_group": Param(
            "auto",
            _one_of(*CV_GROUPS),
            f"one of {', '.join(CV_GROUPS)} (auto: by document, else by sentence)",
        ),
        "seed": Param(13, _int_at_least(0), "an integer >= 0"),
    },
    "emergent": {
        # Outside the project, never copied in: CI clones beside ../shared.
        "data": Param(
            "../shared/benchmarks/emergent",
            lambda v: isinstance(v, str) and bool(v.strip()),
            "the folder of the Emergent CSVs",
        ),
    },
    "evaluate": {
        "bootstrap": Param(1000, _int_at_least(10), "an integer >= 10"),
        "learning_curve": Param(
            [0.1, 0.25, 0.5, 0.75, 1.0],
            lambda v: isinstance(v, list) and bool(v) and all(_fraction(x) for x in v),
            "a list of fractions in (0, 1]",
        ),
        "seed": Param(13, _int_at_least(0), "an integer >= 0"),
        "generalise": Param(True, lambda v: isinstance(v, bool), "true or false"),
    },
    "build": {
        "fractions": Param(
            {"train": 0.8, "validation": 0.2, "test": 0.0},
            _fractions,
            f"a mapping of {', '.join(SPLITS)} to fractions summing to 1",
        ),
        "pin_sources": Param({"seed": "test"}, _pins, f"a mapping of source to one of {SPLITS}"),
        "pin_docs": Param({}, _pins, f"a mapping of doc id pattern to one of {SPLITS}"),
        "seed": Param(13, _int_at_least(0), "an integer >= 0"),
    },
}


def _defaults(spec: Spec) -> dict[str, Any]:
    return {k: _defaults(p) if isinstance(p, dict) else p.default for k, p in spec.items()}


def defaults(section: str) -> dict[str, Any]:
    return _defaults(SPEC[section])


def _check(path: Path, where: str, values: Any, spec: Spec) -> dict[str, Any]:
    """Validate one mapping against its spec, nested mappings included; `where` names it."""
    if not isinstance(values, dict):
        raise ParamsError(
            f"{path}: {where} = {values!r:.60}: expected a mapping of {', '.join(spec)}"
        )
    unknown = sorted(set(values) - set(spec), key=str)
    if unknown:
        raise ParamsError(
            f"{path}: {where}.{unknown[0]} is not a known key (known: {', '.join(spec)})"
        )
    out: dict[str, Any] = {}
    for key, param in spec.items():
        if key not in values:
            default = _defaults(param) if isinstance(param, dict) else param.default
            raise ParamsError(f"{path}: {where}.{key} is missing (default: {default!r})")
        if isinstance(param, dict):
            out[key] = _check(path, f"{where}.{key}", values[key], param)
        elif not param.check(values[key]):
            shown = f"{values[key]!r:.60}"  # a pasted blob must not flood the terminal
            raise ParamsError(f"{path}: {where}.{key} = {shown}: expected {param.expect}")
        else:
            out[key] = values[key]
    return out


def load_params(path: Path, section: str) -> dict[str, Any]:
    """The validated `section` of params.yaml. A missing file or section is an error: code
    defaults the user never saw would silently change results (e.g. which documents are test)."""
    data = read_yaml(path, ParamsError)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping of sections ({', '.join(SPEC)})")
    unknown = sorted(set(data) - set(SPEC))
    if unknown:
        raise ParamsError(f"{path}: unknown section {unknown[0]!r} (known: {', '.join(SPEC)})")
    values = data.get(section)
    if values is None:
        raise ParamsError(
            f"{path}: no {section!r} section; add it (keys: {', '.join(SPEC[section])}; see the "
            f"project's params.yaml)"
        )
    if not isinstance(values, dict):
        raise ParamsError(f"{path}: section {section!r} must be a mapping")
    return _check(path, section, values, SPEC[section])
