"""The pages' slow commands that make docs-slow runs, by page, as printed (without a trailing
comment). Plain data: tests/ci/test_doc_commands.py reads it to count them as run."""

from pathlib import Path

PERFORMANCE = "docs/performance.md"
MAKE_BENCH = "make bench"
BENCHMARKS = [
    ".venv/bin/tox run -e bench_replay -- --rows 200000",
    ".venv/bin/tox run -e bench",
    ".venv/bin/tox run -e bench_api -- --quick",
    ".venv/bin/tox run -e bench_api -- --store-only",
    ".tox/bench_api/bin/python benchmarks/bench_request_cost.py",
    ".tox/bench_api/bin/python benchmarks/bench_store_ids.py",
    ".venv/bin/tox run -e bench_monitor -- --rows 200000",
]
WORKTREE = Path("/tmp/before")
BEFORE_AFTER = [
    f"git worktree add --detach {WORKTREE} <previous commit>",
    f".tox/bench_api/bin/python benchmarks/bench_api.py --before {WORKTREE}/api --duration 4 "
    "--rounds 10",
    f".tox/bench_api/bin/python benchmarks/bench_request_cost.py --before {WORKTREE}/api",
]
DIFFERENTIAL = ["tox -e differential", "BASELINE_REF=v0.1.0 tox -e differential"]
MODEL_SELECTION = ".venv/bin/tox run -e model_selection"
COMPILE = (
    ".venv/bin/uv pip compile constraints.in --python-version 3.11 --no-emit-package pandas \\\n"
    "    --output-file constraints.txt \\\n"
    "    --upgrade-package tox --upgrade-package tox-uv"
)
PRE_COMMIT = [
    ".venv/bin/python -m pip install pre-commit && .venv/bin/pre-commit install",
    ".venv/bin/pre-commit run --all-files",
]
MLFLOW_UI = [
    "python3.11 -m venv .venv-mlflow",
    ".venv-mlflow/bin/pip install \"mlflow==$(sed -n 's/^mlflow-skinny==//p' constraints.txt)\"",
    '.venv-mlflow/bin/mlflow ui --backend-store-uri "sqlite:///$PWD/reports/mlflow/mlflow.db" \\\n'
    "  --host 127.0.0.1 --port 5000",
]
SHADOW_VERSION = "0.3.1.dev20261206120000"
SHADOW_BLOCK = [
    "export SHADOW_TOKEN=$(openssl rand -hex 16)",
    f"make shadow VERSION={SHADOW_VERSION} &",
    "SHADOW_URL=http://127.0.0.1:8002 make run",
]
RUN_SLOW = {
    PERFORMANCE: [MAKE_BENCH, *BENCHMARKS, *BEFORE_AFTER],
    "docs/differential-gate.md": DIFFERENTIAL,
    "docs/model.md": [MODEL_SELECTION],
    "docs/ci.md": [COMPILE, *PRE_COMMIT],
    "docs/tracking.md": MLFLOW_UI,
    "docs/shadow.md": SHADOW_BLOCK,
}
