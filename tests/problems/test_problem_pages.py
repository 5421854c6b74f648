"""The ledger, problem and 督办单 pages through the test client, with CSRF on as in production: filters,
who sees and does what, refused posts that keep what was typed, and the quarter summary that
agrees with the quarterly report."""
import json
import re
from datetime import date, datetime, timedelta
from io import BytesIO
from typing import NamedTuple

from openpyxl import load_workbook
from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.problems.models import NoticeState, Problem, ProblemKind, ProblemState, SupervisionNotice
from portfolio.progress.models import ProgressReport
from portfolio.registry.models import ProjectStatus
from portfolio.reports.data import ReportFilters, build_quarterly_report
from portfolio.reports.fonts import register_font
from portfolio.reports.issue import differences, report_figures
from portfolio.reports.models import IssuedReport
from portfolio.reports.pdf import render_quarterly_pdf
from tests.factories import ProjectBuilder, add_problem, csrf_token, form_fields, login, submit
from tests.pdf import joined, pdf_text


def _text(response) -> str:
    return response.get_data(as_text=True)


def _listed(response) -> list[str]:
    return re.findall(r'<a href="/problems/\d+">([^<]+)</a>', _text(response))


def _two_counties(session):
    """An open, overdue problem in 山阳区 and a 资金 problem being coordinated in 孟州市 (committed)."""
    today = date.today()
    make_project = ProjectBuilder(session)
    own, other = make_project(region="山阳区"), make_project(region="孟州市")
    late = add_problem(session, own, description="山阳区用地未落实", raised_on=today - timedelta(days=30),
                       deadline=today - timedelta(days=1))
    funding = add_problem(session, other, description="孟州市资金缺口", kind=ProblemKind.FUNDING,
                          state=ProblemState.COORDINATING, raised_on=today)
    session.commit()
    return Ids(late.id, own.id, own.region_id), Ids(funding.id, other.id, other.region_id)


class Ids(NamedTuple):
    """A problem's id, its project's and its region's: what a test needs once the session that made them is gone.
    (Tests with several clients build their data with `in_app`: a test-wide app context would keep the first
    client's login in `g` for every client.)"""

    id: int
    project_id: int
    region_id: int


def _county_client(app, make_user, region="山阳区"):
    client = app.test_client()
    assert login(client, make_user(f"county-{region}", Role.COUNTY, region)).status_code == 302
    return client


def test_ledger_filters_and_overdue_rows(client, in_app):
    late, funding = in_app(_two_counties)
    assert sorted(_listed(client.get("/problems/"))) == ["孟州市资金缺口", "山阳区用地未落实"]
    assert _listed(client.get(f"/problems/?region={funding.region_id}")) == ["孟州市资金缺口"]
    assert _listed(client.get("/problems/?kind=funding")) == ["孟州市资金缺口"]
    assert _listed(client.get("/problems/?state=coordinating")) == ["孟州市资金缺口"]
    overdue = client.get("/problems/?overdue=y")
    assert _listed(overdue) == ["山阳区用地未落实"] and '<tr class="overdue">' in _text(overdue)
    assert _listed(client.get(f"/problems/?project={late.project_id}")) == ["山阳区用地未落实"]
    assert len(_listed(client.get("/problems/?kind=nonsense&region=abc&page=99999999999&year=x"))) == 2  # ignored
    export = client.get("/problems/export.xlsx?kind=funding")
    rows = list(load_workbook(BytesIO(export.data)).active.iter_rows(values_only=True))
    assert "问题台账" in rows[0][0] and rows[1][:3] == ("序号", "项目名称", "县(市、区)")
    assert [r[4] for r in rows[2:]] == ["孟州市资金缺口"]


def test_county_sees_its_own_region_only(app, clean_db, make_user, in_app):
    late, funding = in_app(_two_counties)
    county = _county_client(app, make_user)
    assert _listed(county.get("/problems/")) == ["山阳区用地未落实"]
    assert _listed(county.get(f"/problems/?region={funding.region_id}")) == ["山阳区用地未落实"]
    assert county.get(f"/problems/{late.id}").status_code == 200
    refused = county.get(f"/problems/{funding.id}")
    assert refused.status_code == 403 and "没有权限" in _text(refused)
    project_page = _text(county.get(f"/projects/{funding.project_id}"))
    assert 'id="problems"' not in project_page and "登记问题" not in project_page
    assert "登记问题" in _text(county.get(f"/projects/{late.project_id}"))


def test_viewer_reads_but_cannot_post(app, clean_db, make_user, in_app):
    late, _ = in_app(_two_counties)
    viewer = app.test_client()
    assert login(viewer, make_user("viewer-user", Role.VIEWER)).status_code == 302
    page = _text(viewer.get(f"/problems/{late.id}"))
    assert "山阳区用地未落实" in page and "<h3>记录协调进展" not in page and "印发督办单" not in page
    token = csrf_token(viewer, f"/projects/{late.project_id}")
    response = viewer.post(f"/problems/{late.id}/update", data={"csrf_token": token, "body": "试图修改", "state": "solved"})
    assert response.status_code == 403
    assert viewer.get(f"/problems/new?project={late.project_id}").status_code == 403
    assert viewer.get("/problems/notices/new").status_code == 403
    assert in_app(lambda s: s.get(Problem, late.id).state) is ProblemState.PENDING


