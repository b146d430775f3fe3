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
