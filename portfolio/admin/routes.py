"""Views for accounts and the audit trail."""
import secrets

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from portfolio.admin import bp
from portfolio.extensions import db
from portfolio.forms import BaseForm, ConfirmForm, choice_list
from portfolio.models import Region, Role, User
from portfolio.projects.forms import region_choices
from portfolio.security import audit_log
from portfolio.services import accounts, history


class UserForm(BaseForm):
    username = StringField("用户名", validators=[DataRequired(message="请填写用户名"), Length(max=50)])
    display_name = StringField("姓名", validators=[Optional(), Length(max=50)])
    role = SelectField("角色", coerce=Role, choices=choice_list(Role.choices()))
    region = SelectField("县(市、区)(县级账户必填)", coerce=lambda v: int(v) if v else None, validators=[Optional()])


@bp.get("/users")
def users():
    form = UserForm(formdata=None)
    form.region.choices = region_choices(db.session.scalars(select(Region).order_by(Region.id)).all(), blank="(无)")
    return render_template("admin/users.html", users=db.session.scalars(select(User).order_by(User.id)).all(),
                           form=form, confirm=ConfirmForm(), one_time=None)


@bp.post("/users")
def create_user():
    form = UserForm()
    form.region.choices = region_choices(db.session.scalars(select(Region).order_by(Region.id)).all(), blank="(无)")
    one_time = None
    if form.validate_on_submit():
        password = secrets.token_urlsafe(12)
        try:
            user = accounts.create_user(db.session, form.username.data, form.role.data,
                                        db.session.get(Region, form.region.data) if form.region.data else None,
                                        password, must_change_password=True, display_name=form.display_name.data)
        except ValueError as error:
            form.username.errors.append(str(error))
        else:
            db.session.commit()
            audit_log("user_created", target=user.username)
            one_time = (user.username, password)
    status = 200 if one_time else 422
    return render_template("admin/users.html", users=db.session.scalars(select(User).order_by(User.id)).all(),
                           form=form, confirm=ConfirmForm(), one_time=one_time), status


def _user_action(user_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return db.get_or_404(User, user_id)


@bp.post("/users/<int:user_id>/reset")
def reset_password(user_id: int):
    user = _user_action(user_id)
    password = secrets.token_urlsafe(12)
    accounts.reset_password(user, password)
    db.session.commit()
    audit_log("password_reset", target=user.username)
    form = UserForm(formdata=None)
    form.region.choices = region_choices(db.session.scalars(select(Region).order_by(Region.id)).all(), blank="(无)")
    return render_template("admin/users.html", users=db.session.scalars(select(User).order_by(User.id)).all(),
                           form=form, confirm=ConfirmForm(), one_time=(user.username, password))


@bp.post("/users/<int:user_id>/enabled")
def set_enabled(user_id: int):
    user = _user_action(user_id)
    enable = request.form.get("enable") == "1"
    if user.id == current_user.id and not enable:
        flash("不能停用自己的账户。", "error")
        return redirect(url_for(".users"))
    accounts.set_enabled(user, enable)
    db.session.commit()
    audit_log("user_enabled" if enable else "user_disabled", target=user.username)
    flash(f"已{'启用' if enable else '停用'}账户 {user.username};其登录已失效。", "success")
    return redirect(url_for(".users"))


@bp.get("/audit")
def audit():
    page = db.paginate(history.all_entries_query(request.args.get("table") or None),
                       per_page=current_app.config["PROJECTS_PER_PAGE"] * 2, error_out=False)
    return render_template("admin/audit.html", page=page)
