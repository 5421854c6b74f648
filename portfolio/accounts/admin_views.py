"""Administration: accounts, the whole audit trail and the 系统 page (administrators only)."""
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portfolio.accounts import access
from portfolio.accounts import operations as accounts
from portfolio.accounts.forms import UserForm
from portfolio.accounts.models import User
from portfolio.core import audit, web
from portfolio.core.db import db
from portfolio.core.forms import ConfirmForm
from portfolio.core.security import security_log
from portfolio.core.system import system_facts
from portfolio.registry import queries as registry
from portfolio.registry.models import Region

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@web.require(access.can_manage_users)
def admins_only():
    """Every view of this blueprint is for administrators."""


def _users_page(form: UserForm, one_time: tuple[str, str] | None = None, status: int = 200,
                email_error: tuple[int, str, str] | None = None):
    """`email_error`: (account, what was typed, why it was refused) for that row's e-mail form."""
    return render_template("accounts/users.html", users=db.session.scalars(select(User).order_by(User.id)).all(),
                           form=form, confirm=ConfirmForm(), one_time=one_time, email_error=email_error), status


@bp.get("/system")
def system():
    """系统: how this installation is set up (font, database, media, backups), and its commands."""
    return render_template("accounts/system.html", facts=system_facts(db.session, current_app))


@bp.get("/users")
def users():
    return _users_page(UserForm(formdata=None, regions=registry.regions(db.session)))


@bp.post("/users")
def create_user():
    form = UserForm(regions=registry.regions(db.session))
    if form.validate_on_submit():
        password = secrets.token_urlsafe(12)
        region = db.session.get(Region, form.region.data) if form.region.data else None
        try:
            email = accounts.checked_email(form.email.data)
        except ValueError as error:
            form.email.errors.append(str(error))
            return _users_page(form, status=422)
        try:
            user = accounts.create_user(db.session, form.username.data, form.role.data, region, password,
                                        must_change_password=True, display_name=form.display_name.data,
                                        email=email)
        except ValueError as error:
            form.username.errors.append(str(error))
        else:
            db.session.commit()
            security_log("user_created", target=user.username)
            return _users_page(form, (user.username, password))
    return _users_page(form, status=422)


def _user_action(user_id: int) -> User:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return db.get_or_404(User, user_id)


@bp.post("/users/<int:user_id>/reset")
def reset_password(user_id: int):
    user = _user_action(user_id)
    password = secrets.token_urlsafe(12)
    accounts.reset_password(user, password)
    db.session.commit()
    security_log("password_reset", target=user.username)
    return _users_page(UserForm(formdata=None, regions=registry.regions(db.session)), (user.username, password))


@bp.post("/users/<int:user_id>/enabled")
def set_enabled(user_id: int):
    user = _user_action(user_id)
    enable = request.form.get("enable") == "1"
    if user.id == current_user.id and not enable:
        flash("不能停用自己的账户。", "error")
        return redirect(url_for(".users"))
    accounts.set_enabled(user, enable)
    db.session.commit()
    security_log("user_enabled" if enable else "user_disabled", target=user.username)
    flash(f"已{'启用' if enable else '停用'}账户 {user.username}；其登录已失效。", "success")
    return redirect(url_for(".users"))


@bp.post("/users/<int:user_id>/email")
def set_email(user_id: int):
    user = _user_action(user_id)
    typed = request.form.get("email", "")[:300]
    try:
        accounts.set_email(user, typed)
    except ValueError as error:
        return _users_page(UserForm(formdata=None, regions=registry.regions(db.session)), status=422,
                           email_error=(user.id, typed, str(error)))
    db.session.commit()
    flash(f"已{'保存' if user.email else '清除'}账户 {user.username} 的电子邮箱。", "success")
    return redirect(url_for(".users"))


@bp.get("/audit")
def audit_trail():
    page = db.paginate(audit.all_entries_query(request.args.get("table") or None), page=web.page_arg(),
                       per_page=current_app.config["PROJECTS_PER_PAGE"] * 2, error_out=False)
    return render_template("accounts/audit.html", page=page)
