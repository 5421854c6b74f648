"""Assembling the quarterly progress report (季度进展情况报告) as plain, frozen data."""
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from portfolio.models import Milestone, Plan, ProgressReport, Project, ProjectStatus, Region, ReviewState, Sector
from portfolio.models.project import format_build_years
from portfolio.rules import (
    Assessment, Light, Thresholds, WarningKind, assess, completion_rate, format_percent, quarter_end, quarter_period,
    quarter_start, schedule_share,
)
from portfolio.services.dashboard import GroupFigures
from portfolio.services.progress import facts_for

QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ReportFilters:
    plan: Plan | None = None
    region: Region | None = None
    sector: Sector | None = None
    approved_only: bool = False
    """Count only progress that passed review (已审核)."""

    def describe(self) -> list[str]:
        parts = ["仅统计已审核的进展"] if self.approved_only else []
        if self.plan:
            parts.append(f"规划:{self.plan.title}")
        if self.region:
            parts.append(f"县(市、区):{self.region.city}{self.region.name}")
        if self.sector:
            parts.append(f"领域:{self.sector.label}")
        return parts


@dataclass(frozen=True)
class ProjectRow:
    number: int
    name: str
    region: str
    planned: Decimal
    build_years: str
    cumulative: Decimal
    rate: Decimal | None
    this_quarter: Decimal | None
    works_status: str
    light: Light
    review: str
    """The review state of the progress shown (草稿, 已报送, 已审核, 退回), or "—"."""


@dataclass(frozen=True)
class WarningEntry:
    name: str
    region: str
    light: Light
    reasons: tuple[str, ...]
    problems: str
    next_steps: str


@dataclass(frozen=True)
class MilestoneEntry:
    project: str
    region: str
    milestone: str
    actual_date: date


@dataclass(frozen=True)
class Overview:
    project_count: int
    by_status: tuple[tuple[str, int], ...]
    planned: Decimal
    cumulative: Decimal
    this_quarter: Decimal
    annual_plan: Decimal
    this_year: Decimal
    schedule_share: Decimal
    lights: dict[Light, int]
    overdue_count: int

    @property
    def completion_rate(self) -> Decimal | None:
        return completion_rate(self.cumulative, self.planned)

    @property
    def annual_rate(self) -> Decimal | None:
        return completion_rate(self.this_year, self.annual_plan)


@dataclass(frozen=True)
class QuarterlyReport:
    title: str
    year: int
    quarter: int
    as_of: date
    issuer: str
    generated_at: datetime
    filters: tuple[str, ...]
    overview: Overview
    summary: tuple[str, ...]
    by_region: tuple[GroupFigures, ...]
    by_sector: tuple[GroupFigures, ...]
    region_total: GroupFigures
    warnings: tuple[WarningEntry, ...]
    projects: tuple[ProjectRow, ...]
    milestones_reached: tuple[MilestoneEntry, ...]


def report_projects_query(filters: ReportFilters):
    query = select(Project)
    if filters.plan:
        query = query.where(Project.plan_id == filters.plan.id)
    if filters.region:
        query = query.where(Project.region_id == filters.region.id)
    if filters.sector:
        query = query.where(Project.sector == filters.sector)
    return query


def count_report_projects(session: Session, filters: ReportFilters) -> int:
    return session.scalar(report_projects_query(filters).with_only_columns(func.count(Project.id)))


def quarter_problem(year: int, quarter: int, today: date) -> str | None:
    """Why no report can be made for this quarter, or None: only quarters that have begun."""
    if not 1 <= quarter <= 4:
        return f"季度应为1–4,不是{quarter}"
    if quarter_start(year, quarter) > today:
        return f"{year}年{QUARTER_NAMES[quarter]}尚未开始,不能生成进展报告"
    return None


def report_title(year: int, quarter: int, filters: ReportFilters) -> str:
    subject = f"{filters.plan.title}重大工程项目" if filters.plan else "重大工程项目"
    return f"{subject}{year}年{QUARTER_NAMES[quarter]}进展情况"


def _latest_reports(session: Session, project_ids: list[int], period: int, approved_only: bool) -> dict[int, Row]:
    """Each project's newest progress report at or before the report's quarter."""
    latest: dict[int, Row] = {}
    columns = (ProgressReport.project_id, ProgressReport.year, ProgressReport.quarter,
               ProgressReport.quarter_investment, ProgressReport.works_status, ProgressReport.problems,
               ProgressReport.next_steps, ProgressReport.review_state)
    for start in range(0, len(project_ids), 500):
        chunk = project_ids[start:start + 500]
        query = select(*columns).where(ProgressReport.project_id.in_(chunk),
                                       ProgressReport.year * 4 + ProgressReport.quarter - 1 <= period)
        if approved_only:
            query = query.where(ProgressReport.review_state == ReviewState.APPROVED)
        for report in session.execute(query):
            current = latest.get(report.project_id)
            if current is None or (report.year, report.quarter) > (current.year, current.quarter):
                latest[report.project_id] = report
    return latest


def _group(rows: Iterable[tuple[Row, Assessment]], key: Callable, label: Callable, order: list) -> list[GroupFigures]:
    sums = defaultdict(lambda: [0, ZERO, ZERO, 0, 0])
    for project, assessment in rows:
        entry = sums[key(project)]
        entry[0] += 1
        entry[1] += project.planned_investment
        entry[2] += assessment.cumulative_investment
        entry[3] += assessment.light is Light.RED
        entry[4] += assessment.light is Light.YELLOW
    return [GroupFigures(getattr(k, "value", k), label(k), *sums[k]) for k in order if k in sums]


