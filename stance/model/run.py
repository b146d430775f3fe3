"""`stance predict` on whichever input it is given: a table (locally, or part by part on an
engine), or a raw text (returned as rows or written to a table). The command line only checks
its options and prints what this returns."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from stance.core.tables import TableWriter, table_format
from stance.model.persist import load_predictor
from stance.model.predict import predict_table, predict_text, row_claim


class Predicted(NamedTuple):
    """What `predict` did: the rows of a raw text when nothing was written (for stdout), a
    summary of what was written, and the claim rows without one were given."""

    rows: list[dict[str, Any]]
    written: str | None  # "N rows -> OUTPUT ..." when an output was written
    claim: dict[str, str]  # the claim used for rows naming none (row_claim)
    defaulted: int  # how many rows were given it
    source: str  # what those rows came from: the input path, or "the text"
    notes: list[str] = []  # how claims given as text were resolved (stance.model.claim_use)


def predict(
    model: Path,
    *,
    text: str | None = None,
    text_file: Path | None = None,
    table: Path | None = None,
    output: Path | None = None,
    claim: str | None = None,
    batch_size: int = 10_000,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
) -> Predicted:
    """Predict one input, whichever it is: a table (`table` into `output`; part by part on an
    engine when the table is partitioned or the engine is not local), else a raw text (`text`
    or the file `text_file`), returned as rows or written to `output`. Options are checked by
    the caller (stance.cli.model); `claim` is resolved before any row is read."""
    from stance.core.tables import is_partitioned

    if table is not None and output is not None:
        predictor, card = load_predictor(model)
        used = row_claim(predictor, card, claim)  # before a cluster starts or a row is read
        if engine != "local" or is_partitioned(table):
            from stance.model.engine import predict_parts

            done = predict_parts(
                model,
                table,
                output,
                engine=engine,
                scheduler=scheduler,
                workers=workers,
                batch_size=batch_size,
                claim=used["claim"],
            )
            summary = (
                f"{done.rows} rows in {done.parts} part{'s' * (done.parts != 1)} -> {output}/ "
                f"({engine}, {done.workers} worker{'s' * (done.workers != 1)})"
            )
            return Predicted([], summary, used, done.defaulted, str(table), [used["note"]])
        run = predict_table(predictor, table, output, batch_size, claim=used["claim"])
        notes = [used["note"], *run.notes]
        return Predicted([], f"{run.rows} rows -> {output}", used, run.defaulted, str(table), notes)
    if output is not None:
        table_format(output, "--output")  # before any work: the format follows the suffix
    if text_file is not None:
        from stance.corpus.readers import text_of_file

        text = text_of_file(text_file)
        if not text.strip():
            from stance.core.errors import InputError

            raise InputError(
                f"--text-file {text_file}: no text to predict; give a sentence naming an actor"
            )
    predictor, card = load_predictor(model)
    used = row_claim(predictor, card, claim)
    notes = [used["note"]]
    where = "TEXT" if text_file is None else f"--text-file {text_file}"
    rows = predict_text(predictor, text or "", used["claim"], notes, where)
    defaulted = 0 if claim else len(rows)
    if output is None:
        return Predicted(rows, None, used, defaulted, "the text", notes)
    import pandas as pd

    with TableWriter(output, "--output") as out:
        out.write(pd.DataFrame(rows))
    return Predicted([], f"{len(rows)} rows -> {output}", used, defaulted, "the text", notes)
