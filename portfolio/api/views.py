"""The JSON API, /api/v1. Every request is authenticated by an API token (`Authorization: Bearer …`),
never by the session cookie, and acts with the token's account: the same access rules, the same
validation (`portfolio.progress.validation`), review lock and audit trail as the pages.

Each view carries its OpenAPI operation (`documented`), from which `openapi.py` builds the document.
"""
import json
import logging
import math
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portfolio.accounts import access
from portfolio.api import serialize, tokens
from portfolio.api.errors import ApiError, invalid
from portfolio.api.models import ApiToken
from portfolio.api.openapi import PARAMETERS, build_document, documented, query_parameters
from portfolio.core import web
from portfolio.core.db import db, utc_now
from portfolio.core.limits import API_PAGE_SIZE_MAX
from portfolio.core.parsing import ParseError, date_problem, parse_amount
from portfolio.core.security import client_address
from portfolio.progress import operations, review, validation
from portfolio.progress.models import ProgressReport
from portfolio.registry import queries
from portfolio.registry.forms import ProjectFilterForm
from portfolio.registry.models import Project
from portfolio.rules import reporting_quarter, totals
from portfolio.judgements.queries import assessments_as_of

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger("portfolio.api")

PERIOD = re.compile(r"([0-9]{4})Q([1-4])")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
BODY_LIMIT = 1024 * 1024
"""A quarter's progress is a few kilobytes; a larger body is refused before it is read."""
PROGRESS_INPUT = ("cumulative_investment", "quarter_investment", "physical_progress", "works_status", "problems",
                  "next_steps")
NUMBER_INPUT = ("cumulative_investment", "quarter_investment", "physical_progress")
"""Read as the form's AmountField reads them: the two amounts (万元) and the percentage."""


# --- authentication, logging -----------------------------------------------------------------

@bp.before_request
def authenticate():
    """Find the token, count the request against its limit, and act as its account for this request."""
    g.api_token = None
    if request.endpoint == "api.openapi_document":
        return
    challenge = {"WWW-Authenticate": 'Bearer realm="portfolio"'}
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "请在Authorization请求头中提供API令牌：Authorization: Bearer <令牌>", headers=challenge)
    token = tokens.find_token(db.session, secret.strip())
    if token is None:
        raise ApiError(401, "API令牌无效、已撤销，或其账户已停用", headers=challenge)
    if token.user.must_change_password:
        raise ApiError(403, "该账户的密码已被管理员重置，须先在网页上修改密码，令牌才能继续使用")
    now = utc_now()
    limit = current_app.config["API_RATE_PER_MINUTE"]
    if not tokens.claim_use(db.session, token.id, limit, now):
        wait = tokens.seconds_to_next_minute(now)
        raise ApiError(429, f"该令牌每分钟最多{limit}次请求，请{wait}秒后再试", headers={"Retry-After": str(wait)})
    g.api_token = db.session.get(ApiToken, token.id)
    g._login_user = g.api_token.user  # Flask-Login's current user for this request: access rules, audit trail
    _check_query_parameters()


def _check_query_parameters() -> None:
    """Every endpoint takes only the query parameters its operation documents, each once unless it is a
    list (`warning`): a misspelt or repeated parameter is refused, never silently ignored."""
    names = [name for name in current_app.view_functions[request.endpoint].openapi["parameters"]
             if PARAMETERS[name]["in"] == "query"]
    errors = {name: (name, f"未知参数；可用参数：{'、'.join(names) or '（无）'}") for name in sorted(set(request.args) - set(names))}
    for name in names:
        if len(request.args.getlist(name)) > 1 and PARAMETERS[name]["schema"].get("type") != "array":
            errors[name] = (PARAMETERS[name]["x-label"], "只能给出一次")
        elif "" in request.args.getlist(name):
            errors[name] = (PARAMETERS[name]["x-label"], "不能为空（不筛选时请不要带这个参数）")
    if errors:
        raise invalid(errors, 400)


@bp.after_request
def log_use(response):
    """Every use of the API, one line: which token, whose, what, the answer."""
    token = g.get("api_token")
    log.info("api_request token=%s user=%s method=%s path=%r status=%s address=%s",  # %r: a path cannot break the line
             token.id if token else "-", token.user.username if token else "-", request.method,
             request.full_path.rstrip("?"), response.status_code, client_address())
    response.headers["Cache-Control"] = "no-store"
    return response


# --- reading what the request says -----------------------------------------------------------

