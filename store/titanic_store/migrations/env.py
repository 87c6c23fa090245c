"""Alembic's environment: the store's declared tables, the database from the caller or the env.

`titanic-store upgrade` hands over an open connection (config.attributes["connection"]); `alembic`
run from store/ opens PREDICTION_STORE_URL.
"""

import os

from alembic import context
from sqlalchemy import Connection

from titanic_store.engine import open_engine
from titanic_store.tables import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run_migrations(given)
else:
    engine = open_engine(os.environ["PREDICTION_STORE_URL"])
    with engine.connect() as connection:
        run_migrations(connection)
    engine.dispose()
