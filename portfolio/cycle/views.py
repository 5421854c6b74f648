"""Views of 报送情况 (the city) and 催报: the quarter's round per county, reminders to chosen or
to all late counties after a confirmation, and the e-mails they sent (failed ones can be retried)."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portfolio.accounts import access
from portfolio.accounts.models import Role
from portfolio.core import once, web
from portfolio.core.db import db
from portfolio.core.formatting import format_date
from portfolio.core.forms import ConfirmForm
from portfolio.core.limits import NOTE_LENGTH
from portfolio.core.parsing import text_problem
from portfolio.cycle import operations
from portfolio.cycle.models import Reminder
from portfolio.cycle.queries import RoundState, quarter_round, round_entries
from portfolio.messages import mail
from portfolio.messages.models import MailDelivery, MailState, Message
from portfolio.messages.operations import deliver

bp = Blueprint("cycle", __name__, url_prefix="/round")


@bp.before_request
def city_only():
    """A county's own round is its home page, where this page sends it; the city's page is for the
    other roles (a county's post here is refused like any other)."""
    if request.method == "GET" and current_user.is_authenticated and current_user.role is Role.COUNTY:
        return redirect(url_for("dashboard.index"))
    return None


def _summary(year: int, quarter: int):
    return quarter_round(db.session, year, quarter, web.today(), current_app.config["REPORT_DUE_DAYS"])


def _reminders(year: int, quarter: int) -> list[Reminder]:
    return list(db.session.scalars(
        select(Reminder).where(Reminder.year == year, Reminder.quarter == quarter)
        .order_by(Reminder.sent_dt.desc(), Reminder.id.desc()).limit(50)))


def _sent_messages(reminders: list[Reminder]) -> dict[int, list[Message]]:
    messages: dict[int, list[Message]] = {reminder.id: [] for reminder in reminders}
    for message in db.session.scalars(select(Message).where(Message.reminder_id.in_(messages))
                                      .options(selectinload(Message.delivery), selectinload(Message.recipient))
                                      .order_by(Message.id)):
        messages[message.reminder_id].append(message)
    return messages


@bp.get("/")
def index():
    year, quarter = web.quarter_args()
    reminders = _reminders(year, quarter)
    return render_template("cycle/index.html", summary=_summary(year, quarter), states=list(RoundState),
                           reminders=reminders, sent=_sent_messages(reminders), confirm=ConfirmForm(),
                           mail_configured=mail.configured(current_app.config))


@bp.post("/remind")
@web.require(access.can_send_reminders)
def remind():
    """First post: the confirmation (which counties, how many accounts and e-mails, the text to send).
    Second post (`confirmed`): the reminders are recorded, then the e-mails go out."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    year, quarter = web.quarter_args()
    summary = _summary(year, quarter)
    if request.form.get("which") == "late":
        rows = summary.late_regions
    else:
        chosen = {int(text) for text in request.form.getlist("region") if text.isascii() and text.isdigit()
                  and len(text) < 10}
        rows = [row for row in summary.regions if row.region.id in chosen]
    if not summary.begun:
        flash(f"{year}年第{quarter}季度尚未结束，还不到报送的时候，无需催报。", "error")
        return redirect(url_for(".index", year=year, quarter=quarter))
    if not rows:
        flash("没有逾期的县(市、区)，无需催报。" if request.form.get("which") == "late" else "请先勾选要催报的县(市、区)。",
              "error")
        return redirect(url_for(".index", year=year, quarter=quarter))
    note = (request.form.get("note") or "").strip()
    deadline = format_date(summary.deadline)
    default_note = (f"请于{deadline}前完成{year}年第{quarter}季度项目进展填报并报送。" if not summary.past_deadline else
                    f"{year}年第{quarter}季度项目进展报送截止日（{deadline}）已过，请尽快完成填报并报送。")
    accounts = operations.county_accounts(db.session, [row.region.id for row in rows])
    error = None
    if request.form.get("confirmed"):
        if not note:
            error = "请填写催报内容。"
        elif problem := text_problem("催报内容", note, NOTE_LENGTH):
            error = f"{problem}。"
        else:
            return _send(summary, rows, note)
    return render_template("cycle/confirm.html", summary=summary, rows=rows, accounts=accounts,
                           note=note or default_note, error=error, which=request.form.get("which"),
                           confirm=ConfirmForm(), mail_configured=mail.configured(current_app.config)), \
        422 if error else 200


def _send(summary, rows, note: str):
    owed = {}
    for entry in round_entries(db.session, summary.year, summary.quarter, web.today(),
                               states={state for state in RoundState if state.with_county}):
        owed.setdefault(entry.project.region_id, []).append(entry)
    try:
        once.claim(db.session, request.form.get("once"))
        outcomes = operations.send_reminders(db.session, summary, rows, owed, note, current_user.label,
                                             current_app.config, url_for("dashboard.index"))
        db.session.commit()
    except IntegrityError:  # this confirmation was already sent (double click, reload, two at once)
        db.session.rollback()
        flash(once.ALREADY_DONE, "error")
        return redirect(url_for(".index", year=summary.year, quarter=summary.quarter))
    deliveries = [m.delivery for outcome in outcomes for m in outcome.messages if m.delivery]
    deliver(db.session, deliveries, current_app.config)
    db.session.commit()
    for outcome in outcomes:
        if outcome.refusal:
            flash(outcome.refusal + "。", "error")
            continue
        mails = [m.delivery for m in outcome.messages if m.delivery]
        sent = sum(1 for d in mails if d.state is MailState.SENT)
        failed = [d for d in mails if d.state is MailState.FAILED]
        words = f"已向{outcome.region}催报：站内消息{len(outcome.messages)}条"
        if mail.configured(current_app.config):
            words += f"，邮件发送成功{sent}封" + (f"、失败{len(failed)}封（{failed[0].error}），可在下方重试" if failed else "")
        flash(words + "。", "warning" if failed else "success")
    if not mail.configured(current_app.config) and any(outcome.reminder for outcome in outcomes):
        flash("未配置邮件服务器，仅发送了站内消息。", "info")
    return redirect(url_for(".index", year=summary.year, quarter=summary.quarter))


@bp.post("/retry")
@web.require(access.can_send_reminders)
def retry():
    """Send the quarter's failed e-mails again (or one, with `delivery`)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    year, quarter = web.quarter_args()
    if not mail.configured(current_app.config):
        flash("未配置邮件服务器，无法重发邮件。", "error")
        return redirect(url_for(".index", year=year, quarter=quarter))
    query = (select(MailDelivery).join(MailDelivery.message).join(Reminder, Message.reminder_id == Reminder.id)
             .where(Reminder.year == year, Reminder.quarter == quarter, MailDelivery.state == MailState.FAILED))
    if one := web.int_arg("delivery"):
        query = query.where(MailDelivery.id == one)
    deliveries = list(db.session.scalars(query))
    if not deliveries:
        flash("没有需要重发的邮件。", "error")
        return redirect(url_for(".index", year=year, quarter=quarter))
    try:
        once.claim(db.session, request.form.get("once"))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(once.ALREADY_DONE, "error")
        return redirect(url_for(".index", year=year, quarter=quarter))
    deliver(db.session, deliveries, current_app.config)
    db.session.commit()
    failed = [d for d in deliveries if d.state is MailState.FAILED]
    flash(f"重发邮件{len(deliveries)}封：成功{len(deliveries) - len(failed)}封" +
          (f"，失败{len(failed)}封（{failed[0].error}）。" if failed else "。"), "warning" if failed else "success")
    return redirect(url_for(".index", year=year, quarter=quarter))
