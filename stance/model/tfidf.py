"""A fitted TfidfVectorizer's transform for a whole batch of texts, as a SciPy sparse matrix.

scikit-learn's `transform` loops over documents and n-grams in Python. Here each distinct text
is tokenised once (a C-level translate/split, or one regex call), each distinct word and
n-gram of the batch is looked up in the vocabulary once (news repeats its words), and the
counting, tf, idf weighting and l2 normalisation are array and sparse-matrix operations in C.
Only the settings stance.model.export checks are implemented: word n-grams of lower-cased
`\\b\\w\\w+\\b` tokens, or `char_wb` n-grams; optional sublinear tf; idf; l2 norm. The matrix
holds the same entries as scikit-learn's; a value may differ from it in the last bit, since a
row's norm is summed in another order (tests compare them to 1e-12).

scipy.sparse is imported on first use (0.1 s), never at `stance` start-up.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_TOKEN = re.compile(TOKEN_PATTERN)
# In ASCII text the tokens are the runs of [A-Za-z0-9_] of two or more: every other character
# becomes a space and str.split finds them in about half the regex's time.
NOT_WORD = str.maketrans({chr(i): " " for i in range(128) if not (chr(i).isalnum() or i == 95)})
# The same, keeping NUL: a batch of texts is joined by NUL, lower-cased and translated at once.
_JOIN = "\x00"
_NOT_WORD_BUT_JOIN = {k: v for k, v in NOT_WORD.items() if k != 0}
# Distinct words whose character n-gram columns a model keeps between batches: a cache that is
# emptied when a batch's new words would take it past this, so memory stays bounded on an
# endless stream of new words (past it by at most one batch's distinct words).
GRAM_CACHE_WORDS = 100_000
_INT = array("i").itemsize  # bytes of a C int (NumPy's intc)


def tokenize(text: str) -> list[str]:
    """The vectorizer's tokens: `TOKEN_PATTERN` in the lower-cased text."""
    low = text.lower()
    if low.isascii():
        return [w for w in low.translate(NOT_WORD).split() if len(w) > 1]
    return _TOKEN.findall(low)  # type: ignore[no-any-return]


def tokenize_all(texts: Sequence[str]) -> list[list[str]]:
    """`tokenize` of each text: one lower() and translate() for the whole batch when it is
    ASCII without NUL (the per-call overhead is most of a short text's cost)."""
    big = _JOIN.join(texts)
    if not big.isascii() or big.count(_JOIN) != len(texts) - 1:
        return [tokenize(t) for t in texts]  # (an empty batch too)
    parts = big.lower().translate(_NOT_WORD_BUT_JOIN).split(_JOIN)
    return [[w for w in part.split() if len(w) > 1] for part in parts]


