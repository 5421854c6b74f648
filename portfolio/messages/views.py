"""Views of 消息: an account's own messages, and the unread count in the navigation."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select, update

from portfolio.core import web
from portfolio.core.db import db, utc_now
from portfolio.core.forms import ConfirmForm
from portfolio.messages.models import Message
from portfolio.messages.operations import unread_count

bp = Blueprint("messages", __name__, url_prefix="/messages")


@bp.app_context_processor
def navigation_counts() -> dict:
    """The unread count beside 消息, for every page a logged-in account sees (one COUNT)."""
    if not current_user or not current_user.is_authenticated:
        return {}
    return {"unread_messages": unread_count(db.session, current_user.id)}


@bp.get("/")
def index():
    page = db.paginate(select(Message).where(Message.recipient_id == current_user.id)
                       .order_by(Message.sent_dt.desc(), Message.id.desc()),
                       page=web.page_arg(), per_page=20, error_out=False)
    return render_template("messages/index.html", page=page, confirm=ConfirmForm())


@bp.get("/<int:message_id>")
def show(message_id: int):
    message = db.session.get(Message, message_id)
    if message is None or message.recipient_id != current_user.id:
        abort(404)
    if message.read_dt is None:
        message.read_dt = utc_now()
        db.session.commit()
    return render_template("messages/show.html", message=message)


@bp.post("/read")
def mark_all_read():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = db.session.execute(update(Message).where(Message.recipient_id == current_user.id,
                                                     Message.read_dt.is_(None)).values(read_dt=utc_now())).rowcount
    db.session.commit()
    flash(f"已将{count}条消息标为已读。", "success")
    return redirect(url_for(".index"))
