"""Generated progress data for the benchmarks and the tests (the `demo` command has its own, believable one).

Nothing here is real; callers that store it label it as demo data. A seeded `random.Random`
makes every data set reproducible.
"""
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from portfolio.progress.models import MilestoneKind
from portfolio.registry.models import ProjectStatus
from portfolio.rules import period_quarter, quarter_of, quarter_period

STATUS_WEIGHTS = {
    ProjectStatus.PREPARING: 2, ProjectStatus.UNDER_WAY: 6, ProjectStatus.COMPLETED: 1,
    ProjectStatus.IN_USE: 1, ProjectStatus.SUSPENDED: 1, ProjectStatus.CANCELLED: 1,
}


@dataclass
class SampleProgress:
    status: ProjectStatus
    reports: list[tuple[int, int, Decimal, Decimal, Decimal]] = field(default_factory=list)
    """(year, quarter, cumulative, this quarter's investment, physical progress %)"""
    annual_plans: dict[int, Decimal] = field(default_factory=dict)
    milestones: list[tuple[MilestoneKind, date, date | None]] = field(default_factory=list)


def sample_progress(rng: random.Random, start_year: int, end_year: int, planned: Decimal, today: date,
                    quarters: int = 8, status: ProjectStatus | None = None) -> SampleProgress:
    """Up to `quarters` reports ending at or before today's quarter, with gaps, an annual plan
    for today's year half of the time, and the eight milestones spread over the build years.
    The status is drawn at random unless given."""
    status = status or rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    progress = SampleProgress(status)
    first_day, last_day = date(start_year, 1, 1), date(end_year, 12, 31)
    span = (last_day - first_day).days
    reached = 0 if status is ProjectStatus.PREPARING else rng.randint(4, 8)
    previous_actual = first_day
    for index, kind in enumerate(MilestoneKind):
        planned_date = first_day + timedelta(days=span * index // 8 + rng.randint(0, 20))
        actual = None
        if index < reached and planned_date <= today:
            actual = min(max(planned_date + timedelta(days=rng.randint(-10, 60)), previous_actual), today)
            previous_actual = actual
        else:
            reached = index  # milestones are reached in order
        progress.milestones.append((kind, planned_date, actual))
    if status is not ProjectStatus.PREPARING:
        newest = quarter_period(today.year, quarter_of(today)) - rng.choice([0, 0, 0, 1, 2])
        oldest = max(quarter_period(start_year, 1), newest - quarters + 1)
        cumulative = Decimal(0)
        for period in range(oldest, newest + 1):
            if rng.random() < 0.1:
                continue
            step = (planned * Decimal(rng.randint(0, 15)) / 100).quantize(Decimal("0.01"))
            cumulative += step
            year, quarter = period_quarter(period)
            percent = min(Decimal(100), (cumulative / planned * 100).quantize(Decimal("0.01"))) if planned else Decimal(0)
            progress.reports.append((year, quarter, cumulative, step, percent))
    if rng.random() < 0.5:
        progress.annual_plans[today.year] = (planned * Decimal(rng.randint(5, 40)) / 100).quantize(Decimal("0.01"))
    return progress
