"""规划指标 as seeded from the plan documents, the 规划实施监测 page, value entry and its refusals,
the Excel and PDF exports, and the Q4 report's section — through the pages, with CSRF on."""
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.core.audit import AuditEntry
from portfolio.indicators.models import IndicatorValue, PlanIndicator
from portfolio.registry.models import Plan
from portfolio.reports.data import ReportFilters, build_quarterly_report
from portfolio.reports.fonts import register_font
from portfolio.reports.pdf import render_quarterly_pdf
from tests.factories import login, submit
from tests.pdf import joined, pdf_text

JIAOZUO, XINXIANG = "焦作市“十四五”公共服务和社会保障规划", "新乡市“十五五”公共服务和社会保障规划"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _indicator(in_app, name: str, plan: str = JIAOZUO) -> PlanIndicator:
    return in_app(lambda s: s.scalar(select(PlanIndicator).join(PlanIndicator.plan)
                                     .where(PlanIndicator.name == name, Plan.title == plan)))


def _values(in_app) -> int:
    return in_app(lambda s: s.scalar(select(func.count()).select_from(IndicatorValue)))


def test_both_plans_indicators_are_seeded_as_printed(session, seeded):
    counts = dict(session.execute(select(Plan.title, func.count(PlanIndicator.id)).join(PlanIndicator.plan)
                                  .group_by(Plan.title)).all())
    assert counts == {JIAOZUO: 31, XINXIANG: 27}
    rows = {(i.plan.title[:2], i.name): i for i in session.scalars(select(PlanIndicator))}
    life = rows[("焦作", "人均预期寿命(岁)")]
    assert (life.baseline, life.target, life.nature.label, str(life.baseline_value), str(life.target_value)) == (
        "78.34", "79.5", "预期性", "78.3400", "79.5000")
    assert rows[("焦作", "孤儿和事实无人抚养儿童保障覆盖率")].target == "应保尽保"
    assert rows[("焦作", "以乡镇(街道)为单位适龄儿童免疫规划疫苗接种率")].baseline == "≥90%"
    xinxiang_life = rows[("新乡", "人均预期寿命(岁)")]
    assert (xinxiang_life.target, xinxiang_life.target_value, xinxiang_life.baseline_year) == ("增长1岁", None, 2020)
    garbled = rows[("新乡", "劳动力年龄人口平均教育年限(年)")]
    assert garbled.baseline == "1L2" and garbled.baseline_value is None and "OCR" in garbled.note


def test_the_monitoring_page_lists_and_filters(client, seeded):
    page = _text(client.get("/indicators/"))
    assert page.count('<tr data-status=') == 58
    assert "人均预期寿命(岁)" in page and "与经济社会发展水平同步增长" in page and "增长1岁" in page
    binding = _text(client.get("/indicators/?nature=binding&area=病有所医"))
    assert binding.count('<tr data-status=') == 0
    expected = _text(client.get("/indicators/?nature=expected&area=病有所医"))
    assert expected.count('<tr data-status=') == 4
    assert _text(client.get("/indicators/?plan=abc&nature=zzz&year=99999")).count('<tr data-status=') == 58


def test_a_2024_value_of_life_expectancy_shows_its_status(client, seeded, in_app):
    life = _indicator(in_app, "人均预期寿命(岁)")
    url = f"/indicators/{life.id}"
    response = submit(client, url, {"year": "2024", "value": "79.1岁", "source": "2024年焦作市统计公报"})
    assert response.status_code == 302
    page = _text(client.get(url))
    assert "已录入人均预期寿命(岁)2024年实际值" in page
    assert "2024年实际79.1岁，按线性进度应达79.27岁，低于0.17岁（目标79.5岁）" in page
    listed = _text(client.get("/indicators/?year=2024"))
    row = re.search(r'<tr data-status="lagging">.*?人均预期寿命.*?</tr>', listed, re.S).group(0)
    assert "79.27岁" in row and "79.1岁" in row and "row-red" not in row, "预期性: lagging but not red"
    # a correction replaces the year's value and is in the audit trail
    submit(client, url, {"year": "2024", "value": "79.3", "source": "更正：统计公报修订"})
    assert "2024年实际79.3岁，不低于按线性进度应达的79.27岁" in _text(client.get(url))
    assert _values(in_app) == 1
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(AuditEntry)
                                     .where(AuditEntry.table_name == "indicator_values"))) == 2


