"""Hostile input: what one bad file costs now that inputs have size limits.

    python benchmarks/hostile.py            # -> benchmarks/results/hostile.json

Each case runs `stance ingest` (or loads a model) in a fresh process on a generated input and
records the exit code, the first line of stderr, wall time and the process's peak memory
(VmHWM). Before the limits (issue 12): a 62 MB one-line text took 3.6 GB; a 100 MB JSONL
line 3.8 GB and 194 s; a 1 MB zip-bomb model file 2.3 GB. The goal is refusal in well under a
second with memory near the interpreter's own, and the project's own seeds unaffected.
"""

from __future__ import annotations

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


def run(args: list[str], cwd: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", RUNNER, *args], cwd=cwd, capture_output=True, text=True
    )
    seconds = time.perf_counter() - t0
    lines = out.stderr.strip().splitlines()
    peak = next((int(x.split()[1]) for x in reversed(lines) if x.startswith("PEAK_KB")), 0)
    message = next((x for x in lines if x.startswith("Error:")), "")
    return {
        "exit_code": out.returncode,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak / 1024, 1),
        "message": message[:200],
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
    refused = all(c["exit_code"] == 1 for k, c in cases.items() if not k.startswith("ingest seeds"))
    write_result(
        "hostile",
        {
            "command": "python benchmarks/hostile.py",
            "cases": cases,
            "all_hostile_inputs_refused": refused,
            "max_peak_mb": max(float(c["peak_mb"]) for c in cases.values()),  # type: ignore[arg-type]
        },
    )


if __name__ == "__main__":
    main()
