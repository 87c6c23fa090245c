"""The rehearsal has teeth: a copy of the config with one tox env name misspelled fails it, and the
failing command is named in its table."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml
from pipeline import CONFIG, load
from titanic_release.project import REPO_ROOT

HERE = Path(__file__).resolve().parent


def test_a_misspelled_tox_env_in_a_copy_of_the_config_fails_the_rehearsal(tmp_path: Path) -> None:
    config = load(CONFIG)
    steps = config["jobs"]["checks"]["steps"]
    (index,) = [i for i, s in enumerate(steps) if "tox run -e checks" in str(s)]
    steps[index]["run"]["command"] = ".venv/bin/tox run -e chekcs"
    del steps[index + 1 :]  # the misspelled command is the last: nothing else needs to run
    config["jobs"] = {"checks": config["jobs"]["checks"]}
    config["workflows"] = {"push": {"jobs": ["checks"]}}
    broken = tmp_path / "config.yml"
    broken.write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(HERE / "test_pipeline.py"),
            "-p",
            "no:cacheprovider",
            "--circleci-config",
            str(broken),
            "-q",
            "-s",  # as tox -e rehearse runs it: each command's line printed as it ends
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 1, out[-3000:]
    assert re.search(r"rehearsal: checks +FAILED .*/tox run -e chekcs$", out, re.M), out[-3000:]
    assert re.search(r"rehearsal: checks +rehearsed .* make venv$", out, re.M)  # it ran before
