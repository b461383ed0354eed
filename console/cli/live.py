"""`switchboard events` (the desk's activity, as the consoles see it) and `switchboard doctor`."""

from __future__ import annotations

import json
import signal
import threading

import click

from console.cli.common import Context, UserError, pass_context
from console.cli.store_access import database_option, opened
from console.store.feed import Batch, Feed, FeedEvent, FeedState, FeedStatus
from console.store.health import run_checks
from console.text import inert


def _line(ctx: Context, event: FeedEvent, as_json: bool) -> str:
    at = ctx.desk_time(event.at)
    if as_json:
        return json.dumps(
            {
                "id": event.id,
                "kind": event.kind,
                "entity": event.entity,
                "entity_id": event.entity_id,
                "at": at,
                "actor": event.actor,
            }
        )
    return inert(
        f"{event.id:>8}  {at}  {event.actor:<12} {event.kind:<28} {event.entity} {event.entity_id}"
    )


@click.command("events")
@database_option
@click.option(
    "--since",
    type=click.IntRange(min=0, max=2**63 - 1),  # the largest id either database can hold
    metavar="ID",
    help="Start after this event id.",
)
@click.option("--follow", is_flag=True, help="Keep printing new events until interrupted.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@pass_context
def events(
    ctx: Context, database_url: str | None, since: int | None, follow: bool, as_json: bool
) -> None:
    """Print the desk's events, through the same feed the console uses."""
    with opened(ctx, database_url) as database:
        feed = Feed(
            database.engine.url,
            clock=ctx.clock,
            poll_interval=ctx.settings.feed.poll_interval,
            safety_interval=ctx.settings.feed.safety_interval,
            offline_after=ctx.settings.feed.offline_after,
        )
        for event in feed.start_at(since if since is not None else 0):
            click.echo(_line(ctx, event, as_json))
        if not follow:
            feed.reader.dispose()
            return

        def on_batch(batch: Batch) -> None:
            for event in batch.events:
                click.echo(_line(ctx, event, as_json))  # click.echo flushes each line

        def on_state(state: FeedState) -> None:
            if state.status in (FeedStatus.RECONNECTING, FeedStatus.OFFLINE):
                click.echo(f"switchboard: feed {state.status.value}, retrying", err=True)
            elif state.status is FeedStatus.ERROR:
                click.echo(f"switchboard: feed error: {state.reason}", err=True)

        runner = threading.Thread(target=feed.run, args=(on_batch, on_state), daemon=True)
        # Ctrl-C and SIGTERM ask the feed to stop, whenever they come: a KeyboardInterrupt
        # landing between two statements here would end the command with status 130.
        previous = {
            sig: signal.signal(sig, lambda *_: feed.stop())
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            runner.start()
            while runner.is_alive():
                runner.join(0.2)
        finally:
            feed.stop()
            runner.join(5)
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@click.command("doctor")
@database_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@pass_context
def doctor(ctx: Context, database_url: str | None, as_json: bool) -> None:
    """Check the connection, schema, NOTIFY and clocks; say why a console may look stale."""
    with opened(ctx, database_url, check=False) as database:
        checks = run_checks(database, ctx.clock.now())
    if as_json:
        click.echo(json.dumps({c.name: {"ok": c.ok, "detail": c.detail} for c in checks}))
    else:
        for check in checks:
            click.echo(inert(f"{'ok  ' if check.ok else 'FAIL'}  {check.name:<10} {check.detail}"))
    if not all(check.ok for check in checks):
        raise UserError("some checks failed (see above)")
