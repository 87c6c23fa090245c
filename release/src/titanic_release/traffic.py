"""Recorded production traffic as the gate's input set: rows read back from a prediction store.

The store keeps a passenger's name only as its title and the cabin only as its deck, so a replayed
row gets a stand-in name and cabin that give the model the same title and deck (the tests check
every held-out row's features survive the round trip). Only SELECTs are run: a read-only database
role is enough. Rejected rows (stored with errors and no inputs) cannot be replayed and are only
counted. Where an outcome was recorded for a row, it is the row's truth, and the gate's metric
checks run on those rows.

A large window is sampled in SQL: the rows whose prediction ids have the smallest random part
(titanic_store.ids: the time part is left out), so the sample is uniform, and the same one on
every run over the same rows. Retraining reads the same rows the same way, only those with an
outcome (`labelled_only`).
"""

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from titanic_masking import shown_url
from titanic_model import contract
from titanic_release.inputs import InputSet
from titanic_store.engine import open_engine
from titanic_store.ids import RANDOM_FROM
from titanic_store.tables import outcomes, predictions

TRAFFIC = "traffic"
DEFAULT_SAMPLE_ROWS = 100_000
UNKNOWN = "Unknown"  # what extract_title and extract_deck make of a missing name or cabin
_DURATION = re.compile(r"(\d+)([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# A store URL given as env:NAME is read from the variable NAME, so that it never appears in a log.
FROM_ENVIRONMENT = "env:"


class TrafficError(RuntimeError):
    """The store cannot be read as traffic; the message names the store without its password."""


def parse_since(text: str) -> timedelta:
    """'30d', '24h', '90m', '2w' -> a timedelta (the monitor's notation)."""
    match = _DURATION.fullmatch(text.strip())
    if match is None or int(match[1]) == 0:
        raise ValueError(f"expected a duration like 30d, 24h or 90m, got {text!r}")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def name_with_title(title: str | None) -> str | None:
    """A name from which extract_title gets `title` back ('Rare' stays a rare title)."""
    if title is None or title == UNKNOWN:
        return None
    return f"Replayed, {title}. Passenger"


def cabin_on_deck(deck: str | None) -> str | None:
    """A cabin from which extract_deck gets `deck` back: the deck letter itself."""
    if deck is None or deck == UNKNOWN:
        return None
    return deck


def store_url(option: str, environ: Mapping[str, str] = os.environ) -> str:
    """A store URL as given, or, for env:NAME, the value of the variable NAME (ValueError if
    it is unset)."""
    if not option.startswith(FROM_ENVIRONMENT):
        return option
    name = option.removeprefix(FROM_ENVIRONMENT)
    url = environ.get(name)
    if not url:
        raise ValueError(f"{option}: the environment variable {name} is not set")
    return url


@dataclass(frozen=True)
class Traffic:
    """The replayable rows of a window, and what the report says about where they came from."""

    inputs: InputSet
    store: str  # the URL without its password
    since: datetime
    scored_rows: int  # scored rows in the window; more than replayed when sampled
    rejected_rows: int  # rows the API rejected: no inputs stored, skipped
    first_at: datetime | None
    last_at: datetime | None
    model_versions: dict[str, int]  # the versions that scored the window's rows, with counts

    @property
    def replayed_rows(self) -> int:
        return len(self.inputs.row_ids)

    @property
    def sampled(self) -> bool:
        return self.replayed_rows < self.scored_rows

    @property
    def labelled_rows(self) -> int:
        return sum(truth is not None for truth in self.inputs.truth)

    def describe(self) -> str:
        """One line for the report: how many rows, from which store, from when to when."""
        window = "no rows" if self.first_at is None else f"{self.first_at:%Y-%m-%d %H:%M} to "
        window += "" if self.last_at is None else f"{self.last_at:%Y-%m-%d %H:%M} UTC"
        versions = ", ".join(f"{name} ({count})" for name, count in self.model_versions.items())
        sample = (
            f"a sample of {self.replayed_rows} of the {self.scored_rows} scored rows"
            if self.sampled
            else f"all {self.scored_rows} scored rows"
        )
        return (
            f"recorded traffic from {self.store} since {self.since:%Y-%m-%d %H:%M} UTC: {sample} "
            f"(stored {window}; scored by {versions}), {self.labelled_rows} with outcomes; "
            f"{self.rejected_rows} rejected rows skipped"
        )


def _as_inputs(rows: Sequence[Sequence[Any]]) -> InputSet:
    """(id, prediction_id, *inputs, title, deck, survived) rows -> the gate's input set."""
    row_ids, records, truth = [], [], []
    for key, prediction_id, *inputs, title, deck, survived in rows:
        row_ids.append(f"store:{prediction_id or key}")
        record = dict(zip(contract.RECORDED_INPUTS, inputs, strict=True))
        record["name"] = name_with_title(title)
        record["cabin"] = cabin_on_deck(deck)
        records.append(record)
        truth.append(None if survived is None else int(survived))
    return InputSet(row_ids, [TRAFFIC] * len(rows), records, truth)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; the store writes UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def read_traffic(
    url: str,
    since: timedelta,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    now: datetime | None = None,
    *,
    labelled_only: bool = False,
) -> Traffic:
    """The window's scored rows as an input set (at most `sample_rows`), with their outcomes;
    with `labelled_only`, only the rows that have one."""
    start = (now or datetime.now(UTC)) - since
    try:
        engine = open_engine(url)
    except ValueError as error:
        raise TrafficError(str(error)) from None
    # SQLite keeps the API's UTC times without an offset.
    bound = start.replace(tzinfo=None) if engine.dialect.name == "sqlite" else start
    in_window = predictions.c.created_at >= bound
    scored = predictions.c.errors.is_(None)
    summary_query = select(
        func.count().filter(scored),
        func.count().filter(~scored),
        func.min(predictions.c.created_at),
        func.max(predictions.c.created_at),
    ).where(in_window)
    versions_query = (
        select(predictions.c.model_version, func.count())
        .where(in_window, scored)
        .group_by(predictions.c.model_version)
    )
    rows_query = (
        select(
            predictions.c.id,
            predictions.c.prediction_id,
            *(predictions.c[name] for name in contract.RECORDED_COLUMNS),
            outcomes.c.survived,
        )
        .outerjoin(outcomes, outcomes.c.prediction_id == predictions.c.prediction_id)
        .where(in_window, scored, *([outcomes.c.survived.is_not(None)] if labelled_only else []))
        .order_by(func.substr(predictions.c.prediction_id, RANDOM_FROM), predictions.c.id)
        .limit(sample_rows)
    )
    try:
        with engine.connect() as connection:
            scored_rows, rejected_rows, first_at, last_at = connection.execute(summary_query).one()
            versions = {version: count for version, count in connection.execute(versions_query)}
            rows = connection.execute(rows_query).all()
    except SQLAlchemyError as error:
        driver_error = getattr(error, "orig", None)  # the database's own words, without SQL
        reason = str(error if driver_error is None else driver_error)
        raise TrafficError(f"cannot read traffic from {shown_url(url)}: {reason}") from None
    finally:
        engine.dispose()
    return Traffic(
        inputs=_as_inputs(rows),
        store=shown_url(url),
        since=start,
        scored_rows=int(scored_rows),
        rejected_rows=int(rejected_rows),
        first_at=_aware(first_at),
        last_at=_aware(last_at),
        model_versions=versions,
    )
