"""The faster code paths of `stance predict` give exactly what the plain ones give.

Each fast path here replaces a slower computation whose result the model depends on (issue 11:
speed-ups must not change a prediction): the batch TF-IDF against scikit-learn's
TfidfVectorizer, the table predictor's probabilities against the pipeline's, the actor
matcher's tokenizer against its regex, and cue finding on candidate word starts against trying
every word start.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from stance.corpus.actors import _TOKEN, _tokens
from stance.model import cues
from stance.model.predictor import Predictor
from stance.model.tfidf import (
    char_wb_grams,
    char_wb_tfidf,
    closed,
    tokenize,
    tokenize_all,
    word_tfidf,
)
from stance.model.train import fit, model_inputs
from tests.test_estimator_contract import table
from tests.test_train import REGS, params

TEXTS = [
    "North Korea denied any role in the hack, officials said.",
    "Washington blamed Pyongyang; Moscow called the U.S. claims baseless.",
    "The FBI said it had high confidence that North Korea was behind the attack.",
    "Russia's foreign ministry dismissed the accusations as Russophobic hysteria.",
    "Über-Hacker? İstanbul officials said nothing — and China didn't comment.",
]


def _same_matrix(got, want) -> None:
    """The same entries (row, column) as scikit-learn's matrix, with values equal to 1e-12
    (a row's norm may be summed in another order), and no explicit zeros."""
    got, want = got.tocsr(), want.tocsr()
    got.sort_indices()
    want.sort_indices()
    assert got.shape == want.shape
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.allclose(got.data, want.data, rtol=1e-12, atol=0)
    assert (got.data != 0).all()


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = " ".join(TEXTS).split()
    return [" ".join(rng.choice(words) for _ in range(rng.randint(0, 20))) for _ in range(n)]


@pytest.mark.parametrize(
    "settings",
    [
        {"ngram_range": (1, 2), "sublinear_tf": True},
        {"ngram_range": (1, 3)},
        {"ngram_range": (2, 3), "sublinear_tf": True},  # no unigrams: no closed vocabulary
        {"ngram_range": (1, 2), "max_df": 0.4},  # max_df drops words and keeps their bigrams
    ],
)
def test_batch_tfidf_is_scikit_learns(settings: dict) -> None:
    vec = TfidfVectorizer(**settings).fit(TEXTS + _random_texts(50, 1))
    texts = TEXTS + _random_texts(500, 2) + ["", "x", "ÉCOLE école"]
    vocab = {t: int(i) for t, i in vec.vocabulary_.items()}
    got = word_tfidf(
        texts,
        vocab,
        vec.idf_,
        vec.ngram_range,
        vec.sublinear_tf,
        None,
        closed(vocab, vec.ngram_range),
    )
    _same_matrix(got, vec.transform(texts))


@pytest.mark.parametrize(
    "extra",
    [[], ["Über-Hacker said so"], ["a NUL\x00inside", "b"], [""]],
    ids=["ascii", "non-ascii", "nul", "empty"],
)
def test_batch_tokenizing_is_per_text_tokenizing(extra: list[str]) -> None:
    # The whole batch is lower-cased and translated at once when it is ASCII without NUL;
    # either way each text gets its own tokens.
    texts = [t for t in TEXTS if t.isascii()] + _random_texts(100, 5) + extra
    assert tokenize_all(texts) == [tokenize(t) for t in texts]
    assert tokenize_all([]) == []


@pytest.mark.parametrize("ngram_range", [(2, 5), (1, 3), (3, 3)])
def test_batch_char_ngrams_are_scikit_learns(ngram_range: tuple[int, int]) -> None:
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, sublinear_tf=True)
    vec.fit(TEXTS + _random_texts(50, 3))
    texts = TEXTS + _random_texts(300, 4) + ["", "x", "a  b\t\nc", "ÉCOLE école"]
    vocab = {t: int(i) for t, i in vec.vocabulary_.items()}
    cache: dict[str, bytes] = {}
    want = vec.transform(texts)
    _same_matrix(char_wb_tfidf(texts, vocab, vec.idf_, ngram_range, True, cache), want)
    assert cache  # each distinct word's columns, kept for the next batch ...
    again = char_wb_tfidf(texts[::-1], vocab, vec.idf_, ngram_range, True, cache)
    _same_matrix(again, vec.transform(texts[::-1]))  # ... which gets the same matrix with it

    analyze = vec.build_analyzer()
    for text in texts:
        assert char_wb_grams(text, *ngram_range) == analyze(text)


def test_character_ngram_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    # A stream of ever-new words (numbers, names) must not grow the cache without end: when
    # the next batch would take it past the bound it starts again, and the matrix is the same.
    from stance.model import tfidf

    monkeypatch.setattr(tfidf, "GRAM_CACHE_WORDS", 40)
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    vec.fit(TEXTS)
    vocab = {t: int(i) for t, i in vec.vocabulary_.items()}
    cache: dict[str, bytes] = {}
    sizes = []
    for size in [30, 30, 5, 60, 5]:
        texts = [f"North Korea on day {len(sizes) * 100 + i} said no" for i in range(size)]
        got = char_wb_tfidf(texts, vocab, vec.idf_, (2, 5), True, cache)
        _same_matrix(got, vec.transform(texts))
        batch_words = {w for t in texts for w in t.lower().split()}
        assert batch_words <= set(cache)
        sizes.append(len(cache))
    # 36 words; +30 new: emptied, 36; +5 new: 41 > 40, emptied, 11; a batch of 66 words on its
    # own: 66; +5 new: emptied, 11. Words already kept do not count as new.
    assert sizes == [36, 36, 11, 66, 11]
    again = [f"North Korea on day {400 + i} said no" for i in range(5)]
    char_wb_tfidf(again, vocab, vec.idf_, (2, 5), True, cache)
    assert len(cache) == 11


