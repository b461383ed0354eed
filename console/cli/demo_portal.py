"""The customer portal served beside the demo console (issue 17): a few demo accounts and a
quiet uvicorn server on a thread, stopped with the console."""

from __future__ import annotations

import threading

import click

from console.cli.common import Context
from console.cli.store_access import store_errors
from console.store.db import Database

#: The demo's portal accounts all sign in with this password (docs/portal.md).
DEMO_PASSWORD = "demo portal 2026"


class DemoPortal:
    """The portal served from a thread of the demo, quietly (the console owns the screen)."""

    def __init__(self, database: Database, ctx: Context, port: int, emails: list[str]) -> None:
        import socket

        import uvicorn

        from console.web.app import make_app

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", port))
        self.socket.listen(128)  # connections wait in the backlog until uvicorn serves them
        config = uvicorn.Config(
            make_app(database, ctx.clock), log_level="critical", access_log=False, lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run,
            kwargs={"sockets": [self.socket]},
            name="switchboard-portal",
            daemon=True,
        )
        self.thread.start()
        who = ", ".join(emails) if emails else "no demo contact has an e-mail address"
        self.note = (
            f"Customer portal: http://127.0.0.1:{port}/ · sign in as {who} "
            f"· password: {DEMO_PASSWORD}"
        )

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.socket.close()


def demo_portal(database: Database, ctx: Context, port: int) -> DemoPortal | None:
    """Give the demo a few portal accounts and serve the portal; None if the port is taken."""
    from console.store.demo_portal import demo_accounts
    from console.web.security import Passwords

    with store_errors(database):
        accounts = demo_accounts(database, ctx.clock.now(), Passwords().hash(DEMO_PASSWORD))
    try:
        return DemoPortal(database, ctx, port, [a.email for a in accounts])
    except OSError as exc:
        click.echo(f"switchboard: the portal is not served: port {port}: {exc.strerror}", err=True)
        return None
