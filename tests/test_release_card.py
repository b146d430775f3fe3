"""The dataset card: its template, its YAML features read back by `datasets`, its figures."""

from pathlib import Path

import pytest

from stance.release.layout import features, yaml_features
from tests.test_release import release_project


@pytest.fixture
def released(project: Path, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return release_project(project, cli, tmp_path, monkeypatch)


@pytest.mark.parametrize("config", ["default", "annotations"])
def test_datasets_reads_the_card_features_back(
    released: Path, config: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datasets

    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf/datasets"))
    builder = datasets.load_dataset_builder(str(released), config)
    assert builder.info.features == features(config)
    # The builder takes the features from the card's dataset_info, not from the Parquet files:
    # rename a label in the card only, and the builder follows it.
    card = released / "README.md"
    card.write_text(card.read_text().replace("'2': neutral", "'2': undecided"))
    renamed = datasets.load_dataset_builder(str(released), config).info.features["stance"]
    assert renamed.names == ["support", "oppose", "undecided"]


def test_yaml_features_layout() -> None:
    from datasets import ClassLabel, Features, List, Value

    feats = Features(
        {
            "text": Value("string"),
            "label": ClassLabel(names=["b", "a"]),
            "tags": List(Value("string")),
            "spans": List({"start": Value("int32"), "text": Value("string")}),
            "meta": {"ok": Value("bool")},
        }
    )
    assert yaml_features(feats) == [
        {"name": "text", "dtype": "string"},
        {"name": "label", "dtype": {"class_label": {"names": {"0": "b", "1": "a"}}}},
        {"name": "tags", "list": "string"},
        {
            "name": "spans",
            "list": [{"name": "start", "dtype": "int32"}, {"name": "text", "dtype": "string"}],
        },
        {"name": "meta", "struct": [{"name": "ok", "dtype": "bool"}]},
    ]
    with pytest.raises(TypeError, match="column 'fixed': no card YAML"):
        yaml_features(Features({"fixed": List(Value("int32"), length=3)}))
