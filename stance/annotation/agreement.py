"""`stance agreement`: how reliable the labels are, from every annotator's log.

Figures follow the conventions of ../shared/docs/domain.md: percent agreement beside
Krippendorff's alpha (nominal, any number of coders, missing data allowed) with a bootstrap 95%
interval over items; Cohen's kappa per pair of coders; Fleiss' kappa over the items every coder
labelled. Alpha >= 0.800 is reliable, 0.667-0.800 tentative (Krippendorff 2004); under 100
doubly-coded items the interval is wide and a warning says so. Only labels count: skips do not.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from itertools import combinations
from pathlib import Path
from typing import Any

from stance.core.errors import AnnotationError
from stance.core.paths import PATHS
from stance.core.schema import LABELS

RELIABLE, TENTATIVE = 0.800, 0.667
MIN_ITEMS = 100

Ratings = Mapping[Any, Mapping[str, Any]]  # item -> coder -> value


def _clean(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def verdict(alpha: float | None) -> str:
    if alpha is None:
        return "not computable"
    if alpha >= RELIABLE:
        return "reliable (>= 0.800)"
    if alpha >= TENTATIVE:
        return "tentative (0.667-0.800)"
    return "unreliable (< 0.667)"


def percent_agreement(ratings: Ratings) -> float | None:
    """Mean over items of the share of agreeing coder pairs."""
    shares = []
    for coders in ratings.values():
        values = list(coders.values())
        pairs = list(combinations(values, 2))
        if pairs:
            shares.append(sum(a == b for a, b in pairs) / len(pairs))
    return sum(shares) / len(shares) if shares else None


def krippendorff_alpha(ratings: Ratings, categories: Sequence[Hashable]) -> float | None:
    """Nominal alpha over items with at least two ratings."""
    import krippendorff
    import numpy as np

    items = [i for i, c in ratings.items() if len(c) >= 2]
    coders = sorted({c for i in items for c in ratings[i]})
    if len(items) < 1 or len(coders) < 2:
        return None
    code = {v: n for n, v in enumerate(categories)}
    data = np.full((len(coders), len(items)), np.nan)
    for j, item in enumerate(items):
        for i, coder in enumerate(coders):
            if coder in ratings[item]:
                data[i, j] = code[ratings[item][coder]]
    if len({v for i in items for v in ratings[i].values()}) < 2:
        return 1.0  # every rating the same: perfect agreement, alpha's formula is 0/0
    return float(
        krippendorff.alpha(
            reliability_data=data,
            level_of_measurement="nominal",
            value_domain=list(range(len(categories))),
        )
    )


def bootstrap_alpha(
    ratings: Ratings, categories: Sequence[Hashable], samples: int = 1000, seed: int = 13
) -> tuple[float | None, float | None]:
    """95% interval of alpha from resampling items with replacement."""
    import numpy as np

    items = [i for i, c in ratings.items() if len(c) >= 2]
    if len(items) < 2:
        return None, None
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(samples):
        pick = rng.integers(0, len(items), len(items))
        sample = {n: ratings[items[k]] for n, k in enumerate(pick)}
        a = krippendorff_alpha(sample, categories)
        if a is not None and not math.isnan(a):
            values.append(a)
    if not values:
        return None, None
    lo, hi = np.percentile(values, [2.5, 97.5])
    return float(lo), float(hi)


def cohen_pairs(ratings: Ratings, categories: Sequence[Hashable]) -> list[dict[str, Any]]:
    from sklearn.metrics import cohen_kappa_score

    coders = sorted({c for r in ratings.values() for c in r})
    out = []
    for a, b in combinations(coders, 2):
        both = [(r[a], r[b]) for r in ratings.values() if a in r and b in r]
        kappa = None
        if len(both) >= 2:
            x, y = zip(*both, strict=True)
            if len(set(x) | set(y)) == 1:
                kappa = 1.0
            else:
                kappa = cohen_kappa_score(x, y, labels=list(categories))
        out.append(
            {
                "coders": [a, b],
                "items": len(both),
                "percent_agreement": _clean(sum(p == q for p, q in both) / len(both))
                if both
                else None,
                "cohen_kappa": _clean(kappa),
            }
        )
    return out


def fleiss(ratings: Ratings, categories: Sequence[Hashable]) -> tuple[float | None, int]:
    """Fleiss' kappa over the items rated by every coder, and how many such items there are."""
    from statsmodels.stats.inter_rater import fleiss_kappa

    coders = sorted({c for r in ratings.values() for c in r})
    complete = [r for r in ratings.values() if len(r) == len(coders)]
    if len(coders) < 2 or len(complete) < 2:
        return None, len(complete)
    table = [[Counter(r.values())[c] for c in categories] for r in complete]
    if sum(1 for col in zip(*table, strict=True) if any(col)) < 2:
        return 1.0, len(complete)
    return float(fleiss_kappa(table, method="fleiss")), len(complete)


