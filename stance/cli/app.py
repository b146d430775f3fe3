"""The `stance` command line: thin glue over the library.

Each command parses options, calls one library function and prints its result. Domain errors
(stance.core.errors) become one `Error: ...` line and exit code 1 here, in `_Group.invoke`, and
nowhere else. Heavy libraries are imported inside commands so `stance --help` stays instant.
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from stance.core.errors import StanceError
from stance.core.paths import PATHS

# One BLAS thread unless the user asks for more. The model's matrices are small (a few thousand
# features); OpenBLAS's extra threads spin-wait, and on a busy 2-core machine made a 285-row
# `stance train` 36 s instead of 11 s and `stance evaluate` 16 s instead of 8 s. Set before
# any command imports NumPy.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

DEFAULT_ACTORS = PATHS.actors
DEFAULT_CLAIMS = PATHS.claims
DEFAULT_PARAMS = PATHS.params


# `stance --help` lists commands in pipeline order, not alphabetically.
COMMAND_ORDER = (
    "ingest",
    "actors",
    "claims",
    "annotate",
    "serve",
    "adjudicate",
    "agreement",
    "export",
    "import",
    "build",
    "train",
    "evaluate",
    "emergent",
    "predict",
    "release",
    "publish",
)


class _Group(TyperGroup):
    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        rank = {n: i for i, n in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except StanceError as exc:
            say("Error", str(exc))
            raise typer.Exit(1) from None
        except OSError as exc:
            # The last resort for a system error no library function named better (a full
            # disk or a read-only folder met outside an output writer): still one line.
            where = f"{exc.filename}: " if exc.filename else ""
            say("Error", f"{where}{exc.strerror or exc}")
            raise typer.Exit(1) from None
        except MemoryError:
            say("Error", "out of memory: an input is too large for this machine's memory")
            raise typer.Exit(1) from None
        except TyperException as exc:
            # A bad option or argument: the same one line, not a usage box (exit 2, as Click).
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            say("Error", message)
            raise typer.Exit(getattr(exc, "exit_code", 2)) from None


app = typer.Typer(
    cls=_Group,
    help="Build, annotate and model a dataset of actors' stances toward public accusations.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"stance {version('stance')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("stance (not installed: no version)")
        raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    # Group options only; the help text is the app's.
    pass


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Control characters shown as escapes: a file name or a value quoted in a message must
    not move the cursor, ring the bell or retitle the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def say(kind: str, message: str) -> None:
    """One `Error: ...` / `Warning: ...` line on stderr, safe to print."""
    typer.echo(f"{kind}: {printable(message)}", err=True)


def params_file(path: Path | None) -> Path:
    """--params, else the project's params.yaml; either must exist (stance.core.params)."""
    return DEFAULT_PARAMS if path is None else path


ActorsOpt = Annotated[Path, typer.Option("--actors", help="Actor registry (YAML).")]
ParamsOpt = Annotated[
    Path | None,
    typer.Option("--params", help="Parameters file (default: params.yaml here)."),
]


ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Replace an output that is a human source, another stage's output, tracked by "
        "git, or not written by this command (never one of its inputs).",
    ),
]


def also_wrote(path: Path) -> None:
    """A file written beside the one named on the command line is never a surprise."""
    typer.echo(f"note: also wrote {path}", err=True)


class Engine(StrEnum):
    local = "local"
    dask = "dask"


EngineOpt = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="local: this process. dask: a Dask cluster (--scheduler ADDRESS, else a "
        "LocalCluster on this machine); needs the dask extra.",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --engine dask: a running cluster's scheduler, e.g. tcp://10.0.0.5:8786.",
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="With --engine dask and no --scheduler: workers of the local cluster "
        "(default: one per core).",
    ),
]
