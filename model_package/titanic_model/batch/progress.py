"""The progress bar of `titanic-model predict`, drawn from the first scored rows on."""

import sys

from tqdm import tqdm


class Progress:
    """A tqdm bar on stderr made on its first update, so a file refused for its header (empty,
    unreadable, missing columns) draws no bar, and the error is the only line printed."""

    def __init__(self, *, total: int | None, unit: str, unit_scale: bool, enabled: bool) -> None:
        self._options = {"desc": "scoring", "unit": unit, "unit_scale": unit_scale}
        self._total = total
        self._enabled = enabled
        self._bar: tqdm[None] | None = None

    def set_total(self, total: int) -> None:
        self._total = total

    def update(self, amount: int) -> None:
        if self._bar is None:
            self._bar = tqdm(
                total=self._total, disable=not self._enabled, file=sys.stderr, **self._options
            )
        self._bar.update(amount)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
