"""The OpenAPI 3.1 document, built by apispec from the code: each view's `documented` operation,
the Flask routes' paths, the enums' codes and labels, and the JSON shapes `serialize.py` writes.
Tests validate the document and every response the suite records against it."""
from collections.abc import Callable
from enum import Enum

from apispec import APISpec
from flask import Flask

from portfolio.api.errors import CODES
from portfolio.core.limits import API_PAGE_SIZE_MAX, FIRST_YEAR, LAST_YEAR, MAX_ID
from portfolio.progress.models import MilestoneKind, ReviewState
from portfolio.progress.validation import PROGRESS_LABELS
from portfolio.registry.models import FundingSource, ProjectNature, ProjectStatus, RegionKind, Sector
from portfolio.registry.queries import ArchiveScope
from portfolio.rules import Light, WarningKind

TITLE = "重大工程项目管理 API"
VERSION = "1.0.0"


TAGS = {"projects": "项目与进展", "figures": "汇总数字", "reference": "县(市、区)与规划"}


def documented(tag: str, summary: str, description: str, parameters: list[str] = (), request_body: str | None = None,
               responses: dict[int, str] | None = None, headers: dict[int, list[str]] | None = None) -> Callable:
    """Attach the view's OpenAPI operation: its group (`TAGS`), parameters by name (`PARAMETERS`), the
    request body's and each response's schema by name (`schemas()`), response headers (`RESPONSE_HEADERS`)."""

    def attach(view):
        view.openapi = {"tag": TAGS[tag], "summary": summary, "description": description, "parameters": list(parameters),
                        "request_body": request_body, "responses": responses or {200: None}, "headers": headers or {}}
        return view

    return attach


def query_parameters(form_class) -> list[str]:
    """A filter form's field names, in order: the API's query parameters of the same name."""
    return [name for name, value in vars(form_class).items() if hasattr(value, "field_class")]


def _codes(enum: type[Enum]) -> str:
    return "；".join(f"{member.value}＝{member.label}" for member in enum)


def _query(name: str, label: str, description: str, schema: dict) -> dict:
    """A query parameter; `x-label` is its Chinese name, which error messages use."""
    return {"name": name, "in": "query", "required": False, "description": f"{label}：{description}",
            "schema": schema, "x-label": label}


def _enum_parameter(name: str, label: str, enum: type[Enum], description: str = "", multiple: bool = False) -> dict:
    schema = {"type": "string", "enum": [member.value for member in enum]}
    return _query(name, label, f"{description}{_codes(enum)}", {"type": "array", "items": schema} if multiple else schema
                  ) | ({"style": "form", "explode": True} if multiple else {})


AS_OF_PATTERN = "^(" + "|".join(str(year) for year in range(FIRST_YEAR, LAST_YEAR + 1)) + ")-[0-9]{2}-[0-9]{2}$"
"""A date in the years the app knows (FIRST_YEAR–LAST_YEAR): outside them the API answers 400."""

