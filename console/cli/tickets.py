"""`switchboard ticket`: what desk agents do to requests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from console.cli.common import Context, echo_json, pass_context
from console.cli.store_access import (
    opened,
    plain,
    rules,
    run_write,
    store_errors,
    store_options,
    write_options,
)
from console.domain.escalation import EscalationKind
from console.domain.sla import Channel
from console.sql_events import sql_change
from console.store import commands, queries
from console.store.enums import NoticeMethod
from console.store.views import RequestView
from console.text import inert

CHANNELS = [c.value for c in Channel]
KINDS = [k.value for k in EscalationKind]
METHODS = [m.value for m in NoticeMethod]


def _request_line(ctx: Context) -> Callable[[RequestView], str]:
    def line(view: RequestView) -> str:
        due = ctx.desk_time(view.due_at) or "no timer"
        who = view.assignee or "unassigned"
        return f"request {view.id}: {view.status}, {who}, due {due}, billing {view.billing_state}"

    return line


@click.group()
def ticket() -> None:
    """Requests: log, assign, respond, escalate, work, bill, resolve."""


@ticket.command("new")
@click.option("--customer", required=True, metavar="NAME|ID")
@click.option("--channel", required=True, type=click.Choice(CHANNELS))
@click.option("--summary", required=True, metavar="TEXT")
@click.option("--contact", metavar="NAME")
@click.option("--emergency", is_flag=True, help="The website is down or applications fail.")
@click.option("--received", metavar="TIME", help="When it arrived (default: now).")
@write_options
@pass_context
def ticket_new(
    ctx: Context,
    /,
    customer: str,
    channel: str,
    summary: str,
    contact: str | None,
    emergency: bool,
    received: str | None,
    **store: Any,
) -> None:
    """Log a new request and print its id."""
    received_at = ctx.instant(received, "--received", past=True) if received else None
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.log_request(
            s,
            who,
            now,
            rules(ctx),
            channel=channel,
            customer=customer,
            summary=summary,
            contact=contact,
            emergency=emergency,
            received_at=received_at,
        ),
        lambda view: str(view.id),
    )


@ticket.command("assign")
@click.argument("request_id", metavar="ID", type=int)
@click.option("--to", "to", required=True, metavar="HANDLE")
@write_options
@pass_context
def ticket_assign(
    ctx: Context,
    /,
    request_id: int,
    to: str,
    **store: Any,
) -> None:
    """Give a request to a staff member (dispatchers and leads)."""
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.assign(s, who, now, request_id=request_id, to=to),
        _request_line(ctx),
    )


@ticket.command("respond")
@click.argument("request_id", metavar="ID", type=int)
@click.option("--at", "at", metavar="TIME", help="When (default: now).")
@write_options
@pass_context
def ticket_respond(
    ctx: Context,
    /,
    request_id: int,
    at: str | None,
    **store: Any,
) -> None:
    """Record the first response, which stops the timer."""
    when = ctx.instant(at, "--at", past=True) if at else None
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.respond(s, who, now, request_id=request_id, at=when),
        _request_line(ctx),
    )


@ticket.command("escalate")
@click.argument("request_id", metavar="ID", type=int)
@click.option("--kind", required=True, type=click.Choice(KINDS))
@click.option("--to", "to", metavar="HANDLE", help="Who takes it (needed for --kind other).")
@click.option("--reason", metavar="TEXT")
@write_options
@pass_context
def ticket_escalate(
    ctx: Context,
    /,
    request_id: int,
    kind: str,
    to: str | None,
    reason: str | None,
    **store: Any,
) -> None:
    """Escalate a request: additional services to Customer Care, product to Technical."""
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.escalate(
            s, who, now, request_id=request_id, kind=kind, to=to, reason=reason
        ),
        lambda e: (
            f"request {e.request_id}: escalated to {e.destination}"
            + (f" ({e.assignee})" if e.assignee else "")
        ),
    )


@ticket.command("work")
@click.argument("request_id", metavar="ID", type=int)
@click.option("--from", "start", required=True, metavar="TIME")
@click.option("--to", "end", required=True, metavar="TIME")
@click.option("--note", metavar="TEXT")
@write_options
@pass_context
def ticket_work(
    ctx: Context,
    /,
    request_id: int,
    start: str,
    end: str,
    note: str | None,
    **store: Any,
) -> None:
    """Log time worked on a request."""
    started, ended = ctx.instant(start, "--from", past=True), ctx.instant(end, "--to", past=True)
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.log_work(
            s,
            who,
            now,
            rules(ctx),
            request_id=request_id,
            started_at=started,
            ended_at=ended,
            note=note,
        ),
        lambda w: f"work {w.id} on request {w.request_id}, billing {w.billing_state}",
    )


@ticket.command("notice")
@click.argument("request_id", metavar="ID", type=int)
@click.option("--method", required=True, type=click.Choice(METHODS))
@click.option("--at", "at", metavar="TIME", help="When the customer was told (default: now).")
@click.option(
    "--by", "given_by", metavar="HANDLE", help="Who told them (default: you, who record it)."
)
@write_options
@pass_context
def ticket_notice(
    ctx: Context,
    /,
    request_id: int,
    method: str,
    at: str | None,
    given_by: str | None,
    **store: Any,
) -> None:
    """Record that the customer was told after-hours work is billable."""
    when = ctx.instant(at, "--at", past=True) if at else None
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.record_billing_notice(
            s, who, now, request_id=request_id, method=method, at=when, given_by=given_by
        ),
        lambda n: (
            f"request {n.request_id}: billing {n.billing_state}"
            + (f"; the notice is queued to {n.mailed_to}" if n.mailed_to else "")
        ),
    )


def _request_command(name: str, action: Callable[..., Any], summary: str) -> None:
    """A `ticket NAME ID` command that applies one write-path action to a request."""

    @ticket.command(name, help=summary)
    @click.argument("request_id", metavar="ID", type=int)
    @write_options
    @pass_context
    def run(ctx: Context, /, request_id: int, **store: Any) -> None:
        run_write(
            ctx,
            store,
            lambda s, who, now: action(s, who, now, request_id=request_id),
            _request_line(ctx),
        )


_request_command(
    "decline", commands.record_decline, "Record that the customer declined after-hours billing."
)
_request_command(
    "resolve", commands.resolve, "Resolve a request (its open escalations close with it)."
)
_request_command("reopen", commands.reopen, "Open a resolved request again.")


@ticket.command("attach")
@click.argument("request_id", metavar="ID", type=int)
@click.option("--customer", required=True, metavar="NAME|ID")
@click.option("--contact", metavar="NAME|ID")
@write_options
@pass_context
def ticket_attach(
    ctx: Context,
    /,
    request_id: int,
    customer: str,
    contact: str | None,
    **store: Any,
) -> None:
    """Give a request in triage its customer (dispatchers, leads)."""
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.attach_request(
            s, who, now, request_id=request_id, customer=customer, contact=contact
        ),
        _request_line(ctx),
    )


@ticket.command("show")
@click.argument("request_id", metavar="ID", type=int)
@store_options
@pass_context
def ticket_show(
    ctx: Context, request_id: int, database_url: str | None, actor: str | None, as_json: bool
) -> None:
    """Print a request, its timer and its full event history."""
    now = ctx.clock.now()
    with (
        opened(ctx, database_url) as database,
        store_errors(database),
        database.session() as session,
    ):
        view = queries.get_request(session, request_id)
        history = queries.request_history(session, request_id)
        escalations = queries.request_escalations(session, request_id)
        messages = queries.request_messages(session, request_id)
    timer = ctx.policy.sla.timer(view, now)
    data = plain(ctx, view)
    data["timer"] = {
        "state": timer.state.value,
        "clock": timer.clock.value,
        "remaining_seconds": int(timer.remaining.total_seconds()) if timer.remaining else None,
        "resumes_at": ctx.desk_time(timer.resumes_at),
    }
    data["escalations"] = [plain(ctx, e) for e in escalations]
    data["messages"] = [plain(ctx, m) for m in messages]
    data["events"] = [
        {
            "id": e.id,
            "kind": e.kind,
            "at": ctx.desk_time(e.at),
            "actor": e.actor,
            "entity": e.entity,
            "entity_id": e.entity_id,
            "change": sql_change(
                e.kind, e.actor, e.before, e.after, lambda at: str(ctx.desk_time(at))
            ),
        }
        for e in history
    ]
    if as_json:
        echo_json(data)
        return
    click.echo(inert(_request_line(ctx)(view)))
    click.echo(inert(f"  {view.customer or 'triage'} via {view.channel}: {view.summary}"))
    click.echo(
        f"  timer {timer.state.value}"
        + (f", resumes {data['timer']['resumes_at']}" if timer.resumes_at else "")
    )
    for e in escalations:
        click.echo(inert(f"  escalation: {e.status}, {e.destination} {e.assignee or ''}".rstrip()))
    for m in messages:
        files = ", ".join(
            f"{a['filename']} ({a['size']} bytes{', refused: too large' if a['refused'] else ''})"
            for a in m.attachments
        )
        click.echo(
            inert(
                f"  {m.channel} {m.id} from {m.sender} at {ctx.desk_time(m.received_at)}: "
                f"{m.subject}" + (f"  [{files}]" if files else "")
            )
        )
        for text_line in m.body.splitlines()[:20]:
            click.echo(inert(f"    | {text_line}"))
    for event in data["events"]:
        line = f"  {event['at']}  {event['actor']:<12} {event['kind']}"
        click.echo(inert(line) + (f"  {event['change']}" if event["change"] else ""))


@ticket.command("list")
@click.option("--open", "open_only", is_flag=True, help="Only open requests, soonest due first.")
@click.option("--customer", metavar="NAME|ID")
@click.option("--breached", is_flag=True, help="Only open requests past due now.")
@store_options
@pass_context
def ticket_list(
    ctx: Context,
    open_only: bool,
    customer: str | None,
    breached: bool,
    database_url: str | None,
    actor: str | None,
    as_json: bool,
) -> None:
    """List requests (newest first; with --open soonest due first)."""
    now = ctx.clock.now()
    with (
        opened(ctx, database_url) as database,
        store_errors(database),
        database.session() as session,
    ):
        views = queries.list_requests(
            session,
            open_only=open_only,
            customer=customer,
            breached_at=now if breached else None,
            rules=rules(ctx),
        )
    if as_json:
        echo_json([plain(ctx, v) for v in views])
        return
    for view in views:
        where = view.customer or "triage"
        click.echo(inert(f"{_request_line(ctx)(view)}  [{where}] {view.summary[:60]}"))


# `ticket verify` and `ticket downgrade` (issue 7) join the group when it loads.
from console.cli import emergencies  # noqa: E402, F401
from console.cli.portal import ticket_reply  # noqa: E402  (issue 17: a reply the portal shows)

ticket.add_command(ticket_reply)
