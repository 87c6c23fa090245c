"""The curl examples of the docs, run as written against a real server (only its address and the
token's placeholder are swapped), so they cannot go stale."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from live_server import serve

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "doc-example-t0ken"


def bash_blocks(path: Path, containing: str) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)
    return [block for block in blocks if containing in block]


@pytest.mark.parametrize("page", ["README.md", "docs/monitoring.md"])
def test_the_outcomes_example_stores_its_outcome(page: str) -> None:
    [example] = bash_blocks(ROOT / page, "/api/v1/outcomes")
    script = "\n".join(line for line in example.splitlines() if "OUTCOMES_TOKEN=<" not in line)
    with serve(env={"OUTCOMES_TOKEN": TOKEN}) as server:
        script = script.replace("http://127.0.0.1:8001", server.base_url)
        ran = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            env={**os.environ, "OUTCOMES_TOKEN": TOKEN},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {"stored": 1, "duplicates": 0, "conflicts": 0, "errors": None}
