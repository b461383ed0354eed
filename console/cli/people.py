"""`switchboard presence | roster | staff | customer | contact`: who works the desk, for whom."""

from __future__ import annotations

from typing import Any

import click

from console.cli.common import Context, UserError, pass_context
from console.cli.store_access import run_write, write_options
from console.domain.coverage import Presence
from console.domain.localtime import LocalTimeError, parse_date
from console.store import commands
from console.store.enums import Department, Role


@click.group()
def presence() -> None:
    """Agents' presence: available, on a call, away."""


@presence.command("set")
@click.argument("handle")
@click.argument("state", type=click.Choice([p.value for p in Presence]))
@write_options
@pass_context
def presence_set(
    ctx: Context,
    /,
    handle: str,
    state: str,
    **store: Any,
) -> None:
    """Set HANDLE's presence (your own, or anyone's as a dispatcher or lead)."""
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.set_presence(s, who, now, staff=handle, state=state),
        lambda p: f"{p.staff} is {p.state} since {ctx.desk_time(p.since)}",
    )


@click.group()
def roster() -> None:
    """Duty and on-call shifts."""


@roster.command("add")
@click.argument("handle")
@click.option("--duty", "kind", flag_value="duty", help="A shift at the desk.")
@click.option("--on-call", "kind", flag_value="on-call", help="On call for emergencies.")
@click.option("--from", "start", required=True, metavar="TIME")
@click.option("--to", "end", required=True, metavar="TIME")
@write_options
@pass_context
def roster_add(
    ctx: Context,
    /,
    handle: str,
    kind: str | None,
    start: str,
    end: str,
    **store: Any,
) -> None:
    """Put HANDLE on a duty or on-call shift (dispatchers and leads)."""
    if kind is None:
        raise UserError("say which kind of shift: --duty or --on-call")
    starts, ends = ctx.instant(start, "--from"), ctx.instant(end, "--to")
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.add_shift(
            s, who, now, staff=handle, kind=kind, starts_at=starts, ends_at=ends
        ),
        lambda v: (
            f"shift {v.id}: {v.staff} {v.kind} from {ctx.desk_time(v.starts_at)} "
            f"to {ctx.desk_time(v.ends_at)}"
        ),
    )


@click.group()
def staff() -> None:
    """Desk staff."""


@staff.command("add")
@click.argument("handle")
@click.option("--name", required=True, metavar="TEXT")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--department", required=True, type=click.Choice([d.value for d in Department]))
@write_options
@pass_context
def staff_add(
    ctx: Context,
    /,
    handle: str,
    name: str,
    role: str,
    department: str,
    **store: Any,
) -> None:
    """Add a staff member (leads; the very first one, a lead, bootstraps the desk)."""
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.add_staff(
            s, who, now, handle=handle, name=name, role=role, department=department
        ),
        lambda v: f"staff {v.handle}: {v.name}, {v.role}, {v.department}",
    )


@click.group()
def customer() -> None:
    """Customers (municipalities)."""


@customer.command("add")
@click.argument("name")
@click.option("--liaison", required=True, metavar="HANDLE")
@click.option("--next-checkin", metavar="DATE", help="Next routine check-in (YYYY-MM-DD).")
@click.option(
    "--domain",
    "domains",
    multiple=True,
    metavar="DOMAIN",
    help="A mail domain it owns (again for more): mail from there is theirs.",
)
@write_options
@pass_context
def customer_add(
    ctx: Context,
    /,
    name: str,
    liaison: str,
    next_checkin: str | None,
    domains: tuple[str, ...],
    **store: Any,
) -> None:
    """Add a customer with its support liaison (leads)."""
    try:
        check_in = parse_date(next_checkin) if next_checkin else None
    except LocalTimeError as exc:
        raise UserError(f"--next-checkin: {exc}") from None
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.add_customer(
            s,
            who,
            now,
            municipality=name,
            liaison=liaison,
            next_check_in=check_in,
            domains=domains,
        ),
        lambda v: f"customer {v.id}: {v.municipality}, liaison {v.liaison}",
    )


@customer.group("domain")
def customer_domain() -> None:
    """The mail domains a customer owns."""


@customer_domain.command("add")
@click.argument("name", metavar="NAME")
@click.argument("domain", metavar="DOMAIN")
@write_options
@pass_context
def customer_domain_add(
    ctx: Context,
    /,
    name: str,
    domain: str,
    **store: Any,
) -> None:
    """Give customer NAME the mail domain DOMAIN (leads)."""
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.add_mail_domain(s, who, now, customer=name, domain=domain),
        lambda v: f"mail domain {v['domain']}: {v['customer']}",
    )


@click.group()
def contact() -> None:
    """Customers' contacts, some designated for emergencies."""


@contact.command("add")
@click.argument("customer_name", metavar="CUSTOMER")
@click.argument("name")
@click.option("--phone", metavar="TEXT")
@click.option("--email", metavar="ADDRESS")
@click.option("--designated", is_flag=True, help="A designated emergency contact.")
@write_options
@pass_context
def contact_add(
    ctx: Context,
    /,
    customer_name: str,
    name: str,
    phone: str | None,
    email: str | None,
    designated: bool,
    **store: Any,
) -> None:
    """Add a contact to CUSTOMER (any agent; --designated: leads)."""
    run_write(
        ctx,
        store,
        lambda s, who, now: commands.add_contact(
            s,
            who,
            now,
            customer=customer_name,
            name=name,
            phone=phone,
            email=email,
            designated=designated,
        ),
        lambda v: (
            f"contact {v.id}: {v.name} of {v.customer}"
            + (" (designated for emergencies)" if v.designated_for_emergencies else "")
        ),
    )


# The `list` commands of these groups (issue 18) and `staff contact` (issue 16: how staff
# are paged) join them when the groups load.
from console.cli import directory  # noqa: E402, F401
from console.cli.paging import staff_contact  # noqa: E402

staff.add_command(staff_contact)
