"""Reading the stored judgements: a project's for a moment, the conditions lists filter by, and
the figures summed by region × status × sector for the one roll-up (`rules.totals`)."""
import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, Date, Integer, Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from portfolio.core.db import money
from portfolio.judgements.models import Judgement
from portfolio.judgements.moments import LONGEST_ROW, day_moment, moment_day, moment_period
from portfolio.registry.models import Project, ProjectFunding, ProjectStatus, Region, Sector
from portfolio.rules import Assessment, Light, Thresholds, Warning, WarningKind, completion_rate
from portfolio.rules.totals import SOURCES, SUMMED, ZERO, Cell, Figures, FundingFigures


def valid_between(first, last) -> ColumnElement[bool]:
    """The stored rows that hold at some moment from `first` to `last` (numbers or columns): the
    first and last rows of the projects by their open end, any other among those starting at most
    a quarter before (`LONGEST_ROW`), so each part is a short range of an index."""
    j = Judgement
    return or_(and_(j.edge == 0, j.valid_from > first - LONGEST_ROW, j.valid_from <= last, j.valid_to > first),
               and_(j.edge == -1, j.valid_to > first), and_(j.edge == 1, j.valid_from <= last))


def valid_at(moment) -> ColumnElement[bool]:
    """The stored row that holds at the moment (a number or a column): for one project, found by
    the index on (project_id, valid_to)."""
    return and_(Judgement.valid_from <= moment, Judgement.valid_to > moment)


def scanned_at(moment) -> ColumnElement[bool]:
    """`valid_at` for a read of many projects' rows at once: `valid_between` for one moment, whose three
    parts are each exact (an open end needs no test of its other end) and each one index range."""
    return valid_between(moment, moment)


def judged(query: Select, moment: int) -> Select:
    """`query` (over projects) joined with each project's judgement at the moment."""
    return query.join(Judgement, and_(Judgement.project_id == Project.id, valid_at(moment)))


def warning_condition(kind: WarningKind) -> ColumnElement[bool]:
    return getattr(Judgement, kind.value).is_(True)


def assessment_of(row: Judgement, planned_investment: Decimal, moment: int, thresholds: Thresholds) -> Assessment:
    """The assessment a stored row holds, its warnings' words written for the moment."""
    day, period = moment_day(moment), moment_period(moment, thresholds.report_due_days)
    warnings = tuple(
        Warning(WarningKind(kind), Light(light), detail, date.fromisoformat(since) if since else None).on(day, period)
        for kind, light, detail, since in json.loads(row.warnings)
    )
    return Assessment(
        light=Light(row.light), warnings=warnings, status=ProjectStatus(row.status),
        cumulative_investment=row.cumulative_investment,
        completion_rate=completion_rate(row.cumulative_investment, planned_investment),
        over_budget=row.over_budget, year_investment=row.year_investment, annual_plan=row.annual_plan,
        quarter_investment=row.quarter_investment, period=period,
    )


def assessments_at(session: Session, projects: Iterable[Project], moment: int,
                   thresholds: Thresholds) -> dict[int, Assessment]:
    """Each project's stored judgement at the moment (a page's rows, the API)."""
    planned = {project.id: project.planned_investment for project in projects}
    assessments = {}
    ids = list(planned)
    for start in range(0, len(ids), 500):
        for row in session.scalars(select(Judgement).where(Judgement.project_id.in_(ids[start:start + 500]),
                                                           valid_at(moment))):
            assessments[row.project_id] = assessment_of(row, planned[row.project_id], moment, thresholds)
    return assessments


def assessments_as_of(session: Session, projects: Iterable[Project], as_of: date,
                      thresholds: Thresholds) -> dict[int, Assessment]:
    """Each project judged as of the date (its own 报告期)."""
    return assessments_at(session, projects, day_moment(as_of), thresholds)


def _moments_table(moments: Sequence[int]):
    """The moments as a table (moment, its date), to judge several at once."""
    return union_all(*(select(literal(moment, Integer()).label("moment"), literal(moment_day(moment), Date()).label("day"))
                       for moment in moments)).subquery("moments")


def _funded(source=None) -> ColumnElement:
    """The row's project's 资金来源 from `source` (or all together): looked up by the unique index on
    (project_id, source) for each row — a grouped subquery joined instead was scanned whole for every
    row on SQLite (4 s for 10,000 funded projects)."""
    amount = select(func.sum(ProjectFunding.amount)).where(ProjectFunding.project_id == Judgement.project_id)
    if source is not None:
        amount = amount.where(ProjectFunding.source == source)
    return func.coalesce(amount.scalar_subquery(), literal(ZERO, money()))
