"""Do two versions of the code predict the same? For speed-ups that must not change a thing.

Builds a few thousand varied (sentence, actor, claim[, mentions]) rows (the dataset with and
without mention offsets, the constructed sentences with registry claims, claims given as text,
no claim and the AUTHOR actor, benchmarks/predict.py's synthetic rows with names and with
actor ids, offsets the tagger does not produce, non-ASCII text), then, in one process per code
version, computes on the same model: the actor view (with roles from the registry, the text
and none), the pipeline's probabilities, and the compiled (NumPy-only) model's probabilities.
Views must be equal; probabilities equal to `--atol`.

    python benchmarks/predict_equivalence.py --reference /tmp/stance_old [--model models/model.skops]

`--reference` is a directory holding another version's `stance` package (for example
`git archive <commit> stance | tar -x -C /tmp/stance_old`).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_rows() -> list[dict]:
    import pandas as pd

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from predict import OBJECTS, SUBJECTS, VERBS  # the benchmark's synthetic sentences

    rows: list[dict] = []
    data = ROOT / "data/processed/dataset.parquet"
    if data.exists():
        frame = pd.read_parquet(data)
        for r in frame.to_dict("records"):
            base = {"sentence": r["sentence"], "actor": r["actor"], "claim": r["claim"]}
            # Offsets in the dataset are relative to the sentence's start in its document.
            at = int(r["start"])
            ms = [
                {"start": int(m["start"]) - at, "end": int(m["end"]) - at}
                for m in (r["mentions"] if r["mentions"] is not None else [])
            ]
            rows.append({**base, "mentions": ms})
            rows.append(base)
    for path in sorted((ROOT / "data/constructed").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            r = json.loads(line)
            for actor in r["labels"]:
                rows.append({"sentence": r["text"], "actor": actor, "claim": r["claim"]})
                rows.append({"sentence": r["text"], "actor": actor, "claim": None})
                rows.append(
                    {
                        "sentence": r["text"],
                        "actor": actor,
                        "claim": "North Korea was behind the attack, the United States said",
                    }
                )
            rows.append({"sentence": r["text"], "actor": "AUTHOR", "claim": r["claim"]})
            rows.append({"sentence": r["text"], "actor": "XYZ", "claim": "unknown-claim"})
    ids = SUBJECTS  # name -> actor id
    rng = random.Random(11)
    for i in range(2500):
        a, b = rng.sample(sorted(SUBJECTS), 2)
        text = (
            f"{a[0].upper()}{a[1:]} {rng.choice(VERBS)} "
            f"{rng.choice(OBJECTS).format(o=b)} on day {i}, officials said."
        )
        for who in (a, b):
            rows.append({"sentence": text, "actor": who, "claim": "sony-hack-2014"})
            rows.append({"sentence": text, "actor": ids[who], "claim": "sony-hack-2014"})
        if i % 10 == 0:
            # Offsets of the right words, and offsets of words the tagger does not tag.
            s = text.find(b)
            rows.append(
                {
                    "sentence": text,
                    "actor": ids[b],
                    "claim": "dnc-hack-2016",
                    "mentions": [{"start": s, "end": s + len(b)}],
                }
            )
            rows.append(
                {
                    "sentence": text,
                    "actor": ids[a],
                    "claim": "sony-hack-2014",
                    "mentions": [{"start": 2, "end": 7}, {"start": 20, "end": 26}],
                }
            )
    odd = [
        "İstanbul officials said Russia denied it had hacked the ministry’s servers.",
        "Pyongyang’s envoy called the accusation “a fabrication” — and the U.S. said it "
        "had high confidence.",
        "Did North Korea hack Sony? Washington says yes; Beijing doubts it.",
        "ÆØÅ: the Kremlin wasn't involved, Moscow said.",
        "",
        "US officials told us nothing.",
        "The Kremlin the Kremlin North Korea North Korean Kim Jong-Un Kim Jong Un blamed blamed.",
    ]
    for text in odd:
        for actor in ("RUS", "USA", "PRK", "CHN", "AUTHOR"):
            rows.append({"sentence": text or "x", "actor": actor, "claim": "sony-hack-2014"})
    return rows


def compute(model: Path, rows_path: Path, out_path: Path) -> None:
    import pandas as pd

    import stance
    from stance.model.persist import load

    print("code:", Path(stance.__file__).parent, file=sys.stderr)
    pipe, _ = load(model)
    rows = pickle.loads(rows_path.read_bytes())
    frame = pd.DataFrame(rows)
    frame["mentions"] = [r.get("mentions") for r in rows]
    frame = frame.astype({"sentence": str, "actor": str})
    result: dict = {"views": {}}
    view = pipe[0]
    for roles in ("registry", "text", "none"):
        view.set_params(roles=roles)
        result["views"][roles] = view.transform(frame)
    view.set_params(roles="registry")
    result["sklearn"] = pipe.predict_proba(frame)
    # What `stance predict` computes, as the version's code gets it: a Predictor (one
    # prediction path), or, in older code, the actor view and then the export or pipeline.
    try:
        from stance.model.persist import load_predictor
    except ImportError:
        table_proba, whole, export_proba = _older(model, pipe, frame)
    else:
        predictor, _ = load_predictor(model)

        def table_proba(part: pd.DataFrame):
            return predictor.predict(part).probs

        pred = predictor.predict(frame)
        whole = (pred.labels, pred.scores, pred.found)
        export_proba = load_predictor(model)[0].predict(frame).probs  # a fresh one
    result["proba"] = table_proba(frame)
    # In pieces too: nothing computed for one batch may leak into the next.
    result["proba_batches"] = [
        table_proba(frame.iloc[i : i + 777]) for i in range(0, len(frame), 777)
    ]
    result["predict_frame"] = whole
    result["compiled"] = export_proba
    out_path.write_bytes(pickle.dumps(result))


def _older(model: Path, pipe, frame):
    """The same three results from code before stance.model.predictor (stance.model.compiled)."""
    import zipfile

    from stance.model import compiled as comp
    from stance.model.predict import predict_frame

    def table_proba(part):
        view = pipe[0].transform(part)
        fast = getattr(comp, "pipeline_proba", None)
        return fast(pipe, view) if fast else pipe[1:].predict_proba(view)

    pred = predict_frame(pipe, frame)
    with zipfile.ZipFile(model) as archive:
        model_c = comp.CompiledModel(archive)
    probs = model_c.predict_proba(
        frame["sentence"].tolist(),
        frame["actor"].tolist(),
        frame["claim"].tolist(),
        frame["mentions"].tolist(),
    )[0]
    return table_proba, (pred.labels, pred.scores, pred.found), probs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", type=Path)
    ap.add_argument("--model", type=Path, default=ROOT / "models/model.skops")
    ap.add_argument("--atol", type=float, default=1e-9)
    ap.add_argument("--compute", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.compute:
        compute(*map(Path, args.compute))
        return
    import numpy as np
    import pandas as pd

    if args.reference is None:
        ap.error("--reference is required")
    rows = make_rows()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        rows_path = Path(tmp) / "rows.pkl"
        rows_path.write_bytes(pickle.dumps(rows))
        for i, code in enumerate((args.reference, ROOT)):
            out = Path(tmp) / f"out{i}.pkl"
            env = {**os.environ, "PYTHONPATH": str(code)}
            subprocess.run(
                [sys.executable, __file__, "--compute", str(args.model), str(rows_path), str(out)],
                env=env,
                check=True,
                cwd=tmp,
            )
            results.append(pickle.loads(out.read_bytes()))
    old, new = results
    for roles, frame in old["views"].items():
        pd.testing.assert_frame_equal(frame, new["views"][roles], check_exact=True)
    diffs = {
        "pipeline": float(np.abs(old["proba"] - new["proba"]).max()),
        "pipeline_batches": max(
            float(np.abs(a - b).max())
            for a, b in zip(old["proba_batches"], new["proba_batches"], strict=True)
        ),
        "compiled": float(np.abs(old["compiled"] - new["compiled"]).max()),
        "compiled_vs_pipeline": float(np.abs(new["compiled"] - new["proba"]).max()),
        "sklearn": float(np.abs(old["sklearn"] - new["sklearn"]).max()),
        "new_table_vs_old_sklearn": float(np.abs(new["proba"] - old["sklearn"]).max()),
    }
    o_lab, o_sc, o_found = old["predict_frame"]
    n_lab, n_sc, n_found = new["predict_frame"]
    rounded = sum(a != b for a, b in zip(o_sc, n_sc, strict=True))
    labels_same = bool((old["proba"].argmax(1) == new["proba"].argmax(1)).all())
    labels_same = labels_same and o_lab == n_lab and o_found == n_found
    report = {
        "rows": len(rows),
        "views_equal": True,
        "labels_equal": labels_same,
        "max_abs_diff": diffs,
        "rows_with_other_rounded_scores": rounded,
    }
    print(json.dumps(report, indent=1))
    if not labels_same or max(diffs.values()) > args.atol:
        sys.exit("predictions differ")


if __name__ == "__main__":
    main()
