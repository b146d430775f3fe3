"""The dataset card (README.md of the release): Hub metadata and prose, from the data and reports."""

from __future__ import annotations

from collections import Counter
from typing import Any

from stance.core.schema import LABELS
from stance.release.layout import (
    LICENSE,
    LICENSE_NAME,
    PRETTY_NAME,
    ReleasePaths,
    _json,
    features,
    yaml_features,
)


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


def card_metadata(frame: Any, notes: Any, summary: dict[str, Any]) -> dict[str, Any]:
    def info(name: str, kind: str, splits: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            "config_name": name,
            "features": yaml_features(features(kind)),
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

    from stance.annotation.guidelines import load_guidelines

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
