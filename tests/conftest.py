"""Fixtures: a real database (SQLite files, or PostgreSQL when TEST_DATABASE_URL says so), one empty
and one holding the seed, migrated to head once per run; each test runs inside a transaction rolled
back at its end, or (`committed`) has its writes emptied after it.
Builders and helpers live in tests/factories.py; the fixtures here call them."""
import os
from contextlib import contextmanager

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


def _database_urls(tmp_path_factory, worker_id) -> dict[str, str]:
    """Two databases per test process, "empty" and "seeded": SQLite files, or on PostgreSQL
    (TEST_DATABASE_URL) databases per pytest-xdist worker on that server, made when missing, so
    workers never share tables."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        folder = tmp_path_factory.mktemp("db")
        return {kind: f"sqlite:///{folder / f'portfolio-test-{kind}.sqlite3'}" for kind in ("empty", "seeded")}
    url = make_url(normalize_database_url(url))
    names = {kind: "_".join(part for part in (url.database, "" if worker_id == "master" else worker_id,
                                              "" if kind == "empty" else kind) if part)
             for kind in ("empty", "seeded")}
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        for name in names.values():
            if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                  {"name": name}).scalar() is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return {kind: url.set(database=name).render_as_string(hide_password=False) for kind, name in names.items()}


@pytest.fixture(scope="session")
def apps(tmp_path_factory, worker_id):
    """The app on each of the two databases, migrated to head once per run; the seeded one holds the seed
    (2 plans, 25 regions, 13 Jiaozuo projects), committed once."""
    os.environ["PORTFOLIO_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    made = {}
    for kind, url in _database_urls(tmp_path_factory, worker_id).items():
        made[kind] = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret",
                                 "JOB_WORKER": False})
        with made[kind].app_context():
            leftovers = MetaData()
            leftovers.reflect(db.engine)
            leftovers.drop_all(db.engine)
            flask_migrate.upgrade()
    _load_seed(made["seeded"])
    yield made
    for app in made.values():
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def empty_app(apps):
    """The app on the empty database, for fixtures that outlive one test."""
    return apps["empty"]


@pytest.fixture
def app(request, apps):
    """The app on the seeded database when the test asks for `seeded`, else on the empty one."""
    return apps["seeded" if "seeded" in request.fixturenames else "empty"]


@pytest.fixture
def database_url(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"]


def _load_seed(app) -> None:
    with app.app_context():
        load_seed(db.session, read_seed_dir(SEED_DIR))
        db.session.commit()


def _empty_every_table(app) -> None:
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


def _remove_files(app) -> None:
    """The uploads waiting for confirmation and the jobs' files: they live outside the database."""
    for waiting in uploads.folder(app.instance_path).iterdir():
        waiting.unlink()
    for result in job_runner.folder(app).glob("*"):
        result.unlink()


@contextmanager
def _rolled_back(app):
    """Everything the test writes, inside one transaction rolled back at its end: every session of the app
    (the test's, each request's, each command's) is bound to one connection and its commits only release
    a SAVEPOINT (SQLAlchemy's "joining a session into an external transaction")."""
    with app.app_context():
        engine = db.engine
        connection = engine.connect()
        outer = connection.begin()
        if engine.dialect.name == "sqlite":
            # pysqlite does not begin a transaction for a SAVEPOINT: without this BEGIN the first
            # SAVEPOINT would start one and its RELEASE would commit
            connection.exec_driver_sql("BEGIN")
    engines = db._app_engines[app]  # Flask-SQLAlchemy picks a session's bind from here
    engines[None] = connection
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        db.session.session_factory.kw.pop("join_transaction_mode")
        engines[None] = engine
        outer.rollback()
        connection.close()


@pytest.fixture
def committed(app, apps):
    """For a test that shares the database with other threads, processes or apps (a live server, a job
    worker, gunicorn, migrations): its writes are committed for real, and undone after it by emptying every
    table (and loading the seed again on the seeded database)."""
    yield
    _empty_every_table(app)
    if app is apps["seeded"]:
        _load_seed(app)


@pytest.fixture
def clean_db(request, app):
    """The database as it was before the test, whatever it wrote: rolled back, or emptied (`committed`)."""
    if "committed" in request.fixturenames:
        request.getfixturevalue("committed")
        yield
    else:
        with _rolled_back(app):
            yield
    _remove_files(app)


@pytest.fixture
def session(app, clean_db):
    """The app's session inside an app context, for service and model tests."""
    with app.app_context():
        yield db.session
        db.session.rollback()


@pytest.fixture(scope="module")
def module_session(empty_app):
    """One app context and session for a whole module whose tests only read data built once
    (by a module-scoped fixture): nothing is cleaned between its tests, every table is emptied after the module.
    Don't mix it with `session` or `clean_db` in one module."""
    with empty_app.app_context():
        yield db.session
        db.session.rollback()
    _empty_every_table(empty_app)
    _remove_files(empty_app)


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
    """The seed data (2 plans, 25 regions, 13 Jiaozuo projects): `app` is then the one on the seeded database."""


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
def make_app(app, committed):
    """Another app on the test database with some settings changed; its connections are closed afterwards.
    It has connections of its own, so the test's writes are committed."""
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
