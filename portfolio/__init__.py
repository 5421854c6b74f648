"""portfolio: the major-project registry of a city development-and-reform commission."""
from collections.abc import Mapping

from flask import Flask

from portfolio import config as settings
from portfolio.database import configure_sqlite
from portfolio.extensions import csrf, db, migrate


def create_app(config: Mapping | None = None) -> Flask:
    """Build the app from the environment; `config` overrides individual settings (tests)."""
    instance = settings.instance_path()
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

    db.init_app(app)
    migrate.init_app(app, db, directory=str(settings.ROOT / "migrations"), render_as_batch=True)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    from portfolio import access, audit, cli, errors, formatting, security, urls
    from portfolio.auth import bp as auth_bp
    from portfolio.admin import bp as admin_bp
    from portfolio.dashboard import bp as dashboard_bp
    from portfolio.imports_web import bp as imports_bp
    from portfolio.progress import bp as progress_bp
    from portfolio.projects import bp as projects_bp
    from portfolio.reporting import bp as reports_bp
    from portfolio.reviews import bp as reviews_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(admin_bp)
    app.jinja_env.globals.update(access=access, describe_audit=audit.describe, table_labels=audit.TABLE_LABELS)
    audit.register()
    security.register(app)  # before CSRF, so that an anonymous request is sent to the login page first
    csrf.init_app(app)
    errors.register(app)
    formatting.register(app)
    urls.register(app)
    cli.register(app)

    return app
