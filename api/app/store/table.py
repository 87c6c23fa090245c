"""The one table of the prediction store (SQLAlchemy Core), and how to open its database.

Data minimisation: a passenger's name is kept only as the title the model uses, the cabin only as
its deck. A rejected row keeps its errors and no inputs.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    create_engine,
    event,
    make_url,
)

TABLE_NAME = "predictions"

metadata = MetaData()

predictions = Table(
    TABLE_NAME,
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("request_id", String(128), nullable=False),
    Column("row_index", Integer, nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("pclass", SmallInteger),
    Column("sex", String(8)),
    Column("age", Float),
    Column("sibsp", SmallInteger),
    Column("parch", SmallInteger),
    Column("fare", Float),
    Column("embarked", String(1)),
    Column("title", String(16)),
    Column("deck", String(16)),
    Column("probability", Float),
    Column("prediction", SmallInteger),
    Column("errors", JSON(none_as_null=True)),
)


def _sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    """WAL: the report can read while the API writes; NORMAL sync is safe with WAL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_engine(url: str) -> Engine:
    """An engine for `url`; for a SQLite file, its directory is created and WAL switched on."""
    parsed = make_url(url)
    if parsed.drivername in {"postgres", "postgresql"}:  # Railway's DATABASE_URL: use psycopg 3
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True, pool_size=1, max_overflow=0)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed)
    event.listen(engine, "connect", _sqlite_wal)
    return engine
