"""The timeline's geometry: one row per project — its build years as a bar, each milestone's planned
date (hollow) and actual date (filled), late ones in red — on a shared axis of years with the as-of
date's line. Pure: the SVG template (`timeline/_gantt.html`) and the report's PNG
(`reports/pictures.py`) only draw what is computed here."""
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from portfolio.core.enums import LabelledEnum
from portfolio.core.formatting import format_date
from portfolio.rules import (
    Assessment,
    Light,
    MilestoneDates,
    ProjectFacts,
    WarningKind,
    is_active,
    milestone_is_late,
)

LABEL_WIDTH = 260
PLOT_WIDTH = 700
ROW_HEIGHT = 30
AXIS_HEIGHT = 34
LATE_COLOUR, ON_TIME_COLOUR = "#c53030", "#1d4ed8"


class TimelineOrder(LabelledEnum):
    START = "start", "按开工年份"
    LATENESS = "lateness", "按滞后程度"


@dataclass(frozen=True)
class TimelineProject:
    """A project as the timeline needs it: judged as of the timeline's date."""

    project_id: int
    name: str
    region: str
    start_year: int
    end_year: int
    light: Light
    milestones: tuple[MilestoneDates, ...]
    lateness_days: int
    """How late the project is in its most delayed respect: days past its planned end, or past a
    milestone's planned date (not reached, or reached that much after it); 0 when nothing is late."""
    active: bool = True
    """Neither done nor cancelled on the date: as in the rules, only an active project is ever late."""

    @property
    def short_name(self) -> str:
        """The name as the row's label shows it: 17 characters at most."""
        return self.name if len(self.name) <= 17 else self.name[:16] + "…"


def timeline_project(project_id: int, name: str, region: str, facts: ProjectFacts, assessment: Assessment,
                     as_of: date) -> TimelineProject:
    """A project of the timeline from its facts and its assessment (the rules'): a finished or
    cancelled project is not late, whatever its milestones say."""
    milestones = tuple(m for m in facts.milestones if m.planned_date or m.actual_date)
    active = is_active(assessment.status)
    delays = [((m.actual_date if m.actual_date and m.actual_date <= as_of else as_of) - m.planned_date).days
              for m in milestones if m.planned_date and active]
    if assessment.has(WarningKind.OVERDUE):
        delays.append((as_of - facts.planned_end).days)
    return TimelineProject(project_id, name, region, facts.start_year, facts.end_year, assessment.light, milestones,
                           max([0, *delays]), active)


def order_projects(projects: Sequence[TimelineProject], order: TimelineOrder) -> list[TimelineProject]:
    if order is TimelineOrder.LATENESS:
        return sorted(projects, key=lambda p: (-p.lateness_days, p.start_year, p.project_id))
    return sorted(projects, key=lambda p: (p.start_year, p.end_year, p.project_id))


@dataclass(frozen=True)
class Marker:
    x: float
    actual: bool
    """Filled: the date it was reached; hollow: the date it was planned for."""
    late: bool
    title: str


@dataclass(frozen=True)
class TimelineRow:
    project: TimelineProject
    y: float
    bar_x: float
    bar_width: float
    markers: tuple[Marker, ...]

    @property
    def colour(self) -> str:
        return self.project.light.colour


@dataclass(frozen=True)
class YearTick:
    year: int
    x: float


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    label_width: int
    row_height: int
    axis_height: int
    as_of: date
    today_x: float
    years: tuple[YearTick, ...]
    rows: tuple[TimelineRow, ...]


def _markers(milestone: MilestoneDates, as_of: date, x_of, active: bool) -> list[Marker]:
    label = milestone.kind.label
    late_open = active and milestone_is_late(milestone, as_of)
    reached = milestone.actual_date is not None and milestone.actual_date <= as_of
    reached_late = (active and reached and milestone.planned_date is not None
                    and milestone.actual_date > milestone.planned_date)
    markers = []
    if milestone.planned_date:
        state = "，未按期完成" if late_open else ""
        markers.append(Marker(x_of(milestone.planned_date), False, late_open,
                              f"{label}：计划{format_date(milestone.planned_date)}{state}"))
    if reached:
        delay = f"，晚于计划{(milestone.actual_date - milestone.planned_date).days}天" if reached_late else ""
        markers.append(Marker(x_of(milestone.actual_date), True, reached_late,
                              f"{label}：{format_date(milestone.actual_date)}完成{delay}"))
    return markers


def build_timeline(projects: Sequence[TimelineProject], as_of: date) -> Timeline:
    """The drawing of `projects` in their order, over the years from the first start (or milestone) to
    the last end (or milestone), and the as-of date's year."""
    years = [as_of.year] + [day.year for p in projects for m in p.milestones
                            for day in (m.planned_date, m.actual_date) if day]
    first = min([p.start_year for p in projects] + years)
    last = max([p.end_year for p in projects] + years)
    span = (date(last + 1, 1, 1) - date(first, 1, 1)).days

    def x_of(day: date) -> float:
        return LABEL_WIDTH + (day - date(first, 1, 1)).days / span * PLOT_WIDTH

    rows = []
    for index, project in enumerate(projects):
        start, end = x_of(date(project.start_year, 1, 1)), x_of(date(project.end_year + 1, 1, 1))
        markers = tuple(marker for milestone in project.milestones for marker in _markers(milestone, as_of, x_of, project.active))
        rows.append(TimelineRow(project, AXIS_HEIGHT + index * ROW_HEIGHT, start, end - start, markers))
    return Timeline(LABEL_WIDTH + PLOT_WIDTH + 10, AXIS_HEIGHT + len(rows) * ROW_HEIGHT + 6, LABEL_WIDTH, ROW_HEIGHT,
                    AXIS_HEIGHT, as_of, x_of(as_of),
                    tuple(YearTick(year, x_of(date(year, 1, 1))) for year in range(first, last + 2)), tuple(rows))