PLAIN = [name for name in SUMMED if name != "funding"]


def _aggregates(*condition: ColumnElement) -> dict[str, ColumnElement]:
    """The SQL side of the one roll-up (`rules.totals`): each summable figure of a group as an
    aggregate over stored judgements (joined with their projects), counting the rows `condition` admits."""
    zero = literal(ZERO, money())
    allocated = _funded()
    j = Judgement
    kept = j.status != ProjectStatus.CANCELLED
    planned = Project.planned_investment

    def summed(column, *conditions) -> ColumnElement:
        return func.coalesce(func.sum(column).filter(*condition, *conditions), zero)

    def count(*conditions) -> ColumnElement:
        return func.count().filter(*condition, *conditions)

    return {
        "count": count(kept), "planned_investment": summed(planned, kept),
        "cumulative_investment": summed(j.cumulative_investment, kept),
        "annual_count": count(kept, j.annual_plan.is_not(None)), "annual_plan": summed(j.annual_plan, kept),
        "annual_completed": summed(j.year_investment, kept, j.annual_plan.is_not(None)),
        "other_year_completed": summed(j.year_investment, kept, j.annual_plan.is_(None)),
        "quarter_investment": summed(j.quarter_investment, kept),
        **{light.value: count(j.light == light) for light in (Light.RED, Light.YELLOW, Light.GREEN, Light.DONE)},
        **{kind.value: count(getattr(j, kind.value).is_(True)) for kind in WarningKind},
        "cancelled_count": count(~kept), "cancelled_planned": summed(planned, ~kept),
        **{f"funding_{source.value}": summed(_funded(source), kept) for source in SOURCES},
        "unallocated": summed(case((planned > allocated, planned - allocated), else_=zero), kept),
        "excess": summed(case((allocated > planned, allocated - planned), else_=zero), kept),
        "excess_count": count(kept, allocated > planned),
    }


def _figures(values: dict) -> Figures:
    return Figures(**{name: values[name] for name in PLAIN if name in values},
                   funding=FundingFigures(tuple(values[f"funding_{source.value}"] for source in SOURCES),
                                          values["unallocated"], values["excess"], values["excess_count"])
                   if "excess_count" in values else FundingFigures())


def _judged_rows(query: Select) -> Select:
    return query.join(Project, Project.id == Judgement.project_id)


def cells_at(session: Session, moments: Sequence[int], where: Sequence[ColumnElement] = (),
             registry_only: bool = True) -> dict[int, list[Cell]]:
    """For each moment, the projects matching `where` (and, with `registry_only`, not archived on its
    date) summed by region × status × sector from their stored judgements: one statement for all."""
    at = _moments_table(moments)
    aggregates = _aggregates()
    j = Judgement
    query = (_judged_rows(select(at.c.moment, j.region_id, Region.name, j.status, j.sector, *aggregates.values())
                          .select_from(at).join(j, scanned_at(at.c.moment)))
             .join(Region, Region.id == j.region_id)
             .where(*where)
             .group_by(at.c.moment, j.region_id, Region.name, j.status, j.sector))
    if registry_only:
        query = query.where(or_(Project.archived_on.is_(None), Project.archived_on > at.c.day))
    cells: dict[int, list[Cell]] = {moment: [] for moment in moments}
    for row in session.execute(query):
        figures = _figures(dict(zip(aggregates, row[5:], strict=True)))
        cells[row[0]].append(Cell(row[1], row[2], ProjectStatus(row[3]), Sector(row[4]), figures))
    return cells


def totals_at(session: Session, moments: Sequence[int], names: Sequence[str],
              where: Sequence[ColumnElement] = ()) -> dict[int, Figures]:
    """Some figures (`names`) of the whole group at each moment, for the projects `where` selects that
    are in the registry on its date (a trend's quarters): one statement, each moment's rows read by
    their short index ranges."""
    at = _moments_table(moments)
    aggregates = {name: column for name, column in _aggregates().items() if name in names}
    query = (_judged_rows(select(at.c.moment, *aggregates.values()).select_from(at)
                          .join(Judgement, scanned_at(at.c.moment)))
             .where(or_(Project.archived_on.is_(None), Project.archived_on > at.c.day), *where)
             .group_by(at.c.moment))
    totals = {moment: Figures() for moment in moments}  # a moment without rows: zeros
    for moment, *values in session.execute(query):
        totals[moment] = _figures(dict(zip(aggregates, values, strict=True)))
    return totals


def cells_as_of(session: Session, as_of: date, where: Sequence[ColumnElement] = (),
                registry_only: bool = True) -> list[Cell]:
    moment = day_moment(as_of)
    return cells_at(session, [moment], where, registry_only)[moment]
