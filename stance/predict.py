"""`stance predict`: stances for tables of (sentence, actor) rows, or for raw text.

Tables stream in batches (JSONL line by line, CSV in chunks, Parquet by record batch), so
memory is bounded by the batch size, not the input size. The output is written to a temporary
file and renamed into place when complete. Raw text goes through the ingest path (cleaning,
segmentation, actor tagging with the aliases stored in the model) and every (sentence, actor)
pair is predicted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stance.errors import InputError
from stance.fileio import atomic_writer

FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def _format(path: Path, option: str) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{option} {path}: unsupported type {path.suffix!r} (use .jsonl, .csv or .parquet)"
        )
    return fmt


def _batches(path: Path, batch_size: int) -> Iterator[Any]:
    import pandas as pd

    fmt = _format(path, "--input")
    if not path.exists():
        raise InputError(f"--input {path}: no such file")
    if fmt == "csv":
        yield from pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=batch_size)
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
            yield batch.to_pandas()
    else:
        rows: list[dict[str, Any]] = []
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"--input {path}:{lineno}: not valid JSON ({exc.msg})"
                    ) from None
                if len(rows) == batch_size:
                    yield pd.DataFrame(rows)
                    rows = []
        if rows:
            yield pd.DataFrame(rows)


def _predict_batch(pipe: Any, batch: Any, path: Path, offset: int) -> Any:
    from stance.model import predict_frame, prepare_table

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
    labels, probs, found = predict_frame(pipe, frame)
    out = batch.copy()
    out["stance"] = labels
    out["scores"] = probs
    out["actor_found"] = found
    return out


def predict_table(
    pipe: Any, source: Path, output: Path, batch_size: int = 10_000, progress: bool = True
) -> int:
    """Predict every row of `source` into `output` (format by suffix); returns the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from tqdm import tqdm

    fmt = _format(output, "--output")
    total = None
    if source.suffix.lower() == ".parquet" and source.exists():
        total = pq.ParquetFile(source).metadata.num_rows
    bar = tqdm(total=total, unit="rows", disable=not progress, file=sys.stderr, mininterval=0.5)
    n = 0
    with atomic_writer(output, "wb" if fmt == "parquet" else "w") as fh:
        writer = None
        for i, batch in enumerate(_batches(source, batch_size)):
            out = _predict_batch(pipe, batch, source, n)
            if fmt == "jsonl":
                for rec in out.to_dict(orient="records"):
                    fh.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
            elif fmt == "csv":
                out.assign(scores=out["scores"].map(json.dumps)).to_csv(
                    fh, index=False, header=i == 0
                )
            else:
                table = pa.Table.from_pandas(out, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(fh, table.schema)
                writer.write_table(table)
            n += len(out)
            bar.update(len(out))
        if writer is not None:
            writer.close()
    bar.close()
    if n == 0:
        raise InputError(f"--input {source}: no rows")
    return n


def predict_text(pipe: Any, text: str, claim: str | None) -> list[dict[str, Any]]:
    """Every (sentence, actor) of a raw text, with its predicted stance."""
    import pandas as pd

    from stance.clean import clean
    from stance.model import predict_frame
    from stance.segment import split_sentences

    doc = clean(text)
    registry = pipe.named_steps["view"]._registry()
    rows = []
    for block in doc.blocks:
        for s, e in split_sentences(doc.text, block.start, block.end):
            for actor, mentions in registry.mentions(doc.text, s, e).items():
                rows.append(
                    {
                        "sentence": doc.text[s:e],
                        "actor": actor,
                        "claim": claim,
                        "mentions": [
                            {"text": m["text"], "start": m["start"] - s, "end": m["end"] - s}
                            for m in mentions
                        ],
                    }
                )
    if not rows:
        return []
    labels, probs, _ = predict_frame(pipe, pd.DataFrame(rows))
    return [
        {**r, "stance": lab, "scores": p} for r, lab, p in zip(rows, labels, probs, strict=True)
    ]
