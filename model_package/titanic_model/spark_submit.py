"""The script given to `spark-submit` (see docs/batch.md): `titanic-model predict --engine spark`
with the arguments that follow it."""

import sys

from titanic_model.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["predict", "--engine", "spark", *sys.argv[1:]]))
