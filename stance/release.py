"""`stance release`: the dataset as a Hugging Face dataset repository folder, built offline.

Layout (what `push_to_hub` writes, so `load_dataset(<folder>)` works with no network):
    README.md                                   the card: YAML metadata + prose, generated
    data/{train,validation,test}-00000-of-00001.parquet     config `default`: the gold labels
    annotations/train-00000-of-00001.parquet    config `annotations`: every annotator's labels

Annotator names never leave the project: they become `annotator_01`, ... (adjudicators
`adjudicator_01`, ...) in both configs. The card is generated from the data and the reports and
records the git commit and the dataset's DVC hash (MD5, as in dvc.lock). The folder is built in a
temporary directory and swapped into place only when complete.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stance.errors import StanceError
from stance.schema import ADJUDICATIONS, LABELS, SPLITS

PRETTY_NAME = "stance: actors' stances toward public accusations"
LICENSE = "other"
LICENSE_NAME = "cc-by-4.0-and-quoted-news"


LICENSE_TEXT = """# License

- Annotations (labels, fine tags, notes), constructed sentences, and the dataset's structure:
  Creative Commons Attribution 4.0 International (CC BY 4.0),
  https://creativecommons.org/licenses/by/4.0/
- Rows with `source: seed` quote sentences of published news articles. Their copyright stays
  with the publishers; they are included as short quotations for research on news reporting.
  Check the publishers' terms before redistributing them beyond research use.
"""


class ReleaseError(StanceError):
    "The release folder cannot be built or is invalid."


@dataclass(frozen=True)
class ReleasePaths:
    dataset: Path = Path("data/processed/dataset.parquet")
    annotations: Path = Path("data/annotations")
    actors: Path = Path("data/actors.yaml")
    claims: Path = Path("data/claims.yaml")
    guidelines: Path = Path("docs/guidelines.md")
    agreement: Path = Path("reports/agreement.json")
    metrics: Path = Path("reports/metrics.json")
    emergent: Path = Path("benchmarks/results/emergent.json")
    dvc_lock: Path = Path("dvc.lock")


def features(kind: str) -> Any:
    from datasets import ClassLabel, Features, List, Value

    stance = ClassLabel(names=list(LABELS))
    if kind == "annotations":
        return Features(
            {
                "annotator": Value("string"),
                "role": Value("string"),
                "id": Value("string"),
                "actor": Value("string"),
                "claim": Value("string"),
                "sentence": Value("string"),
                "stance": stance,
                "response": Value("string"),
                "flag": Value("bool"),
                "note": Value("string"),
                "annotated_at": Value("string"),
                "guideline_version": Value("string"),
            }
        )
    return Features(
        {
            "id": Value("string"),
            "doc_id": Value("string"),
            "sentence_id": Value("string"),
            "sentence": Value("string"),
            "start": Value("int32"),
            "end": Value("int32"),
            "group": Value("string"),
            "actor": Value("string"),
            "actor_name": Value("string"),
            "mentions": List(
                {"text": Value("string"), "start": Value("int32"), "end": Value("int32")}
            ),
            "claim": Value("string"),
            "claim_text": Value("string"),
            "stance": stance,
            "response": Value("string"),
            "source": Value("string"),
            "annotators": List(Value("string")),
            "resolution": Value("string"),
        }
    )


def pseudonyms(annotations_dir: Path) -> dict[str, str]:
    """Stable anonymous ids: annotators and adjudicators, each numbered in name order."""
    from stance.annotations import annotator_logs, log_path, replay

    names = sorted(annotator_logs(annotations_dir))
    out = {n: f"annotator_{i:02d}" for i, n in enumerate(names, 1)}
    judges = sorted(
        {e["annotator"] for e in replay(log_path(annotations_dir, ADJUDICATIONS)).events}
    )
    out.update({f"adjudicator:{n}": f"adjudicator_{i:02d}" for i, n in enumerate(judges, 1)})
    return out


def _md5(path: Path) -> str:
    digest = hashlib.md5()  # noqa: S324 - DVC's content hash, not a security measure
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def provenance(paths: ReleasePaths) -> dict[str, Any]:
    """The git commit and the dataset's DVC hash (checked against dvc.lock when present)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--", "stance", "data", "params.yaml", "dvc.yaml"],
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


