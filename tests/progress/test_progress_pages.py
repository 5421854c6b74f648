"""Recording progress, annual plans and milestones through the pages, and what the lists then show."""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portfolio.progress.models import ProgressReport
from portfolio.registry.models import Project, ProjectStatus
from portfolio.rules import quarter_of
from tests.factories import csrf_token, newest_cumulative, submit

TODAY = date.today()
THIS_QUARTER = quarter_of(TODAY)


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def project(seeded, in_app) -> Project:
    return in_app(lambda s: s.scalar(select(Project).where(Project.name == "山阳区黄龙山体育公园项目")))


def _reload(in_app, project_id: int) -> Project:
    return in_app(lambda s: s.get(Project, project_id))


def _progress(year=TODAY.year, quarter=THIS_QUARTER, cumulative="1000", this_quarter="200", percent="30", **extra):
    return {"year": str(year), "quarter": str(quarter), "cumulative_investment": cumulative,
            "quarter_investment": this_quarter, "physical_progress": percent, "works_status": "主体施工中",
            "problems": "用地手续待批", "next_steps": "加快施工"} | extra


def _reports(in_app, project_id):
    return in_app(lambda s: [(r.year, r.quarter, r.cumulative_investment) for r in s.scalars(
        select(ProgressReport).where(ProgressReport.project_id == project_id)
        .order_by(ProgressReport.year, ProgressReport.quarter))])


def test_record_progress_and_see_history_newest_first(client, project, in_app):
    url = f"/projects/{project.id}/progress/new"
    assert submit(client, url, _progress(year=2025, quarter=4, cumulative="1000", this_quarter="1000")).status_code == 302
    assert submit(client, url, _progress(cumulative="1,500.50", this_quarter="500.50")).status_code == 302
    text = _text(client.get(f"/projects/{project.id}"))
    rows = re.findall(r"<td>(\d{4})年第(\d)季度</td>", text)
    assert rows == [(str(TODAY.year), str(THIS_QUARTER)), ("2025", "4")]
    assert "1,500.50" in text and "37.5%" in text, "completion rate = 1500.50 ÷ 4000"
    assert in_app(lambda s: newest_cumulative(s, project.id)) == Decimal("1500.50")


@pytest.mark.parametrize(
    ("data", "field_label", "message"),
    [
        (_progress(year=TODAY.year + 1, quarter=1), "季度", "尚未开始，不能填报"),
        (_progress(percent="101"), "工程进度(%)", "工程进度应在0–100%之间"),
        (_progress(percent="-1"), "工程进度(%)", "不能为负数"),
        (_progress(cumulative="abc"), "累计完成投资(万元)", "不是数字"),
        (_progress(cumulative="100", this_quarter="200"), "本季度完成投资(万元)", "不能大于累计完成投资"),
        (_progress(quarter="5"), "季度", "不是有效的选择"),
    ],
)
def test_bad_progress_is_refused(client, project, in_app, data, field_label, message):
    response = submit(client, f"/projects/{project.id}/progress/new", data)
    assert response.status_code == 422
    assert f"<li>{field_label}：" in _text(response) and message in _text(response)
    assert "用地手续待批" in _text(response), "the typed text is kept"
    assert _reports(in_app, project.id) == []


def test_cumulative_may_not_fall_or_pass_a_later_quarter(client, project, in_app):
    url = f"/projects/{project.id}/progress/new"
    submit(client, url, _progress(year=2025, quarter=2, cumulative="800", this_quarter="100"))
    submit(client, url, _progress(year=2025, quarter=4, cumulative="1200", this_quarter="100"))
    lower = submit(client, url, _progress(year=2026, quarter=1, cumulative="1100", this_quarter="0"))
    assert lower.status_code == 422 and "低于2025年第4季度的累计（1,200.00万元）" in _text(lower)
    higher = submit(client, url, _progress(year=2025, quarter=3, cumulative="1300", this_quarter="100"))
    assert higher.status_code == 422 and "高于之后2025年第4季度的累计（1,200.00万元）" in _text(higher)
    duplicate = submit(client, url, _progress(year=2025, quarter=4, cumulative="1200", this_quarter="100"))
    assert duplicate.status_code == 422 and "2025年第4季度已有进展" in _text(duplicate)
    assert _reports(in_app, project.id) == [(2025, 2, Decimal("800")), (2025, 4, Decimal("1200"))]


