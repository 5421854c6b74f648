"""Issued reports (已印发报告): a quarterly report as the city issued it, kept unchanged for ever."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.core.db import db, timestamp_type, utc_now


class IssuedReport(db.Model):
    """The PDF bytes and the figures the report was built from, its issue number, who issued it and
    when. The app offers no way to change or delete one."""

    __tablename__ = "issued_reports"
    __table_args__ = (UniqueConstraint("year", "quarter", "scope_key"), UniqueConstraint("issue_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    quarter: Mapped[int]
    scope_key: Mapped[str] = mapped_column(String(100))
    """The report's filters as plan:region:sector:approved (ids and codes), to find the same report again."""
    scope: Mapped[str] = mapped_column(String(300))
    """The filters in words."""
    title: Mapped[str] = mapped_column(String(300))
    issue_number: Mapped[str] = mapped_column(String(50))
    """季报〔2026〕3号：the year's issues numbered from 1."""
    as_of: Mapped[date]
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    figures: Mapped[str] = mapped_column(Text)
    """JSON: every figure of the report, to say later how many now differ."""
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    issued_by: Mapped[str] = mapped_column(String(50))
    issued_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
