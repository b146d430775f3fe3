"""The annotation guidelines (docs/guidelines.md): their version and the summary the UI shows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from stance.core.errors import AnnotationError
from stance.core.paths import PATHS

DEFAULT_PATH = PATHS.guidelines
_VERSION = re.compile(
    r"\A---\s*\n(?:.*\n)*?guideline_version:\s*\"?([\w.-]+)\"?\s*\n(?:.*\n)*?---", re.M
)
_SUMMARY = re.compile(r"^## Summary\s*\n(.*?)(?=^## )", re.M | re.S)


@dataclass(frozen=True)
class Guidelines:
    version: str
    summary: str


def load_guidelines(path: Path = DEFAULT_PATH) -> Guidelines:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnnotationError(
            f"{path}: no such file (run from the project root or pass --guidelines)"
        ) from None
    version = _VERSION.search(text)
    if not version:
        raise AnnotationError(f"{path}: no 'guideline_version:' in the front matter")
    summary = _SUMMARY.search(text)
    if not summary:
        raise AnnotationError(f"{path}: no '## Summary' section")
    body = re.sub(r"<!--.*?-->", "", summary.group(1), flags=re.S).strip()
    return Guidelines(version.group(1), body)
