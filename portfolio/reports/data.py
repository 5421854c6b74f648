"""Assembling the quarterly progress report (季度进展情况报告) as plain, frozen data.

Every figure comes from the one roll-up (`portfolio.rules.totals`) over the projects as the
pure rules judge them, so the report agrees with the dashboard, the list and the exports for
the same date. A report for a quarter that has ended is judged as of its last day; one for the
current quarter is judged as of today, and its title says so.
"""
import heapq
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from portfolio.core import media
from portfolio.core.formatting import (
    QUARTER_NAMES,
    format_date,
    format_points,
    format_rate,
    format_share,
    format_wan_whole,
)
from portfolio.core.images import for_print
from portfolio.dashboard.queries import QuarterTrend, quarter_trends, trend_quarters
from portfolio.indicators.queries import IndicatorFilters, PlanMonitoring, monitoring
from portfolio.maps.geometry import MAP_DOTS, CountyMap, MapMeasure, ProjectPlace, county_maps
from portfolio.maps.queries import region_places
from portfolio.problems.queries import ProblemFigures, problem_figures, round_window
from portfolio.progress.models import Milestone, ProgressPhoto, ProgressReport
from portfolio.registry.models import (
    Plan,
    Project,
    ProjectStatus,
    Region,
    Sector,
    format_build_years,
    in_registry,
)
from portfolio.registry.queries import funding_by_project
from portfolio.rules import (
    Light,
    Thresholds,
    WarningKind,
    assess,
    latest_report,
    quarter_end,
    quarter_period,
    quarter_start,
    round_points,
    schedule_share,
    totals,
)
from portfolio.rules.figures import facts_for
from portfolio.rules.totals import Cell, GroupFigures, project_cell
from portfolio.timeline.geometry import TimelineOrder, TimelineProject, order_projects, timeline_project


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
            parts.append(f"规划：{self.plan.title}")
        if self.region:
            parts.append(f"县(市、区)：{self.region.city}{self.region.name}")
        if self.sector:
            parts.append(f"领域：{self.sector.label}")
        return parts

    def key(self) -> str:
        """The scope as ids and codes, to find the same report again (issued reports)."""
        return ":".join((str(self.plan.id) if self.plan else "", str(self.region.id) if self.region else "",
                         self.sector.value if self.sector else "", "approved" if self.approved_only else ""))


@dataclass(frozen=True, slots=True)  # a report may hold 100,000 of them
class ProjectRow:
    number: int
    name: str
    region: str
    planned: Decimal
    build_years: str
    status: str
    cumulative: Decimal
    rate: Decimal | None
    this_quarter: Decimal | None
    works_status: str
    light: Light
    review: str
    """The review state of the progress shown (草稿，已报送，已审核，退回), or "—"."""
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)  # a report may hold 100,000 of them
class WarningEntry:
    name: str
    region: str
    light: Light
    reasons: tuple[str, ...]
    problems: str
    next_steps: str


@dataclass(frozen=True, slots=True)  # a report may hold 100,000 of them
class MilestoneEntry:
    project: str
    region: str
    milestone: str
    actual_date: date


@dataclass(frozen=True)
class PhotoEntry:
    """A photo in the appendix 项目现场照片: small enough for print, with what it shows."""

    project: str
    region: str
    period: str
    caption: str
    taken_on: date | None
    jpeg: bytes
    width: int
    height: int


PHOTOS_PER_PROJECT = 2
REPORT_TIMELINE_PROJECTS = 100
"""The red projects the report's timeline draws (the most delayed first); the rest are counted, not drawn."""
JUDGED_AT_ONCE = 2000
"""Projects whose facts are read and judged at a time: the report keeps their rows, never all their facts."""


def report_photos(session: Session, project_ids, year: int, quarter: int) -> tuple[PhotoEntry, ...]:
    """The one or two newest photos of each project, from its reports up to the quarter."""
    rows = session.execute(
        select(ProgressPhoto, Project.name, Region.name, ProgressReport.year, ProgressReport.quarter)
        .join(ProgressPhoto.report).join(ProgressReport.project).join(Project.region)
        .where(Project.id.in_(project_ids), ProgressReport.year * 4 + ProgressReport.quarter <= year * 4 + quarter)
        .order_by(Region.id, Project.id, ProgressReport.year.desc(), ProgressReport.quarter.desc(),
                  ProgressPhoto.id.desc())).all()
    entries, taken = [], {}
    for photo, project, region, photo_year, photo_quarter in rows:
        if taken.get(project, 0) >= PHOTOS_PER_PROJECT:
            continue
        taken[project] = taken.get(project, 0) + 1
        printed = for_print(media.read(photo.digest))
        entries.append(PhotoEntry(project, region, f"{photo_year}年第{photo_quarter}季度", photo.caption,
                                  photo.taken_on, printed, photo.width, photo.height))
    return tuple(entries)


