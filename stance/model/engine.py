"""`stance predict` over partitioned tables, in this process or on a Dask cluster.

The input (a table file, a folder of parts or a glob) is cut into parts: each file, and each
run of row groups of a large Parquet file (stance.core.tables.table_parts). One task per part
reads it in batches, predicts, and writes its own Parquet part into a new folder beside the
output, which replaces the output only when every part is written (stance.core.files.
replace_folder): the client never holds the rows, and memory per worker follows the batch.

The model travels as its bytes, read and checked once here and sent once to every worker;
each worker checks them against the card's SHA-256 (and the versions and archive bounds, as
`persist.load` does) before loading them, once, and keeps the loaded pipeline for the next
parts. A fitted pipeline is never pickled across the wire.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from stance.core.engine import session
from stance.core.errors import InputError, StanceError
from stance.core.files import check_folder_output, replace_folder
from stance.core.tables import FORMATS, Part, TableWriter, iter_part, table_parts
from stance.model.persist import loads_checked, read_checked
from stance.model.predict import _predict_batch

MARKER = ".stance-predict"  # lists the parts, so a later run may replace this folder
COMMAND = "stance predict"
PART_ROWS = 100_000

_LOADED: dict[str, Any] = {}  # card SHA-256 -> pipeline: one model per worker process
_LOCK = threading.Lock()


class PartsResult(NamedTuple):
    rows: int
    parts: int
    workers: int
    loads: int  # how many times a worker loaded the model (at most once per worker)
    defaulted: int = 0  # rows that named no claim and were given the default


def worker_model(path: Path, data: bytes, card: dict[str, Any]) -> tuple[Any, bool]:
    """The Predictor for these bytes, loaded on first use in this process after checking them
    against the card; (predictor, whether this call loaded it)."""
    sha = str(card.get("sha256"))
    with _LOCK:  # a worker with several threads still loads once
        predictor = _LOADED.get(sha)
        if predictor is not None:
            return predictor, False
        predictor = loads_checked(path, data, card)
        _LOADED.clear()  # a new model replaces the old one: memory stays flat
        _LOADED[sha] = predictor
        return predictor, True


def predict_part(
    job: tuple[int, Part],
    model: Path,
    data: bytes,
    card: dict[str, Any],
    folder: Path,
    batch_size: int,
    claim: str | None = None,
) -> tuple[int, bool, int]:
    """One task: predict a part into `folder/part-NNNNN.parquet`; (rows, model loaded here,
    rows given the default `claim`). Errors name the part's file and the row within it."""
    index, part = job
    predictor, loaded = worker_model(model, data, card)
    rows = defaulted = 0
    try:
        with contextlib.ExitStack() as stack:
            writer: TableWriter | None = None
            for batch in iter_part(part, batch_size, "--input"):
                if writer is None:  # an empty part writes no file
                    # parents=False: if the run failed and its folder is gone, write nothing
                    out = TableWriter(folder / f"part-{index:05d}.parquet", parents=False)
                    writer = stack.enter_context(out)
                done = _predict_batch(predictor, batch, part.path, part.first_row + rows, claim)
                writer.write(done)
                rows, defaulted = rows + len(batch), defaulted + done.attrs["defaulted"]
    except StanceError:
        raise
    except Exception as exc:  # pyarrow and pandas raise many kinds; name the part
        raise InputError(f"{part}: {type(exc).__name__}: {str(exc).splitlines()[0]}") from None
    return rows, loaded, defaulted


def check_parts_output(output: Path) -> None:
    if output.suffix.lower() in FORMATS and output.suffix.lower() != ".parquet":
        raise InputError(
            f"--output {output}: a partitioned output is a folder of Parquet parts; "
            f"give a folder name (e.g. predicted/)"
        )
    check_folder_output(output, MARKER, COMMAND, "--output")


def predict_parts(
    model: Path,
    source: Path,
    output: Path,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
    batch_size: int = 10_000,
    part_rows: int = PART_ROWS,
    progress: bool = True,
    claim: str | None = None,
) -> PartsResult:
    """Predict every row of `source` (file, folder of parts or glob) into the folder `output`,
    one Parquet part per input part, on `engine` (stance.core.engine.session)."""
    from tqdm import tqdm

    # Everything that needs neither the model nor a cluster is checked first.
    parts = table_parts(source, "--input", part_rows)
    check_parts_output(output)
    data, card = read_checked(model)
    sizes = [p.rows for p in parts]
    total = None if None in sizes else sum(n or 0 for n in sizes)
    bar = tqdm(
        total=total,
        unit="rows",
        disable=None if progress else True,
        leave=False,
        file=sys.stderr,
        mininterval=0.5,
    )
    with session(engine, scheduler, workers) as runner, bar:

        def build(folder: Path) -> tuple[int, int, int]:
            shipped = runner.scatter(data)
            jobs = list(enumerate(parts))
            if engine != "local":
                # A cluster's worker runs in its own directory, maybe on another machine: it
                # finds (on a shared file system) only what is named from the root.
                folder = Path(os.path.abspath(folder))
                jobs = [(i, replace(p, path=Path(os.path.abspath(p.path)))) for i, p in jobs]
            rows = loads = defaulted = 0
            try:
                for call in runner.map(
                    predict_part, jobs, model, shipped, card, folder, batch_size, claim
                ):
                    n, loaded, nd = call()
                    rows, loads, defaulted = rows + n, loads + loaded, defaulted + nd
                    bar.update(n)
            except BaseException:
                runner.cancel()
                raise
            if rows == 0:
                raise InputError(f"--input {source}: no rows")
            return rows, loads, defaulted

        rows, loads, defaulted = replace_folder(output, build, MARKER, COMMAND, "--output")
        return PartsResult(rows, len(parts), runner.workers, loads, defaulted)
