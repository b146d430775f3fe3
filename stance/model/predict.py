"""`stance predict`: stances for tables of (sentence, actor) rows, or for raw text.

Tables stream in batches (JSONL line by line, CSV in chunks, Parquet by record batch), so
memory is bounded by the batch size, not the input size. The output is written to a temporary
file and renamed into place when complete. Raw text goes through the ingest path (cleaning,
segmentation, actor tagging with the aliases stored in the model) and every (sentence, actor)
pair is predicted.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from stance.core.errors import InputError
from stance.core.tables import TableWriter, count_rows, iter_batches, table_format
from stance.model.data import prepare_table
from stance.model.persist import load


class Prediction(NamedTuple):
    labels: list[str]
    scores: list[dict[str, float]]  # {label: probability}, rounded to 4 places
    found: list[bool]  # whether each row's actor was found in its sentence
    view: Any  # the actor view (ActorView's output), for callers that need more of it


def _labels_and_scores(classes: list[str], probs: Any) -> tuple[list[str], list[dict[str, float]]]:
    labels = [classes[i] for i in probs.argmax(axis=1)]
    scores = [dict(zip(classes, row, strict=True)) for row in probs.round(4).tolist()]
    return labels, scores


def predict_frame(pipe: Any, frame: Any) -> Prediction:
    """Labels, probabilities, actor-found flags and the view they were computed from."""
    from stance.model.compiled import pipeline_proba

    view = pipe[0].transform(frame)
    probs = pipeline_proba(pipe, view)  # pipe[1:].predict_proba(view), faster
    labels, scores = _labels_and_scores([str(c) for c in pipe[-1].classes_], probs)
    return Prediction(labels, scores, [bool(f) for f in view["found"]], view)


def scorer(path: Path) -> Callable[[list[dict[str, Any]]], list[dict[str, float]]]:
    """{label: probability} for candidates, for `stance annotate --order uncertain`."""
    import pandas as pd

    pipe, _ = load(path)

    def score(candidates: list[dict[str, Any]]) -> list[dict[str, float]]:
        frame = prepare_table(pd.DataFrame(candidates), path, need_labels=False)
        return predict_frame(pipe, frame).scores

    return score


def _predict_batch(pipe: Any, batch: Any, path: Path, offset: int) -> Any:
    try:
        frame = prepare_table(batch, path, need_labels=False)
    except InputError as exc:
        # Row numbers in the message are per batch: make them per file.
        msg = str(exc)
        if ": row " in msg:
            head, rest = msg.split(": row ", 1)
            n, tail = rest.split(":", 1)
            msg = f"{head}: row {int(n) + offset}:{tail}"
        raise InputError(msg) from None
    pred = predict_frame(pipe, frame)
    out = batch.copy()
    out["stance"] = pred.labels
    out["scores"] = pred.scores
    out["actor_found"] = pred.found
    return out


def predict_table(
    pipe: Any, source: Path, output: Path, batch_size: int = 10_000, progress: bool = True
) -> int:
    """Predict every row of `source` into `output` (format by suffix); returns the row count.

    The output replaces an existing file only when every row was predicted: an input with no
    rows, or a bad row anywhere, leaves the old output as it was.
    """
    from tqdm import tqdm

    # Every check that needs no model work comes before the progress bar appears.
    table_format(source, "--input")
    table_format(output, "--output")
    if not source.is_file():
        what = "is a directory, expected a file" if source.is_dir() else "no such file"
        raise InputError(f"--input {source}: {what}")
    bar = tqdm(
        total=count_rows(source),
        unit="rows",
        disable=None if progress else True,  # None: only on a terminal
        leave=False,  # cleared when done, so an error line stands alone
        file=sys.stderr,
        mininterval=0.5,
    )
    try:
        with TableWriter(output, "--output") as out:
            for batch in iter_batches(source, batch_size, "--input"):
                out.write(_predict_batch(pipe, batch, source, out.rows))
                bar.update(len(batch))
            if out.rows == 0:
                raise InputError(f"--input {source}: no rows")
    finally:
        bar.close()
    return out.rows


def predict_text(model: Any, text: str, claim: str | None) -> list[dict[str, Any]]:
    """Every (sentence, actor) of a raw text, with its predicted stance.

    `model` is a fitted pipeline or a stance.model.compiled.CompiledModel (what
    persist.load_for_text gives): the same rows, the same probabilities.
    """
    from stance.corpus.sentences import tag_text
    from stance.model.compiled import CompiledModel

    compiled = isinstance(model, CompiledModel)
    known = (model.view["claims"] if compiled else model[0].claims) or {}
    # A claim the model does not know is taken as the accusation's text (its roles are read
    # from it); one word is taken as a mistyped id.
    if claim is not None and claim not in known and len(claim.split()) < 3:
        raise InputError(
            f"--claim {claim}: not a claim this model knows (known: {', '.join(sorted(known))});"
            f' or give the accusation as text, e.g. --claim "Russia was behind the attack"'
        )
    registry = model.tagger_registry() if compiled else model[0].tagger_registry()
    doc, tagged = tag_text(text, registry)
    rows = [
        {
            "sentence": doc.text[span.start : span.end],
            "actor": actor,
            "claim": claim,
            "mentions": [
                {"text": m["text"], "start": m["start"] - span.start, "end": m["end"] - span.start}
                for m in mentions
            ],
        }
        for span, actor, mentions in tagged
    ]
    if not rows:
        return []
    if compiled:
        probs, _ = model.predict_proba(
            [r["sentence"] for r in rows],
            [r["actor"] for r in rows],
            [r["claim"] for r in rows],
            [r["mentions"] for r in rows],
        )
        labels, scores = _labels_and_scores(model.classes, probs)
    else:
        import pandas as pd

        pred = predict_frame(model, pd.DataFrame(rows))
        labels, scores = pred.labels, pred.scores
    return [
        {**r, "stance": lab, "scores": p} for r, lab, p in zip(rows, labels, scores, strict=True)
    ]
