"""The review page as the office uses it in the quarterly round: the whole picture of each
submitted report, the projects still owed listed under them, one or many approved or returned
after a confirmation that counts them, filters kept, nothing submitted when nothing is waiting."""
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portfolio.accounts.models import Role
from portfolio.core.db import db
from portfolio.messages.models import Message
from portfolio.problems.models import SupervisionNotice
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.registry.models import Project, ProjectStatus
from portfolio.rules import period_quarter, quarter_end, quarter_period, reporting_quarter
from tests.factories import ProjectBuilder, add_problem, build_user, login, submit

YEAR, QUARTER = reporting_quarter(date.today())
PREVIOUS = period_quarter(quarter_period(YEAR, QUARTER) - 1)
PAGE = f"/reviews/?year={YEAR}&quarter={QUARTER}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _report(project, year, quarter, cumulative, percent, state, **text) -> ProgressReport:
    return ProgressReport(project=project, year=year, quarter=quarter, cumulative_investment=Decimal(cumulative),
                          quarter_investment=Decimal("0"), physical_progress=Decimal(percent), review_state=state,
                          **text)


@pytest.fixture
def round_data(app, clean_db):
    """山阳区: two submitted reports (one with the previous quarter), one draft, one owed and missing,
    one not started (owes nothing); 解放区: one returned. Accounts for both counties and the city."""
    with app.app_context():
        session = db.session
        make = ProjectBuilder(session)
        first = make(name="山阳区人民医院", region="山阳区", planned_investment=Decimal("8000"), start_year=2024,
                     end_year=YEAR + 1)
        second = make(name="山阳区第一中学", region="山阳区", start_year=2024, end_year=YEAR + 1)
        draft = make(name="山阳区养老中心", region="山阳区", start_year=2024, end_year=YEAR + 1)
        make(name="山阳区体育公园", region="山阳区", start_year=2024, end_year=YEAR + 1)
        make(name="山阳区未来项目", region="山阳区", start_year=YEAR + 1, end_year=YEAR + 2,
             status=ProjectStatus.PREPARING)
        returned = make(name="解放区图书馆", region="解放区", start_year=2024, end_year=YEAR + 1)
        session.add_all([
            _report(first, *PREVIOUS, "2000", "20", ReviewState.APPROVED, works_status="基础施工"),
            _report(first, YEAR, QUARTER, "2600", "35", ReviewState.SUBMITTED, works_status="主体施工至三层",
                    problems="征地尚有2户未签约", next_steps="完成主体封顶"),
            _report(second, YEAR, QUARTER, "300", "10", ReviewState.SUBMITTED),
            _report(draft, YEAR, QUARTER, "100", "5", ReviewState.DRAFT),
            _report(returned, YEAR, QUARTER, "50", "5", ReviewState.RETURNED, review_comment="请补充形象进度"),
        ])
        session.flush()
        build_user(session, "city", Role.CITY)
        build_user(session, "shanyang", Role.COUNTY, "山阳区")
        session.commit()


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def _ids(in_app, *names) -> list[int]:
    return in_app(lambda s: list(s.scalars(select(ProgressReport.id).join(ProgressReport.project)
                                          .where(Project.name.in_(names), ProgressReport.year == YEAR,
                                                 ProgressReport.quarter == QUARTER).order_by(ProgressReport.id))))


def _states(in_app) -> dict[str, ReviewState]:
    return in_app(lambda s: {r.project.name: r.review_state for r in s.scalars(
        select(ProgressReport).where(ProgressReport.year == YEAR, ProgressReport.quarter == QUARTER))})


def test_the_reviewer_sees_the_whole_picture_and_what_is_still_owed(app, round_data):
    page = _text(_client(app, "city").get(PAGE))
    card = page[page.index('data-project="山阳区人民医院"'):page.index('data-project="山阳区第一中学"')]
    for shown in ("2,600.00", "2,000.00", "+600.00", "35.00%", "20.00%", "+15.00个百分点", "主体施工至三层", "基础施工",
                  "征地尚有2户未签约", "完成主体封顶", "按本季度数据预警"):
        assert shown in card, shown
    assert "已报送待审（2）" in page
    others = page[page.index('id="reviews"'):]
    rows = re.findall(r'data-state="(\w+)"[^>]*>\s*<td><a[^>]*>([^<]+)</a>', others)
    assert ("missing", "山阳区体育公园") in rows and ("draft", "山阳区养老中心") in rows and \
        ("returned", "解放区图书馆") in rows
    assert "山阳区未来项目" not in page, "a project not yet started owes nothing"
    assert "请补充形象进度" in others


