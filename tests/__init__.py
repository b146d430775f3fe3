"""The test suite. Imported before any test module, conftest.py included: the bytecode setting
below must be in place before the first `stance` module is compiled."""

import os
import sys

# The suite starts `stance`, `dvc` and Python children a few hundred times, and each worker
# imports 60 test modules. With PYTHONDONTWRITEBYTECODE set (as in many containers), every child
# compiles the package again and every worker rewrites every test module's asserts again: 3 s
# of each worker's collection, a few tenths of a second of each child. The suite writes
# bytecode as Python does by default (into the git-ignored __pycache__ folders); the children
# inherit that through the environment.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False
