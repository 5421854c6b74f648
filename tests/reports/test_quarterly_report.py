"""The quarterly report on the seed projects: its data, then drawn and read back. (On 240 generated projects,
against the rules and the dashboard: test_report_on_generated_data.py.)"""
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from portfolio.registry.models import Project
from portfolio.reports.data import (
    ReportFilters,
    build_quarterly_report,
    quarter_problem,
)
from portfolio.reports.fonts import register_font
from portfolio.reports.pdf import render_quarterly_pdf
from tests.factories import SEED_DIR
from tests.pdf import fonts, joined, pdf_text, qpdf_check

GENERATED_AT = datetime(2026, 11, 22, 9, 30)
SEED_NAMES = [line.split(",")[2] for line in (SEED_DIR / "projects.csv").read_text(encoding="utf-8").splitlines()[1:]]


def _report(session, year=2026, quarter=3, **filters):
    return build_quarterly_report(session, year, quarter, ReportFilters(**filters), "焦作市发展和改革委员会", GENERATED_AT,
                                  GENERATED_AT.date())


def test_seed_report_totals(session, seeded):
    report = _report(session)
    assert report.title == "重大工程项目2026年第三季度进展情况" and report.as_of == date(2026, 9, 30)
    in_report_order = sorted(session.scalars(select(Project)).all(), key=lambda p: (p.region_id, p.plan_id, p.id))
    assert [p.name for p in report.projects] == [p.name for p in in_report_order] and len(report.projects) == 13
    assert [p.region for p in report.projects] == [p.region.name for p in in_report_order]
    assert report.total.planned_investment == Decimal("626457") and report.total.cumulative_investment == 0
    assert report.total.overdue == 13 and report.total.red == 13
    assert sum(row.planned_investment for row in report.by_region) == Decimal("626457")
    assert "其中超期13个" in report.summary[-1]


@pytest.mark.parametrize(
    ("year", "quarter", "problem"),
    [(2026, 4, None), (2027, 1, "2027年第一季度尚未开始"), (2026, 5, "季度应为1–4")],
)
def test_quarter_problem(year, quarter, problem):
    found = quarter_problem(year, quarter, date(2026, 11, 22))
    assert (found is None) if problem is None else problem in found


def test_seed_pdf_reads_back_in_chinese(session, seeded, tmp_path):
    pdf = render_quarterly_pdf(_report(session), register_font())
    text = joined(pdf_text(pdf, tmp_path))
    for name in SEED_NAMES:
        assert name in text, name
    assert "626,457" in text and "一、总体情况" in text and "六、项目进展明细" in text
    assert "焦作市发展和改革委员会" in text and "截至2026年9月30日" in text
    assert qpdf_check(pdf, tmp_path).returncode == 0


def test_truetype_font_is_embedded_and_the_fallback_works(session, seeded, tmp_path):
    font = register_font()
    assert font.embedded, "a TrueType CJK font is installed by `make system-packages`"
    embedded = fonts(render_quarterly_pdf(_report(session), font), tmp_path)
    assert embedded and all(f["embedded"] and "TrueType" in f["type"] for f in embedded)
    assert any("WenQuanYi" in f["name"] or "CJK" in f["name"] for f in embedded)

    fallback = register_font(candidates=())
    assert fallback.name == "STSong-Light" and not fallback.embedded
    pdf = render_quarterly_pdf(_report(session), fallback)
    assert [f["name"] for f in fonts(pdf, tmp_path)] == ["STSong-Light"]
    assert qpdf_check(pdf, tmp_path).returncode == 0


def test_unusable_configured_font_is_an_error(tmp_path):
    bad = tmp_path / "not-a-font.ttf"
    bad.write_text("nope")
    with pytest.raises(ValueError, match="无法使用"):
        register_font(str(bad))
