"""End to end: `dvc repro` in a fresh copy of the repository rebuilds the pipeline's outputs."""

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd

from tests.conftest import copy_run, read_jsonl, run_in


def test_dvc_repro_from_a_fresh_clone(pipeline_run: Path) -> None:
    cands = read_jsonl(pipeline_run / "data/interim/candidates.jsonl")
    assert len(cands) > 400 and {"PRK", "RUS", "USA"} <= {c["actor"] for c in cands}
    again = run_in(["dvc", "status"], pipeline_run)
    assert "up to date" in again.stdout, again.stdout
    metrics = json.loads((pipeline_run / "reports/metrics.json").read_text())
    assert metrics["splits"]["test"]["model"]["rows"] > 0
    assert (pipeline_run / "models/model.card.json").exists()
    assert (pipeline_run / "release/README.md").exists()


def test_an_experiment_reruns_only_what_its_parameter_affects(
    pipeline_run: Path, tmp_path: Path
) -> None:
    # On a copy: the shared run's outputs stay as `dvc repro` made them for the other tests.
    clone = copy_run(pipeline_run, tmp_path / "clone")
    # Up to the train stage, the cheapest model kind and two folds (no choice by CV, few fits):
    # a short rerun; C is the parameter under test. The stages before train must not rerun.
    settings = ["train.logreg.C=0.5", "train.model=plain", "train.cv_folds=2"]
    exp = run_in(["dvc", "exp", "run", "train", *(f"-S{s}" for s in settings)], clone)
    assert exp.returncode == 0, exp.stdout + exp.stderr
    assert "Running stage 'train'" in exp.stdout and "Running stage 'ingest'" not in exp.stdout
    assert "Running stage 'build'" not in exp.stdout
    status = run_in(["dvc", "status"], clone)
    assert "evaluate" in status.stdout and "changed deps" in status.stdout  # what is now stale
    card = json.loads((clone / "models/model.card.json").read_text())
    assert card["params"]["logreg"]["C"] == 0.5


def test_default_training_uses_the_train_split_only(pipeline_run: Path) -> None:
    card = json.loads((pipeline_run / "models/model.card.json").read_text())
    assert card["data"]["source"].endswith("(split=train)")
    assert card["data"]["sources"] == {"constructed": card["data"]["rows"]}  # never a seed row


def test_evaluate_reports(pipeline_run: Path) -> None:
    reports = pipeline_run / "reports"
    metrics = json.loads((reports / "metrics.json").read_text())
    test = metrics["splits"]["test"]
    assert set(test) == {"model", "majority", "cue_rules", "plain_baseline"}
    held = [metrics["subsets"][s]["model"]["rows"] for s in metrics["subsets"]]
    assert test["model"]["rows"] + metrics["splits"]["validation"]["model"]["rows"] == sum(held)
    assert len(test["model"]["macro_f1_ci95"]) == 2
    assert set(metrics["subsets"]) >= {"seed", "heldout_same", "heldout_other"}
    assert metrics["subsets"]["seed"]["model"]["rows"] == 54
    # The model is better than both baselines on the held-out test split.
    assert test["model"]["macro_f1"] > test["cue_rules"]["macro_f1"] > test["majority"]["macro_f1"]
    rows = metrics["trained_on"]["rows"]
    assert metrics["cv"]["folds"] == 5 and metrics["trained_on"]["sources"] == {"constructed": rows}
    assert {p["fraction"] for p in metrics["learning_curve"]} >= {0.5, 1.0}
    # No share of the training data is dropped silently: a point or a note for each.
    noted = {float(n.split()[1]) for n in metrics["learning_curve_notes"]}
    assert {p["fraction"] for p in metrics["learning_curve"]} | noted == {0.1, 0.25, 0.5, 0.75, 1.0}
    # Real text, team-written text and the generalisation figures are kept apart.
    assert set(metrics["by_origin"]) >= {"real_text", "team_written"}
    # The five real-news error kinds have their own held-out sets, each scored three ways.
    kinds = {"denial", "accuser", "reaction", "nostance", "accuserdenied"}
    team = metrics["by_origin"]["team_written"]
    assert {f"heldout_{k}" for k in kinds} <= set(team)
    for name, figures in team.items():
        assert set(figures) == {"model", "majority", "cue_rules", "plain_baseline"}, name
    # On real text the shipped model must beat the plain word+char TF-IDF baseline.
    for name, figures in metrics["by_origin"]["real_text"].items():
        assert figures["model"]["macro_f1"] > figures["plain_baseline"]["macro_f1"], name
    assert set(metrics["ablations"]["roles"]) == {"registry", "text", "none"}
    loco = metrics["leave_one_claim_out"]
    assert loco["claims"] >= 10 and len(loco["per_claim"]) == loco["claims"]
    assert loco["min_macro_f1"] <= loco["mean_macro_f1"] <= 1
    for name in ("confusion.png", "confusion.csv", "errors.csv", "learning_curve.csv"):
        assert (reports / name).stat().st_size > 0
    errors = pd.read_csv(reports / "errors.csv")
    assert (errors["stance"] != errors["pred"]).all()
    assert list(pd.read_csv(reports / "confusion.csv").columns) == ["actual", "predicted"]


def output_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under the pipeline's git-ignored outputs."""
    out = {}
    for top in ("data/interim", "data/processed", "models", "release"):
        for path in sorted((root / top).rglob("*")):
            if path.is_file():
                out[path.relative_to(root).as_posix()] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return out


def test_running_the_stages_again_gives_the_same_bytes(pipeline_run: Path, tmp_path: Path) -> None:
    """The model archive, its card and the release folder used to change on every run (ids and
    times inside), so dvc.lock changed too and DVC could never agree across machines."""
    clone = copy_run(pipeline_run, tmp_path / "clone")
    # What the first run wrote, committed: `git status` then shows any byte a rerun changes in
    # dvc.lock and reports/; the git-ignored outputs are compared by hash.
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    assert run_in([*git, "add", "-A"], clone).returncode == 0
    assert run_in([*git, "commit", "-qm", "first run"], clone).returncode == 0
    before = output_hashes(clone)
    assert {"models/model.skops", "models/model.card.json", "release/.stance-release"} <= set(
        before
    )
    # The stages whose outputs held ids and times; the others never did, and rerunning them
    # all would double the slowest test of the suite.
    again = run_in(["dvc", "repro", "--force", "--single-item", "train", "release"], clone)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Running stage 'train'" in again.stdout
    assert run_in(["git", "status", "--porcelain"], clone).stdout == ""
    assert output_hashes(clone) == before


# What docs/pipeline.md tells a user without git to run (tests/test_docs.py checks it says so).
NO_SCM = ["dvc", "config", "--local", "core.no_scm", "true"]


def test_dvc_repro_without_git(pipeline_run: Path, tmp_path: Path) -> None:
    """A copy without .git (a tarball, `git archive`) runs the pipeline once DVC is told that
    there is no git (docs/pipeline.md: without git); the release then records no commit."""
    copy = copy_run(pipeline_run, tmp_path / "unpacked", ignore=shutil.ignore_patterns(".git"))
    setting = run_in(NO_SCM, copy)
    assert setting.returncode == 0, setting.stderr
    status = run_in(["dvc", "status"], copy)
    assert status.returncode == 0 and "up to date" in status.stdout, status.stdout + status.stderr
    release = run_in(["dvc", "repro", "--force", "--single-item", "release"], copy)
    assert release.returncode == 0, release.stdout + release.stderr
    assert "commit unknown" in release.stdout
    assert "up to date" in run_in(["dvc", "status"], copy).stdout