def _json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def default_rows(paths: ReleasePaths, names: dict[str, str]) -> Any:
    import pandas as pd

    from stance.actors import load_registry
    from stance.claims import load_claims

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

    from stance.annotations import annotator_logs, log_path, replay

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


def size_category(n: int) -> str:
    for limit, name in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
    ):
        if n < limit:
            return name
    return "10M<n<100M"


def build_release(output: Path, paths: ReleasePaths | None = None) -> dict[str, Any]:
    """Write the release folder; returns a summary (rows per config and split, provenance)."""
    paths = paths or ReleasePaths()
    names = pseudonyms(paths.annotations)
    frame = default_rows(paths, names)
    notes = annotation_rows(paths, names)
    columns = list(features("default"))
    with tempfile.TemporaryDirectory(dir=output.parent if output.parent.exists() else None) as tmp:
        folder = Path(tmp) / "release"
        splits: dict[str, dict[str, Any]] = {}
        for split in SPLITS:
            rows = frame[frame["split"] == split]
            if len(rows):
                splits[split] = _write(
                    rows[columns], "default", folder / f"data/{split}-00000-of-00001.parquet"
                )
        ann = {
            "train": _write(
                notes, "annotations", folder / "annotations/train-00000-of-00001.parquet"
            )
        }
        summary = {
            "splits": splits,
            "annotations": ann,
            "provenance": provenance(paths),
            "by_source": _by_source(frame),
            "annotators": sum(1 for v in names.values() if v.startswith("annotator_")),
            "adjudicators": sum(1 for v in names.values() if v.startswith("adjudicator_")),
        }
        card = render_card(frame, notes, summary, paths)
        (folder / "README.md").write_text(card, encoding="utf-8")
        (folder / "LICENSE.md").write_text(LICENSE_TEXT, encoding="utf-8")
        validate_card(folder)
        if output.exists():
            shutil.rmtree(output)
        shutil.move(str(folder), str(output))
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


# --- the card -------------------------------------------------------------------------------------


def card_metadata(frame: Any, notes: Any, summary: dict[str, Any]) -> dict[str, Any]:
    def info(name: str, kind: str, splits: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            "config_name": name,
            "features": features(kind)._to_yaml_list(),
            "splits": [
                {"name": s, "num_bytes": v["num_bytes"], "num_examples": v["num_examples"]}
                for s, v in splits.items()
            ],
            "download_size": sum(v["download_size"] for v in splits.values()),
            "dataset_size": sum(v["num_bytes"] for v in splits.values()),
        }

    sources = set(frame["source"])
    return {
        "license": LICENSE,
        "license_name": LICENSE_NAME,
        "license_link": "LICENSE.md",
        "language": ["en"],
        "pretty_name": PRETTY_NAME,
        "size_categories": [size_category(len(frame))],
        "task_categories": ["text-classification"],
        "task_ids": ["multi-class-classification"],
        "tags": [
            "stance-detection",
            "target-dependent-stance",
            "geopolitics",
            "news",
            "attribution",
            "cyber-attacks",
        ],
        "annotations_creators": ["expert-generated"],
        "language_creators": sorted(
            {"found" if s != "constructed" else "expert-generated" for s in sources}
        ),
        "multilinguality": ["monolingual"],
        "source_datasets": ["original"],
        "configs": [
            {
                "config_name": "default",
                "default": True,
                "data_files": [
                    {"split": s, "path": f"data/{s}-00000-of-00001.parquet"}
                    for s in summary["splits"]
                ],
            },
            {
                "config_name": "annotations",
                "data_files": [
                    {"split": "train", "path": "annotations/train-00000-of-00001.parquet"}
                ],
            },
        ],
        "dataset_info": [
            info("default", "default", summary["splits"]),
            info("annotations", "annotations", summary["annotations"]),
        ],
    }


def _fmt(x: Any) -> str:
    return "-" if x is None else f"{x:.3f}" if isinstance(x, float) else str(x)


