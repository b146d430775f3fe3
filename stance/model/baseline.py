"""The plain baseline every reported figure stands beside: word + character TF-IDF, a linear SVM.

Word 1-2 grams and character 2-5 grams (within word bounds) of the raw sentence, plus a one-hot
token of the actor id, into a linear SVM: what a practitioner would try first, with no lexicon,
no roles and no actor masking. A model that does not beat it on real text is not worth its
machinery, so `stance evaluate` reports it next to the model on every set, and model selection
(stance.model.train) can choose it.
"""

from __future__ import annotations

from typing import Any

# The columns the baseline reads; `actor` is the only hint of whose stance is asked.
COLUMNS = ("sentence", "actor")


def plain_baseline(seed: int) -> Any:
    """An unfitted scikit-learn pipeline over a frame with `sentence` and `actor` columns."""
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.svm import LinearSVC

    features = ColumnTransformer(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), "sentence"),
            (
                "chars",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
                "sentence",
            ),
            ("actor", OneHotEncoder(handle_unknown="ignore"), ["actor"]),
        ]
    )
    # Balanced class weights: the baseline is held to the same macro-F1 target as the model.
    svm = LinearSVC(C=1.0, class_weight="balanced", random_state=seed)
    return Pipeline([("features", features), ("clf", svm)])


def fit_predict(train: Any, test: Any, seed: int) -> list[str]:
    """Labels for `test` from the baseline fitted on `train` (both frames with `stance` in
    train); every label is the majority label when `train` has a single one."""
    labels = sorted(set(map(str, train["stance"])))
    if len(labels) < 2:
        return [labels[0] if labels else "neutral"] * len(test)
    pipe = plain_baseline(seed)
    pipe.fit(train[list(COLUMNS)].astype(str), train["stance"].astype(str))
    return [str(p) for p in pipe.predict(test[list(COLUMNS)].astype(str))]