def _as_of() -> date:
    """`as_of` as YYYY-MM-DD within the years the app knows, else today — the one parser of every endpoint."""
    if "as_of" not in request.args:
        return web.today()
    text = request.args["as_of"]
    try:
        day = date.fromisoformat(text) if ISO_DATE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise invalid({"as_of": ("截至日期", f"“{text[:30]}”不是日期，应写作2026-09-30")}, 400)
    if problem := date_problem("截至日期", day):
        raise invalid({"as_of": ("截至日期", problem)}, 400)
    return day


def _filters() -> queries.ProjectFilters:
    """The list page's filters, by the same names; a value that is not valid is refused, not ignored."""
    as_of = _as_of()
    form = ProjectFilterForm(request.args, plans=queries.plans(db.session), regions=queries.regions(db.session))
    filters = form.to_filters(web.today(), web.thresholds())
    for name, label in (("plan", "规划"), ("region", "县(市、区)")):
        if name in form.errors and web.int_arg(name) is not None:  # a well-formed id that names nothing
            raise ApiError(404, f"没有编号为{request.args[name]}的{label}", {name: (label, "不存在")})
    if form.errors:
        raise invalid({name: (form[name].label.text, f"“{'、'.join(request.args.getlist(name))[:30]}”不是有效的值")
                       for name in form.errors}, 400)
    return replace(filters, as_of=as_of)


def _paging() -> tuple[int, int]:
    largest = API_PAGE_SIZE_MAX
    page, per_page = web.int_arg("page"), web.int_arg("per_page", 1, largest)
    errors = {}
    if "page" in request.args and page is None:
        errors["page"] = ("页码", "应为正整数")
    if "per_page" in request.args and per_page is None:
        errors["per_page"] = ("每页条数", f"应为1–{largest}的整数")
    if errors:
        raise invalid(errors, 400)
    return page or 1, per_page or current_app.config["API_PAGE_SIZE"]


def _period(text: str) -> tuple[int, int]:
    if not (match := PERIOD.fullmatch(text)):
        raise invalid({"period": ("填报季度", f"“{text[:30]}”应写作年份加季度，如2026Q3")}, 400)
    return int(match.group(1)), int(match.group(2))


def _limited_body() -> bytes:
    """At most BODY_LIMIT bytes of the body, else 413 — also for a chunked body, which has no
    Content-Length to refuse it by before reading."""
    too_large = ApiError(413, f"请求体不能超过{BODY_LIMIT // 1024}KB")
    if (request.content_length or 0) > BODY_LIMIT:
        raise too_large
    data = bytearray()
    while len(data) <= BODY_LIMIT and (chunk := request.stream.read(BODY_LIMIT + 1 - len(data))):
        data += chunk
    if len(data) > BODY_LIMIT:
        raise too_large
    return bytes(data)


def _json_object() -> dict:
    if request.mimetype != "application/json":
        raise ApiError(415, "请求体应为JSON（Content-Type: application/json）")
    try:
        body = json.loads(_limited_body(), parse_float=Decimal, object_pairs_hook=_object_without_repeats)
    except (ValueError, RecursionError):
        raise ApiError(400, "请求体不是有效的JSON") from None
    except RepeatedKey as repeated:
        raise invalid({repeated.name: (repeated.name, "在请求体中出现了不止一次")}, 400) from None
    if not isinstance(body, dict):
        raise ApiError(400, "请求体应为JSON对象，如{\"cumulative_investment\": \"1200.00\"}")
    try:
        json.dumps(body, ensure_ascii=False, default=str).encode()
    except UnicodeEncodeError:  # "\ud800": valid JSON, but no text anyone can store or read back
        raise ApiError(400, "请求体含有无法编码的字符（单独的UTF-16代理项）") from None
    return body  # control characters in a field's text: refused by the field's validation (`text_problem`)


