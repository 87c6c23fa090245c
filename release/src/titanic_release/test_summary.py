"""The end of `make test`: one line per suite from its JUnit report, naming every failed test
and every skipped test's reason, so no suite or test fails or is skipped out of sight in a long
log; under CI=true a suite that did not run fails.

    python -m titanic_release.test_summary --junit-dir reports/junit test_ci test_package ...

Standard library only: it runs with the machine's Python, whatever state the envs are in.
"""

import argparse
import os
import sys
import xml.etree.ElementTree as ElementTree
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Suite:
    name: str
    ran: bool = False
    tests: int = 0
    failures: list[str] = field(default_factory=list)
    xfailed: int = 0
    skip_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def skipped(self) -> int:
        return sum(self.skip_reasons.values())

    @property
    def not_run(self) -> bool:
        """No report, or every test in it skipped: the suite checked nothing."""
        return not self.ran or self.tests == self.skipped

    def line(self) -> str:
        if not self.ran:
            return f"{self.name}: NOT RUN (no JUnit report)"
        failed = len(self.failures)
        passed = self.tests - failed - self.skipped - self.xfailed
        text = f"{self.name}: {passed} passed, {failed} failed, {self.skipped} skipped"
        if self.xfailed:
            text += f", {self.xfailed} expected failures"
        if self.not_run:
            text += " (SKIPPED AS A WHOLE)"
        return text


def read_suite(name: str, junit_dir: Path) -> Suite:
    suite = Suite(name)
    path = junit_dir / f"{name}.xml"
    if not path.exists():
        return suite
    suite.ran = True
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        suite.tests += 1
        problem = case.find("failure")
        problem = case.find("error") if problem is None else problem
        if problem is not None:
            suite.failures.append(_failure(case, problem))
        skipped = case.find("skipped")
        if skipped is not None and skipped.get("type") == "pytest.xfail":
            suite.xfailed += 1  # an expected failure, reported the same way: it did run
        elif skipped is not None:
            suite.skip_reasons[skipped.get("message") or "no reason given"] += 1
    return suite


def _failure(case: ElementTree.Element, problem: ElementTree.Element) -> str:
    """`module.Class::test: the message's first line`, short enough for one line of a CI log."""
    message = (problem.get("message") or "no message").strip().splitlines() or ["no message"]
    return f"{case.get('classname')}::{case.get('name')}: {message[0][:200]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--junit-dir", type=Path, required=True)
    parser.add_argument("suites", nargs="+", help="the tox envs whose pytest writes JUnit")
    args = parser.parse_args(argv)
    suites = [read_suite(name, args.junit_dir) for name in args.suites]
    print("make test summary:")
    for suite in suites:
        print(f"  {suite.line()}")
        for failure in suite.failures:
            print(f"    FAILED {failure}")
        for reason, count in sorted(suite.skip_reasons.items()):
            print(f"    skipped {count}x: {reason}")
    missing = [suite.name for suite in suites if suite.not_run]
    if missing and os.environ.get("CI") == "true":
        print(f"CI=true: required suites did not run: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
