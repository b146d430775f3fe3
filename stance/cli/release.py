"""Commands of the release stage: `stance release` and `publish`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stance.cli.app import (
    app,
)
from stance.core.paths import PATHS


@app.command()
def release(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            help="Folder to write: new, empty, or a previous release (anything else is refused).",
        ),
    ] = PATHS.release,
) -> None:
    """Build the Hugging Face dataset folder (Parquet configs + generated card), offline.

    Replaces a previous release only once the new one is complete, and never anything else.

    Example: stance release --output release
    """
    from stance.core.outputs import guard_output
    from stance.release.build import build_release
    from stance.release.folder import check_output

    check_output(output)  # a folder not made by `stance release` is named as such first
    guard_output(
        output,
        command="release",
        option="--output",
        inputs=[PATHS.processed, PATHS.reports],
        produces=[PATHS.release],
        folder=True,
        can_force=False,
    )
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
    folder: Annotated[Path, typer.Option("--folder", help="Release folder.")] = PATHS.release,
) -> None:
    """Show what would go to the Hugging Face Hub, or upload it with --yes.

    Example: stance publish --repo-id my-org/stance --revision v1.0
    """
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