def reliability(
    ratings: Ratings, categories: Sequence[Hashable], samples: int = 1000, seed: int = 13
) -> dict[str, Any]:
    """All figures for one set of ratings (items coded by fewer than two coders are ignored)."""
    doubly = {i: c for i, c in ratings.items() if len(c) >= 2}
    alpha = krippendorff_alpha(doubly, categories)
    lo, hi = bootstrap_alpha(doubly, categories, samples, seed)
    fk, fk_items = fleiss(doubly, categories)
    return {
        "items": len(doubly),
        "coders": sorted({c for r in doubly.values() for c in r}),
        "percent_agreement": _clean(percent_agreement(doubly)),
        "krippendorff_alpha": _clean(alpha),
        "alpha_ci95": [_clean(lo), _clean(hi)],
        "verdict": verdict(_clean(alpha)),
        "fleiss_kappa": _clean(fk),
        "fleiss_items": fk_items,
        "cohen_kappa": cohen_pairs(doubly, categories),
    }


def agreement(
    annotations_dir: Path,
    candidates: dict[str, dict[str, Any]] | None = None,
    claim: str | None = None,
    samples: int = 1000,
    claims_path: Path | None = None,
) -> dict[str, Any]:
    """The full report: overall, per label, per actor, and the list of disagreements.

    `claims_path` (the claim registry) lets an unknown `claim` be an error rather than an empty
    report that looks like no one labelled anything."""
    from stance.annotation.log import read_all

    if not annotations_dir.is_dir():
        raise AnnotationError(
            f"--annotations {annotations_dir}: no such folder (annotator logs live in "
            f"{PATHS.annotations}/)"
        )
    if samples < 1:
        raise AnnotationError(f"--samples {samples}: expected a positive number of resamples")
    if claim is not None and claims_path is not None:
        from stance.corpus.claim_input import registry_claim

        claim = registry_claim(claim, claims_path)

    states, warnings = read_all(annotations_dir)
    ratings: dict[str, dict[str, str]] = {}
    info: dict[str, dict[str, Any]] = {}
    for coder, items in states.items():
        for cid, st in items.items():
            if st.stance is None or (claim and st.claim != claim):
                continue
            ratings.setdefault(cid, {})[coder] = st.stance
            info.setdefault(cid, {"actor": st.actor, "sentence": st.sentence, "notes": {}})
            if st.note:
                info[cid]["notes"][coder] = st.note
    report = reliability(ratings, LABELS, samples)
    doubly = {i: c for i, c in ratings.items() if len(c) >= 2}
    report["annotators"] = {c: sum(1 for r in ratings.values() if c in r) for c in sorted(states)}
    report["per_label"] = {}
    for label in LABELS:
        binary = {i: {c: v == label for c, v in r.items()} for i, r in doubly.items()}
        a = krippendorff_alpha(binary, [False, True])
        report["per_label"][label] = {
            "items_with_label": sum(1 for r in doubly.values() if label in r.values()),
            "percent_agreement": _clean(percent_agreement(binary)),
            "krippendorff_alpha": _clean(a),
        }
    actors = sorted({info[i]["actor"] for i in doubly})
    report["per_actor"] = {
        actor: {
            "items": sum(1 for i in doubly if info[i]["actor"] == actor),
            "percent_agreement": _clean(
                percent_agreement({i: r for i, r in doubly.items() if info[i]["actor"] == actor})
            ),
            "krippendorff_alpha": _clean(
                krippendorff_alpha(
                    {i: r for i, r in doubly.items() if info[i]["actor"] == actor}, LABELS
                )
            ),
        }
        for actor in actors
    }
    report["disagreements"] = [
        {"id": i, **{k: info[i][k] for k in ("actor", "sentence", "notes")}, "labels": r}
        for i, r in sorted(doubly.items(), key=lambda kv: str(kv[0]))
        if len(set(r.values())) > 1
    ]
    if report["items"] < MIN_ITEMS:
        warnings.append(
            f"only {report['items']} doubly-coded items (fewer than {MIN_ITEMS}): the figures "
            f"have wide intervals; route more overlap with `stance annotate --team ... --overlap`"
        )
    report["warnings"] = warnings
    report["thresholds"] = {"reliable": RELIABLE, "tentative": TENTATIVE}
    from stance.annotation.suggestions import suggestion_agreement

    report["suggestions"] = suggestion_agreement(annotations_dir)
    if candidates is not None:
        report["stale"] = sorted(i for i in ratings if i not in candidates)
    return report


