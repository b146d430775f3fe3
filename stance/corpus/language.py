"""Each document's language, detected offline with py3langid (its model ships in the package).

Short texts (a headline, one constructed sentence) give the detector little to go on; below
the confidence set in params.yaml (ingest.min_lang_confidence) a document is `und`
(undetermined) and kept: too short to tell is no evidence of another language.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from stance.core.errors import InputError
from stance.core.schema import LANG_ANY, LANG_UNDETERMINED

# The detector reads this much of a document: an article's language shows in its headline and
# first paragraph, and detection costs ~0.3 ms whatever the document's length (5,000
# characters cost 3 ms, as much as cleaning, segmenting and tagging the whole article).
SAMPLE_CHARS = 600


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def known_languages() -> frozenset[str]:
    return frozenset(_identifier().nb_classes)


def check_languages(langs: list[str], option: str = "--lang") -> None:
    """Fail before any work on a language code the detector does not know."""
    if LANG_ANY in langs:
        return
    known = known_languages()
    for code in langs:
        if code not in known:
            raise InputError(
                f"{option} {code}: not a language the detector knows; give ISO 639-1 codes "
                f"such as en, de, fr, ru, ko, zh (or {LANG_ANY} to keep every language)"
            )


def detect(text: str, min_confidence: float) -> str:
    """ISO 639-1 code of `text`, or `und` when the detector is less sure than `min_confidence`."""
    if not text.strip():
        return LANG_UNDETERMINED
    lang, confidence = _identifier().classify(text[:SAMPLE_CHARS])
    return str(lang) if float(confidence) >= min_confidence else LANG_UNDETERMINED


def wanted(lang: str, langs: list[str]) -> bool:
    """Whether a document in `lang` is ingested when `langs` are asked for."""
    return LANG_ANY in langs or lang == LANG_UNDETERMINED or lang in langs
