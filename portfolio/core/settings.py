"""Settings, read from the environment. Every setting is documented in README.md."""
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
"""The repository: migrations/, seeds/ and the default instance/ folder live here."""


def instance_path() -> Path:
    return Path(os.environ.get("PORTFOLIO_INSTANCE_PATH", ROOT / "instance")).resolve()


def database_url(instance: Path) -> str:
    """`DATABASE_URL`, else an SQLite file in the instance folder."""
    return normalize_database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'portfolio.sqlite3'}")


def normalize_database_url(url: str) -> str:
    """Route plain `postgresql://` URLs to the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def secret_key(instance: Path) -> str:
    """`SECRET_KEY` from the environment, else one generated once and kept in the instance folder.
    Several workers starting at once agree on it: the key is written to a file of its own and linked
    into place, which only the first one manages; the others read that one."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance / "secret_key"
    if not key_file.exists():
        instance.mkdir(parents=True, exist_ok=True)
        draft = instance / f"secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return key_file.read_text().strip()


def from_environment(instance: Path) -> dict:
    return {
        "SECRET_KEY": secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url(instance),
        "SQLITE_BUSY_TIMEOUT_MS": int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "10000")),
        "PROJECTS_PER_PAGE": int(os.environ.get("PORTFOLIO_PER_PAGE", "20")),
        "LAG_YELLOW_PP": os.environ.get("PORTFOLIO_LAG_YELLOW_PP", "10"),
        "LAG_RED_PP": os.environ.get("PORTFOLIO_LAG_RED_PP", "30"),
        "PDF_FONT": os.environ.get("PORTFOLIO_PDF_FONT") or None,
        "BASE_URL": os.environ.get("PORTFOLIO_BASE_URL") or None,
        "SMTP_HOST": os.environ.get("PORTFOLIO_SMTP_HOST") or None,
        "SMTP_PORT": int(os.environ.get("PORTFOLIO_SMTP_PORT", "25")),
        "SMTP_USER": os.environ.get("PORTFOLIO_SMTP_USER") or None,
        "SMTP_PASSWORD": os.environ.get("PORTFOLIO_SMTP_PASSWORD") or None,
        "SMTP_SECURITY": os.environ.get("PORTFOLIO_SMTP_SECURITY", "none"),
        "SMTP_TIMEOUT": float(os.environ.get("PORTFOLIO_SMTP_TIMEOUT", "10")),
        "MAIL_FROM": os.environ.get("PORTFOLIO_MAIL_FROM", "portfolio@localhost"),
        "REPORT_DUE_DAYS": int(os.environ.get("PORTFOLIO_REPORT_DUE_DAYS", "5")),
        "REPORT_ISSUER": os.environ.get("PORTFOLIO_ISSUER", "市发展和改革委员会"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("PORTFOLIO_MAX_UPLOAD_MB", "60")) * 1024 * 1024,
        "MAX_FILE_BYTES": int(os.environ.get("PORTFOLIO_MAX_FILE_MB", "20")) * 1024 * 1024,
        "MEDIA_DIR": Path(os.environ.get("PORTFOLIO_MEDIA_DIR") or instance / "media"),
        "UPLOADS_PER_ACCOUNT": int(os.environ.get("PORTFOLIO_UPLOADS_PER_ACCOUNT", "5")),
        "UPLOADS_PENDING_BYTES": int(os.environ.get("PORTFOLIO_UPLOADS_PENDING_MB", "200")) * 1024 * 1024,
        "UPLOAD_LIFETIME_SECONDS": int(os.environ.get("PORTFOLIO_UPLOAD_LIFETIME_HOURS", "24")) * 3600,
        "OC4IDS_URI_PREFIX": os.environ.get("PORTFOLIO_OC4IDS_URI", "https://example.invalid/portfolio/oc4ids"),
        "OC4IDS_ID_PREFIX": os.environ.get("PORTFOLIO_OC4IDS_PREFIX", "portfolio"),
        "OC4IDS_DOCUMENT_BASE": os.environ.get("PORTFOLIO_OC4IDS_DOCUMENT_URL") or None,
        "API_RATE_PER_MINUTE": int(os.environ.get("PORTFOLIO_API_RATE_PER_MINUTE", "120")),
        "API_PAGE_SIZE": int(os.environ.get("PORTFOLIO_API_PAGE_SIZE", "50")),
        "JOB_WORKER": os.environ.get("PORTFOLIO_JOB_WORKER", "1") == "1",
        "JOB_POLL_SECONDS": float(os.environ.get("PORTFOLIO_JOB_POLL_SECONDS", "1")),
        "JOB_STALE_SECONDS": int(os.environ.get("PORTFOLIO_JOB_STALE_SECONDS", "60")),
        "JOB_REPORT_PROJECTS": int(os.environ.get("PORTFOLIO_JOB_REPORT_PROJECTS", "2000")),
        "JOB_EXPORT_ROWS": int(os.environ.get("PORTFOLIO_JOB_EXPORT_ROWS", "10000")),
        "JOB_PREVIEW_KB": int(os.environ.get("PORTFOLIO_JOB_PREVIEW_KB", "1024")),
        "JOB_IMPORT_ROWS": int(os.environ.get("PORTFOLIO_JOB_IMPORT_ROWS", "2000")),
        "JOBS_PER_ACCOUNT": int(os.environ.get("PORTFOLIO_JOBS_PER_ACCOUNT", "3")),
        "DISK_FREE_WARNING_MB": int(os.environ.get("PORTFOLIO_DISK_FREE_WARNING_MB", "1024")),
        "JOB_KEEP_DAYS": int(os.environ.get("PORTFOLIO_JOB_KEEP_DAYS", "7")),
        "PROXY_HOPS": int(os.environ.get("PORTFOLIO_PROXY_HOPS", "0")),
        "SESSION_IDLE_MINUTES": int(os.environ.get("PORTFOLIO_SESSION_IDLE_MINUTES", "30")),
        "SESSION_COOKIE_SECURE": os.environ.get("PORTFOLIO_SECURE_COOKIES", "") == "1",
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "LOGIN_LOCK_AFTER": int(os.environ.get("PORTFOLIO_LOGIN_LOCK_AFTER", "5")),
        "LOGIN_ACCOUNT_LOCK_AFTER": int(os.environ.get("PORTFOLIO_LOGIN_ACCOUNT_LOCK_AFTER", "30")),
        "LOGIN_LOCK_MINUTES": int(os.environ.get("PORTFOLIO_LOGIN_LOCK_MINUTES", "15")),
        "LOGIN_ADDRESS_LIMIT": int(os.environ.get("PORTFOLIO_LOGIN_ADDRESS_LIMIT", "20")),
        "SEED_DIR": Path(os.environ.get("PORTFOLIO_SEED_DIR", ROOT / "seeds")),
        # WTForms' own Chinese messages instead of Flask-Babel, which the app does not use.
        "WTF_I18N_ENABLED": False,
    }
