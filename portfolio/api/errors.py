"""Every API error in one JSON shape, with a Chinese message and, for refused input, each field's
name, its Chinese label and what is wrong with it:

    {"error": {"status": 422, "code": "invalid", "message": "提交的内容有误",
               "fields": [{"field": "cumulative_investment", "label": "累计完成投资(万元)",
                           "message": "“abc”不是数字"}]}}
"""
from flask import jsonify

CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         409: "conflict", 412: "precondition_failed", 413: "too_large", 415: "unsupported_media_type",
         422: "invalid", 428: "precondition_required", 429: "rate_limited", 500: "server_error",
         503: "service_unavailable", 507: "storage_unavailable"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict[str, tuple[str, str]] | None = None,
                 code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}
        self.code = code or CODES.get(status, "error")
        self.headers = headers or {}

    def response(self):
        body = {"status": self.status, "code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = [{"field": name, "label": label, "message": message}
                              for name, (label, message) in self.fields.items()]
        response = jsonify(error=body)
        response.status_code = self.status
        response.headers.update(self.headers)
        return response


def invalid(fields: dict[str, tuple[str, str]], status: int = 422) -> ApiError:
    """Refused input: {field: (label, message)}; the first message leads."""
    first_label, first_message = next(iter(fields.values()))
    return ApiError(status, f"{first_label}：{first_message}" if len(fields) == 1 else
                    f"提交的内容有{len(fields)}处错误，第一处：{first_label}：{first_message}", fields)
