"""Benchmark the quarterly PDF report against a bare-ReportLab floor, for 1,000 and 10,000 projects.

For each size: generate the projects (with progress) into a fresh SQLite file, then, each in
its own process so that peak memory is its own, measure
  - report: the whole report (data assembly from the database + drawing every section);
  - floor: bare ReportLab drawing only the detail table of the same rows — plain strings in
    short cells, Paragraphs only where text wraps, explicit column widths, the table cut
    into chunks of 200 rows.
Prints wall time, peak memory (max RSS) and the report/floor ratio:

    .venv/bin/python bench/report_pdf.py                 # 1,000 and 10,000 projects
    .venv/bin/python bench/report_pdf.py --sizes 1000
"""
import argparse
import json
import subprocess
import sys
import time
from datetime import datetime
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

from bench.measure import OUT, peak_memory_mb  # noqa: E402


def measure_report(db_path: Path) -> dict:
    from bench.generated import bench_app
    from portfolio.core.db import db
    from portfolio.reports.data import ReportFilters, build_quarterly_report
    from portfolio.reports.fonts import register_font
    from portfolio.reports.pdf import render_quarterly_pdf

    app = bench_app(db_path)
    with app.app_context():
        font = register_font()
        started = time.perf_counter()
        report = build_quarterly_report(db.session, 2026, 3, ReportFilters(), "基准测试", datetime(2026, 11, 22),
                                        datetime(2026, 11, 22).date())
        built = time.perf_counter()
        pdf = render_quarterly_pdf(report, font)
        finished = time.perf_counter()
    (OUT / f"report-{db_path.stem}.pdf").write_bytes(pdf)
    return {"seconds": finished - started, "data_seconds": built - started, "bytes": len(pdf), "peak_mb": peak_memory_mb()}


def measure_floor(db_path: Path) -> dict:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
    from sqlalchemy import create_engine, text

    from portfolio.reports.fonts import register_font

    font = register_font().name
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT p.id, p.name, r.name, p.planned_investment, p.start_year || '—' || p.end_year,"
            " coalesce((SELECT max(cumulative_investment) FROM progress_reports WHERE project_id = p.id), 0),"
            " '主体结构施工', p.status"
            " FROM projects p JOIN regions r ON r.id = p.region_id ORDER BY r.id, p.id")).all()
    engine.dispose()
    width = A4[0] - 32 * mm
    widths = [w * width for w in (0.05, 0.2, 0.08, 0.1, 0.1, 0.1, 0.07, 0.09, 0.16, 0.05)]
    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9.75, wordWrap="CJK")
    style = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                        ("GRID", (0, 0), (-1, -1), 0.4, "#a0aec0")])

    def fit(value: str, column: int):
        return value if stringWidth(value, font, 7.5) <= widths[column] - 6 else Paragraph(value, cell)

    started = time.perf_counter()
    body = [[str(n), fit(name, 1), region, f"{planned:,.0f}", years, f"{cumulative:,.2f}",
             f"{cumulative / planned:.0%}" if planned else "—", "—", fit(works, 8), status]
            for n, (_, name, region, planned, years, cumulative, works, status) in enumerate(rows, start=1)]
    header = ["序号", "项目名称", "县(市、区)", "计划投资", "建设年限", "累计完成", "完成率", "本季度", "形象进度", "预警"]
    story = [Table([header, *body[i:i + 200]], colWidths=widths, repeatRows=1, style=style)
             for i in range(0, len(body), 200)]
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm).build(story)
    return {"seconds": time.perf_counter() - started, "bytes": len(buffer.getvalue()), "peak_mb": peak_memory_mb()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--measure", choices=["report", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps((measure_report if args.measure == "report" else measure_floor)(args.db)))
        return

    from bench.generated import bench_app, fresh_database, generate

    for size in args.sizes:
        db_path = OUT / f"report_{size}.sqlite3"
        fresh_database(db_path)
        with bench_app(db_path).app_context():
            generate(size)
        results = {}
        for kind in ("floor", "report"):
            output = subprocess.run([sys.executable, __file__, "--measure", kind, "--db", str(db_path)],
                                    capture_output=True, text=True, check=True).stdout
            results[kind] = json.loads(output.strip().splitlines()[-1])
        report, floor = results["report"], results["floor"]
        print(f"{size:,} projects: report {report['seconds']:.2f} s (data {report['data_seconds']:.2f} s), "
              f"{report['peak_mb']:.0f} MB, {report['bytes'] / 1e6:.1f} MB PDF | floor {floor['seconds']:.2f} s, "
              f"{floor['peak_mb']:.0f} MB | ratio {report['seconds'] / floor['seconds']:.2f}", flush=True)


if __name__ == "__main__":
    main()