class RepeatedKey(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _object_without_repeats(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object as a dict, refusing a key given twice (JSON allows it; which one would count is a guess)."""
    body = {}
    for name, value in pairs:
        if name in body:
            raise RepeatedKey(name)
        body[name] = value
    return body


def _progress_values(body: dict, year: int, quarter: int) -> tuple[dict, dict[str, str]]:
    """The body's fields as the form would read them: amounts parsed the same way (decimal strings or
    numbers, "1,054.65", full-width digits), missing ones None, texts as typed."""
    values: dict = {"year": year, "quarter": quarter}
    errors = {}
    for name in sorted(set(body) - set(PROGRESS_INPUT)):
        errors[name] = f"未知字段；可用字段：{'、'.join(PROGRESS_INPUT)}"
    for name in PROGRESS_INPUT:
        value = body.get(name)
        if name in NUMBER_INPUT:
            try:
                values[name] = _amount(value)
            except ParseError as error:
                errors[name] = str(error)
        elif value is None or isinstance(value, str):
            values[name] = value or ""
        else:
            errors[name] = "应为文字"
    return values, errors


def _amount(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ParseError(f"“{json.dumps(value, ensure_ascii=False, default=str)[:30]}”不是数字")
    return parse_amount(value)


def _field_errors(errors: dict[str, str]) -> ApiError:
    """Progress errors under the API's names: the year and quarter are the URL's `period`."""
    fields = {}
    for name, message in errors.items():
        if name in ("year", "quarter"):
            fields["period"] = ("填报季度", message)
        else:
            fields[name] = (validation.PROGRESS_LABELS.get(name, name), message)
    return invalid(fields)


def _write_refusal(project: Project) -> str:
    if project.archived:
        return f"“{project.name}”已归档，只读"
    if current_user.region is not None:
        return f"“{project.name}”属于{project.region.name}，{current_user.region.name}的账户不能填报其进展"
    return f"{current_user.role.label}账户不能填报进展"


def _report(project: Project, year: int, quarter: int) -> ProgressReport | None:
    return db.session.scalar(select(ProgressReport).where(
        ProgressReport.project_id == project.id, ProgressReport.year == year, ProgressReport.quarter == quarter))


def _check_precondition(report: ProgressReport | None, label: str) -> None:
    """Optimistic locking: changing a recorded quarter needs the ETag it was read with (If-Match)."""
    if report is None:
        if request.if_match:
            raise ApiError(412, f"{label}还没有进展，If-Match所指的版本不存在；新建时请不要带If-Match")
        return
    if not request.if_match or request.if_match.star_tag:
        raise ApiError(428, f"{label}已有进展（ETag {serialize.etag_of(report)}）；修改时请在If-Match请求头中给出读取时的ETag"
                       "（不能用*）", headers={"ETag": serialize.etag_of(report)})
    if not request.if_match.contains(str(report.version)):
        raise ApiError(412, f"{label}进展已被他人修改（当前ETag {serialize.etag_of(report)}）；请重新读取后再提交",
                       headers={"ETag": serialize.etag_of(report)})


def _page_link(page: int, per_page: int) -> str:
    return url_for(request.endpoint, **(request.view_args or {}), **(request.args.to_dict(flat=False)
                                                                    | {"page": page, "per_page": per_page}))


# --- the endpoints ------------------------------------------------------------------------

@bp.get("/projects")
@documented(
    "projects", "项目列表", "与项目库页面相同的筛选条件（同名参数），按页返回项目及其截至日期的预警判断，并附筛选结果的合计。",
    parameters=query_parameters(ProjectFilterForm) + ["page", "per_page"],
    responses={200: "ProjectPage", 400: "Error", 404: "Error"})
def list_projects():
    filters = _filters()
    page, per_page = _paging()
    total = queries.project_totals(db.session, filters)
    projects = db.session.scalars(queries.projects_query(filters).limit(per_page).offset((page - 1) * per_page)).all()
    assessments = assessments_as_of(db.session, projects, filters.as_of, filters.thresholds)
    pages = max(math.ceil(total.count / per_page), 1)
    return jsonify(
        as_of=serialize.day(filters.as_of), page=page, per_page=per_page, total=total.count, pages=pages,
        next=_page_link(page + 1, per_page) if page < pages else None,
        previous=_page_link(page - 1, per_page) if 1 < page <= pages else None,
        items=[serialize.project_summary(project, assessments[project.id], filters.as_of) for project in projects],
        totals=serialize.figures(total))


@bp.get("/projects/<int:project_id>")
@documented("projects", "项目详情", "项目的全部字段、资金来源、节点、年度计划、各季度进展（含ETag所用的版本），以及截至日期的预警判断。",
            parameters=["project_id", "as_of"], responses={200: "ProjectDetail", 400: "Error", 404: "Error"})
def project_detail(project_id: int):
    as_of = _as_of()  # the request's own mistakes first, whether or not the project exists
    project = db.get_or_404(Project, project_id)
    assessment = assessments_as_of(db.session, [project], as_of, web.thresholds())[project.id]
    return jsonify(serialize.project_detail(project, assessment, as_of))


@bp.get("/projects/<int:project_id>/progress/<period>")
@documented("projects", "某季度进展", "返回该季度的进展；响应头ETag是修改时If-Match要给出的版本。",
            parameters=["project_id", "period"], responses={200: "Progress", 400: "Error", 404: "Error"},
            headers={200: ["ETag"]})
def get_progress(project_id: int, period: str):
    project = db.get_or_404(Project, project_id)
    year, quarter = _period(period)
    if (report := _report(project, year, quarter)) is None:
        raise ApiError(404, f"“{project.name}”没有{year}年第{quarter}季度的进展")
    response = jsonify(serialize.progress(report))
    response.headers["ETag"] = serialize.etag_of(report)
    return response


@bp.put("/projects/<int:project_id>/progress/<period>")
@documented(
    "projects", "填报某季度进展",
    "与进展表单相同的校验、审核锁定和修改记录。新建不带If-Match；修改须带读取时的ETag（If-Match），"
    "版本已变则返回412。本季度完成投资在上季度已填报时可省略（按累计之差计算）。",
    parameters=["project_id", "period", "If-Match"], request_body="ProgressInput",
    responses={200: "ProgressSaved", 201: "ProgressSaved", 400: "Error", 403: "Error", 404: "Error", 409: "Error",
               412: "Error", 413: "Error", 415: "Error", 422: "Error", 428: "Error"},
    headers={200: ["ETag"], 201: ["ETag", "Location"], 412: ["ETag"], 428: ["ETag"]})
def put_progress(project_id: int, period: str):
    project = db.get_or_404(Project, project_id)
    year, quarter = _period(period)
    if not access.can_edit_progress(current_user, project):
        raise ApiError(403, _write_refusal(project))
    label = f"“{project.name}”{year}年第{quarter}季度"
    report = _report(project, year, quarter)
    _check_precondition(report, label)
    if report is not None and (refusal := review.edit_refusal(current_user, report)):
        raise ApiError(409, refusal, code="locked")
    values, errors = _progress_values(_json_object(), year, quarter)
    if not errors:
        errors = validation.progress_errors(db.session, project, values, web.today(),
                                            report_id=report.id if report else None)
    if errors:
        raise _field_errors(errors)
    try:
        saved = operations.save_progress(db.session, project, values, report)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ApiError(412, f"{label}进展在您提交的同时被他人修改；请重新读取后再提交") from None
    except IntegrityError:
        db.session.rollback()
        raise ApiError(409, f"其他人刚刚新建了{label}的进展；请读取后带ETag再提交") from None
    response = jsonify(progress=serialize.progress(saved), notices=validation.progress_notices(project, values))
    response.status_code = 200 if report is not None else 201
    response.headers["ETag"] = serialize.etag_of(saved)
    response.headers["Location"] = url_for("api.get_progress", project_id=project.id, period=period)
    return response


@bp.get("/figures")
@documented(
    "figures", "汇总数字", "筛选结果截至日期的合计及按县(市、区)、状态、领域的分组，与总览、项目库合计行、季度报告和导出同一算法。",
    parameters=[name for name in query_parameters(ProjectFilterForm) if name not in ("sort", "order")],
    responses={200: "FiguresReport", 400: "Error", 404: "Error"})
def figures():
    filters = _filters()
    cells = queries.filtered_cells(db.session, filters)
    year, quarter = reporting_quarter(filters.as_of, filters.thresholds.report_due_days)
    return jsonify(as_of=serialize.day(filters.as_of), reporting_period=serialize.period_code(year, quarter),
                   total=serialize.figures(totals.total(cells)),
                   by_region=[serialize.figures(group) for group in totals.by_region(cells)],
                   by_status=[serialize.figures(group) for group in totals.by_status(cells)],
                   by_sector=[serialize.figures(group) for group in totals.by_sector(cells)])


@bp.get("/regions")
@documented("reference", "县(市、区)", "项目所在的县(市、区)及单列的片区（示范区、中心城区、市本级）。", responses={200: "RegionList"})
def regions():
    return jsonify(items=[serialize.region(region) for region in queries.regions(db.session)])


@bp.get("/plans")
@documented("reference", "规划", "规划及其专栏。", responses={200: "PlanList"})
def plans():
    return jsonify(items=[serialize.plan(plan) for plan in queries.plans(db.session)])


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of this API, built from the views (no token needed: it holds no data)."""
    return jsonify(build_document(current_app))


def register(app) -> None:
    """The API's blueprint, without CSRF (no cookie is honoured, so there is nothing to forge), and its
    errors in JSON — also those raised outside its views (an unknown /api/ path, a 405, a 500)."""
    from portfolio.core import errors
    from portfolio.core.db import csrf

    csrf.exempt(bp)
    app.json.sort_keys = False  # keys in the order `serialize` writes them (id, name, …, not alphabetical)
    app.json.ensure_ascii = False  # Chinese as UTF-8, readable in a terminal
    app.register_blueprint(bp)
    app.register_error_handler(ApiError, ApiError.response)
    errors.AREA_RENDERERS["/api/"] = lambda code, message: ApiError(code, message).response()
