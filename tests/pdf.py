"""Reading PDFs back with poppler's tools, as a person's viewer would show them."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: `make system-packages` installs poppler-utils and qpdf")
    return path


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The text in reading order (pdftotext -raw), with line breaks inside wrapped cells removed."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run([_tool("pdftotext"), "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text


def joined(text: str) -> str:
    """Text without white space, so names wrapped over two lines of a cell are found whole."""
    return re.sub(r"\s+", "", text)


def pages(pdf: bytes, tmp_path: Path) -> list[str]:
    return pdf_text(pdf, tmp_path).split("\f")[:-1]


def fonts(pdf: bytes, tmp_path: Path) -> list[dict]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run([_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    result = []
    for line in lines[2:]:
        parts = line.split()
        result.append({"name": parts[0], "type": " ".join(parts[1:-6]), "embedded": parts[-5] == "yes"})
    return result


def qpdf_check(pdf: bytes, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    return subprocess.run([_tool("qpdf"), "--check", str(path)], capture_output=True, text=True)
