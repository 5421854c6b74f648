"""Builders and helpers shared by the tests: accounts' password, the seed folder, projects, forms
posted the way a browser posts them, and spreadsheets built the way users make them.
Fixtures live in conftest.py; they call these."""
import csv
import io
import itertools
import re
import socket
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default as email_policy
from html.parser import HTMLParser

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portfolio.accounts.models import Role, User
from portfolio.accounts.operations import create_user
from portfolio.api.tokens import create_token
from portfolio.core.settings import ROOT
from portfolio.problems.models import Problem, ProblemKind, ProblemState
from portfolio.progress.models import AnnualPlan, Milestone, MilestoneKind, ProgressReport
from portfolio.progress.sample_data import SampleProgress
from portfolio.registry.models import (
    FundingSource,
    Plan,
    Project,
    ProjectFunding,
    ProjectStatus,
    Region,
    RegionKind,
    Sector,
    StatusChange,
)
from portfolio.judgements.queries import assessments_as_of
from portfolio.rules import Thresholds, elapsed_share, quarter_end

SEED_DIR = ROOT / "seeds"
PASSWORD = "correct-horse-battery-42"

# --- mail -------------------------------------------------------------------------------------------------------


class MailServer:
    """aiosmtpd's SMTP server on a free loopback port, keeping each message it is given."""

    def __init__(self):
        self.received: list[EmailMessage] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        message = BytesParser(policy=email_policy).parsebytes(envelope.content)
        message.envelope_to = list(envelope.rcpt_tos)
        self.received.append(message)
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.received if address in message.envelope_to]


# --- accounts -----------------------------------------------------------------------------------------------------


def build_user(session: Session, username: str = "admin-test", role: Role = Role.ADMIN,
               region: str | None = None) -> str:
    """An account with PASSWORD (flushed, not committed); `region` is a region's name, for county users."""
    place = session.scalar(select(Region).where(Region.name == region)) if region else None
    create_user(session, username, role, place, PASSWORD)
    return username


def api_token(session: Session, username: str, name: str = "测试令牌") -> str:
    """A new API token of the account (flushed, not committed): its secret, for `Authorization: Bearer`."""
    return create_token(session, session.scalar(select(User).where(User.username == username)), name)[1]


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


def add_problem(session: Session, project: Project, **overrides) -> Problem:
    """A problem of `project` (flushed): 用地, raised 2025-07-10, 待协调 unless `overrides` say otherwise."""
    values = {"kind": ProblemKind.LAND, "description": "用地指标未落实", "responsible_units": "市自然资源和规划局",
              "raised_on": date(2025, 7, 10), "raised_by": "测试", "state": ProblemState.PENDING} | overrides
    problem = Problem(project=project, **values)
    session.add(problem)
    session.flush()
    return problem


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
    """Collects what a browser would send for each POST form on a page (`forms`: action, fields, file inputs)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str], list[str]]] = []
        self.fields: dict[str, str] = {}
        self.files: list[str] = []
        self.action: str | None = None
        self.select: str | None = None
        self.selected = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        in_form = self.action is not None
        if tag == "form" and attrs.get("method", "").lower() == "post" and "logout" not in attrs.get("action", ""):
            self.action, self.fields, self.files = attrs.get("action") or "", {}, []
        elif in_form and tag == "input" and attrs.get("name") and attrs.get("type") == "file":
            self.files.append(attrs["name"])
        elif in_form and tag == "input" and attrs.get("name") and attrs.get("type") not in ("checkbox", "submit"):
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif in_form and tag == "select":
            self.select = attrs.get("name")
            self.selected = False
        elif in_form and tag == "option" and self.select:
            if "selected" in attrs or self.select not in self.fields:  # a browser sends the first option by default
                if not self.selected:
                    self.fields[self.select] = attrs.get("value", "")
                self.selected = self.selected or "selected" in attrs
        elif in_form and tag == "textarea":
            self.textarea = attrs.get("name")
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.action is not None:
            self.forms.append((self.action, self.fields, self.files))
            self.action = None

    def handle_data(self, data):
        if self.textarea:
            text = self.fields[self.textarea] + data
            # a browser drops the line break that WTForms writes right after <textarea>
            self.fields[self.textarea] = text.removeprefix("\r\n").removeprefix("\n") if not self.fields[self.textarea] else text


def post_forms(html: str) -> list[tuple[str, dict[str, str], list[str]]]:
    """Every POST form of a page (but logging out): its action, the fields a browser would send, its file inputs."""
    reader = _FormReader()
    reader.feed(html)
    return reader.forms


def form_fields(html: str) -> dict[str, str]:
    """What a browser would send for the first POST form on a page."""
    forms = post_forms(html)
    return forms[0][1] if forms else {}


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


def newest_cumulative(session: Session, project_id: int) -> Decimal:
    """The 累计完成投资 the project's stored judgement holds once every report is in the past."""
    project = session.get(Project, project_id)
    return assessments_as_of(session, [project], date(2100, 1, 1), Thresholds())[project_id].cumulative_investment


