"""The same inputs and parameters give the same bytes: the model archive and its card (the
release folder: tests/test_release_output.py; a whole `dvc repro`: tests/test_pipeline.py)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from stance.core.errors import StanceError
from stance.model.persist import TRUSTED, card_path, load, save, stable_archive
from tests.conftest import copy_inputs
from tests.test_model import ROWS, table

STANCE = Path(sys.executable).parent / "stance"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow  # a training in a subprocess
def test_two_trainings_give_identical_files(tmp_path: Path, tiny_model: Path) -> None:
    """Two processes with different hash seeds (set and dict orders) in two folders: the
    session's tiny model, trained in this test process, and the same training in another
    process with a hash seed other than this one's."""
    own = os.environ.get("PYTHONHASHSEED")
    seed = "2" if own == "1" else "1"  # unset: this process's hash seed is a random one
    root = copy_inputs(tmp_path / seed, ("data", "params.yaml"))
    table(root, ROWS * 2)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    out = subprocess.run(
        [str(STANCE), "train", "--data", "train.csv", "--model-out", "models/m.skops"],
        cwd=root,
        env={**env, "PYTHONHASHSEED": seed},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    model = root / "models/m.skops"
    assert root != tiny_model.parents[1]
    assert (sha256(model), sha256(card_path(model))) == (
        sha256(tiny_model),
        sha256(card_path(tiny_model)),
    )
    card = json.loads(card_path(model).read_text(encoding="utf-8"))
    assert "trained_at" not in card


def test_the_archive_has_stable_names_and_times_and_loads_checked(trained: Path) -> None:
    import skops.io as sio

    with zipfile.ZipFile(trained) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names[0] == "schema.json"
    arrays = [n for n in names if "/" not in n and n != "schema.json"]
    assert arrays and all(Path(n).stem.isdigit() for n in arrays)  # 1.npy, 2.npy, ...
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert set(sio.get_untrusted_types(file=trained)) <= set(TRUSTED)
    pipe, _ = load(trained)  # the hash, version and trusted-types checks, then skops
    assert set(pipe.classes_) == {"support", "oppose", "neutral"}


def test_shared_objects_stay_shared() -> None:
    """skops restores an object saved twice as one object; renumbering keeps that."""
    import skops.io as sio

    shared = np.arange(5.0)
    obj = {"a": shared, "b": shared, "c": np.ones(3), "blob": b"raw"}
    data = stable_archive(sio.dumps(obj), {"extra/x.bin": b"x"})
    assert data == stable_archive(sio.dumps(obj), {"extra/x.bin": b"x"})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["schema.json", "1.npy", "2.npy", "3.bin", "extra/x.bin"]
    back = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    assert back["a"] is back["b"] and back["blob"] == b"raw"
    np.testing.assert_array_equal(back["c"], np.ones(3))


def test_skops_writes_its_schema_compact_during_a_save_only(trained: Path) -> None:
    """The save lets skops skip the indent (3 s of a real training): the archive is the same
    bytes as from skops's own indented schema, and skops's writer is itself again after a save,
    also after one that failed."""
    import skops.io as sio
    import skops.io._persist as writer

    from stance.model import persist

    pipe, _ = load(trained)
    indented = sio.dumps(pipe)
    assert writer.json is json
    with persist._compact_schema():
        assert writer.json is not json
        compact = sio.dumps(pipe)
    assert writer.json is json
    with zipfile.ZipFile(io.BytesIO(compact)) as a, zipfile.ZipFile(io.BytesIO(indented)) as b:
        assert b"\n" not in a.read("schema.json") and b"\n" in b.read("schema.json")
    assert stable_archive(compact, {}) == stable_archive(indented, {})  # one archive either way
    with pytest.raises(RuntimeError), persist._compact_schema():
        raise RuntimeError("a failed dump")
    assert writer.json is json


def test_source_date_epoch_dates_the_card(tmp_path: Path, monkeypatch) -> None:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression().fit([[0.0], [1.0]], ["a", "b"])
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert "trained_at" not in save(clf, tmp_path / "m.skops", {})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1418947200")
    card = save(clf, tmp_path / "m.skops", {})
    assert card["trained_at"] == "2014-12-19T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(StanceError, match=r"SOURCE_DATE_EPOCH='soon': not a whole number"):
        save(clf, tmp_path / "new.skops", {})
    assert not (tmp_path / "new.skops").exists()  # refused before anything is written
