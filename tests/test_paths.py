"""Every default location is named once, in stance/core/paths.py: a path typed by hand in a
second module drifts from the first (the three path dataclasses and the CLI defaults did)."""

from __future__ import annotations

import ast
from pathlib import Path

from stance.core.paths import PATHS, ProjectPaths

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "stance/core/paths.py"


def defaults() -> set[str]:
    names = [n for n, v in vars(ProjectPaths).items() if isinstance(v, property)]
    return {getattr(PATHS, n).as_posix() for n in names}


def docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (prose, not paths)."""
    out = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
                out.add(id(body[0].value))
    return out


def typed_by_hand(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string in `source` that spells a default location: a multi-part
    one (`data/annotations`, `models/model.skops`) alone or as the start of a longer path, a
    file at the root (`params.yaml`) alone, or any of them as the argument of `Path(...)`."""
    known = defaults()
    nested = {d for d in known if "/" in d}
    tree = ast.parse(source)
    skip = docstrings(tree)
    found: set[tuple[int, str]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Path":
            for arg in node.args:
                if isinstance(arg, ast.Constant) and str(arg.value).rstrip("/") in known:
                    found.add((node.lineno, str(arg.value)))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value.strip().rstrip("/")
            if (
                text in nested
                or any(text.startswith(d + "/") for d in nested)
                or (text in known and "." in text)
            ):
                found.add((node.lineno, node.value))
    return sorted(found)


def test_no_module_but_core_paths_types_a_default_location() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in sorted((ROOT / "stance").rglob("*.py"))
        if path != HOME
        for line, text in typed_by_hand(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use stance.core.paths.PATHS:\n" + "\n".join(offenders)


def test_the_check_finds_a_path_typed_by_hand() -> None:
    source = (
        'A = Path("data/annotations")\n'
        'B = Path("release")\n'
        'C = "models/model.skops"\n'
        'D = "data/interim/candidates.jsonl"\n'
        'E = "params.yaml"\n'
        'F = f"{x} and data/processed/dataset.parquet"\n'  # prose: allowed
        'G = "release"\n'  # a command's name, not a path
        'def f():\n    "Reads data/annotations."\n'
    )
    assert [line for line, _ in typed_by_hand(source)] == [1, 2, 3, 4, 5]


def test_paths_are_relative_to_the_root() -> None:
    assert PATHS.candidates == Path("data/interim/candidates.jsonl")
    assert PATHS.model.as_posix() == "models/model.skops"
    elsewhere = ProjectPaths(Path("/srv/project"))
    assert elsewhere.dataset == Path("/srv/project/data/processed/dataset.parquet")
    assert elsewhere.emergent == Path("/srv/project/reports/emergent.json")
    assert all(p.is_relative_to("/srv/project") for p in elsewhere.human_sources())