def test_edit_an_earlier_quarter_and_delete(client, project, in_app):
    url = f"/projects/{project.id}/progress/new"
    submit(client, url, _progress(year=2025, quarter=2, cumulative="800", this_quarter="100"))
    submit(client, url, _progress(year=2025, quarter=4, cumulative="1200", this_quarter="100"))
    report_id = in_app(lambda s: s.scalar(select(ProgressReport.id).where(ProgressReport.quarter == 2)))
    edit = f"/projects/{project.id}/progress/{report_id}/edit"
    assert submit(client, edit, _progress(year=2025, quarter=2, cumulative="1300", this_quarter="100")).status_code == 422
    assert submit(client, edit, _progress(year=2025, quarter=2, cumulative="900", this_quarter="100")).status_code == 302
    assert _reports(in_app, project.id) == [(2025, 2, Decimal("900")), (2025, 4, Decimal("1200"))]
    newest = in_app(lambda s: s.scalar(select(ProgressReport.id).where(ProgressReport.quarter == 4)))
    delete = f"/projects/{project.id}/progress/{newest}/delete"
    assert client.post(delete, data={"csrf_token": csrf_token(client, delete)}).status_code == 302
    assert in_app(lambda s: newest_cumulative(s, project.id)) == Decimal("900")


def test_progress_of_another_project_is_not_reachable(client, project, in_app):
    submit(client, f"/projects/{project.id}/progress/new", _progress(year=2025, quarter=2))
    report_id = in_app(lambda s: s.scalar(select(ProgressReport.id)))
    assert client.get(f"/projects/{project.id + 1}/progress/{report_id}/edit").status_code == 404


def test_annual_plan_beside_what_was_completed(client, project, in_app):
    submit(client, f"/projects/{project.id}/progress/new", _progress(year=2025, quarter=2, cumulative="800", this_quarter="300"))
    detail = f"/projects/{project.id}"
    assert submit(client, f"/projects/{project.id}/annual-plans", {"year": "2025", "planned_investment": "1200"},
                  form_url=detail).status_code == 302
    row = re.search(r"<td>2025年</td>(.*?)</tr>", _text(client.get(detail)), re.S).group(1)
    assert re.findall(r'<td class="num">([^<]+)</td>', row) == ["1,200.00", "300.00", "25.0%"]
    refused = submit(client, f"/projects/{project.id}/annual-plans", {"year": "2025", "planned_investment": "-5"},
                     form_url=detail)
    assert refused.status_code == 422 and "不能为负数" in _text(refused)


def _milestones(**rows) -> dict:
    data = {}
    for kind, (planned, actual) in rows.items():
        data[f"{kind}-planned_date"] = planned
        data[f"{kind}-actual_date"] = actual
    return data


def test_milestones_move_the_status_and_say_so(client, project, in_app):
    url = f"/projects/{project.id}/milestones"
    assert _reload(in_app, project.id).status is ProjectStatus.UNDER_WAY
    in_app(lambda s: (s.get(Project, project.id).__setattr__("status", ProjectStatus.PREPARING), s.commit()))
    response = submit(client, url, _milestones(commencement=("2022-03-01", "2022-04-15"),
                                               acceptance=("2024-12-01", "")))
    assert response.status_code == 302
    followed = _text(client.get(response.headers["Location"]))
    assert "项目状态由“前期”改为“在建”" in followed
    assert _reload(in_app, project.id).status is ProjectStatus.UNDER_WAY
    assert "滞后" in followed and "节点“竣工验收”计划2024年12月1日完成" in followed
    submit(client, url, _milestones(commencement=("2022-03-01", "2022-04-15"), acceptance=("2024-12-01", "2025-01-10")))
    assert _reload(in_app, project.id).status is ProjectStatus.COMPLETED


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"commencement": ("2022-03-01", (TODAY + timedelta(days=1)).isoformat())}, "晚于今天"),
        ({"commencement": ("", "2023-05-01"), "acceptance": ("", "2023-01-01")}, "“竣工验收”的实际日期2023-01-01早于“开工”的实际日期2023-05-01"),
        ({"design_approval": ("2023-06-01", ""), "construction_permit": ("2023-01-01", "")}, "“施工许可”的计划日期2023-01-01早于"),
        ({"commencement": ("2023-02-30", "")}, "不是有效的日期值"),
    ],
)
def test_bad_milestones_are_refused(client, project, in_app, rows, message):
    response = submit(client, f"/projects/{project.id}/milestones", _milestones(**rows))
    assert response.status_code == 422 and message in _text(response)
    assert in_app(lambda s: len(s.get(Project, project.id).milestones)) == 0
