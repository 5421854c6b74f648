"""Assembling the quarterly progress report (季度进展情况报告) as plain, frozen data."""
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from portfolio.core.formatting import QUARTER_NAMES
from portfolio.progress.models import Milestone
from portfolio.registry.models import Plan, Project, ProjectStatus, Region, Sector, format_build_years
from portfolio.rules import (
    Light,
    Thresholds,
    WarningKind,
    assess,
    completion_rate,
    format_percent,
    latest_report,
    quarter_end,
    quarter_start,
    schedule_share,
    totals,
    year_investment,
)
from portfolio.rules.figures import facts_for
from portfolio.rules.totals import GroupFigures, project_cell

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


def build_quarterly_report(session: Session, year: int, quarter: int, filters: ReportFilters, issuer: str,
                           generated_at: datetime, thresholds: Thresholds = Thresholds()) -> QuarterlyReport:
    """The report for a quarter: the rules judge every project as of the quarter's last day."""
    as_of = quarter_end(year, quarter)
    projects = session.execute(
        report_projects_query(filters).with_only_columns(
            Project.id, Project.name, Project.region_id, Region.name.label("region_name"), Project.sector,
            Project.status, Project.planned_investment, Project.start_year, Project.end_year,
        ).join(Project.region).order_by(Region.id, Project.plan_id, Project.id)
    ).all()
    facts = facts_for(session, projects, filters.approved_only)
    assessments = {p.id: assess(facts[p.id], as_of, thresholds) for p in projects}
    latest = {p.id: report for p in projects if (report := latest_report(facts[p.id], as_of)) is not None}
    pairs = [(p, assessments[p.id]) for p in projects]
    cells = [project_cell(p.region_id, p.region_name, p.status, p.sector, p.planned_investment, a) for p, a in pairs]

    def this_quarter(project: Row) -> Decimal | None:
        report = latest.get(project.id)
        return report.quarter_investment if report and (report.year, report.quarter) == (year, quarter) else None

    lights = Counter(a.light for a in assessments.values())
    statuses = Counter(p.status for p in projects)
    all_projects = totals.total(cells)
    overview = Overview(
        project_count=all_projects.count,
        by_status=tuple((s.label, statuses[s]) for s in ProjectStatus if statuses[s]),
        planned=all_projects.planned_investment,
        cumulative=all_projects.cumulative_investment,
        this_quarter=sum((this_quarter(p) or ZERO for p in projects), ZERO),
        annual_plan=sum((facts[p.id].annual_plans.get(year, ZERO) for p in projects), ZERO),
        this_year=sum((year_investment(facts[p.id], year, quarter) for p in projects), ZERO),
        schedule_share=schedule_share(as_of),
        lights={light: lights[light] for light in Light},
        overdue_count=sum(1 for a in assessments.values() if a.has(WarningKind.OVERDUE)),
    )
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
        by_region=tuple(totals.by_region(cells)),
        by_sector=tuple(totals.by_sector(cells)),
        region_total=all_projects,
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
