"""The media folder: photos and documents stored by the SHA-256 of their content (so one file
stored twice takes the place once), outside `static/` and served only through views that check
access. A file is written to a temporary name and renamed, so a failed upload leaves nothing; it
is removed when no row refers to it any more (`remove_unreferenced`)."""
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from flask import current_app


def folder() -> Path:
    path = Path(current_app.config["MEDIA_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(digest: str) -> Path:
    """Where the content with this SHA-256 lives (two levels of sub-folders keep folders small)."""
    if len(digest) != 64 or not all(ch in "0123456789abcdef" for ch in digest):
        raise ValueError("not a SHA-256 digest")
    return folder() / digest[:2] / digest[2:4] / digest


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(data: bytes) -> str:
    """Write `data` (once) and return its SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(digest)
    if target.exists():
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return digest


def read(digest: str) -> bytes:
    return path_of(digest).read_bytes()


def remove_unreferenced(digests: Iterable[str], still_used: set[str]) -> int:
    """Delete the files of `digests` that no row refers to (`still_used`); how many went."""
    removed = 0
    for digest in set(digests) - still_used:
        path = path_of(digest)
        if path.exists():
            path.unlink()
            removed += 1
    return removed