def build_quarterly_report(session: Session, year: int, quarter: int, filters: ReportFilters, issuer: str,
                           generated_at: datetime, thresholds: Thresholds = Thresholds()) -> QuarterlyReport:
    """The report for a quarter: the rules judge every project as of the quarter's last day."""
    as_of = quarter_end(year, quarter)
    period = quarter_period(year, quarter)
    projects = session.execute(
        report_projects_query(filters).with_only_columns(
            Project.id, Project.name, Project.region_id, Region.name.label("region_name"), Project.sector,
            Project.status, Project.planned_investment, Project.start_year, Project.end_year,
        ).join(Project.region).order_by(Region.id, Project.plan_id, Project.id)
    ).all()
    facts = facts_for(session, projects, filters.approved_only)
    assessments = {p.id: assess(facts[p.id], as_of, thresholds) for p in projects}
    latest = _latest_reports(session, [p.id for p in projects], period, filters.approved_only)
    pairs = [(p, assessments[p.id]) for p in projects]

    def this_quarter(project: Row) -> Decimal | None:
        report = latest.get(project.id)
        return report.quarter_investment if report and (report.year, report.quarter) == (year, quarter) else None

    lights = Counter(a.light for a in assessments.values())
    statuses = Counter(p.status for p in projects)
    overview = Overview(
        project_count=len(projects),
        by_status=tuple((s.label, statuses[s]) for s in ProjectStatus if statuses[s]),
        planned=sum((p.planned_investment for p in projects), ZERO),
        cumulative=sum((a.cumulative_investment for a in assessments.values()), ZERO),
        this_quarter=sum((this_quarter(p) or ZERO for p in projects), ZERO),
        annual_plan=sum((facts[p.id].annual_plans.get(year, ZERO) for p in projects), ZERO),
        this_year=sum((r.quarter_investment for p in projects for r in facts[p.id].reports
                       if r.year == year and r.quarter <= quarter), ZERO),
        schedule_share=schedule_share(as_of),
        lights={light: lights[light] for light in Light},
        overdue_count=sum(1 for a in assessments.values() if a.has(WarningKind.OVERDUE)),
    )
    region_names = {p.region_id: p.region_name for p in projects}
    by_region = _group(pairs, lambda p: p.region_id, region_names.get, list(region_names))
    warned = sorted((pair for pair in pairs if pair[1].light in (Light.RED, Light.YELLOW)),
                    key=lambda pair: pair[1].light is not Light.RED)
    reached = session.execute(
        select(Project.name, Region.name, Milestone.kind, Milestone.actual_date)
        .join(Milestone.project).join(Project.region)
        .where(Milestone.project_id.in_(report_projects_query(filters).with_only_columns(Project.id)),
               Milestone.actual_date.between(quarter_start(year, quarter), as_of))
        .order_by(Milestone.actual_date, Project.id)
    ).all()
    return QuarterlyReport(
        title=report_title(year, quarter, filters), year=year, quarter=quarter, as_of=as_of, issuer=issuer,
        generated_at=generated_at, filters=tuple(filters.describe()), overview=overview,
        summary=tuple(summarize(overview, year, quarter)),
        by_region=tuple(by_region),
        by_sector=tuple(_group(pairs, lambda p: p.sector, lambda s: s.label, list(Sector))),
        region_total=GroupFigures("all", "合计", overview.project_count, overview.planned, overview.cumulative,
                              lights[Light.RED], lights[Light.YELLOW]),
        warnings=tuple(
            WarningEntry(p.name, p.region_name, a.light, tuple(f"{w.kind.label}:{w.reason}" for w in a.warnings),
                         (latest[p.id].problems or "") if p.id in latest else "",
                         (latest[p.id].next_steps or "") if p.id in latest else "")
            for p, a in warned
        ),
        projects=tuple(
            ProjectRow(n, p.name, p.region_name, p.planned_investment, format_build_years(p.start_year, p.end_year),
                       a.cumulative_investment,
                       a.completion_rate, this_quarter(p),
                       (latest[p.id].works_status or "") if p.id in latest else "", a.light,
                       latest[p.id].review_state.label if p.id in latest else "—")
            for n, (p, a) in enumerate(pairs, start=1)
        ),
        milestones_reached=tuple(MilestoneEntry(name, region, kind.label, actual) for name, region, kind, actual in reached),
    )


def _percent(fraction: Decimal | None) -> str:
    return "—" if fraction is None else format_percent(fraction)


def summarize(overview: Overview, year: int, quarter: int) -> list[str]:
    """Two or three sentences a leader reads first, generated from the figures."""
    lights = overview.lights
    sentences = [
        f"纳入统计的{overview.project_count}个项目计划总投资{overview.planned:,.0f}万元,"
        f"截至{year}年{QUARTER_NAMES[quarter]}末累计完成投资{overview.cumulative:,.0f}万元,"
        f"投资完成率{_percent(overview.completion_rate)};本季度完成投资{overview.this_quarter:,.0f}万元。"
    ]
    if overview.annual_plan > 0:
        rate = overview.annual_rate
        gap = (overview.schedule_share - rate) * 100
        relation = (f"低于序时进度{gap:.1f}个百分点" if gap > 0 else f"高于序时进度{-gap:.1f}个百分点" if gap < 0
                    else "与序时进度持平")
        sentences.append(f"{year}年度计划投资{overview.annual_plan:,.0f}万元,已完成{overview.this_year:,.0f}万元,"
                         f"占年度计划{_percent(rate)},{relation}。")
    sentences.append(
        f"本季度共有{overview.overdue_count}个项目超期,红灯项目{lights[Light.RED]}个、黄灯项目{lights[Light.YELLOW]}个、"
        f"绿灯项目{lights[Light.GREEN]}个,已完成{lights[Light.DONE]}个。"
    )
    return sentences
