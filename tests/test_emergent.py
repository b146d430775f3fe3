"""The Emergent figure is a pipeline output (stage `emergent` -> reports/emergent.json), read by
the release; its data lives outside the project, where params.yaml `emergent.data` says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stance.model.emergent import TEST_FILE, TRAIN_FILE
from tests.conftest import tiny_emergent
from tests.test_dvc_graph import PARAMS, STAGES, entries


def test_the_stage_reads_the_folder_params_yaml_names() -> None:
    stage = STAGES["emergent"]
    assert PARAMS["emergent"]["data"] in entries(stage, "deps")
    assert stage["params"] == ["emergent", "train"]
    assert "reports/emergent.json" in entries(stage, "metrics")
    assert "reports/emergent.json" in entries(STAGES["release"], "deps")


def test_a_missing_folder_is_one_error_line(project: Path, cli) -> None:
    result = cli("emergent")  # params.yaml's ../shared/benchmarks/emergent: not beside a copy
    assert result.exit_code == 1
    assert result.output.startswith("Error: ../shared/benchmarks/emergent: no such folder: ")
    assert "params.yaml emergent.data" in result.output and result.output.count("\n") == 1
    (project / "half").mkdir()
    (project / "half" / TRAIN_FILE).write_text("x\n", encoding="utf-8")
    result = cli("emergent", "--data", "half")
    assert (
        result.output == f"Error: half/{TEST_FILE}: no such file: the Emergent data is incomplete\n"
    )
    assert not (project / "reports/emergent.json").exists()


def test_a_file_without_emergent_columns_is_refused(project: Path, cli) -> None:
    folder = tiny_emergent(project / "emergent")
    (folder / TRAIN_FILE).write_text("headline,label\nA,for\n", encoding="utf-8")
    result = cli("emergent", "--data", "emergent")
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: emergent/{TRAIN_FILE}: not an Emergent file")


@pytest.mark.slow  # two small trainings with model choice
def test_the_report_is_the_same_bytes_every_run(project: Path, cli) -> None:
    tiny_emergent(project / "emergent")
    first = cli("emergent", "--data", "emergent")
    assert first.exit_code == 0, first.output
    report = project / "reports/emergent.json"
    data = report.read_bytes()
    result = json.loads(data)
    assert result["train_rows"] == 60 and result["test_rows"] == 18
    assert set(result["chosen_vs_plain"]) == {"chosen", "plain", "plain_baseline", "ratio"}
    assert result["model_choice"]["asked"] == "auto" and result["params"]["cv_group"] == "claim"
    assert "seconds" not in result and "machine" not in result  # a function of the inputs
    assert first.output.startswith("Emergent test: accuracy ")
    assert cli("emergent", "--data", "emergent").exit_code == 0
    assert report.read_bytes() == data
