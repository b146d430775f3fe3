"""The engines: `--engine dask` gives the rows, labels and scores of the local engine, on a
LocalCluster, whatever the partitioning; the model travels as checked bytes; failures name the
part and the row; partitioned outputs appear whole or not at all."""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from stance.core.engine import MISSING, EngineError, session
from stance.core.errors import InputError
from stance.core.tables import is_partitioned, table_parts
from stance.model import engine
from stance.model.engine import MARKER, predict_parts, worker_model
from stance.model.persist import ModelError, load_predictor
from stance.model.predict import predict_table
from tests.conftest import ROOT, SEED_A, SEED_B, SEEDS

pytest.importorskip("distributed")

SUBJECTS = ["North Korea", "Pyongyang", "Russia", "the FBI", "Washington", "China", "Seoul"]
VERBS = ["denied any role in", "blamed", "accused", "condemned", "declined to comment on"]


@pytest.fixture(scope="module")
def model(tiny_model: Path) -> Path:
    """The session's tiny model (ROWS * 2 for sony-hack-2014): these tests only read it."""
    return tiny_model


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as c:
        yield c.scheduler_address


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[str]:
    """A cluster of one worker process whose working directory is not the client's (a real
    cluster's workers do not share it): the scheduler's address."""
    import os

    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as c,
        Client(c) as client,
    ):
        client.run(os.chdir, "/")  # the worker process now lives elsewhere
        yield c.scheduler_address


