"""URL helpers for templates."""
from flask import Flask, request, url_for


def url_with(**changes) -> str:
    """The current page's URL with some query parameters changed; `None` removes one."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = [value]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def register(app: Flask) -> None:
    app.add_template_global(url_with)