def render_card(frame: Any, notes: Any, summary: dict[str, Any], paths: ReleasePaths) -> str:
    import yaml

    from stance.guidelines import load_guidelines

    meta = card_metadata(frame, notes, summary)
    guide = load_guidelines(paths.guidelines)
    agreement = _json(paths.agreement)
    metrics = _json(paths.metrics)
    emergent = _json(paths.emergent)
    prov = summary["provenance"]
    src = summary["by_source"]
    real = sum(v["sentences"] for k, v in src.items() if k != "constructed")
    constructed = src.get("constructed", {}).get("sentences", 0)
    labels = Counter(frame["stance"])
    split_rows = {s: v["num_examples"] for s, v in summary["splits"].items()}
    lines = [
        "---",
        yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100).strip(),
        "---",
        "",
        f"# {PRETTY_NAME}",
        "",
    ]
    lines += [
        "## Summary",
        "",
        "When one state publicly accuses another, every other actor in the news takes a position. "
        "Each row of this dataset is one (sentence, actor, claim): a sentence from a news article "
        "(or written for training, see *Sources*), one actor mentioned in it, and one accusation; "
        "the label is that actor's stance toward the accusation: `support`, `oppose` or "
        "`neutral`. The seed case is the US accusation of December 2014 that North Korea was "
        "behind the cyber-attack on Sony Pictures.",
        "",
        f"- {len(frame)} labelled rows ({', '.join(f'{s} {n}' for s, n in split_rows.items())}); "
        f"labels: {', '.join(f'{k} {labels.get(k, 0)}' for k in LABELS)}.",
        f"- {real} sentences from real source documents and {constructed} sentences marked "
        "`source: constructed` (written by the team from the guidelines).",
        f"- {len(notes)} individual labels from {summary['annotators']} annotator(s) and "
        f"{summary['adjudicators']} adjudicator(s) in the `annotations` config.",
        f"- Built from git commit `{prov['git_commit']}`"
        + (" (with uncommitted changes)" if prov["uncommitted_changes"] else "")
        + f"; dataset DVC hash (MD5) `{prov['dataset_md5']}`"
        + (
            ""
            if prov["dvc_lock_md5"] is None
            else f" ({'matches' if prov['matches_dvc_lock'] else 'differs from'} `dvc.lock`)"
        )
        + ".",
        "",
        "## How to load",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        'gold = load_dataset("<this repository>")               # train / validation / test',
        'raw = load_dataset("<this repository>", "annotations")  # every individual label',
        'gold["test"].features["stance"].names                  # ["support", "oppose", "neutral"]',
        "```",
        "",
        'A local copy of this folder loads the same way: `load_dataset("path/to/folder")`.',
        "",
        "## Fields",
        "",
        "Config `default` (one row per sentence, actor and claim):",
        "",
        "| field | meaning |",
        "|---|---|",
        "| `id` | stable candidate id: a hash of (doc_id, start, end, actor, claim) |",
        "| `doc_id`, `sentence_id` | source document (its file name) and sentence within it |",
        "| `sentence`, `start`, `end` | the sentence and its character offsets (0-based, end-exclusive) in the stored document text |",
        "| `group` | near-duplicate group: sentences sharing most of their words (shared quotes) share it |",
        "| `actor`, `actor_name` | actor id (ISO 3166-1 alpha-3 for states, UPPER_SNAKE_CASE otherwise) and name |",
        "| `mentions` | the actor's mentions: text and document offsets |",
        "| `claim`, `claim_text` | the accusation's id and wording |",
        "| `stance` | ClassLabel: 0 `support`, 1 `oppose`, 2 `neutral` |",
        "| `response` | optional fine tag: accuse, retaliate, endorse, deny, dispute_evidence, call_for_investigation, criticize_response, sympathize, praise_attack, none |",
        "| `source` | `seed`, `constructed` or `imported:<name>` |",
        "| `annotators` | pseudonymous ids of the annotators who labelled the row |",
        "| `resolution` | `unanimous`, `majority`, `adjudicated` or `constructed` (the writer's label) |",
        "",
        "Config `annotations`: `annotator` (pseudonym), `role` (annotator or adjudicator), `id`, "
        "`actor`, `claim`, `sentence`, `stance`, `response`, `flag`, `note`, `annotated_at` "
        "(UTC), `guideline_version`.",
        "",
        "## Label definitions",
        "",
        f"From the annotation guidelines, version {guide.version}:",
        "",
        guide.summary,
        "",
        "## Annotation process",
        "",
        "Items are labelled in a keyboard-driven terminal tool (`stance annotate`): one key per "
        "label, every label fsynced to an append-only log before the next item appears, undo as "
        "a logged retraction, flags with notes for review. Several annotators can share the work "
        "with a configurable overlap for agreement; disagreements and flagged items are "
        "adjudicated (`stance adjudicate`). A row's label is the adjudicator's, else the "
        "unanimous label, else a strict majority; unresolved items are left out, never guessed. "
        "The seed articles are labelled in full by one expert annotator of the team; constructed "
        "sentences carry the label their writer gave each actor.",
        "",
        "## Agreement",
        "",
    ]
    if agreement and agreement.get("items"):
        lo, hi = agreement["alpha_ci95"]
        lines += [
            f"Over {agreement['items']} doubly-coded items ({', '.join(agreement['coders'])}): "
            f"percent agreement {_fmt(agreement['percent_agreement'])}, Krippendorff's alpha "
            f"(nominal) {_fmt(agreement['krippendorff_alpha'])} (95% bootstrap interval "
            f"{_fmt(lo)}-{_fmt(hi)}; {agreement['verdict']}), Fleiss' kappa "
            f"{_fmt(agreement['fleiss_kappa'])}. Thresholds: 0.800 reliable, 0.667 tentative.",
            "",
        ]
    else:
        lines += [
            "No item has been labelled by two annotators yet, so no agreement figure exists: "
            "every label in this release comes from a single annotator (or from the writer of a "
            "constructed sentence). An independent annotation of the seed articles is planned; "
            "treat the labels as one expert's reading until then.",
            "",
        ]
    lines += [
        "## Splits",
        "",
        "Splits are made over documents, never rows: documents that share a near-duplicate "
        "group are kept together, so no document and no shared quote is on two sides. The seed "
        "articles and the held-out constructed files are pinned to `test` (no model is trained "
        "on them); the remaining documents are shared out between `train` and `validation`.",
        "",
        "## Sources",
        "",
        "| source | rows | sentences | documents |",
        "|---|---|---|---|",
        *[f"| `{k}` | {v['rows']} | {v['sentences']} | {v['documents']} |" for k, v in src.items()],
        "",
        "`seed`: two news articles of December 2014 about Russia's reaction to the US accusation. "
        "`constructed`: short news-style sentences written by the team from the guidelines, about "
        "the Sony case and other public attributions of cyber-attacks (WannaCry, NotPetya, the "
        "DNC hack, SolarWinds, Microsoft Exchange, ...); two files of them (`heldout_same`, "
        "`heldout_other`) are test-only, and the latter is about attributions no training "
        "sentence is about. Constructed sentences are not reports of what was said: they are "
        "plausible phrasings for teaching and testing, and must not be cited as facts.",
        "",
        "## Baselines and model results",
        "",
    ]
    if metrics:
        lines += [
            "Macro-F1 on the test split and its parts (95% bootstrap interval), with the "
            "project's classifier (`stance train`: actor-aware features and stance-cue "
            "lexicons, logistic regression) beside a majority-class baseline and a "
            "rule-based cue baseline:",
            "",
            "| part | rows | model | majority | cue rules |",
            "|---|---|---|---|---|",
        ]
        parts = {"test": metrics["splits"].get("test")} | {
            k: v
            for k, v in metrics["subsets"].items()
            if k in ("seed", "heldout_same", "heldout_other")
        }
        for name, t in parts.items():
            if not t or not t["model"].get("rows"):
                continue
            lo, hi = t["model"]["macro_f1_ci95"]
            lines.append(
                f"| {name} | {t['model']['rows']} | {_fmt(t['model']['macro_f1'])} "
                f"({_fmt(lo)}-{_fmt(hi)}) | {_fmt(t['majority'].get('macro_f1'))} | "
                f"{_fmt(t['cue_rules'].get('macro_f1'))} |"
            )
        cv = metrics.get("cv", {})
        lines += [
            "",
            f"Grouped cross-validation on the training rows: macro-F1 {_fmt(cv.get('mean'))} "
            f"(± {_fmt(cv.get('std'))}, {cv.get('folds')} folds).",
        ]
    else:
        lines += ["No model has been evaluated for this release (run `stance evaluate`)."]
    if emergent:
        lines += [
            "",
            f"The same pipeline on the public Emergent benchmark (Ferreira & Vlachos, "
            f"2016; headline stance, trained on its train file): accuracy "
            f"{_fmt(emergent['accuracy'])}, macro-F1 {_fmt(emergent['macro_f1'])} "
            f"(published logistic regression: 0.733 / 0.723).",
        ]
    lines += [
        "",
        "## Limitations and biases",
        "",
        "- Small: the seed set is two articles on one story; most rows are constructed. Figures "
        "on so few rows have wide intervals.",
        "- The constructed sentences reflect their writers' idea of news style; the held-out "
        "constructed sets were written by the same team and were looked at while the features "
        "were designed, as were the seed errors, so their figures are optimistic estimates of "
        "performance on unseen news.",
        "- Labels follow one set of guidelines with judgement calls (reported speech, sympathy, "
        "background mentions); other guidelines would label some rows differently. Until an "
        "independent annotation exists, agreement is unknown.",
        "- Actors are found by a registry of names, capitals, metonyms and officials; pronouns "
        'and most descriptions ("the reclusive nation" aside) are not tagged, so some actors in '
        "a sentence have no row.",
        "- English only, Western-outlet news style; the actors covered are mostly states.",
        "",
        "## License",
        "",
        "Annotations, constructed sentences and code: CC BY 4.0. The seed sentences are short "
        "excerpts of published news articles whose copyright stays with their publishers; they "
        "are included as quotations for research on how news reports positions, with their "
        "offsets so they can be checked against the source. Anyone redistributing the seed "
        "rows beyond research use should check the publishers' terms.",
        "",
        "## Citation",
        "",
        "```bibtex",
        "@misc{stance_dataset,",
        "  title  = {stance: an open dataset of actors' stances toward public accusations},",
        "  author = {{The stance developers}},",
        "  year   = {2026},",
        f"  note   = {{Release built from commit {prov['git_commit']}}}",
        "}",
        "```",
        "",
    ]
    return "\n".join(lines)


