"""Score the fixed input set with whichever titanic_model is importable, and write the result.

Run inside the baseline's own virtual environment as a plain script
(`python capture.py --input inputs.json --output capture.json`), and imported in-process for the
candidate, so both sides read the input and call the model the same way. It depends only on the
package's public API (`make_prediction`, `__version__`) and pandas: an older published version
has nothing else in common with the working tree.
"""

import argparse
import json
import platform
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

import titanic_model
from titanic_model import __version__, make_prediction

LIBRARIES = ("titanic-survival-model", "scikit-learn", "numpy", "pandas", "scipy", "pydantic")


def _installed(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def capture(input_path: Path) -> dict[str, Any]:
    """Predictions and probabilities for every input row, with the version that made them."""
    payload = json.loads(input_path.read_text(encoding="utf-8"))
    frame = pd.DataFrame.from_records(payload["records"])
    result = make_prediction(input_data=frame)
    return {
        "version": __version__,
        "row_ids": payload["row_ids"],
        "predictions": result["predictions"],
        "probabilities": result["probabilities"],
        "errors": result["errors"],
        "environment": {
            "python": platform.python_version(),
            **{name: _installed(name) for name in LIBRARIES},
            "titanic_model_location": str(Path(titanic_model.__file__).parent),
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    result = capture(args.input)
    args.output.write_text(json.dumps(result, allow_nan=False) + "\n", encoding="utf-8")
    print(f"captured {len(result['row_ids'])} rows from titanic_model {result['version']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
