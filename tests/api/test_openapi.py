"""The OpenAPI document: valid OpenAPI 3.1, built from the views (every API route documented, every
list filter a parameter), served without a token; the page that renders it from vendored assets."""
import re

from openapi_spec_validator import validate

from portfolio.api.openapi import PARAMETERS, query_parameters
from portfolio.core.settings import ROOT
from portfolio.registry.forms import ProjectFilterForm

VENDORED = ROOT / "static" / "vendor" / "swagger-ui"


def test_the_document_is_valid_openapi_and_covers_every_route(app, openapi_document):
    validate(openapi_document)
    documented = {(method.upper(), path) for path, operations in openapi_document["paths"].items()
                  for method in operations}
    routes = {(method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1")))
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
              and rule.endpoint != "api.openapi_document" for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routes and len(routes) == 7
    assert set(query_parameters(ProjectFilterForm)) <= set(PARAMETERS)


def test_the_document_is_served_without_a_token(api, openapi_document):
    answer = api.get("/api/v1/openapi.json")
    assert answer.status_code == 200 and answer.get_json() == openapi_document
    assert answer.get_json()["info"]["title"] == "重大工程项目管理 API"


def test_the_docs_page_loads_only_vendored_assets(client):
    page = client.get("/api-docs").get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert not [source for source in sources if source.startswith(("http:", "https:", "//"))]
    for asset in ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css", "js/api-docs.js"):
        assert f"/static/{asset}" in sources
        with client.get(f"/static/{asset}") as response:
            assert response.status_code == 200 and len(response.data) > 400
    assert "Apache License" in (VENDORED / "LICENSE").read_text()
    assert "5.35.0" in (VENDORED / "README.md").read_text()
