"""Commands of the annotation stage: annotate, serve, adjudicate, agreement, export and import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stance.cli.app import ForceOpt, also_wrote, app, say
from stance.core.paths import PATHS
from stance.core.schema import BLIND_SHARE
from stance.core.schema import AnnotationFormat as Format
from stance.core.schema import QueueOrder as Order

AnnotatorOpt = Annotated[
    str, typer.Option("--annotator", help="Your name; labels go to data/annotations/<name>.jsonl.")
]


# annotate and serve: the share of items shown without the model's suggestion.
BlindOpt = Annotated[
    float,
    typer.Option(
        "--blind",
        min=0.0,
        max=1.0,
        help="With --order uncertain: share of items shown without the model's suggestion.",
    ),
]


# annotate and serve: how often the model in the loop is retrained.
RetrainOpt = Annotated[
    int,
    typer.Option(
        "--retrain-every",
        help="With --order uncertain: retrain in the background after this many new labels "
        "(0: never).",
    ),
]


@app.command()
def annotate(
    annotator: AnnotatorOpt,
    claim: Annotated[
        str | None,
        typer.Option(
            "--claim", help="Only candidates for this claim: its id, or its text in the registry."
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="Decide this many more items in this session, then stop."),
    ] = None,
    order: Annotated[
        Order, typer.Option("--order", help="file, random (per annotator) or uncertain (model).")
    ] = Order.file,
    team: Annotated[
        str | None,
        typer.Option("--team", help="Comma-separated annotators sharing the work, e.g. ann,bo."),
    ] = None,
    overlap: Annotated[
        float, typer.Option("--overlap", help="Fraction of sentences every team member labels.")
    ] = 0.0,
    model: Annotated[
        Path, typer.Option("--model", help="Model for --order uncertain.")
    ] = PATHS.model,
    blind: BlindOpt = BLIND_SHARE,
    retrain_every: RetrainOpt = 50,
) -> None:
    """Label (sentence, actor) items in a full-screen terminal UI; every key is saved at once.

    Example: stance annotate --annotator ann --team ann,bo --overlap 0.2
    """
    from stance.annotation.run import annotate as run

    scores = card = None
    if order.value == "uncertain":
        from stance.model.persist import card_path
        from stance.model.predict import scorer

        scores, card = scorer(model), card_path
    members = [m.strip() for m in team.split(",") if m.strip()] if team else None
    result = run(
        annotator,
        claim=claim,
        limit=limit,
        how=order.value,
        team=members,
        overlap=overlap,
        scores=scores,
        blind=blind,
        retrain_every=retrain_every,
        card_path=card,
    )
    for w in result["warnings"]:
        say("Warning", w)
    skipped = f", {result['skipped']} skipped (they come back)" if result["skipped"] else ""
    typer.echo(
        f"{result['done']} / {result['total']} done{skipped}; "
        f"{result['events']} new events in {result['path']}"
    )


@app.command()
def serve(
    team: Annotated[
        str | None,
        typer.Option("--team", help="Comma-separated annotators sharing the work, e.g. ann,bo,cy."),
    ] = None,
    annotator: Annotated[
        list[str] | None,
        typer.Option(
            "--annotator", help="Serve only this annotator (repeatable; of --team if given)."
        ),
    ] = None,
    overlap: Annotated[
        float, typer.Option("--overlap", help="Fraction of sentences every team member labels.")
    ] = 0.0,
    claim: Annotated[
        str | None,
        typer.Option(
            "--claim", help="Only candidates for this claim: its id, or its text in the registry."
        ),
    ] = None,
    order: Annotated[
        Order, typer.Option("--order", help="file, random (per annotator) or uncertain (model).")
    ] = Order.file,
    model: Annotated[
        Path, typer.Option("--model", help="Model for --order uncertain.")
    ] = PATHS.model,
    lead: Annotated[
        str, typer.Option("--lead", help="Name of the lead: dashboard and adjudication.")
    ] = "lead",
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="Each annotator decides this many more items, then stops."),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; 0.0.0.0 opens it to the network.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="Port to listen on (0: any free port).")
    ] = 8000,
    new_tokens: Annotated[
        bool, typer.Option("--new-tokens", help="Revoke every stored token and print new URLs.")
    ] = False,
    retrain_every: RetrainOpt = 50,
    blind: BlindOpt = BLIND_SHARE,
) -> None:
    """Label in the browser: a local web app over the same queues, session logic and logs as
    `stance annotate`, with a dashboard and adjudication view for the lead.

    Prints one private URL per annotator and one for the lead; tokens are stored hashed and
    shown only when made. Every decision is fsynced before the server answers.

    Example: stance serve --team ann,bo,cy --overlap 0.2
    """
    from stance.annotation.web.project import Options
    from stance.annotation.web.serve import serve as run

    members = [m.strip() for m in team.split(",") if m.strip()] if team else None
    options = Options(
        annotators=list(annotator or members or []),
        lead=lead,
        team=members,
        overlap=overlap,
        claim=claim,
        how=order.value,
        limit=limit,
        blind=blind,
        retrain_every=retrain_every,
    )
    if order.value == "uncertain":
        from stance.model.persist import card_path
        from stance.model.predict import scorer

        options.scores = scorer(model)
        options.card_path = card_path
    run(
        options,
        host=host,
        port=port,
        new_tokens=new_tokens,
        say=typer.echo,
        warn=lambda w: say("Warning", w),
    )


@app.command()
def agreement(
    output: Annotated[
        Path | None, typer.Option("--output", help="Also write the report as JSON here.")
    ] = PATHS.agreement,
    claim: Annotated[
        str | None, typer.Option("--claim", help="Only this claim: its id or its text.")
    ] = None,
    samples: Annotated[
        int, typer.Option("--samples", help="Bootstrap resamples for alpha's 95% interval.")
    ] = 1000,
    annotations: Annotated[
        Path, typer.Option("--annotations", help="Folder of annotator logs.")
    ] = PATHS.annotations,
    claims: Annotated[
        Path, typer.Option("--claims", help="Claim registry, to check --claim.")
    ] = PATHS.claims,
    force: ForceOpt = False,
) -> None:
    """Inter-annotator agreement: percent, Cohen, Fleiss, Krippendorff's alpha with a 95% CI.

    Example: stance agreement --output reports/agreement.json
    """
    import json

    from stance.annotation.agreement import agreement as run
    from stance.annotation.agreement import render
    from stance.core.files import atomic_writer
    from stance.core.outputs import guard_output, looks_like_json_object

    if output is not None:
        guard_output(
            output,
            command="agreement",
            option="--output",
            inputs=[annotations, claims],
            force=force,
            produces=[PATHS.agreement],
            recognise=looks_like_json_object("krippendorff_alpha"),
        )
    report = run(annotations, claim=claim, samples=samples, claims_path=claims)
    if output is not None:
        with atomic_writer(output) as fh:
            json.dump(report, fh, indent=2, ensure_ascii=False, default=str)
            fh.write("\n")
    typer.echo(render(report))


@app.command()
def adjudicate(
    adjudicator: Annotated[
        str, typer.Option("--adjudicator", help="Your name, stored with each decision.")
    ],
) -> None:
    """Decide disagreements and flagged items (saved to data/annotations/adjudications.jsonl).

    Example: stance adjudicate --adjudicator lead
    """
    from stance.annotation.run import adjudicate as run

    result = run(adjudicator)
    for w in result["warnings"]:
        say("Warning", w)
    typer.echo(f"{result['done']} / {result['total']} adjudicated; {result['events']} new events")


FormatOpt = Annotated[Format, typer.Option("--format", help="Interchange format.")]
CandidatesOpt = Annotated[
    Path, typer.Option("--candidates", help="Candidates file the labels belong to.")
]


@app.command("export")
def export_cmd(
    fmt: FormatOpt,
    annotator: AnnotatorOpt,
    output: Annotated[
        Path, typer.Option("--output", help="File to write (JSONL; JSON for labelstudio).")
    ],
    candidates: CandidatesOpt = PATHS.candidates,
    force: ForceOpt = False,
) -> None:
    """Export candidates with an annotator's labels for Prodigy, Label Studio or doccano.

    Example: stance export --format prodigy --annotator core --output core.prodigy.jsonl
    """
    from stance.annotation.interop import export, export_outputs
    from stance.corpus.candidates import load_candidates

    annotations = PATHS.annotations
    export_outputs(fmt.value, output, candidates, annotations, annotator, force=force)
    counts = export(fmt.value, load_candidates(candidates), annotations, annotator, output)
    for extra in counts["extra"]:
        also_wrote(extra)
    typer.echo(f"{counts['tasks']} tasks ({counts['labelled']} with labels) -> {output}")


@app.command("import")
def import_cmd(
    source: Annotated[Path, typer.Argument(help="An export of Prodigy, Label Studio or doccano.")],
    fmt: FormatOpt,
    annotator: AnnotatorOpt,
    candidates: CandidatesOpt = PATHS.candidates,
) -> None:
    """Import labels from another tool into an annotator's log (appended, never rewritten).

    Example: stance import core.prodigy.jsonl --format prodigy --annotator core-copy
    """
    from stance.annotation.importer import import_labels
    from stance.corpus.candidates import load_candidates

    counts = import_labels(
        fmt.value, source, load_candidates(candidates), PATHS.annotations, annotator
    )
    typer.echo(
        f"{counts['items']} labelled items read, {counts['events']} new events for {annotator}"
    )
