"""Commands of the model stage: `stance train`, `evaluate`, `emergent` and `predict`."""

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
    ForceOpt,
    ParamsOpt,
    SchedulerOpt,
    WorkersOpt,
    also_wrote,
    app,
    params_file,
)
from stance.core.paths import PATHS


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


ClaimOpt = Annotated[
    str | None,
    typer.Option(
        "--claim",
        help="Claim of rows that name none: a claim id, or the accusation as text (its roles "
        "are read from it); default: params.yaml train.default_claim.",
    ),
]


def _say_notes(notes: list[str]) -> None:
    """How claims given as text were resolved: one stderr line each, said once."""
    for note in dict.fromkeys(n for n in notes if n):
        typer.echo(f"note: {note}", err=True)


def _say_defaulted(claim: dict[str, str], rows: int, where: str) -> None:
    """The one stderr line when rows had no claim and were given the default."""
    if rows:
        used = (
            repr(claim["text"])
            if claim["text"] == claim["claim"]
            else f"{claim['claim']} ({claim['text']!r})"
        )
        origin = f" ({claim['origin']})" if claim.get("origin") else ""
        typer.echo(
            f"note: {rows} row{'s' * (rows != 1)} of {where} name{'s' * (rows == 1)} no claim: "
            f"used {used}{origin}",
            err=True,
        )


ModelOpt = Annotated[
    Path, typer.Option("--model", help="Model file (skops) with its card beside it.")
]
DEFAULT_MODEL = PATHS.model


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
    claim: ClaimOpt = None,
    params: ParamsOpt = None,
    force: ForceOpt = False,
) -> None:
    """Train the stance classifier; writes the model and its card (data hash, versions, CV).

    Rows without a claim get --claim, else params.yaml's train.default_claim (said on stderr);
    the card keeps it as the model's default for `stance predict`.

    Example: stance train --data semeval.csv --label-map FAVOR=support,AGAINST=oppose,NONE=neutral
    """
    from stance.core.params import load_params
    from stance.model.persist import card_path
    from stance.model.train import guard_model_out, parse_label_map
    from stance.model.train import train as run

    p = params_file(params)
    guard_model_out(model_out, [data or PATHS.dataset, p], force)
    settings = load_params(p, "train")
    card = run(
        data,
        model_out,
        settings,
        label_map=parse_label_map(label_map),
        default_claim=(claim, "--claim")
        if claim
        else (settings["default_claim"], f"{p} train.default_claim"),
    )
    _say_defaulted(card["default_claim"], card["default_claim"]["rows"], str(data or "the dataset"))
    if model_out != DEFAULT_MODEL:
        also_wrote(card_path(model_out))
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
    dataset: Annotated[
        Path, typer.Option("--dataset", help="Gold dataset to evaluate on.")
    ] = PATHS.dataset,
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
def emergent(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Emergent CSV folder (default: params.yaml emergent.data)."),
    ] = None,
    output: Annotated[Path, typer.Option("--output", help="Report (JSON).")] = PATHS.emergent,
    params: ParamsOpt = None,
    force: ForceOpt = False,
) -> None:
    """The pipeline on the Emergent benchmark: trained on its train file, scored on its test file.

    Example: stance emergent --data ../shared/benchmarks/emergent
    """
    import json

    from stance.cli.app import DEFAULT_ACTORS, DEFAULT_CLAIMS
    from stance.core.files import atomic_writer
    from stance.core.outputs import guard_output, looks_like_json_object
    from stance.core.params import load_params
    from stance.model.emergent import emergent as run

    p = params_file(params)
    folder = data or Path(load_params(p, "emergent")["data"])
    guard_output(
        output,
        command="emergent",
        option="--output",
        inputs=[folder, p],
        force=force,
        produces=[PATHS.emergent],
        recognise=looks_like_json_object("benchmark"),
    )
    with one_line_warnings():
        result = run(folder, load_params(p, "train"), DEFAULT_ACTORS, DEFAULT_CLAIMS)
    with atomic_writer(output) as fh:
        json.dump(result, fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    typer.echo(
        f"Emergent test: accuracy {result['accuracy']}, macro-F1 {result['macro_f1']} "
        f"({result['params']['model']}; published {result['published']['accuracy']}) -> {output}"
    )


def guard_predictions(
    output: Path, inputs: list[Path | None], partitioned: bool, force: bool
) -> None:
    """The output rule for predictions: never over the model or the input, nor inside an
    input folder of parts (a glob's folder is an input folder)."""
    from stance.core.outputs import guard_output, looks_like_table
    from stance.core.tables import table_format
    from stance.model.persist import card_path

    if not partitioned:
        table_format(output, "--output")  # the format follows the suffix: said first
    given = [p for p in inputs if p is not None]
    sources = [Path(_glob_root(str(p))) for p in given]
    model = given[-1]
    guard_output(
        output,
        command="predict",
        option="--output",
        inputs=[*sources, card_path(model)],
        force=force,
        recognise=None if partitioned else looks_like_table("sentence", "actor", "stance"),
        folder=partitioned,
    )


def _glob_root(pattern: str) -> str:
    """The folder a glob reads from ('parts/*.parquet' -> 'parts'); a plain path as it is."""
    import glob

    if not glob.has_magic(pattern):
        return pattern
    head = pattern
    while glob.has_magic(head):
        head = str(Path(head).parent)
    return head


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
    claim: ClaimOpt = None,
    model: ModelOpt = DEFAULT_MODEL,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Rows per batch.")] = 10_000,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    force: ForceOpt = False,
) -> None:
    """Predict stances for a table (--input/--output) or for raw text (argument or --text-file).

    A folder or glob of Parquet parts, or any table with --engine dask, is predicted part by
    part into a folder of Parquet parts (replaced whole, only when every part is written).
    Raw text, and table rows without a claim, are about --claim, else the default claim the
    model was trained with (params.yaml train.default_claim). Every predicted row carries
    `claim` (its id) and `claim_text`.

    Example: stance predict --input parts/ --output predicted/ --engine dask
    """
    import json

    from stance.core.engine import check_engine
    from stance.model.run import predict as predict_any

    if sum(x is not None for x in (text, input, text_file)) != 1:
        raise typer.BadParameter("give exactly one of TEXT, --input FILE or --text-file FILE")
    if input is not None and output is None:
        raise typer.BadParameter("--input needs --output FILE")
    if batch_size < 1:
        raise typer.BadParameter("--batch-size must be at least 1")
    check_engine(engine.value, scheduler, workers)
    if input is None and engine is not Engine.local:
        raise typer.BadParameter("--engine dask predicts tables: give --input and --output")
    from stance.core.tables import is_partitioned

    partitioned = input is not None and (engine is Engine.dask or is_partitioned(input))
    if output is not None:
        guard_predictions(output, [input or text_file, model], partitioned, force)
    if text is not None and not text.strip():
        from stance.core.errors import InputError

        raise InputError("TEXT: no text to predict; give a sentence naming an actor")
    with one_line_warnings():
        done = predict_any(
            model, text=text, text_file=text_file, table=input, output=output, claim=claim,
            batch_size=batch_size, engine=engine.value, scheduler=scheduler, workers=workers,
        )  # fmt: skip
    _say_notes(done.notes)
    if done.written:
        typer.echo(done.written, err=True)
    _say_defaulted(done.claim, done.defaulted, done.source)
    for row in done.rows:
        typer.echo(json.dumps(row, ensure_ascii=False))
