from pathlib import Path

import pytest

from stance.core.errors import ParamsError
from stance.core.params import defaults, load_params
from tests.conftest import ROOT


def test_committed_params_are_valid() -> None:
    assert load_params(ROOT / "params.yaml", "ingest")["claims"] == ["sony-hack-2014"]


def test_no_file_means_defaults() -> None:
    assert load_params(None, "ingest") == defaults("ingest")


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "ingest:\n  claims: [x]\n  shingle_size: 5\n  near_duplicate_threshold: 0.5\n"
            "  typo: 1\n",
            "ingest.typo is not a known key",
        ),
        (
            "ingest:\n  claims: [x]\n  shingle_size: 5\n",
            "ingest.near_duplicate_threshold is missing",
        ),
        (
            "ingest:\n  claims: [x]\n  shingle_size: 0\n  near_duplicate_threshold: 0.5\n",
            "ingest.shingle_size = 0: expected an integer >= 1",
        ),
        (
            "ingest:\n  claims: x\n  shingle_size: 5\n  near_duplicate_threshold: 0.5\n",
            "ingest.claims = 'x': expected a non-empty list",
        ),
        ("ingset: {}\n", "unknown section 'ingset'"),
        ("ingest: [\n", "not valid YAML"),
    ],
)
def test_invalid_params(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(path, "ingest")
    assert str(err.value).startswith(f"{path}: ") and message in str(err.value)
