"""报送情况: for one quarter, which projects owe progress (`rules.must_report`, as stored in their judgements)
and where each one's report stands — counted per county for the 报送情况 page, the dashboard and
the county's to-do, and listed project by project for the review page. One query each."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from portfolio.core.enums import LabelledEnum
from portfolio.cycle.models import Reminder
from portfolio.problems.models import SupervisionNotice
from portfolio.problems.queries import notices_awaiting_reply
from portfolio.progress.models import ProgressReport, ReviewState
from portfolio.registry.models import Project, Region, in_registry
from portfolio.judgements.models import Judgement
from portfolio.judgements.moments import day_moment, report_moment
from portfolio.judgements.queries import judged
from portfolio.rules import quarter_end, reporting_deadline, round_as_of, round_quarter


class RoundState(LabelledEnum):
    """Where a project that owes progress stands, in the order the round moves it."""

    MISSING = "missing", "未填报"
    DRAFT = "draft", "草稿"
    RETURNED = "returned", "退回待改"
    SUBMITTED = "submitted", "已报送待审"
    APPROVED = "approved", "已审核"

    @property
    def with_county(self) -> bool:
        """Still the county's to do: not filled in, a draft, or returned."""
        return self in (RoundState.MISSING, RoundState.DRAFT, RoundState.RETURNED)

    @classmethod
    def of(cls, review_state: ReviewState | None) -> RoundState:
        return cls.MISSING if review_state is None else cls(review_state.value)


@dataclass
class RoundCounts:
    counts: dict[RoundState, int] = field(default_factory=lambda: dict.fromkeys(RoundState, 0))

    def __getitem__(self, state: RoundState) -> int:
        return self.counts[state]

    @property
    def expected(self) -> int:
        return sum(self.counts.values())

    @property
    def outstanding(self) -> int:
        """Projects still with the county (未填报, 草稿, 退回)."""
        return sum(count for state, count in self.counts.items() if state.with_county)

    def add(self, other: RoundCounts) -> None:
        for state, count in other.counts.items():
            self.counts[state] += count


@dataclass
class RegionRound:
    region: Region
    counts: RoundCounts
    reminders: int
    last_reminded: datetime | None
    late: bool
    """The deadline has passed and projects are still with the county."""


@dataclass
class QuarterRound:
    year: int
    quarter: int
    as_of: date
    """The day who owes progress is judged at (`rules.round_as_of`)."""
    today: date
    deadline: date
    regions: list[RegionRound]
    total: RoundCounts

    @property
    def begun(self) -> bool:
        """The quarter has ended (its last day included): its progress can be reported."""
        return self.today >= quarter_end(self.year, self.quarter)

    @property
    def past_deadline(self) -> bool:
        return self.today > self.deadline

    @property
    def days_left(self) -> int:
        """Days from today to the deadline (0 on the day itself, negative once it has passed)."""
        return (self.deadline - self.today).days

    @property
    def late_regions(self) -> list[RegionRound]:
        return [row for row in self.regions if row.late]

    @property
    def complete(self) -> bool:
        return self.total[RoundState.APPROVED] == self.total.expected


def _owing(year: int, quarter: int, today: date):
    """The moment the quarter's round is judged at (`rules.round_as_of`: today while the round runs,
    else the quarter's report moment), which projects owe a report then (archived ones never do) and
    the join to its reports."""
    moment = day_moment(today) if round_quarter(today) == (year, quarter) else report_moment(year, quarter)
    owes = Judgement.owes_round.is_(True) & in_registry()
    on_quarter = and_(ProgressReport.project_id == Project.id, ProgressReport.year == year,
                      ProgressReport.quarter == quarter)
    return moment, owes, on_quarter


