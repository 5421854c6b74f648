"""Time reading each of the test suite's hostile workbooks (tests/imports/test_hostile_workbooks.py):
refused, or read for the rows it really holds. The suite checks what happens and the memory peak;
how long it takes is measured here.

    .venv/bin/python bench/hostile_workbooks.py
"""
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from portfolio.imports.tables import TableError, read_table  # noqa: E402
from tests.imports.test_hostile_workbooks import HOSTILE, _with_sheet  # noqa: E402


def main() -> None:
    print(f"{'workbook':<40} {'bytes':>12} {'median s':>9} {'max s':>7}  outcome")
    for name, (change, _refusal) in HOSTILE.items():
        data = _with_sheet(change)
        times, outcome = [], ""
        for _ in range(5):
            started = time.perf_counter()
            try:
                outcome = f"read {len(read_table(data, 'hostile.xlsx', '项目名称').rows)} rows"
            except TableError as error:
                outcome = f"refused: {str(error)[:40]}"
            times.append(time.perf_counter() - started)
        print(f"{name:<40} {len(data):>12,} {statistics.median(times):>9.2f} {max(times):>7.2f}  {outcome}")


if __name__ == "__main__":
    main()
