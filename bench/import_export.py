"""Benchmark previewing a 50,000-row plan table, importing a 10,000-row one from .xlsx and exporting 10,000 projects to .xlsx.

    .venv/bin/python bench/import_export.py            # 10,000 rows each
    .venv/bin/python bench/import_export.py --rows 2000

Import: a generated table in the plans' own columns (序号, 项目名称, 建设地点, 建设内容,
计划投资(万元), 建设年限, 领域) is read in openpyxl's read-only mode, previewed and applied into
an empty plan of a fresh SQLite file, in one transaction. Export: the same 10,000 projects,
with generated progress, written as the list page's Excel export. Each part runs in its own
process so its peak memory (max RSS) is its own.
"""
import argparse
import json
import random
import subprocess
import sys
import time
from datetime import date
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bench.measure import OUT, peak_memory_mb  # noqa: E402


def make_table(rows: int) -> bytes:
    from openpyxl import Workbook

    rng = random.Random(5)
    sites = ["解放区", "中站区", "马村区", "山阳区", "示范区", "修武县", "博爱县", "武陟县", "温县", "沁阳市", "孟州市"]
    sectors = ["医疗卫生", "教育", "养老", "托育", "体育", "文化旅游"]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("项目表")
    sheet.append(["焦作市重大工程项目表(基准测试生成数据)"])
    sheet.append(["序号", "项目名称", "建设地点", "建设内容", "计划投资\n(万元)", "建设年限", "领域"])
    for number in range(1, rows + 1):
        start = rng.randint(2021, 2026)
        sheet.append([number, f"基准项目{number:05d}号", rng.choice(sites), "建筑面积约2万平方米,新建综合楼等。",
                      f"{rng.randint(100, 900000):,}", f"{start}—{start + rng.randint(0, 3)}", rng.choice(sectors)])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure_preview(rows: int) -> dict:
    """The preview alone (what `projects import --dry-run` and the upload page's check do) of a new plan's table."""
    from bench.generated import bench_app, fresh_database
    from portfolio.core.db import db
    from portfolio.imports.flow import KINDS, ImportContext, preview_file
    from portfolio.registry.models import Plan
    from portfolio.registry.seed import load_seed, read_seed_dir

    path = OUT / "preview.sqlite3"
    fresh_database(path)
    data = make_table(rows)
    with bench_app(path).app_context():
        load_seed(db.session, read_seed_dir(ROOT / "seeds"))
        plan = Plan(title="基准导入规划", city="焦作市", start_year=2021, end_year=2030)
        db.session.add(plan)
        db.session.commit()
        started = time.perf_counter()
        preview = preview_file(db.session, KINDS["projects"], data, "table.xlsx", ImportContext(today=date.today(), plan=plan))
        seconds = time.perf_counter() - started
        assert preview.ok and preview.count("create") == rows
    return {"seconds": seconds, "peak_mb": peak_memory_mb(), "file_mb": len(data) / 1e6}


def measure_import(rows: int) -> dict:
    from bench.generated import bench_app, fresh_database
    from portfolio.core.db import db
    from portfolio.imports.flow import KINDS, ImportContext, apply_preview, preview_file
    from portfolio.registry.models import Plan
    from portfolio.registry.seed import load_seed, read_seed_dir

    path = OUT / "import.sqlite3"
    fresh_database(path)
    data = make_table(rows)
    with bench_app(path).app_context():
        load_seed(db.session, read_seed_dir(ROOT / "seeds"))
        plan = Plan(title="基准导入规划", city="焦作市", start_year=2021, end_year=2030)
        db.session.add(plan)
        db.session.commit()
        started = time.perf_counter()
        context = ImportContext(today=date.today(), plan=plan)
        preview = preview_file(db.session, KINDS["projects"], data, "table.xlsx", context)
        assert preview.ok and preview.count("create") == rows, preview.error_lines("table.xlsx")[:3]
        apply_preview(db.session, KINDS["projects"], preview, context)
        db.session.commit()
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_memory_mb(), "file_mb": len(data) / 1e6}


def measure_export(rows: int) -> dict:
    from bench.generated import TODAY, bench_app, fresh_database, generate
    from portfolio.core.db import db
    from portfolio.exports.render import export_list, write_xlsx
    from portfolio.registry.queries import ProjectFilters

    path = OUT / "export.sqlite3"
    fresh_database(path)
    with bench_app(path).app_context():
        generate(rows)
        started = time.perf_counter()
        exported = export_list(db.session, ProjectFilters(as_of=TODAY))
        data = write_xlsx(exported, "项目清单")
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_memory_mb(), "file_mb": len(data) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--preview-rows", type=int, default=50_000, help="rows of the table only previewed (goal 10 s)")
    parser.add_argument("--measure", choices=["preview", "import", "export"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure = {"preview": measure_preview, "import": measure_import, "export": measure_export}[args.measure]
        print(json.dumps(measure(args.preview_rows if args.measure == "preview" else args.rows)))
        return
    for kind, goal in (("preview", 10), ("import", 10), ("export", 5)):
        output = subprocess.run([sys.executable, __file__, "--measure", kind, "--rows", str(args.rows),
                                 "--preview-rows", str(args.preview_rows)], capture_output=True, text=True, check=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        rows = args.preview_rows if kind == "preview" else args.rows
        print(f"{kind} {rows:,} rows: {result['seconds']:.2f} s (goal {goal} s), peak {result['peak_mb']:.0f} MB, "
              f"file {result['file_mb']:.1f} MB", flush=True)


if __name__ == "__main__":
    main()
