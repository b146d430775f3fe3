"""Commands of the dataset stage: `stance build`."""

from __future__ import annotations

import typer

from stance.cli.app import (
    ParamsOpt,
    app,
    params_file,
    say,
)
from stance.core.paths import PATHS


@app.command()
def build(params: ParamsOpt = None) -> None:
    """Resolve labels into the gold dataset (data/processed/dataset.parquet) with splits.

    Example: stance build
    """
    from stance.core.params import load_params
    from stance.dataset.build import BuildPaths
    from stance.dataset.build import build as run

    report = run(BuildPaths(), load_params(params_file(params), "build"))
    for w in report["warnings"]:
        say("Warning", w)
    for u in report["unresolved"]:
        labels = ", ".join(f"{k}={v}" for k, v in u["labels"].items())
        typer.echo(f"Unresolved (adjudicate it): {u['id']} {u['actor']}: {labels}", err=True)
    written = report["constructed"]
    if written["reviewed"]:
        typer.echo(
            f"Constructed labels people also labelled: {written['reviewed']} of "
            f"{written['written']} ({written['confirmed']} confirmed, {written['changed']} "
            f"changed, {written['awaiting_adjudication']} waiting for adjudication)"
        )
    splits = ", ".join(f"{k} {v}" for k, v in report["by_split"].items())
    typer.echo(
        f"{report['rows']} rows of {report['candidates']} candidates ({splits}); "
        f"unresolved {len(report['unresolved'])} -> {PATHS.dataset}"
    )
