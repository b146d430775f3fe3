"""Commands of the corpus stage: `stance ingest` and `stance actors`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from stance.cli.app import (
    DEFAULT_ACTORS,
    DEFAULT_CLAIMS,
    ActorsOpt,
    Engine,
    EngineOpt,
    ForceOpt,
    ParamsOpt,
    SchedulerOpt,
    WorkersOpt,
    app,
    params_file,
    say,
)
from stance.core.errors import StanceError
from stance.core.paths import PATHS
from stance.core.schema import EXTRACTOR_BUILTIN, EXTRACTOR_TRAFILATURA, ActorType


class HtmlExtractor(StrEnum):
    trafilatura = EXTRACTOR_TRAFILATURA
    builtin = EXTRACTOR_BUILTIN


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Article files or folders: .txt, .html, .jsonl, .parquet, .warc, .warc.gz. "
            "Default: params.yaml ingest.inputs (the seeds and data/constructed)."
        ),
    ] = None,
    claim: Annotated[
        list[str] | None,
        typer.Option(
            "--claim",
            help="Claim id(s), or the accusation as text (added to the registry, roles read "
            "from it and the documents); repeatable; default: params.yaml.",
        ),
    ] = None,
    accuser: Annotated[
        list[str] | None,
        typer.Option("--accuser", help="Accuser actor id of a claim text (repeatable)."),
    ] = None,
    accused: Annotated[
        list[str] | None,
        typer.Option("--accused", help="Accused actor id of a claim text (repeatable)."),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out-dir", help="Where the output files go.")
    ] = PATHS.interim,
    actors: ActorsOpt = DEFAULT_ACTORS,
    claims: Annotated[
        Path, typer.Option("--claims", help="Claim registry (YAML).")
    ] = DEFAULT_CLAIMS,
    params: ParamsOpt = None,
    encoding: Annotated[
        str, typer.Option("--encoding", help="Text encoding of the inputs, e.g. cp1252.")
    ] = "utf-8",
    text_field: Annotated[
        str,
        typer.Option("--text-field", help="Dump field (JSONL) or column (Parquet) of the text."),
    ] = "text",
    id_field: Annotated[
        str, typer.Option("--id-field", help="Dump field or column of the article id.")
    ] = "id",
    date_field: Annotated[
        str, typer.Option("--date-field", help="Dump field or column of the publication date.")
    ] = "date",
    url_field: Annotated[
        str, typer.Option("--url-field", help="Dump field or column of the article's URL.")
    ] = "url",
    html_extractor: Annotated[
        HtmlExtractor | None,
        typer.Option(
            "--html-extractor",
            help="For HTML and WARC inputs: trafilatura (falls back to builtin on pages where "
            "it finds no text) or builtin; default: params.yaml.",
        ),
    ] = None,
    lang: Annotated[
        list[str] | None,
        typer.Option(
            "--lang",
            help="Keep documents in this language (ISO 639-1, repeatable; `any` keeps all); "
            "default: params.yaml (en).",
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="seed, constructed or imported:NAME "
            "(default: seed under seeds/, else imported:<folder>).",
        ),
    ] = None,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid", help="Report unreadable files and records and go on without them."
        ),
    ] = False,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    force: ForceOpt = False,
) -> None:
    """Segment articles into sentences and list every (sentence, actor, claim) candidate.

    Reads text, HTML pages, JSONL and Parquet dumps and WARC crawls; keeps one copy of
    identical articles and the languages asked for; writes documents, sentences, candidates
    and ingest_report.json (what was skipped, and why). With --engine dask each input file
    is read and segmented on a Dask worker; duplicates and groups are settled here after.

    Example: stance ingest news/ --claim "North Korea was behind the attack on Sony Pictures"
    """
    from stance.core.params import load_params
    from stance.corpus.raw import Fields
    from stance.corpus.run import ingest_with_params, summary

    result = ingest_with_params(
        paths, load_params(params_file(params), "ingest"), claims=claim, langs=lang,
        html_extractor=html_extractor.value if html_extractor else None, out_dir=out_dir,
        actors_path=actors, claims_path=claims, accusers=accuser, accused=accused,
        encoding=encoding, fields=Fields(text=text_field, id=id_field, date=date_field,
        url=url_field), source=source, skip_invalid=skip_invalid, progress=True, force=force,
        engine=engine.value, scheduler=scheduler, workers=workers,
    )  # fmt: skip
    said = summary(result)
    for note in said.notes_before:
        typer.echo(note, err=True)
    for problem in said.skipped:
        say("Skipped", problem)
    for line in said.lines:
        typer.echo(line)
    for note in said.notes_after:
        typer.echo(note, err=True)


@app.command()
def actors(
    find: Annotated[
        str | None, typer.Option("--find", help="Which actor does this phrase name?")
    ] = None,
    kind: Annotated[ActorType | None, typer.Option("--type", help="List only this type.")] = None,
    rebuild: Annotated[
        bool,
        typer.Option("--rebuild", help="Regenerate the registry from its sources and the overlay."),
    ] = False,
    curated: Annotated[
        Path, typer.Option("--curated", help="Hand-kept overlay used by --rebuild.")
    ] = PATHS.actors_curated,
    registry: ActorsOpt = DEFAULT_ACTORS,
) -> None:
    """List the actor registry, look a phrase up in it, or rebuild it.

    Example: stance actors --find "the Kremlin"
    """
    if rebuild:
        from stance.core.outputs import guard_output
        from stance.corpus.actors_build import rebuild as run_rebuild

        guard_output(registry, command="actors", inputs=[curated], produces=[registry])
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
    shown = [a for a in reg.actors.values() if kind is None or a.type == kind.value]
    if kind is not None and not shown:
        raise StanceError(f"--type {kind.value}: no actors of that type in {registry}")
    for a in shown:
        typer.echo(f"{a.id}\t{a.type}\t{a.name}\t{len(a.aliases)} aliases")
