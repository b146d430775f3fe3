"""Domain errors. The CLI turns every one of them into a single `Error: ...` line (stance.cli).

Messages name the file, row or option at fault and, where there is one, the fix.
"""

from __future__ import annotations


class StanceError(Exception):
    "A problem with the user's input or setup, reported as one line."


class InputError(StanceError):
    "An input document or table cannot be read."


class RegistryError(StanceError):
    "data/actors.yaml or data/claims.yaml is malformed."


class AnnotationError(StanceError):
    "An annotation log or an annotation command cannot go on."


class ParamsError(StanceError):
    "params.yaml is malformed or has unknown or missing keys."
