"""A background job: what to do, for whom, how far it got, and where its result is."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.core.db import db, enum_type, timestamp_type, utc_now
from portfolio.core.enums import LabelledEnum


class JobState(LabelledEnum):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (Index(None, "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    """Which function runs it (`runner.KINDS`)."""
    title: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parameters: Mapped[str] = mapped_column(Text)
    """JSON: what the function needs, fixed when the job was asked for."""
    state: Mapped[JobState] = mapped_column(enum_type(JobState, "state"), default=JobState.QUEUED)
    done: Mapped[int] = mapped_column(default=0, server_default="0")
    total: Mapped[int] = mapped_column(default=0, server_default="0")
    stage: Mapped[str] = mapped_column(String(100), default="排队等待", server_default="排队等待")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    worker: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    """What a finished job did, in words (an import's counts)."""
    result_name: Mapped[str | None] = mapped_column(String(200))
    """The download's file name; the file itself is `<jobs folder>/<id>.result`."""
    result_type: Mapped[str | None] = mapped_column(String(100))
    created_dt: Mapped[datetime] = mapped_column(timestamp_type(), default=utc_now)
    started_dt: Mapped[datetime | None] = mapped_column(timestamp_type())
    heartbeat_dt: Mapped[datetime | None] = mapped_column(timestamp_type())
    finished_dt: Mapped[datetime | None] = mapped_column(timestamp_type())

    user: Mapped[User] = relationship()

    @property
    def percent(self) -> int:
        return 100 if self.state is JobState.DONE else (self.done * 100 // self.total if self.total else 0)