def test_table_probabilities_are_the_pipelines() -> None:
    frame = table()
    pipe = fit(frame, params(), REGS)
    rows = model_inputs(frame)
    pred = Predictor.of(pipe).predict(rows)
    assert np.abs(pred.probs - pipe.predict_proba(rows)).max() < 1e-12
    assert pred.labels == [str(c) for c in pipe.predict(rows)]
    # In batches, as `stance predict` reads a table: nothing one batch learns changes the next.
    predictor = Predictor.of(pipe)
    pieces = [predictor.predict(rows.iloc[i : i + 7]).probs for i in range(0, len(rows), 7)]
    assert np.abs(np.vstack(pieces) - pred.probs).max() < 1e-12


@pytest.mark.parametrize("kind", ["plain", "union"])
def test_character_ngram_models_export_too(kind: str) -> None:
    pipe = fit(table(), {**params(), "model": kind}, REGS)
    rows = model_inputs(table())
    assert np.abs(Predictor.of(pipe).predict(rows).probs - pipe.predict_proba(rows)).max() < 1e-12


def test_a_pipeline_it_cannot_export_is_a_training_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from stance.model import export
    from stance.model.persist import ModelError
    from stance.model.train import export_checked

    pipe = fit(table(), params(), REGS)

    def refuse(pipe: object) -> None:  # as for any pipeline the export does not know
        raise export.CannotExport("final estimator Perceptron")

    monkeypatch.setattr(export, "export", refuse)
    with pytest.raises(ModelError, match="cannot be exported for prediction .final estimator"):
        export_checked(pipe, model_inputs(table()))


def test_actor_tokens_are_the_regexs() -> None:
    rng = random.Random(3)
    # ASCII, and Unicode letters, digits, combining marks and spaces: pieces between
    # whitespace are tokenised alone, so str.split and the regex's \\s must agree everywhere.
    chars = (
        [chr(i) for i in range(128)]
        + list("éİ‐‑’²٣ßǅ\u0301\u00a0\u2009\u3000\u1680\u2028\x85\u200b")
        + list("aUS .-") * 6
    )
    texts = TEXTS + [
        "".join(rng.choice(chars) for _ in range(rng.randint(0, 25))) for _ in range(20000)
    ]
    assert [_tokens(t) for t in texts] == [_TOKEN.findall(t) for t in texts]


def _every_word_start(text: str) -> list[tuple[str, int, int]]:
    """Cue finding as it was: every word start tried against its letter's patterns."""
    low = text.lower()
    out: list[tuple[str, int, int]] = []
    after = 0
    for w in cues._WORD_START.finditer(low):
        i = w.start()
        if i < after:
            continue
        best = None
        for rx in (cues._BY_LETTER.get(low[i]), cues._ANY_START):
            m = rx.match(low, i) if rx is not None else None
            if m and (best is None or cues._RANK[m.lastgroup] < cues._RANK[best.lastgroup]):
                best = m
        if best is not None:
            out.append((best.lastgroup or "", best.start(), best.end()))
            after = best.end()
    return out


def test_cues_on_candidate_word_starts_are_every_word_starts() -> None:
    rng = random.Random(4)
    words = [p.split("\\")[0].split("(")[0] for _, (_, ps) in cues.LEXICON.items() for p in ps]
    words = [w for w in words if w] + ["U.S.", "no", "not", "nothing", "the", "a", "X"]

    def text() -> str:
        parts = [rng.choice(words) for _ in range(rng.randint(1, 12))]
        parts = [p[: rng.randint(1, len(p))] if rng.random() < 0.2 else p for p in parts]
        return "".join(p + rng.choice([" ", " ", "", "-", ", ", "_"]) for p in parts)

    texts = TEXTS + [text() for _ in range(20000)]
    ascii_texts = [t for t in texts if t.isascii() and "n't" not in t.lower()]
    assert len(ascii_texts) > 10000
    assert [cues.find_cues(t) for t in ascii_texts] == [_every_word_start(t) for t in ascii_texts]


def test_views_are_unchanged_by_batching() -> None:
    # Per-sentence work is shared by a sentence's rows, never across batches.
    frame = model_inputs(table())
    pipe = fit(table(), params(), REGS)
    whole = pipe[0].transform(frame)
    parts = pd.concat(
        [pipe[0].transform(frame.iloc[i : i + 3]) for i in range(0, len(frame), 3)],
        ignore_index=True,
    )
    pd.testing.assert_frame_equal(whole, parts)


def test_gc_pause_restores_the_collector_and_leaves_nesting_to_the_outermost() -> None:
    import gc

    from stance.core.gcpause import gc_paused, paused

    seen: list[bool] = []

    @gc_paused
    def inner() -> None:
        seen.append(gc.isenabled())

    assert gc.isenabled()
    with paused():
        inner()
        seen.append(gc.isenabled())  # the inner pause ended; the outer one still holds
    assert seen == [False, False] and gc.isenabled()

    @gc_paused
    def fails() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        fails()
    assert gc.isenabled()

    gc.disable()  # a caller that turned it off keeps it off
    try:
        inner()
        assert not gc.isenabled()
    finally:
        gc.enable()
