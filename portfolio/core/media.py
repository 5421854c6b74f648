"""The media folder: photos and documents stored by the SHA-256 of their content (so one file
stored twice takes the place once), outside `static/` and served only through views that check
access. A file is written to a temporary name and renamed, so a failed upload leaves nothing; it
is removed when no row refers to it any more (`remove_unreferenced`)."""
import errno
import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from flask import current_app

log = logging.getLogger("portfolio.storage")

STORAGE_FAULTS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
"""Why a file cannot be written that only an administrator can mend: a full disk, a quota, a
read-only or forbidden folder."""


class StorageUnavailable(Exception):
    """A file could not be written (`STORAGE_FAULTS`); nothing of it is left. The message is for the user."""

    def __init__(self, path: Path, error: OSError):
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        super().__init__("存储空间不足，文件没有保存，请联系管理员。" if full else
                         "存储目录无法写入，文件没有保存，请联系管理员。")
        self.path, self.error = path, error


def write_whole(target: Path, data: bytes) -> None:
    """Write `data` at `target` whole or not at all: to a temporary name in the same folder, then
    renamed. A full disk or a folder that cannot be written is logged for the administrator and
    raised as `StorageUnavailable`."""
    temporary = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        if isinstance(error, OSError) and error.errno in STORAGE_FAULTS:
            log.error("storage_unavailable path=%s errno=%s error=%s", target.parent, error.errno, error.strerror)
            raise StorageUnavailable(target, error) from error
        raise


def folder() -> Path:
    return Path(current_app.config["MEDIA_DIR"])


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
    if not target.exists():
        write_whole(target, data)
    return digest


def store_all(contents: Iterable[bytes]) -> list[str]:
    """`store` each; when one cannot be written, the ones this call wrote are removed again (the
    ones already there before stay), so an upload of several files stores all or none."""
    written, digests = [], []
    try:
        for data in contents:
            digest = hashlib.sha256(data).hexdigest()
            if not path_of(digest).exists():
                write_whole(path_of(digest), data)
                written.append(digest)
            digests.append(digest)
    except StorageUnavailable:
        for digest in written:
            path_of(digest).unlink(missing_ok=True)
        raise
    return digests


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
