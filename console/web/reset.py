"""Password reset and first password by a mailed single-use link (issue 17).

`/reset` answers the same whatever is asked (no account enumeration); a mail is queued
only for an enabled account, a few per hour at most. `/reset/{token}` sets the password
once, ends every session of the account, and an unknown, used or expired link is one
and the same answer.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from console.store import portal_tokens
from console.web.accounts import _anonymous_page
from console.web.app import csrf_refused, policy_now, portal_of, posted, signed_in
from console.web.security import new_token, password_problem, same, token_hash

DEAD_LINK = (
    "This link does not work: it was already used, it is too old, or it was mistyped. "
    "Ask for a new one below."
)


async def reset_form(request: Request) -> Response:
    await signed_in(request)
    await policy_now(request)
    return _anonymous_page(request, "reset.html", 200)


async def reset(request: Request) -> Response:
    portal = portal_of(request)
    form = await posted(request)
    await policy_now(request)
    if not same(form.get("csrf_token"), request.cookies.get(portal.csrf_cookie)):
        return csrf_refused(request)
    username = (form.get("username") or "").strip().lower()
    if not username or len(username) > 254 or "username" in form.errors:
        errors = {"username": "Enter the e-mail address of your account."}
        return _anonymous_page(request, "reset.html", 400, form_errors=errors)
    token = new_token()
    link = f"{portal.config.base_url}/reset/{token}"
    now = portal.clock.now()
    await portal.write(
        lambda s: portal_tokens.request_reset(
            s, now, email=username, token_hash=token_hash(token), link=link
        )
    )
    return _anonymous_page(request, "reset.html", 200, done=True)


def _token_ok(token: str) -> bool:
    return 20 < len(token) < 100


async def new_password_form(request: Request) -> Response:
    portal = portal_of(request)
    await signed_in(request)
    await policy_now(request)
    token = request.path_params["token"]
    now = portal.clock.now()
    email = (
        await portal.read(lambda s: portal_tokens.password_link(s, token_hash(token), now))
        if _token_ok(token)
        else None
    )
    if email is None:
        return _anonymous_page(request, "reset.html", 404, form_errors={"form": DEAD_LINK})
    return _anonymous_page(request, "new_password.html", 200, email=email, token=token)


async def new_password(request: Request) -> Response:
    portal = portal_of(request)
    form = await posted(request)
    await policy_now(request)
    if not same(form.get("csrf_token"), request.cookies.get(portal.csrf_cookie)):
        return csrf_refused(request)
    token = request.path_params["token"]
    now = portal.clock.now()
    email = (
        await portal.read(lambda s: portal_tokens.password_link(s, token_hash(token), now))
        if _token_ok(token)
        else None
    )
    if email is None:
        return _anonymous_page(request, "reset.html", 404, form_errors={"form": DEAD_LINK})
    password = form.get("password") or ""
    errors: dict[str, str] = {}
    problem = form.errors.get("password") or password_problem(password)
    if problem:
        errors["password"] = problem[0].upper() + problem[1:] + "."
    elif (form.get("password_confirm") or "") != password:
        errors["password_confirm"] = "The two passwords differ; type the same one twice."
    if errors:
        return _anonymous_page(
            request, "new_password.html", 400, email=email, token=token, form_errors=errors
        )
    fresh = await run_in_threadpool(portal.passwords.hash, password)
    done = await portal.write(
        lambda s: portal_tokens.use_password_link(s, token_hash(token), now, fresh)
    )
    if not done:
        return _anonymous_page(request, "reset.html", 404, form_errors={"form": DEAD_LINK})
    response = _anonymous_page(request, "new_password.html", 200, done=True)
    portal.drop_cookie(response, portal.session_cookie)
    return response
