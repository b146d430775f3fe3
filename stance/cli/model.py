"""Commands of the model stage: `stance train`, `evaluate` and `predict`."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer

from stance.cli.app import (
    Engine,
    EngineOpt,
    ParamsOpt,
    SchedulerOpt,
    WorkersOpt,
    app,
    params_file,
)


@contextmanager
def one_line_warnings() -> Iterator[None]:
    """Warnings (a model from another scikit-learn patch version, a fit that did not
    converge) as one `Warning:` line each on stderr, not Python's file:line format."""

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        typer.echo(f"Warning: {' '.join(str(message).split())}", err=True)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


ModelOpt = Annotated[
    Path, typer.Option("--model", help="Model file (skops) with its card beside it.")
]
DEFAULT_MODEL = Path("models/model.skops")


@app.command()
def train(
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            help="Train on this table (JSONL/CSV/Parquet: sentence, actor, "
            "stance[, claim]) instead of the dataset's train split.",
        ),
    ] = None,
    model_out: Annotated[
        Path, typer.Option("--model-out", help="Where to save the model.")
    ] = DEFAULT_MODEL,
    label_map: Annotated[
        str | None,
        typer.Option("--label-map", help="Rename labels, e.g. for=support,against=oppose."),
    ] = None,
    params: ParamsOpt = None,
) -> None:
    """Train the stance classifier; writes the model and its card (data hash, versions, CV).

    Example: stance train --data semeval.csv --label-map FAVOR=support,AGAINST=oppose,NONE=neutral
    """
    from stance.core.params import load_params
    from stance.model.train import parse_label_map
    from stance.model.train import train as run

    card = run(
        data,
        model_out,
        load_params(params_file(params), "train"),
        label_map=parse_label_map(label_map),
    )
    cv = card["cv"]
    mean = "-" if cv["mean"] is None else f"{cv['mean']:.3f}"
    typer.echo(
        f"trained {card['estimator']['name']} on {card['data']['rows']} rows "
        f"{card['data']['labels']}; grouped CV macro-F1 {mean} over {cv['folds']} folds "
        f"-> {model_out}"
    )
    for note in cv.get("notes", []):
        typer.echo(f"cross-validation: {note}", err=True)


@app.command()
def evaluate(
    model: ModelOpt = DEFAULT_MODEL,
    dataset: Annotated[Path, typer.Option("--dataset", help="Gold dataset to evaluate on.")] = Path(
        "data/processed/dataset.parquet"
    ),
    params: ParamsOpt = None,
) -> None:
    """Held-out and cross-validated figures beside baselines (reports/metrics.json, plots).

    Example: stance evaluate --model models/model.skops
    """
    from stance.core.params import load_params
    from stance.model.evaluate import evaluate as run
    from stance.model.evaluate import render

    p = params_file(params)
    with one_line_warnings():
        metrics = run(model, dataset, load_params(p, "evaluate"), load_params(p, "train"))
    typer.echo(render(metrics))


@app.command()
def predict(
    text: Annotated[str | None, typer.Argument(help="Raw text to tag and predict.")] = None,
    input: Annotated[
        Path | None,
        typer.Option(
            "--input",
            help="Table of sentence, actor[, claim] rows: a file, a folder of Parquet parts, "
            "or a quoted glob ('parts/*.parquet').",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help="Where to write: a file (format by suffix), or a folder of Parquet parts "
            "for a partitioned --input or --engine dask.",
        ),
    ] = None,
    text_file: Annotated[
        Path | None, typer.Option("--text-file", help="A text file to tag and predict.")
    ] = None,
    claim: Annotated[
        str | None,
        typer.Option(
            "--claim",
            help="Claim id for raw text, or the accusation itself as text (roles read from it).",
        ),
    ] = "sony-hack-2014",
    model: ModelOpt = DEFAULT_MODEL,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Rows per batch.")] = 10_000,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
) -> None:
    """Predict stances for a table (--input/--output) or for raw text (argument or --text-file).

    A folder or glob of Parquet parts, or any table with --engine dask, is predicted part by
    part into a folder of Parquet parts (replaced whole, only when every part is written).

    Example: stance predict --input parts/ --output predicted/ --engine dask
    """
    import json

    from stance.core.engine import check_engine
    from stance.core.tables import is_partitioned
    from stance.model.persist import load, load_for_text
    from stance.model.predict import predict_table, predict_text

    modes = sum(x is not None for x in (text, input, text_file))
    if modes != 1:
        raise typer.BadParameter("give exactly one of TEXT, --input FILE or --text-file FILE")
    if input is not None and output is None:
        raise typer.BadParameter("--input needs --output FILE")
    if batch_size < 1:
        raise typer.BadParameter("--batch-size must be at least 1")
    check_engine(engine.value, scheduler, workers)
    if input is None and engine is not Engine.local:
        raise typer.BadParameter("--engine dask predicts tables: give --input and --output")
    if input is not None and (engine is Engine.dask or is_partitioned(input)):
        from stance.model.engine import predict_parts

        with one_line_warnings():
            done = predict_parts(
                model,
                input,
                output,  # type: ignore[arg-type]
                engine=engine.value,
                scheduler=scheduler,
                workers=workers,
                batch_size=batch_size,
            )
        typer.echo(
            f"{done.rows} rows in {done.parts} part{'s' * (done.parts != 1)} -> {output}/ "
            f"({engine.value}, {done.workers} worker{'s' * (done.workers != 1)})",
            err=True,
        )
        return
    if input is not None:
        with one_line_warnings():
            pipe, _ = load(model)
        n = predict_table(pipe, input, output, batch_size)  # type: ignore[arg-type]
        typer.echo(f"{n} rows -> {output}", err=True)
        return
    if text_file is not None:
        from stance.core.files import read_text

        text = read_text(text_file)
    # Raw text: the plain-data predictor, so one sentence does not wait for scikit-learn.
    with one_line_warnings():
        predictor, _ = load_for_text(model)
    rows = predict_text(predictor, text or "", claim)
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    if output is not None:
        from stance.core.files import atomic_writer

        with atomic_writer(output) as fh:
            fh.write("".join(line + "\n" for line in lines))
    else:
        for line in lines:
            typer.echo(line)
