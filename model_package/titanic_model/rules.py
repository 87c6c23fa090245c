"""The feature rules, in plain Python: how raw text becomes the title and deck categories.

Training (through the transformers of training/features.py) and serving (through the compiled
scorer) apply these same functions, so the two cannot drift apart; the contract names which field
each is applied to (contract.DERIVED). No scikit-learn here: serving imports this.
"""

import re

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
