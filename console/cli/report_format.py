"""How `switchboard report` prints: a table, CSV or JSON from the same rows.

A row is a dict of typed values (instants, `Decimal` numbers, `Money`, text). CSV gets
ISO-8601 times with the desk's offset and plain numbers ('.' decimals, no exponent, no
thousands separator), written by the csv module; JSON the same times, numbers as numbers
and money as a string with two decimals (exact); a table desk-local times to the minute.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import click

from console.cli.common import Context, UserError
from console.cli.store_access import database_option
from console.domain.localtime import LocalTimeError, parse_date
from console.text import inert

F = TypeVar("F", bound=Callable[..., Any])
Row = dict[str, Any]


class Money(Decimal):
    """An amount of money: always shown with two decimals."""


def output_options(fn: F) -> F:
    """Add --database, --csv and --json (one of them, or neither for a table)."""
    fn = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(fn)
    fn = click.option("--csv", "as_csv", is_flag=True, help="Print CSV with a header row.")(fn)
    return database_option(fn)


def period_options(fn: F) -> F:
    """Add --from DATE and --to DATE, both required, desk-local, both days included."""
    fn = click.option("--to", "last", required=True, metavar="DATE", help="Last day.")(fn)
    return click.option("--from", "first", required=True, metavar="DATE", help="First day.")(fn)


def dates(first: str, last: str) -> tuple[date, date]:
    """--from and --to as dates, or one line saying which is wrong."""
    parsed = []
    for option, text in (("--from", first), ("--to", last)):
        try:
            parsed.append(parse_date(text))
        except LocalTimeError as exc:
            raise UserError(f"{option}: {exc}") from None
    start, end = parsed
    if start > end:
        raise UserError(f"--from {start} is after --to {end}")
    return start, end


def one_format(as_csv: bool, as_json: bool) -> None:
    if as_csv and as_json:
        raise UserError("--csv and --json: choose one")


def number(value: Decimal | int) -> str:
    """A plain number: '90', '37.5'; never an exponent or a separator."""
    if isinstance(value, int):
        return str(value)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


def csv_cell(ctx: Context, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return ctx.desk_time(value) or ""
    if isinstance(value, Money):
        return format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return number(value)
    return str(value)


def json_value(ctx: Context, value: Any) -> Any:
    if isinstance(value, datetime):
        return ctx.desk_time(value)
    if isinstance(value, Money):
        return format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: json_value(ctx, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(ctx, v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def table_cell(ctx: Context, value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(ctx.policy.calendar.zone).strftime("%Y-%m-%d %H:%M:%S")
    return inert(csv_cell(ctx, value))  # a table is read on a terminal; CSV stays exact


def write_csv(ctx: Context, columns: Sequence[str], rows: Iterable[Row]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    # The csv module quotes a value holding a character of the line terminator only: a
    # carriage return (another SQL client may store one) would end the row in any reader.
    quoted = csv.writer(sys.stdout, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    for row in rows:
        cells = [csv_cell(ctx, row.get(c)) for c in columns]
        (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)


def echo_table(ctx: Context, columns: dict[str, str], rows: Sequence[Row]) -> None:
    """`columns` maps row keys to headings; numbers are right-aligned, text left."""
    cells = [[table_cell(ctx, row.get(key)) for key in columns] for row in rows]
    headings = list(columns.values())
    widths = [max([len(h), *(len(line[i]) for line in cells)]) for i, h in enumerate(headings)]
    right = {
        i
        for i, key in enumerate(columns)
        if any(isinstance(row.get(key), Decimal | int) for row in rows)
    }

    def line(parts: Sequence[str]) -> str:
        padded = (
            p.rjust(w) if i in right else p.ljust(w)
            for i, (p, w) in enumerate(zip(parts, widths, strict=True))
        )
        return ("  " + "  ".join(padded)).rstrip()

    click.echo(line(headings))
    for parts in cells:
        click.echo(line(parts))
