"""`stance release --output DIR` never destroys data (issue #12, item 1).

Only a folder that `stance release` made itself (it holds the `.stance-release` marker and only
files the release wrote) is replaced, and the replacement is built beside it and swapped in.
Anything else is refused with one line, and nothing is touched.
"""

import json
import shutil
from pathlib import Path

import pytest

from stance.core.errors import InputError

MARKER = ".stance-release"


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root, byte for byte (what a refused release must leave alone)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    line = result.output.strip()
    assert "\n" not in line and line.startswith("Error: "), line
    return line


def test_output_onto_the_annotations_keeps_every_label(released: Path, cli) -> None:
    annotations = released.parent / "data/annotations"
    before = snapshot(annotations)
    assert before  # the human labels the old code deleted
    line = one_error_line(cli("release", "--output", "data/annotations"))
    assert line == (
        "Error: data/annotations: not empty and not made by `stance release` (no "
        ".stance-release file in it); nothing was touched: choose a new or empty folder for "
        "--output, or delete this one yourself"
    )
    assert snapshot(annotations) == before


def test_output_onto_the_project_keeps_the_project(released: Path, cli) -> None:
    project = released.parent
    before = snapshot(project)
    line = one_error_line(cli("release", "--output", "."))
    assert line.startswith("Error: .: not empty and not made by `stance release`")
    assert snapshot(project) == before


def test_output_onto_a_file_is_refused(released: Path, cli) -> None:
    target = released.parent / "notes.txt"
    target.write_text("keep me\n", encoding="utf-8")
    line = one_error_line(cli("release", "--output", "notes.txt"))
    assert line == (
        "Error: notes.txt: is a file, not a folder; nothing was touched: choose a new or empty "
        "folder for --output, or delete the file yourself"
    )
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_output_onto_a_git_checkout_is_refused(released: Path, cli) -> None:
    checkout = released.parent / "hub-clone"
    (checkout / ".git").mkdir(parents=True)
    (checkout / ".git/HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    before = snapshot(checkout)
    line = one_error_line(cli("release", "--output", "hub-clone"))
    assert line.startswith("Error: hub-clone: not empty and not made by `stance release`")
    assert snapshot(checkout) == before


def test_a_release_with_foreign_files_is_not_replaced(released: Path, cli) -> None:
    # A previous release the user turned into a git checkout: the marker alone is not enough.
    (released / ".git").mkdir()
    (released / ".git/HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    before = snapshot(released)
    line = one_error_line(cli("release", "--output", "release"))
    assert line == (
        "Error: release: holds .git/HEAD, which `stance release` did not write; nothing was "
        "touched: move it out, choose another --output, or delete the folder yourself"
    )
    assert snapshot(released) == before


def test_release_replaces_its_own_previous_output(
    released: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    marker = json.loads((released / MARKER).read_text(encoding="utf-8"))
    assert marker["tool"] == "stance" and marker["version"] and marker["files"]
    assert "created_at" not in marker  # no clock time: the same inputs give the same bytes
    old = snapshot(released)
    # A file an older release wrote (its marker lists it) and the new one does not write.
    (released / "data/stale-00000-of-00001.parquet").write_bytes(b"from an older layout")
    marker["files"].append("data/stale-00000-of-00001.parquet")
    (released / MARKER).write_text(json.dumps(marker), encoding="utf-8")
    result = cli("release", "--output", "release")
    assert result.exit_code == 0, result.output
    # The stale file went with the old release, and the new one is the old one, byte for byte.
    assert snapshot(released) == old
    assert sorted(p.name for p in released.parent.iterdir() if "release" in p.name) == [
        "release"
    ]  # nothing left beside it
    probe = released.parent / "probe"
    probe.mkdir()
    assert released.stat().st_mode == probe.stat().st_mode  # a plain folder, not a 0700 temp


def test_an_empty_folder_and_a_new_nested_one_may_be_used(released: Path, cli) -> None:
    (released.parent / "empty").mkdir()
    for target in ("empty", "out/v1"):
        result = cli("release", "--output", target)
        assert result.exit_code == 0, result.output
        assert (released.parent / target / MARKER).is_file()
        assert (released.parent / target / "README.md").is_file()


def test_a_failed_build_leaves_the_previous_release(
    released: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stance.release import build
    from stance.release.layout import ReleaseError

    def broken(folder: Path) -> dict:
        raise ReleaseError(f"{folder}/README.md: broken on purpose")

    before = snapshot(released)
    monkeypatch.setattr(build, "validate_card", broken)
    with pytest.raises(ReleaseError, match="broken on purpose"):
        build.build_release(Path("release"))
    assert snapshot(released) == before
    assert [p.name for p in released.parent.iterdir() if "release" in p.name] == ["release"]


def test_a_failed_swap_puts_the_previous_release_back(
    released: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from stance.release import build

    real_rename = os.rename
    calls: list[tuple[str, str]] = []

    def flaky(src, dst) -> None:
        calls.append((str(src), str(dst)))
        if len(calls) == 2:  # old release moved aside; moving the new one in fails
            raise OSError("disk on fire")
        real_rename(src, dst)

    before = snapshot(released)
    monkeypatch.setattr(os, "rename", flaky)  # the swap renames through os (core.files)
    with pytest.raises(InputError, match="disk on fire"):  # one line, naming --output
        build.build_release(Path("release"))
    assert snapshot(released) == before
    assert [p.name for p in released.parent.iterdir() if "release" in p.name] == ["release"]


def test_publish_refuses_a_folder_release_did_not_make(released: Path, cli) -> None:
    copy = released.parent / "copy"
    shutil.copytree(released, copy)
    (copy / MARKER).unlink()
    line = one_error_line(cli("publish", "--repo-id", "my-lab/stance", "--folder", "copy"))
    assert line == (
        "Error: copy: not made by `stance release` (no .stance-release file in it): "
        "publish a folder written by `stance release --output DIR`"
    )
    shutil.copy(released / MARKER, copy / MARKER)
    (copy / "README.md").write_text("# no metadata\n", encoding="utf-8")
    line = one_error_line(cli("publish", "--repo-id", "my-lab/stance", "--folder", "copy"))
    assert line == "Error: copy/README.md: no YAML metadata block at the top"


def test_the_marker_is_not_uploaded(released: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub

    from stance.release.publish import upload

    seen: dict = {}

    class FakeApi:
        def __init__(self, token: str) -> None:
            pass

        def create_repo(self, *args, **kwargs) -> None:
            pass

        def upload_folder(self, **kwargs) -> str:
            seen.update(kwargs)
            return "https://huggingface.co/datasets/my-lab/stance/commit/abc"

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    upload(released, "my-lab/stance", "hf_x", False, None)
    assert MARKER in seen["ignore_patterns"]


def test_source_date_epoch_dates_the_release(released: Path, cli, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1418947200")
    assert cli("release", "--output", "release").exit_code == 0
    marker = json.loads((released / MARKER).read_text(encoding="utf-8"))
    assert marker["created_at"] == "2014-12-19T00:00:00+00:00"
    before = snapshot(released)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    line = one_error_line(cli("release", "--output", "release"))
    assert line == (
        "Error: SOURCE_DATE_EPOCH='yesterday': not a whole number of seconds since 1970-01-01; "
        "set it to one (e.g. $(git log -1 --format=%ct)) or unset it"
    )
    assert snapshot(released) == before
