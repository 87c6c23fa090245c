"""Secret scan of every tracked file against the committed baseline (detect-secrets).

Run by `tox -e checks`. detect-secrets-hook would rewrite the baseline (and fail) whenever a known
finding merely moves to another line; this compares findings by file, type and hash only, so only
a new secret fails. Accept a false positive with `# pragma: allowlist secret` on its line, or
regenerate the baseline (`detect-secrets scan > .secrets.baseline`) and audit it.

    python .ci/scan_secrets.py [--baseline .secrets.baseline] [FILE ...]   # default: git ls-files
"""

import argparse
import subprocess
import sys
from pathlib import Path

from detect_secrets.core import baseline
from detect_secrets.core.secrets_collection import SecretsCollection


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], capture_output=True, check=True, timeout=60
    ).stdout
    return [name for name in listed.decode().split("\0") if name]


def new_secrets(baseline_path: str, files: list[str]) -> list[tuple[str, int, str]]:
    """(file, line, kind) of every finding that the baseline does not list."""
    known = baseline.load(baseline.load_from_file(baseline_path), baseline_path)
    found = SecretsCollection()
    for name in files:
        found.scan_file(name)
    return sorted((name, secret.line_number or 0, secret.type) for name, secret in found - known)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=".secrets.baseline")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args(argv)
    baseline_file = Path(args.baseline).resolve()
    files = [
        name for name in args.files or tracked_files() if Path(name).resolve() != baseline_file
    ]
    findings = new_secrets(args.baseline, files)
    for name, line, kind in findings:
        print(f"{name}:{line}: possible secret ({kind}) not in {args.baseline}")
    if findings:
        return 1
    print(f"secret scan: {len(files)} files, nothing new beyond {args.baseline}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
