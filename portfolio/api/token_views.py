"""API tokens in the browser: an account makes, sees and revokes its own; an administrator sees
and revokes everyone's. And the page that renders the API's OpenAPI document."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portfolio.accounts import access
from portfolio.api import tokens
from portfolio.api.forms import TokenForm
from portfolio.api.models import ApiToken
from portfolio.core import web
from portfolio.core.db import db
from portfolio.core.forms import ConfirmForm
from portfolio.core.security import security_log

bp = Blueprint("tokens", __name__)


def _page(form: TokenForm | None, secret: str | None = None, status: int = 200, everyone: bool = False):
    listed = tokens.tokens_of(db.session, None if everyone else current_user)
    return render_template("api/tokens.html", form=form, secret=secret, confirm=ConfirmForm(), tokens=listed,
                           everyone=everyone), status


def _refused_name(form: TokenForm, message: str):
    form.name.errors.append(message)
    return _page(form, status=422)


@bp.get("/account/tokens")
def own_tokens():
    return _page(TokenForm(formdata=None))


@bp.post("/account/tokens")
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    if message := tokens.token_name_error(db.session, current_user, form.name.data or ""):
        return _refused_name(form, message)
    try:
        token, secret = tokens.create_token(db.session, current_user, form.name.data)
        db.session.commit()
    except IntegrityError:  # the same name made a moment ago, in another tab
        db.session.rollback()
        return _refused_name(form, tokens.token_name_error(db.session, current_user, form.name.data) or "请重试")
    security_log("api_token_created", token=token.id)
    # the secret is in this answer only: not flashed (the session cookie is signed, not secret), not cached
    page, status = _page(TokenForm(formdata=None), secret=secret, status=201)
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/admin/tokens")
@web.require(access.can_manage_users)
def all_tokens():
    return _page(None, everyone=True)


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if not access.can_revoke_token(current_user, token.user_id):
        abort(404)  # as if it did not exist: another account's token ids are not for guessing
    if not ConfirmForm().validate_on_submit():
        flash("表单已过期，请重试。", "error")
    elif not token.active:
        flash(f"令牌“{token.name}”已撤销。", "info")
    else:
        tokens.revoke_token(token)
        db.session.commit()
        security_log("api_token_revoked", token=token.id, owner=token.user.username)
        flash(f"已撤销令牌“{token.name}”，使用它的程序将立即无法访问。", "success")
    everyone = request.form.get("from") == "all" and access.can_manage_users(current_user)
    return redirect(url_for("tokens.all_tokens" if everyone else "tokens.own_tokens"))


@bp.get("/api-docs")
def api_docs():
    """Swagger UI, vendored under static/vendor/swagger-ui (no CDN), reading /api/v1/openapi.json."""
    return render_template("api/docs.html")
