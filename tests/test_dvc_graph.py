"""dvc.yaml tells the truth: each stage depends on the code it runs and the params it reads.

A stage's code is found from its command, not listed by hand: stage `build` runs `stance build`,
whose Typer callback lives in stance/cli/dataset.py. From that module the test follows every
`stance.*` import, at the top of a module or inside a function (heavy modules are imported
lazily), to a fixed point, and asserts each file reached lies under one of the stage's `deps`.
In the command's own module only the imports of the command itself count: the other commands
registered there never run. Package `__init__` files are left out: they hold docstrings and
command registration only, which test_package_inits_import_nothing_a_stage_runs checks.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from collections.abc import Callable, Collection, Iterable
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from stance.cli import app
from tests.conftest import ROOT

PACKAGE = ROOT / "stance"
PARAMS: dict[str, Any] = yaml.safe_load((ROOT / "params.yaml").read_text(encoding="utf-8"))


def interpolated(text: str) -> str:
    """dvc.yaml with DVC's `${section.key}` templating filled from params.yaml (the emergent
    stage's data folder is named once, in params.yaml)."""

    def value(match: re.Match[str]) -> str:
        node: Any = PARAMS
        for key in match.group(1).split("."):
            node = node[key]
        return str(node)

    return re.sub(r"\$\{\s*([\w.]+)\s*\}", value, text)


DVC_YAML: dict[str, Any] = yaml.safe_load(
    interpolated((ROOT / "dvc.yaml").read_text(encoding="utf-8"))
)
STAGES: dict[str, dict[str, Any]] = DVC_YAML["stages"]
# Read by `stance release` for the card's provenance, yet no dependency: DVC rewrites it after
# every stage, so depending on it would leave `release` stale forever. The dataset hash it is
# checked against is a dependency already (data/processed/dataset.parquet).
NOT_DEPS = {"dvc.lock"}


def commands() -> dict[str, Callable[..., Any]]:
    """CLI command name -> its callback, as registered on the Typer app."""
    out = {}
    for info in app.registered_commands:
        assert info.callback is not None
        out[info.name or info.callback.__name__.replace("_", "-")] = info.callback
    return out


def module_file(module: str) -> Path | None:
    """stance.a.b -> stance/a/b.py (or stance/a/b/__init__.py); None when it is not a module."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(nodes: Iterable[ast.AST]) -> set[str]:
    """The stance modules the import statements among `nodes` load.

    `from stance.x import y` loads stance.x.y when y is a submodule, else stance.x.
    """
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "stance"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "stance":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if module_file(sub) is not None else node.module)
    return out


def module_imports(path: Path, skip: Collection[str] = ()) -> set[str]:
    """Every stance module `path` imports anywhere, except inside the top-level functions `skip`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes: list[ast.AST] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name in skip:
            continue
        nodes.extend(ast.walk(stmt))
    return imported_modules(nodes)


def closure(module: str, function: str, other_commands: Collection[str] = ()) -> set[str]:
    """Repository paths of the stance modules that running `module.function` can import.

    `other_commands` names functions of `module` that are other commands: their imports are not
    followed. Package `__init__` files are not included.
    """
    start = module_file(module)
    assert start is not None, f"{module}: no such module"
    assert function not in other_commands
    seen: set[Path] = set()
    todo = [(start, set(other_commands))]
    while todo:
        path, skip = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in module_imports(path, skip):
            found = module_file(name)
            assert found is not None, f"{path.relative_to(ROOT)}: imports {name}, which is no file"
            todo.append((found, set()))
    return {p.relative_to(ROOT).as_posix() for p in seen if p.name != "__init__.py"}


def uncovered(files: Iterable[str], deps: Iterable[str]) -> list[str]:
    """The files not equal to or under any of `deps` (files or folders), sorted."""
    roots = [PurePosixPath(d.rstrip("/")) for d in deps]
    return sorted(
        f for f in files if not any(PurePosixPath(f).is_relative_to(root) for root in roots)
    )


def unused(deps: Iterable[str], files: Iterable[str]) -> list[str]:
    """The `stance/` deps that none of `files` is equal to or under: code the stage never runs."""
    paths = [PurePosixPath(f) for f in files]
    return sorted(
        d
        for d in deps
        if d.startswith("stance/")
        and not any(p.is_relative_to(PurePosixPath(d.rstrip("/"))) for p in paths)
    )


def entries(stage: dict[str, Any], key: str) -> list[str]:
    """Paths of a stage's deps/outs/metrics/plots (entries may be `path` or `{path: options}`)."""
    return [e if isinstance(e, str) else next(iter(e)) for e in stage.get(key, [])]


@cache
def stage_code(stage: str) -> set[str]:
    callback = commands()[stage]
    siblings = {
        c.__name__
        for c in commands().values()
        if c.__module__ == callback.__module__ and c is not callback
    }
    return closure(callback.__module__, callback.__name__, siblings)


