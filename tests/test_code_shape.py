"""The console's code keeps its shape: small modules, and the type checker's word trusted.

`mypy` (strict, on all of console/) runs in `.ci/run`; these check what it cannot: no
module over 400 lines (a longer one is split by concern), and at most 10 `type: ignore`
in console/, each naming its error code and saying why (on its line or the one above).
"""

from __future__ import annotations

import re
from pathlib import Path

CONSOLE = Path(__file__).resolve().parents[1] / "console"
MOST_LINES = 400
MOST_IGNORES = 10
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[a-z0-9-]+(?:,\s*[a-z0-9-]+)*\])?(?P<after>.*)")


def _modules() -> list[Path]:
    return sorted(CONSOLE.rglob("*.py"))


def test_the_console_is_found() -> None:
    assert len(_modules()) > 100


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(CONSOLE.parent)): lines
        for path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert long == {}, f"split these by concern (at most {MOST_LINES} lines each): {long}"


def _ignores() -> list[tuple[str, str, str]]:
    """(where, the ignore's codes, its reason) for every `type: ignore` in console/."""
    found = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            match = IGNORE.search(line)
            if match is None:
                continue
            after = match["after"].strip().lstrip("#").strip()
            above = lines[number - 2].strip() if number > 1 else ""
            reason = after or (above[1:].strip() if above.startswith("#") else "")
            found.append((f"{path.relative_to(CONSOLE.parent)}:{number}", match["codes"], reason))
    return found


def test_type_ignores_are_few_and_each_says_what_and_why() -> None:
    found = _ignores()
    assert len(found) <= MOST_IGNORES, f"{len(found)} type: ignore (at most {MOST_IGNORES})"
    assert [where for where, codes, _ in found if not codes] == [], "name the error code"
    assert [where for where, _, reason in found if not reason] == [], "say why, in a comment"


def test_the_ignore_check_reads_what_it_should() -> None:
    # The pattern itself: a bare ignore has no codes; a reason after it is read.
    bare = IGNORE.search("x = f()  # type: ignore")
    coded = IGNORE.search("x = f()  # type: ignore[attr-defined, misc]  # Textual's private")
    assert bare is not None and bare["codes"] is None
    assert coded is not None and coded["codes"] == "[attr-defined, misc]"
    assert coded["after"].strip() == "# Textual's private"