def pairs(n: int) -> pd.DataFrame:
    combos = itertools.cycle(itertools.permutations(SUBJECTS, 2))
    rows = []
    for i in range(n // 2):
        a, b = next(combos)
        verb = VERBS[i % len(VERBS)]
        text = f"{a[0].upper()}{a[1:]} {verb} the attack on {b} on day {i}, officials said."
        rows += [(text, a, "sony-hack-2014"), (text, b, "sony-hack-2014")]
    return pd.DataFrame(rows, columns=["sentence", "actor", "claim"])


def write_parts(folder: Path, frame: pd.DataFrame, sizes: list[int], group: int) -> Path:
    folder.mkdir(parents=True)
    start = 0
    for i, size in enumerate(sizes):
        frame.iloc[start : start + size].to_parquet(
            folder / f"part-{i}.parquet", row_group_size=group
        )
        start += size
    return folder


def compare(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    assert len(got) == len(expected)
    for col in ("sentence", "actor", "claim", "stance", "actor_found"):
        assert got[col].tolist() == expected[col].tolist(), col
    for want, have in zip(expected["scores"], got["scores"], strict=True):
        assert set(want) == set(have)
        assert all(abs(want[k] - have[k]) <= 1e-9 for k in want)


@pytest.fixture(scope="module")
def reference(model: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    """The local engine on one file: today's `stance predict --input x.parquet`."""
    tmp = tmp_path_factory.mktemp("ref")
    frame = pairs(600)
    frame.to_parquet(tmp / "in.parquet", row_group_size=100)
    predictor, _ = load_predictor(model)
    predict_table(predictor, tmp / "in.parquet", tmp / "out.parquet", batch_size=64, progress=False)
    return pd.read_parquet(tmp / "out.parquet"), tmp / "in.parquet"


@pytest.mark.parametrize(
    ("sizes", "group", "part_rows"),
    [([600], 100, 250), ([200, 150, 250], 50, 100), ([1, 299, 300], 1000, 10_000)],
    ids=["one-file-row-groups", "three-files", "uneven-files"],
)
def test_dask_equals_local_whatever_the_partitioning(
    model: Path, cluster: str, reference, tmp_path: Path, sizes, group, part_rows
) -> None:
    expected, _ = reference
    src = write_parts(tmp_path / "in", pairs(600), sizes, group)
    for name, kwargs in {
        "local": {},
        "dask": {"engine": "dask", "scheduler": cluster},
    }.items():
        out = tmp_path / name
        done = predict_parts(
            model, src, out, batch_size=37, part_rows=part_rows, progress=False, **kwargs
        )
        assert done.rows == 600
        compare(expected, pd.read_parquet(out))  # parts read back in name order
        marker = json.loads((out / MARKER).read_text())
        assert marker["files"] == sorted(p.name for p in out.glob("part-*.parquet"))


def test_a_single_file_and_a_glob_are_inputs_too(
    model: Path, cluster: str, reference, tmp_path: Path
) -> None:
    expected, single = reference
    done = predict_parts(
        model, single, tmp_path / "o1", engine="dask", scheduler=cluster, part_rows=200
    )
    assert done.parts == 3  # the file's row groups, cut into parts of at least 200 rows
    compare(expected, pd.read_parquet(tmp_path / "o1"))
    src = write_parts(tmp_path / "in", pairs(600), [300, 300], 300)
    (src / "_SUCCESS").write_text("")  # what Spark leaves: not a part
    predict_parts(model, Path(f"{src}/*.parquet"), tmp_path / "o2", progress=False)
    compare(expected, pd.read_parquet(tmp_path / "o2"))


def test_the_model_is_loaded_once_per_worker(model: Path, cluster: str, tmp_path: Path) -> None:
    engine._LOADED.clear()
    src = write_parts(tmp_path / "in", pairs(400), [100] * 4, 50)
    done = predict_parts(model, src, tmp_path / "o", engine="dask", scheduler=cluster)
    assert (done.parts, done.workers) == (4, 2)
    # processes=False: both workers live in this process, which loads the model once.
    assert done.loads == 1


def test_a_worker_checks_the_bytes_against_the_card(model: Path, cluster: str) -> None:
    from distributed import Client

    data = model.read_bytes()
    card = json.loads(model.with_suffix(".card.json").read_text())
    bad = data[:-1] + bytes([data[-1] ^ 1])
    engine._LOADED.clear()
    with Client(cluster) as client, pytest.raises(ModelError, match="does not match the SHA-256"):
        client.submit(worker_model, model, bad, card, pure=False).result()
    assert card["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_bad_row_names_the_part_and_its_row(model: Path, cluster: str, tmp_path: Path) -> None:
    frame = pairs(300)
    frame.loc[250, "actor"] = ""  # row 51 of the second file
    src = write_parts(tmp_path / "in", frame, [200, 100], 20)
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"part-1\.parquet: row 51: empty 'actor'"):
        predict_parts(model, src, out, engine="dask", scheduler=cluster, part_rows=40)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]  # no half folder left


@pytest.mark.slow
def test_relative_paths_reach_workers_in_another_directory(
    model: Path, reference, elsewhere: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cluster's workers do not share the client's working directory: relative --input and
    --output must still name the same files for them."""
    expected, _ = reference
    write_parts(tmp_path / "in", pairs(600), [300, 300], 300)
    monkeypatch.chdir(tmp_path)
    done = predict_parts(model, Path("in"), Path("out"), engine="dask", scheduler=elsewhere)
    assert done.rows == 600
    compare(expected, pd.read_parquet(tmp_path / "out"))


def test_an_output_is_replaced_only_when_this_command_wrote_it(model: Path, tmp_path: Path) -> None:
    src = write_parts(tmp_path / "in", pairs(100), [50, 50], 50)
    out = tmp_path / "out"
    predict_parts(model, src, out, progress=False)
    predict_parts(model, write_parts(tmp_path / "in2", pairs(40), [40], 40), out, progress=False)
    assert len(pd.read_parquet(out)) == 40
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "in2", "out"]
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="holds notes.txt"):
        predict_parts(model, src, out, progress=False)
    with pytest.raises(InputError, match="not empty and not made by `stance predict`"):
        predict_parts(model, src, src, progress=False)


def test_parts_follow_row_groups(tmp_path: Path) -> None:
    src = write_parts(tmp_path / "in", pairs(500), [300, 200], 100)
    parts = table_parts(src, part_rows=150)
    assert [(p.path.name, p.first_row, p.rows, p.row_groups) for p in parts] == [
        ("part-0.parquet", 0, 200, (0, 1)),
        ("part-0.parquet", 200, 100, (2,)),
        ("part-1.parquet", 0, 200, (0, 1)),
    ]
    assert is_partitioned(src) and is_partitioned(Path("x/*.parquet"))
    assert not is_partitioned(src / "part-0.parquet")
    with pytest.raises(InputError, match="no file matches"):
        table_parts(Path(f"{tmp_path}/none/*.parquet"), "--input")


def test_without_dask_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(EngineError) as err, session("dask"):
        pass
    assert str(err.value) == MISSING and "stance[dask]" in MISSING


def test_an_unreachable_scheduler_is_one_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("stance.core.engine.CONNECT_TIMEOUT_S", 0.5)
    with pytest.raises(EngineError, match="--scheduler tcp://127.0.0.1:1: cannot connect"):
        with session("dask", "tcp://127.0.0.1:1"):
            pass


def test_ingest_on_dask_equals_local(cluster: str, tmp_path: Path) -> None:
    from stance.corpus.ingest import OUTPUTS, ingest

    inputs = [SEEDS / f"{SEED_A}.txt", SEEDS / f"{SEED_B}.txt"]
    inputs += sorted((ROOT / "data/constructed").glob("*.jsonl"))[:2]
    outs = {}
    for name, kwargs in {"local": {}, "dask": {"engine": "dask", "scheduler": cluster}}.items():
        outs[name] = tmp_path / name
        ingest(
            inputs,
            out_dir=outs[name],
            actors_path=ROOT / "data/actors.yaml",
            claims_path=ROOT / "data/claims.yaml",
            claims=["sony-hack-2014"],
            source="imported:test",
            **kwargs,
        )
    for name in OUTPUTS:
        assert (outs["dask"] / name).read_bytes() == (outs["local"] / name).read_bytes(), name
    assert (outs["local"] / "candidates.jsonl").stat().st_size > 0


@pytest.mark.slow
def test_ingest_reaches_workers_in_another_directory(
    elsewhere: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Relative input paths, read by a worker whose working directory is elsewhere, give the
    local engine's outputs byte for byte (records name the files as the user did)."""
    import shutil

    from stance.corpus.ingest import OUTPUTS, ingest

    (tmp_path / "in").mkdir()
    for name in (f"{SEED_A}.txt", f"{SEED_B}.txt"):
        shutil.copy(SEEDS / name, tmp_path / "in" / name)
    monkeypatch.chdir(tmp_path)
    common = {
        "actors_path": ROOT / "data/actors.yaml",
        "claims_path": ROOT / "data/claims.yaml",
        "claims": ["sony-hack-2014"],
    }
    ingest([Path("in")], out_dir=Path("local"), **common)
    ingest([Path("in")], out_dir=Path("dask"), engine="dask", scheduler=elsewhere, **common)
    for name in OUTPUTS:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


@pytest.mark.slow
def test_the_cli_starts_a_local_cluster(model: Path, tmp_path: Path, reference, cli) -> None:
    expected, single = reference
    out = tmp_path / "out"
    result = cli(
        "predict", "--input", str(single), "--output", str(out), "--model", str(model),
        "--engine", "dask", "--workers", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "600 rows in 1 part ->" in result.output and "(dask, 1 worker)" in result.output
    compare(expected, pd.read_parquet(out))
