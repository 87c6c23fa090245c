"""PyPA build's isolated environments made by pip (its default, the baseline) or by uv (what
`tox -e build`, `tox -e publish_model`, make retrain and the tests use: titanic_release.publish.
PYPA_BUILD), in turns in the same run: wall and CPU seconds of the same sdist + wheel build.

    python benchmarks/bench_build.py [--rounds 3]

Run it in an environment with build and uv (`.tox/test_package/bin/python`); the trained
artifact must exist (`titanic-model train --if-missing`), as for any build.
"""

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from titanic_release.project import REPO_ROOT
from titanic_release.publish import PYPA_BUILD

PIP_BUILD = (sys.executable, "-m", "build")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_build(command: tuple[str, ...]) -> tuple[float, float]:
    """(wall, CPU) seconds of one sdist + wheel build into a fresh directory."""
    with tempfile.TemporaryDirectory(prefix="bench-build-") as out:
        cpu, started = _children_cpu(), time.monotonic()
        subprocess.run(
            [*command, "--sdist", "--wheel", "--outdir", out, str(REPO_ROOT)],
            check=True,
            capture_output=True,
        )
        built = sorted(path.suffix for path in Path(out).iterdir())
    assert built == [".gz", ".whl"], built
    return time.monotonic() - started, _children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    runs: dict[str, list[tuple[float, float]]] = {"pip (baseline)": [], "uv": []}
    for _ in range(rounds):
        runs["pip (baseline)"].append(timed_build(PIP_BUILD))
        runs["uv"].append(timed_build(PYPA_BUILD))
    print(f"sdist + wheel with PyPA build, median of {rounds} rounds in turns")
    print("| isolated environments made by | wall | CPU |")
    print("| --- | ---: | ---: |")
    for name, measured in runs.items():
        wall = statistics.median(w for w, _ in measured)
        cpu = statistics.median(c for _, c in measured)
        print(f"| {name} | {wall:.1f} s | {cpu:.1f} s |")


if __name__ == "__main__":
    main()
