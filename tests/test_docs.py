"""The documentation: the command reference is generated from the Typer app and kept current,
and the README stays a front door that links to the rest."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

TYPER = Path(sys.executable).parent / "typer"
REGENERATE = "typer stance.cli utils docs --name stance --output docs/cli.md"


def test_the_command_reference_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "cli.md"
    out = subprocess.run(
        [str(TYPER), "stance.cli", "utils", "docs", "--name", "stance", "--output", str(fresh)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    committed = (ROOT / "docs/cli.md").read_text(encoding="utf-8")
    assert fresh.read_text(encoding="utf-8") == committed, (
        f"docs/cli.md is stale: a command's options or help changed; run `{REGENERATE}`"
    )
    for command in ("ingest", "annotate", "serve", "train", "predict", "release", "publish"):
        assert f"## `stance {command}`" in committed


def test_the_readme_is_a_front_door() -> None:
    """Short, and every page and picture it links to exists (the reference lives in docs/)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", readme)
    assert {"docs/cli.md", "docs/serve-annotate.png", "reports/confusion.png"} <= set(links)
    assert [link for link in links if not (ROOT / link).exists()] == []


def test_links_between_the_pages_resolve() -> None:
    for page in sorted((ROOT / "docs").glob("*.md")):
        for link in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            assert (page.parent / link).exists(), f"{page.name}: {link} does not exist"


def test_running_without_git_is_documented_as_tested() -> None:
    """docs/pipeline.md gives the command test_dvc_repro_without_git runs, then `dvc repro`."""
    from tests.test_pipeline import NO_SCM

    text = (ROOT / "docs/pipeline.md").read_text(encoding="utf-8")
    section = text[text.index("## Without git") :]
    assert f"{' '.join(NO_SCM)}\ndvc repro\n" in section
    assert "dvc init --no-scm" in section