def test_raise_a_problem_from_a_quarters_problems(client, session, make_project, in_app):
    project = make_project()
    report = ProgressReport(project=project, year=2025, quarter=3, cumulative_investment=100, quarter_investment=100,
                            physical_progress=10, problems="施工许可尚未办理")
    session.add(report)
    session.commit()
    url = f"/problems/new?project={project.id}&report={report.id}"
    fields = form_fields(_text(client.get(url)))
    assert fields["description"] == "施工许可尚未办理"
    refused = client.post(url, data=fields | {"kind": "permits", "responsible_units": ""})
    assert refused.status_code == 422 and "请填写责任单位" in _text(refused) and "施工许可尚未办理" in _text(refused)
    response = client.post(url, data=fields | {"kind": "permits", "responsible_units": "市住建局"})
    assert response.status_code == 302
    saved = in_app(lambda s: s.scalars(select(Problem)).one())
    assert (saved.progress_report_id, saved.kind, saved.raised_on) == (report.id, ProblemKind.PERMITS, date.today())


def test_problem_on_a_cancelled_project_is_refused(client, session, make_project, in_app):
    project = make_project(status=ProjectStatus.CANCELLED)
    session.commit()
    assert "登记问题" not in _text(client.get(f"/projects/{project.id}"))
    url = f"/problems/new?project={project.id}"
    opened = client.get(url)
    assert opened.status_code == 302 and "已取消，不能登记问题" in _text(client.get(opened.headers["Location"]))
    response = submit(client, url, {"kind": "land", "description": "征地未完成", "responsible_units": "市自然资源和规划局"},
                      form_url=f"/projects/{project.id}")
    assert response.status_code == 409
    assert "项目已取消，不能登记问题" in _text(response) and "征地未完成" in _text(response)
    assert in_app(lambda s: s.scalar(select(func.count(Problem.id)))) == 0


def test_coordination_steps_and_closing(client, in_app):
    late, _ = in_app(_two_counties)
    url = f"/problems/{late.id}"
    fields = form_fields(_text(client.get(url)))
    refused = client.post(f"{url}/update", data=fields | {"body": "经协调无法落实", "state": "unsolvable"})
    assert refused.status_code == 422 and "请填写无法解决的原因" in _text(refused) and "经协调无法落实" in _text(refused)
    done = client.post(f"{url}/update", data=fields | {"body": "用地指标已调剂", "state": "solved", "closing_note": "调剂解决"})
    assert done.status_code == 302
    saved = in_app(lambda s: (s.get(Problem, late.id).state, s.get(Problem, late.id).closed_on,
                              [r.body for r in s.get(Problem, late.id).replies]))
    assert saved == (ProblemState.SOLVED, date.today(), ["用地指标已调剂"])
    page = _text(client.get(url))
    assert "<h3>记录协调进展" not in page and "用地指标已调剂" in page
    again = client.post(f"{url}/update", data=fields | {"version": "2", "body": "再次协调", "state": "solved"})
    assert again.status_code == 409 and "不能再更改" in _text(again) and "再次协调" in _text(again)


