"""The portal's page templates: one Jinja2 environment per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

HERE = Path(__file__).parent


@cache
def templates() -> Environment:
    """The page templates, compiled once per process (they ship with the code: no
    reloading, no look at the files on every page)."""
    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    for name in environment.list_templates(extensions=["html"]):
        environment.get_template(name)
    return environment
