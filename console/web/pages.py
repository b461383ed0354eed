"""The portal's pages: the desk's status, a contact's requests, filing one, one request.

Field names are a public contract (issue 17): `summary`, `details`, `emergency`,
`after_hours` (`bill` or `wait`), `message` and `csrf_token`. Every error is worded next
to its field and nothing is written; a request of another customer is the same 404 as
one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from console.store import portal_reads
from console.store.commands.base import LIMITS, Rules, clean_text
from console.store.commands.portal import MESSAGE_LIMIT, file_request
from console.store.commands.portal import reply as reply_command
from console.store.errors import InvalidInput, InvalidState, NotFound, StoreError
from console.store.portal_auth import SignedIn
from console.web import display
from console.web.app import (
    csrf_refused,
    page,
    policy_now,
    portal_of,
    posted,
    see_other,
    signed_in,
    signed_in_and,
)
from console.web.security import same


async def home(request: Request) -> Response:
    return see_other("/requests" if await signed_in(request) else "/status")


async def status(request: Request) -> Response:
    await signed_in(request)
    policy = await policy_now(request)
    now = portal_of(request).clock.now()
    calendar = policy.calendar
    desk = calendar.status(now)
    opening = now if desk.open else calendar.next_opening(now)
    targets = policy.sla_rules.targets
    return page(
        request,
        "status.html",
        desk=desk,
        desk_words=display.desk_words(desk, calendar.zone, now),
        next_opening=opening,
        hours=display.weekday_hours(policy),
        portal_target=display.target_words(targets["portal"]),
        email_target=display.target_words(targets["email"]),
        voicemail_target=display.target_words(targets["voicemail"]),
        emergency_target=display.target_words(display.emergency_target(policy)),
        rate=display.hourly_rate(policy, now),
    )


async def request_list(request: Request) -> Response:
    current, rows = await signed_in_and(request, lambda s, c: portal_reads.requests_for(s, c.who))
    if current is None or rows is None:
        return see_other("/login")
    policy = await policy_now(request)
    words = display.HearBack(policy, portal_of(request).clock.now())
    return page(request, "requests.html", requests=rows, hear_back={r.id: words(r) for r in rows})


def _new_page(
    request: Request, status: int, form: dict[str, Any], errors: dict[str, str]
) -> Response:
    policy = request.state.policy
    now = portal_of(request).clock.now()
    calendar = policy.calendar
    desk = calendar.status(now)
    return page(
        request,
        "new.html",
        status,
        form=form,
        form_errors=errors,
        desk=desk,
        desk_words=display.desk_words(desk, calendar.zone, now),
        opens=None if desk.open else calendar.next_opening(now),
        rate=display.hourly_rate(policy, now),
        summary_limit=LIMITS["summary"],
        details_limit=MESSAGE_LIMIT,
    )


async def new_form(request: Request) -> Response:
    if await signed_in(request) is None:
        return see_other("/login")
    await policy_now(request)
    return _new_page(request, 200, {}, {})


def _field(
    errors: dict[str, str], name: str, value: str | None, label: str, kind: str, **kw: Any
) -> None:
    if name in errors:
        return
    try:
        clean_text(value, label, kind, **kw)
    except InvalidInput as exc:
        errors[name] = _sentence(str(exc))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


async def new_request(request: Request) -> Response:
    current = await signed_in(request)
    form = await posted(request)
    if current is None:
        return see_other("/login")
    policy = await policy_now(request)
    if not same(form.get("csrf_token"), current.csrf_token):
        return csrf_refused(request)
    errors = {
        k: _sentence(f"{k.replace('_', ' ').capitalize()} {v}") for k, v in form.errors.items()
    }
    summary, details = form.get("summary"), form.get("details")
    _field(errors, "summary", summary, "summary", "summary")
    _field(errors, "details", details, "details", "note", required=False, multiline=True)
    emergency_value = form.get("emergency")
    if emergency_value not in (None, "", "on", "yes") and "emergency" not in errors:
        errors["emergency"] = "Emergency must be ticked or left empty."
    emergency = emergency_value in ("on", "yes")
    after_hours = form.get("after_hours") or None
    if after_hours not in (None, "bill", "wait") and "after_hours" not in errors:
        errors["after_hours"] = "Choose one of the two answers: bill it, or wait for the desk."
    portal = portal_of(request)
    now = portal.clock.now()
    closed = not policy.calendar.is_open(now)
    values = {
        "summary": summary or "",
        "details": details or "",
        "emergency": emergency,
        "after_hours": after_hours or "",
    }
    if closed and not emergency and after_hours is None and "after_hours" not in errors:
        errors["after_hours"] = (
            "The desk is closed: choose whether to have it billed and started now, "
            "or wait for the desk to open."
        )
    if errors:
        return _new_page(request, 400, values, errors)
    rules = Rules(policy)
    try:
        filed = await portal.write(
            lambda s: file_request(
                s,
                now,
                rules,
                who=current.who,
                summary=summary or "",
                details=details,
                emergency=emergency,
                after_hours=after_hours if closed and not emergency else None,
                service=portal.config.service,
            )
        )
    except (InvalidInput, InvalidState, NotFound) as exc:
        return _new_page(request, 400, values, {"form": _sentence(str(exc))})
    return see_other(f"/requests/{filed.request.id}")


def _read_detail(request_id: int) -> Callable[[Session, SignedIn], Any]:
    def read(session: Session, current: SignedIn) -> Any:
        found = portal_reads.request_for(session, current.who, request_id)
        if found is None:
            return False  # not None: None is "signed out"
        return found, portal_reads.messages_of(session, found.id)

    return read


async def request_page(request: Request) -> Response:
    read = _read_detail(int(request.path_params["request_id"]))
    current, found = await signed_in_and(request, read)
    if current is None:
        return see_other("/login")
    await policy_now(request)
    return _detail(request, found, 200, "", {})


def _detail(
    request: Request, found: Any, status: int, message: str, errors: dict[str, str]
) -> Response:
    if not found:
        raise HTTPException(404)
    policy = request.state.policy
    row, messages = found
    now = portal_of(request).clock.now()
    return page(
        request,
        "request.html",
        status,
        request=row,
        messages=messages,
        hear_back=display.hear_back(row, policy, now),
        emergency_target=display.target_words(display.emergency_target(policy)),
        rate=display.hourly_rate(policy, now),
        opens=policy.calendar.next_opening(now),
        message=message,
        form_errors=errors,
        message_limit=MESSAGE_LIMIT,
    )


async def _detail_again(
    request: Request, current: SignedIn, status: int, message: str, errors: dict[str, str]
) -> Response:
    read = _read_detail(int(request.path_params["request_id"]))
    found = await portal_of(request).read(lambda s: read(s, current))
    return _detail(request, found, status, message, errors)


async def reply(request: Request) -> Response:
    current = await signed_in(request)
    form = await posted(request)
    if current is None:
        return see_other("/login")
    await policy_now(request)
    if not same(form.get("csrf_token"), current.csrf_token):
        return csrf_refused(request)
    request_id = int(request.path_params["request_id"])
    text = form.get("message")
    errors = {k: _sentence(f"{k.capitalize()} {v}") for k, v in form.errors.items()}
    _field(errors, "message", text, "message", "note", multiline=True)
    if errors:
        return await _detail_again(request, current, 400, text or "", errors)
    portal = portal_of(request)
    now = portal.clock.now()
    try:
        await portal.write(
            lambda s: reply_command(
                s,
                now,
                who=current.who,
                request_id=request_id,
                body=text or "",
                service=portal.config.service,
            )
        )
    except NotFound:
        raise HTTPException(404) from None
    except StoreError as exc:
        return await _detail_again(
            request, current, 400, text or "", {"message": _sentence(str(exc))}
        )
    return see_other(f"/requests/{request_id}#messages")
