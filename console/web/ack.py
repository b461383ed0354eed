"""Acknowledging a page by the link in its mail (issue 16).

GET only shows a button: mail scanners and link previews follow links, and must change
nothing. POST (CSRF-protected) spends the link and acknowledges the page as the paged staff
member, once. An unknown, used or expired link is one and the same 404.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from console.store import portal_tokens
from console.store.commands.page_links import ack_by_link
from console.store.errors import InvalidState, NotFound
from console.web.accounts import _anonymous_page
from console.web.app import csrf_refused, policy_now, portal_of, posted, signed_in
from console.web.security import same, token_hash


def _hash_of(request: Request) -> str:
    token = request.path_params["token"]
    if not 20 < len(token) < 100:
        raise HTTPException(404)
    return token_hash(token)


async def ack_form(request: Request) -> Response:
    portal = portal_of(request)
    await signed_in(request)
    await policy_now(request)
    hashed, now = _hash_of(request), portal.clock.now()
    link = await portal.read(lambda s: portal_tokens.page_link(s, hashed, now))
    if link is None:
        raise HTTPException(404)
    return _anonymous_page(request, "ack.html", 200, link=link, token=request.path_params["token"])


async def ack(request: Request) -> Response:
    portal = portal_of(request)
    form = await posted(request)
    await signed_in(request)
    await policy_now(request)
    if not same(form.get("csrf_token"), request.cookies.get(portal.csrf_cookie)):
        return csrf_refused(request)
    hashed, now, service = _hash_of(request), portal.clock.now(), portal.config.service
    try:
        view = await portal.write(lambda s: ack_by_link(s, service, now, token_hash=hashed))
    except NotFound:
        raise HTTPException(404) from None
    except InvalidState as exc:
        return _anonymous_page(request, "ack.html", 409, problem=str(exc))
    return _anonymous_page(request, "ack.html", 200, done=view)
