"""`stance publish`: upload the release folder to the Hugging Face Hub.

Everything before the upload happens offline: only a folder `stance release` made (it holds the
marker of stance.release.folder) with a valid card (stance.release.validate) is accepted and,
without `--yes`, only the plan is printed. The marker is a local fact and is not uploaded.
`upload` is the one function that talks to the network; tests replace it. The token comes from
HF_TOKEN or the Hub's token file and is never printed: error messages are scrubbed of it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from stance.core.errors import StanceError
from stance.release.folder import MARKER, read_marker
from stance.release.validate import read_card, validate_card

_REPO_ID = re.compile(r"[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}")


class PublishError(StanceError):
    "The dataset cannot be published."


def plan(folder: Path) -> dict[str, Any]:
    """What would be uploaded: files with sizes, and the card's summary."""
    if not (folder / "README.md").exists():
        raise PublishError(
            f"{folder}: no release here: run `stance release` (or `dvc repro`) first"
        )
    if read_marker(folder) is None:
        raise PublishError(
            f"{folder}: not made by `stance release` (no {MARKER} file in it): publish a "
            "folder written by `stance release --output DIR`"
        )
    meta = validate_card(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p != folder / MARKER)
    return {
        "files": [(str(p.relative_to(folder)), p.stat().st_size) for p in files],
        "bytes": sum(p.stat().st_size for p in files),
        "pretty_name": meta["pretty_name"],
        "license": meta["license"],
        "configs": {
            i["config_name"]: {s["name"]: s["num_examples"] for s in i["splits"]}
            for i in meta["dataset_info"]
        },
        "summary": _first_paragraph(folder),
    }


def _first_paragraph(folder: Path) -> str:
    _, body = read_card(folder)
    after = body.split("### Dataset Summary", 1)[-1].strip()
    return after.split("\n\n", 1)[0].replace("\n", " ")


def find_token() -> str | None:
    from huggingface_hub import get_token

    return os.environ.get("HF_TOKEN") or get_token()


def upload(folder: Path, repo_id: str, token: str, private: bool, revision: str | None) -> str:
    """The only network call: create the dataset repository if needed, upload, tag."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
    commit = api.upload_folder(
        folder_path=str(folder),
        repo_id=repo_id,
        repo_type="dataset",
        commit_message=f"Release {revision or 'update'} built by stance",
        ignore_patterns=[MARKER],
    )
    if revision:
        api.create_tag(repo_id, tag=revision, repo_type="dataset", exist_ok=True)
    return str(getattr(commit, "commit_url", commit))


def publish(
    folder: Path,
    repo_id: str,
    *,
    private: bool = False,
    revision: str | None = None,
    yes: bool = False,
) -> dict[str, Any]:
    if not _REPO_ID.fullmatch(repo_id):
        raise PublishError(f"--repo-id {repo_id!r}: expected ORG/NAME, e.g. my-lab/stance")
    if revision is not None and not re.fullmatch(r"[\w.-]{1,64}", revision):
        raise PublishError(f"--revision {revision!r}: use letters, digits, '.', '_' or '-'")
    result = plan(folder)
    if not yes:
        return {**result, "uploaded": False}
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on"):
        raise PublishError("HF_HUB_OFFLINE is set: unset it to publish (nothing was uploaded)")
    token = find_token()
    if not token:
        raise PublishError(
            "no Hugging Face token: set HF_TOKEN or log in with `hf auth login` "
            "(nothing was uploaded)"
        )
    try:
        url = upload(folder, repo_id, token, private, revision)
    except Exception as exc:
        # Any failure of the network call is reported the same way: one line, token scrubbed.
        message = (str(exc).splitlines() or [""])[0].replace(token, "***")
        raise PublishError(
            f"upload to {repo_id} failed ({type(exc).__name__}: {message}); nothing is "
            f"half-published on your side: fix the cause and run it again"
        ) from None
    return {**result, "uploaded": True, "url": url}
