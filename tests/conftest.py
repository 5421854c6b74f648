"""Fixtures: a real database (an SQLite file, or PostgreSQL when TEST_DATABASE_URL says so)
migrated to head once per run, emptied after every test that used it.
Builders and helpers live in tests/factories.py; the fixtures here call them."""
import os

import flask_migrate
import pytest
from argon2 import PasswordHasher
from sqlalchemy import MetaData, create_engine, make_url, text

from portfolio import create_app
from portfolio.accounts import passwords
from portfolio.accounts.models import Role
from portfolio.core.db import db
from portfolio.core.settings import normalize_database_url
from portfolio.imports import uploads
from portfolio.jobs import runner as job_runner
from portfolio.registry.seed import load_seed, read_seed_dir
from tests.factories import SEED_DIR, MailServer, ProjectBuilder, build_user, login


OWASP_HASHER = passwords.HASHER
"""The hasher the app uses (19 MiB, two passes: about 50 ms a hash); `owasp_hashing` puts it back for a test."""


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():
    """Argon2id at its smallest cost while testing, as Django's test settings do with their hashers: the suite
    makes and checks a password for nearly every test, and the cost is written into each hash, so checking
    works whichever hasher made it. tests/accounts/test_accounts.py checks the real parameters."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield


@pytest.fixture
def owasp_hashing(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", OWASP_HASHER)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    """An SQLite file per test process; on PostgreSQL (TEST_DATABASE_URL) a database per pytest-xdist
    worker on that server, made when missing, so workers never share tables."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'portfolio-test.sqlite3'}"
    url = make_url(normalize_database_url(url))
    if worker_id == "master":
        return url.render_as_string(hide_password=False)
    name = f"{url.database}_{worker_id}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).scalar() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ["PORTFOLIO_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret",
                      "JOB_WORKER": False})
    with app.app_context():
        leftovers = MetaData()
        leftovers.reflect(db.engine)
        leftovers.drop_all(db.engine)
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty_every_table(app) -> None:
    """Every table emptied, and the uploads waiting for confirmation removed (account ids start again)."""
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
    for waiting in uploads.folder(app.instance_path).iterdir():
        waiting.unlink()
    for result in job_runner.folder(app).glob("*"):
        result.unlink()


@pytest.fixture
def clean_db(app):
    """Every table empty after the test, whatever it wrote."""
    yield
    _empty_every_table(app)


@pytest.fixture
def session(app, clean_db):
    """The app's session inside an app context, for service and model tests."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture(scope="module")
def module_session(app):
    """One app context and session for a whole module whose tests only read data built once
    (by a module-scoped fixture): nothing is cleaned between its tests, every table is emptied after the module.
    Don't mix it with `session` or `clean_db` in one module: they empty the tables after each test."""
    with app.app_context():
        yield db.session
        db.session.rollback()
    _empty_every_table(app)


@pytest.fixture
def make_user(app, clean_db):
    """Builder for accounts: `make_user("county-shanyang", Role.COUNTY, "山阳区")` returns the username."""

    def build(username: str = "admin-test", role: Role = Role.ADMIN, region: str | None = None) -> str:
        with app.app_context():
            build_user(db.session, username, role, region)
            db.session.commit()
        return username

    return build


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
    return ProjectBuilder(session)


@pytest.fixture
def make_app(app):
    """Another app on the test database with some settings changed; its connections are closed afterwards."""
    made = []

    def build(**config):
        other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "JOB_WORKER": False}
                           | config)
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            db.engine.dispose()


@pytest.fixture
def mail_server(app, monkeypatch):
    """A real SMTP server (aiosmtpd) on loopback, and the app configured to send through it; what it
    receives is in `.received` (parsed, with `.envelope_to`). `.stop()` takes it down mid-test."""
    server = MailServer()
    server.start()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", server.port)
    monkeypatch.setitem(app.config, "MAIL_FROM", "fgw@example.cn")
    yield server
    server.stop()