def path_defaults(obj: Any) -> set[str]:
    """The Path-valued defaults of a function's parameters or a dataclass instance's fields."""
    if dataclasses.is_dataclass(obj):
        values = [getattr(obj, f.name) for f in dataclasses.fields(obj)]
    else:
        values = [p.default for p in inspect.signature(obj).parameters.values()]
    return {v.as_posix() for v in values if isinstance(v, Path)}


def library_paths(stage: str) -> set[str]:
    """Files the library code a stage calls reads or writes by default (the CLI passes none)."""
    from stance.dataset.build import BuildPaths
    from stance.model import evaluate, persist, train
    from stance.release.layout import ReleasePaths

    return {
        "build": lambda: path_defaults(BuildPaths()),
        "train": lambda: path_defaults(train.train) | {train.DATASET.as_posix()},
        "evaluate": lambda: (
            path_defaults(evaluate.evaluate)
            | {persist.card_path(Path("models/model.skops")).as_posix()}
        ),
        "release": lambda: path_defaults(ReleasePaths()),
    }.get(stage, set)()


def paths_used(stage: str) -> set[str]:
    """Repository paths a stage's command reads or writes: its arguments, its options' defaults
    and the defaults of the library code it calls."""
    args = {
        w
        for w in STAGES[stage]["cmd"].split()[2:]
        if not w.startswith("-") and ("/" in w or (ROOT / w).exists())
    }
    return args | path_defaults(commands()[stage]) | library_paths(stage)


def declared(stage: dict[str, Any], path: str) -> bool:
    """A dep or output of the stage, under one, or a folder holding outputs (reports/)."""
    listed = [
        PurePosixPath(p) for k in ("deps", "outs", "metrics", "plots") for p in entries(stage, k)
    ]
    here = PurePosixPath(path)
    return any(here.is_relative_to(p) or (p.is_relative_to(here) and p != here) for p in listed)


def sections_read(callback: Callable[..., Any]) -> set[str]:
    """The params.yaml sections a command loads: `load_params(path, "<section>")` in its body."""
    tree = ast.parse(Path(inspect.getfile(callback)).read_text(encoding="utf-8"))
    (func,) = (
        n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == callback.__name__
    )
    out = set()
    for call in ast.walk(func):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "load_params"
        ):
            section = call.args[1] if len(call.args) == 2 else None
            assert isinstance(section, ast.Constant) and isinstance(section.value, str), (
                f"{callback.__name__}: load_params without a literal section name"
            )
            out.add(section.value)
    return out


# --- the checker can fail -------------------------------------------------------------------------


def test_a_missing_module_is_reported() -> None:
    files = {"stance/cli/app.py", "stance/core/errors.py", "stance/annotation/review.py"}
    assert uncovered(files, ["stance/cli/app.py", "stance/core/"]) == [
        "stance/annotation/review.py"
    ]
    assert uncovered(files, ["stance/cli/app.py", "stance/core", "stance/annotation"]) == []
    # A folder covers what is under it, not what merely starts with its name.
    assert uncovered({"stance/corpus_extra/x.py"}, ["stance/corpus"]) == [
        "stance/corpus_extra/x.py"
    ]


def test_code_a_stage_never_runs_is_reported() -> None:
    files = {"stance/annotation/log.py", "stance/annotation/review.py"}
    deps = ["data/annotations", "stance/annotation/log.py", "stance/annotation/tui.py"]
    assert unused(deps, files) == ["stance/annotation/tui.py"]


def test_imports_inside_functions_and_submodules_are_followed(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from stance.core.errors import StanceError\n"
        "from stance.annotation import review\n"
        "def run():\n"
        "    import stance.model.persist\n"
        "    from stance.corpus.actors import load_registry\n"
        "def other_command():\n"
        "    from stance.annotation.tui import run\n",
        encoding="utf-8",
    )
    assert module_imports(source, {"other_command"}) == {
        "stance.core.errors",
        "stance.annotation.review",
        "stance.model.persist",
        "stance.corpus.actors",
    }


def test_closure_reaches_lazy_imports_and_skips_other_commands() -> None:
    # agreement.py imports the log only inside a function.
    assert "stance/annotation/log.py" in stage_code("agreement")
    # build imports the log and review, never the terminal UI; the CLI module is in.
    build = stage_code("build")
    assert {"stance/annotation/log.py", "stance/annotation/review.py"} <= build
    assert {"stance/cli/app.py", "stance/cli/dataset.py"} <= build
    assert not any(f.startswith("stance/annotation/tui") for f in build)
    # `stance publish` shares stance/cli/release.py with `stance release` but does not run.
    assert "stance/release/publish.py" not in stage_code("release")


def test_params_sections_are_read_from_the_command() -> None:
    assert sections_read(commands()["evaluate"]) == {"evaluate", "train"}
    assert sections_read(commands()["build"]) == {"build"}
    assert sections_read(commands()["release"]) == set()


