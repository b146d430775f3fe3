"""The `stance` command line: thin glue over the library, one module per pipeline stage.

Importing this package registers every command on `app` (the console script's entry point).
"""

from stance.cli import annotation, claims, corpus, dataset, model, release  # noqa: F401 - registers
from stance.cli.app import app

__all__ = ["app"]
