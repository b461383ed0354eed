"""The portal application: its settings, the per-request helpers, sign-in and sign-out.

`make_app(database, clock, config)` builds the Starlette app for `switchboard portal`,
the tests and the benchmark alike. Store work (synchronous SQLAlchemy) runs in the
server's thread pool, one short session per call; the event loop only moves bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from console.clock import Clock
from console.store import portal_auth
from console.store.commands.portal import SERVICE
from console.store.db import Database
from console.store.errors import StoreError
from console.store.policy import current_policy
from console.web import display
from console.web.forms import BodyTooLarge, Form, NotAForm, read_form
from console.web.security import Passwords, SecurityHeaders, new_token, same, token_hash

HERE = Path(__file__).parent
T = TypeVar("T")


@dataclass(frozen=True)
class PortalConfig:
    """How the portal behaves; the same in every process of one desk."""

    #: A session unused this long is over.
    idle: timedelta = timedelta(minutes=30)
    #: A session is over this long after sign-in, used or not.
    lifetime: timedelta = timedelta(hours=12)
    #: Served to browsers over HTTPS (behind a TLS proxy): Secure `__Host-` cookies, HSTS.
    tls: bool = False
    #: Failed sign-ins per user name, and per address, within `window` before a wait.
    max_failures: int = 10
    window: timedelta = timedelta(minutes=15)
    #: The service name its events carry (its Postgres login's binding).
    service: str = SERVICE
    #: Where mailed links point (`[portal] base_url`), without a trailing slash.
    base_url: str = "http://127.0.0.1:8080"


@dataclass
class Portal:
    """What every handler needs; nothing in here is state another process would need."""

    database: Database
    clock: Clock
    config: PortalConfig
    passwords: Passwords
    templates: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    @property
    def session_cookie(self) -> str:
        return "__Host-switchboard_portal" if self.config.tls else "switchboard_portal"

    @property
    def csrf_cookie(self) -> str:
        return "__Host-switchboard_csrf" if self.config.tls else "switchboard_csrf"

    async def write(self, fn: Callable[[Session], T]) -> T:
        def job() -> T:
            with self.database.session() as session:
                return fn(session)

        return await run_in_threadpool(job)

    async def read(self, fn: Callable[[Session], T]) -> T:
        def job() -> T:
            with self.database.reading() as session:
                return fn(session)

        return await run_in_threadpool(job)

    def set_cookie(self, response: Response, name: str, value: str) -> None:
        response.set_cookie(
            name, value, httponly=True, samesite="strict", secure=self.config.tls, path="/"
        )

    def drop_cookie(self, response: Response, name: str) -> None:
        response.delete_cookie(name, httponly=True, samesite="strict", secure=self.config.tls)


def portal_of(request: Request) -> Portal:
    portal: Portal = request.app.state.portal  # Starlette's state is untyped; set when built
    return portal


async def signed_in(request: Request) -> portal_auth.SignedIn | None:
    """The live session of this browser, or None (read once per HTTP request)."""
    if hasattr(request.state, "signed_in"):
        known: portal_auth.SignedIn | None = request.state.signed_in  # set below, untyped
        return known
    portal = portal_of(request)
    token = request.cookies.get(portal.session_cookie, "")
    now = portal.clock.now()
    config = portal.config

    def job(session: Session) -> tuple[portal_auth.SignedIn | None, Any]:
        # One trip to the database for both: who this is, and the policy every page shows.
        found = None
        if 20 < len(token) < 100:
            found = portal_auth.signed_in(
                session, token_hash(token), now, idle=config.idle, lifetime=config.lifetime
            )
        return found, current_policy(session).policy

    found, request.state.policy = await portal.write(job)
    request.state.signed_in = found
    return found


def page(http: Request, template: str, status: int = 200, /, **context: Any) -> HTMLResponse:
    """Render `template` with what every page shows (who is signed in, the desk zone)."""
    portal = portal_of(http)
    now = portal.clock.now()
    who = getattr(http.state, "signed_in", None)
    policy = context.pop("policy", None) or getattr(http.state, "policy", None)
    # A form that works without signing in (sign-in, reset, ack links) checks the token bound
    # to its cookie, also when a session happens to exist.
    anonymous = context.pop("anonymous_csrf", "")
    html = portal.templates.get_template(template).render(
        who=who.who if who else None,
        csrf_token=anonymous or (who.csrf_token if who else ""),
        now=now,
        policy=policy,
        zone=policy.calendar.zone if policy else None,
        d=display,
        errors={},
        **context,
    )
    return HTMLResponse(html, status_code=status)


async def policy_now(request: Request) -> Any:
    """The policy in effect (read with the session by `signed_in`, else now)."""
    if getattr(request.state, "policy", None) is not None:
        return request.state.policy
    portal = portal_of(request)
    policy = await portal.read(lambda s: current_policy(s).policy)
    request.state.policy = policy
    return policy


async def posted(request: Request) -> Form:
    """The posted form, or an HTTP error page (413, 415)."""
    try:
        return await read_form(request)
    except BodyTooLarge:
        raise HTTPException(413, "The form is larger than 2 MB; shorten it.") from None
    except NotAForm:
        raise HTTPException(415, "Send the form as the page does (URL-encoded).") from None


def see_other(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# -- sign-in and sign-out ---------------------------------------------------------------


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "unknown")[:64]


async def login_form(request: Request) -> Response:
    if await signed_in(request):
        return see_other("/requests")
    await policy_now(request)
    return _login_page(
        request, status=200, request_signed_out=bool(request.query_params.get("signed_out"))
    )


def _login_page(
    request: Request, status: int, errors: dict[str, str] | None = None, **context: Any
) -> Response:
    portal = portal_of(request)
    token = request.cookies.get(portal.csrf_cookie, "")
    if not 20 < len(token) < 100:
        token = new_token()
    response = page(
        request, "login.html", status, anonymous_csrf=token, form_errors=errors or {}, **context
    )
    portal.set_cookie(response, portal.csrf_cookie, token)
    return response


WRONG = "The e-mail address or the password is wrong (or the account is disabled)."


async def login(request: Request) -> Response:
    portal = portal_of(request)
    form = await posted(request)
    await policy_now(request)
    if not same(form.get("csrf_token"), request.cookies.get(portal.csrf_cookie)):
        return csrf_refused(request)
    errors = dict(form.errors)
    username = (form.get("username") or "").strip().lower()
    password = form.get("password") or ""
    if not username and "username" not in errors:
        errors["username"] = "Enter the e-mail address of your account."
    if not password and "password" not in errors:
        errors["password"] = "Enter your password."
    if len(username) > 254:
        errors["username"] = "That is longer than any e-mail address (254 characters at most)."
    if errors:
        return _login_page(request, 400, errors, username=username[:254])
    now = portal.clock.now()
    address = client_address(request)
    config = portal.config
    by_name, by_address, oldest = await portal.read(
        lambda s: portal_auth.recent_failures(s, username, address, now - config.window)
    )
    if max(by_name, by_address) >= config.max_failures:
        until = (oldest or now) + config.window
        zone = request.state.policy.calendar.zone
        wait = f"{display.day_time(until, zone, now)} {display.zone_label(zone)}"
        message = f"Too many failed sign-ins. Wait until {wait} and try again."
        return _login_page(request, 429, {"form": message}, username=username)
    found = await portal.read(lambda s: portal_auth.password_of(s, username))
    stored = found[1] if found else None
    ok = await run_in_threadpool(portal.passwords.verify, stored, password)
    if not ok or found is None:
        await portal.write(lambda s: portal_auth.record_failure(s, username, address, now))
        return _login_page(request, 401, {"form": WRONG}, username=username)
    account_id = found[0]
    if stored and portal.passwords.needs_rehash(stored):
        fresh = await run_in_threadpool(portal.passwords.hash, password)
        await portal.write(lambda s: portal_auth.rehash(s, account_id, fresh, now))
    token, csrf = new_token(), new_token()
    previous = request.cookies.get(portal.session_cookie)
    await portal.write(
        lambda s: portal_auth.start_session(
            s,
            account_id,
            token_hash(token),
            csrf,
            now,
            replacing=token_hash(previous) if previous else None,
            idle=config.idle,
        )
    )
    response = see_other("/requests")
    portal.set_cookie(response, portal.session_cookie, token)
    portal.drop_cookie(response, portal.csrf_cookie)
    return response


async def logout(request: Request) -> Response:
    portal = portal_of(request)
    form = await posted(request)
    current = await signed_in(request)
    if current is None:
        return see_other("/login")
    if not same(form.get("csrf_token"), current.csrf_token):
        await policy_now(request)
        return csrf_refused(request)
    token = request.cookies.get(portal.session_cookie, "")
    await portal.write(lambda s: portal_auth.end_session(s, token_hash(token)))
    request.state.signed_in = None
    response = see_other("/login?signed_out=1")
    portal.drop_cookie(response, portal.session_cookie)
    return response


def csrf_refused(request: Request) -> Response:
    return page(
        request,
        "error.html",
        403,
        title="The form could not be accepted",
        message=(
            "The form was too old or did not come from this website, so nothing was done. "
            "Go back, reload the page and send it again."
        ),
    )


# -- the application --------------------------------------------------------------------


async def _error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    await signed_in(request)
    await policy_now(request)
    if exc.status_code == 404:
        return page(
            request,
            "error.html",
            404,
            title="Page not found",
            message="There is no such page, or it is not yours to see.",
        )
    return page(request, "error.html", exc.status_code, title="Not accepted", message=exc.detail)


async def _unavailable(request: Request, exc: Exception) -> Response:
    # The database is down or refused the work: say so without touching it again.
    return page(
        request,
        "error.html",
        503,
        title="Support website unavailable",
        message=(
            "The support website cannot reach the desk's records just now; nothing was "
            "changed. Try again in a few minutes. For an emergency, phone the support desk."
        ),
    )


def make_app(
    database: Database,
    clock: Clock,
    config: PortalConfig | None = None,
    passwords: Passwords | None = None,
) -> Starlette:
    """The portal for `database`, telling time by `clock`."""
    from console.web import accounts, ack, pages, reset

    routes = [
        Route("/", pages.home),
        Route("/status", pages.status),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/account/request", accounts.ask_form, methods=["GET"]),
        Route("/account/request", accounts.ask, methods=["POST"]),
        Route("/reset", reset.reset_form, methods=["GET"]),
        Route("/reset", reset.reset, methods=["POST"]),
        Route("/reset/{token}", reset.new_password_form, methods=["GET"]),
        Route("/reset/{token}", reset.new_password, methods=["POST"]),
        Route("/ack/{token}", ack.ack_form, methods=["GET"]),
        Route("/ack/{token}", ack.ack, methods=["POST"]),
        Route("/requests", pages.request_list, methods=["GET"]),
        Route("/requests/new", pages.new_form, methods=["GET"]),
        Route("/requests/new", pages.new_request, methods=["POST"]),
        Route("/requests/{request_id:int}", pages.request_page, methods=["GET"]),
        Route("/requests/{request_id:int}/reply", pages.reply, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            HTTPException: _error_page,
            DBAPIError: _unavailable,
            StoreError: _unavailable,
        },
    )
    app.state.portal = Portal(database, clock, config or PortalConfig(), passwords or Passwords())
    app.add_middleware(SecurityHeaders, tls=(config or PortalConfig()).tls)
    return app
