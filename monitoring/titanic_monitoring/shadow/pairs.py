"""Live and shadow answers paired by the live row's prediction id, with outcomes where known.

Read from the store with SQLAlchemy Core: the live row's inputs that the flip table groups by
(sex, class, age), both answers, and the label when one was posted. A row the candidate answered
twice (a retried mirror) counts once.
"""

from datetime import UTC, datetime, timedelta

import pandas as pd
import sqlalchemy as sa

from titanic_store.engine import open_engine
from titanic_store.tables import outcomes, predictions, shadow_predictions


class PairsError(Exception):
    """The store cannot be read."""


class NoPairsError(PairsError):
    """The window holds no shadow answers: nothing to judge yet (INSUFFICIENT)."""


def candidate_versions(connection: sa.Connection, start: datetime) -> list[str]:
    query = (
        sa.select(shadow_predictions.c.model_version)
        .where(shadow_predictions.c.created_at >= start)
        .group_by(shadow_predictions.c.model_version)
        .order_by(sa.func.max(shadow_predictions.c.created_at).desc())
    )
    return list(connection.execute(query).scalars())


def read_pairs(
    url: str, since: timedelta, version: str | None = None, now: datetime | None = None
) -> tuple[str, pd.DataFrame]:
    """The candidate's version (the newest in the window unless given) and its pairs."""
    start = (now or datetime.now(UTC)) - since
    try:
        engine = open_engine(url)
    except ValueError as error:
        raise PairsError(str(error)) from None
    if engine.dialect.name == "sqlite":
        start = start.replace(tzinfo=None)  # SQLite keeps UTC times without an offset
    live, shadow = predictions.c, shadow_predictions.c
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(shadow_predictions.name):
                raise PairsError("the store has no shadow table: run `titanic-store upgrade`")
            versions = candidate_versions(connection, start)
            if version is None:
                if not versions:
                    raise NoPairsError("no shadow answers in the window")
                version = versions[0]
            first = (
                sa.select(shadow.live_prediction_id, sa.func.min(shadow.id).label("first"))
                .where(shadow.model_version == version, shadow.created_at >= start)
                .group_by(shadow.live_prediction_id)
                .subquery()
            )
            query = (
                sa.select(
                    live.prediction_id,
                    live.model_version.label("live_version"),
                    live.sex,
                    live.pclass,
                    live.age,
                    live.probability.label("live_probability"),
                    live.prediction.label("live_prediction"),
                    shadow.probability.label("shadow_probability"),
                    shadow.prediction.label("shadow_prediction"),
                    shadow.latency_ms.label("shadow_latency_ms"),
                    outcomes.c.survived,
                )
                .select_from(
                    first.join(shadow_predictions, shadow.id == first.c.first)
                    .join(predictions, live.prediction_id == first.c.live_prediction_id)
                    .outerjoin(outcomes, outcomes.c.prediction_id == live.prediction_id)
                )
                .where(live.created_at >= start, live.probability.is_not(None))
            )
            result = connection.execute(query)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    except sa.exc.SQLAlchemyError as error:
        raise PairsError(f"the store cannot be read: {type(error).__name__}") from None
    finally:
        engine.dispose()
    return version, frame
