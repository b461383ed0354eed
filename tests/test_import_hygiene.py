"""The layers hold at run time: importing the pure parts loads no screen and no database.

import-linter checks the import statements; this checks what a fresh interpreter really
loads, which also catches imports hidden in third-party packages.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def loaded_after_import(module: str) -> set[str]:
    code = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout))


def top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize(
    "module",
    [
        "console.domain.calendar",
        "console.domain.sla",
        "console.domain.coverage",
        "console.domain.escalation",
        "console.domain.billing",
        "console.domain.localtime",
        "console.domain.paging",
    ],
)
def test_domain_loads_neither_screen_nor_database(module: str) -> None:
    loaded = top_level(loaded_after_import(module))
    assert not loaded & {"textual", "sqlalchemy", "psycopg", "rich"}
    assert not {
        m for m in loaded_after_import(module) if m.startswith(("console.store", "console.ui"))
    }


@pytest.mark.parametrize("module", ["console.paging.pager", "console.outbox.sender"])
def test_services_load_no_screen(module: str) -> None:
    loaded = loaded_after_import(module)
    assert "textual" not in top_level(loaded)
    assert not {m for m in loaded if m.startswith(("console.ui", "console.cli"))}


def test_the_desk_model_loads_neither_screen_nor_database() -> None:
    loaded = loaded_after_import("console.ui.model")
    assert not top_level(loaded) & {"textual", "sqlalchemy", "psycopg"}