PARAMETERS = {
    "plan": _query("plan", "规划", "规划编号（/api/v1/plans）；没有这个编号的规划时答404", {"type": "integer", "minimum": 1, "maximum": MAX_ID}),
    "region": _query("region", "县(市、区)", "县(市、区)编号（/api/v1/regions）；没有这个编号的县(市、区)时答404",
                     {"type": "integer", "minimum": 1, "maximum": MAX_ID}),
    "sector": _enum_parameter("sector", "领域", Sector),
    "status": _enum_parameter("status", "项目状态", ProjectStatus, "截至日期的状态："),
    "q": _query("q", "关键词", "项目名称或建设内容中的文字（不能含控制字符）",
                {"type": "string", "minLength": 1, "maxLength": 100, "pattern": r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"}),
    "as_of": _query("as_of", "截至日期", f"YYYY-MM-DD，{FIRST_YEAR}年至{LAST_YEAR}年之间，默认今天；预警、状态和合计都按这一天判断",
                    {"type": "string", "format": "date", "pattern": AS_OF_PATTERN}),
    "light": _enum_parameter("light", "预警", Light),
    "warning": _enum_parameter("warning", "问题", WarningKind, "可重复，须同时具备：", multiple=True),
    "sort": _query("sort", "排序", "name项目名称、region县(市、区)、investment计划投资、start开工年份、end完工年份",
                   {"type": "string", "enum": ["name", "region", "investment", "start", "end"]}),
    "order": _query("order", "顺序", "asc升序、desc降序", {"type": "string", "enum": ["asc", "desc"]}),
    "funding": _enum_parameter("funding", "资金来源", FundingSource),
    "archive": _enum_parameter("archive", "归档", ArchiveScope, "默认只含在库项目："),
    "page": _query("page", "页码", "从1开始", {"type": "integer", "minimum": 1, "maximum": MAX_ID}),
    "per_page": _query("per_page", "每页条数", f"默认50（见README），最多{API_PAGE_SIZE_MAX}",
                       {"type": "integer", "minimum": 1, "maximum": API_PAGE_SIZE_MAX}),
    "project_id": {"name": "project_id", "in": "path", "required": True, "description": "项目编号",
                   "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
    "period": {"name": "period", "in": "path", "required": True, "description": "填报季度，如2026Q3",
               "schema": {"type": "string", "pattern": "^[0-9]{4}Q[1-4]$"}},
    "If-Match": {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                 "description": "修改已有的季度进展时必填：读取时的ETag（不能用*）；新建时不带"},
}
RESPONSE_HEADERS = {
    "ETag": {"description": "该季度进展的版本，修改时放在If-Match中", "schema": {"type": "string"}},
    "Location": {"description": "该季度进展的地址", "schema": {"type": "string"}},
}

MONEY = {"type": "string", "pattern": r"^[0-9]+\.[0-9]{2}$", "description": "万元，两位小数"}
OPTIONAL_MONEY = {"type": ["string", "null"], "pattern": r"^[0-9]+\.[0-9]{2}$", "description": "万元，两位小数"}
RATE = {"type": ["string", "null"], "pattern": r"^[0-9]+\.[0-9]{4}$",
        "description": "比率，四位小数（0.4521即45.21%）；分母为0时为null"}
DATE = {"type": ["string", "null"], "format": "date"}
TEXT = {"type": ["string", "null"]}
LABELLED_ENUMS = {"Sector": Sector, "ProjectStatus": ProjectStatus, "ProjectNature": ProjectNature, "Light": Light,
                  "WarningKind": WarningKind, "FundingSource": FundingSource, "MilestoneKind": MilestoneKind,
                  "ReviewState": ReviewState, "RegionKind": RegionKind}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(name: str) -> dict:
    return {"oneOf": [_ref(name), {"type": "null"}]}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties) if required is None else required,
            "additionalProperties": False}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def _reference(extra: dict | None = None) -> dict:
    return _object({"id": {"type": "integer"}, **(extra or {})})


def schemas() -> dict[str, dict]:
    labelled = {name: _object({"code": {"type": "string", "enum": [member.value for member in enum]},
                               "label": {"type": "string", "description": _codes(enum)}})
                for name, enum in LABELLED_ENUMS.items()}
    judgement = _object({
        "as_of": {"type": "string", "format": "date"}, "light": _ref("Light"), "status": _ref("ProjectStatus"),
        "warnings": _array(_object({"kind": _ref("WarningKind"), "light": _ref("Light"), "reason": {"type": "string"}})),
        "cumulative_investment": MONEY, "completion_rate": RATE, "over_budget": {"type": "boolean"},
        "year_investment": MONEY, "annual_plan": OPTIONAL_MONEY, "quarter_investment": OPTIONAL_MONEY,
    })
    summary = {
        "id": {"type": "integer"}, "project_code": TEXT, "name": {"type": "string"},
        "region": _reference({"name": {"type": "string"}}), "plan": _reference({"title": {"type": "string"}}),
        "sector": _ref("Sector"), "site": {"type": "string"}, "planned_investment": MONEY,
        "start_year": {"type": "integer"}, "end_year": {"type": "integer"}, "archived_on": DATE,
        "judgement": _ref("Judgement"),
    }
    progress = _object({
        "period": {"type": "string", "pattern": "^[0-9]{4}Q[1-4]$"}, "year": {"type": "integer"},
        "quarter": {"type": "integer", "minimum": 1, "maximum": 4}, "cumulative_investment": MONEY,
        "quarter_investment": MONEY, "physical_progress": OPTIONAL_MONEY | {"description": "工程进度，%，两位小数"},
        "works_status": {"type": "string"}, "problems": {"type": "string"}, "next_steps": {"type": "string"},
        "review_state": _ref("ReviewState"), "review_comment": TEXT,
        "version": {"type": "integer", "description": "ETag所用的版本"},
    })
    count = {"type": "integer", "minimum": 0}
    figures = _object({
        "key": {"type": "string"}, "label": {"type": "string"}, "count": count, "planned_investment": MONEY,
        "cumulative_investment": MONEY, "completion_rate": RATE, "annual_count": count, "annual_plan": MONEY,
        "annual_completed": MONEY, "annual_rate": RATE, "other_year_completed": MONEY, "quarter_investment": MONEY,
        "lights": _object({light: count for light in ("red", "yellow", "green", "done")}),
        "warnings": _object({kind.value: count for kind in WarningKind}),
        "cancelled": _object({"count": count, "planned_investment": MONEY}),
        "funding": _array(_object({"source": _nullable("FundingSource"), "label": {"type": "string"},
                                   "amount": MONEY, "share": RATE})),
    })
    amount_input = {"type": ["string", "number", "null"],
                    "description": "十进制字符串（推荐，如\"1200.50\"）或数字；可带千位分隔符"}
    return labelled | {
        "Error": _object({"error": _object({
            "status": {"type": "integer"}, "code": {"type": "string", "enum": sorted(set(CODES.values()) | {"locked"})},
            "message": {"type": "string", "description": "中文说明"},
            "fields": _array(_object({"field": {"type": "string"}, "label": {"type": "string", "description": "中文字段名"},
                                      "message": {"type": "string"}}))}, required=["status", "code", "message"])}),
        "Judgement": judgement,
        "ProjectSummary": _object(summary),
        "Progress": progress,
        "ProjectDetail": _object(summary | {
            "content": {"type": "string"}, "status": _ref("ProjectStatus"), "nature": _nullable("ProjectNature"),
            "programme": {"oneOf": [_reference({"number": {"type": "integer"}, "title": {"type": "string"}}),
                                    {"type": "null"}]},
            "responsible_unit": TEXT, "owner_unit": TEXT, "responsible_leader": TEXT, "contact_person": TEXT,
            "contact_phone": TEXT, "longitude": TEXT, "latitude": TEXT, "archive_reason": TEXT,
            "version": {"type": "integer"},
            "funding": _array(_object({"source": _ref("FundingSource"), "amount": MONEY})),
            "milestones": _array(_object({"kind": _ref("MilestoneKind"), "planned_date": DATE, "actual_date": DATE,
                                          "note": TEXT})),
            "annual_plans": _array(_object({"year": {"type": "integer"}, "planned_investment": MONEY})),
            "progress": _array(_ref("Progress")),
        }),
        "Figures": figures,
        "ProjectPage": _object({
            "as_of": {"type": "string", "format": "date"}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "total": count, "pages": {"type": "integer"}, "next": TEXT, "previous": TEXT,
            "items": _array(_ref("ProjectSummary")), "totals": _ref("Figures")}),
        "FiguresReport": _object({
            "as_of": {"type": "string", "format": "date"}, "reporting_period": {"type": "string"},
            "total": _ref("Figures"), "by_region": _array(_ref("Figures")), "by_status": _array(_ref("Figures")),
            "by_sector": _array(_ref("Figures"))}),
        "RegionList": _object({"items": _array(_object({
            "id": {"type": "integer"}, "name": {"type": "string"}, "full_name": TEXT, "city": {"type": "string"},
            "kind": _ref("RegionKind")}))}),
        "PlanList": _object({"items": _array(_object({
            "id": {"type": "integer"}, "title": {"type": "string"}, "city": {"type": "string"},
            "start_year": {"type": "integer"}, "end_year": {"type": "integer"},
            "programmes": _array(_object({"id": {"type": "integer"}, "number": {"type": "integer"},
                                          "title": {"type": "string"}}))}))}),
        "ProgressInput": {
            "type": "object", "additionalProperties": False, "required": ["cumulative_investment", "physical_progress"],
            "properties": {
                "cumulative_investment": amount_input | {"description": PROGRESS_LABELS["cumulative_investment"]},
                "quarter_investment": amount_input | {"description": PROGRESS_LABELS["quarter_investment"]
                                                      + "；上季度已填报时可省略"},
                "physical_progress": amount_input | {"description": PROGRESS_LABELS["physical_progress"]},
                **{name: {"type": ["string", "null"], "description": PROGRESS_LABELS[name]}
                   for name in ("works_status", "problems", "next_steps")}},
        },
        "ProgressSaved": _object({"progress": _ref("Progress"),
                                  "notices": _array({"type": "string", "description": "已保存但值得注意之处（如超计划投资）"})}),
    }


STATUS_TEXT = {200: "成功", 201: "已新建", 400: "请求有误", 401: "未提供或无效的令牌", 403: "无权限",
               404: "不存在", 409: "冲突（已锁定或同时新建）", 412: "版本已变（If-Match不符）", 413: "请求体过大", 415: "不是JSON",
               422: "内容未通过校验", 428: "缺少If-Match", 429: "请求过于频繁"}


def _operation(view) -> dict:
    spec = view.openapi
    responses = {}
    for status, schema in spec["responses"].items():
        responses[str(status)] = {"description": STATUS_TEXT[status]} | (
            {"content": {"application/json": {"schema": _ref(schema)}}} if schema else {})
        if names := spec["headers"].get(status):
            responses[str(status)]["headers"] = {name: RESPONSE_HEADERS[name] for name in names}
    for status in (400, 401, 403, 429):  # any request: a refused parameter, a token, a paused account, the limit
        responses.setdefault(str(status), {"description": STATUS_TEXT[status],
                                           "content": {"application/json": {"schema": _ref("Error")}}})
    operation = {"tags": [spec["tag"]], "summary": spec["summary"], "description": spec["description"], "operationId": view.__name__,
                 "parameters": [PARAMETERS[name] for name in spec["parameters"]], "responses": responses}
    if spec["request_body"]:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _ref(spec["request_body"])}}}
    return operation


