"""Engine, sessions and migrations. SQLite (WAL, foreign keys on) by default; any SQLAlchemy URL works."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ..errors import DatabaseError


def _alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("kgstore.db").joinpath("migrations")))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
    return engine


class Database:
    """A migrated database and a session factory."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def revision(self) -> str | None:
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def close(self) -> None:
        self.engine.dispose()


def head_revision() -> str:
    return ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head() or ""


def upgrade(url: str, engine: Engine | None = None) -> None:
    """Bring the database at `url` to the newest schema (creates it when empty)."""
    engine = engine or make_engine(url)
    config = _alembic_config(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as error:
        raise DatabaseError(f"Cannot migrate the database {engine.url.render_as_string(hide_password=True)}: "
                            f"{error.__class__.__name__}: {str(error).splitlines()[0]}") from None


def open_database(url: str, *, migrate: bool = True) -> Database:
    """Open (and by default migrate) the database at `url`."""
    engine = make_engine(url)
    if migrate:
        upgrade(url, engine)
    else:
        db = Database(engine)
        if db.revision() != head_revision():
            raise DatabaseError("The database schema is not up to date; run `kgassist init` to migrate it.")
    return Database(engine)
