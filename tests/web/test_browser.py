"""The portal in a real browser (Chromium): sign in, file a request, the after-hours
choice, an emergency, a reply; axe-core finds no WCAG 2.1 AA violation on any page; the
pages reflow at 320 CSS pixels and at 200% zoom. Screenshots go to `screenshots/`.

Skips without Chromium (see tests/web/browser.py) unless SWITCHBOARD_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.clock import FrozenClock
from console.store.commands import portal as pc
from console.store.db import Database
from console.web.app import PortalConfig, make_app
from tests.conftest import NOW
from tests.web.browser import CHROMIUM, ServedPortal, axe_violations, browser_or_skip
from tests.web.conftest import ACCOUNTS, PASSWORD, WEEKEND

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = browser_or_skip()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


@pytest.fixture
def served(portal_desk: Database, clock: FrozenClock, passwords) -> Iterator[ServedPortal]:
    app = make_app(portal_desk, clock, PortalConfig(), passwords)
    with ServedPortal(app) as portal:
        yield portal


@pytest.fixture
def page(browser: Any, served: ServedPortal) -> Iterator[Any]:
    # axe is injected by evaluate; bypass_csp lets it run beside our script-free CSP.
    context = browser.new_context(
        base_url=served.url, viewport={"width": 1024, "height": 800}, bypass_csp=True
    )
    page = context.new_page()
    yield page
    context.close()


def accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"portal-{name}.png"), full_page=True)


def sign_in(page: Any, who: str = "pat") -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(ACCOUNTS[who][2])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/requests")


def test_sign_in_file_a_request_and_reply(page: Any, portal_desk: Database) -> None:
    page.goto("/status")
    assert "The desk is open until 19:00 CT." in page.inner_text("main")
    accessible(page)
    shot(page, "status")
    page.goto("/account/request")
    accessible(page)
    page.get_by_role("button", name="Ask for an account").click()
    assert "Enter the e-mail address" in page.locator("#email-error").inner_text()
    accessible(page)
    page.goto("/login")
    accessible(page)
    shot(page, "login")
    page.get_by_role("button", name="Sign in").click()  # empty: errors next to the fields
    assert (
        page.locator("#username-error").inner_text() == "Enter the e-mail address of your account."
    )
    accessible(page)
    sign_in(page)
    accessible(page)
    page.get_by_role("link", name="File a new request").click()
    page.wait_for_url("**/requests/new")
    accessible(page)
    page.get_by_role("button", name="File the request").click()
    assert "Summary is empty." in page.locator("#summary-error").inner_text()
    accessible(page)
    page.get_by_label("Summary").fill("Calendar page shows last year's events")
    page.get_by_label("Details (optional)").fill("Since the update on Monday.\nOn every page.")
    page.get_by_role("button", name="File the request").click()
    page.wait_for_url("**/requests/1")
    assert "by 14:00 CT" in page.inner_text("main")
    with portal_desk.session() as session:
        pc.desk_reply(session, "ari", NOW, request_id=1, body="Which calendar, please?")
    page.reload()
    assert "Which calendar, please?" in page.inner_text("#main")
    page.get_by_label("Your message").fill("The events calendar on the home page.")
    page.get_by_role("button", name="Send the reply").click()
    page.wait_for_url("**/requests/1#messages")
    assert "The events calendar on the home page." in page.inner_text("main")
    accessible(page)
    shot(page, "request")
    page.goto("/requests")
    assert "Calendar page shows last year" in page.inner_text("main")
    accessible(page)
    shot(page, "requests")
    page.goto("/requests/999")
    accessible(page)
    page.goto("/requests")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login?signed_out=1")
    assert "You are signed out." in page.inner_text("main")


def test_the_after_hours_notice_and_choice(page: Any, clock: FrozenClock) -> None:
    clock.set(WEEKEND)
    sign_in(page)
    page.goto("/requests/new")
    assert "work before it opens is billable" in page.inner_text("main")
    page.get_by_label("Summary").fill("Add the holiday schedule page")
    page.get_by_role("button", name="File the request").click()
    error = page.locator("#after_hours-error")
    assert "choose whether to have it billed" in error.inner_text()
    assert page.get_by_label("Summary").input_value() == "Add the holiday schedule page"
    accessible(page)
    shot(page, "after-hours")
    page.get_by_label("Wait for the desk").check()
    page.get_by_role("button", name="File the request").click()
    page.wait_for_url("**/requests/1")
    assert "the desk starts on this request when it opens" in page.inner_text("main")
    page.goto("/requests")
    assert "paused until Mon 07:00" in page.inner_text("main")
    page.goto("/requests/new")
    page.get_by_label("Summary").fill("Publish the council agenda tonight")
    page.get_by_label("Bill it, start now").check()
    page.get_by_role("button", name="File the request").click()
    page.wait_for_url("**/requests/2")
    assert "You agreed that work on this request" in page.inner_text("main")
    accessible(page)


def test_an_emergency(page: Any, clock: FrozenClock) -> None:
    clock.set(WEEKEND)
    sign_in(page, "dana")
    page.goto("/requests/new")
    page.get_by_label("Summary").fill("The whole website is down")
    page.get_by_label("Emergency").check()
    page.get_by_role("button", name="File the request").click()  # no billing choice needed
    page.wait_for_url("**/requests/1")
    assert "the person on call is paged" in page.inner_text("main")
    accessible(page)
    shot(page, "emergency")


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => window.innerWidth")
    assert width <= viewport, f"{page.url}: {width} px wide in a {viewport} px viewport"


@pytest.mark.parametrize(
    ("name", "viewport", "scale"),
    [("320px", {"width": 320, "height": 640}, 1), ("zoom-200", {"width": 640, "height": 400}, 2)],
)
def test_usable_at_320_px_and_200_percent_zoom(
    browser: Any,
    served: ServedPortal,
    portal_desk: Database,
    clock: FrozenClock,
    name,
    viewport,
    scale,
) -> None:
    # A 1280 px window at 200% zoom lays pages out in 640 CSS pixels, at twice the density.
    clock.set(WEEKEND)
    context = browser.new_context(
        base_url=served.url, viewport=viewport, device_scale_factor=scale, bypass_csp=True
    )
    page = context.new_page()
    try:
        for path in ["/status", "/login"]:
            page.goto(path)
            _no_horizontal_scroll(page)
        sign_in(page, "dana")
        page.goto("/requests/new")
        page.get_by_label("Summary").fill("A summary long enough to wrap on a narrow screen, " * 3)
        page.get_by_label("Bill it, start now").check()
        page.get_by_role("button", name="File the request").click()
        page.wait_for_url("**/requests/1")
        for path in ["/requests", "/requests/new", "/requests/1"]:
            page.goto(path)
            _no_horizontal_scroll(page)
            accessible(page)
        page.goto("/requests/new")
        shot(page, f"new-{name}")
        # Every control is reachable with the keyboard, and the first stop skips the menu.
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent") == "Skip to the content"
    finally:
        context.close()


def test_password_reset_pages(page: Any, portal_desk: Database, clock: FrozenClock) -> None:
    from console.store import portal_tokens
    from console.web.security import new_token, token_hash

    page.goto("/login")
    page.get_by_role("link", name="Get a link to choose a new one").click()
    page.wait_for_url("**/reset")
    accessible(page)
    page.get_by_role("button", name="Mail me a link").click()
    assert "Enter the e-mail address" in page.locator("#username-error").inner_text()
    accessible(page)
    page.get_by_label("E-mail address").fill(ACCOUNTS["pat"][2])
    page.get_by_role("button", name="Mail me a link").click()
    assert "If an account exists" in page.inner_text("main")
    accessible(page)
    token = new_token()  # the link the mail would carry (the mail itself: test_reset.py)
    with portal_desk.session() as s:
        portal_tokens.request_reset(
            s, clock.now(), email=ACCOUNTS["pat"][2], token_hash=token_hash(token), link="-"
        )
    page.goto(f"/reset/{token}")
    accessible(page)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_role("button", name="Set the password").click()
    assert "too short" in page.locator("#password-error").inner_text()
    accessible(page)
    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("The same password again").fill("a brand new passphrase")
    page.get_by_role("button", name="Set the password").click()
    assert "Your password is set" in page.inner_text("main")
    accessible(page)
    page.goto(f"/reset/{token}")
    assert "does not work" in page.inner_text("main")
    accessible(page)


def test_page_ack_link_page(page: Any, portal_desk: Database, clock: FrozenClock) -> None:
    import re

    from sqlalchemy import select

    from console.store import commands
    from console.store.commands import Rules
    from console.store.models_paging import Outbox

    clock.set(WEEKEND)
    with portal_desk.session() as s:
        commands.set_staff_contact(
            s, "lena", WEEKEND, handle="lena", email="lena@x.test", notify=[]
        )
        commands.log_request(
            s,
            "dora",
            WEEKEND,
            Rules.defaults(),
            channel="call",
            customer="Springfield",
            summary="site down",
            contact="Pat Planner",
            emergency=True,
        )
    with portal_desk.reading() as s:
        bodies = s.scalars(select(Outbox.body).where(Outbox.channel == "email")).all()
    link = re.search(r"/ack/[A-Za-z0-9_-]{20,}", "\n".join(bodies)).group(0)  # type: ignore[union-attr]
    page.goto(link)
    accessible(page)
    page.get_by_role("button", name=re.compile("Acknowledge as")).click()
    assert "Acknowledged by" in page.inner_text("main")
    accessible(page)
    page.goto(link)
    assert "Page not found" in page.inner_text("main")
