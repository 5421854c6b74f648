"""What every module's commands share: whole-file writes, terminal progress bars, and showing
an import's preview. Each module registers its own commands (see `portfolio.create_app`)."""
import os
import sys
from pathlib import Path

import click


def check_writable(out_path: Path) -> None:
    folder = out_path.resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        raise click.ClickException(f"无法写入 {out_path}: 目录不存在或没有写权限")


def write_whole(out_path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target and rename: never a half-written file."""
    check_writable(out_path)
    target = out_path.resolve()
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"无法写入 {out_path}: {error.strerror}") from None


def with_bar(label: str):
    """A progress callback that shows a terminal progress bar over the rows it is given."""

    def progress(rows):
        rows = list(rows)
        with click.progressbar(rows, label=label, file=sys.stderr) as bar:
            yield from bar

    return progress
