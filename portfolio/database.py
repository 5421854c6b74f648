"""Connection settings that every SQLite connection needs."""
from sqlalchemy import Engine, event


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Enforce foreign keys and let several users write without "database is locked".

    WAL lets readers work while one writer commits; the busy timeout makes a second writer
    wait for the first instead of failing at once.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.close()
