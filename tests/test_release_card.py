"""The dataset card: its template, its YAML features read back by `datasets`, its figures."""

import json
import re
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from stance.release.layout import features, yaml_features
from tests.conftest import ROOT, release_project

TEMPLATE = ROOT / "stance/release/templates/dataset_card.md.j2"


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


def test_the_template_uses_only_what_the_context_gives(released: Path) -> None:
    import jinja2
    from jinja2 import meta

    from stance.release.build import annotation_rows, default_rows, pseudonyms
    from stance.release.card import card_context
    from stance.release.layout import ReleasePaths

    paths = ReleasePaths()
    names = pseudonyms(paths.annotations)
    frame, notes = default_rows(paths, names), annotation_rows(paths, names)
    summary = {
        "splits": {},
        "annotations": {},
        "provenance": {},
        "by_source": {},
        "annotators": 1,
        "adjudicators": 0,
    }
    given = set(card_context(frame, notes, summary, paths)) | {"card_data", "pretty_name"}
    # from_template renders with a plain jinja2.Template: a misspelt name renders as nothing.
    used = meta.find_undeclared_variables(jinja2.Environment().parse(TEMPLATE.read_text()))
    assert used <= given, used - given


def test_no_date_is_written_by_hand() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    years = re.findall(r"\b(?:19|20)\d\d\b", text)
    assert years == ["2016"]  # the Emergent paper's reference, not a fact about this release
    source = (ROOT / "stance/release/card.py").read_text(encoding="utf-8")
    assert not re.search(r"\b(?:19|20)\d\d\b", source)


def test_citation_year_and_newest_label_come_from_the_labels(released: Path) -> None:
    from stance.release.build import annotation_rows, build_release, default_rows, pseudonyms
    from stance.release.card import render_card
    from stance.release.layout import ReleasePaths

    summary = build_release(Path("again"))
    paths = ReleasePaths()
    names = pseudonyms(paths.annotations)
    frame, notes = default_rows(paths, names), annotation_rows(paths, names)
    notes["annotated_at"] = "2031-05-01T09:00:00Z"
    text = render_card(frame, notes, summary, paths)
    assert "  year   = {2031}," in text and "; newest label 2031-05-01." in text
    import datetime as dt

    notes = notes.iloc[0:0]  # no human label at all: the build's year
    text = render_card(frame, notes, summary, paths)
    assert f"  year   = {{{dt.datetime.now(dt.UTC).year}}}," in text
    assert "newest label" not in text


def test_real_and_constructed_figures_are_in_separate_tables(released: Path, cli) -> None:
    def trio(rows: int, f1: float) -> dict:
        return {
            "model": {"rows": rows, "macro_f1": f1, "macro_f1_ci95": [f1 - 0.1, f1 + 0.05]},
            "majority": {"rows": rows, "macro_f1": 0.2},
            "cue_rules": {"rows": rows, "macro_f1": 0.5},
        }

    metrics = {
        "cv": {"mean": 0.8, "std": 0.04, "folds": 5},
        "splits": {"test": trio(167, 0.81), "validation": trio(73, 0.79)},
        "subsets": {
            "seed": trio(54, 0.74),
            "heldout_same": trio(65, 0.88),
            "heldout_other": trio(48, 0.82),
            "train_news": trio(22, 0.86),
        },
    }
    (Path("reports")).mkdir(exist_ok=True)
    Path("reports/metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    result = cli("release")
    assert result.exit_code == 0, result.output
    body = (released / "README.md").read_text()
    real = body.split("### On real text", 1)[1].split("###", 1)[0]
    written = body.split("### On text the team wrote", 1)[1].split("\n## ", 1)[0]
    table = re.compile(r"^\| (\w+) \((split|subset)\) \| (\d+) \|", re.M)
    assert table.findall(real) == [("seed", "subset", "54")]
    assert table.findall(written) == [
        ("heldout_same", "subset", "65"),
        ("heldout_other", "subset", "48"),
        ("validation", "split", "73"),
    ]
    assert "| seed (subset) | 54 | 0.740 (0.640-0.790) | 0.200 | 0.500 |" in real
    assert "Not shown as one figure: the `test` split, which mixes both kinds" in written
    assert "(source `constructed`): macro-F1 0.800 (± 0.040, 5 folds)" in written


def test_the_template_ships_with_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["stance"]
    shipped = TEMPLATE.relative_to(ROOT / "stance").as_posix()
    assert any(fnmatch(shipped, pattern) for pattern in patterns), patterns
    assert any(d.startswith("jinja2") for d in config["project"]["dependencies"])


def test_the_card_counts_written_labels_people_confirmed_and_changed(
    project: Path, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_dataset import constructed, label

    assert cli("ingest").exit_code == 0
    notes = project / "data/annotations"
    label(notes, "ann", constructed(project, "train_sony-001", "USA"), "support")  # as written
    label(notes, "ann", constructed(project, "train_sony-001", "PRK"), "oppose")  # neutral
    label(notes, "bo", constructed(project, "train_sony-001", "PRK"), "oppose")
    label(notes, "ann", constructed(project, "train_sony-002", "USA"), "neutral")  # support
    text = (release_project(project, cli, tmp_path, monkeypatch) / "README.md").read_text()
    written = json.loads((project / "reports/build.json").read_text())["constructed"]["written"]
    assert (
        f"Of the {written} labels written with constructed sentences, 3 were also labelled by "
        f"people: 1 confirmed, 1 changed, 1 waiting for adjudication (left out until decided)"
    ) in text
    assert "the writer counts as one voter beside the annotators, not as a veto" in text


def test_label_definitions_are_numbered_by_class_label_id() -> None:
    from stance.annotation.guidelines import load_guidelines
    from stance.release.card import class_label_ids

    text = class_label_ids(load_guidelines(ROOT / "docs/guidelines.md").summary)
    assert "- `0` `support`: the actor makes" in text
    assert "- `1` `oppose`:" in text and "- `2` `neutral`:" in text
    assert "`3 neutral`" not in text and "`1 support`" not in text
