"""Fixtures: a real database (an SQLite file, or PostgreSQL when TEST_DATABASE_URL says so)
migrated to head once per run, emptied after every test that used it."""
import os
import re
from decimal import Decimal
from html.parser import HTMLParser

import flask_migrate
import pytest
from sqlalchemy import MetaData, select

from portfolio import create_app
from portfolio.accounts.models import Role
from portfolio.accounts.operations import create_user
from portfolio.core.db import db
from portfolio.core.settings import ROOT, normalize_database_url
from portfolio.registry.models import Plan, Project, ProjectStatus, Region, RegionKind, Sector
from portfolio.registry.seed import load_seed, read_seed_dir

SEED_DIR = ROOT / "seeds"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalize_database_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'portfolio-test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ["PORTFOLIO_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret"})
    with app.app_context():
        leftovers = MetaData()
        leftovers.reflect(db.engine)
        leftovers.drop_all(db.engine)
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def clean_db(app):
    """Every table empty after the test, whatever it wrote."""
    yield
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


@pytest.fixture
def session(app, clean_db):
    """The app's session inside an app context, for service and model tests."""
    with app.app_context():
        yield db.session
        db.session.rollback()


PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def make_user(app, clean_db):
    """Builder for accounts: `make_user("county-shanyang", Role.COUNTY, "山阳区")` returns the username."""

    def build(username: str = "admin-test", role: Role = Role.ADMIN, region: str | None = None) -> str:
        with app.app_context():
            place = db.session.scalar(select(Region).where(Region.name == region)) if region else None
            create_user(db.session, username, role, place, PASSWORD)
            db.session.commit()
        return username

    return build


def login(client, username: str, password: str = PASSWORD):
    return submit(client, "/login", {"username": username, "password": password})


@pytest.fixture
def anonymous_client(app, clean_db):
    return app.test_client()


@pytest.fixture
def client(app, clean_db, make_user):
    """A browser session logged in as an administrator."""
    client = app.test_client()
    response = login(client, make_user())
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def runner(app, clean_db):
    return app.test_cli_runner()


@pytest.fixture
def seeded(app, clean_db):
    """The seed data (2 plans, 25 regions, 13 Jiaozuo projects), committed."""
    with app.app_context():
        load_seed(db.session, read_seed_dir(SEED_DIR))
        db.session.commit()


@pytest.fixture
def in_app(app):
    """Run a function in a fresh app context: what a web test reads back after a request."""

    def call(function):
        with app.app_context():
            return function(db.session)

    return call


@pytest.fixture
def make_project(session):
    """Builder for projects: `make_project(name="…", region="山阳区", planned_investment=100)`."""
    counter = iter(range(1, 1_000_000))

    def build(**overrides) -> Project:
        plan = session.query(Plan).filter_by(city="焦作市").first()
        if plan is None:
            plan = Plan(title="测试规划", city="焦作市", start_year=2021, end_year=2025)
            session.add(plan)
        region_name = overrides.pop("region", "山阳区")
        region = session.query(Region).filter_by(city=plan.city, name=region_name).first()
        if region is None:
            region = Region(city=plan.city, name=region_name, kind=RegionKind.DISTRICT)
            session.add(region)
        values = {
            "name": f"生成项目{next(counter)}",
            "site": region.name,
            "sector": Sector.HEALTH,
            "content": "",
            "planned_investment": Decimal("1000"),
            "start_year": 2022,
            "end_year": 2024,
            "status": ProjectStatus.UNDER_WAY,
        } | overrides
        project = Project(plan=plan, region=region, **values)
        session.add(project)
        session.flush()
        return project

    return build


CSRF_INPUT = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """The CSRF token of the form on the page at `url`, as a browser would send it back."""
    page = client.get(url)
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def submit(client, url: str, data: dict, form_url: str | None = None):
    """POST `data` with the CSRF token taken from the form page (by default `url` itself)."""
    return client.post(url, data={"csrf_token": csrf_token(client, form_url or url), **data})


class _FormReader(HTMLParser):
    """Collects what a browser would send for the first POST form on a page."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.in_form = self.done = False
        self.select: str | None = None
        self.selected = False
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.done:
            return
        if tag == "form" and attrs.get("method", "").lower() == "post" and "logout" not in attrs.get("action", ""):
            self.in_form = True
        elif self.in_form and tag == "input" and attrs.get("name") and attrs.get("type") not in ("checkbox", "submit"):
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif self.in_form and tag == "select":
            self.select = attrs.get("name")
            self.selected = False
        elif self.in_form and tag == "option" and self.select:
            if "selected" in attrs or self.select not in self.fields:  # a browser sends the first option by default
                if not self.selected:
                    self.fields[self.select] = attrs.get("value", "")
                self.selected = self.selected or "selected" in attrs
        elif self.in_form and tag == "textarea":
            self.textarea = attrs.get("name")
            self.fields[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True

    def handle_data(self, data):
        if self.textarea:
            text = self.fields[self.textarea] + data
            # a browser drops the line break that WTForms writes right after <textarea>
            self.fields[self.textarea] = text.removeprefix("\r\n").removeprefix("\n") if not self.fields[self.textarea] else text


def form_fields(html: str) -> dict[str, str]:
    reader = _FormReader()
    reader.feed(html)
    return reader.fields


@pytest.fixture
def make_app(app):
    """Another app on the test database with some settings changed; its connections are closed afterwards."""
    made = []

    def build(**config):
        other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]} | config)
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.engine.dispose()
