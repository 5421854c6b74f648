"""Login, logout and password change."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from portfolio.accounts.forms import ChangePasswordForm, LoginForm
from portfolio.accounts.login import (
    account_locked,
    address_blocked,
    claim_attempt,
    claim_pair_attempt,
    lock_if_spent,
    record_failure,
    record_success,
)
from portfolio.accounts.models import User
from portfolio.accounts.passwords import dummy_hash, hash_password, verify_password
from portfolio.core.db import db
from portfolio.core.forms import ConfirmForm
from portfolio.core.security import client_address, security_log

bp = Blueprint("auth", __name__)

REFUSED = "用户名或密码不正确。"
LOCKED = "该账户因多次登录失败已暂时锁定，请稍后再试或联系管理员。"


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another host."""
    if target and urlsplit(target).netloc == "" and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username, address = form.username.data.strip(), client_address()
        flooded = address_blocked(address)
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None and not claim_pair_attempt(address, username):
            security_log("login_locked_for_address", username)
            form.username.errors.append(LOCKED)
            return render_template("accounts/login.html", form=form), 429
        if user is not None and (account_locked(user) or not claim_attempt(user.id)):
            security_log("login_locked", username)
            form.username.errors.append(LOCKED)
            return render_template("accounts/login.html", form=form), 429
        # an unknown account costs the same time as a known one: its password is checked against a dummy hash
        if not verify_password(user.password_hash if user else dummy_hash(), form.password.data) or (
                user is None or not user.is_enabled):
            record_failure(username)
            if user is not None:
                lock_if_spent(user.id, address, username)
            db.session.commit()
            if flooded:  # the same answer for a known and an unknown name: a flood learns nothing
                security_log("login_throttled", username)
                form.username.errors.append("登录失败次数过多，请稍后再试。")
                return render_template("accounts/login.html", form=form), 429
            security_log("login_failed", username)
            form.password.errors.append(REFUSED)
            return render_template("accounts/login.html", form=form), 401
        db.session.refresh(user)
        record_success(user, address)
        db.session.commit()
        session.clear()
        login_user(user)
        session.permanent = True
        security_log("login", username)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("accounts/login.html", form=form), 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    if ConfirmForm().validate_on_submit():
        security_log("logout")
        current_user.end_sessions()
        db.session.commit()
        logout_user()
        session.clear()
        flash("已退出登录。", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    form.username_for_policy = current_user.username
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append("当前密码不正确")
        else:
            user = current_user._get_current_object()
            user.password_hash = hash_password(form.new_password.data)
            user.must_change_password = False
            user.end_sessions()
            db.session.commit()
            login_user(user)  # this session goes on with the new token; all others end
            security_log("password_changed")
            flash("密码已修改；其他设备上的登录已失效。", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("accounts/change_password.html", form=form), 422 if form.errors else 200
