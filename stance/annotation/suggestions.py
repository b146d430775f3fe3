"""How people's labels agree with the model's suggestions, per annotator.

A decision made with a model in the loop records the model's label and whether it was shown
(stance.annotation.session). On shown items, `accepted` is how often people took it; on the
blind share, `agreement` is how often people and the model agree without the suggestion's pull:
the difference between the two is what the suggestion itself does to the labels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stance.annotation.log import annotator_logs, replay
from stance.core.schema import DECISION_EVENTS


def suggestion_agreement(annotations_dir: Path) -> dict[str, dict[str, Any]]:
    """Annotator -> counts and rates for the items labelled with a model's label recorded;
    annotators who never had one are left out."""
    out: dict[str, dict[str, Any]] = {}
    for name, path in annotator_logs(annotations_dir).items():
        last: dict[str, dict[str, Any]] = {}
        for e in replay(path).effective():
            if e["event"] in DECISION_EVENTS:
                last[e["id"]] = e
        shown = blind = accepted = agreed = 0
        for e in last.values():
            hint = e.get("suggestion")
            if e["event"] != "label" or not hint:
                continue
            same = e["stance"] == hint["label"]
            if hint["shown"]:
                shown, accepted = shown + 1, accepted + same
            else:
                blind, agreed = blind + 1, agreed + same
        if shown or blind:
            out[name] = {
                "shown": shown,
                "accepted": accepted,
                "acceptance": round(accepted / shown, 4) if shown else None,
                "blind": blind,
                "agreed": agreed,
                "blind_agreement": round(agreed / blind, 4) if blind else None,
            }
    return out
