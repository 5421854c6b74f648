"""Uploads waiting for confirmation: kept in the instance folder under a random name tagged with
the account, capped per account and in total, deleted as soon as they are refused or applied,
and swept when stale (at start-up and on every upload). Beside each one that passed its preview
lies what the preview found (`remember`: the file's name, the plan, how many rows), so the
confirmation takes nothing but the upload's token from the browser."""
import json
import re
import secrets
import time
from pathlib import Path

from portfolio.core.media import write_whole

TOKEN = re.compile(r"^u(\d+)-[0-9a-f]{32}\.(xlsx|csv)$")


class UploadRefused(ValueError):
    """The upload cannot be kept; the message says why, in Chinese."""


def folder(instance_path: str) -> Path:
    path = Path(instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def sweep(uploads: Path, lifetime_seconds: int) -> int:
    """Delete uploads older than the lifetime; returns how many."""
    stale = time.time() - lifetime_seconds
    removed = 0
    for old in uploads.iterdir():
        if old.is_file() and old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
            removed += 1
    return removed


def store(uploads: Path, user_id: int, data: bytes, suffix: str, per_account: int, total_bytes: int) -> str:
    """Keep `data` until it is confirmed; returns its token (never the user's file name)."""
    pending = [path for path in uploads.iterdir() if path.is_file() and TOKEN.match(path.name)]
    mine = [path for path in pending if path.name.startswith(f"u{user_id}-")]
    if len(mine) >= per_account:
        raise UploadRefused(f"您已有{len(mine)}个上传的文件等待确认，请先确认或重新上传后再试")
    if sum(path.stat().st_size for path in pending) + len(data) > total_bytes:
        raise UploadRefused("等待确认的上传文件过多，请稍后再试")
    token = f"u{user_id}-{secrets.token_hex(16)}{suffix}"
    write_whole(uploads / token, data)
    return token


def owned(uploads: Path, token: str, user_id: int) -> Path | None:
    """The stored upload named by `token`, if it is this account's and still there."""
    match = TOKEN.match(token or "")
    if match is None or int(match.group(1)) != user_id:
        return None
    path = uploads / token
    return path if path.is_file() else None


def _summary_path(upload: Path) -> Path:
    return upload.with_name(upload.name + ".json")


def remember(upload: Path, summary: dict) -> None:
    """Keep what the preview of `upload` found, for its confirmation."""
    write_whole(_summary_path(upload), json.dumps(summary, ensure_ascii=False).encode())


def recall(upload: Path) -> dict | None:
    """What the preview of `upload` found, or None when it was not remembered (or is unreadable)."""
    try:
        return json.loads(_summary_path(upload).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def discard(upload: Path) -> None:
    """Delete the upload and what its preview found."""
    upload.unlink(missing_ok=True)
    _summary_path(upload).unlink(missing_ok=True)
