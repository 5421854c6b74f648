"""Builders and helpers shared by the tests: accounts' password, the seed folder, projects, forms
posted the way a browser posts them, and spreadsheets built the way users make them.
Fixtures live in conftest.py; they call these."""
import csv
import io
import itertools
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portfolio.accounts.models import Role
from portfolio.accounts.operations import create_user
from portfolio.core.settings import ROOT
from portfolio.progress.models import AnnualPlan, Milestone, ProgressReport
from portfolio.progress.sample_data import SampleProgress
from portfolio.registry.models import (
    Plan,
    Project,
    ProjectStatus,
    Region,
    RegionKind,
    Sector,
)

SEED_DIR = ROOT / "seeds"
PASSWORD = "correct-horse-battery-42"

# --- accounts -----------------------------------------------------------------------------------------------------


def build_user(session: Session, username: str = "admin-test", role: Role = Role.ADMIN,
               region: str | None = None) -> str:
    """An account with PASSWORD (flushed, not committed); `region` is a region's name, for county users."""
    place = session.scalar(select(Region).where(Region.name == region)) if region else None
    create_user(session, username, role, place, PASSWORD)
    return username


# --- projects -----------------------------------------------------------------------------------------------------


class ProjectBuilder:
    """Projects in the test plan of 焦作市, with regions made on demand:
    `ProjectBuilder(session)(name="…", region="山阳区", planned_investment=100)`.
    `flush=False` leaves flushing to the caller (for building many at once)."""

    def __init__(self, session: Session, flush: bool = True):
        self.session = session
        self.flush = flush
        self.counter = itertools.count(1)
        self.plan: Plan | None = None
        self.regions: dict[str, Region] = {}

    def _plan(self) -> Plan:
        if self.plan is None or self.plan not in self.session:  # gone after a rollback: look it up again
            self.plan = self.session.query(Plan).filter_by(city="焦作市").first()
            if self.plan is None:
                self.plan = Plan(title="测试规划", city="焦作市", start_year=2021, end_year=2025)
                self.session.add(self.plan)
        return self.plan

    def _region(self, plan: Plan, name: str) -> Region:
        if name not in self.regions or self.regions[name] not in self.session:
            region = self.session.query(Region).filter_by(city=plan.city, name=name).first()
            if region is None:
                region = Region(city=plan.city, name=name, kind=RegionKind.DISTRICT)
                self.session.add(region)
            self.regions[name] = region
        return self.regions[name]

    def __call__(self, **overrides) -> Project:
        plan = self._plan()
        region = self._region(plan, overrides.pop("region", "山阳区"))
        values = {
            "name": f"生成项目{next(self.counter)}",
            "site": region.name,
            "sector": Sector.HEALTH,
            "content": "",
            "planned_investment": Decimal("1000"),
            "start_year": 2022,
            "end_year": 2024,
            "status": ProjectStatus.UNDER_WAY,
        } | overrides
        project = Project(plan=plan, region=region, **values)
        self.session.add(project)
        if self.flush:
            self.session.flush()
        return project


def refused(session: Session, statement) -> None:
    """`statement()` (which changes objects in the session) is refused by the database on flush;
    the savepoint it ran in is rolled back."""
    with pytest.raises(IntegrityError):
        with session.begin_nested():
            statement()
            session.flush()


# --- pages and forms ----------------------------------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at `url`, as a browser would send it back."""
    page = client.get(url)
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def submit(client, url: str, data: dict, form_url: str | None = None):
    """POST `data` with the CSRF token taken from the form page (by default `url` itself)."""
    return client.post(url, data={"csrf_token": csrf_token(client, form_url or url), **data})


def login(client, username: str, password: str = PASSWORD):
    return submit(client, "/login", {"username": username, "password": password})


class _FormReader(HTMLParser):
    """Collects what a browser would send for the first POST form on a page."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.in_form = self.done = False
        self.select: str | None = None
        self.selected = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.done:
            return
        if tag == "form" and attrs.get("method", "").lower() == "post" and "logout" not in attrs.get("action", ""):
            self.in_form = True
        elif self.in_form and tag == "input" and attrs.get("name") and attrs.get("type") not in ("checkbox", "submit"):
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif self.in_form and tag == "select":
            self.select = attrs.get("name")
            self.selected = False
        elif self.in_form and tag == "option" and self.select:
            if "selected" in attrs or self.select not in self.fields:  # a browser sends the first option by default
                if not self.selected:
                    self.fields[self.select] = attrs.get("value", "")
                self.selected = self.selected or "selected" in attrs
        elif self.in_form and tag == "textarea":
            self.textarea = attrs.get("name")
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True

    def handle_data(self, data):
        if self.textarea:
            text = self.fields[self.textarea] + data
            # a browser drops the line break that WTForms writes right after <textarea>
            self.fields[self.textarea] = text.removeprefix("\r\n").removeprefix("\n") if not self.fields[self.textarea] else text


def form_fields(html: str) -> dict[str, str]:
    reader = _FormReader()
    reader.feed(html)
    return reader.fields


# --- spreadsheets -------------------------------------------------------------------------------------------------

PLAN_TITLE = "焦作市“十四五”公共服务和社会保障规划"
PRINTED_HEADER = ["序号", "项目名称", "建设地点", "建 设 内 容", "计划投资\n(万元)", "建设年限(年)"]


def appendix_rows() -> list[list]:
    """The appendix table of the Jiaozuo plan, as printed (from the seed file, which holds its exact text)."""
    with (SEED_DIR / "projects.csv").open(encoding="utf-8") as handle:
        return [[int(r["number"]), r["name"], r["site"], r["content"], int(r["planned_investment"]), r["build_years"]]
                for r in csv.DictReader(handle)]


def xlsx_bytes(rows: list[list], title: str | None = None, header=PRINTED_HEADER, merge: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8", header=PRINTED_HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


# --- generated progress -------------------------------------------------------------------------------------------


def add_sample_progress(session: Session, project: Project, progress: SampleProgress, works_status: str | None = None,
                        problems: str | None = None, next_steps: str | None = None) -> None:
    """The rows the demo generator used to write for a project, without refreshing its
    figures: for data sets built in bulk, followed by one `refresh_all_figures(session)`."""
    for year, quarter, cumulative, this_quarter, percent in progress.reports:
        session.add(ProgressReport(project=project, year=year, quarter=quarter, cumulative_investment=cumulative,
                                   quarter_investment=this_quarter, physical_progress=percent,
                                   works_status=works_status, problems=problems, next_steps=next_steps))
    for year, amount in progress.annual_plans.items():
        session.add(AnnualPlan(project=project, year=year, planned_investment=amount))
    for kind, planned, actual in progress.milestones:
        session.add(Milestone(project=project, kind=kind, planned_date=planned, actual_date=actual))
