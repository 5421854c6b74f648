"""What the rules decided for a project over an interval of moments, and the thresholds they used."""
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.core.db import ExactDecimal, db, enum_type, money
from portfolio.registry.models import ProjectStatus, Sector
from portfolio.rules import Light


class Judgement(db.Model):
    """One project's judgement, valid for the moments `valid_from` ≤ m < `valid_to` (`moments.py`).

    Its group keys (plan, region, sector) are copied from the project, so figures group and a
    future partitioning by region (bench/README.md) need no join. The warnings' words are not
    stored: `warnings` holds each one's kind, light, detail and the date its delay counts from,
    and the words are written for the moment they are read on (`queries.assessment_of`)."""

    __tablename__ = "judgements"
    __table_args__ = (
        Index(None, "project_id", "valid_to"),
        Index("ix_judgements_from", "edge", "valid_from", "valid_to"),
        Index("ix_judgements_to", "edge", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    plan_id: Mapped[int]
    region_id: Mapped[int]
    sector: Mapped[Sector] = mapped_column(enum_type(Sector, "sector"))
    valid_from: Mapped[int]
    valid_to: Mapped[int]
    edge: Mapped[int]
    """−1: the project's first row (every moment before `valid_to`), 1: its last (every moment from
    `valid_from` on), 0: any other, which lies within one quarter (`moments.LONGEST_ROW`)."""
    status: Mapped[ProjectStatus] = mapped_column(enum_type(ProjectStatus, "status"))
    """The status on the moment's date."""
    light: Mapped[Light] = mapped_column(enum_type(Light, "light"))
    cumulative_investment: Mapped[Decimal] = mapped_column(money())
    year_investment: Mapped[Decimal] = mapped_column(money())
    annual_plan: Mapped[Decimal | None] = mapped_column(money())
    quarter_investment: Mapped[Decimal | None] = mapped_column(money())
    over_budget: Mapped[bool]
    overdue: Mapped[bool]
    late_start: Mapped[bool]
    late_milestone: Mapped[bool]
    investment_lag: Mapped[bool]
    not_reported: Mapped[bool]
    owes_round: Mapped[bool]
    """Owes progress (`rules.must_report`) for the quarter whose round runs on the moment's date
    (`rules.round_quarter`; at a report moment, the report's quarter): the 报送情况 count."""
    warnings: Mapped[str] = mapped_column(Text)
    """JSON: [[kind, light, detail, since (ISO date or null)], …] in the rules' order."""


class JudgementBasis(db.Model):
    """The thresholds the stored judgements were made with (one row); when the settings differ at
    start-up, every project is judged again."""

    __tablename__ = "judgement_basis"

    id: Mapped[int] = mapped_column(primary_key=True)
    lag_yellow_pp: Mapped[Decimal] = mapped_column(ExactDecimal(6, 2))
    lag_red_pp: Mapped[Decimal] = mapped_column(ExactDecimal(6, 2))
    late_start_red_months: Mapped[int]
    report_due_days: Mapped[int]
