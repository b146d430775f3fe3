"""`stance release`: the dataset as a Hugging Face dataset repository folder, built offline.

Layout (what `push_to_hub` writes, so `load_dataset(<folder>)` works with no network):
    README.md                                   the card: YAML metadata + prose, generated
    data/{train,validation,test}-00000-of-00001.parquet     config `default`: the gold labels
    annotations/train-00000-of-00001.parquet    config `annotations`: every annotator's labels

Annotator names never leave the project: they become `annotator_01`, ... (adjudicators
`adjudicator_01`, ...) in both configs. The card is generated from the data and the reports and
records the git commit of its inputs and the dataset's DVC hash (MD5, as in dvc.lock). The
folder is built beside the output and swapped into place only when complete, and only over a
previous release (stance.release.folder): `--output` never replaces anything else.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path
from typing import Any

from stance.core.paths import PATHS
from stance.core.schema import ADJUDICATIONS, SPLITS
from stance.release.card import render_card
from stance.release.folder import check_output, replace_folder
from stance.release.layout import (
    LICENSE_TEXT,
    ReleaseError,
    ReleasePaths,
    check_report,
    features,
    parquet_file,
)
from stance.release.validate import validate_card


def pseudonyms(annotations_dir: Path) -> dict[str, str]:
    """Stable anonymous ids: annotators and adjudicators, each numbered in name order."""
    from stance.annotation.log import annotator_logs, log_path, replay

    names = sorted(annotator_logs(annotations_dir))
    out = {n: f"annotator_{i:02d}" for i, n in enumerate(names, 1)}
    judges = sorted(
        {e["annotator"] for e in replay(log_path(annotations_dir, ADJUDICATIONS)).events}
    )
    out.update({f"adjudicator:{n}": f"adjudicator_{i:02d}" for i, n in enumerate(judges, 1)})
    return out


def _md5(path: Path) -> str:
    # DVC's content hash (as in dvc.lock), not a security measure.
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# What a release is made from. Its commit is the last one that changed any of these, not HEAD:
# the commit that records a pipeline run (dvc.lock, reports/) comes after the run, and a release
# naming HEAD would differ in every clone of it, so DVC would never find the pipeline up to date.
INPUTS = [
    PATHS.package.as_posix(),
    PATHS.data.as_posix(),
    PATHS.seeds.as_posix(),
    PATHS.guidelines.as_posix(),
    PATHS.params.as_posix(),
    PATHS.dvc_yaml.as_posix(),
    PATHS.pyproject.as_posix(),
]


def provenance(paths: ReleasePaths) -> dict[str, Any]:
    """The git commit of the inputs and the dataset's DVC hash (checked against dvc.lock when
    present)."""
    try:
        commit = (
            subprocess.run(
                ["git", "log", "-1", "--format=%H", "--", *INPUTS],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            or "unknown"
        )
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--", *INPUTS],
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "unknown", False
    md5 = _md5(paths.dataset)
    locked = None
    if paths.dvc_lock.exists():
        import yaml

        lock = yaml.safe_load(paths.dvc_lock.read_text(encoding="utf-8")) or {}
        for out in (lock.get("stages", {}).get("build", {}) or {}).get("outs", []) or []:
            if out.get("path") == str(paths.dataset):
                locked = out.get("md5")
    return {
        "git_commit": commit,
        "uncommitted_changes": dirty,
        "dataset_md5": md5,
        "dvc_lock_md5": locked,
        "matches_dvc_lock": locked == md5 if locked else None,
    }


def default_rows(paths: ReleasePaths, names: dict[str, str]) -> Any:
    import pandas as pd

    from stance.corpus.actors import load_registry
    from stance.corpus.claims import load_claims

    if not paths.dataset.exists():
        raise ReleaseError(
            f"{paths.dataset}: no dataset: run `stance build` (or `dvc repro`) first"
        )
    frame = pd.read_parquet(paths.dataset)
    registry = load_registry(paths.actors)
    claims = load_claims(paths.claims, registry)
    frame["actor_name"] = [
        registry.actors[a].name if a in registry.actors else a for a in frame["actor"]
    ]
    frame["claim_text"] = [claims[c].text if c in claims else c for c in frame["claim"]]
    frame["annotators"] = [
        [names.get(a, "annotator_unknown") for a in list(x)] for x in frame["annotators"]
    ]
    frame["mentions"] = [
        [{"text": m["text"], "start": int(m["start"]), "end": int(m["end"])} for m in ms]
        for ms in frame["mentions"]
    ]
    return frame


def annotation_rows(paths: ReleasePaths, names: dict[str, str]) -> Any:
    import pandas as pd

    from stance.annotation.log import annotator_logs, log_path, replay

    rows = []
    logs = [(n, p, "annotator") for n, p in annotator_logs(paths.annotations).items()]
    logs.append((ADJUDICATIONS, log_path(paths.annotations, ADJUDICATIONS), "adjudicator"))
    for name, path, role in logs:
        for st in replay(path).items().values():
            if st.stance is None:
                continue  # skips and flags without a label are not labels
            who = names[name] if role == "annotator" else names[f"adjudicator:{st.annotator}"]
            rows.append(
                {
                    "annotator": who,
                    "role": role,
                    "id": st.id,
                    "actor": st.actor,
                    "claim": st.claim,
                    "sentence": st.sentence,
                    "stance": st.stance,
                    "response": st.response,
                    "flag": st.flag,
                    "note": st.note,
                    "annotated_at": st.annotated_at,
                    "guideline_version": st.guideline_version,
                }
            )
    return pd.DataFrame(rows, columns=list(features("annotations")))


def _write(frame: Any, kind: str, path: Path) -> dict[str, Any]:
    import datasets
    from datasets import Dataset

    datasets.disable_progress_bars()  # the CLI prints its own one-line summary

    path.parent.mkdir(parents=True, exist_ok=True)
    ds = Dataset.from_pandas(
        frame.reset_index(drop=True), features=features(kind), preserve_index=False
    )
    ds.to_parquet(str(path))
    return {
        "num_examples": len(ds),
        "num_bytes": int(ds.data.nbytes),
        "download_size": path.stat().st_size,
    }


def build_release(output: Path, paths: ReleasePaths | None = None) -> dict[str, Any]:
    """Write the release folder; returns a summary (rows per config and split, provenance).

    `output` must be new, empty, or a previous release (stance.release.folder); it is checked
    before any input is read, so a refused output costs nothing and touches nothing.
    """
    paths = paths or ReleasePaths()
    check_output(output)
    names = pseudonyms(paths.annotations)
    frame = default_rows(paths, names)  # first: no dataset means no stage has run
    check_report(paths.agreement, "agreement")
    check_report(paths.metrics, "evaluate")
    notes = annotation_rows(paths, names)
    columns = list(features("default"))
    summary: dict[str, Any] = {}

    def build(folder: Path) -> None:
        splits: dict[str, dict[str, Any]] = {}
        for split in SPLITS:
            rows = frame[frame["split"] == split]
            if len(rows):
                splits[split] = _write(
                    rows[columns], "default", folder / parquet_file("default", split)
                )
        ann = {"train": _write(notes, "annotations", folder / parquet_file("annotations", "train"))}
        summary.update(
            splits=splits,
            annotations=ann,
            provenance=provenance(paths),
            by_source=_by_source(frame),
            annotators=sum(1 for v in names.values() if v.startswith("annotator_")),
            adjudicators=sum(1 for v in names.values() if v.startswith("adjudicator_")),
        )
        card = render_card(frame, notes, summary, paths)
        (folder / "README.md").write_text(card, encoding="utf-8")
        (folder / "LICENSE.md").write_text(LICENSE_TEXT, encoding="utf-8")
        validate_card(folder)

    replace_folder(output, build)
    return summary


def _by_source(frame: Any) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for source, g in frame.groupby("source"):
        out[str(source)] = {
            "rows": len(g),
            "sentences": int(g["sentence_id"].nunique()),
            "documents": int(g["doc_id"].nunique()),
        }
    return out
