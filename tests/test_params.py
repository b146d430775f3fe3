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
            "ingest:\n  inputs: [seeds]\n  claims: [x]\n  shingle_size: 5\n  near_duplicate_threshold: 0.5\n"
            "  typo: 1\n",
            "ingest.typo is not a known key",
        ),
        (
            "ingest:\n  inputs: [seeds]\n  claims: [x]\n  shingle_size: 5\n",
            "ingest.near_duplicate_threshold is missing",
        ),
        (
            "ingest:\n  inputs: [seeds]\n  claims: [x]\n  shingle_size: 0\n  near_duplicate_threshold: 0.5\n",
            "ingest.shingle_size = 0: expected an integer >= 1",
        ),
        (
            "ingest:\n  inputs: [seeds]\n  claims: x\n  shingle_size: 5\n  near_duplicate_threshold: 0.5\n",
            "ingest.claims = 'x': expected a non-empty list",
        ),
        (
            "ingest:\n  inputs: []\n  claims: [x]\n",
            "ingest.inputs = []: expected a non-empty list of article files or folders",
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


def test_committed_train_params_are_the_defaults() -> None:
    # The defaults and params.yaml agree: the default model is the logistic regression.
    assert load_params(ROOT / "params.yaml", "train") == defaults("train")
    assert defaults("train")["estimator"] == "logreg"


def train_yaml(**changes: str) -> str:
    """params.yaml with a train section built from the defaults, some lines replaced."""
    import yaml

    train = defaults("train")
    text = yaml.safe_dump({"train": train}, sort_keys=False)
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("alpha: 0.0001", "alpha: -1", "train.sgd.alpha = -1: expected a number > 0"),
        (
            "  C: 1.0\n    class_weight: balanced\n    max_iter: 3000",
            "  C: 0\n    class_weight: balanced\n    max_iter: 3000",
            "train.logreg.C = 0: expected a number > 0",
        ),
        (
            "loss: log_loss",
            "loss: hinge",
            "train.sgd.loss = 'hinge': expected one of log_loss, modified_huber",
        ),
        (
            "estimator: logreg",
            "estimator: forest",
            "train.estimator = 'forest': expected one of logreg, linear_svm, sgd",
        ),
        (
            "calibration_folds: 3",
            "calibration_folds: 1",
            "train.linear_svm.calibration_folds = 1: expected an integer >= 2",
        ),
        (
            "calibration_folds: 3",
            "calibration_folds: 3\n    gamma: 2",
            "train.linear_svm.gamma is not a known key (known: C, class_weight, max_iter, calibration_folds)",
        ),
        ("    penalty: l2\n", "", "train.sgd.penalty is missing (default: 'l2')"),
        (
            "penalty: l2",
            "penalty: true",
            "train.sgd.penalty = True: expected 'l2', 'l1' or 'elasticnet'",
        ),
    ],
)
def test_invalid_train_params(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(train_yaml(**{old: new}), encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(path, "train")
    assert str(err.value) == f"{path}: {message}"


def test_a_nested_section_must_be_a_mapping(tmp_path: Path) -> None:
    import yaml

    train = {**defaults("train"), "sgd": 3}
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump({"train": train}), encoding="utf-8")
    with pytest.raises(ParamsError, match=r"train.sgd = 3: expected a mapping of loss, alpha"):
        load_params(path, "train")
    del train["sgd"]
    path.write_text(yaml.safe_dump({"train": train}), encoding="utf-8")
    with pytest.raises(ParamsError, match=r"train.sgd is missing \(default: \{'loss': 'log_loss'"):
        load_params(path, "train")
