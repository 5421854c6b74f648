"""The API under test: a client that sends a token and checks every answer against the OpenAPI
document (its status is documented for the operation, its body matches the schema)."""
import re

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from portfolio.api.openapi import build_document
from portfolio.core.db import db
from tests.factories import api_token


@pytest.fixture(scope="session")
def openapi_document(empty_app) -> dict:
    with empty_app.app_context():
        return build_document(empty_app)


def _operation(document: dict, method: str, path: str) -> tuple[str, dict]:
    for template, operations in document["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return template, operations[method.lower()]
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def check_against_document(document: dict, method: str, path: str, response) -> None:
    """The response's status is one the operation documents, and its JSON body matches that schema."""
    template, operation = _operation(document, method, path.split("?")[0].removeprefix("/api/v1"))
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {template} answered {status}, not documented"
    content = operation["responses"][status].get("content")
    if content:
        pointer = content["application/json"]["schema"]["$ref"]
        Draft202012Validator(document | {"$ref": pointer}, format_checker=FormatChecker()).validate(response.get_json())
    assert response.mimetype == "application/json"


class Api:
    """`api.get(path, token)`, `api.put(path, token, json=…, headers=…)`: answers checked against the document."""

    def __init__(self, app, document: dict):
        self.app, self.document = app, document
        self.client = app.test_client()
        self.recorded = 0

    def token(self, username: str, name: str = "测试令牌") -> str:
        with self.app.app_context():
            secret = api_token(db.session, username, name)
            db.session.commit()
        return secret

    def request(self, method: str, path: str, token: str | None = None, headers: dict | None = None, **kwargs):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        if path.startswith("/api/v1/") and path.split("?")[0] != "/api/v1/openapi.json":
            check_against_document(self.document, method, path, response)
            self.recorded += 1
        return response

    def get(self, path: str, token: str | None = None, **kwargs):
        return self.request("GET", path, token, **kwargs)

    def put(self, path: str, token: str | None = None, **kwargs):
        return self.request("PUT", path, token, **kwargs)


@pytest.fixture
def api(app, clean_db, openapi_document) -> Api:
    return Api(app, openapi_document)