def add_sample_progress(session: Session, project: Project, progress: SampleProgress, works_status: str | None = None,
                        problems: str | None = None, next_steps: str | None = None) -> None:
    """The rows the demo generator writes for a project (judged at the next flush)."""
    for year, quarter, cumulative, this_quarter, percent in progress.reports:
        session.add(ProgressReport(project=project, year=year, quarter=quarter, cumulative_investment=cumulative,
                                   quarter_investment=this_quarter, physical_progress=percent,
                                   works_status=works_status, problems=problems, next_steps=next_steps))
    for year, amount in progress.annual_plans.items():
        session.add(AnnualPlan(project=project, year=year, planned_investment=amount))
    for kind, planned, actual in progress.milestones:
        session.add(Milestone(project=project, kind=kind, planned_date=planned, actual_date=actual))


EDGES = [Decimal(x) for x in ("10.0", "30.0", "9.96", "10.04", "29.96", "30.04", "9.95", "30.05", "29.94")]
"""Investment lags (percentage points) on and around the yellow and red thresholds."""


def _annual_edge(target: Decimal, quarter: int, plan: Decimal) -> Decimal:
    """This year's investment by `quarter` that puts the annual lag exactly at `target` points."""
    return (plan * (Decimal(quarter) / 4 - target / 100)).quantize(Decimal("0.01"))


