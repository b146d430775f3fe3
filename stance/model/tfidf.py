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


def closed(vocab: dict[str, int], ngram_range: Sequence[int]) -> bool:
    """Whether every word of every n-gram in `vocab` is a term of it too (true of any
    vocabulary of 1..n-grams fitted without max_df or max_features, which may drop a word and
    keep its n-grams): checked, not assumed."""
    return ngram_range[0] == 1 and all(
        all(w in vocab for w in term.split(" ")) for term in vocab if " " in term
    )


def tfidf_triples(
    texts: Sequence[str],
    vocab: dict[str, int],
    idf: np.ndarray,
    ngram_range: tuple[int, int],
    sublinear_tf: bool,
    tokenized: dict[str, list[str]] | None = None,
    closed: bool = False,
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
    # Unigram columns; with a closed vocabulary (every word of its n-grams is a term too: see
    # `closed`) an n-gram with an unknown word cannot be a term and is never looked up.
    uni = np.array([get(w, -1) for w in flat], dtype=np.intp) if lo == 1 else None
    for k in range(max(lo, 1), hi + 1):
        if k == 1 and uni is not None:
            keep = uni >= 0
            rows.append(row_of[keep])
            cols.append(uni[keep])
            continue
        m = max(len(flat) - k + 1, 0)
        # An n-gram must not run into the next text.
        ok = row_of[:m] == row_of[k - 1 :]
        if closed and uni is not None:
            for i in range(k):
                ok &= uni[i : i + m] >= 0
        at = np.flatnonzero(ok)
        if k == 2:
            grams = [flat[j] + " " + flat[j + 1] for j in at.tolist()]
        else:
            grams = [" ".join(flat[j : j + k]) for j in at.tolist()]
        ids = np.array([get(g, -1) for g in grams], dtype=np.intp)
        keep = ids >= 0
        rows.append(row_of[at[keep]])
        cols.append(ids[keep])
    return _weigh(np.concatenate(rows), np.concatenate(cols), len(texts), idf, sublinear_tf)


def _word_grams(word: str, lo: int, hi: int) -> list[str]:
    w = f" {word} "
    size = len(w)
    grams: list[str] = []
    for n in range(lo, hi + 1):
        if size <= n:  # a padded word no longer than n gives itself once, and no longer grams
            grams.append(w)
            break
        grams.extend(w[i : i + n] for i in range(size - n + 1))
    return grams


def char_wb_grams(text: str, lo: int, hi: int) -> list[str]:
    """The `char_wb` analyzer's n-grams of a text, in its order: lower-cased, each
    whitespace-separated word padded with one space each side, its lo..hi-grams."""
    return [g for word in text.lower().split() for g in _word_grams(word, lo, hi)]


def char_wb_triples(
    texts: Sequence[str],
    vocab: dict[str, int],
    idf: np.ndarray,
    ngram_range: tuple[int, int],
    sublinear_tf: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`tfidf_triples` for a vectorizer with analyzer="char_wb" (the plain model's view).
    A character n-gram never crosses a word, so each distinct word's columns are looked up
    once (news repeats its words: ~20x fewer lookups), and every word's columns are then
    gathered with array operations instead of a Python loop over words."""
    lo, hi = ngram_range
    get = vocab.get
    split = [text.lower().split() for text in texts]
    index: dict[str, int] = {}
    codes = np.fromiter(
        (index.setdefault(w, len(index)) for w in chain.from_iterable(split)), dtype=np.intp
    )
    per_word = [[i for i in map(get, _word_grams(w, lo, hi)) if i is not None] for w in index]
    sizes = np.fromiter(map(len, per_word), dtype=np.intp, count=len(per_word))
    table = np.fromiter(chain.from_iterable(per_word), dtype=np.intp, count=int(sizes.sum()))
    # The columns of every word occurrence, in order: a ragged gather from `table`.
    lengths = sizes[codes]
    starts = np.cumsum(sizes) - sizes
    ends = np.cumsum(lengths)
    cols = table[
        np.repeat(starts[codes] - (ends - lengths), lengths) + np.arange(int(lengths.sum()))
    ]
    words_per_text = np.fromiter(map(len, split), dtype=np.intp, count=len(split))
    text_of_word = np.repeat(np.arange(len(texts), dtype=np.intp), words_per_text)
    return _weigh(np.repeat(text_of_word, lengths), cols, len(texts), idf, sublinear_tf)


def _weigh(
    rows: np.ndarray, cols: np.ndarray, n_texts: int, idf: np.ndarray, sublinear_tf: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts of (row, column) pairs -> tf (sublinear: 1 + log) x idf, l2-normalised rows."""
    n_cols = len(idf)
    keys, counts = np.unique(rows * n_cols + cols, return_counts=True)
    row, col = np.divmod(keys, n_cols)
    tf = counts.astype(np.float64)
    if sublinear_tf:
        # scikit-learn: np.log(data, data); data += 1
        tf = np.log(tf)
        tf += 1
    values = tf * idf[col]
    norms = np.sqrt(np.bincount(row, values * values, minlength=n_texts))
    values /= norms[row]
    return row, col, values
