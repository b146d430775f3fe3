from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stance.cli import app  # first of the stance imports: it sets one BLAS thread

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_A = "000_40f0a603c88ba03e"  # "Sony hack update: Russia calls U.S. threats ..."
SEED_B = "001_9ac04fd3f687a54f"  # "Russia offers support to North Korea amid Sony hack"
# The smallest table a model can be trained on: every label, a few actors, three times over.
TINY_TRAINING = [
    ("North Korea denied any role in the attack.", "PRK", "oppose"),
    ("Moscow said Washington had offered no proof.", "RUS", "oppose"),
    ("The FBI blamed North Korea for the hack.", "USA", "support"),
    ("Britain agreed with the US assessment.", "GBR", "support"),
    ("Sony released the film on Wednesday.", "SONY", "neutral"),
    ("Seoul hosted trade talks.", "KOR", "neutral"),
] * 3


INPUTS = ("seeds", "data", "docs", "params.yaml")


def input_files(names: tuple[str, ...] = INPUTS, root: Path = ROOT) -> list[str]:
    """The project's inputs under `names` as git tracks them, relative to `root`.

    Only tracked files: what using the checkout leaves behind (a `stance serve`'s tokens, an
    annotator's log from a session run here, locks, the derived folders) is not an input, and
    a test that copied it would pass or fail by what someone last ran in the checkout. Outside
    git (an unpacked archive) every file but the dot files and the derived folders.
    """
    out = subprocess.run(
        ["git", "ls-files", "--cached", "-z", "--", *names],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if out.returncode == 0 and out.stdout:
        return [f for f in out.stdout.split("\0") if f and (root / f).is_file()]
    found = []
    for name in names:
        top = root / name
        for f in [top] if top.is_file() else sorted(top.rglob("*")):
            rel = f.relative_to(root)
            skip = {"interim", "processed"} & set(rel.parts)
            if f.is_file() and not skip and not any(p.startswith(".") for p in rel.parts):
                found.append(rel.as_posix())
    return found


def copy_inputs(dest: Path, names: tuple[str, ...] = INPUTS) -> Path:
    """A scratch copy of the project's inputs (`input_files`) in `dest`."""
    for f in input_files(names):
        (dest / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / f, dest / f)
    return dest


def quick_training(root: Path) -> None:
    """Make the project's `stance train` one model kind and two folds (not `auto`: three kinds
    by five folds): tests of retraining while labelling check the loop, not the model choice,
    and a retrain runs at low CPU priority, which a busy machine starves."""
    params = root / "params.yaml"
    text = params.read_text(encoding="utf-8")
    for old, new in (
        ("  model: auto\n", "  model: actor_aware\n"),
        ("  cv_folds: 5\n", "  cv_folds: 2\n"),
    ):
        assert old in text, old
        text = text.replace(old, new, 1)
    params.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch copy of the project's inputs, as the working directory."""
    copy_inputs(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DVC_NO_ANALYTICS", "1")
    return tmp_path


# Fixtures that make a test slow whichever module it is in: a whole `dvc repro` and a Dask
# cluster. Tests that start their own cluster or browser carry the mark themselves.
SLOW_FIXTURES = {"pipeline_run", "cluster"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


# pytest-xdist's worksteal hands each worker one contiguous share of the tests, then moves
# tests from the end of a busy worker's queue to an idle one. So the longest chains go at the
# head of a share each: the shared `dvc repro` and the rerun of its stages on one worker, the
# slowest self-contained tests (each starts processes of its own) and then the two other reruns
# on the other; the short tests behind them balance the two. Only the order changes, never what
# runs.
LANES = (
    (
        "tests/test_pipeline.py::test_dvc_repro_from_a_fresh_clone",
        "tests/test_pipeline.py::test_running_the_stages_again_gives_the_same_bytes",
        "tests/test_pipeline.py::test_default_training_uses_the_train_split_only",
        "tests/test_pipeline.py::test_evaluate_reports",
    ),
    (
        "tests/test_serve_retrain.py::",
        "tests/test_engine.py::test_the_cli_starts_a_local_cluster",
        "tests/test_bad_input.py::test_bad_input[predict-dask-bad-row]",
        "tests/test_annotate_ui.py::test_uncertain_order_shows_the_model_suggestion",
        "tests/test_serve_browser.py::test_the_suggestion_is_preselected_and_enter_accepts_it",
    ),
)
# The two other tests that rerun part of the shared run go halfway down the last share, not at
# its head: by then the run is made, and the worker did not sit waiting for it.
LATER = ("tests/test_pipeline.py::",)


class _Lanes:
    @pytest.hookimpl(trylast=True)  # after `-m`/`-k` deselection: shares of what runs
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
        if workers > 1:
            items[:] = lanes_first(items, workers)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_Lanes(), "stance-lanes")


def lanes_first(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """`items` reordered so each lane's tests start one worker's share (see LANES)."""
    lanes = LANES[:workers]
    taken: set[int] = set()
    heads: list[list[pytest.Item]] = [[] for _ in lanes]
    # Each lane's first test before any lane's wider prefixes (test_pipeline.py:: holds both).
    for rank in range(max(len(lane) for lane in lanes)):
        for k, lane in enumerate(lanes):
            for i, item in enumerate(items):
                if rank < len(lane) and i not in taken and item.nodeid.startswith(lane[rank]):
                    taken.add(i)
                    heads[k].append(item)
    later_at = [i for i, it in enumerate(items) if i not in taken and it.nodeid.startswith(LATER)]
    taken.update(later_at)
    later = [items[i] for i in later_at]
    rest = iter([item for i, item in enumerate(items) if i not in taken])
    out: list[pytest.Item] = []
    remaining = len(items)
    for k in range(workers):
        share = remaining // (workers - k)  # as worksteal's first distribution
        remaining -= share
        lane = heads[k] if k < len(heads) else []
        tail = later if k == len(heads) - 1 else []
        fill = [next(rest, None) for _ in range(max(0, share - len(lane) - len(tail)))]
        fill = [item for item in fill if item is not None]
        out += lane + fill[: len(fill) // 2] + tail + fill[len(fill) // 2 :]
    out += list(rest)
    return out


_INGESTED: dict[tuple[str, ...], Path] = {}


def ingest_here(*args: str) -> None:
    """`stance ingest ARGS` in the scratch project that is the working directory. Its outputs
    are a function of the inputs (the same bytes in every folder), so each ARGS runs once per
    test process and later projects get a copy of data/interim."""
    import tempfile

    interim = Path("data/interim")
    if args in _INGESTED:
        shutil.copytree(_INGESTED[args], interim, dirs_exist_ok=True)
        return
    result = CliRunner().invoke(app, ["ingest", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    keep = Path(tempfile.mkdtemp(prefix="stance-ingested-")) / "interim"
    shutil.copytree(interim, keep)
    atexit.register(shutil.rmtree, keep.parent, ignore_errors=True)
    _INGESTED[args] = keep


@pytest.fixture
def ingested(project: Path) -> Path:
    """The scratch project after `stance ingest` (params.yaml's inputs: seeds and constructed)."""
    ingest_here()
    return project


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, list(args), catch_exceptions=False)

    return invoke


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="session")
def seed_ingest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """The seeds ingested once with the committed registries."""
    from stance.corpus.ingest import ingest

    out = tmp_path_factory.mktemp("interim")
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        ingest(
            [SEEDS],
            out_dir=out,
            actors_path=ROOT / "data/actors.yaml",
            claims_path=ROOT / "data/claims.yaml",
            claims=["sony-hack-2014"],
        )
    finally:
        os.chdir(cwd)
    return {
        name: read_jsonl(out / f"{name}.jsonl") for name in ("documents", "sentences", "candidates")
    }


# --- one real pipeline run, shared ---------------------------------------------------------------
# `dvc repro` in a fresh copy of the repository is the slowest thing the suite does, and several
# tests only read what it produced. They share one run, also across pytest-xdist workers: the
# first worker to need it makes it under a file lock in the session's shared temp folder, the
# others wait for it and read the same outputs.

BIN = Path(sys.executable).parent


def repo_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [f for f in out.stdout.splitlines() if (ROOT / f).is_file()]


def fresh_clone(dest: Path) -> Path:
    """The repository's files as a new git repository with one commit (what a clone gives)."""
    for f in repo_files():
        (dest / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, dest / f)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-qm", "snapshot"], cwd=dest, check=True)
    return dest


def run_in(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1"}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)


HEADLINES = {
    "for": "{claim}: officials confirm the report",
    "against": "{claim} is a hoax, experts say",
    "observing": "Reports claim that {claim}",
}


def tiny_emergent(folder: Path, claims: int = 10, per_label: int = 2) -> Path:
    """Emergent's two CSVs in its own columns, small: every label for every claim."""
    import csv

    from stance.model.emergent import TEST_FILE, TRAIN_FILE

    def write(path: Path, first: int, count: int) -> None:
        columns = ["", "claimHeadline", "articleHeadline", "articleHeadlineStance", "claimId"]
        with path.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh)
            out.writerow(columns)
            for c in range(first, first + count):
                claim = f"Claim number {c} about a celebrity"
                for stance, pattern in HEADLINES.items():
                    for n in range(per_label):
                        headline = pattern.format(claim=claim) + (f" (update {n})" if n else "")
                        out.writerow([c, claim, headline, stance, f"c{c}"])

    folder.mkdir(parents=True, exist_ok=True)
    write(folder / TRAIN_FILE, 0, claims)
    write(folder / TEST_FILE, claims, max(2, claims // 3))
    return folder


def beside_shared(clone: Path) -> Path:
    """A small Emergent data set where params.yaml `emergent.data` looks from `clone`
    (../shared/benchmarks/emergent, as on CI): the stage's behaviour, not the real figure."""
    return tiny_emergent(clone.parent / "shared/benchmarks/emergent")


def copy_run(run: Path, dest: Path, **options: Any) -> Path:
    """A copy of the shared pipeline run, with the same shared folder beside it."""
    shutil.copytree(run, dest, symlinks=True, **options)
    shared = dest.parent / "shared"
    if not shared.exists():
        shared.symlink_to(run.parent / "shared", target_is_directory=True)
    return dest


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A fresh clone after `dvc repro`: every stage's outputs, made once per test run."""
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent  # the folder every worker's base temp lives in
    clone, failed = shared / "pipeline" / "clone", shared / "pipeline" / "failed.txt"
    with FileLock(str(shared / "pipeline.lock")):
        if not clone.exists() and not failed.exists():
            fresh_clone(clone)
            beside_shared(clone)
            result = run_in(["dvc", "repro"], clone)
            if result.returncode != 0:
                failed.write_text(result.stdout + result.stderr, encoding="utf-8")
    assert not failed.exists(), failed.read_text(encoding="utf-8")
    return clone


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`stance train` on ROWS * 2, run once per test process; tests get copies (`trained`)."""
    from tests.test_model import ROWS, table

    root = tmp_path_factory.mktemp("tiny-model")
    copy_inputs(root, ("data", "params.yaml"))
    path = table(root, ROWS * 2)
    cwd = os.getcwd()
    os.chdir(root)
    # As tests/test_reproducible.py trains in a subprocess: the two must give the same bytes.
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        try:
            args = ["train", "--data", path.name, "--model-out", "models/m.skops"]
            result = CliRunner().invoke(app, args, catch_exceptions=False)
        finally:
            os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return root / "models/m.skops"


@pytest.fixture
def trained(project: Path, tiny_model: Path) -> Path:
    """The tiny model, copied into this test's project (tests tamper with it)."""
    from stance.model.persist import card_path

    (project / "models").mkdir(exist_ok=True)
    for src in (tiny_model, card_path(tiny_model)):
        shutil.copy(src, project / "models" / src.name)
    return project / "models/m.skops"


# --- one release, shared ------------------------------------------------------------------------
# Ingest, build, agreement and release take seconds, and some thirty tests start from a released
# project and change it: each process builds it once and every test gets its own copy.


def release_project(project: Path, cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Ingest, build, agreement and release in the scratch project; returns the release folder."""
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    shutil.copytree(ROOT / "data/constructed", project / "data/constructed", dirs_exist_ok=True)
    for step in (
        ("ingest", "seeds", "data/constructed"),
        ("build",),
        ("agreement", "--samples", "20"),
    ):
        result = cli(*step)
        assert result.exit_code == 0, result.output
    # The figures `stance evaluate` would write, without its minutes of fitting: release
    # refuses to build a card without them.
    (project / "reports/metrics.json").write_text(
        '{"cv": {"mean": null, "std": null, "folds": 0}, "splits": {}, "subsets": {}}\n'
    )
    result = cli("release")
    assert result.exit_code == 0, result.output
    return project / "release"


@pytest.fixture(scope="session")
def released_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project after `release_project`, made once per test process (tests get copies)."""
    root = tmp_path_factory.mktemp("released")
    copy_inputs(root)
    runner = CliRunner()
    cwd = os.getcwd()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DVC_NO_ANALYTICS", "1")
        os.chdir(root)
        try:
            release_project(
                root,
                lambda *args: runner.invoke(app, list(args), catch_exceptions=False),
                tmp_path_factory.mktemp("released-hf"),
                mp,
            )
        finally:
            os.chdir(cwd)
    return root


@pytest.fixture
def released(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, released_project: Path
) -> Path:
    """This test's own copy of the released project, as the working directory."""
    shutil.copytree(released_project, project, symlinks=True, dirs_exist_ok=True)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return project / "release"
