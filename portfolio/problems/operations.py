"""Writing problems, their coordination and 督办单. Operations flush; the view or command commits
once. Values have passed `portfolio.problems.validation` before they come here; every row goes
through the session, so the audit trail records it."""
from collections.abc import Mapping
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portfolio.accounts.models import Role, User
from portfolio.core.formatting import format_date
from portfolio.messages.operations import send_message
from portfolio.problems.models import NoticeState, Problem, ProblemReply, ProblemState, SupervisionNotice
from portfolio.problems.queries import NOTICE_PATH
from portfolio.progress.models import ProgressReport
from portfolio.registry.models import Project

SUBJECT_LENGTH = 200


def raise_problem(session: Session, project: Project, values: dict, raised_by: str, today: date,
                  report: ProgressReport | None = None) -> Problem:
    """A new problem of `project`, 待协调, perhaps raised from a quarter's 存在问题 (`report`)."""
    problem = Problem(
        project=project, progress_report_id=report.id if report else None, kind=values["kind"],
        description=values["description"].strip(), responsible_units=values["responsible_units"].strip(),
        deadline=values.get("deadline"), state=ProblemState.PENDING, raised_on=today, raised_by=raised_by,
    )
    session.add(problem)
    session.flush()
    return problem


def add_reply(session: Session, problem: Problem, body: str, author: str, today: date) -> ProblemReply:
    reply = ProblemReply(problem=problem, replied_on=today, body=body.strip(), author=author)
    session.add(reply)
    session.flush()
    return reply


def change_state(session: Session, problem: Problem, state: ProblemState, note: str | None, today: date) -> None:
    """Move the problem to `state`; on 已解决 or 无法解决 it is closed today (the reports count it open
    until then) and `note` says how, or why not."""
    if state is problem.state:
        return
    problem.state = state
    if not state.is_open:
        problem.closed_on = today
        problem.closing_note = (note or "").strip() or None
    problem.version += 1
    session.flush()


def next_notice_number(session: Session, year: int) -> int:
    return (session.scalar(select(func.max(SupervisionNotice.number)).where(SupervisionNotice.year == year)) or 0) + 1


def issue_notice(session: Session, values: dict, issued_by: str, today: date,
                 config: Mapping | None = None) -> SupervisionNotice:
    """督办〔year〕N号, numbered after the year's highest number inside this transaction (the unique
    (year, number) refuses a number taken meanwhile); each enabled account of the county it is sent
    to gets a message (and its e-mail, pending: the view delivers after committing)."""
    problems = list(session.scalars(select(Problem).where(Problem.id.in_(values["problem_ids"])).order_by(Problem.id)))
    notice = SupervisionNotice(
        year=today.year, number=next_notice_number(session, today.year), region_id=values.get("region_id"),
        unit=(values.get("unit") or "").strip() or None, requirement=values["requirement"].strip(),
        reply_deadline=values["reply_deadline"], issued_on=today, issued_by=issued_by,
        state=NoticeState.AWAITING_REPLY, problems=problems,
    )
    session.add(notice)
    session.flush()
    if notice.region_id is not None:
        _notify_county(session, notice, issued_by, config or {})
    return notice


def _notify_county(session: Session, notice: SupervisionNotice, sender: str, config: Mapping) -> None:
    recipients = session.scalars(select(User).where(User.role == Role.COUNTY, User.region_id == notice.region_id,
                                                    User.is_enabled.is_(True)))
    first = notice.problems[0].description.splitlines()[0] if notice.problems else notice.requirement
    subject = f"{notice.issue_number}：{first}"
    if len(subject) > SUBJECT_LENGTH:
        subject = subject[:SUBJECT_LENGTH - 1] + "…"
    body = (f"{notice.requirement}\n\n请于{format_date(notice.reply_deadline)}前回复。督办问题：\n"
            + "\n".join(f"{n}. {p.project.name}：{p.description}" for n, p in enumerate(notice.problems, start=1)))
    send_message(session, recipients, subject, body, NOTICE_PATH.format(id=notice.id), sender, config)


def reply_to_notice(session: Session, notice: SupervisionNotice, reply: str, replied_by: str, today: date) -> None:
    notice.reply = reply.strip()
    notice.replied_on = today
    notice.replied_by = replied_by
    notice.state = NoticeState.REPLIED
    notice.version += 1
    session.flush()


def close_notice(session: Session, notice: SupervisionNotice) -> None:
    notice.state = NoticeState.CLOSED
    notice.version += 1
    session.flush()