def render(report: dict[str, Any]) -> str:
    """The report as text for the terminal."""
    f = lambda x: "-" if x is None else f"{x:.3f}"  # noqa: E731
    lo, hi = report["alpha_ci95"]
    lines = [
        f"Doubly-coded items: {report['items']}   coders: {', '.join(report['coders']) or '-'}",
        "Labels per annotator: "
        + (", ".join(f"{k} {v}" for k, v in report["annotators"].items()) or "none"),
        f"Percent agreement:   {f(report['percent_agreement'])}",
        f"Krippendorff alpha:  {f(report['krippendorff_alpha'])}  95% CI [{f(lo)}, {f(hi)}]  "
        f"-> {report['verdict']}",
        f"Fleiss' kappa:       {f(report['fleiss_kappa'])}  (over {report['fleiss_items']} items "
        f"labelled by every coder)",
        f"Thresholds: alpha >= {RELIABLE:.3f} reliable, >= {TENTATIVE:.3f} tentative",
    ]
    for pair in report["cohen_kappa"]:
        lines.append(
            f"Cohen's kappa {pair['coders'][0]} x {pair['coders'][1]}: {f(pair['cohen_kappa'])} "
            f"(n={pair['items']}, agreement {f(pair['percent_agreement'])})"
        )
    lines.append(
        "Per label (label vs rest): "
        + "; ".join(
            f"{k} alpha {f(v['krippendorff_alpha'])} agr {f(v['percent_agreement'])}"
            for k, v in report["per_label"].items()
        )
    )
    for actor, v in report["per_actor"].items():
        lines.append(
            f"  actor {actor}: n={v['items']} alpha {f(v['krippendorff_alpha'])} "
            f"agr {f(v['percent_agreement'])}"
        )
    lines.append(f"Disagreements: {len(report['disagreements'])}")
    for d in report["disagreements"][:20]:
        labels = ", ".join(f"{c}={v}" for c, v in d["labels"].items())
        lines.append(f"  {d['id']} {d['actor']}: {labels} | {d['sentence'][:70]}")
    for name, v in report.get("suggestions", {}).items():
        lines.append(
            f"Model suggestions, {name}: accepted {v['accepted']} of {v['shown']} shown "
            f"({f(v['acceptance'])}); agreed on {v['agreed']} of {v['blind']} blind "
            f"({f(v['blind_agreement'])})"
        )
    lines += [f"Warning: {w}" for w in report["warnings"]]
    return "\n".join(lines)
