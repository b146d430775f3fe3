"""A fitted TfidfVectorizer's transform for a whole batch of texts, with NumPy only.

scikit-learn's `transform` loops over documents and n-grams in Python (~4x the time of
everything else here on a batch); this does each distinct text's tokenisation in C (one regex
call), then the n-gram lookups as flat list comprehensions over the whole batch and the
counting, idf weighting and l2 normalisation as array operations. It implements only the
settings stance.model.compiled checks (word n-grams of lower-cased `\\b\\w\\w+\\b` tokens,
optional sublinear tf, idf, l2 norm), and the values are the same floating-point operations in
the same order as scikit-learn's (sorted columns per row), so the matrix is the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain

import numpy as np

TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)
# In ASCII text the tokens are the runs of [A-Za-z0-9_] of two or more: every other character
# becomes a space and str.split finds them in about half the regex's time.
NOT_WORD = str.maketrans({chr(i): " " for i in range(128) if not (chr(i).isalnum() or i == 95)})


def tokenize(text: str) -> list[str]:
    """The vectorizer's tokens: `TOKEN_PATTERN` in the lower-cased text."""
    low = text.lower()
    if low.isascii():
        return [w for w in low.translate(NOT_WORD).split() if len(w) > 1]
    return _TOKEN.findall(low)  # type: ignore[no-any-return]


def distinct(texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Codes into the distinct texts (in order of first appearance), and those texts: a
    sentence recurs once per actor in it, and its features are computed once."""
    index: dict[str, int] = {}
    codes = [index.setdefault(t, len(index)) for t in texts]
    return np.asarray(codes, dtype=np.intp), list(index)


def tfidf_triples(
    texts: Sequence[str],
    vocab: dict[str, int],
    idf: np.ndarray,
    ngram_range: tuple[int, int],
    sublinear_tf: bool,
    tokenized: dict[str, list[str]] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TfidfVectorizer.transform(texts) as (row, column, value) arrays, rows in order and
    columns ascending within a row (a CSR matrix's order). `tokenized` (text -> tokens) is
    shared by the blocks of one batch: a window is its whole sentence when the actor is not
    found, and is then tokenised once."""
    lo, hi = ngram_range
    done = {} if tokenized is None else tokenized
    tokens = [done[t] if t in done else done.setdefault(t, tokenize(t)) for t in texts]
    lengths = np.fromiter(map(len, tokens), dtype=np.intp, count=len(tokens))
    flat = list(chain.from_iterable(tokens))
    row_of = np.repeat(np.arange(len(texts), dtype=np.intp), lengths)
    get = vocab.get
    rows, cols = [], []
    for k in range(max(lo, 1), hi + 1):
        if k == 1:
            grams = flat
        elif k == 2:
            grams = [a + " " + b for a, b in zip(flat, flat[1:], strict=False)]
        else:
            grams = [" ".join(g) for g in zip(*(flat[i:] for i in range(k)), strict=False)]
        ids = np.array([get(g, -1) for g in grams], dtype=np.intp)
        # An n-gram counts when it is in the vocabulary and does not run into the next text.
        keep = ids >= 0
        if k > 1:
            keep &= row_of[: len(grams)] == row_of[k - 1 :]
        rows.append(row_of[: len(grams)][keep])
        cols.append(ids[keep])
    n_cols = len(idf)
    keys, counts = np.unique(
        np.concatenate(rows) * n_cols + np.concatenate(cols), return_counts=True
    )
    row, col = np.divmod(keys, n_cols)
    tf = counts.astype(np.float64)
    if sublinear_tf:
        # scikit-learn: np.log(data, data); data += 1
        tf = np.log(tf)
        tf += 1
    values = tf * idf[col]
    norms = np.sqrt(np.bincount(row, values * values, minlength=len(texts)))
    values /= norms[row]
    return row, col, values
