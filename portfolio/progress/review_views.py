"""Views of the review workflow: the quarter's reports with the whole picture, submission by the
county, and approval or return — of one report or many — after a confirmation that says how many."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from portfolio.accounts import access
from portfolio.accounts.models import Role
from portfolio.core import web
from portfolio.core.db import db
from portfolio.core.forms import ConfirmForm
from portfolio.cycle.operations import county_accounts
from portfolio.cycle.queries import RoundState, quarter_round, round_entries
from portfolio.messages.operations import deliver, send_message
from portfolio.progress import review
from portfolio.progress.forms import ReviewActionForm
from portfolio.progress.models import ProgressReport
from portfolio.registry.models import Project, Region

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

MAX_AT_ONCE = 500
"""Reports one confirmation may act on."""


def _filters() -> dict:
    """The page's filters (query string or the posted form): the quarter, defaulting to the 报告期;
    the county (a county user's own, always); the round state. Kept through every action."""
    year, quarter = web.quarter_args()
    region = current_user.region_id if current_user.role is Role.COUNTY else web.int_arg("region")
    try:
        state = RoundState(request.values.get("state", "")).value
    except ValueError:
        state = None
    return {"year": year, "quarter": quarter, "region": region, "state": state}


def _back(filters: dict):
    return redirect(url_for(".index", **{key: value for key, value in filters.items() if value}))


@bp.get("/")
def index():
    filters = _filters()
    today = web.today()
    states = {RoundState(filters["state"])} if filters["state"] else None
    entries = round_entries(db.session, filters["year"], filters["quarter"], today, filters["region"], states)
    submitted = [entry.report for entry in entries if entry.state is RoundState.SUBMITTED]
    pictures = review.review_pictures(db.session, submitted, web.thresholds())
    summary = quarter_round(db.session, filters["year"], filters["quarter"], today,
                            current_app.config["REPORT_DUE_DAYS"], filters["region"])
    regions = db.session.scalars(select(Region).where(Region.id.in_(select(Project.region_id)))
                                 .order_by(Region.id)).all()
    return render_template("progress/reviews.html", filters=filters, entries=entries, pictures=pictures,
                           summary=summary, regions=regions, states=list(RoundState), confirm=ConfirmForm(),
                           action_form=ReviewActionForm(formdata=None))


@bp.post("/submit")
def submit():
    filters = _filters()
    region_id = web.int_arg("region")
    if not ConfirmForm().validate_on_submit() or region_id is None:
        abort(400)
    if not access.can_submit(current_user, region_id):
        web.refuse()
    count = review.submit_quarter(db.session, region_id, filters["year"], filters["quarter"])
    if not count:
        flash(f"{filters['year']}年第{filters['quarter']}季度没有待报送的进展：请先在项目页填报；"
              "被退回的进展须修改后才能再次报送。", "error")
        return _back(filters)
    db.session.commit()
    flash(f"已报送{filters['year']}年第{filters['quarter']}季度{count}条进展，等待市级审核。", "success")
    return _back(filters)


def _chosen_reports() -> list[ProgressReport]:
    only = web.int_arg("only")
    ids = [only] if only else [int(text) for text in request.form.getlist("report") if text.isascii() and
                               text.isdigit() and len(text) < 10][:MAX_AT_ONCE]
    if not ids:
        return []
    return list(db.session.scalars(select(ProgressReport).where(ProgressReport.id.in_(ids))
                                   .options(joinedload(ProgressReport.project).joinedload(Project.region))
                                   .order_by(ProgressReport.id)))


def _seen_versions() -> dict[int, int]:
    seen = {}
    for text in request.form.getlist("seen"):
        report_id, _, version = text.partition(":")
        if report_id.isdigit() and version.isdigit() and len(text) < 24:
            seen[int(report_id)] = int(version)
    return seen


@bp.post("/act")
@web.require(access.can_review)
def act():
    """First post: the confirmation page (how many, which, the reason field for a return). Second
    post (`confirmed`): all the chosen reports change, or — if any is no longer in the state the
    action needs, or changed since the confirmation was shown — none does."""
    filters = _filters()
    form = ReviewActionForm()
    try:
        action = review.ReviewAction(form.action.data or "")
    except ValueError:
        abort(400)
    if not form.validate_on_submit():
        abort(400)
    reports = _chosen_reports()
    if not reports:
        flash("请先勾选要处理的进展。", "error")
        return _back(filters)
    if refusals := review.review_refusals(reports, action):
        for refusal in refusals:
            flash(refusal + "（可能已由他人处理）。", "error")
        return _back(filters)

    def confirmation(message: str | None = None, status: int = 200):
        return render_template("progress/review_confirm.html", action=action, reports=reports, form=form, filters=filters,
                               message=message), status

    if not form.confirmed.data:
        return confirmation()
    comment = (form.comment.data or "").strip() or None
    if action.needs_reason and not comment:
        form.comment.errors.append("退回时必须填写退回意见，县级将看到这条意见。")
        return confirmation(status=422)
    seen = _seen_versions()
    if changed := [report for report in reports if seen.get(report.id) != report.version]:
        names = "、".join(report.project.name for report in changed)
        return confirmation(f"{names}的进展在您确认前已被修改，请核对后再确认。", 409)
    review.apply_review(reports, action, comment)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        flash("所选进展刚刚被他人修改，本次未做任何更改，请刷新后重试。", "error")
        return _back(filters)
    if action is review.ReviewAction.RETURN:
        _tell_counties(reports, comment)
    flash(f"已{action.label}{len(reports)}条进展。", "success")
    return _back(filters)


def _tell_counties(reports: list[ProgressReport], comment: str) -> None:
    """A return reaches the county's accounts as a message (and e-mail) with the reason, after the
    return itself is committed; a mail that fails stays marked failed (see messages.operations)."""
    by_region: dict[int, list[ProgressReport]] = {}
    for report in reports:
        by_region.setdefault(report.project.region_id, []).append(report)
    accounts = county_accounts(db.session, list(by_region))
    messages = []
    for region_id, returned in by_region.items():
        first = returned[0]
        names = "、".join(report.project.name for report in returned)
        messages += send_message(
            db.session, accounts[region_id], f"退回：{first.year}年第{first.quarter}季度进展{len(returned)}条",
            f"以下项目的{first.year}年第{first.quarter}季度进展被退回，请修改后重新报送：{names}。\n退回意见：{comment}",
            url_for("dashboard.index"), current_user.label, current_app.config)
    db.session.commit()
    deliver(db.session, [message.delivery for message in messages if message.delivery], current_app.config)
    db.session.commit()