def distinct(texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
    """Codes into the distinct texts (in order of first appearance), and those texts: a
    sentence recurs once per actor in it, and its features are computed once."""
    index = {t: i for i, t in enumerate(dict.fromkeys(texts))}
    codes = np.fromiter(map(index.__getitem__, texts), dtype=np.intp, count=len(texts))
    return codes, list(index)


def closed(vocab: dict[str, int], ngram_range: Sequence[int]) -> bool:
    """Whether every word of every n-gram in `vocab` is a term of it too (true of any
    vocabulary of 1..n-grams fitted without max_df or max_features, which may drop a word and
    keep its n-grams): checked, not assumed."""
    return ngram_range[0] == 1 and all(
        all(w in vocab for w in term.split(" ")) for term in vocab if " " in term
    )


def word_tfidf(
    texts: Sequence[str],
    vocab: dict[str, int],
    idf: np.ndarray,
    ngram_range: Sequence[int],
    sublinear_tf: bool,
    tokenized: dict[str, list[str]] | None = None,
    closed: bool = False,
) -> Any:
    """TfidfVectorizer(analyzer="word").transform(texts) as a CSR matrix. `tokenized` (text ->
    tokens) is shared by the blocks of one batch: a window is its whole sentence when the actor
    is not found, and is then tokenised once. With a `closed` vocabulary (see `closed`) an
    n-gram with an unknown word cannot be a term and is never looked up."""
    lo, hi = ngram_range
    done = {} if tokenized is None else tokenized
    new = [t for t in texts if t not in done]
    done.update(zip(new, tokenize_all(new), strict=True))
    tokens = list(map(done.__getitem__, texts))
    lengths = np.fromiter(map(len, tokens), dtype=np.intp, count=len(tokens))
    codes, words = distinct(list(chain.from_iterable(tokens)))
    n = len(codes)
    row_of = np.repeat(np.arange(len(texts), dtype=np.intp), lengths)
    get = vocab.get
    uni = np.fromiter((get(w, -1) for w in words), dtype=np.intp, count=len(words))[codes]
    rows, cols = [], []
    if lo == 1:
        keep = uni >= 0
        rows.append(row_of[keep])
        cols.append(uni[keep])
    # The k-gram at each position, as a code into the batch's distinct k-grams (`names`),
    # built from the (k-1)-gram there and the next word; -1 where there is none to build on.
    gram, names = (np.where(uni >= 0, codes, -1) if closed and lo == 1 else codes), words
    for k in range(2, hi + 1):
        m = max(n - k + 1, 0)
        ok = (row_of[:m] == row_of[k - 1 :]) & (gram[:m] >= 0)  # never into the next text
        if closed and lo == 1:
            ok &= uni[k - 1 :] >= 0
        at = np.flatnonzero(ok)
        keys, inverse = np.unique(gram[at] * len(words) + codes[at + k - 1], return_inverse=True)
        first, last = np.divmod(keys, len(words))
        names = [
            f"{names[a]} {words[b]}" for a, b in zip(first.tolist(), last.tolist(), strict=True)
        ]
        ids = np.fromiter((get(g, -1) for g in names), dtype=np.intp, count=len(names))[inverse]
        if k >= lo:
            keep = ids >= 0
            rows.append(row_of[at[keep]])
            cols.append(ids[keep])
        gram = np.full(m, -1, dtype=np.intp)
        gram[at] = inverse
    counts = (
        _sparse()
        .coo_matrix(
            (np.ones(sum(map(len, rows))), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(texts), len(idf)),
        )
        .tocsr()
    )  # sums the repeats of a term in a text
    return _weigh(counts, idf, sublinear_tf)


def _word_grams(word: str, lo: int, hi: int) -> list[str]:
    w = f" {word} "
    size = len(w)
    grams = [w[i : i + n] for n in range(lo, min(hi, size - 1) + 1) for i in range(size - n + 1)]
    if size <= hi:  # a padded word no longer than n gives itself once, and no longer grams
        grams.append(w)
    return grams


def char_wb_grams(text: str, lo: int, hi: int) -> list[str]:
    """The `char_wb` analyzer's n-grams of a text, in its order: lower-cased, each
    whitespace-separated word padded with one space each side, its lo..hi-grams."""
    return [g for word in text.lower().split() for g in _word_grams(word, lo, hi)]


def char_wb_tfidf(
    texts: Sequence[str],
    vocab: dict[str, int],
    idf: np.ndarray,
    ngram_range: Sequence[int],
    sublinear_tf: bool,
    cache: dict[str, bytes] | None = None,
) -> Any:
    """TfidfVectorizer(analyzer="char_wb").transform(texts) as a CSR matrix. A character
    n-gram never crosses a word, so the counts are (texts x words) @ (words x n-grams): each
    distinct word's columns are looked up once (or kept in `cache` from an earlier batch of
    the same vocabulary), and the product sums them per text in C."""
    lo, hi = ngram_range
    split = [text.lower().split() for text in texts]
    codes, words = distinct(list(chain.from_iterable(split)))
    known = {} if cache is None else cache
    if len(known) + sum(w not in known for w in words) > GRAM_CACHE_WORDS:
        known.clear()  # then it holds this batch's words: at most a batch's over the bound
    get = vocab.get
    # Each word's columns as the bytes of C ints: compact to keep, joined in one call.
    per_word = [
        known[w]
        if w in known
        else known.setdefault(
            w, array("i", [i for i in map(get, _word_grams(w, lo, hi)) if i is not None]).tobytes()
        )
        for w in words
    ]
    sizes = np.fromiter(map(len, per_word), dtype=np.intp, count=len(per_word)) // _INT
    grams = _ones(np.frombuffer(b"".join(per_word), dtype=np.intc), sizes, len(idf))
    occurrences = _ones(codes, np.fromiter(map(len, split), dtype=np.intp), len(words))
    return _weigh(occurrences @ grams, idf, sublinear_tf)


def _ones(columns: np.ndarray, per_row: np.ndarray, n_cols: int) -> Any:
    """A CSR matrix of ones at `columns`, the first `per_row[0]` of them in row 0, and so on."""
    return _sparse().csr_matrix(
        (np.ones(len(columns)), columns, np.concatenate(([0], np.cumsum(per_row)))),
        shape=(len(per_row), n_cols),
    )


def _weigh(counts: Any, idf: np.ndarray, sublinear_tf: bool) -> Any:
    """Counts (CSR, no repeated entries) -> tf (sublinear: 1 + log) x idf, l2-normalised rows,
    in place."""
    data = counts.data
    if sublinear_tf:
        # scikit-learn: np.log(data, data); data += 1
        np.log(data, out=data)
        data += 1
    data *= idf[counts.indices]
    row = np.repeat(np.arange(counts.shape[0], dtype=np.intp), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(row, data * data, minlength=counts.shape[0]))
    data /= norms[row]
    return counts


def _sparse() -> Any:
    import scipy.sparse

    return scipy.sparse