@dataclass(frozen=True)
class QuarterlyReport:
    title: str
    year: int
    quarter: int
    as_of: date
    """The quarter's last day, or today for a quarter not yet ended."""
    reporting_year: int
    reporting_quarter: int
    """The 报告期 the figures are judged at (the quarter itself once it has ended)."""
    issuer: str
    generated_at: datetime
    filters: tuple[str, ...]
    total: GroupFigures
    by_status: tuple[GroupFigures, ...]
    summary: tuple[str, ...]
    by_region: tuple[GroupFigures, ...]
    by_sector: tuple[GroupFigures, ...]
    warnings: tuple[WarningEntry, ...]
    projects: tuple[ProjectRow, ...]
    """六、项目进展明细: the report's projects but those cancelled on its date."""
    cancelled: tuple[ProjectRow, ...]
    """附：已取消项目: cancelled on the report's date — outside every count, sum and county row."""
    milestones_reached: tuple[MilestoneEntry, ...]
    problems: ProblemFigures
    """存在问题及协调解决情况: problems of the report's projects from the quarter's start to `as_of`."""
    red_timeline: tuple[TimelineProject, ...] = ()
    """附：红灯项目时间轴: the red projects, the most delayed first, at most REPORT_TIMELINE_PROJECTS of them."""
    maps: tuple[CountyMap, ...] = ()
    """二、分县区: the county map of each city (planned investment; the projects with coordinates as dots)."""
    trends: tuple[QuarterTrend, ...] = ()
    """近八个季度走势 of the report's projects, each quarter judged as of its end (the dashboard's figures)."""
    indicators: tuple[PlanMonitoring, ...] = ()
    photos: tuple[PhotoEntry, ...] = ()
    """附：项目现场照片, when asked for."""
    """规划指标监测情况, in a fourth quarter's report only: the plan's (or every plan's) indicators as of the year."""

    @property
    def schedule_share(self) -> Decimal:
        return schedule_share(self.reporting_quarter)


def report_scope(filters: ReportFilters) -> list[ColumnElement]:
    """The report's plan, county and sector as conditions on projects."""
    return ([Project.plan_id == filters.plan.id] if filters.plan else []) + (
        [Project.region_id == filters.region.id] if filters.region else []) + (
        [Project.sector == filters.sector] if filters.sector else [])


def report_projects_query(filters: ReportFilters, as_of: date):
    """The report's projects: those archived by `as_of` are not reported."""
    return select(Project).where(in_registry(as_of), *report_scope(filters))


def count_report_projects(session: Session, year: int, quarter: int, filters: ReportFilters, today: date) -> int:
    return session.scalar(report_projects_query(filters, report_as_of(year, quarter, today))
                          .with_only_columns(func.count(Project.id)))


def quarter_problem(year: int, quarter: int, today: date) -> str | None:
    """Why no report can be made for this quarter, or None: only quarters that have begun."""
    if not 1 <= quarter <= 4:
        return f"季度应为1–4，不是{quarter}"
    if quarter_start(year, quarter) > today:
        return f"{year}年{QUARTER_NAMES[quarter]}尚未开始，不能生成进展报告"
    return None


def report_as_of(year: int, quarter: int, today: date) -> date:
    """A quarter that has ended is judged at its last day; the current one as of today."""
    return min(quarter_end(year, quarter), today)


def report_title(year: int, quarter: int, filters: ReportFilters, today: date) -> str:
    subject = f"{filters.plan.title}重大工程项目" if filters.plan else "重大工程项目"
    title = f"{subject}{year}年{QUARTER_NAMES[quarter]}进展情况"
    as_of = report_as_of(year, quarter, today)
    return title if as_of == quarter_end(year, quarter) else f"{title}（截至{format_date(as_of)}）"


