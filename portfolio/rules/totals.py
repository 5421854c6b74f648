"""The one roll-up of group figures (DESIGN.md, "Figures of a group") for every output: the
dashboard, the list's totals line, the quarterly report and the exports' totals rows.

- 项目数，计划总投资，累计完成投资，投资完成率：over the projects that are not cancelled (as of the
  date); cancelled ones are counted apart (另有已取消项目N个、计划投资X万元).
- 年度计划投资 and 年度完成率：over the projects that have an annual plan for the 报告期's year;
  what the others completed that year is kept beside it, never mixed in.
- 本季度完成投资：the 报告期's investment of the projects that reported for it.
- Lights and warning counts as the rules judge them.
- 资金来源：planned investment by source over the projects that are not cancelled, with what no
  source covers yet (未落实) and what the sources exceed the planned investment by (超出); so
  Σ sources + 未落实 = 计划总投资 + 超出, to the fen.

Figures come in as cells — one judged project (`project_cell`, from the pure rules), or the stored
judgements of projects already summed by the database (`portfolio.judgements.queries.cells_at`) —
and `roll_up` adds them into groups. Both sources give the same cells; a test proves it.
"""
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from operator import add

from portfolio.registry.models import FundingSource, ProjectStatus, Sector
from portfolio.rules.rules import Assessment, Light, WarningKind, completion_rate

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


SOURCES = tuple(FundingSource)


@dataclass(frozen=True)
class FundingFigures:
    """Planned investment by 资金来源 (amounts in `SOURCES` order), what no source covers, and by
    how much the sources exceed the planned investment — each project counted on its own."""

    amounts: tuple[Decimal, ...] = (ZERO,) * len(SOURCES)
    unallocated: Decimal = ZERO
    excess: Decimal = ZERO
    excess_count: int = 0
    """Projects whose sources add up to more than their planned investment."""

    def __add__(self, other: "FundingFigures") -> "FundingFigures":
        return FundingFigures(tuple(map(add, self.amounts, other.amounts)), self.unallocated + other.unallocated,
                              self.excess + other.excess, self.excess_count + other.excess_count)

    @classmethod
    def of_project(cls, planned: Decimal, funding: Mapping[FundingSource, Decimal]) -> "FundingFigures":
        allocated = sum(funding.values(), ZERO)
        return cls(tuple(funding.get(source, ZERO) for source in SOURCES), max(planned - allocated, ZERO),
                   max(allocated - planned, ZERO), int(allocated > planned))

    @property
    def by_source(self) -> list[tuple[FundingSource, Decimal]]:
        return list(zip(SOURCES, self.amounts, strict=True))

    @property
    def total(self) -> Decimal:
        """Σ sources + 未落实 (= 计划总投资 + 超出)."""
        return sum(self.amounts, ZERO) + self.unallocated


@dataclass(frozen=True)
class Figures:
    """The summable figures of a cell or a group."""

    count: int = 0
    planned_investment: Decimal = ZERO
    cumulative_investment: Decimal = ZERO
    annual_count: int = 0
    """Projects with an annual plan for the 报告期's year."""
    annual_plan: Decimal = ZERO
    annual_completed: Decimal = ZERO
    other_year_completed: Decimal = ZERO
    quarter_investment: Decimal = ZERO
    red: int = 0
    yellow: int = 0
    green: int = 0
    done: int = 0
    overdue: int = 0
    late_start: int = 0
    late_milestone: int = 0
    investment_lag: int = 0
    not_reported: int = 0
    cancelled_count: int = 0
    cancelled_planned: Decimal = ZERO
    funding: FundingFigures = FundingFigures()

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(*map(add, (getattr(self, name) for name in SUMMED), (getattr(other, name) for name in SUMMED)))

    def warning_count(self, kind: WarningKind) -> int:
        return getattr(self, kind.value)


SUMMED = [f.name for f in fields(Figures)]


@dataclass(frozen=True)
class GroupFigures(Figures):
    key: str | int = "all"
    label: str = "合计"

    @property
    def completion_rate(self) -> Decimal | None:
        return completion_rate(self.cumulative_investment, self.planned_investment)

    @property
    def annual_rate(self) -> Decimal | None:
        return completion_rate(self.annual_completed, self.annual_plan)


