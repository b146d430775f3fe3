from pathlib import Path

import pytest

from stance.core.errors import ParamsError
from stance.core.params import defaults, load_params
from tests.conftest import ROOT


def test_committed_params_are_valid() -> None:
    assert load_params(ROOT / "params.yaml", "ingest")["claims"] == ["sony-hack-2014"]


def test_a_missing_file_or_section_is_an_error_not_defaults(tmp_path: Path) -> None:
    with pytest.raises(ParamsError, match="no such file"):
        load_params(tmp_path / "params.yaml", "build")
    path = tmp_path / "params.yaml"
    path.write_text("ingest:\n  claims: [x]\n  shingle_size: 5\n  near_duplicate_threshold: 0.5\n")
    with pytest.raises(ParamsError) as err:
        load_params(path, "build")
    assert str(err.value).startswith(f"{path}: no 'build' section; add it (keys: fractions, ")
    assert set(defaults("build")) == {"fractions", "pin_sources", "pin_docs", "seed"}


def test_yaml_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        lines.append(f"{chr(ord('a') + i)}: &{chr(ord('a') + i)} [{', '.join(['*' + prev] * 9)}]")
    lines.append("ingest: {claims: *i, shingle_size: 5, near_duplicate_threshold: 0.5}")
    path = tmp_path / "params.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ParamsError) as err:
        load_params(path, "ingest")
    assert str(err.value) == (
        f"{path}: line 1: YAML anchors and aliases (&, *) are not accepted; write the value out "
        f"in full"
    )


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
