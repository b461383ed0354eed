"""The demo desk gets a few portal accounts and `switchboard demo` serves the portal."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from console.cli.common import Context
from console.cli.demo_portal import DEMO_PASSWORD, demo_portal
from console.clock import FrozenClock
from console.store import demo
from console.store.db import Database
from console.store.demo_portal import demo_accounts
from console.web.security import Passwords
from tests.conftest import NOW
from tests.web.test_serve import free_port


def test_the_demo_has_portal_accounts_once(database: Database, rules) -> None:
    demo.seed(database, NOW, seed=3, rules=rules, history_days=1)
    hashed = Passwords().hash(DEMO_PASSWORD)
    accounts = demo_accounts(database, NOW, hashed)
    assert len(accounts) == 3
    assert [a.designated for a in accounts].count(True) == 2
    assert len({a.customer for a in accounts}) == 2
    assert demo_accounts(database, NOW, hashed) == accounts  # never made twice


def test_the_demo_serves_the_portal_with_its_sign_in(database: Database, rules) -> None:
    demo.seed(database, NOW, seed=3, rules=rules, history_days=1)
    ctx = Context()
    ctx.clock = FrozenClock(NOW)
    port = free_port()
    portal = demo_portal(database, ctx, port)
    assert portal is not None
    try:
        email = re.search(r"sign in as ([^ ,]+)", portal.note).group(1)  # type: ignore[union-attr]
        assert f"http://127.0.0.1:{port}/" in portal.note and DEMO_PASSWORD in portal.note
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        base = f"http://127.0.0.1:{port}"
        page = opener.open(f"{base}/login", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        form = urllib.parse.urlencode(
            {"username": email, "password": DEMO_PASSWORD, "csrf_token": token}
        ).encode()
        answer = opener.open(f"{base}/login", data=form, timeout=30)
        assert answer.geturl().endswith("/requests")
        assert "requests" in answer.read().decode().lower()
    finally:
        portal.stop()
