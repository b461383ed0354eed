"""`.ci/run` runs the README's test command verbatim, so CI and a newcomer run one suite
the same way (on every core, through pytest-xdist)."""

from __future__ import annotations

from pathlib import Path

from tests.test_newcomer_install import quick_start

REPO = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readmes_test_command_verbatim() -> None:
    commands = quick_start((REPO / "README.md").read_text(encoding="utf-8"))
    tests = [command for command in commands if "pytest" in command]
    assert len(tests) == 1, commands
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests[0] in [line.strip() for line in ci], tests[0]
    assert " -n " in f" {tests[0]} "  # the suite is parallel, and correct in parallel
