"""A plan's target indicators (规划指标) as printed, and their yearly actual values."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.core.audit import Audited
from portfolio.core.db import db, enum_type, timestamp_type, utc_now
from portfolio.core.enums import LabelledEnum
from portfolio.registry.models import Plan

VALUE_TYPE = Numeric(16, 4)
"""Indicator figures: exact decimals (never float), four places (78.34 岁, 0.5 %, 248.7 平方米)."""


class IndicatorNature(LabelledEnum):
    """指标性质."""

    BINDING = "binding", "约束性"
    EXPECTED = "expected", "预期性"


class Direction(LabelledEnum):
    UP = "up", "越高越好"
    DOWN = "down", "越低越好"


class Measure(LabelledEnum):
    """How a value is read against the target."""

    LEVEL = "level", "水平值"
    """The value in the year (人均预期寿命 79.1 岁)."""
    CUMULATIVE = "cumulative", "期间累计"
    """The total since the plan period began (城镇新增就业 30 万人 over five years)."""


class PlanIndicator(db.Model):
    """One row of a plan's indicator table. `baseline`/`target` keep the printed text ("≥90%",
    "应保尽保", "增长1岁"); `baseline_value`/`target_value` hold the number where the text states one."""

    __tablename__ = "plan_indicators"
    __table_args__ = (
        UniqueConstraint("plan_id", "number"),
        UniqueConstraint("plan_id", "name"),
        CheckConstraint("target_year >= baseline_year", name="years_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    number: Mapped[int]
    category: Mapped[str] = mapped_column(String(50), default="")
    """类别 (总体指标, 基本公共服务, 普惠性非基本公共服务); empty where the document prints none."""
    area: Mapped[str] = mapped_column(String(50), default="")
    """领域 (幼有所育, 病有所医…); empty where the document prints none."""
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(20), default="")
    baseline_year: Mapped[int]
    baseline: Mapped[str] = mapped_column(String(100), default="")
    baseline_value: Mapped[Decimal | None] = mapped_column(VALUE_TYPE)
    target_year: Mapped[int]
    target: Mapped[str] = mapped_column(String(100), default="")
    target_value: Mapped[Decimal | None] = mapped_column(VALUE_TYPE)
    nature: Mapped[IndicatorNature] = mapped_column(enum_type(IndicatorNature, "nature"))
    direction: Mapped[Direction] = mapped_column(enum_type(Direction, "direction"), default=Direction.UP)
    measure: Mapped[Measure] = mapped_column(enum_type(Measure, "measure"), default=Measure.LEVEL)
    note: Mapped[str] = mapped_column(Text, default="")
    """The seed note: what the printed text left unclear (OCR) and how it was read."""

    plan: Mapped[Plan] = relationship()
    values: Mapped[list[IndicatorValue]] = relationship(
        back_populates="indicator", order_by="IndicatorValue.year", cascade="all, delete-orphan", passive_deletes=True)


class IndicatorValue(Audited, db.Model):
    """The actual value of an indicator in a year, with where it comes from (统计公报, 部门报表…)."""

    audit_table_label = "指标实际值"
    audit_field_labels = {"indicator_id": "指标", "year": "年份", "value": "实际值", "source": "数据来源"}
    audit_references = {"indicator_id": ("plan_indicators", "name")}
    audit_not_recorded = Audited.audit_not_recorded | {"entered_by"}

    __tablename__ = "indicator_values"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("plan_indicators.id", ondelete="CASCADE"))
    year: Mapped[int]
    value: Mapped[Decimal] = mapped_column(VALUE_TYPE)
    source: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    modified_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now, onupdate=utc_now)

    indicator: Mapped[PlanIndicator] = relationship(back_populates="values")

    @property
    def audit_project_id(self) -> None:
        return None