@dataclass(frozen=True)
class FundingLine:
    """One line of the 资金来源 table of a group: a source (None for 未落实 and for 合计), its amount
    and its share of the group's planned investment."""

    label: str
    amount: Decimal
    share: Decimal | None
    source: FundingSource | None = None


def funding_lines(group: GroupFigures) -> list[FundingLine]:
    """The sources the group draws on, 未落实资金来源, then 合计 — as the dashboard and the report show them."""
    planned = group.planned_investment
    lines = [FundingLine(source.label, amount, completion_rate(amount, planned), source)
             for source, amount in group.funding.by_source if amount]
    lines.append(FundingLine("未落实资金来源", group.funding.unallocated, completion_rate(group.funding.unallocated, planned)))
    lines.append(FundingLine("合计", group.funding.total, completion_rate(group.funding.total, planned)))
    return lines


@dataclass(frozen=True)
class Cell:
    """Judged figures of one project, or of projects sharing a region, a status (as of the date) and a sector."""

    region_id: int
    region_name: str
    status: ProjectStatus
    sector: Sector
    figures: Figures = field(default_factory=Figures)


def project_cell(region_id: int, region_name: str, sector: Sector, planned: Decimal,
                 assessment: Assessment, funding: Mapping[FundingSource, Decimal]) -> Cell:
    """One project judged by the pure rules, with its 资金来源."""
    if assessment.status is ProjectStatus.CANCELLED:
        return Cell(region_id, region_name, assessment.status, sector, Figures(cancelled_count=1, cancelled_planned=planned))
    planned_year = assessment.annual_plan is not None
    return Cell(region_id, region_name, assessment.status, sector, Figures(
        count=1, planned_investment=planned, cumulative_investment=assessment.cumulative_investment,
        annual_count=int(planned_year), annual_plan=assessment.annual_plan or ZERO,
        annual_completed=assessment.year_investment if planned_year else ZERO,
        other_year_completed=ZERO if planned_year else assessment.year_investment,
        quarter_investment=assessment.quarter_investment or ZERO,
        red=int(assessment.light is Light.RED), yellow=int(assessment.light is Light.YELLOW),
        green=int(assessment.light is Light.GREEN), done=int(assessment.light is Light.DONE),
        **{kind.value: int(assessment.has(kind)) for kind in WarningKind},
        funding=FundingFigures.of_project(planned, funding),
    ))


def roll_up(cells: Iterable[Cell], key_of: Callable[[Cell], Hashable], label_of: Callable[[Hashable], str],
            order: Sequence | None = None) -> list[GroupFigures]:
    """Cells added up per key, in `order` (keys without projects left out) or sorted by key."""
    sums: dict = {}
    for cell in cells:
        key = key_of(cell)
        sums[key] = sums.get(key, Figures()) + cell.figures
    ordered = [key for key in order if key in sums] if order is not None else sorted(sums)
    return [GroupFigures(key=getattr(key, "value", key), label=label_of(key),
                         **{name: _money(getattr(sums[key], name)) for name in SUMMED})
            for key in ordered]


def _money(value):
    return value.quantize(CENT) if isinstance(value, Decimal) else value


def total(cells: Iterable[Cell]) -> GroupFigures:
    """The whole group's figures (合计), zeros when there are no projects."""
    totals = roll_up(cells, lambda cell: "all", lambda key: "合计")
    return totals[0] if totals else GroupFigures()


def by_region(cells: Sequence[Cell]) -> list[GroupFigures]:
    names = {cell.region_id: cell.region_name for cell in cells}
    return roll_up(cells, lambda cell: cell.region_id, names.get)


def by_status(cells: Iterable[Cell]) -> list[GroupFigures]:
    return roll_up(cells, lambda cell: cell.status, lambda key: key.label, list(ProjectStatus))


def by_sector(cells: Iterable[Cell]) -> list[GroupFigures]:
    return roll_up(cells, lambda cell: cell.sector, lambda key: key.label, list(Sector))
