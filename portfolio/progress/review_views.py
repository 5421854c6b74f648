"""Views of the review workflow."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portfolio.accounts import access
from portfolio.accounts.models import Role
from portfolio.core import web
from portfolio.core.db import db
from portfolio.core.forms import ConfirmForm
from portfolio.core.limits import FIRST_YEAR, LAST_YEAR
from portfolio.progress import review
from portfolio.progress.forms import ReturnForm
from portfolio.progress.models import ProgressReport
from portfolio.registry.models import Region
from portfolio.rules import quarter_of

bp = Blueprint("reviews", __name__, url_prefix="/reviews", template_folder="templates")


def _quarter() -> tuple[int, int]:
    today = web.today()
    year = web.int_arg("year", FIRST_YEAR, LAST_YEAR) or today.year
    quarter = web.int_arg("quarter", 1, 4) or quarter_of(today)
    return year, quarter


@bp.get("/")
def index():
    year, quarter = _quarter()
    region_id = current_user.region_id if current_user.role is Role.COUNTY else web.int_arg("region")
    reports = review.quarter_reports(db.session, year, quarter, region_id)
    regions = db.session.scalars(db.select(Region).order_by(Region.id)).all()
    return render_template("reviews/index.html", year=year, quarter=quarter, reports=reports, region_id=region_id,
                           regions=regions, confirm=ConfirmForm(), return_form=ReturnForm(formdata=None))


@bp.post("/submit")
def submit():
    year, quarter = _quarter()
    region_id = web.int_arg("region")
    if not ConfirmForm().validate_on_submit() or region_id is None:
        abort(400)
    if not access.can_submit(current_user, region_id):
        web.refuse()
    count = review.submit_quarter(db.session, region_id, year, quarter)
    db.session.commit()
    flash(f"已报送{year}年第{quarter}季度 {count} 条进展，等待市级审核。", "success")
    return redirect(url_for(".index", year=year, quarter=quarter, region=region_id))


def _review_action(report_id: int, action):
    report = db.get_or_404(ProgressReport, report_id)
    try:
        action(report)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for(".index", year=report.year, quarter=report.quarter))
    db.session.commit()
    return redirect(url_for(".index", year=report.year, quarter=report.quarter))


@bp.post("/<int:report_id>/approve")
@web.require(access.can_review)
def approve(report_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _review_action(report_id, lambda r: review.approve(db.session, r))


@bp.post("/<int:report_id>/return")
@web.require(access.can_review)
def send_back(report_id: int):
    form = ReturnForm()
    if not form.validate_on_submit():
        flash("退回时必须填写退回意见。", "error")
        return redirect(request.referrer or url_for(".index"))
    return _review_action(report_id, lambda r: review.send_back(db.session, r, form.comment.data))


@bp.post("/<int:report_id>/reopen")
@web.require(access.can_review)
def reopen(report_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _review_action(report_id, lambda r: review.reopen(db.session, r))
