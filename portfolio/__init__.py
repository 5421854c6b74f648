"""portfolio: the major-project registry of a city development-and-reform commission.

One package per area (see README.md, "Layout"); `create_app` wires them together: the
extensions, each module's blueprints, template helpers and command-line commands.
"""
from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from portfolio.core import settings
from portfolio.core.db import configure_sqlite, csrf, db, migrate


def create_app(config: Mapping | None = None) -> Flask:
    """Build the app from the environment; `config` overrides individual settings (tests)."""
    instance = settings.instance_path()
    # The pages and their assets live at the project's top level, beside the package (README.md,
    # "Layout"); found from this file, so the app renders from any working directory.
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(settings.ROOT / "templates"),
        static_folder=str(settings.ROOT / "static"),
    )
    instance.mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(settings.from_environment(instance))
    if config:
        app.config.from_mapping(config)
    if hops := app.config["PROXY_HOPS"]:
        # behind nginx: the client's address, scheme and host come from the proxy's X-Forwarded-* headers
        # (trusted for exactly this many proxies; with none, a client could forge its address)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # The rules' SQL depends on the as-of date's figures, passed as bound parameters: always
        # plan with the actual values (a generic plan for a prepared statement can be far slower).
        # No JIT: the rules' one wide expression over every project costs far more to compile
        # (2.6 s at 10,000 projects, bench/README.md) than to run (0.2 s).
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {
            "connect_args": {"options": "-c plan_cache_mode=force_custom_plan -c jit=off"}})
    # Each pooled connection is checked before use: after the database server restarts, the next
    # request reconnects instead of failing on a dead connection (core.errors answers 503 meanwhile).
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {}).setdefault("pool_pre_ping", True)

    from portfolio.core.web import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter
    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.ROOT / "migrations"), render_as_batch=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    from portfolio.accounts import (
        access,
        admin_views,
        auth_views,
        login,  # noqa: F401  (registers the account loader)
    )
    from portfolio.accounts import cli as accounts_cli
    from portfolio.api import token_views
    from portfolio.api import views as api_views
    from portfolio.core import audit, backup, errors, formatting, once, security, web
    from portfolio.cycle import views as cycle_views
    from portfolio.dashboard import views as dashboard_views
    from portfolio.imports import uploads
    from portfolio.imports import views as import_views
    from portfolio.indicators import views as indicator_views
    from portfolio.jobs import runner as job_runner
    from portfolio.judgements import cli as judgements_cli
    from portfolio.judgements import tracking as judgement_tracking
    from portfolio.jobs import views as job_views
    from portfolio.maps import bp as maps_bp
    from portfolio.messages import views as message_views
    from portfolio.problems import views as problem_views
    from portfolio.programmes import views as programme_views
    from portfolio.progress import cli as progress_cli
    from portfolio.progress import media_views, review, review_views
    from portfolio.progress import views as progress_views
    from portfolio.registry import cli as registry_cli
    from portfolio.registry import views as registry_views
    from portfolio.reports import cli as reports_cli
    from portfolio.reports import views as report_views
    from portfolio.timeline import views as timeline_views

    for blueprint in (auth_views.bp, dashboard_views.bp, registry_views.bp, progress_views.bp, report_views.bp,
                      import_views.bp, review_views.bp, admin_views.bp, cycle_views.bp, message_views.bp,
                      problem_views.bp, indicator_views.bp, programme_views.bp, media_views.bp, token_views.bp, job_views.bp,
                      maps_bp, timeline_views.bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(access=access, describe_audit=audit.describe, table_label=audit.table_label,
                                 edit_refusal=review.edit_refusal, once_token=once.new_token)
    audit.register()
    judgement_tracking.register()
    web.register(app)  # first: a query string no one could type is refused before anything reads it
    security.register(app)  # before CSRF, so that an anonymous request is sent to the login page first
    csrf.init_app(app)
    api_views.register(app)
    job_runner.register(app)
    errors.register(app)
    formatting.register(app)
    for module in (registry_cli, progress_cli, reports_cli, accounts_cli):
        module.register(app)
    app.cli.add_command(backup.backup_command)
    judgements_cli.register(app)
    uploads.sweep(uploads.folder(app.instance_path), app.config["UPLOAD_LIFETIME_SECONDS"])
    return app