def build_edge_set(session) -> list[int]:
    """Projects on the edges of every rule (see tests/rules/test_sql_twin_sweep.py); returns their ids."""
    plan = Plan(title="边界规划", city="焦作市", start_year=2021, end_year=2030)
    regions = [Region(city="焦作市", name=name, kind=RegionKind.DISTRICT) for name in ("山阳区", "解放区", "温县")]
    session.add_all([plan, *regions])
    session.flush()
    number = iter(range(1000))

    def project(status=ProjectStatus.UNDER_WAY, start=2024, end=2027, planned="100000", **extra):
        made = Project(plan=plan, region=regions[next(number) % 3], name=f"边界项目{len(made_ids):03d}",
                       site="山阳区", sector=list(Sector)[len(made_ids) % 10], content="",
                       planned_investment=Decimal(planned), start_year=start, end_year=end, status=status, **extra)
        session.add(made)
        made_ids.append(made)
        return made

    def report(owner, year, quarter, cumulative, this_quarter):
        session.add(ProgressReport(project=owner, year=year, quarter=quarter, cumulative_investment=Decimal(cumulative),
                                   quarter_investment=Decimal(this_quarter), physical_progress=Decimal(10)))

    made_ids: list[Project] = []
    # annual lags on the edges, at each quarter end of 2026
    for year in (2026,):
        for quarter in (1, 2, 3, 4):
            for target in EDGES:
                annual = Decimal("10000.00")
                if (done := _annual_edge(target, quarter, annual)) < 0:
                    continue
                owner = project(start=2024, end=2029)
                session.add(AnnualPlan(project=owner, year=year, planned_investment=annual))
                report(owner, year, quarter, Decimal(20000) + done, done)
    # whole-period lags on the edges at 2026 Q3 (a fen either side of the limit)
    for target in EDGES:
        for fen in (Decimal("-0.01"), Decimal(0), Decimal("0.01")):
            owner = project(start=2024, end=2028, planned="99999.99")
            share = elapsed_share(owner, quarter_end(2026, 3)) - target / 100
            cumulative = (owner.planned_investment * share).quantize(Decimal("0.01")) + fen
            report(owner, 2026, 3, cumulative, Decimal(100))
    # every status, with and without reports; future starts; annual plan 0
    # 资金来源 partly allocated, exactly allocated and a fen over, on every status (cancelled ones are left out)
    funding_cases = itertools.cycle([
        {FundingSource.CENTRAL_BUDGET: "1000", FundingSource.SPECIAL_BONDS: "2500.50"},
        {FundingSource.SPECIAL_BONDS: "5000"},
        {FundingSource.LOCAL_FUNDS: "4999.99", FundingSource.OTHER: "0.02"},
        {},
    ])
    for status in ProjectStatus:
        for start, end in ((2023, 2025), (2025, 2026), (2027, 2028), (2029, 2030)):
            owner = project(status=status, start=start, end=end, planned="5000")
            owner.funding = [ProjectFunding(source=source, amount=Decimal(amount))
                             for source, amount in next(funding_cases).items()]
            if start <= 2026:
                report(owner, 2025, 4, 1000, 1000)
                report(owner, 2026, 2, 1500, 300)
            session.add(AnnualPlan(project=owner, year=2026, planned_investment=Decimal(0)))
    owner = project(planned="0")  # no planned investment: no investment rate at all
    # milestones planned and reached late, and not reached
    for actual in (None, date(2026, 5, 20), date(2027, 2, 1)):
        owner = project(start=2025, end=2028)
        session.add(Milestone(project=owner, kind=MilestoneKind.COMMENCEMENT, planned_date=date(2025, 3, 1),
                              actual_date=actual))
        session.add(Milestone(project=owner, kind=MilestoneKind.MAIN_WORKS_DONE, planned_date=date(2026, 11, 30),
                              actual_date=None))
    # reports with gaps, for 未报送 yellow and red
    owner = project(start=2024, end=2028)
    for year, quarter, cumulative in ((2024, 2, 100), (2024, 4, 200), (2025, 1, 300), (2026, 3, 900), (2027, 4, 1500)):
        report(owner, year, quarter, cumulative, 100)
    # status histories: completed on 2026-10-15, suspended then resumed, cancelled in 2027, started late
    histories = [
        (ProjectStatus.COMPLETED, [(None, ProjectStatus.UNDER_WAY), (date(2026, 10, 15), ProjectStatus.COMPLETED)]),
        (ProjectStatus.UNDER_WAY, [(None, ProjectStatus.UNDER_WAY), (date(2025, 6, 1), ProjectStatus.SUSPENDED),
                                   (date(2026, 4, 1), ProjectStatus.UNDER_WAY)]),
        (ProjectStatus.CANCELLED, [(None, ProjectStatus.PREPARING), (date(2027, 3, 31), ProjectStatus.CANCELLED)]),
        (ProjectStatus.IN_USE, [(None, ProjectStatus.PREPARING), (date(2024, 9, 30), ProjectStatus.UNDER_WAY),
                                (date(2027, 12, 31), ProjectStatus.IN_USE)]),
        (ProjectStatus.UNDER_WAY, [(date(2025, 2, 1), ProjectStatus.PREPARING), (date(2025, 8, 1), ProjectStatus.UNDER_WAY)]),
    ]
    for status, history in histories:
        owner = project(status=status, start=2024, end=2027, status_since=history[-1][0])
        for since, changed in history:
            session.add(StatusChange(project=owner, status=changed, since=since, source="test"))
        report(owner, 2025, 1, 4000, 4000)
    session.flush()
    session.commit()
    return [made.id for made in made_ids]
