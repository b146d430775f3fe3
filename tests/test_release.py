"""The Hub release folder, loaded back offline; the card's metadata; publishing, mocked."""

import json
from pathlib import Path

import pytest
import yaml

from stance.release import publish as publish_mod
from stance.release.validate import SIZE_CATEGORIES, read_card


def split_rows(released: Path) -> dict[str, int]:
    """Rows per split of the dataset the release was built from (the project's own)."""
    import pandas as pd

    frame = pd.read_parquet(released.parent / "data/processed/dataset.parquet")
    counts = frame["split"].value_counts()
    return {s: int(counts.get(s, 0)) for s in ("train", "validation", "test")}


def test_release_loads_offline_with_both_configs(released: Path) -> None:
    from datasets import load_dataset

    assert (released / ".stance-release").is_file()  # the marker must not disturb loading
    gold = load_dataset(str(released))
    assert {s: len(gold[s]) for s in gold} == split_rows(released)
    assert gold["test"].features["stance"].names == ["support", "oppose", "neutral"]
    row = gold["test"][0]
    assert row["source"] == "seed" and row["annotators"] == ["annotator_01"]
    offset = row["mentions"][0]["start"] - row["start"]  # mentions are document offsets
    assert row["sentence"][offset:].startswith(row["mentions"][0]["text"])
    assert {"actor", "claim", "mentions", "start", "end", "doc_id", "source"} <= set(row)
    raw = load_dataset(str(released), "annotations")
    assert list(raw) == ["train"] and len(raw["train"]) == 54
    assert raw["train"].features["stance"].names == ["support", "oppose", "neutral"]
    assert set(raw["train"]["annotator"]) == {"annotator_01"}  # "core" never leaves the project
    assert "core" not in (released / "README.md").read_text()


def test_card_metadata_follows_hub_conventions(released: Path) -> None:
    from huggingface_hub import DatasetCard

    meta, body = read_card(released)
    assert meta["task_categories"] == ["text-classification"]
    assert meta["task_ids"] == ["multi-class-classification"]
    assert "stance-detection" in meta["tags"] and meta["language"] == ["en"]
    assert meta["size_categories"][0] in SIZE_CATEGORIES
    assert (
        meta["license"] == "other" and meta["license_name"] and (released / "LICENSE.md").exists()
    )
    for key in ("pretty_name", "annotations_creators", "source_datasets"):
        assert meta[key]
    default = next(i for i in meta["dataset_info"] if i["config_name"] == "default")
    stance = next(f for f in default["features"] if f["name"] == "stance")
    assert stance["dtype"]["class_label"]["names"] == {
        "0": "support",
        "1": "oppose",
        "2": "neutral",
    }
    assert {s["name"]: s["num_examples"] for s in default["splits"]} == split_rows(released)
    card = DatasetCard((released / "README.md").read_text())  # the Hub client parses it
    assert card.data.pretty_name == meta["pretty_name"]
    # The Hub serves the metadata as JSON: nothing YAML-only (dates, tuples) may slip in.
    assert json.loads(json.dumps(meta)) == meta
    for section in (
        "## Dataset Description",
        "### Dataset Summary",
        "## How to load",
        "## Uses",
        "### Direct Use",
        "### Out-of-Scope Use",
        "## Dataset Structure",
        "### Configs",
        "### Fields",
        "### Label definitions",
        "### Splits",
        "## Dataset Creation",
        "### Curation Rationale",
        "### Source Data",
        "#### Data Collection and Processing",
        "#### Who are the source data producers?",
        "### Annotations",
        "#### Annotation process",
        "#### Who are the annotators?",
        "### Personal and Sensitive Information",
        "## Baselines and model results",
        "## Bias, Risks, and Limitations",
        "### Recommendations",
        "## License",
        "## Citation",
        "## Contact",
    ):
        assert f"\n{section}\n" in body, section
    # Every constructed record is one sentence: the card counts them all.
    written = sum(
        len(f.read_text(encoding="utf-8").splitlines())
        for f in (released.parent / "data/constructed").glob("*.jsonl")
    )
    assert (
        f"26 sentences from real source documents and {written} sentences marked "
        "`source: constructed`"
    ) in body
    assert (
        f"In all: 26 sentences from 2 real source documents, and {written} sentences written"
        in body
    )
    assert "dataset DVC hash (MD5)" in body and "Built from git commit" in body
    assert "Agreement: unknown." in body  # no item was labelled twice
    # release_project's stand-in metrics: release refuses to build a card without them.
    assert "Grouped cross-validation on the training rows" in body
    assert "{{ " not in body and "{%" not in body and "[More Information Needed]" not in body
    assert body.endswith("\n") and body.rsplit("\n## ", 1)[-1].startswith("Contact\n")