def build_quarterly_report(session: Session, year: int, quarter: int, filters: ReportFilters, issuer: str,
                           generated_at: datetime, today: date, thresholds: Thresholds = Thresholds(),
                           problem_region: int | None = None, with_photos: bool = False) -> QuarterlyReport:
    """The report for a quarter: every project judged by the rules as of `report_as_of`. Its problem
    section covers the report's projects, and only `problem_region`'s when given (a county reader)."""
    as_of = report_as_of(year, quarter, today)
    reporting_year, reporting_q = year, quarter  # a quarter's report has the quarter as its 报告期
    period = quarter_period(year, quarter)
    projects = session.execute(_judged_columns(report_projects_query(filters, as_of))).all()
    funding = funding_by_project(session, report_projects_query(filters, as_of).with_only_columns(Project.id))
    rows, cancelled, warnings, sums, places, red = [], [], [], {}, ([], []), []
    for start in range(0, len(projects), JUDGED_AT_ONCE):  # a province's projects in bounded memory
        chunk = projects[start:start + JUDGED_AT_ONCE]
        facts = facts_for(session, chunk, filters.approved_only)
        for p in chunk:
            a, latest = assess(facts[p.id], as_of, thresholds, period), latest_report(facts[p.id], period)
            cell = project_cell(p.region_id, p.region_name, p.sector, p.planned_investment, a, funding.get(p.id, {}))
            key = (cell.region_id, cell.region_name, cell.status, cell.sector)
            sums[key] = sums[key] + cell.figures if key in sums else cell.figures
            why = reasons(a)
            listed = cancelled if a.status is ProjectStatus.CANCELLED else rows  # cancelled on the date: apart
            listed.append(ProjectRow(len(listed) + 1, p.name, p.region_name, p.planned_investment,
                                     format_build_years(p.start_year, p.end_year), a.status.label,
                                     a.cumulative_investment, a.completion_rate, a.quarter_investment,
                                     (latest.works_status or "") if latest else "", a.light,
                                     latest.review_state.label if latest else "—", why))
            if p.longitude is not None and a.light is not Light.CANCELLED:
                dots = places[a.light in (Light.RED, Light.YELLOW)]  # the map draws MAP_DOTS, red first
                if len(dots) < MAP_DOTS:
                    dots.append(ProjectPlace(p.id, p.name, p.region_id, p.longitude, p.latitude, a.light))
            if a.light is Light.RED:
                entry = timeline_project(p.id, p.name, p.region_name, facts[p.id], a, as_of)
                key = (entry.lateness_days, -len(rows))  # keeps the most delayed, then the first in the report
                (heapq.heappush if len(red) < REPORT_TIMELINE_PROJECTS else heapq.heappushpop)(red, (key, entry))
            if a.light in (Light.RED, Light.YELLOW):
                warnings.append(WarningEntry(p.name, p.region_name, a.light, why,
                                             (latest.problems or "") if latest else "",
                                             (latest.next_steps or "") if latest else ""))
    warnings.sort(key=lambda entry: entry.light is not Light.RED)  # red first, each in the projects' order
    cells = [Cell(*key, figures) for key, figures in sums.items()]  # summed per group: the roll-up adds them up
    total = totals.total(cells)
    by_region = tuple(totals.by_region(cells))
    reached = session.execute(
        select(Project.name, Region.name, Milestone.kind, Milestone.actual_date)
        .join(Milestone.project).join(Project.region)
        .where(Milestone.project_id.in_(report_projects_query(filters, as_of).with_only_columns(Project.id)),
               Milestone.actual_date.between(quarter_start(year, quarter), as_of))
        .order_by(Milestone.actual_date, Project.id)
    ).all()
    return QuarterlyReport(
        title=report_title(year, quarter, filters, today), year=year, quarter=quarter, as_of=as_of,
        reporting_year=reporting_year, reporting_quarter=reporting_q, issuer=issuer, generated_at=generated_at,
        filters=tuple(filters.describe()), total=total, by_status=tuple(totals.by_status(cells)),
        summary=tuple(summarize(total, as_of, reporting_year, reporting_q)),
        by_region=by_region, by_sector=tuple(totals.by_sector(cells)),
        warnings=tuple(warnings),
        projects=tuple(rows), cancelled=tuple(cancelled),
        milestones_reached=tuple(MilestoneEntry(name, region, kind.label, actual) for name, region, kind, actual in reached),
        red_timeline=tuple(order_projects([entry for _, entry in red], TimelineOrder.LATENESS)),
        maps=tuple(county_maps(MapMeasure.INVESTMENT, region_places(session), by_region, places[1] + places[0])),
        trends=(report_trends(session, filters, year, quarter, thresholds) if filters.approved_only
                else tuple(quarter_trends(session, year, quarter, report_scope(filters)))),
        problems=problem_figures(session, *round_window(year, quarter, today),
                                 problem_region or (filters.region.id if filters.region else None),
                                 project_ids=report_projects_query(filters, as_of).with_only_columns(Project.id)),
        indicators=tuple(monitoring(session, IndicatorFilters(plan_id=filters.plan.id if filters.plan else None), year))
        if quarter == 4 else (),
        photos=report_photos(session, report_projects_query(filters, as_of).with_only_columns(Project.id), year,
                             quarter) if with_photos else (),
    )


