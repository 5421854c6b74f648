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
from portfolio.judgements.moments import day_moment, moment_day, moment_period
from portfolio.registry.models import Project, ProjectFunding, ProjectStatus, Region, Sector
from portfolio.rules import Assessment, Light, Thresholds, Warning, WarningKind, completion_rate
from portfolio.rules.totals import SOURCES, SUMMED, ZERO, Cell, Figures, FundingFigures


def valid_at(moment: int) -> ColumnElement[bool]:
    """The stored row that holds at the moment."""
    return and_(Judgement.valid_from <= moment, Judgement.valid_to > moment)


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


def cells_at(session: Session, moments: Sequence[int], where: Sequence[ColumnElement] = (),
             registry_only: bool = True) -> dict[int, list[Cell]]:
    """For each moment, the projects matching `where` (and, with `registry_only`, not archived on its
    date) summed by region × status × sector from their stored judgements: one statement for all."""
    at = _moments_table(moments)
    zero = literal(ZERO, money())
    funding = (select(ProjectFunding.project_id,
                      *(func.sum(ProjectFunding.amount).filter(ProjectFunding.source == source).label(source.value)
                        for source in SOURCES),
                      func.sum(ProjectFunding.amount).label("allocated"))
               .group_by(ProjectFunding.project_id).subquery("funding"))
    allocated = func.coalesce(funding.c.allocated, zero)
    j = Judgement
    kept = j.status != ProjectStatus.CANCELLED
    planned = Project.planned_investment

    def summed(column, *conditions) -> ColumnElement:
        return func.coalesce(func.sum(column).filter(*conditions), zero)

    def count(*conditions) -> ColumnElement:
        return func.count().filter(*conditions)

    columns = [
        count(kept), summed(planned, kept), summed(j.cumulative_investment, kept),
        count(kept, j.annual_plan.is_not(None)), summed(j.annual_plan, kept),
        summed(j.year_investment, kept, j.annual_plan.is_not(None)),
        summed(j.year_investment, kept, j.annual_plan.is_(None)), summed(j.quarter_investment, kept),
        *(count(j.light == light) for light in (Light.RED, Light.YELLOW, Light.GREEN, Light.DONE)),
        *(count(getattr(j, kind.value).is_(True)) for kind in WarningKind),
        count(~kept), summed(planned, ~kept),
        *(summed(func.coalesce(funding.c[source.value], zero), kept) for source in SOURCES),
        summed(case((planned > allocated, planned - allocated), else_=zero), kept),
        summed(case((allocated > planned, allocated - planned), else_=zero), kept),
        count(kept, allocated > planned),
    ]
    query = (select(at.c.moment, j.region_id, Region.name, j.status, j.sector, *columns)
             .select_from(at)
             .join(j, and_(j.valid_from <= at.c.moment, j.valid_to > at.c.moment))
             .join(Project, Project.id == j.project_id)
             .join(Region, Region.id == j.region_id)
             .outerjoin(funding, funding.c.project_id == j.project_id)
             .where(*where)
             .group_by(at.c.moment, j.region_id, Region.name, j.status, j.sector))
    if registry_only:
        query = query.where(or_(Project.archived_on.is_(None), Project.archived_on > at.c.day))
    plain = [name for name in SUMMED if name != "funding"]
    cells: dict[int, list[Cell]] = {moment: [] for moment in moments}
    for row in session.execute(query):
        values, sources = row[5:5 + len(plain)], row[5 + len(plain):]
        figures = Figures(**dict(zip(plain, values, strict=True)),
                          funding=FundingFigures(tuple(sources[:len(SOURCES)]), *sources[len(SOURCES):]))
        cells[row[0]].append(Cell(row[1], row[2], ProjectStatus(row[3]), Sector(row[4]), figures))
    return cells


def cells_as_of(session: Session, as_of: date, where: Sequence[ColumnElement] = (),
                registry_only: bool = True) -> list[Cell]:
    moment = day_moment(as_of)
    return cells_at(session, [moment], where, registry_only)[moment]
