"""The `stance` command line: thin glue over the library.

Each command parses options, calls one library function and prints its result. Domain errors
(stance.core.errors) become one `Error: ...` line and exit code 1 here, in `_Group.invoke`, and
nowhere else. Heavy libraries are imported inside commands so `stance --help` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from stance.core.errors import StanceError

DEFAULT_ACTORS = Path("data/actors.yaml")
DEFAULT_CLAIMS = Path("data/claims.yaml")
DEFAULT_PARAMS = Path("params.yaml")


class _Group(TyperGroup):
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except StanceError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group,
    help="Build, annotate and model a dataset of actors' stances toward public accusations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _params_file(path: Path | None) -> Path | None:
    """An explicit --params must exist; the default params.yaml is used when present."""
    if path is not None:
        return path
    return DEFAULT_PARAMS if DEFAULT_PARAMS.exists() else None


ActorsOpt = Annotated[Path, typer.Option("--actors", help="Actor registry (YAML).")]
ParamsOpt = Annotated[
    Path | None,
    typer.Option("--params", help="Parameters file; default: params.yaml when present."),
]


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Article files or folders (.txt, .html, .jsonl). Default: seeds/."),
    ] = None,
    claim: Annotated[
        list[str] | None,
        typer.Option("--claim", help="Claim id(s) from the claim registry; default: params.yaml."),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where the JSONL files go.")] = Path(
        "data/interim"
    ),
    actors: ActorsOpt = DEFAULT_ACTORS,
    claims: Annotated[
        Path, typer.Option("--claims", help="Claim registry (YAML).")
    ] = DEFAULT_CLAIMS,
    params: ParamsOpt = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of the inputs, e.g. cp1252.")
    ] = "utf-8",
    text_field: Annotated[
        str, typer.Option("--text-field", help="JSONL field holding the article text.")
    ] = "text",
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="seed, constructed or imported:NAME "
            "(default: seed under seeds/, else imported:<folder>).",
        ),
    ] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Report unreadable files and go on without them.")
    ] = False,
) -> None:
    """Segment articles into sentences and list every (sentence, actor, claim) candidate."""
    from stance.core.params import load_params
    from stance.corpus.ingest import ingest as run

    p = load_params(_params_file(params), "ingest")
    result = run(
        paths or [Path("seeds")],
        out_dir=out_dir,
        actors_path=actors,
        claims_path=claims,
        claims=claim or p["claims"],
        shingle_size=p["shingle_size"],
        near_duplicate_threshold=p["near_duplicate_threshold"],
        encoding=encoding,
        text_field=text_field,
        source=source,
        skip_invalid=skip_invalid,
    )
    for problem in result.skipped:
        typer.echo(f"Skipped: {problem}", err=True)
    top = ", ".join(f"{a} {n}" for a, n in result.actors.most_common(8))
    typer.echo(
        f"{result.documents} documents, {result.sentences} sentences, "
        f"{result.candidates} candidates ({len(result.actors)} actors: {top}) -> {result.out_dir}/"
    )


@app.command()
def actors(
    find: Annotated[
        str | None, typer.Option("--find", help="Which actor does this phrase name?")
    ] = None,
    kind: Annotated[
        str | None, typer.Option("--type", help="List only this type: state, organisation, ...")
    ] = None,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Regenerate the registry from its sources and the overlay."),
    ] = False,
    curated: Annotated[
        Path, typer.Option("--curated", help="Hand-kept overlay used by --rebuild.")
    ] = Path("data/actors_curated.yaml"),
    registry: ActorsOpt = DEFAULT_ACTORS,
) -> None:
    """List the actor registry, look a phrase up in it, or rebuild it."""
    if rebuild:
        from stance.corpus.actors_build import rebuild as run_rebuild

        counts = run_rebuild(curated, registry)
        typer.echo(f"{registry}: " + ", ".join(f"{n} {t}" for t, n in sorted(counts.items())))
        return
    from stance.corpus.actors import load_registry

    reg = load_registry(registry)
    if find is not None:
        matches = reg.find(find)
        if not matches:
            raise StanceError(f"no actor in {registry} matches {find!r}")
        for m in matches:
            a = reg.actors[m.actor]  # type: ignore[index]
            typer.echo(f"{a.id}\t{a.name}\t({find[m.start : m.end]!r} as alias {m.alias!r})")
        return
    shown = [a for a in reg.actors.values() if kind is None or a.type == kind]
    if kind is not None and not shown:
        raise StanceError(f"--type {kind}: no actors of that type in {registry}")
    for a in shown:
        typer.echo(f"{a.id}\t{a.type}\t{a.name}\t{len(a.aliases)} aliases")


AnnotatorOpt = Annotated[
    str, typer.Option("--annotator", help="Your name; labels go to data/annotations/<name>.jsonl.")
]


@app.command()
def annotate(
    annotator: AnnotatorOpt,
    claim: Annotated[
        str | None, typer.Option("--claim", help="Only candidates for this claim id.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many items.")] = None,
    order: Annotated[
        str, typer.Option("--order", help="file, random (per annotator) or uncertain (model).")
    ] = "file",
    team: Annotated[
        str | None,
        typer.Option("--team", help="Comma-separated annotators sharing the work, e.g. ann,bo."),
    ] = None,
    overlap: Annotated[
        float, typer.Option("--overlap", help="Fraction of sentences every team member labels.")
    ] = 0.0,
    model: Annotated[Path, typer.Option("--model", help="Model for --order uncertain.")] = Path(
        "models/model.skops"
    ),
) -> None:
    """Label (sentence, actor) items in a full-screen terminal UI; every key is saved at once."""
    from stance.annotation.run import annotate as run

    scores = None
    if order == "uncertain":
        from stance.model.predict import scorer

        scores = scorer(model)
    members = [m.strip() for m in team.split(",") if m.strip()] if team else None
    result = run(
        annotator,
        claim=claim,
        limit=limit,
        how=order,
        team=members,
        overlap=overlap,
        scores=scores,
    )
    for w in result["warnings"]:
        typer.echo(f"Warning: {w}", err=True)
    typer.echo(
        f"{result['done']} / {result['total']} done; "
        f"{result['events']} new events in {result['path']}"
    )


@app.command()
def agreement(
    output: Annotated[
        Path | None, typer.Option("--output", help="Also write the report as JSON here.")
    ] = Path("reports/agreement.json"),
    claim: Annotated[str | None, typer.Option("--claim", help="Only this claim id.")] = None,
    samples: Annotated[
        int, typer.Option("--samples", help="Bootstrap resamples for alpha's 95% interval.")
    ] = 1000,
    annotations: Annotated[
        Path, typer.Option("--annotations", help="Folder of annotator logs.")
    ] = Path("data/annotations"),
) -> None:
    """Inter-annotator agreement: percent, Cohen, Fleiss, Krippendorff's alpha with a 95% CI."""
    import json

    from stance.annotation.agreement import agreement as run
    from stance.annotation.agreement import render
    from stance.core.files import atomic_writer

    report = run(annotations, claim=claim, samples=samples)
    typer.echo(render(report))
    if output is not None:
        with atomic_writer(output) as fh:
            json.dump(report, fh, indent=2, ensure_ascii=False, default=str)
            fh.write("\n")


