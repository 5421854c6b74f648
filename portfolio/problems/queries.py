"""Reading problems and 督办单: the ledger with its filters, the figures of a period (one function for
the ledger's quarter summary and the quarterly report), and the notices waiting for a reply."""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session, joinedload, object_session

from portfolio.core.formatting import format_date
from portfolio.messages.models import MailDelivery, MailState, Message
from portfolio.problems.models import NoticeState, Problem, ProblemKind, ProblemState, SupervisionNotice
from portfolio.registry.models import Project, Region, in_registry
from portfolio.rules import period_quarter, quarter_end, quarter_period

# --- the ledger ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilters:
    today: date
    region_id: int | None = None
    kind: ProblemKind | None = None
    state: ProblemState | None = None
    overdue: bool = False
    """Open and past its deadline (办结时限) today."""
    project_id: int | None = None


OPEN_STATES = (ProblemState.PENDING, ProblemState.COORDINATING)


def ledger_query(filters: LedgerFilters) -> Select:
    """The problems the filters select (not of archived projects), open ones first, newest first."""
    query = (select(Problem).join(Problem.project).where(in_registry())
             .options(joinedload(Problem.project).joinedload(Project.region))
             .order_by(Problem.state.in_(OPEN_STATES).desc(), Problem.raised_on.desc(), Problem.id.desc()))
    if filters.region_id is not None:
        query = query.where(Project.region_id == filters.region_id)
    if filters.kind is not None:
        query = query.where(Problem.kind == filters.kind)
    if filters.state is not None:
        query = query.where(Problem.state == filters.state)
    if filters.overdue:
        query = query.where(Problem.state.in_(OPEN_STATES), Problem.deadline < filters.today)
    if filters.project_id is not None:
        query = query.where(Problem.project_id == filters.project_id)
    return query


def is_overdue(problem: Problem, day: date) -> bool:
    return problem.state.is_open and problem.deadline is not None and problem.deadline < day


def project_problems(session: Session, project: Project) -> list[Problem]:
    return list(session.scalars(select(Problem).where(Problem.project_id == project.id)
                                .order_by(Problem.raised_on.desc(), Problem.id.desc())))


def open_problems(session: Session, region_id: int | None) -> list[Problem]:
    """The problems a 督办单 may be about (open ones), of one region or all."""
    query = (select(Problem).join(Problem.project).join(Project.region)
             .options(joinedload(Problem.project).joinedload(Project.region))
             .where(Problem.state.in_(OPEN_STATES), in_registry()).order_by(Region.id, Problem.id))
    if region_id is not None:
        query = query.where(Project.region_id == region_id)
    return list(session.scalars(query))


# --- the figures of a period --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemCounts:
    label: str
    raised: int = 0
    """Raised in the period."""
    solved: int = 0
    """Closed as 已解决 in the period."""
    unsolvable: int = 0
    """Closed as 无法解决 in the period."""
    open: int = 0
    """Not closed at the end of the period (whenever raised)."""


@dataclass(frozen=True)
class OpenProblem:
    id: int
    project: str
    region: str
    kind: str
    description: str
    responsible_units: str
    deadline: date | None
    overdue: bool
    """Its deadline passed before the end of the period."""


@dataclass(frozen=True)
class ProblemFigures:
    start: date
    end: date
    total: ProblemCounts
    by_kind: tuple[ProblemCounts, ...]
    """Every kind, in the order of ProblemKind, zeros included."""
    by_region: tuple[ProblemCounts, ...]
    """The regions with any problem counted, in region order."""
    open_problems: tuple[OpenProblem, ...]

    @property
    def overdue(self) -> int:
        return sum(1 for p in self.open_problems if p.overdue)

    @property
    def is_empty(self) -> bool:
        return self.total == ProblemCounts(self.total.label)

    def summary(self) -> str:
        """The sentence the report and the ledger print first."""
        if self.end < self.start:
            return f"该季度的报送和问题协调自{format_date(self.start)}开始，尚无数据。"
        period = f"{format_date(self.start)}至{format_date(self.end)}"
        if self.is_empty:
            return f"{period}，无新增问题，无待协调问题。"
        total = self.total
        closed = f"解决{total.solved}个" + (f"、确认无法解决{total.unsolvable}个" if total.unsolvable else "")
        overdue = f"，其中超过办结时限{self.overdue}个" if self.overdue else ""
        return (f"{period}，新增问题{total.raised}个，{closed}；截至{format_date(self.end)}尚未解决{total.open}个"
                f"{overdue}。")


