"""The package layout is the architecture: dependencies point one way, modules stay small."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from stance.cli import app
from tests.conftest import ROOT

PACKAGE = ROOT / "stance"
# What each layer may import (besides itself). The CLI sits on top and may import anything.
ALLOWED = {
    "core": set(),
    "corpus": {"core"},
    "annotation": {"core", "corpus"},
    "dataset": {"core", "corpus", "annotation"},
    "model": {"core", "corpus"},
    "release": {"core", "corpus", "annotation", "dataset", "model"},
}
MAX_LINES = 400


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def stance_imports(path: Path) -> set[str]:
    """Every stance module a file imports, at the top or inside a function."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stance"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("stance")}
    return out


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_dependencies_point_one_way(path: Path) -> None:
    me = layer(".".join(path.relative_to(ROOT).with_suffix("").parts))
    if me is None:
        return  # stance/cli, stance/__main__: the top
    for imported in stance_imports(path):
        other = layer(imported)
        assert other is not None, f"{path}: imports {imported}, outside the layers"
        assert other == me or other in ALLOWED[me], f"{path} ({me}) imports {imported} ({other})"


def test_the_layer_rule_has_teeth(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from stance.annotation.tui import run\n")
    assert stance_imports(bad) == {"stance.annotation.tui"}
    assert "annotation" not in ALLOWED["model"]


def test_build_loads_no_user_interface() -> None:
    code = (
        "import sys, stance.dataset.build\n"
        "print(sorted(m for m in sys.modules if m == 'curses' or m.startswith('stance.annotation')"
        " and m.split('.')[-1] in ('tui', 'run', 'session', 'queue', 'context')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path}: {lines} lines; split it by what its parts do"


def test_one_union_find_and_one_table_reader() -> None:
    sources = {p: p.read_text(encoding="utf-8") for p in modules()}
    assert [p.name for p, t in sources.items() if "parent[" in t] == ["unionfind.py"]
    readers = [p.name for p, t in sources.items() if "json.loads(line" in t]
    # The annotation log parses its own lines: it must tell a torn tail from a corrupt line.
    assert sorted(readers) == ["log.py", "tables.py"], readers


def test_every_command_help_ends_with_an_example() -> None:
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        last = command.help.strip().split("\n\n")[-1]
        assert last.startswith("Example: stance "), f"stance {name}: help ends with {last!r}"