@app.command()
def adjudicate(
    adjudicator: Annotated[
        str, typer.Option("--adjudicator", help="Your name, stored with each decision.")
    ],
) -> None:
    """Decide disagreements and flagged items (saved to data/annotations/adjudications.jsonl)."""
    from stance.annotation.run import adjudicate as run

    result = run(adjudicator)
    for w in result["warnings"]:
        typer.echo(f"Warning: {w}", err=True)
    typer.echo(f"{result['done']} / {result['total']} adjudicated; {result['events']} new events")


@app.command()
def build(params: ParamsOpt = None) -> None:
    """Resolve labels into the gold dataset (data/processed/dataset.parquet) with splits."""
    from stance.core.params import load_params
    from stance.dataset.build import BuildPaths
    from stance.dataset.build import build as run

    report = run(BuildPaths(), load_params(_params_file(params), "build"))
    for w in report["warnings"]:
        typer.echo(f"Warning: {w}", err=True)
    for u in report["unresolved"]:
        labels = ", ".join(f"{k}={v}" for k, v in u["labels"].items())
        typer.echo(f"Unresolved (adjudicate it): {u['id']} {u['actor']}: {labels}", err=True)
    splits = ", ".join(f"{k} {v}" for k, v in report["by_split"].items())
    typer.echo(
        f"{report['rows']} rows of {report['candidates']} candidates ({splits}); "
        f"unresolved {len(report['unresolved'])} -> data/processed/dataset.parquet"
    )


FormatOpt = Annotated[str, typer.Option("--format", help="prodigy, labelstudio or doccano.")]
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
    candidates: CandidatesOpt = Path("data/interim/candidates.jsonl"),
) -> None:
    """Export candidates with an annotator's labels for Prodigy, Label Studio or doccano."""
    from stance.annotation.interop import export
    from stance.corpus.candidates import load_candidates

    counts = export(fmt, load_candidates(candidates), Path("data/annotations"), annotator, output)
    typer.echo(f"{counts['tasks']} tasks ({counts['labelled']} with labels) -> {output}")


@app.command("import")
def import_cmd(
    source: Annotated[Path, typer.Argument(help="An export of Prodigy, Label Studio or doccano.")],
    fmt: FormatOpt,
    annotator: AnnotatorOpt,
    candidates: CandidatesOpt = Path("data/interim/candidates.jsonl"),
) -> None:
    """Import labels from another tool into an annotator's log (appended, never rewritten)."""
    from stance.annotation.interop import import_labels
    from stance.corpus.candidates import load_candidates

    counts = import_labels(
        fmt, source, load_candidates(candidates), Path("data/annotations"), annotator
    )
    typer.echo(
        f"{counts['items']} labelled items read, {counts['events']} new events for {annotator}"
    )


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
    """Train the stance classifier; writes the model and its card (data hash, versions, CV)."""
    from stance.core.params import load_params
    from stance.model.train import parse_label_map
    from stance.model.train import train as run

    card = run(
        data,
        model_out,
        load_params(_params_file(params), "train"),
        label_map=parse_label_map(label_map),
    )
    cv = card["cv"]
    mean = "-" if cv["mean"] is None else f"{cv['mean']:.3f}"
    typer.echo(
        f"trained on {card['data']['rows']} rows {card['data']['labels']}; grouped CV "
        f"macro-F1 {mean} over {cv['folds']} folds -> {model_out}"
    )