# --- dvc.yaml against the code --------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_stage_runs_the_command_of_its_name(stage: str) -> None:
    words = STAGES[stage]["cmd"].split()
    assert words[:2] == ["stance", stage], f"stage {stage}: cmd should start `stance {stage}`"
    assert stage in commands(), f"stage {stage}: there is no `stance {stage}` command"


@pytest.mark.parametrize("stage", STAGES)
def test_stage_depends_on_the_code_it_runs(stage: str) -> None:
    missing = uncovered(stage_code(stage), entries(STAGES[stage], "deps"))
    assert not missing, (
        f"stage {stage}: `stance {stage}` runs {', '.join(missing)}, which no entry of its deps "
        f"in dvc.yaml covers: add the module (or its folder) so a change to it reruns the stage"
    )


@pytest.mark.parametrize("stage", STAGES)
def test_stage_depends_on_no_code_it_never_runs(stage: str) -> None:
    extra = unused(entries(STAGES[stage], "deps"), stage_code(stage))
    assert not extra, (
        f"stage {stage}: deps list {', '.join(extra)}, which `stance {stage}` never imports"
    )


@pytest.mark.parametrize("stage", STAGES)
def test_stage_declares_the_files_its_command_uses(stage: str) -> None:
    missing = sorted(p for p in paths_used(stage) - NOT_DEPS if not declared(STAGES[stage], p))
    assert not missing, (
        f"stage {stage}: `stance {stage}` reads or writes {', '.join(missing)}, which dvc.yaml "
        f"lists neither in its deps nor in its outputs"
    )


def test_a_file_the_command_reads_must_be_declared() -> None:
    stage = {"deps": ["data/annotations", "stance/core"], "outs": ["data/processed/x.parquet"]}
    assert declared(stage, "data/annotations")
    assert declared(stage, "data/annotations/ann.jsonl")
    assert declared(stage, "data/processed")  # a folder the command writes into
    assert not declared(stage, "data/actors.yaml")
    assert "data/actors.yaml" in paths_used("evaluate")  # the registries of the learning curve
    assert "models/model.card.json" in paths_used("evaluate")


@pytest.mark.parametrize("stage", STAGES)
def test_every_dep_exists_or_is_made_by_a_stage(stage: str) -> None:
    made = {p for s in STAGES.values() for k in ("outs", "metrics", "plots") for p in entries(s, k)}
    for dep in entries(STAGES[stage], "deps"):
        if dep.startswith("stance/"):
            assert (ROOT / dep).exists(), f"stage {stage}: dep {dep} does not exist"
        else:
            assert (ROOT / dep).exists() or dep in made, (
                f"stage {stage}: dep {dep} neither exists nor is an output of a stage"
            )
        assert dep not in NOT_DEPS, f"stage {stage}: {dep} cannot be a dep"


@pytest.mark.parametrize("stage", STAGES)
def test_stage_params_are_the_sections_its_command_reads(stage: str) -> None:
    listed = [str(p) for p in STAGES[stage].get("params", [])]
    for entry in listed:
        section, _, key = entry.partition(".")
        assert section in PARAMS, f"stage {stage}: params {entry}: no section {section!r}"
        if key:
            assert key in PARAMS[section], f"stage {stage}: params {entry}: no such key"
    read = sections_read(commands()[stage])
    assert {e.partition(".")[0] for e in listed} == read, (
        f"stage {stage}: dvc.yaml params {listed}, but `stance {stage}` reads the params.yaml "
        f"section(s) {sorted(read)}"
    )


def test_params_sections_are_the_commands_that_take_params() -> None:
    taking = {n for n, c in commands().items() if "params" in inspect.signature(c).parameters}
    assert set(PARAMS) == taking
    assert taking <= set(STAGES)


def test_package_inits_import_nothing_a_stage_runs() -> None:
    # Why the closure may leave __init__ files out: outside the CLI they are docstrings and
    # constants, and the CLI's only registers the commands, which run only when invoked.
    for init in sorted(PACKAGE.rglob("__init__.py")):
        imports = module_imports(init)
        if init.parent.name == "cli":
            assert all(m.startswith("stance.cli.") for m in imports), f"{init}: {imports}"
        else:
            assert not imports, f"{init.relative_to(ROOT)} imports {sorted(imports)}"


def test_dvc_ignores_bytecode_and_lock_files() -> None:
    # Python writes __pycache__ beside the modules on every run: hashed with a folder dep, it
    # would make the stage stale after any command, and differ between clones.
    from dvc.fs import LocalFileSystem
    from dvc.ignore import DvcIgnoreFilter

    ignore = DvcIgnoreFilter(LocalFileSystem(), str(ROOT))
    assert ignore.is_ignored_dir(str(PACKAGE / "core" / "__pycache__"))
    assert ignore.is_ignored_file(str(PACKAGE / "core" / "schema.cpython-311.pyc"))
    assert ignore.is_ignored_file(str(ROOT / "data/annotations/.ann.lock"))
    assert not ignore.is_ignored_file(str(PACKAGE / "core" / "schema.py"))
    assert not ignore.is_ignored_file(str(ROOT / "data/annotations/ann.jsonl"))