def quarter_round(session: Session, year: int, quarter: int, today: date, due_days: int,
                  region_id: int | None = None) -> QuarterRound:
    """报送情况 of a quarter per county: every region that has projects, the city's regions first."""
    moment, owes, on_quarter = _owing(year, quarter, today)
    query = (judged(select(Project.region_id, ProgressReport.review_state, func.count()).select_from(Project), moment)
             .outerjoin(ProgressReport, on_quarter)
             .where(owes).group_by(Project.region_id, ProgressReport.review_state))
    if region_id is not None:
        query = query.where(Project.region_id == region_id)
    counts: dict[int, RoundCounts] = {}
    for region, review_state, count in session.execute(query):
        counts.setdefault(region, RoundCounts()).counts[RoundState.of(review_state)] += count
    reminders = {row.region_id: row for row in session.execute(
        select(Reminder.region_id, func.count().label("sent"), func.max(Reminder.sent_dt).label("last"))
        .where(Reminder.year == year, Reminder.quarter == quarter).group_by(Reminder.region_id))}
    region_query = select(Region).where(Region.id.in_(select(Project.region_id).where(in_registry()))).order_by(Region.id)
    if region_id is not None:
        region_query = region_query.where(Region.id == region_id)
    deadline = reporting_deadline(year, quarter, due_days)
    as_of = round_as_of(year, quarter, today)
    rows, total = [], RoundCounts()
    for region in session.scalars(region_query):
        region_counts = counts.get(region.id, RoundCounts())
        total.add(region_counts)
        reminded = reminders.get(region.id)
        rows.append(RegionRound(region, region_counts, reminded.sent if reminded else 0,
                                reminded.last if reminded else None,
                                late=today > deadline and region_counts.outstanding > 0))
    return QuarterRound(year, quarter, as_of, today, deadline, rows, total)


@dataclass(frozen=True)
class RoundEntry:
    """A project that owes progress for the quarter, and its report if there is one."""

    project: Project
    report: ProgressReport | None

    @property
    def state(self) -> RoundState:
        return RoundState.of(self.report.review_state if self.report else None)


ENTRY_ORDER = {RoundState.SUBMITTED: 0, RoundState.RETURNED: 1, RoundState.DRAFT: 2, RoundState.MISSING: 3,
               RoundState.APPROVED: 4}
"""The review page lists what awaits the reviewer first, then what the county still owes."""


def round_entries(session: Session, year: int, quarter: int, today: date, region_id: int | None = None,
                  states: set[RoundState] | None = None) -> list[RoundEntry]:
    """Every project that owes progress for the quarter with its report (or none), plus any report
    of the quarter from a project that does not owe one (so nothing submitted is hidden) unless
    the project is archived."""
    moment, owes, on_quarter = _owing(year, quarter, today)
    query = (judged(select(Project, ProgressReport).select_from(Project), moment).outerjoin(ProgressReport, on_quarter)
             .join(Project.region).options(contains_eager(Project.region), selectinload(ProgressReport.photos))
             .where(owes | (ProgressReport.id.is_not(None) & in_registry()))
             .order_by(Project.region_id, Project.id))
    if region_id is not None:
        query = query.where(Project.region_id == region_id)
    entries = [RoundEntry(project, report) for project, report in session.execute(query)]
    if states:
        entries = [entry for entry in entries if entry.state in states]
    return sorted(entries, key=lambda entry: ENTRY_ORDER[entry.state])


@dataclass(frozen=True)
class CountyTodo:
    """A county's home: the 报告期's deadline and what the county still has to do for it."""

    round: QuarterRound
    to_report: list[RoundEntry]
    """未填报 and 草稿, in the order of the review list."""
    returned: list[RoundEntry]
    """退回: with the reviewer's reason on the report."""
    notices: list[SupervisionNotice]
    """督办单 to the county awaiting its reply, overdue ones first."""


def county_todo(session: Session, region_id: int, today: date, due_days: int) -> CountyTodo:
    year, quarter = round_quarter(today)
    entries = round_entries(session, year, quarter, today, region_id,
                            {RoundState.MISSING, RoundState.DRAFT, RoundState.RETURNED})
    return CountyTodo(quarter_round(session, year, quarter, today, due_days, region_id),
                      [entry for entry in entries if entry.state is not RoundState.RETURNED],
                      [entry for entry in entries if entry.state is RoundState.RETURNED],
                      notices_awaiting_reply(session, region_id, today))
