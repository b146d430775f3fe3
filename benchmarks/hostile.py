"""Hostile input: what one bad file costs now that inputs have size limits.

    python benchmarks/hostile.py            # -> benchmarks/results/hostile.json  (~5 min)

Each case runs `stance ingest` (or loads a model) in a fresh process on a generated input and
records the exit code, the first line of stderr, wall time and the process's peak memory
(VmHWM). Before the limits (issue 12): a 62 MB one-line text took 3.6 GB; a 100 MB JSONL
line 3.8 GB and 194 s; a 1 MB zip-bomb model file 2.3 GB. The goal is refusal in well under a
second with memory near the interpreter's own, and the project's own seeds unaffected.

The rerun of issue 20's adversarial cases follows: outputs over sources, imports onto the
wrong text, rows of the wrong types, sentences over the limit, killed Dask workers and a
kill -9 mid-write. Every case records whether stderr held a traceback (`traceback`) and, where
files were at stake, whether they are unchanged or free of leftovers.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# Runs the CLI in-process, then reports this process's peak memory on stderr's last line.
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec, so a
# parent holding the generated inputs would inflate every child's figure.
RUNNER = (
    "import re, sys\n"
    "from stance.cli import app\n"
    "try:\n"
    "    app(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "else:\n"
    "    code = 0\n"
    "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)\n"
    "print('PEAK_KB', hwm, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run(args: list[str], cwd: Path, timeout: float = 600) -> dict[str, object]:
    t0 = time.perf_counter()
    try:
        out = subprocess.run(
            [sys.executable, "-c", RUNNER, *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"exit_code": None, "seconds": timeout, "peak_mb": 0, "message": "TIMEOUT"}
    seconds = time.perf_counter() - t0
    traceback = "Traceback" in out.stderr
    lines = out.stderr.strip().splitlines()
    peak = next((int(x.split()[1]) for x in reversed(lines) if x.startswith("PEAK_KB")), 0)
    message = next((x for x in lines if x.startswith("Error:")), "")
    return {
        "exit_code": out.returncode,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak / 1024, 1),
        "message": message[:200],
        "traceback": traceback,
    }


def project(tmp: Path) -> Path:
    root = tmp / "project"
    for name in ("seeds", "data", "docs"):
        shutil.copytree(
            ROOT / name, root / name, ignore=shutil.ignore_patterns("interim", "processed")
        )
    shutil.copy(ROOT / "params.yaml", root / "params.yaml")
    return root


def main() -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    cases: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = project(Path(tmp))
        inputs = root / "inputs"
        inputs.mkdir()
        (inputs / "one_line.txt").write_text("Moscow said Washington had no proof " * 1_750_000)
        with (inputs / "huge_line.jsonl").open("w") as fh:
            fh.write('{"text": "' + "North Korea denied it. " * 4_400_000 + '"}\n')
        (inputs / "long_line.txt").write_text("Headline\n" + "word " * 200_000 + "\n")
        sizes = {p.name: p.stat().st_size for p in inputs.iterdir()}
        for name in sorted(sizes):
            cases[f"ingest {name}"] = {
                "input_mb": round(sizes[name] / 1e6, 1),
                **run(["ingest", f"inputs/{name}", "--out-dir", "out"], root),
            }
        cases["ingest seeds (baseline)"] = run(["ingest", "--out-dir", "out"], root)

        # A zip bomb posing as a model: 1 GB of zeros in a small compressed member.
        bomb = root / "bomb.skops"
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("schema.json", json.dumps({"__class__": "Pipeline"}))
            with zf.open("big.npy", "w", force_zip64=True) as member:
                chunk = bytes(1 << 20)
                for _ in range(1024):
                    member.write(chunk)
        card = {
            "sha256": hashlib.sha256(bomb.read_bytes()).hexdigest(),
            "versions": {"scikit-learn": version("scikit-learn")},
        }
        bomb.with_suffix(".card.json").write_text(json.dumps(card))
        cases["predict with a zip-bomb model"] = {
            "input_mb": round(bomb.stat().st_size / 1e6, 1),
            **run(["predict", "Moscow denied it.", "--model", "bomb.skops"], root),
        }
        cases.update(issue_20_cases(root))
        from hostile_rerun import rerun_cases

        cases.update(rerun_cases(root, run))
    # `expect` 0: a case the project now handles (a long row, a lost worker) rather than refuses.
    refused = all(
        c.get("refused", c.get("exit_code") == c.get("expect", 1))
        for k, c in cases.items()
        if k != "ingest seeds (baseline)"
    )
    write_result(
        "hostile",
        {
            "command": "python benchmarks/hostile.py",
            "cases": cases,
            "all_hostile_inputs_refused": refused,
            "no_traceback": not any(c.get("traceback") for c in cases.values()),
            "nothing_left_behind": all(
                c.get("unchanged", True) and c.get("no_leftovers", True) for c in cases.values()
            ),  # fmt: skip
            "max_peak_mb": max(float(c.get("peak_mb", 0)) for c in cases.values()),  # type: ignore[arg-type]
        },
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def issue_20_cases(root: Path) -> dict[str, dict[str, object]]:
    """The adversarial run of issue 20: outputs over sources, a broken registry, imports onto
    the wrong text, pipes as inputs, strict configuration. Each is refused with one line, and
    `unchanged` says the file it aimed at is byte for byte as before."""
    import os

    out: dict[str, dict[str, object]] = {}
    ok = run(["ingest"], root)
    assert ok["exit_code"] == 0, ok
    rows = [
        ("North Korea denied any role in the attack.", "PRK", "oppose"),
        ("The FBI blamed North Korea for the hack.", "USA", "support"),
        ("Seoul hosted trade talks.", "KOR", "neutral"),
    ] * 3
    (root / "t.csv").write_text(
        "sentence,actor,stance\n" + "".join(f"{s},{a},{y}\n" for s, a, y in rows)
    )
    ok = run(["train", "--data", "t.csv", "--model-out", "models/m.skops"], root)
    assert ok["exit_code"] == 0, ok
    (root / "in.jsonl").write_text('{"sentence": "Moscow denied it.", "actor": "RUS"}\n')
    (root / "README.md").write_text("# my project\n")
    m = ["--model", "models/m.skops"]
    export = ["export", "--format", "prodigy", "--annotator", "core", "--output"]
    targets = {
        "export over the gold log": (export + ["data/annotations/core.jsonl"], "data/annotations/core.jsonl"),
        "export over the candidates": (export + ["data/interim/candidates.jsonl"], "data/interim/candidates.jsonl"),
        "export over README.md": (export + ["README.md"], "README.md"),
        "labelstudio config over its tasks": (
            ["export", "--format", "labelstudio", "--annotator", "core", "--output", "t.xml"], "t.xml"
        ),
        "agreement over params.yaml": (["agreement", "--output", "params.yaml"], "params.yaml"),
        "predict over the gold log": (
            ["predict", "Moscow denied it.", "--output", "data/annotations/core.jsonl", *m],
            "data/annotations/core.jsonl",
        ),
        "predict over its input": (["predict", "--text-file", "in.jsonl", "--output", "in.jsonl", *m], "in.jsonl"),
        "train over the gold log": (["train", "--model-out", "data/annotations/core.jsonl"], "data/annotations/core.jsonl"),
        "ingest into its input folder": (["ingest", "seeds", "--out-dir", "seeds"], "seeds/documents.jsonl"),
        "claims add with bytes that are not UTF-8": (
            ["claims", "add", "Russia was behind the Sony hack \udcff\udcfe", "--date", "2020-01-02",
             "--accuser", "USA"],
            "data/claims.yaml",
        ),
        "claims add with ESC and BEL": (
            ["claims", "add", "Russia was behind the \x1b]0;x\x07 Sony hack", "--date", "2020-01-02",
             "--accuser", "USA"],
            "data/claims.yaml",
        ),
        "predict empty text": (["predict", "   ", *m], "data/claims.yaml"),
    }  # fmt: skip
    for name, (args, target) in targets.items():
        before = sha(root / target)
        out[name] = {**run(args, root), "unchanged": sha(root / target) == before}
    # An import whose row names a candidate but carries another sentence.
    cand = json.loads((root / "data/interim/candidates.jsonl").read_text().splitlines()[0])
    task = {"text": "Moscow denied it.", "meta": {"id": cand["id"], "actor": cand["actor"]},
            "answer": "accept", "accept": ["oppose"]}  # fmt: skip
    (root / "wrong.jsonl").write_text(json.dumps(task) + "\n")
    out["import onto another sentence"] = {
        **run(["import", "wrong.jsonl", "--format", "prodigy", "--annotator", "x"], root),
        "unchanged": not (root / "data/annotations/x.jsonl").exists(),
    }
    (root / "empty.jsonl").write_text("")
    out["import of an empty file"] = run(
        ["import", "empty.jsonl", "--format", "prodigy", "--annotator", "x"], root
    )
    os.mkfifo(root / "pipe.txt")
    out["ingest a named pipe"] = run(["ingest", "pipe.txt", "--out-dir", "out"], root, timeout=60)
    os.symlink("/dev/zero", root / "zero.jsonl")
    out["predict --input a link to /dev/zero"] = run(
        ["predict", "--input", "zero.jsonl", "--output", "o.jsonl", *m], root, timeout=60
    )
    params = (root / "params.yaml").read_text()
    (root / "dup.yaml").write_text(params + "build:\n  seed: 1\n")
    out["params with a section twice"] = run(["build", "--params", "dup.yaml"], root)
    return out


if __name__ == "__main__":
    main()
