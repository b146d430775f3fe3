"""What the Hub would check of a release folder, checked offline before the folder is swapped in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stance.release.layout import ReleaseError

SIZE_CATEGORIES = ("n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M")
REQUIRED = (
    "license",
    "language",
    "pretty_name",
    "size_categories",
    "task_categories",
    "task_ids",
    "tags",
    "annotations_creators",
    "source_datasets",
    "configs",
    "dataset_info",
)


def read_card(folder: Path) -> tuple[dict[str, Any], str]:
    import yaml

    text = (folder / "README.md").read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ReleaseError(f"{folder}/README.md: no YAML metadata block at the top")
    head, _, body = text[4:].partition("\n---\n")
    meta = yaml.safe_load(head)
    if not isinstance(meta, dict):
        raise ReleaseError(f"{folder}/README.md: the metadata block is not a mapping")
    return meta, body


def validate_card(folder: Path) -> dict[str, Any]:
    """Check the card against the Hub's conventions and the files it names; offline."""
    from huggingface_hub import DatasetCardData

    meta, _ = read_card(folder)
    where = f"{folder}/README.md"
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise ReleaseError(f"{where}: metadata lacks {missing[0]!r}")
    if meta["license"] == "other" and not meta.get("license_name"):
        raise ReleaseError(f"{where}: license 'other' needs a license_name")
    if not set(meta["size_categories"]) <= set(SIZE_CATEGORIES):
        raise ReleaseError(f"{where}: size_categories {meta['size_categories']} is not a Hub bin")
    if "text-classification" not in meta["task_categories"]:
        raise ReleaseError(f"{where}: task_categories must include text-classification")
    DatasetCardData(**meta)  # the Hub client's own parse of the metadata
    infos = {i["config_name"]: i for i in meta["dataset_info"]}
    for config in meta["configs"]:
        info = infos.get(config["config_name"])
        if info is None:
            raise ReleaseError(f"{where}: no dataset_info for config {config['config_name']!r}")
        counts = {s["name"]: s["num_examples"] for s in info["splits"]}
        for df in config["data_files"]:
            path = folder / df["path"]
            if not path.exists():
                raise ReleaseError(
                    f"{where}: config {config['config_name']} names missing {df['path']}"
                )
            import pyarrow.parquet as pq

            if pq.ParquetFile(path).metadata.num_rows != counts.get(df["split"]):
                raise ReleaseError(f"{where}: {df['path']} row count differs from dataset_info")
    return meta