def test_a_binding_indicator_that_lags_is_red(client, seeded, in_app):
    beds = _indicator(in_app, "养老机构护理型床位占比")
    submit(client, f"/indicators/{beds.id}", {"year": "2023", "value": "45%", "source": "民政局报表"})
    listed = _text(client.get("/indicators/?year=2023&nature=binding"))
    assert re.search(r'<tr data-status="lagging" class="row-red">.*?养老机构护理型床位占比', listed, re.S)
    assert "约束性指标滞后 <strong>1</strong>" in listed


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"year": "2024", "value": "79.1%"}, "实际值", "单位是“%”，单位应为“岁”"),
    ({"year": "2024", "value": "很长"}, "实际值", "不是数字"),
    ({"year": "2024", "value": ""}, "实际值", "请填写实际值"),
    ({"year": "2024", "value": "1e400"}, "实际值", "请只填数字"),
    ({"year": "2019", "value": "79"}, "年份", "2019年不在规划期（2021–2025年）内"),
    ({"year": "2030", "value": "79"}, "年份", "2030年不在规划期"),
    ({"year": "二〇二四", "value": "79"}, "年份", "不是有效的整数"),
    ({"year": "2024", "value": "79", "source": ""}, "数据来源", "请填写数据来源"),
])
def test_bad_values_are_refused_naming_the_field(client, seeded, in_app, data, field, message):
    life = _indicator(in_app, "人均预期寿命(岁)")
    response = submit(client, f"/indicators/{life.id}", {"source": "统计公报"} | data)
    text = _text(response)
    assert response.status_code == 422 and f"<li>{field}：" in text and message in text
    if data["value"]:
        assert f'value="{data["value"]}"' in text, "what was typed is shown again"
    assert _values(in_app) == 0


def test_a_percentage_stays_within_0_and_100(client, seeded, in_app):
    rate = _indicator(in_app, "九年义务教育巩固率")
    response = submit(client, f"/indicators/{rate.id}", {"year": "2024", "value": "101", "source": "教育局"})
    assert response.status_code == 422 and "比率应在0–100之间" in _text(response)
    gross = _indicator(in_app, "高等教育毛入学率")
    assert submit(client, f"/indicators/{gross.id}", {"year": "2024", "value": "101.5", "source": "教育局"}
                  ).status_code == 302, "a gross enrolment rate may pass 100%"


def test_only_city_staff_enter_values(app, client, seeded, in_app, make_user):
    life = _indicator(in_app, "人均预期寿命(岁)")
    for username, role, region in (("county-a", Role.COUNTY, "山阳区"), ("viewer-a", Role.VIEWER, None)):
        other = app.test_client()
        login(other, make_user(username, role, region))
        page = _text(other.get(f"/indicators/{life.id}"))
        assert "录入或更正实际值" not in page and "人均预期寿命" in page
        response = submit(other, f"/indicators/{life.id}", {"year": "2024", "value": "79", "source": "x"},
                          form_url="/indicators/")
        assert response.status_code in (400, 403)
    assert _values(in_app) == 0


def test_excel_and_the_yearly_pdf(client, seeded, in_app, tmp_path):
    life = _indicator(in_app, "人均预期寿命(岁)")
    submit(client, f"/indicators/{life.id}", {"year": "2024", "value": "79.1", "source": "统计公报"})
    workbook = load_workbook(io.BytesIO(client.get("/indicators/monitoring.xlsx?year=2024&plan=").data))
    rows = [row for sheet in workbook for row in sheet.iter_rows(values_only=True) if row and row[0]]  # a sheet a plan
    life_row = next(row for row in rows if row[3] == "人均预期寿命(岁)")
    assert life_row[5:10] == ("78.34（2020年）", "79.1岁（2024年）", "79.5（2025年）", "79.27岁", "滞后")
    assert sum(1 for row in rows if row[0] and str(row[0]).isdigit()) == 58
    response = client.get("/indicators/monitoring.pdf?year=2024")
    assert response.mimetype == "application/pdf"
    text = joined(pdf_text(response.data, tmp_path))
    assert joined("规划实施年度监测报告（2024年）") in text and joined("低于0.17岁") in text
    assert joined("截至2024年，31项指标中") in text


def test_the_fourth_quarter_report_has_the_indicator_section(session, seeded, tmp_path):
    def report(quarter):
        return build_quarterly_report(session, 2025, quarter, ReportFilters(), "测试", datetime(2026, 1, 10),
                                      date(2026, 1, 10))

    q4, q3 = report(4), report(3)
    assert [group.plan.title for group in q4.indicators] == [JIAOZUO, XINXIANG] and q3.indicators == ()
    text = joined(pdf_text(render_quarterly_pdf(q4, register_font()), tmp_path))
    assert joined("七、规划指标监测情况") in text and joined("截至2025年，31项指标中") in text
    assert joined("七、规划指标监测情况") not in joined(pdf_text(render_quarterly_pdf(q3, register_font()), tmp_path))
