"""The curl examples of the docs, run as written against a real server (only its address and the
token's placeholder are swapped), so they cannot go stale."""

import json
import os
import re
import subprocess
from pathlib import Path

from live_server import serve

DOCS = Path(__file__).resolve().parents[2] / "docs"
TOKEN = "doc-example-t0ken"


def bash_blocks(path: Path, containing: str) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)
    return [block for block in blocks if containing in block]


def test_the_outcomes_example_stores_its_outcome() -> None:
    [example] = bash_blocks(DOCS / "monitoring.md", "/api/v1/outcomes")
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