def test_publish_dry_run_lists_the_plan(released: Path, cli) -> None:
    result = cli("publish", "--repo-id", "my-lab/stance")
    assert result.exit_code == 0
    out = result.output
    assert "Would upload to https://huggingface.co/datasets/my-lab/stance:" in out
    assert "  data/test-00000-of-00001.parquet  " in out and "  README.md  " in out
    n = split_rows(released)
    assert (
        f"config default: train {n['train']}, validation {n['validation']}, test {n['test']}" in out
    )
    assert out.strip().endswith("Nothing uploaded: add --yes to publish.")


def test_publish_uploads_exactly_the_folder(
    released: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def fake_upload(folder, repo_id, token, private, revision):
        calls.append(
            {
                # upload() leaves the marker out (test_release_output.py checks it).
                "files": sorted(
                    str(p.relative_to(folder))
                    for p in folder.rglob("*")
                    if p.is_file() and p.name != ".stance-release"
                ),
                "repo_id": repo_id,
                "token": token,
                "private": private,
                "revision": revision,
            }
        )
        return "https://huggingface.co/datasets/my-lab/stance/commit/abc"

    monkeypatch.setattr(publish_mod, "upload", fake_upload)
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.setenv("HF_TOKEN", "hf_secret_token_value")
    result = cli(
        "publish", "--repo-id", "my-lab/stance", "--private", "--revision", "v1.0", "--yes"
    )
    assert result.exit_code == 0, result.output
    assert calls == [
        {
            "files": [
                "LICENSE.md",
                "README.md",
                "annotations/train-00000-of-00001.parquet",
                "data/test-00000-of-00001.parquet",
                "data/train-00000-of-00001.parquet",
                "data/validation-00000-of-00001.parquet",
            ],
            "repo_id": "my-lab/stance",
            "token": "hf_secret_token_value",
            "private": True,
            "revision": "v1.0",
        }
    ]
    assert "hf_secret_token_value" not in result.output
    assert (
        result.output.strip()
        == "published my-lab/stance: https://huggingface.co/datasets/my-lab/stance/commit/abc"
    )


def test_publish_failures(
    released: Path, cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def boom(folder, repo_id, token, private, revision):
        raise ConnectionError(f"could not reach the Hub with token {token}")

    monkeypatch.setattr(publish_mod, "upload", boom)
    result = cli(
        "publish", "--repo-id", "my-lab/stance", "--yes"
    )  # HF_HUB_OFFLINE=1 from the fixture
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "Error: HF_HUB_OFFLINE is set: unset it to publish (nothing was uploaded)"
    )
    monkeypatch.delenv("HF_HUB_OFFLINE")
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty"))  # no token file either
    result = cli("publish", "--repo-id", "my-lab/stance", "--yes")
    assert result.output.strip().startswith("Error: no Hugging Face token: set HF_TOKEN")
    monkeypatch.setenv("HF_TOKEN", "hf_abcdefgh")
    result = cli("publish", "--repo-id", "my-lab/stance", "--yes")
    assert result.exit_code == 1
    line = result.output.strip()
    assert line.startswith(
        "Error: upload to my-lab/stance failed (ConnectionError: could not reach"
    )
    assert "hf_abcdefgh" not in line and "***" in line and "\n" not in line
    assert "expected ORG/NAME" in cli("publish", "--repo-id", "stance").output


def test_publish_without_release(project: Path, cli) -> None:
    result = cli("publish", "--repo-id", "my-lab/stance")
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "Error: release: no release here: run `stance release` (or `dvc repro`) first"
    )


def test_broken_card_is_refused(released: Path, cli) -> None:
    text = (released / "README.md").read_text()
    meta, body = read_card(released)
    meta["size_categories"] = ["tiny"]
    (released / "README.md").write_text("---\n" + yaml.safe_dump(meta) + "---\n" + body)
    result = cli("publish", "--repo-id", "my-lab/stance")
    assert result.exit_code == 1 and "size_categories ['tiny'] is not a Hub bin" in result.output
    (released / "README.md").write_text(text)
    (released / "data/test-00000-of-00001.parquet").unlink()
    result = cli("publish", "--repo-id", "a/b")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: release/README.md: config default names missing data/test-00000-of-00001.parquet"
    )
