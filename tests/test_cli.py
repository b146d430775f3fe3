import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from stance.cli import app
from tests.conftest import ROOT

COMMANDS = sorted(c.name or c.callback.__name__ for c in app.registered_commands)  # type: ignore[union-attr]
HEAVY = (
    *("pandas", "sklearn", "datasets", "skops", "numpy", "pyarrow", "huggingface_hub", "dvc"),
    *("trafilatura", "lxml", "warcio", "py3langid", "tqdm"),
    *("starlette", "uvicorn", "jinja2"),
    *("dask", "distributed"),
)


def written_docs() -> str:
    """The README and the topic pages under docs/ (not the generated reference)."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "".join(p.read_text(encoding="utf-8") for p in pages if p.name != "cli.md")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_documented(cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.exit_code == 0
    click_cmd = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    assert click_cmd.help and len(click_cmd.help) > 20
    for param in click_cmd.params:
        if param.name != "help":
            assert getattr(param, "help", None), f"{command} {param.name} has no help text"
    assert f"stance {command}" in written_docs()


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_help_imports_nothing_heavy(flag: str) -> None:
    code = (
        f"import sys, runpy; sys.argv = ['stance', {flag!r}]\n"
        "try:\n    runpy.run_module('stance', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_version(cli) -> None:
    from importlib.metadata import version

    result = cli("--version")
    assert result.exit_code == 0 and result.output == f"stance {version('stance')}\n"
    out = subprocess.run(
        [str(Path(sys.executable).parent / "stance"), "--version"], text=True, capture_output=True
    )
    assert out.returncode == 0 and out.stdout == result.output and out.stderr == ""


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "stance", "actors", "--find", "the Kremlin"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("RUS\tRussia\t")


def test_actors_find(project: Path, cli) -> None:
    result = cli("actors", "--find", "the Kremlin")
    assert result.exit_code == 0 and result.output.split("\t")[0] == "RUS"
    result = cli("actors", "--find", "Pyongyang's")
    assert result.output.startswith("PRK\tNorth Korea\t('Pyongyang'")
    result = cli("actors", "--find", "Kremlin and Washington")
    assert [line.split("\t")[0] for line in result.output.splitlines()] == ["RUS", "USA"]
    result = cli("actors", "--find", "Atlantis")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no actor in data/actors.yaml matches 'Atlantis'"


def test_actors_list(project: Path, cli) -> None:
    lines = cli("actors").output.splitlines()
    assert len(lines) == 217
    assert "PRK\tstate\tNorth Korea\t" in "\n".join(lines)
    orgs = cli("actors", "--type", "organisation").output.splitlines()
    assert {line.split("\t")[0] for line in orgs} == {
        "UN",
        "EU",
        "NATO",
        "INTERPOL",
        "ASEAN",
        "G7",
        "G20",
        "DNC",
        "IOC",
    }
    bad = cli("actors", "--type", "planet")
    assert bad.exit_code == 2
    line = bad.output.strip()
    assert "\n" not in line and line.startswith("Error: Invalid value for '--type'")
    assert "'planet' is not one of 'state', 'organisation', 'company', 'group'" in line


def test_actors_rebuild(project: Path, cli) -> None:
    target = project / "data/actors.yaml"
    original = target.read_bytes()
    target.write_text("actors: []\n", encoding="utf-8")
    result = cli("actors", "--rebuild")
    assert result.exit_code == 0, result.output
    assert (
        result.output.strip() == "data/actors.yaml: 9 company, 6 group, 9 organisation, 193 state"
    )
    assert target.read_bytes() == original


def test_one_blas_thread_unless_the_user_sets_it() -> None:
    # Many BLAS threads spin-wait and made training 3x slower on a busy 2-core machine.
    code = (
        "import stance.cli.app, numpy, threadpoolctl;"
        "print(sorted({i['num_threads'] for i in threadpoolctl.threadpool_info()}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "[1]", out.stdout + out.stderr
    env["OPENBLAS_NUM_THREADS"] = "2"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "2" in out.stdout, out.stdout + out.stderr
