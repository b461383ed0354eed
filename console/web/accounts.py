"""Asking for a portal account from the sign-in page: one answer for everyone, throttled
per address (with failed sign-ins), recorded for a lead to approve (`portal account add`)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from console.store import portal_auth
from console.store.commands import portal_asks as asks
from console.web import display
from console.web.app import (
    client_address,
    csrf_refused,
    page,
    policy_now,
    portal_of,
    posted,
    signed_in,
)
from console.web.security import new_token, same


async def ask_form(request: Request) -> Response:
    await signed_in(request)
    await policy_now(request)
    return _anonymous_page(request, "account_request.html", 200)


def _anonymous_page(request: Request, template: str, status: int, **context: Any) -> Response:
    """A page whose form works before sign-in: its CSRF token is bound to a cookie."""
    portal = portal_of(request)
    token = request.cookies.get(portal.csrf_cookie, "")
    if not 20 < len(token) < 100:
        token = new_token()
    context.setdefault("form_errors", {})
    response = page(request, template, status, anonymous_csrf=token, **context)
    portal.set_cookie(response, portal.csrf_cookie, token)
    return response


async def ask(request: Request) -> Response:
    """Ask for an account: the same answer whoever asks; throttled per address."""
    portal = portal_of(request)
    form = await posted(request)
    await policy_now(request)
    if not same(form.get("csrf_token"), request.cookies.get(portal.csrf_cookie)):
        return csrf_refused(request)
    email = (form.get("email") or "").strip()
    problem = form.errors.get("email")
    if not problem and not email:
        problem = "Enter the e-mail address the desk has for you."
    elif not problem and (len(email) > 254 or "@" not in email):
        problem = "Enter an e-mail address, like name@town.gov."
    if problem:
        errors = {"email": problem if problem.endswith(".") else f"E-mail {problem}."}
        return _anonymous_page(request, "account_request.html", 400, form_errors=errors)
    now = portal.clock.now()
    address, config = client_address(request), portal.config
    _, by_address, oldest = await portal.read(
        lambda s: portal_auth.recent_failures(s, "", address, now - config.window)
    )
    if by_address >= config.max_failures:
        zone = request.state.policy.calendar.zone
        until = (oldest or now) + config.window
        wait = f"{display.day_time(until, zone, now)} {display.zone_label(zone)}"
        errors = {"form": f"Too many tries from this address. Wait until {wait} and try again."}
        return _anonymous_page(request, "account_request.html", 429, form_errors=errors)
    await portal.write(lambda s: asks.ask_for_account(s, now, email=email, service=config.service))
    await portal.write(
        lambda s: portal_auth.record_failure(s, f"ask:{email.lower()}", address, now)
    )
    return _anonymous_page(request, "account_request.html", 200, done=True)
