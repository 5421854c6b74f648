"""What a hostile review of the round found: deadlines of other quarters, double submissions, a
returned report resubmitted unchanged, and a county reading other counties' problems in the PDF."""
import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portfolio.accounts.models import Role
from portfolio.cycle.models import Reminder
from portfolio.cycle.queries import quarter_round
from portfolio.problems.models import Problem, SupervisionNotice
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.registry.models import Project
from portfolio.rules import period_quarter, quarter_period, reporting_quarter
from tests.factories import ProjectBuilder, add_problem, build_user, login, submit
from tests.pdf import joined, pdf_text

YEAR, QUARTER = reporting_quarter(date.today())
NEXT = period_quarter(quarter_period(YEAR, QUARTER) + 1)
EARLIER = period_quarter(quarter_period(YEAR, QUARTER) - 4)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _setup(session):
    make = ProjectBuilder(session)
    shanyang = make(name="山阳区医院", region="山阳区", start_year=2020, end_year=YEAR + 1)
    make(name="解放区学校", region="解放区", start_year=2020, end_year=YEAR + 1)
    session.add(ProgressReport(project=shanyang, year=YEAR, quarter=QUARTER, review_state=ReviewState.RETURNED,
                               review_comment="请核实", cumulative_investment=Decimal(100),
                               quarter_investment=Decimal(0), physical_progress=Decimal(10)))
    session.flush()
    build_user(session, "city", Role.CITY)
    build_user(session, "shanyang", Role.COUNTY, "山阳区")
    build_user(session, "jiefang", Role.COUNTY, "解放区")
    session.commit()
    return shanyang


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_every_quarter_is_judged_against_today(session):
    _setup(session)
    today = date.today()
    earlier = quarter_round(session, *EARLIER, today, 5)
    assert earlier.past_deadline and earlier.days_left < -300 and earlier.late_regions, "a year-old round is late"
    coming = quarter_round(session, *NEXT, today, 5)
    assert not coming.begun and not coming.past_deadline and coming.days_left > 5 and not coming.late_regions


def test_no_reminder_for_a_quarter_not_yet_over(app, clean_db, in_app):
    in_app(_setup)
    city = _client(app, "city")
    page = f"/round/?year={NEXT[0]}&quarter={NEXT[1]}"
    response = submit(city, "/round/remind", {"which": "chosen", "region": "1", "year": NEXT[0], "quarter": NEXT[1]},
                      form_url=page)
    assert "尚未结束" in _text(city.get(response.headers["Location"]))
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(Reminder))) == 0


def test_a_confirmation_or_a_notice_posted_twice_acts_once(app, clean_db, in_app):
    project = in_app(lambda s: _setup(s).id)

    def raise_one(session):
        problem = add_problem(session, session.get(Project, project))
        session.commit()
        return problem.project.region_id, problem.id

    region, problem = in_app(raise_one)
    city = _client(app, "city")
    page = f"/round/?year={YEAR}&quarter={QUARTER}"
    confirmation = _text(submit(city, "/round/remind", {"which": "chosen", "region": str(region), "year": YEAR,
                                                        "quarter": QUARTER}, form_url=page))
    once = re.search(r'name="once" value="([0-9a-f]{32})"', confirmation).group(1)
    data = {"year": YEAR, "quarter": QUARTER, "note": "请尽快报送", "region": str(region), "confirmed": "y",
            "once": once}
    said = [" ".join(re.findall(r'role="status">([^<]+)<', _text(city.get(
        submit(city, "/round/remind", data, form_url=page).headers["Location"])))) for _ in range(2)]
    assert "已向山阳区催报" in said[0] and "已经提交过" in said[1]
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(Reminder))) == 1

    once = re.search(r'name="once" value="([0-9a-f]{32})"', _text(city.get("/problems/notices/new"))).group(1)
    notice = {"once": once, "problem_ids": str(problem), "unit": "市财政局", "requirement": "请报告进展",
              "reply_deadline": (date.today() + timedelta(days=7)).isoformat()}
    first, second = (submit(city, "/problems/notices/new", notice) for _ in range(2))
    assert first.status_code == second.status_code == 302
    assert "已经提交过" in _text(city.get(second.headers["Location"]))
    assert in_app(lambda s: s.scalar(select(func.count()).select_from(SupervisionNotice))) == 1


def test_a_returned_report_goes_back_only_once_it_is_changed(app, clean_db, in_app):
    shanyang_project_region = in_app(lambda s: _setup(s).region_id)
    county = _client(app, "shanyang")
    page = f"/reviews/?year={YEAR}&quarter={QUARTER}"
    assert "报送本季度进展" not in _text(county.get(page))
    refused = submit(county, "/reviews/submit", {"region": shanyang_project_region, "year": YEAR, "quarter": QUARTER},
                     form_url=page)
    assert "被退回的进展须修改后才能再次报送" in _text(county.get(refused.headers["Location"]))
    assert in_app(lambda s: s.scalar(select(ProgressReport.review_state))) is ReviewState.RETURNED


def test_a_county_reads_only_its_own_problems_in_the_report(app, clean_db, in_app, tmp_path):
    def problems(session):
        shanyang = _setup(session)
        jiefang = session.scalar(select(Project).where(Project.name == "解放区学校"))
        add_problem(session, shanyang, description="山阳区的用地问题", raised_on=date.today())
        add_problem(session, jiefang, description="解放区的资金缺口", raised_on=date.today())
        session.commit()

    in_app(problems)
    url = f"/reports/quarterly.pdf?year={YEAR}&quarter={QUARTER}"
    city = joined(pdf_text(_client(app, "city").get(url).data, tmp_path))
    county = joined(pdf_text(_client(app, "shanyang").get(url).data, tmp_path))
    assert "山阳区的用地问题" in city and "解放区的资金缺口" in city
    assert "山阳区的用地问题" in county and "解放区的资金缺口" not in county


def test_a_county_answers_its_own_problems_but_does_not_move_them(app, clean_db, in_app):
    def raise_one(session):
        problem = add_problem(session, _setup(session))
        session.commit()
        return problem.id

    problem_id = in_app(raise_one)
    url = f"/problems/{problem_id}"
    county = _client(app, "shanyang")
    page = _text(county.get(url))
    assert "答复进展" in page and 'name="closing_note"' not in page
    answered = submit(county, f"{url}/update", {"body": "已与自然资源局对接", "state": "solved",
                                                "version": "1"}, form_url=url)
    assert answered.status_code == 302
    problem = in_app(lambda s: (lambda p: (p.state.value, [r.body for r in p.replies]))(s.get(Problem, problem_id)))
    assert problem == ("pending", ["已与自然资源局对接"]), "the reply is kept; only the city moves the state"
    other = _client(app, "jiefang")
    assert submit(other, f"{url}/update", {"body": "越权", "version": "2"}, form_url="/problems/").status_code in (403, 404)