@app.command()
def evaluate(
    model: ModelOpt = DEFAULT_MODEL,
    dataset: Annotated[Path, typer.Option("--dataset", help="Gold dataset to evaluate on.")] = Path(
        "data/processed/dataset.parquet"
    ),
    params: ParamsOpt = None,
) -> None:
    """Held-out and cross-validated figures beside baselines (reports/metrics.json, plots)."""
    from stance.core.params import load_params
    from stance.model.evaluate import evaluate as run
    from stance.model.evaluate import render

    p = _params_file(params)
    metrics = run(model, dataset, load_params(p, "evaluate"), load_params(p, "train"))
    typer.echo(render(metrics))


@app.command()
def predict(
    text: Annotated[str | None, typer.Argument(help="Raw text to tag and predict.")] = None,
    input: Annotated[
        Path | None, typer.Option("--input", help="Table of sentence, actor[, claim] rows.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Where to write (format by suffix).")
    ] = None,
    text_file: Annotated[
        Path | None, typer.Option("--text-file", help="A text file to tag and predict.")
    ] = None,
    claim: Annotated[
        str | None, typer.Option("--claim", help="Claim id for raw text.")
    ] = "sony-hack-2014",
    model: ModelOpt = DEFAULT_MODEL,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Rows per batch.")] = 10_000,
) -> None:
    """Predict stances for a table (--input/--output) or for raw text (argument or --text-file)."""
    import json

    from stance.model.persist import load
    from stance.model.predict import predict_table, predict_text

    modes = sum(x is not None for x in (text, input, text_file))
    if modes != 1:
        raise typer.BadParameter("give exactly one of TEXT, --input FILE or --text-file FILE")
    if input is not None and output is None:
        raise typer.BadParameter("--input needs --output FILE")
    if batch_size < 1:
        raise typer.BadParameter("--batch-size must be at least 1")
    pipe, _ = load(model)
    if input is not None:
        n = predict_table(pipe, input, output, batch_size)  # type: ignore[arg-type]
        typer.echo(f"{n} rows -> {output}", err=True)
        return
    if text_file is not None:
        from stance.core.files import read_text

        text = read_text(text_file)
    rows = predict_text(pipe, text or "", claim)
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    if output is not None:
        from stance.core.files import atomic_writer

        with atomic_writer(output) as fh:
            fh.write("".join(line + "\n" for line in lines))
    else:
        for line in lines:
            typer.echo(line)


@app.command()
def release(
    output: Annotated[Path, typer.Option("--output", help="Folder to write.")] = Path("release"),
) -> None:
    """Build the Hugging Face dataset folder (Parquet configs + generated card), offline."""
    from stance.release.build import build_release

    summary = build_release(output)
    splits = ", ".join(f"{k} {v['num_examples']}" for k, v in summary["splits"].items())
    labels = summary["annotations"]["train"]["num_examples"]
    prov = summary["provenance"]
    typer.echo(
        f"{output}/: default ({splits}), annotations ({labels} labels); "
        f"commit {prov['git_commit'][:12]}, dataset md5 {prov['dataset_md5'][:12]}"
    )


@app.command()
def publish(
    repo_id: Annotated[str, typer.Option("--repo-id", help="Hub dataset repository, ORG/NAME.")],
    private: Annotated[bool, typer.Option("--private", help="Create it private.")] = False,
    revision: Annotated[
        str | None, typer.Option("--revision", help="Tag the uploaded commit, e.g. v1.0.")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Upload; without it, only show the plan.")
    ] = False,
    folder: Annotated[Path, typer.Option("--folder", help="Release folder.")] = Path("release"),
) -> None:
    """Show what would go to the Hugging Face Hub, or upload it with --yes."""
    from stance.release.publish import publish as run

    result = run(folder, repo_id, private=private, revision=revision, yes=yes)
    if result["uploaded"]:
        typer.echo(f"published {repo_id}: {result['url']}")
        return
    typer.echo(
        f"Would upload to https://huggingface.co/datasets/{repo_id}"
        f"{' (private)' if private else ''}{f', tagged {revision}' if revision else ''}:"
    )
    for name, size in result["files"]:
        typer.echo(f"  {name}  {size:,} bytes")
    typer.echo(f"  total {result['bytes']:,} bytes")
    typer.echo(f"Card: {result['pretty_name']} (license {result['license']})")
    for config, splits in result["configs"].items():
        typer.echo(f"  config {config}: " + ", ".join(f"{s} {n}" for s, n in splits.items()))
    typer.echo(f"  {result['summary'][:300]}")
    typer.echo("Nothing uploaded: add --yes to publish.")