def test_notice_issued_answered_and_closed(client, app, make_user, in_app):
    late, funding = in_app(_two_counties)
    deadline = (date.today() + timedelta(days=10)).isoformat()
    form_page = _text(client.get(f"/problems/notices/new?problem={late.id}"))
    assert f'checked id="problem_ids-0" name="problem_ids" type="checkbox" value="{late.id}"' in form_page or \
        re.search(rf'<input checked[^>]*value="{late.id}"', form_page)
    refused = submit(client, "/problems/notices/new", {"requirement": "请尽快落实", "reply_deadline": deadline})
    assert refused.status_code == 422 and "请至少选择一个督办的问题" in _text(refused) and "请尽快落实" in _text(refused)
    region_id = str(late.region_id)
    for expected in (1, 2):
        response = submit(client, "/problems/notices/new", {"problem_ids": [str(late.id)], "region_id": region_id,
                                                            "requirement": "请尽快落实用地指标", "reply_deadline": deadline})
        assert response.status_code == 302
        page = _text(client.get(response.headers["Location"]))
        assert f"督办〔{date.today().year}〕{expected}号" in page
    notice_id = in_app(lambda s: s.scalar(select(SupervisionNotice.id).where(SupervisionNotice.number == 1)))
    unit_notice = submit(client, "/problems/notices/new", {"problem_ids": [str(funding.id)], "unit": "市财政局",
                                                           "requirement": "请拨付资金", "reply_deadline": deadline})
    unit_id = int(unit_notice.headers["Location"].rsplit("/", 1)[1])

    county = _county_client(app, make_user)
    listed = _text(county.get("/problems/notices/"))
    assert "督办〔" in listed and "市财政局" not in listed
    assert county.get(f"/problems/notices/{unit_id}").status_code == 403
    page = _text(county.get(f"/problems/notices/{notice_id}"))
    assert "提交回复" in page and "办结</button>" not in page
    url = f"/problems/notices/{notice_id}"
    replied = submit(county, f"{url}/reply", {"reply": "已调剂用地指标"}, form_url=url)
    assert replied.status_code == 302
    notice = in_app(lambda s: s.get(SupervisionNotice, notice_id))
    assert (notice.state, notice.reply, notice.replied_on) == (NoticeState.REPLIED, "已调剂用地指标", date.today())
    assert "county-山阳区" in notice.replied_by

    token = csrf_token(county, url)
    assert county.post(f"{url}/close", data={"csrf_token": token}).status_code == 403
    assert submit(client, f"{url}/close", {}).status_code == 302
    assert in_app(lambda s: s.get(SupervisionNotice, notice_id).state) is NoticeState.CLOSED
    assert "提交回复" not in _text(county.get(url))
    late_reply = county.post(f"{url}/reply", data={"csrf_token": token, "reply": "补充说明：已开工"})
    assert late_reply.status_code == 409
    assert "该督办单已办结，不能再回复" in _text(late_reply) and "补充说明：已开工" in _text(late_reply)
    assert in_app(lambda s: s.get(SupervisionNotice, notice_id).reply) == "已调剂用地指标"

    # the city records the unit's reply
    assert submit(client, f"/problems/notices/{unit_id}/reply", {"reply": "资金已拨付"},
                  form_url=f"/problems/notices/{unit_id}").status_code == 302


def test_ledger_summary_and_report_section_agree(client, session, make_project, tmp_path):
    """The ledger's quarter summary and the quarterly report's section are the same function's figures."""
    shanyang, mengzhou = make_project(region="山阳区"), make_project(region="孟州市")
    # 2025 Q3's round: 2025-09-30 to 2025-12-30
    add_problem(session, shanyang, raised_on=date(2025, 9, 1), deadline=date(2025, 11, 1))
    add_problem(session, shanyang, raised_on=date(2025, 10, 2), kind=ProblemKind.FUNDING, state=ProblemState.SOLVED,
                closed_on=date(2025, 12, 1), description="配套资金未到位")
    add_problem(session, mengzhou, raised_on=date(2025, 11, 2), kind=ProblemKind.RELOCATION,
                state=ProblemState.SOLVED, closed_on=date(2026, 2, 1), description="征迁户未签约")
    session.commit()
    page = _text(client.get("/problems/?year=2025&quarter=3"))
    summary = re.search(r'<p class="totals" id="problem-summary">([^<]+)</p>', page).group(1)
    cells = re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>\s*"
                       r"<td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td></tr>", page)

    report = build_quarterly_report(session, 2025, 3, ReportFilters(), "焦作市发展和改革委员会", datetime(2026, 1, 5),
                                    date.today())
    figures = report.problems
    assert summary == figures.summary() == (
        "2025年9月30日至2025年12月30日，新增问题2个，解决1个；截至2025年12月30日尚未解决2个，其中超过办结时限1个。")
    expected = [(row.label, str(row.raised), str(row.solved), str(row.unsolvable), str(row.open))
                for rows in (figures.by_kind, figures.by_region) for row in (*rows, figures.total)]
    assert cells == expected

    text = joined(pdf_text(render_quarterly_pdf(report, register_font()), tmp_path))
    assert "五、存在问题及协调解决情况" in text and joined(figures.summary()) in text
    assert "征迁户未签约" in text and "六、项目进展明细" in text
    empty = build_quarterly_report(session, 2024, 3, ReportFilters(), "焦作市发展和改革委员会", datetime(2026, 1, 5),
                                   date.today())
    assert "2024年9月30日至2024年12月30日，无新增问题，无待协调问题。" in joined(pdf_text(render_quarterly_pdf(empty, register_font()), tmp_path))


def test_issued_figures_count_problems_and_older_issues_still_compare(session, make_project):
    add_problem(session, make_project(), raised_on=date(2025, 10, 8))
    report = build_quarterly_report(session, 2025, 3, ReportFilters(), "焦作市发展和改革委员会", datetime(2026, 1, 5),
                                    date.today())
    figures = report_figures(report)
    assert figures["问题·合计·新增"] == "1" and figures["问题·类型·用地·未解决"] == "1"
    assert figures["问题·县区·山阳区·未解决"] == "1"
    assert differences(IssuedReport(figures=json.dumps(figures)), report) == 0
    before_problems = {key: value for key, value in figures.items() if not key.startswith("问题·")}
    assert differences(IssuedReport(figures=json.dumps(before_problems)), report) == 0
    changed = figures | {"问题·合计·新增": "0"}
    assert differences(IssuedReport(figures=json.dumps(changed)), report) == 1
