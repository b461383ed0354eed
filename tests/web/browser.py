"""The portal in a real browser: Playwright for Python driving Debian's Chromium.

No browser can be downloaded here, so Playwright is pointed at `/usr/bin/chromium`
(`apt-get install -y chromium`). Without it the browser tests skip, saying so, unless
SWITCHBOARD_REQUIRE_BROWSER=1 makes them fail instead. axe-core comes from the
`axe-playwright-python` package, which ships `axe.min.js` (MPL-2.0): nothing is fetched.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

CHROMIUM = os.environ.get("SWITCHBOARD_CHROMIUM", "/usr/bin/chromium")
INSTALL = "apt-get install -y chromium && pip install -e '.[test]'"
#: WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def browser_or_skip() -> Any:
    """Playwright's sync API, or a skip (a failure under SWITCHBOARD_REQUIRE_BROWSER=1)."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed"
        sync_playwright = None
    if reason is None and not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        reason = f"no Chromium at {CHROMIUM}"
    if reason is not None:
        if os.environ.get("SWITCHBOARD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} and SWITCHBOARD_REQUIRE_BROWSER=1 (install: {INSTALL})")
        pytest.skip(f"{reason}: install with {INSTALL}")
    return sync_playwright


def axe_source() -> str:
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text("utf-8")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;undefined")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


class ServedPortal:
    """The portal app served by uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServedPortal:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the portal did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        self.socket.close()


def serve(app: Any) -> Iterator[ServedPortal]:
    with ServedPortal(app) as served:
        yield served
