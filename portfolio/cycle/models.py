"""Reminders (催报) the city sent, one row per county per sending."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.core.audit import Audited
from portfolio.core.db import db, timestamp_type, utc_now
from portfolio.registry.models import Region


class Reminder(Audited, db.Model):
    audit_table_label = "催报"
    audit_field_labels = {"region_id": "县(市、区)", "year": "年份", "quarter": "季度", "note": "催报内容",
                          "recipients": "收件账户数", "sent_by": "发送人"}
    audit_references = {"region_id": ("regions", "name")}
    audit_not_recorded = Audited.audit_not_recorded | {"sent_dt"}

    __tablename__ = "reminders"
    __table_args__ = (Index(None, "year", "quarter", "region_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    year: Mapped[int]
    quarter: Mapped[int]
    note: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int]
    sent_by: Mapped[str] = mapped_column(String(100))
    sent_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)

    region: Mapped[Region] = relationship()