def _counts(label: str, rows: list, start: date, end: date) -> ProblemCounts:
    def closed_as(row, state):
        return row.state is state and row.closed_on is not None and start <= row.closed_on <= end

    return ProblemCounts(
        label=label,
        raised=sum(1 for r in rows if start <= r.raised_on <= end),
        solved=sum(1 for r in rows if closed_as(r, ProblemState.SOLVED)),
        unsolvable=sum(1 for r in rows if closed_as(r, ProblemState.UNSOLVABLE)),
        open=sum(1 for r in rows if _open_at(r, end)),
    )


def _open_at(row, day: date) -> bool:
    return row.raised_on <= day and (row.closed_on is None or row.closed_on > day)


def round_window(year: int, quarter: int, today: date) -> tuple[date, date]:
    """The days of a quarter's round: those whose 报告期 is the quarter, from its last day to the day
    before the next quarter's last day (2026 Q3: 2026-09-30 to 2026-12-30), ending today at the latest.
    The problems the projects report in their progress for the quarter are raised and coordinated
    then, so the quarter's report and the ledger's quarter count them in this window."""
    next_year, next_quarter = period_quarter(quarter_period(year, quarter) + 1)
    return quarter_end(year, quarter), min(quarter_end(next_year, next_quarter) - timedelta(days=1), today)


def problem_figures(session: Session, start: date, end: date, region_id: int | None = None,
                    project_ids: Select | None = None) -> ProblemFigures:
    """Problems raised in [start, end], closed in it (已解决 and 无法解决 apart), and still open at
    `end` (raised by then and not closed by then: one solved after `end` counts as open), by kind
    and by region, with the open ones listed, leaving out projects archived by `end` (as the report
    does). `project_ids` (a select of project ids) narrows it to a report's projects."""
    query = (
        select(Problem.id, Problem.kind, Problem.state, Problem.raised_on, Problem.closed_on, Problem.deadline,
               Problem.description, Problem.responsible_units, Project.name.label("project"),
               Region.id.label("region_id"), Region.name.label("region"))
        .join(Problem.project).join(Project.region)
        .where(Problem.raised_on <= end, or_(Problem.closed_on.is_(None), Problem.closed_on >= start),
               in_registry(end))
        .order_by(Region.id, Problem.raised_on, Problem.id)
    )
    if region_id is not None:
        query = query.where(Project.region_id == region_id)
    if project_ids is not None:
        query = query.where(Problem.project_id.in_(project_ids))
    rows = session.execute(query).all()
    regions: dict[int, tuple[str, list]] = {}
    for row in rows:
        regions.setdefault(row.region_id, (row.region, []))[1].append(row)
    return ProblemFigures(
        start=start, end=end, total=_counts("合计", rows, start, end),
        by_kind=tuple(_counts(kind.label, [r for r in rows if r.kind is kind], start, end) for kind in ProblemKind),
        by_region=tuple(_counts(name, members, start, end) for name, members in regions.values()),
        open_problems=tuple(
            OpenProblem(r.id, r.project, r.region, r.kind.label, r.description, r.responsible_units, r.deadline,
                        r.deadline is not None and r.deadline < end)
            for r in rows if _open_at(r, end)),
    )


# --- 督办单 --------------------------------------------------------------------------------------------------------


def notices_query(region_id: int | None) -> Select:
    query = (select(SupervisionNotice).options(joinedload(SupervisionNotice.region))
             .order_by(SupervisionNotice.year.desc(), SupervisionNotice.number.desc()))
    if region_id is not None:
        query = query.where(SupervisionNotice.region_id == region_id)
    return query


def notices_awaiting_reply(session: Session, region_id: int | None, today: date) -> list[SupervisionNotice]:
    """督办单 待回复 (to one county, or all): those past their reply deadline first, then by deadline."""
    notices = session.scalars(notices_query(region_id).where(SupervisionNotice.state == NoticeState.AWAITING_REPLY))
    return sorted(notices, key=lambda n: (not n.overdue_on(today), n.reply_deadline, n.id))


def overdue_notices(session: Session, today: date, region_id: int | None = None) -> list[SupervisionNotice]:
    """督办单 still 待回复 after their reply deadline, oldest deadline first."""
    query = (notices_query(region_id)
             .where(SupervisionNotice.state == NoticeState.AWAITING_REPLY, SupervisionNotice.reply_deadline < today)
             .order_by(None).order_by(SupervisionNotice.reply_deadline, SupervisionNotice.id))
    return list(session.scalars(query))


NOTICE_PATH = "/problems/notices/{id}"
"""A notice's page, as the messages about it link to it (written outside a request too)."""


def notice_deliveries(notice: SupervisionNotice) -> list[MailDelivery]:
    """The e-mails issuing the notice queued for the county's accounts, still to be sent."""
    return list(object_session(notice).scalars(
        select(MailDelivery).join(MailDelivery.message)
        .where(Message.link == NOTICE_PATH.format(id=notice.id), MailDelivery.state == MailState.PENDING)))
