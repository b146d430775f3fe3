"""Where the project keeps each of its files: every default location, named once.

Paths are relative to the project root, the folder holding `params.yaml` and `dvc.yaml`, which
is the working directory when a command or a DVC stage runs. `dvc.yaml` and `params.yaml` spell
the same paths again because DVC reads them; tests/test_dvc_graph.py checks that they agree,
and tests/test_paths.py that no other module types one by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProjectPaths:
    """The project's default locations under `root` (default: the working directory)."""

    root: Path = Path()

    # --- sources: written by people, read by the commands -------------------------------------
    @property
    def package(self) -> Path:
        """The code (a release names the last commit that changed it)."""
        return self.root / "stance"

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def params(self) -> Path:
        return self.root / "params.yaml"

    @property
    def dvc_yaml(self) -> Path:
        return self.root / "dvc.yaml"

    @property
    def dvc_lock(self) -> Path:
        return self.root / "dvc.lock"

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def constructed(self) -> Path:
        return self.data / "constructed"

    @property
    def actors(self) -> Path:
        return self.data / "actors.yaml"

    @property
    def actors_curated(self) -> Path:
        return self.data / "actors_curated.yaml"

    @property
    def claims(self) -> Path:
        return self.data / "claims.yaml"

    @property
    def annotations(self) -> Path:
        return self.data / "annotations"

    @property
    def guidelines(self) -> Path:
        return self.root / "docs" / "guidelines.md"

    # --- derived: DVC outputs, rebuilt by `dvc repro` -----------------------------------------
    @property
    def interim(self) -> Path:
        return self.data / "interim"

    @property
    def documents(self) -> Path:
        return self.interim / "documents.jsonl"

    @property
    def sentences(self) -> Path:
        return self.interim / "sentences.jsonl"

    @property
    def candidates(self) -> Path:
        return self.interim / "candidates.jsonl"

    @property
    def processed(self) -> Path:
        return self.data / "processed"

    @property
    def dataset(self) -> Path:
        return self.processed / "dataset.parquet"

    @property
    def splits(self) -> Path:
        return self.processed / "splits.json"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def model(self) -> Path:
        return self.models / "model.skops"

    @property
    def loop_models(self) -> Path:
        """Models `stance serve --order uncertain` retrains while the team labels."""
        return self.models / "loop"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def build_report(self) -> Path:
        return self.reports / "build.json"

    @property
    def agreement(self) -> Path:
        return self.reports / "agreement.json"

    @property
    def metrics(self) -> Path:
        return self.reports / "metrics.json"

    @property
    def emergent(self) -> Path:
        return self.reports / "emergent.json"

    @property
    def release(self) -> Path:
        return self.root / "release"

    def human_sources(self) -> tuple[Path, ...]:
        """What people write and no command may overwrite (stance.core.outputs)."""
        return (
            self.annotations,
            self.claims,
            self.actors,
            self.actors_curated,
            self.constructed,
            self.params,
            self.dvc_yaml,
            self.dvc_lock,
            self.seeds,
            self.root / ".git",
            self.root / ".dvc",
        )


# The defaults every command and library function starts from.
PATHS = ProjectPaths()
