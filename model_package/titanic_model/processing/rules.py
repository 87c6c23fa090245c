"""The feature rules, in plain Python: how raw text becomes the title and deck categories.

Training (through the transformers in features.py) and serving (through the compiled scorer) apply
these same functions, so the two cannot drift apart. No scikit-learn here: serving imports this.
"""

import re
from collections.abc import Callable

# "Surname, Title. Given names": the title sits between the comma and the first full stop.
_TITLE_PATTERN = re.compile(r",\s*([^.,]+?)\s*\.")
_TITLE_SYNONYMS = {"Mlle": "Miss", "Ms": "Miss", "Mme": "Mrs"}
COMMON_TITLES = frozenset({"Mr", "Mrs", "Miss", "Master"})
RARE_TITLE = "Rare"
UNKNOWN = "Unknown"


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def extract_title(name: object) -> str:
    """'Allen, Miss. Elisabeth' -> 'Miss'; uncommon titles -> 'Rare'; no name -> 'Unknown'."""
    if _is_missing(name):
        return UNKNOWN
    match = _TITLE_PATTERN.search(str(name))
    if match is None:
        return UNKNOWN
    title = _TITLE_SYNONYMS.get(match.group(1), match.group(1))
    return title if title in COMMON_TITLES else RARE_TITLE


def extract_deck(cabin: object) -> str:
    """'C22 C26' -> 'C'; no cabin -> 'Unknown'."""
    if _is_missing(cabin):
        return UNKNOWN
    text = str(cabin).strip()
    return text[0].upper() if text else UNKNOWN


# Engineered feature -> (raw field it is derived from, rule). The scorer artifact names the rule.
ENGINEERED_RULES: dict[str, tuple[str, Callable[[object], str]]] = {
    "title": ("name", extract_title),
    "deck": ("cabin", extract_deck),
}
