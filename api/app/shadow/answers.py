"""The candidate's answers to mirrored rows, written to the prediction store's shadow table.

Written synchronously (in a worker thread) before the mirrored call is answered: the live side
counts a call as mirrored only once its rows are stored, so "mirrored = stored" can be checked.
The candidate's latency does not matter to anyone, so there is no queue here.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine


@dataclass(frozen=True)
class ShadowAnswer:
    """One stored row: the live row's id, the candidate's version and answer."""

    created_at: datetime
    live_prediction_id: str
    model_version: str
    probability: float
    prediction: int
    latency_ms: float


class ShadowAnswers:
    """The shadow table's writer; the engine's waits are bounded like the store's. SQLAlchemy is
    imported here, when a candidate starts one: a live service never loads it (its store writes
    through the driver alone, for its start-up time and memory)."""

    def __init__(self, url: str, connect_timeout_s: float, statement_timeout_s: float) -> None:
        from titanic_store.engine import open_engine

        self._engine: Engine = open_engine(
            url, connect_timeout_s, statement_timeout_s, create_directory=True
        )

    def write(self, answers: list[ShadowAnswer]) -> None:
        from titanic_store.tables import shadow_predictions

        if answers:
            with self._engine.begin() as connection:
                connection.execute(
                    shadow_predictions.insert(), [asdict(answer) for answer in answers]
                )

    def close(self) -> None:
        self._engine.dispose()
