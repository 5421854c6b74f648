"""催报: a reminder to each chosen county — a Reminder row, and a message (with its e-mail) to every
enabled account of the county. Operations flush; the view commits, delivers, commits again."""
from dataclasses import dataclass

from flask import Config
from sqlalchemy import select
from sqlalchemy.orm import Session

from portfolio.accounts.models import Role, User
from portfolio.cycle.models import Reminder
from portfolio.cycle.queries import QuarterRound, RegionRound, RoundEntry, RoundState
from portfolio.messages.models import Message
from portfolio.messages.operations import send_message


@dataclass(frozen=True)
class ReminderOutcome:
    region: str
    reminder: Reminder | None
    """None: not sent, for the reason in `refusal`."""
    messages: list[Message]
    refusal: str | None = None


def county_accounts(session: Session, region_ids: list[int]) -> dict[int, list[User]]:
    """The enabled county accounts of each region: who a 催报 reaches."""
    accounts: dict[int, list[User]] = {region_id: [] for region_id in region_ids}
    for user in session.scalars(select(User).where(User.role == Role.COUNTY, User.region_id.in_(region_ids),
                                                   User.is_enabled.is_(True)).order_by(User.id)):
        accounts[user.region_id].append(user)
    return accounts


def owed_lines(row: RegionRound, owed: list[RoundEntry]) -> str:
    """What the county still owes, in words, for the message."""
    parts = [f"{state.label}{row.counts[state]}个" for state in RoundState if state.with_county and row.counts[state]]
    names = "、".join(entry.project.name for entry in owed[:20]) + ("等" if len(owed) > 20 else "")
    return f"{row.region.name}尚有{row.counts.outstanding}个项目未报送（{'，'.join(parts)}）：{names}。"


def send_reminders(session: Session, summary: QuarterRound, rows: list[RegionRound],
                   owed: dict[int, list[RoundEntry]], note: str, sender: str, config: Config,
                   link: str) -> list[ReminderOutcome]:
    """One reminder per county that has an account to receive it; a county without one is named and
    skipped (nothing recorded for it)."""
    accounts = county_accounts(session, [row.region.id for row in rows])
    subject = f"催报：请尽快报送{summary.year}年第{summary.quarter}季度项目进展"
    outcomes = []
    for row in rows:
        if not accounts[row.region.id]:
            outcomes.append(ReminderOutcome(row.region.name, None, [],
                                            f"{row.region.name}没有可接收的账户（启用的县级账户），未催报"))
            continue
        body = f"{note}\n{owed_lines(row, owed.get(row.region.id, []))}"
        reminder = Reminder(region_id=row.region.id, year=summary.year, quarter=summary.quarter, note=body,
                            recipients=len(accounts[row.region.id]), sent_by=sender)
        session.add(reminder)
        session.flush()
        messages = send_message(session, accounts[row.region.id], subject, body, link, sender, config, reminder.id)
        outcomes.append(ReminderOutcome(row.region.name, reminder, messages))
    return outcomes
