"""Exports over PORTFOLIO_JOB_EXPORT_ROWS and imports over PORTFOLIO_JOB_IMPORT_ROWS run as jobs: the
page offers the background button instead of the link, the job's file is the one the link would
have given, the import writes all rows or none in the name of the account that confirmed it, and the
uploaded file is gone once the job has ended."""
import csv
import io
import re
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from sqlalchemy import func, select, update

from portfolio.accounts.models import Role, User
from portfolio.core.audit import AuditEntry
from portfolio.core.db import db
from portfolio.exports.render import render_export
from portfolio.imports import views as import_views
from portfolio.jobs import runner
from portfolio.jobs.models import Job, JobState
from portfolio.registry.models import Plan, Project, ProjectStatus, Region
from portfolio.registry.queries import ProjectFilters
from tests.factories import PLAN_TITLE, appendix_rows, csrf_token, login, xlsx_bytes

pytestmark = pytest.mark.usefixtures("committed")  # other threads, processes or connections


def _run_next(app) -> Job:
    with app.app_context():
        claimed = runner.claim(db.engine, "test")
    assert claimed is not None
    runner.run(app, claimed)
    with app.app_context():
        job = db.session.get(Job, claimed.job_id)
        db.session.expunge(job)
        return job


@pytest.fixture
def city(app, seeded, make_user):
    browser = app.test_client()
    login(browser, make_user("city", Role.CITY))
    return browser


def test_a_large_export_is_a_job_whose_file_is_the_one_the_link_gives(app, city, monkeypatch):
    with app.app_context():
        region = db.session.scalar(select(Region.id).where(Region.name == "山阳区"))
        count = db.session.scalar(select(func.count()).select_from(Project).where(Project.region_id == region))
    assert count >= 2
    query = f"region={region}&as_of=2026-09-30"
    small = city.get(f"/projects/?{query}").get_data(as_text=True)
    assert "/projects/export.csv?" in small and "在后台导出" not in small
    with city.get(f"/projects/export.csv?{query}") as direct:
        expected = direct.data

    monkeypatch.setitem(app.config, "JOB_EXPORT_ROWS", 1)
    listed = city.get(f"/projects/?{query}").get_data(as_text=True)
    assert "在后台导出CSV" in listed and "/projects/export.csv?" not in listed
    redirected = city.get(f"/projects/export.csv?{query}")
    assert redirected.status_code == 303 and redirected.headers["Location"] == f"/projects/?{query}"
    refused = city.post(f"/projects/export-job.csv?{query}")
    assert refused.status_code == 400  # no CSRF token: nothing queued
    asked = city.post(f"/projects/export-job.csv?{query}", data={"csrf_token": csrf_token(city, f"/projects/?{query}")})
    assert asked.status_code == 302
    job = _run_next(app)
    assert (job.state, job.summary) == (JobState.DONE, f"已导出{count}个项目")
    assert "导出项目清单（CSV，截至2026年9月30日；县(市、区)：山阳区）" == job.title
    with city.get(f"/jobs/{job.id}/result") as result:
        assert result.data == expected
        assert result.headers["Content-Disposition"].endswith(quote("项目清单_截至20260930_山阳区.csv"))
    page = city.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert f"已导出{count}个项目" in page and "返回项目库" in page
    assert f'href="/jobs/{job.id}"' in city.get("/projects/").get_data(as_text=True).split('id="recent-jobs"')[1]


def test_an_export_tells_its_progress_row_by_row(app, seeded):
    told = []
    with app.app_context():
        exported = render_export(db.session, "xlsx", ProjectFilters(), app.config,
                                 lambda done, total, stage=None: told.append((done, total, stage)))
    assert told[0] == (0, 1, "读取数据、判断预警") and told[1] == (0, exported.count, "写入文件")
    assert told[-1] == (exported.count, exported.count, None) and len(told) == exported.count + 2


def _preview(browser, plan_id: int):
    token = re.search(r'name="projects-csrf_token" type="hidden" value="([^"]+)"',
                      browser.get("/imports/").get_data(as_text=True)).group(1)
    return browser.post("/imports/projects", content_type="multipart/form-data", data={
        "projects-csrf_token": token, "projects-plan": str(plan_id),
        "projects-file": (BytesIO(xlsx_bytes(appendix_rows(), title=PLAN_TITLE)), "附表.xlsx")})


def _confirm(browser, preview_page: str):
    fields = dict(re.findall(r'<input id="(\w+)" name="\w+" type="hidden" value="([^"]*)"', preview_page))
    return browser.post("/imports/projects/confirm", data={
        "csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', preview_page).group(1),
        "token": fields["token"]})


@pytest.fixture
def empty_plan(app, seeded) -> int:
    with app.app_context():
        plan = Plan(title="焦作市后台导入规划", city="焦作市", start_year=2021, end_year=2025)
        db.session.add(plan)
        db.session.commit()
        return plan.id


def _projects_in(app, plan_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Project).where(Project.plan_id == plan_id))