def test_bulk_approval_confirms_how_many_and_keeps_the_filters(app, round_data, in_app):
    city = _client(app, "city")
    region = in_app(lambda s: s.scalar(select(Project.region_id).where(Project.name == "山阳区人民医院")))
    ids = _ids(in_app, "山阳区人民医院", "山阳区第一中学")
    data = {"action": "approve", "report": [str(i) for i in ids], "year": YEAR, "quarter": QUARTER, "region": region}
    confirmation = submit(city, "/reviews/act", data, form_url=PAGE)
    assert confirmation.status_code == 200 and "确认审核通过2条进展" in _text(confirmation)
    assert _states(in_app)["山阳区人民医院"] is ReviewState.SUBMITTED, "nothing changes before the confirmation"
    seen = re.findall(r'name="seen" value="([^"]+)"', _text(confirmation))
    done = submit(city, "/reviews/act", data | {"confirmed": "y", "seen": seen}, form_url=PAGE)
    assert done.status_code == 302
    assert f"region={region}" in done.headers["Location"] and f"quarter={QUARTER}" in done.headers["Location"]
    assert "已审核通过2条进展" in _text(city.get(done.headers["Location"]))
    states = _states(in_app)
    assert states["山阳区人民医院"] is states["山阳区第一中学"] is ReviewState.APPROVED


def test_returning_needs_a_reason_and_keeps_what_was_typed(app, round_data, in_app):
    city = _client(app, "city")
    [report_id] = _ids(in_app, "山阳区第一中学")
    data = {"action": "return", "report": report_id, "year": YEAR, "quarter": QUARTER, "confirmed": "y",
            "seen": f"{report_id}:1", "comment": "  "}
    refused = submit(city, "/reviews/act", data, form_url=PAGE)
    assert refused.status_code == 422 and "必须填写退回意见" in _text(refused)
    assert _states(in_app)["山阳区第一中学"] is ReviewState.SUBMITTED
    stale = submit(city, "/reviews/act", data | {"comment": "数据与台账不符", "seen": f"{report_id}:0"}, form_url=PAGE)
    assert stale.status_code == 409 and "已被修改" in _text(stale) and "数据与台账不符" in _text(stale)
    assert _states(in_app)["山阳区第一中学"] is ReviewState.SUBMITTED
    assert submit(city, "/reviews/act", data | {"comment": "数据与台账不符"}, form_url=PAGE).status_code == 302
    report = in_app(lambda s: s.get(ProgressReport, report_id))
    assert report.review_state is ReviewState.RETURNED and report.review_comment == "数据与台账不符"
    told = in_app(lambda s: [(m.recipient.username, m.body) for m in s.scalars(select(Message))])
    assert told == [("shanyang", f"以下项目的{YEAR}年第{QUARTER}季度进展被退回，请修改后重新报送：山阳区第一中学。"
                                 "\n退回意见：数据与台账不符")], "the county's account is told why"


def test_a_report_already_handled_is_refused_whole(app, round_data, in_app):
    city = _client(app, "city")
    ids = _ids(in_app, "山阳区人民医院", "山阳区养老中心")
    response = submit(city, "/reviews/act", {"action": "approve", "report": [str(i) for i in ids], "year": YEAR,
                                             "quarter": QUARTER}, form_url=PAGE)
    assert response.status_code == 302
    assert "山阳区养老中心" in _text(city.get(response.headers["Location"]))
    assert _states(in_app)["山阳区人民医院"] is ReviewState.SUBMITTED, "all or nothing"


def test_submitting_with_nothing_waiting_is_refused(app, round_data, in_app):
    county = _client(app, "shanyang")
    region = in_app(lambda s: s.scalar(select(Project.region_id).where(Project.name == "山阳区人民医院")))
    first = submit(county, "/reviews/submit", {"region": region, "year": YEAR, "quarter": QUARTER}, form_url=PAGE)
    assert "已报送" in _text(county.get(first.headers["Location"])) and \
        _states(in_app)["山阳区养老中心"] is ReviewState.SUBMITTED
    again = submit(county, "/reviews/submit", {"region": region, "year": YEAR, "quarter": QUARTER}, form_url=PAGE)
    assert "没有待报送的进展" in _text(county.get(again.headers["Location"]))


