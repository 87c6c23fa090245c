"""`titanic-store upgrade|check|current`: the schema commands of deploys, make run and CI."""

import argparse
import os
import sys
from collections.abc import Sequence

from sqlalchemy.exc import SQLAlchemyError

from titanic_store.connection import driver_message
from titanic_store.engine import open_engine
from titanic_store.names import HEAD_REVISION
from titanic_store.schema import check, current_revision, upgrade


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="titanic-store", description=__doc__)
    parser.add_argument("command", choices=["upgrade", "check", "current"])
    parser.add_argument(
        "--url",
        default=os.environ.get("PREDICTION_STORE_URL"),
        help="SQLAlchemy URL of the store (default: $PREDICTION_STORE_URL)",
    )
    args = parser.parse_args(argv)
    if not args.url:
        parser.error("no store: pass --url or set PREDICTION_STORE_URL")
    try:
        engine = open_engine(args.url)
    except ValueError as error:  # another database's URL: one line, not SQLAlchemy's traceback
        parser.error(str(error))
    try:
        with engine.connect() as connection:
            if args.command == "upgrade":
                before, after = upgrade(connection)
                connection.commit()
                print(f"titanic-store: schema {before or 'new'} -> {after}")
            elif args.command == "check":
                revision = current_revision(connection)
                if revision != HEAD_REVISION:
                    print(f"titanic-store: schema at {revision}, newest is {HEAD_REVISION}")
                    return 1
                difference = check(connection)
                if difference:
                    print(f"titanic-store: the tables differ from the migrations: {difference}")
                    return 1
                print(f"titanic-store: schema at {HEAD_REVISION}, matches the declared tables")
            else:
                print(current_revision(connection) or "none")
    except SQLAlchemyError as error:
        print(f"titanic-store {args.command} failed: {driver_message(error)}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
