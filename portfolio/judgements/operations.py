"""Judging projects and keeping the stored judgements current.

`intervals` evaluates the pure rules at every moment where the judgement may change and merges
equal neighbours. The judgement of a moment changes only where the facts name a date:

- the 报告期 moves (each quarter's 报送截止日 + 1 day); each quarter's last day (its round begins),
  its report moment and the day after it (`moments.py`);
- the planned start + 1 day and `late_start_red_from` (开工滞后), the planned end + 1 day (超期);
- each milestone's planned date + 1 day and its actual date (节点滞后);
- each status change (the status as of a date, and which quarters were expected).

Before the year of the earliest fact, and once the last quarter of the year after the latest one
is the 报告期, nothing changes any more (no report, plan or date lies there, the build period is
all elapsed): one open-ended row covers each side. The sweeps of tests/judgements prove it.
"""
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portfolio.judgements.models import Judgement, JudgementBasis
from portfolio.judgements.moments import (
    FIRST_MOMENT,
    LAST_MOMENT,
    day_moment,
    moment_day,
    moment_period,
    moment_round_period,
    quarter_start_moments,
    report_moment,
)
from portfolio.registry.models import Project
from portfolio.rules import (
    Assessment,
    ProjectFacts,
    Thresholds,
    WarningKind,
    assess,
    is_quarter_end,
    late_start_red_from,
    must_report,
    period_quarter,
    quarter_end,
    quarter_period,
)
from portfolio.rules.figures import facts_for

BATCH = 500


@dataclass(frozen=True)
class Judged:
    """What is stored for a moment: the assessment (its words left for the reader) and whether the
    project owes progress for the round of the moment (`moments.moment_round_period`)."""

    assessment: Assessment
    owes_round: bool


def judge_at(facts: ProjectFacts, moment: int, thresholds: Thresholds) -> Judged:
    assessment = assess(facts, moment_day(moment), thresholds, moment_period(moment, thresholds.report_due_days))
    return Judged(assessment, must_report(facts, assessment.status, moment_round_period(moment)))


def _fact_dates(facts: ProjectFacts, thresholds: Thresholds) -> set[date]:
    """The days from which a judgement may change because of a dated fact."""
    days = {facts.planned_start + timedelta(days=1), late_start_red_from(facts.start_year, thresholds),
            facts.planned_end + timedelta(days=1)}
    for milestone in facts.milestones:
        if milestone.planned_date:
            days.add(milestone.planned_date + timedelta(days=1))
        if milestone.actual_date:
            days.add(milestone.actual_date)
    days.update(since for since, _ in facts.status_history if since != date.min)
    if facts.status_since:
        days.add(facts.status_since)
    return days


def breakpoints(facts: ProjectFacts, thresholds: Thresholds, days: set[date]) -> list[int]:
    """The moments at which the judgement may differ from the moment before, ascending, given the
    facts' dates (`_fact_dates`); before the first one (January 1 of the earliest fact's year) it is
    the same as on the day before it."""
    years = {day.year for day in days} | {report.year for report in facts.reports} | set(facts.annual_plans)
    first, last = min(years), max(years) + 1
    moments = {day_moment(day) for day in days}
    due = timedelta(days=thresholds.report_due_days + 1)
    for period in range(quarter_period(first, 1), quarter_period(last, 4) + 1):
        end = quarter_end(*period_quarter(period))
        moments.update((day_moment(end), report_moment(*period_quarter(period)), day_moment(end) + 2,
                        day_moment(end + due)))
    low = day_moment(date(first, 1, 1))
    moments.add(low)
    return sorted(moment for moment in moments if moment >= low)