def test_a_county_is_offered_nothing_it_may_not_do(app, round_data, in_app):
    county = _client(app, "shanyang")
    page = _text(county.get(PAGE))
    assert "审核通过" not in page and "退回所选" not in page and 'name="report"' not in page
    assert "解放区图书馆" not in page, "a county sees its own projects only"
    project_id = in_app(lambda s: s.scalar(select(Project.id).where(Project.name == "山阳区人民医院")))
    detail = _text(county.get(f"/projects/{project_id}"))
    progress = detail[detail.index('id="progress"'):detail.index('id="annual-plans"')]
    assert "审核中" in progress and "/edit" not in progress.split(f"{YEAR}年第{QUARTER}季度")[1].split("</tr>")[0]
    [report_id] = _ids(in_app, "山阳区人民医院")
    form = _text(county.get(f"/projects/{project_id}/progress/{report_id}/edit"))
    assert "请市级退回" in form and ">保存<" not in form
    refused_delete = submit(county, f"/projects/{project_id}/progress/{report_id}/delete", {},
                            form_url=f"/projects/{project_id}")
    assert refused_delete.status_code == 302 and "不能删除" in _text(county.get(refused_delete.headers["Location"]))
    assert in_app(lambda s: s.get(ProgressReport, report_id)) is not None


def test_the_county_home_is_its_to_do_and_the_dashboard_has_a_line_per_county(app, round_data, monkeypatch):
    days_since_quarter_end = (date.today() - quarter_end(YEAR, QUARTER)).days
    monkeypatch.setitem(app.config, "REPORT_DUE_DAYS", days_since_quarter_end - 1)  # the deadline was yesterday
    home = _text(_client(app, "shanyang").get("/"))
    todo = home[home.index('id="todo"'):home.index("</section>", home.index('id="todo"'))]
    assert "已过1天" in todo
    assert "山阳区体育公园" in todo and "未填报" in todo and "山阳区养老中心" in todo and "草稿" in todo
    assert "山阳区人民医院" not in todo, "submitted: nothing left to do"
    lines = re.findall(r'<li class="(\w*)" data-region="(\S+)"', _text(_client(app, "city").get("/")))
    assert sorted(lines) == [("late", "山阳区"), ("late", "解放区")], "both still owe progress after the deadline"
    city_home = _text(_client(app, "city").get("/"))
    shanyang = re.search(r'data-region="山阳区">(.*?)</li>', city_home, re.S).group(1)
    assert re.sub(r"<[^>]+>|\s", "", shanyang) == \
        "山阳区：应报4个，未填报1、草稿1、退回待改0、已报送待审2、已审核0（已逾期）"
    assert 'id="todo"' not in city_home

    monkeypatch.setitem(app.config, "REPORT_DUE_DAYS", days_since_quarter_end + 3)
    home = _text(_client(app, "shanyang").get("/"))
    assert "还有3天" in home and "已逾期" not in home


def test_notices_awaiting_reply_are_on_the_county_home_and_overdue_ones_red_on_the_dashboard(app, round_data):
    with app.app_context():
        session = db.session
        project = session.scalar(select(Project).where(Project.name == "山阳区人民医院"))
        problem = add_problem(session, project)
        today = date.today()
        overdue = SupervisionNotice(year=today.year, number=1, region_id=project.region_id, requirement="请落实用地指标",
                                    reply_deadline=today - timedelta(days=2), issued_on=today - timedelta(days=9),
                                    issued_by="city", problems=[problem])
        waiting = SupervisionNotice(year=today.year, number=2, region_id=project.region_id, requirement="请说明征迁进度",
                                    reply_deadline=today + timedelta(days=5), issued_on=today, issued_by="city",
                                    problems=[problem])
        session.add_all([overdue, waiting])
        session.commit()
    home = _text(_client(app, "shanyang").get("/"))
    todo = home[home.index('id="todo-notices"'):]
    assert todo.index(f"督办〔{today.year}〕1号") < todo.index(f"督办〔{today.year}〕2号"), "overdue first"
    assert "（已逾期）" in todo.split(f"督办〔{today.year}〕2号")[0]
    city_home = _text(_client(app, "city").get("/"))
    late = city_home[city_home.index('id="overdue-notices"'):city_home.index("</section>", city_home.index('id="overdue-notices"'))]
    assert f"督办〔{today.year}〕1号" in late and "已逾期2天" in late and f"督办〔{today.year}〕2号" not in late


def test_another_county_reads_the_project_but_not_its_problems_trail(app, round_data, make_user):
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.name == "山阳区人民医院"))
        add_problem(db.session, project, description="机密的征迁矛盾")
        db.session.commit()
        project_id = project.id
    own = _text(_client(app, "shanyang").get(f"/projects/{project_id}/history"))
    other = _text(_client(app, make_user("jiefang", Role.COUNTY, "解放区")).get(f"/projects/{project_id}/history"))
    assert "机密的征迁矛盾" in own and "机密的征迁矛盾" not in other
