"""A click group whose commands load their modules only when run.

`switchboard --version` and `--help` must answer in a blink, and `switchboard ticket list`
must not pay for Alembic, Textual or the reports: each command's module is imported when
that command is asked for. The help listing comes from this table, so `--help` imports none
of them (a test checks the table against the commands themselves).
"""

from __future__ import annotations

import gc
import importlib

import click

#: name -> (module, attribute, the command's one-line help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "console": (
        "console.cli.console_cmd",
        "console_command",
        "Open the dispatcher console on the configured database.",
    ),
    "contact": (
        "console.cli.people",
        "contact",
        "Customers' contacts, some designated for emergencies.",
    ),
    "customer": ("console.cli.people", "customer", "Customers (municipalities)."),
    "db": ("console.cli.db", "db", "The database schema (migrations)."),
    "demo": (
        "console.cli.demo",
        "demo",
        "Open the console on a seeded demo desk with simulated agents at work, and serve "
        "the customer portal on localhost (its demo sign-in is in the console's help, `?`).",
    ),
    "desk": ("console.cli.clock_commands", "desk", "The desk calendar."),
    "doctor": (
        "console.cli.live",
        "doctor",
        "Check the connection, schema, NOTIFY and clocks; say why a console may look stale.",
    ),
    "escalation": (
        "console.cli.escalations",
        "escalation",
        "Escalations: reassign them and order the technical team's work (leads).",
    ),
    "events": (
        "console.cli.live",
        "events",
        "Print the desk's events, through the same feed the console uses.",
    ),
    "followup": (
        "console.cli.followups",
        "followup",
        "Routine follow-up check-ins with customers.",
    ),
    "intake": (
        "console.cli.intake",
        "intake",
        "Mail and voicemail in: from the MTA (pipe), and quarantined messages.",
    ),
    "page": ("console.cli.paging", "page", "Pages: acknowledge them, list them."),
    "pager": (
        "console.cli.paging",
        "pager",
        "Escalate unacknowledged pages, write shift handoffs, and send the outbox.",
    ),
    "policy": (
        "console.cli.policy_admin",
        "policy",
        "The desk policy: hours, closures, targets, rates (changes: leads).",
    ),
    "portal": (
        "console.cli.portal",
        "portal",
        "Serve the customer support website (until Ctrl-C).",
    ),
    "presence": ("console.cli.people", "presence", "Agents' presence: available, on a call, away."),
    "report": (
        "console.cli.reports",
        "report",
        "Reports: after-hours billing, response times, coverage ahead (read only).",
    ),
    "roster": ("console.cli.people", "roster", "Duty and on-call shifts."),
    "simulate": (
        "console.cli.demo",
        "simulate",
        "Act as several desk agents through the write path; Ctrl-C stops cleanly.",
    ),
    "sla": ("console.cli.clock_commands", "sla", "Response targets."),
    "staff": ("console.cli.people", "staff", "Desk staff."),
    "ticket": (
        "console.cli.tickets",
        "ticket",
        "Requests: log, assign, respond, escalate, work, bill, resolve.",
    ),
}


class LazyGroup(click.Group):
    """A group over `COMMANDS`: a command's module is imported when it is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module, attribute, _help = entry
        # The cyclic collector finds nothing to free among freshly imported modules, yet
        # runs dozens of times while SQLAlchemy's classes are built: a fifth of the import.
        enabled = gc.isenabled()
        gc.disable()
        try:
            command = getattr(importlib.import_module(module), attribute)
        finally:
            if enabled:
                gc.enable()
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The listing of `--help`, from the table: no command module is imported."""
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit))
            for name in self.list_commands(ctx)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
