"""Disk taken by the API's environment, beside the same environment with the [train] extra added.

The API installs api/requirements.txt: its pinned libraries and the model package without
extras, so without scikit-learn, SciPy or joblib (the package serves from its scorer artifact).
This builds that environment in a fresh venv, with the package from the working tree standing in
for the published wheel, measures it, then adds the `[train]` extra (what the package needed at
run time before) and measures again: the second figure is the baseline, from the same run.

    python benchmarks/bench_install_size.py
"""

import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAINING_STACK = ("scikit-learn", "scipy", "joblib", "threadpoolctl")


def _mebibytes(directory: Path) -> float:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file()) / 2**20


def _pip_install(python: Path, *requirements: str) -> None:
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*command, *requirements], check=True, timeout=1200)


def _installed(python: Path) -> set[str]:
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    )
    return {line.split("==")[0].lower() for line in listed.stdout.splitlines()}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env_dir = Path(tmp) / "api-env"
        venv.EnvBuilder(with_pip=True).create(env_dir)
        python = env_dir / "bin" / "python"
        _pip_install(python, "-r", str(ROOT / "api" / "requirements-app.txt"), str(ROOT))
        serving = _mebibytes(env_dir)
        lean = not set(TRAINING_STACK) & _installed(python)
        _pip_install(python, f"{ROOT}[train]")
        with_training = _mebibytes(env_dir)
    print("the API's environment (api/requirements-app.txt + the model package), on disk:")
    print(f"  as installed now                {serving:6.0f} MiB  (training stack absent: {lean})")
    print(f"  with the [train] extra added    {with_training:6.0f} MiB  (the baseline, same run)")
    print(f"  saved: {with_training - serving:.0f} MiB ({1 - serving / with_training:.0%})")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