def _judged_columns(query):
    """What judging a project needs (and the report's rows show), in the report's order."""
    return query.with_only_columns(
        Project.id, Project.name, Project.region_id, Region.name.label("region_name"), Project.sector,
        Project.status, Project.status_since, Project.planned_investment, Project.start_year, Project.end_year,
        Project.archived_on, Project.longitude, Project.latitude,
    ).join(Project.region).order_by(Region.id, Project.plan_id, Project.id)


def report_trends(session: Session, filters: ReportFilters, year: int, quarter: int,
                  thresholds: Thresholds = Thresholds()) -> tuple[QuarterTrend, ...]:
    """The dashboard's 近八个季度走势 for the report's projects, judged by the pure rules: each quarter's
    projects (those in the registry at its end) as of its end with the quarter as 报告期, reading only
    reviewed progress when the report does, rolled up like every other figure. A report that counts all
    progress takes the dashboard's `quarter_trends` (the stored judgements of the eight report moments,
    one read); for the same projects the two agree to the fen (tested)."""
    quarters = trend_quarters(year, quarter)
    ends = [quarter_end(year, quarter) for year, quarter in quarters]
    projects = session.execute(_judged_columns(report_projects_query(filters, ends[0]))).all()
    sums: list[dict] = [{} for _ in quarters]
    for start in range(0, len(projects), JUDGED_AT_ONCE):
        chunk = projects[start:start + JUDGED_AT_ONCE]
        facts = facts_for(session, chunk, filters.approved_only)
        for p in chunk:
            for (trend_year, trend_quarter), end, quarter_sums in zip(quarters, ends, sums):
                if p.archived_on is not None and p.archived_on <= end:
                    continue
                # no 资金来源: the trend shows investment and lights only
                cell = project_cell(p.region_id, p.region_name, p.sector, p.planned_investment,
                                    assess(facts[p.id], end, thresholds, quarter_period(trend_year, trend_quarter)),
                                    {})
                key = (cell.region_id, cell.region_name, cell.status, cell.sector)
                quarter_sums[key] = quarter_sums[key] + cell.figures if key in quarter_sums else cell.figures
    return tuple(QuarterTrend.of(year, quarter, totals.total([Cell(*key, figures) for key, figures in quarter_sums.items()]))
                 for (year, quarter), quarter_sums in zip(quarters, sums))


def reasons(assessment) -> tuple[str, ...]:
    return tuple(f"{w.kind.label}：{w.reason}" for w in assessment.warnings)


def summarize(total: GroupFigures, as_of: date, year: int, quarter: int) -> list[str]:
    """The sentences a leader reads first, generated from the figures (whole 万元，one-decimal rates)."""
    sentences = [
        f"纳入统计的{total.count}个项目计划总投资{format_wan_whole(total.planned_investment)}万元，"
        f"截至{format_date(as_of)}累计完成投资{format_wan_whole(total.cumulative_investment)}万元，"
        f"投资完成率{format_rate(total.completion_rate)}；{year}年第{quarter}季度完成投资"
        f"{format_wan_whole(total.quarter_investment)}万元。"
    ]
    if total.annual_plan > 0:
        share = schedule_share(quarter)
        gap = round_points((share - total.annual_rate) * 100)
        relation = (f"低于序时进度{format_share(share)}达{format_points(gap)}个百分点" if gap > 0
                    else f"高于序时进度{format_share(share)}达{format_points(-gap)}个百分点" if gap < 0
                    else f"与序时进度{format_share(share)}持平")
        sentences.append(
            f"{year}年有年度计划的{total.annual_count}个项目年度计划投资{format_wan_whole(total.annual_plan)}万元，"
            f"已完成{format_wan_whole(total.annual_completed)}万元，占年度计划{format_rate(total.annual_rate)}，{relation}。")
    if total.other_year_completed > 0:
        sentences.append(f"未填报{year}年度计划的项目本年完成投资{format_wan_whole(total.other_year_completed)}万元，"
                         f"未计入年度完成率。")
    sentences.append(
        f"红灯项目{total.red}个、黄灯项目{total.yellow}个、绿灯项目{total.green}个，已完成{total.done}个；"
        f"其中超期{total.warning_count(WarningKind.OVERDUE)}个。"
    )
    if total.cancelled_count:
        sentences.append(f"另有已取消项目{total.cancelled_count}个、计划投资{format_wan_whole(total.cancelled_planned)}万元，"
                         f"未计入以上统计。")
    return sentences
