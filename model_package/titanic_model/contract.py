"""The passenger contract: the one place that says what a passenger is.

Every input field with its type, its allowed values or range and whether it is required, and the
form a passenger takes when it is recorded (free text reduced to the category the model uses).
The input schema (`PassengerInput`), DataFrame validation, batch scoring, the config's choice of
features, the API's prediction store and the monitoring report are all built from these
declarations, so a field is added or changed here (docs/schema-change.md walks through it).
Plain Python: serving imports it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from titanic_model.rules import extract_deck, extract_title


@dataclass(frozen=True)
class Number:
    """A measurement: a finite float within [minimum, maximum]; None when unknown."""

    name: str
    description: str
    example: float
    minimum: float
    maximum: float | None = None


@dataclass(frozen=True)
class Count:
    """A whole number within [minimum, maximum]; a missing count means 0."""

    name: str
    description: str
    example: int
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Category:
    """One of `values`, or None when unknown unless required.

    Whole-number categories accept 1.0 for 1; text is stripped and, when the values are all in one
    case, read in that case ("female " -> "female", "s" -> "S").
    """

    name: str
    description: str
    example: int | str
    values: tuple[int, ...] | tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class Text:
    """Free text, used (and recorded) only as the categories DERIVED from it; None when unknown."""

    name: str
    description: str
    example: str


@dataclass(frozen=True)
class Derived:
    """A category taken from a text field by one of the rules of rules.py."""

    source: str
    rule: Callable[[object], str]


Field = Number | Count | Category | Text

# In the order the fields are documented, validated and scored.
FIELDS: tuple[Field, ...] = (
    Category("pclass", "Ticket class: 1, 2 or 3", 3, values=(1, 2, 3), required=True),
    Category("sex", "male or female", "female", values=("male", "female"), required=True),
    Number("age", "Age in years; null if unknown", 29.0, minimum=0, maximum=120),
    Count("sibsp", "Siblings and spouses aboard", 0, minimum=0, maximum=20),
    Count("parch", "Parents and children aboard", 0, minimum=0, maximum=20),
    Number("fare", "Ticket fare in pounds; null if unknown", 7.25, minimum=0),
    Text("cabin", "Cabin number; only its deck letter is used", "C85"),
    Category(
        "embarked",
        "Port: C Cherbourg, Q Queenstown, S Southampton",
        "S",
        values=("C", "Q", "S"),
    ),
    Text("name", "Full name; only its title is used", "Doe, Mrs. Jane"),
)

# Derived category -> how it is taken from its text field (the model's engineered features).
DERIVED: dict[str, Derived] = {
    "title": Derived("name", extract_title),
    "deck": Derived("cabin", extract_deck),
}

FIELD_NAMES = tuple(field.name for field in FIELDS)
REQUIRED_FIELDS = tuple(
    field.name for field in FIELDS if isinstance(field, Category) and field.required
)
NUMERIC_FIELDS = tuple(field.name for field in FIELDS if isinstance(field, Number | Count))
CATEGORICAL_FIELDS = tuple(field.name for field in FIELDS if isinstance(field, Category))
CATEGORIES = {field.name: field.values for field in FIELDS if isinstance(field, Category)}
# Fields whose values are numbers (a CSV cell of text that parses is read as one).
NUMBER_VALUED_FIELDS = tuple(
    field.name
    for field in FIELDS
    if isinstance(field, Number | Count)
    or (isinstance(field, Category) and isinstance(field.values[0], int))
)

# The recorded form of a passenger (the prediction store's input columns, the monitoring report's
# features): every field but free text as validated, then the categories derived from the text.
RECORDED_INPUTS = tuple(field.name for field in FIELDS if not isinstance(field, Text))
RECORDED_COLUMNS = (*RECORDED_INPUTS, *DERIVED)
RECORDED_NUMERIC = NUMERIC_FIELDS
RECORDED_CATEGORICAL = (*CATEGORICAL_FIELDS, *DERIVED)

# One valid passenger, each field its declared example: the API's documented example, the
# warm-up row, and the passenger the tests and benchmarks send.
EXAMPLE_PASSENGER: dict[str, object] = {declared.name: declared.example for declared in FIELDS}

_BY_NAME = {declared.name: declared for declared in FIELDS}


def field(name: str) -> Field:
    """The declaration of input field `name` (KeyError if there is none)."""
    return _BY_NAME[name]


def derive(values: Mapping[str, Any]) -> dict[str, str]:
    """The DERIVED categories of one validated passenger, taken once: the scorer weighs them and
    the recorded form keeps them."""
    return {name: how.rule(values[how.source]) for name, how in DERIVED.items()}


def recorded(values: Mapping[str, Any], derived: Mapping[str, str]) -> tuple[Any, ...]:
    """The recorded form of one validated passenger: the values of RECORDED_COLUMNS, in order."""
    return (*(values[name] for name in RECORDED_INPUTS), *(derived[name] for name in DERIVED))
