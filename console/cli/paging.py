"""`switchboard pager | page ack | page list | staff contact | policy paging`: 24/7 paging.

The pager is a worker (`console.paging.pager`); the rest are thin wrappers over store
commands (`commands.paging`, `commands.change_policy`) and one read (`store.page_list`).
"""

from __future__ import annotations

import logging
import signal
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import click

from console.cli.common import Context, UserError, echo_json, pass_context
from console.cli.policy_admin import _change, _reason_option, policy
from console.cli.store_access import (
    database_option,
    opened,
    plain,
    run_write,
    store_errors,
    store_options,
    write_options,
)
from console.domain import policy as edits
from console.domain.paging import STEP_KINDS
from console.outbox.sender import Sender
from console.outbox.transports import SendError, transports
from console.paging.pager import Pager
from console.store import commands
from console.store.page_list import page_lines
from console.text import inert


def _check_apprise(urls: tuple[str, ...]) -> None:
    import apprise

    for url in urls:
        if not apprise.Apprise().add(url):
            scheme = url.split("://")[0][:30]
            raise UserError(f"--notify {scheme}://...: Apprise does not know this URL")


@click.command("contact")
@click.argument("handle")
@click.option("--email", metavar="ADDR", help="Pages by e-mail through the [mail] SMTP server.")
@click.option("--notify", multiple=True, metavar="URL", help="An Apprise URL (repeatable).")
@write_options
@pass_context
def staff_contact(
    ctx: Context,
    /,
    handle: str,
    email: str | None,
    notify: tuple[str, ...],
    **store: Any,
) -> None:
    """Say how HANDLE is paged (your own, or anyone's as a lead); replaces the old."""
    _check_apprise(notify)
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.set_staff_contact(
            s, who, now, handle=handle, email=email, notify=list(notify)
        ),
        lambda v: (
            f"{v.staff}: e-mail {v.email or 'none'}, notify "
            f"{', '.join(s + '://' for s in v.notify) or 'none'}"
        ),
    )


@policy.group("paging")
def policy_paging() -> None:
    """Who is paged about an emergency and when the next one is (leads)."""


@policy_paging.command("timeout")
@click.argument("minutes", type=int)
@_reason_option
@store_options
@pass_context
def paging_timeout(ctx: Context, /, minutes: int, reason: str, **store: Any) -> None:
    """Wait MINUTES for an acknowledgement before the next step (1 to 1440)."""
    edit = partial(edits.set_paging_timeout, minutes=minutes)
    _change(ctx, **store, edit=edit, reason=reason, what=f"paging timeout {minutes} min")


@policy_paging.command("steps")
@click.argument("steps", metavar=",".join(STEP_KINDS))
@_reason_option
@store_options
@pass_context
def paging_steps(ctx: Context, /, steps: str, reason: str, **store: Any) -> None:
    """The escalation steps after the first page, in order, separated by commas."""
    chosen = [s.strip() for s in steps.split(",") if s.strip()]
    edit = partial(edits.set_paging_steps, steps=chosen)
    _change(ctx, **store, edit=edit, reason=reason, what=f"paging steps {','.join(chosen)}")


@click.command("pager")
@click.option("--once", is_flag=True, help="Send what is due now, then exit (cron, tests).")
@click.option(
    "--maildir",
    metavar="DIR",
    help="File e-mail into this local Maildir instead of sending it (demos, laptops).",
)
@database_option
@pass_context
def pager(ctx: Context, once: bool, maildir: str | None, database_url: str | None) -> None:
    """Escalate unacknowledged pages, write shift handoffs, and send the outbox."""
    settings = ctx.settings
    try:
        sender_transports = transports(settings.mail, Path(maildir) if maildir else None)
    except SendError as exc:
        raise UserError(str(exc)) from None
    p = settings.pager
    logging.basicConfig(level=logging.INFO, format="switchboard pager: %(message)s")
    for noisy in ("alembic", "apprise"):  # their INFO lines say nothing to a desk
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with opened(ctx, database_url) as database, store_errors(database):
        sender = Sender(
            database,
            ctx.clock,
            sender_transports,
            lease=timedelta(seconds=p.lease_seconds),
            max_attempts=p.max_attempts,
            retry_base=timedelta(seconds=p.retry_base_seconds),
            retry_cap=timedelta(seconds=p.retry_cap_seconds),
            portal_url=settings.portal.base_url,
        )
        worker = Pager(database, ctx.clock, sender, p.poll_interval)
        if once:
            click.echo(worker.tick().line())
            return
        previous = signal.signal(signal.SIGTERM, lambda *_: worker.stop())
        try:
            click.echo(f"switchboard pager: running as {sender.owner} (Ctrl-C stops)")
            worker.run(lambda r: _report(r))
        except KeyboardInterrupt:
            worker.stop()
        finally:
            signal.signal(signal.SIGTERM, previous)
        click.echo("switchboard pager: stopped")


def _report(result: Any) -> None:
    if result.escalated or result.handoffs or result.outcome.sent or result.outcome.failed:
        click.echo(f"switchboard pager: {result.line()}")


@click.group()
def page() -> None:
    """Pages: acknowledge them, list them."""


@page.command("ack")
@click.argument("request_id", metavar="REQUEST", type=int, required=False)
@click.option("--page", "page_id", type=int, metavar="ID", help="A page by its id (a handoff).")
@write_options
@pass_context
def page_ack(
    ctx: Context,
    /,
    request_id: int | None,
    page_id: int | None,
    **store: Any,
) -> None:
    """Acknowledge the page about REQUEST (or --page ID): its escalation stops."""
    if (request_id is None) == (page_id is None):
        raise UserError("give a request number or --page ID (one of them)")
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.ack_page(s, who, now, request_id=request_id, page_id=page_id),
        lambda v: (
            f"page {v.page_id} acknowledged by {v.acked_by} at "
            f"{ctx.desk_time(v.acked_at)}; {v.cancelled} queued messages cancelled"
        ),
    )


@page.command("list")
@store_options
@pass_context
def page_list(ctx: Context, database_url: str | None, actor: str | None, as_json: bool) -> None:
    """Every message of every page: queued, sent, failed; acknowledged by whom and when."""
    with opened(ctx, database_url) as database, store_errors(database), database.reading() as s:
        lines = page_lines(s)
    if as_json:
        echo_json([plain(ctx, line) for line in lines])
        return
    if not lines:
        click.echo("no pages")
    for line in lines:
        click.echo(inert(_line(ctx, line)))


def _line(ctx: Context, line: Any) -> str:
    what = f"request {line.request_id}" if line.request_id else "handoff"
    where = f" {line.customer}" if line.customer else ""
    when = ctx.desk_time(line.sent_at or line.queued_at)
    text = (
        f"page {line.page_id} {what}{where} step {line.step} -> {line.to} {line.channel} "
        f"{line.state} {when}"
    )
    if line.state in ("queued", "failed") and line.attempts:
        text += f" (attempts {line.attempts}: {line.last_error})"
    if line.acked_by:
        text += f"; acked by {line.acked_by} at {ctx.desk_time(line.acked_at)}"
    elif line.page_state != "open":
        text += f"; page {line.page_state}"
    return text
