"""The dataset card (README.md of the release): Hub metadata and prose, from the data and reports.

The prose lives in templates/dataset_card.md.j2 (sections after the Hub's dataset card template);
this module computes what the template shows. Every number and date in the card comes from the
data, the reports or the build: nothing dated is written by hand.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from importlib import resources
from typing import Any

from stance.core.schema import (
    LABELS,
    RESPONSES,
    SOURCE_CONSTRUCTED,
    SOURCE_IMPORTED_PREFIX,
    SOURCE_SEED,
)
from stance.core.stamp import source_date
from stance.release.layout import (
    LICENSE,
    LICENSE_NAME,
    PRETTY_NAME,
    ReleasePaths,
    _json,
    features,
    parquet_file,
    yaml_features,
)

TEMPLATE = "dataset_card.md.j2"
# The held-out subsets of the test split that the team wrote (params.yaml: build.pin_docs).
CONSTRUCTED_SUBSETS = ("heldout_same", "heldout_other")


def size_category(n: int) -> str:
    for limit, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
    ):
        if n < limit:
            return name
    return "10M<n<100M"


def card_metadata(frame: Any, notes: Any, summary: dict[str, Any]) -> dict[str, Any]:
    def info(name: str, kind: str, splits: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            "config_name": name,
            "features": yaml_features(features(kind)),
            "splits": [
                {"name": s, "num_bytes": v["num_bytes"], "num_examples": v["num_examples"]}
                for s, v in splits.items()
            ],
            "download_size": sum(v["download_size"] for v in splits.values()),
            "dataset_size": sum(v["num_bytes"] for v in splits.values()),
        }

    sources = set(frame["source"])
    return {
        "license": LICENSE,
        "license_name": LICENSE_NAME,
        "license_link": "LICENSE.md",
        "language": ["en"],
        "pretty_name": PRETTY_NAME,
        "size_categories": [size_category(len(frame))],
        "task_categories": ["text-classification"],
        "task_ids": ["multi-class-classification"],
        "tags": [
            "stance-detection",
            "target-dependent-stance",
            "geopolitics",
            "news",
            "attribution",
            "cyber-attacks",
        ],
        "annotations_creators": ["expert-generated"],
        "language_creators": sorted(
            {"found" if s != SOURCE_CONSTRUCTED else "expert-generated" for s in sources}
        ),
        "multilinguality": ["monolingual"],
        "source_datasets": ["original"],
        "configs": [
            {
                "config_name": "default",
                "default": True,
                "data_files": [
                    {"split": s, "path": parquet_file("default", s)} for s in summary["splits"]
                ],
            },
            {
                "config_name": "annotations",
                "data_files": [{"split": "train", "path": parquet_file("annotations", "train")}],
            },
        ],
        "dataset_info": [
            info("default", "default", summary["splits"]),
            info("annotations", "annotations", summary["annotations"]),
        ],
    }


def render_card(frame: Any, notes: Any, summary: dict[str, Any], paths: ReleasePaths) -> str:
    from huggingface_hub import DatasetCard, DatasetCardData

    data = DatasetCardData(**card_metadata(frame, notes, summary))
    context = card_context(frame, notes, summary, paths)
    with resources.as_file(resources.files("stance.release") / "templates" / TEMPLATE) as path:
        card = DatasetCard.from_template(data, template_path=str(path), **context)
    text = str(card)
    # Jinja drops the template's final newline; a text file ends with one.
    return text if text.endswith("\n") else text + "\n"


def fmt(x: Any) -> str:
    return "-" if x is None else f"{x:.3f}" if isinstance(x, float) else str(x)


def is_real(source_or_subset: str) -> bool:
    """Text that was published (seed articles, imported corpora), not written by the team."""
    return source_or_subset == SOURCE_SEED or source_or_subset.startswith(SOURCE_IMPORTED_PREFIX)


def card_context(
    frame: Any, notes: Any, summary: dict[str, Any], paths: ReleasePaths
) -> dict[str, Any]:
    """Everything the template shows, computed; the template only words and lays it out."""
    from stance.annotation.guidelines import load_guidelines
    from stance.corpus.actors import load_registry
    from stance.corpus.claims import load_claims

    registry = load_registry(paths.actors)
    claims = load_claims(paths.claims, registry)
    src = summary["by_source"]
    labels = Counter(frame["stance"])
    newest = max((str(t) for t in notes["annotated_at"] if t), default=None)
    # Only without any label to date it by: the year SOURCE_DATE_EPOCH fixes, else this one.
    built = source_date() or dt.datetime.now(dt.UTC)
    seed_claims = sorted({c for c in frame.loc[frame["source"] == SOURCE_SEED, "claim"]})
    guide = load_guidelines(paths.guidelines)
    kinds = Counter(registry.actors[a].type for a in set(frame["actor"]) if a in registry.actors)
    return {
        "rows": len(frame),
        "split_rows": {s: v["num_examples"] for s, v in summary["splits"].items()},
        "label_counts": {k: labels.get(k, 0) for k in LABELS},
        "labels": list(LABELS),
        "responses": list(RESPONSES),
        "source_seed": SOURCE_SEED,
        "source_constructed": SOURCE_CONSTRUCTED,
        "source_imported": SOURCE_IMPORTED_PREFIX,
        "sources": src,
        "real_sources": [k for k in src if is_real(k)],
        "real": _sum(src, real=True),
        "constructed": _sum(src, real=False),
        "notes_rows": len(notes),
        "annotators": summary["annotators"],
        "adjudicators": summary["adjudicators"],
        "provenance": summary["provenance"],
        "seed_claims": [
            {
                "text": claims[c].text,
                "date": dt.date.fromisoformat(claims[c].date).strftime("%B %Y"),
                "accusers": [registry.actors[a].name for a in claims[c].accusers],
            }
            for c in seed_claims
            if c in claims
        ],
        "actor_kinds": dict(sorted(kinds.items())),
        "guide": guide,
        "label_summary": class_label_ids(guide.summary),
        "agreement": _agreement(_json(paths.agreement)),
        "written": (_json(paths.build_report) or {}).get("constructed"),
        "results": _results(frame, _json(paths.metrics)),
        "emergent": _json(paths.emergent),
        "newest_label": newest[:10] if newest else None,
        # The year of the newest human label; with none, the build's year.
        "citation_year": int(newest[:4]) if newest else built.year,
        "contact_url": _issue_tracker(),
        "fmt": fmt,
    }


def class_label_ids(summary: str) -> str:
    """The guidelines' summary with each label's key in the UI (`1 support`) replaced by its
    ClassLabel id in the release (`0` `support`), so the card numbers labels one way."""
    import re

    def swap(m: re.Match[str]) -> str:
        label = m.group(2)
        return f"`{LABELS.index(label)}` `{label}`" if label in LABELS else m.group(0)

    return re.sub(r"`([1-9]) (\w+)`", swap, summary)


def _sum(src: dict[str, dict[str, int]], real: bool) -> dict[str, int]:
    parts = [v for k, v in src.items() if is_real(k) == real]
    return {key: sum(v[key] for v in parts) for key in ("rows", "sentences", "documents")}


def _agreement(report: dict[str, Any] | None) -> dict[str, Any] | None:
    if not report or not report.get("items"):
        return None
    lo, hi = report["alpha_ci95"]
    return {
        "items": report["items"],
        "coders": len(report["coders"]),
        "percent": fmt(report["percent_agreement"]),
        "alpha": fmt(report["krippendorff_alpha"]),
        "ci": f"{fmt(lo)}-{fmt(hi)}",
        "verdict": report["verdict"],
        "kappa": fmt(report["fleiss_kappa"]),
    }


def _results(frame: Any, metrics: dict[str, Any] | None) -> dict[str, Any] | None:
    """Model and baseline rows, on real text and on text the team wrote, never mixed."""
    if not metrics:
        return None
    real: list[dict[str, Any]] = []
    written: list[dict[str, Any]] = []
    mixed: list[str] = []
    for name, t in metrics.get("subsets", {}).items():
        if is_real(name):
            real.append(_row(name, "subset", t))
        elif name in CONSTRUCTED_SUBSETS:
            written.append(_row(name, "subset", t))
    for name, t in metrics.get("splits", {}).items():
        sources = set(frame.loc[frame["split"] == name, "source"])
        if sources and all(is_real(s) for s in sources):
            real.append(_row(name, "split", t))
        elif sources == {SOURCE_CONSTRUCTED}:
            written.append(_row(name, "split", t))
        else:
            mixed.append(name)
    cv = metrics.get("cv", {})
    train_sources = sorted(set(frame.loc[frame["split"] == "train", "source"]))
    return {
        "real": [r for r in real if r["rows"]],
        "constructed": [r for r in written if r["rows"]],
        "mixed": mixed,
        "cv": {"mean": fmt(cv.get("mean")), "std": fmt(cv.get("std")), "folds": cv.get("folds")},
        "train_sources": train_sources,
        "choice": _choice(metrics.get("model_choice"), metrics.get("estimator")),
    }


# What each model kind is made of, as the card says it.
KIND_TEXT = {
    "plain": "TF-IDF of the sentence's words and characters, no actor features",
    "actor_aware": "TF-IDF of the actor-masked sentence and of the words around the actor, "
    "plus stance-cue, cue-holder and claim-role features",
    "union": "the actor-aware features plus character n-grams of the sentence",
}


def _choice(choice: dict[str, Any] | None, estimator: dict[str, Any] | None) -> dict[str, Any]:
    """The model kind trained, what it is made of, and how `train.model: auto` chose it."""
    choice = choice or {}
    kind = choice.get("chosen")
    means = choice.get("cv_macro_f1") or {}
    stds = choice.get("cv_std") or {}
    return {
        "kind": kind,
        "what": KIND_TEXT.get(str(kind), ""),
        "estimator": (estimator or {}).get("class"),
        "auto": choice.get("asked") == "auto",
        "best": choice.get("best_mean"),
        "scores": [
            {"kind": k, "mean": fmt(means[k]), "std": fmt(stds.get(k))} for k in sorted(means)
        ],
    }


def _row(name: str, kind: str, t: dict[str, Any]) -> dict[str, Any]:
    model = t.get("model", {})
    lo, hi = model.get("macro_f1_ci95") or (None, None)
    return {
        "name": name,
        "kind": kind,
        "rows": model.get("rows", 0),
        "model": f"{fmt(model.get('macro_f1'))} ({fmt(lo)}-{fmt(hi)})",
        "majority": fmt(t.get("majority", {}).get("macro_f1")),
        "cue_rules": fmt(t.get("cue_rules", {}).get("macro_f1")),
        "plain": fmt(t.get("plain_baseline", {}).get("macro_f1")),
    }


def _issue_tracker() -> str | None:
    """The package's issue tracker URL, when its metadata names one ([project.urls])."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("stance").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for entry in urls:
        label, _, url = entry.partition(",")
        if "issue" in label.lower() or "tracker" in label.lower():
            return url.strip()
    return None