def test_a_large_upload_is_checked_by_a_job_then_confirmed_from_its_result(app, city, empty_plan, monkeypatch):
    """No request reads a large file: the check runs in the background with its progress; its page then
    leads to the preview (rows with changes and errors listed) and the confirm button."""
    monkeypatch.setitem(app.config, "JOB_PREVIEW_KB", 1)
    asked = _preview(city, empty_plan)
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/jobs/")
    waiting = city.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'id="job-progress"' in waiting and "检查“附表.xlsx”" in waiting and 'id="job-next"' not in waiting
    job = _run_next(app)
    assert job.state is JobState.DONE and job.summary.startswith("检查完成：新增13行"), job.error
    done = city.get(asked.headers["Location"]).get_data(as_text=True)
    checked_url = re.search(r'id="job-next" href="([^"]+)"', done).group(1)
    page = city.get(checked_url).get_data(as_text=True)
    assert "新增 <strong>13</strong>" in page and "确认导入" in page and page.count('class="action-create"') == 13
    assert app.test_client().get(checked_url).status_code == 302, "login first"
    confirmed = _confirm(city, page)
    assert confirmed.status_code == 302 and _projects_in(app, empty_plan) == 13
    assert city.get(checked_url).status_code == 404, "the upload is gone once imported"


def test_a_large_upload_with_errors_is_refused_by_its_check(app, city, empty_plan, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_PREVIEW_KB", 1)
    rows = appendix_rows()
    rows[2][2] = "火星区"
    token = re.search(r'name="projects-csrf_token" type="hidden" value="([^"]+)"',
                      city.get("/imports/").get_data(as_text=True)).group(1)
    asked = city.post("/imports/projects", content_type="multipart/form-data", data={
        "projects-csrf_token": token, "projects-plan": str(empty_plan),
        "projects-file": (BytesIO(xlsx_bytes(rows, title=PLAN_TITLE)), "附表.xlsx")})
    job = _run_next(app)
    assert job.state is JobState.FAILED and "第5行" in job.error and "火星区" in job.error
    assert 'id="job-next"' not in city.get(asked.headers["Location"]).get_data(as_text=True)
    assert list((runner.folder(app).parent / "uploads").iterdir()) == [] and _projects_in(app, empty_plan) == 0


def test_a_large_import_is_a_job_written_in_the_name_of_who_confirmed_it(app, city, empty_plan, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_IMPORT_ROWS", 5)
    preview = _preview(city, empty_plan).get_data(as_text=True)
    assert "确认导入（13行，在后台导入，可看到进度）" in preview
    asked = _confirm(city, preview)
    assert asked.status_code == 302 and asked.headers["Location"].startswith("/jobs/")
    assert list((runner.folder(app).parent / "uploads").iterdir()) == []  # handed to the job
    assert _projects_in(app, empty_plan) == 0
    waiting = city.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'id="job-progress"' in waiting and "导入数据" in waiting

    job = _run_next(app)
    assert job.state is JobState.DONE and job.summary == "已导入“附表.xlsx”：新增 13 个项目，更新 0 个，0 个无变化。"
    assert job.result_name is None and not runner.result_path(app, job.id).exists()
    assert not runner.input_path(app, job.id).exists()
    assert _projects_in(app, empty_plan) == 13
    with app.app_context():
        names = set(db.session.scalars(select(AuditEntry.username).where(
            AuditEntry.project_id.in_(select(Project.id).where(Project.plan_id == empty_plan)))))
    assert names == {"city"}
    done = city.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert job.summary in done and 'id="job-result"' not in done
    assert f'href="/jobs/{job.id}"' in city.get("/imports/").get_data(as_text=True).split('id="recent-jobs"')[1]


def test_an_import_job_whose_account_lost_the_right_writes_nothing(app, city, empty_plan, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_IMPORT_ROWS", 5)
    _confirm(city, _preview(city, empty_plan).get_data(as_text=True))
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "city")).role = Role.VIEWER
        db.session.commit()
    job = _run_next(app)
    assert job.state is JobState.FAILED and "无权导入" in job.error
    assert _projects_in(app, empty_plan) == 0 and not runner.input_path(app, job.id).exists()


def test_a_small_import_is_still_confirmed_in_the_request(app, city, empty_plan):
    preview = _preview(city, empty_plan).get_data(as_text=True)
    assert "确认导入</button>" in preview
    assert _confirm(city, preview).status_code == 302 and _projects_in(app, empty_plan) == 13
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_the_export_job_reads_the_filters_as_the_list_does(app, city, monkeypatch):
    """Several warning kinds, a sort and a keyword survive the trip through the job's parameters."""
    query = "warning=overdue&warning=investment_lag&sort=investment&order=desc&q=医院&as_of=2026-09-30"
    with city.get(f"/projects/export.csv?{query}") as direct:
        expected = direct.data
    monkeypatch.setitem(app.config, "JOB_EXPORT_ROWS", 0)
    city.post(f"/projects/export-job.csv?{query}", data={"csrf_token": csrf_token(city, "/projects/")})
    job = _run_next(app)
    with city.get(f"/jobs/{job.id}/result") as result:
        assert result.data == expected
    rows = list(csv.reader(io.StringIO(expected.decode("utf-8-sig"))))
    assert rows[-1][1] == "合计（4个项目）" and all("医院" in row[1] for row in rows[1:-1])
    investments = [Decimal(row[9]) for row in rows[1:-1]]
    assert investments == sorted(investments, reverse=True) and job.summary == "已导出4个项目"


def test_a_list_with_cancelled_projects_offers_the_export_its_link_accepts(app, city, monkeypatch):
    """The page and the link decide by the same count (cancelled projects are exported too)."""
    with app.app_context():
        project = db.session.scalars(select(Project).order_by(Project.id)).first()
        project.status = ProjectStatus.CANCELLED
        db.session.commit()
        everything = db.session.scalar(select(func.count()).select_from(Project))
    monkeypatch.setitem(app.config, "JOB_EXPORT_ROWS", everything - 1)
    listed = city.get("/projects/").get_data(as_text=True)
    assert f"导出当前清单（{everything}个项目，在后台导出" in listed and "/projects/export.csv" not in listed
    monkeypatch.setitem(app.config, "JOB_EXPORT_ROWS", everything)
    assert "/projects/export.csv" in city.get("/projects/").get_data(as_text=True)
    with city.get("/projects/export.csv") as direct:
        assert direct.status_code == 200


def test_the_confirmation_takes_only_the_uploads_token_from_the_browser(app, city, empty_plan, in_app):
    """A changed row count, file name or plan in the confirm form changes nothing: what the preview found
    is kept on the server (a 13-row file stays in the request, under its own name, into its own plan)."""
    preview = _preview(city, empty_plan).get_data(as_text=True)
    fields = dict(re.findall(r'<input id="(\w+)" name="\w+" type="hidden" value="([^"]*)"', preview))
    assert set(fields) == {"csrf_token", "token"}, "nothing but the token goes to the browser"
    other_plan = in_app(lambda s: s.scalar(select(Plan.id).where(Plan.id != empty_plan)))
    confirmed = city.post("/imports/projects/confirm", follow_redirects=True, data={
        "csrf_token": fields["csrf_token"], "token": fields["token"], "rows": "99999", "filename": "../evil.csv",
        "plan": str(other_plan)})
    assert confirmed.status_code == 200 and "已导入“附表.xlsx”" in confirmed.get_data(as_text=True)
    assert _projects_in(app, empty_plan) == 13
    assert in_app(lambda s: s.scalar(select(func.count(Job.id)))) == 0, "no background job for 13 rows"


def test_a_disabled_accounts_queued_import_writes_nothing(app, city, empty_plan, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_IMPORT_ROWS", 5)
    _confirm(city, _preview(city, empty_plan).get_data(as_text=True))
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "city")).is_enabled = False
        db.session.commit()
    job = _run_next(app)
    assert job.state is JobState.FAILED and "已停用" in job.error and _projects_in(app, empty_plan) == 0