# --- validation (what the Hub would check) ----------------------------------------------------------

SIZE_CATEGORIES = ("n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M")
REQUIRED = (
    "license",
    "language",
    "pretty_name",
    "size_categories",
    "task_categories",
    "task_ids",
    "tags",
    "annotations_creators",
    "source_datasets",
    "configs",
    "dataset_info",
)


def read_card(folder: Path) -> tuple[dict[str, Any], str]:
    import yaml

    text = (folder / "README.md").read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ReleaseError(f"{folder}/README.md: no YAML metadata block at the top")
    head, _, body = text[4:].partition("\n---\n")
    meta = yaml.safe_load(head)
    if not isinstance(meta, dict):
        raise ReleaseError(f"{folder}/README.md: the metadata block is not a mapping")
    return meta, body


def validate_card(folder: Path) -> dict[str, Any]:
    """Check the card against the Hub's conventions and the files it names; offline."""
    from huggingface_hub import DatasetCardData

    meta, _ = read_card(folder)
    where = f"{folder}/README.md"
    missing = [k for k in REQUIRED if k not in meta]
    if missing:
        raise ReleaseError(f"{where}: metadata lacks {missing[0]!r}")
    if meta["license"] == "other" and not meta.get("license_name"):
        raise ReleaseError(f"{where}: license 'other' needs a license_name")
    if not set(meta["size_categories"]) <= set(SIZE_CATEGORIES):
        raise ReleaseError(f"{where}: size_categories {meta['size_categories']} is not a Hub bin")
    if "text-classification" not in meta["task_categories"]:
        raise ReleaseError(f"{where}: task_categories must include text-classification")
    DatasetCardData(**meta)  # the Hub client's own parse of the metadata
    infos = {i["config_name"]: i for i in meta["dataset_info"]}
    for config in meta["configs"]:
        info = infos.get(config["config_name"])
        if info is None:
            raise ReleaseError(f"{where}: no dataset_info for config {config['config_name']!r}")
        counts = {s["name"]: s["num_examples"] for s in info["splits"]}
        for df in config["data_files"]:
            path = folder / df["path"]
            if not path.exists():
                raise ReleaseError(
                    f"{where}: config {config['config_name']} names missing {df['path']}"
                )
            import pyarrow.parquet as pq

            if pq.ParquetFile(path).metadata.num_rows != counts.get(df["split"]):
                raise ReleaseError(f"{where}: {df['path']} row count differs from dataset_info")
    return meta