def intervals(facts: ProjectFacts, thresholds: Thresholds) -> list[tuple[int, int, Judged]]:
    """[(valid_from, valid_to, judged)] covering every moment, equal neighbours merged, then every row
    but the first and the last cut at each quarter's first day (so a read scans few rows).

    The rules are evaluated at each breakpoint but two kinds where nothing they read can have
    changed: a quarter's last day that no fact names (the 报告期, the status and every dated rule are
    those of the breakpoint before; only the round it owes for moves on) and the day after a report
    moment that no fact names (the same as the day before the report moment)."""
    days = _fact_dates(facts, thresholds)
    moments = breakpoints(facts, thresholds, days)
    named = {day_moment(day) for day in days} | {moments[0]}
    breaking = set(moments)  # looked up for every moment: a list would make judging quadratic
    judged = before_report = judge_at(facts, moments[0] - 2, thresholds)
    merged = [[FIRST_MOMENT, LAST_MOMENT, judged]]
    for moment in moments:
        day = moment_day(moment)
        if moment in named or moment % 2:
            if moment % 2:
                before_report = judged
            judged = judge_at(facts, moment, thresholds)
        elif is_quarter_end(day):
            # a quarter's last day, no fact dated on it: only the round it owes for moves on
            judged = Judged(judged.assessment, must_report(facts, judged.assessment.status, moment_round_period(moment)))
        elif moment - 1 in breaking and is_quarter_end(moment_day(moment - 2)):
            judged = before_report  # the day after a report moment, no fact dated on it: as the day before
        else:
            judged = judge_at(facts, moment, thresholds)
        if merged[-1][2] != judged:
            merged[-1][1] = moment
            merged.append([moment, LAST_MOMENT, judged])
    rows = []
    for index, (valid_from, valid_to, judged) in enumerate(merged):
        cuts = quarter_start_moments(valid_from, valid_to) if 0 < index < len(merged) - 1 else []
        rows += [(start, end, judged) for start, end in zip([valid_from, *cuts], [*cuts, valid_to], strict=True)]
    return rows


def _row(project: Project, valid_from: int, valid_to: int, judged: Judged) -> dict:
    assessment = judged.assessment
    return dict(
        project_id=project.id, plan_id=project.plan_id, region_id=project.region_id, sector=project.sector,
        valid_from=valid_from, valid_to=valid_to,
        edge=-1 if valid_from == FIRST_MOMENT else 1 if valid_to == LAST_MOMENT else 0,
        status=assessment.status, light=assessment.light,
        cumulative_investment=assessment.cumulative_investment, year_investment=assessment.year_investment,
        annual_plan=assessment.annual_plan, quarter_investment=assessment.quarter_investment,
        over_budget=assessment.over_budget,
        **{kind.value: assessment.has(kind) for kind in WarningKind},
        owes_round=judged.owes_round,
        warnings=json.dumps([[w.kind.value, w.light.value, w.detail, w.since.isoformat() if w.since else None]
                             for w in assessment.warnings], ensure_ascii=False) if assessment.warnings else "[]",
    )


def store(session: Session, project_ids: Iterable[int], thresholds: Thresholds) -> int:
    """Judge the projects again and replace their stored rows (a deleted project's rows go with it);
    flushes, returns the rows written."""
    ids = sorted(set(project_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        session.execute(delete(Judgement).where(Judgement.project_id.in_(chunk)))
        projects = {project.id: project for project in session.scalars(select(Project).where(Project.id.in_(chunk)))}
        rows = [_row(projects[project_id], *interval)
                for project_id, facts in facts_for(session, projects.values()).items()
                for interval in intervals(facts, thresholds)]
        if rows:  # a plain executemany: the ORM's bulk INSERT would batch a few rows per statement
            session.execute(Judgement.__table__.insert(), rows)
        written += len(rows)
    return written


JUDGE_ALL_LOCK = 20261204
"""PostgreSQL advisory lock of `judge_all`: app processes starting together judge one at a time."""


def lock_judgements(session: Session) -> None:
    """Until the transaction ends, no other `judge_all` runs (on SQLite the first write does this)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(JUDGE_ALL_LOCK)))


def judge_all(session: Session, thresholds: Thresholds, progress=None) -> int:
    """Every project judged again with these thresholds, which become the stored basis."""
    lock_judgements(session)
    ids = list(session.scalars(select(Project.id).order_by(Project.id)))
    session.execute(delete(Judgement))
    written = 0
    for start in range(0, len(ids), BATCH):
        written += store(session, ids[start:start + BATCH], thresholds)
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    session.execute(delete(JudgementBasis))
    session.add(JudgementBasis(id=1, lag_yellow_pp=thresholds.lag_yellow_pp, lag_red_pp=thresholds.lag_red_pp,
                               late_start_red_months=thresholds.late_start_red_months,
                               report_due_days=thresholds.report_due_days))
    session.flush()
    return written


def basis_differs(session: Session, thresholds: Thresholds) -> bool:
    """Whether the stored judgements were made with other thresholds (or none recorded)."""
    basis = session.get(JudgementBasis, 1, populate_existing=True)
    return basis is None or (basis.lag_yellow_pp, basis.lag_red_pp, basis.late_start_red_months,
                             basis.report_due_days) != (thresholds.lag_yellow_pp, thresholds.lag_red_pp,
                                                        thresholds.late_start_red_months, thresholds.report_due_days)