def test_an_import_taken_over_before_it_commits_writes_nothing(app, city, empty_plan, monkeypatch):
    """The import and the job's end commit together: a run that lost the job rolls its rows back, and
    the run that took it over imports the file once."""
    monkeypatch.setitem(app.config, "JOB_IMPORT_ROWS", 5)
    _confirm(city, _preview(city, empty_plan).get_data(as_text=True))
    with app.app_context():
        first = runner.claim(db.engine, "first")
    real_apply = import_views.apply_preview

    def taken_over_meanwhile(*args, **kwargs):
        with app.app_context():  # another worker re-queued and took the job while this run was checking the file
            with db.engine.begin() as connection:
                connection.execute(update(Job).where(Job.id == first.job_id).values(worker="second", attempts=2))
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(import_views, "apply_preview", taken_over_meanwhile)
    runner.run(app, first)
    assert _projects_in(app, empty_plan) == 0 and runner.input_path(app, first.job_id).exists()
    monkeypatch.setattr(import_views, "apply_preview", real_apply)
    runner.run(app, runner.Claim(first.job_id, "second", 2))
    with app.app_context():
        job = db.session.get(Job, first.job_id)
        assert (job.state, job.worker) == (JobState.DONE, "second") and "新增 13 个项目" in job.summary
    assert _projects_in(app, empty_plan) == 13 and not runner.input_path(app, first.job_id).exists()


def test_a_long_title_is_cut_to_fit(app, city, monkeypatch):
    monkeypatch.setitem(app.config, "JOB_EXPORT_ROWS", 0)
    keyword = "很长的关键词" * 16  # 96 characters, within the filter's 100
    query = f"q={keyword}&sector=health&status=under_way&funding=central_budget"
    city.post(f"/projects/export-job.csv?{query}", data={"csrf_token": csrf_token(city, "/projects/")})
    with app.app_context():
        job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
        assert len(job.title) <= runner.TITLE_LENGTH and job.title.startswith("导出项目清单（CSV")
