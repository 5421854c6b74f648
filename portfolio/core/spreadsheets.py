"""Writing text into spreadsheets safely: every spreadsheet the app writes (exports, progress
templates) keeps text as text — never a formula, even after leading white space — and without
the control characters Excel refuses."""
import re

from openpyxl.cell import Cell

FORMULA_START = re.compile(r"^[\s\u3000]*[=+\-@]|^[\t\r]")
"""Text a spreadsheet would run as a formula: =, +, - or @ first, even after white space."""
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(text: str) -> str:
    return ILLEGAL_CHARACTERS.sub("", text)


def csv_text(text: str) -> str:
    """Text for a CSV cell: formula-like text gets a leading apostrophe, as Excel expects."""
    text = clean(text)
    return "'" + text if FORMULA_START.match(text) else text


def is_formula_like(text: str) -> bool:
    return bool(FORMULA_START.match(text))


def keep_as_text(cell: Cell) -> None:
    """A cell openpyxl filled from a Python string: cleaned, and a string cell even if it looks like a formula."""
    if isinstance(cell.value, str):
        cell.value = clean(cell.value)
        cell.data_type = "s"
