from pathlib import Path

import pytest

from stance.core.errors import InputError
from stance.core.files import atomic_files, atomic_writer, read_text
from stance.core.tables import read_jsonl, write_jsonl


def test_atomic_files_all_or_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("old a\n")
    with pytest.raises(RuntimeError):
        with atomic_files([a, b]) as (fa, fb):
            fa.write("new a\n")
            fb.write("new b\n")
            raise RuntimeError("crash half-way")
    assert a.read_text() == "old a\n" and not b.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]  # no temp files left
    with atomic_files([a, b]) as (fa, fb):
        fa.write("new a\n")
        fb.write("new b\n")
    assert (a.read_text(), b.read_text()) == ("new a\n", "new b\n")


def test_atomic_writer_keeps_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    target.write_text("old")
    with pytest.raises(ValueError):
        with atomic_writer(target) as fh:
            fh.write("partial")
            raise ValueError
    assert target.read_text() == "old" and len(list(tmp_path.iterdir())) == 1


def test_jsonl_round_trip_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    assert write_jsonl(path, [{"a": "Pyongyang’s"}, {"b": [1, 2]}]) == 2
    assert list(read_jsonl(path)) == [{"a": "Pyongyang’s"}, {"b": [1, 2]}]
    path.write_text('{"a": 1}\n[1]\n')
    with pytest.raises(InputError, match=r"rows.jsonl:2: expected a JSON object per line"):
        list(read_jsonl(path))


def test_read_text_strips_bom_and_names_directories(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbfHello")
    assert read_text(tmp_path / "bom.txt") == "Hello"
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)
