"""Error pages in Chinese; users never see a stack trace.

Under DEBUG or TESTING an unexpected exception propagates, so the debugger and pytest see the
traceback; in production the Chinese 500 page is shown and the traceback logged once.
"""
from collections.abc import Callable

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from portfolio.core.db import db
from portfolio.core.media import StorageUnavailable
from portfolio.core.security import security_log

MESSAGES = {
    400: ("请求有误", "提交的内容无法处理，请返回上一页重试。"),
    403: ("没有权限", "您没有权限执行此操作。"),
    404: ("页面不存在", "您要找的页面或项目不存在，可能已被删除。"),
    405: ("请求方式不允许", "此页面不接受这种请求方式。"),
    413: ("文件过大", "上传的内容超过了允许的大小。"),
    415: ("内容类型不支持", "请求的内容类型不支持。"),
    429: ("请求过于频繁", "请求过于频繁，请稍后再试。"),
    503: ("数据库暂时不可用", "数据库暂时无法连接或正忙（可能正在重启），本次操作没有保存任何内容。请稍后刷新重试。"),
    507: ("存储空间不足", "服务器的存储空间不足或无法写入，文件没有保存，请联系管理员。"),
    500: ("服务器出错", "服务器处理请求时出错，已记录在日志中。请稍后重试。"),
}


AREA_RENDERERS: dict[str, Callable] = {}
"""Path prefix → how that part of the app answers an error instead of a page: `renderer(code,
message)`. The JSON API registers itself here."""


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    for prefix, renderer in AREA_RENDERERS.items():
        if request.path.startswith(prefix):
            return renderer(code, detail or message)
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "表单已过期或缺少安全令牌(CSRF)，请刷新页面后重新提交。")

    @app.errorhandler(HTTPException)
    def http_error(error):
        if error.code == 403:
            security_log("access_refused", path=request.path, method=request.method)
        return render_error(error.code or 500)

    @app.errorhandler(StorageUnavailable)
    def storage_unavailable(error):
        """A full disk or a read-only folder (logged by `media.write_whole`): nothing of the request is kept."""
        db.session.rollback()
        return render_error(507, str(error))

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        """The database went away (a restart, the network) or is locked past the wait: a Chinese 503 page
        that reads nothing from the database (the API: JSON), nothing of the request kept. The pool
        checks each connection before use (`pool_pre_ping`), so once the server is back the next
        request works again by itself."""
        try:
            db.session.rollback()
        except Exception:  # the connection is gone: nothing to roll back
            pass
        app.logger.warning("数据库暂时不可用：%s", getattr(error, "orig", error))
        title, message = MESSAGES[503]
        for prefix, renderer in AREA_RENDERERS.items():
            if request.path.startswith(prefix):
                response = renderer(503, message)
                response.headers["Retry-After"] = "30"
                return response
        # rendered without the context processors: they read the account and its messages from the database
        page = app.jinja_env.get_template("errors/unavailable.html").render(title=title, message=message,
                                                                               request=request)
        return page, 503, {"Retry-After": "30"}

    @app.errorhandler(Exception)
    def unexpected_error(error):
        if app.debug or app.testing:
            raise error
        db.session.rollback()
        app.logger.exception("未处理的异常")
        return render_error(500)