def _openapi_path(rule: str) -> str:
    """Flask's `/projects/<int:project_id>` as OpenAPI's `/projects/{project_id}`."""
    parts = []
    for part in rule.split("/"):
        if part.startswith("<") and part.endswith(">"):
            part = "{" + part[1:-1].split(":")[-1] + "}"
        parts.append(part)
    return "/".join(parts)


def build_document(app: Flask) -> dict:
    spec = APISpec(title=TITLE, version=VERSION, openapi_version="3.1.0", info={
        "description": "读取项目、汇总数字、县(市、区)和规划；按季度填报进展。每个请求用账户创建的API令牌认证"
                       "（Authorization: Bearer …），以该账户的角色和县(市、区)行事；网页登录的Cookie对API无效。"
                       "错误一律为同一JSON结构（Error），含中文说明和字段名。"})
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer",
                                              "description": "在“API令牌”页面创建的令牌，如pf_…"})
    for name in TAGS.values():
        spec.tag({"name": name})
    for name, schema in schemas().items():
        spec.components.schema(name, schema)
    paths: dict[str, dict] = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not rule.endpoint.startswith("api.") or not hasattr(view, "openapi"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(_openapi_path(rule.rule.removeprefix("/api/v1")), {})[method.lower()] = _operation(view)
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["servers"] = [{"url": "/api/v1"}]
    document["security"] = [{"token": []}]
    return document
