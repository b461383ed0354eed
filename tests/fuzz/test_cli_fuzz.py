"""Bad input, fuzzed (issue 8): every `switchboard` command, driven by Hypothesis.

The commands are found by walking the click group `console.cli.cli`, so a new command is
fuzzed with nothing to add here; a parameter of a kind the generator does not know fails
`test_every_parameter_has_a_generator`, naming the command and the parameter. Arguments
and options are drawn from unicode text, control and escape characters (CSI and OSC
sequences, NUL, CR, C1 controls, bidi overrides, a lone surrogate as a mis-encoded argv
gives), 10,000-character strings, SQL-looking strings, impossible and ambiguous dates and
times (2026-02-30, 24:61, 2026-13-01, the hour skipped and the hour repeated by DST, year
9999), nonexistent ids (0, -1, 2**63, 'abc'), nonexistent handles and customers, bad
database URLs and settings files, mixed with valid values so that the deeper checks are
reached too.

Each invocation must end either with exit 0 and well-formed output (JSON that parses;
human-readable text without any character a terminal would obey) or with one short line
on stderr (`switchboard: ...`) and a non-zero status; never an internal error or a
traceback; and after an error every row of every table is as it was.

Backends: every command on SQLite; on Postgres the desk-agent commands (those taking
`--as`: the write path and the database-specific SQL). `db upgrade|downgrade` get a fresh
copy of the SQLite file for each example; `db grant` runs on SQLite only, because on
Postgres it creates server-wide login roles. `console` (and plain `switchboard`, and
`demo`) open a stand-in for the Textual app: the console's own input fields are another
test's. Left out: `events --follow`, `simulate` without `--duration` and `pager` without
`--once` (they run until interrupted; tests/cli and tests/paging run them) and `demo seed
--force` (it seeds a whole demo desk).

Output is captured as a terminal receives it: UTF-8 with strict errors, and with click's
stripping of ANSI codes (done when stdout is not a terminal) switched off.

Also here: stored text, written through the CLI or by any SQL client, is printed inert by
the human-readable commands and exactly by --json; and the parsers the commands share
(`Context.instant`, `parse_date`, report periods, `parse_recent`) turn any string into a
value or the CLI's one-line error, never another exception.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import shutil
import signal
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from types import FrameType
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import click
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from console.cli import cli, main
from console.cli.common import Context, UserError
from console.cli.report_format import dates
from console.domain.localtime import LocalTimeError, parse_date, parse_recent
from console.settings import Settings
from console.store import commands as c
from console.store.commands import Rules
from console.store.db import Database

Fingerprint = Callable[[Database], dict[str, list[tuple[object, ...]]]]
CHICAGO = ZoneInfo("America/Chicago")

#: Tuesday 17 November 2026, 10:00 in Chicago (the desk is open), and 20:00 (closed).
LOGGED = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
AFTER_HOURS = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)

#: Examples per command and backend, and for the other properties: the whole file runs in
#: about a minute on both databases (two CPUs).
EXAMPLES = 60
EXAMPLES_POSTGRES = 30
EXAMPLES_PROPERTY = 150
#: A clear error is short: user input in it is shortened (`store.commands.base.shown`).
MAX_ERROR = 500
#: No invocation here may take longer; a hang fails the test, naming the arguments.
HANG_SECONDS = 60

# -- what a terminal must never receive raw ------------------------------------------------

#: C0 controls but newline and tab, DEL, C1 controls, the bidi marks, embeddings,
#: overrides and isolates, the line and paragraph separators, and surrogates.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]"
)
#: The same inside one printed value: a newline or tab there would forge a line or a column.
UNSAFE_IN_VALUE = re.compile(f"[\t\n{UNSAFE.pattern[1:-1]}]")


def escaped(value: str) -> str:
    """The contract for a value printed inert: each unsafe character as \\xNN or \\uNNNN."""

    def one(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return UNSAFE_IN_VALUE.sub(one, value)


def assert_inert(output: str, what: str) -> None:
    found = UNSAFE.search(output)
    assert found is None, (
        f"{what}: raw {found.group()!r} at {found.start()}: "
        f"{output[max(0, found.start() - 60) : found.start() + 60]!r}"
    )


# -- running the CLI as a user's terminal would --------------------------------------------


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


class Hung(BaseException):  # not an Exception: `main` must not turn it into a message
    pass


def _as_mail(args: Sequence[str]) -> bytes:
    return "\r\n".join(args).encode("utf-8", "surrogateescape")


def invoke(args: Sequence[str]) -> Outcome:
    """`switchboard ARGS` in-process; stdout and stderr as UTF-8 bytes, strict, no ANSI
    stripping (click strips when it is not writing to a terminal; a terminal gets it all)."""
    out_bytes, err_bytes = io.BytesIO(), io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", write_through=True)
    err = io.TextIOWrapper(err_bytes, encoding="utf-8", errors="strict", write_through=True)

    def hung(_signal: int, _frame: FrameType | None) -> None:
        raise Hung(f"{list(args)!r}"[:300] + f": no result after {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(HANG_SECONDS)
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            mock.patch("click.utils.should_strip_ansi", return_value=False),
            # `intake pipe` reads a message: the arguments themselves, as bytes.
            mock.patch("sys.stdin", io.TextIOWrapper(io.BytesIO(_as_mail(args)))),
        ):
            code = main(list(args))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    out.flush()
    err.flush()
    return Outcome(code, out_bytes.getvalue().decode(), err_bytes.getvalue().decode())


def check(outcome: Outcome, args: Sequence[str], *, json_out: bool, csv_out: bool) -> None:
    """A correct result (exit 0, well-formed output) or one clear line and a non-zero exit."""
    shown = repr(list(args))[:400]
    for stream in (outcome.out, outcome.err):
        assert "Traceback" not in stream, f"{shown}: a traceback reached the user"
    if outcome.code == 0:
        assert outcome.err == "", f"{shown}: exit 0 but stderr {outcome.err[:300]!r}"
        if outcome.out.startswith("Usage: switchboard"):  # -h among the words: help, not data
            json_out = csv_out = False
        if json_out and outcome.out.strip():
            try:
                json.loads(outcome.out)
            except ValueError:  # `events --json`: one object a line
                for line in outcome.out.splitlines():
                    json.loads(line)
        if csv_out:
            rows = list(csv.reader(io.StringIO(outcome.out, newline="")))
            assert rows and all(len(row) == len(rows[0]) for row in rows), shown
        else:
            assert_inert(outcome.out, f"{shown}: stdout")
        return
    err = outcome.err
    assert "internal error" not in err and outcome.code != 70, f"{shown}: {err[:400]!r}"
    assert err.startswith("switchboard: "), f"{shown}: stderr {err[:400]!r}"
    assert err.endswith("\n") and err.count("\n") == 1, f"{shown}: not one line: {err[:400]!r}"
    assert len(err) <= MAX_ERROR, f"{shown}: a {len(err)}-character error: {err[:200]!r}..."
    assert_inert(err, f"{shown}: stderr")
    if not csv_out:
        assert_inert(outcome.out, f"{shown}: stdout")


# -- every command of the click group ------------------------------------------------------

Path_ = tuple[str, ...]


def walk(group: click.Group, path: Path_ = ()) -> Iterator[tuple[Path_, click.Command]]:
    """Every command, and every group that also runs on its own (`switchboard`, `demo`)."""
    if group.invoke_without_command:
        yield path, group
    context = click.Context(group)
    for name in sorted(group.list_commands(context)):  # the top group loads them lazily
        command = group.get_command(context, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from walk(command, (*path, name))
        else:
            yield (*path, name), command


COMMANDS: dict[Path_, click.Command] = dict(walk(cli))
CONFIG = next(param for param in cli.params if param.name == "config_path")


def label(path: Path_) -> str:
    return " ".join(("switchboard", *path))


#: Options left out, with why (see the module docstring).
LEFT_OUT: dict[Path_, set[str]] = {
    ("events",): {"follow"},  # runs until interrupted
    ("demo", "seed"): {"force"},  # seeds a whole demo desk, a second or more each time
    (): {"version"},  # eager: prints the version and stops before the subcommand
}
#: Options always given here: without them the command runs until interrupted.
ALWAYS: dict[Path_, set[str]] = {("simulate",): {"duration"}, ("pager",): {"once"}}
#: Commands that change the schema: each example gets a fresh copy of the SQLite file.
SCHEMA_CHANGING = {("db", "upgrade"), ("db", "downgrade")}
#: Commands that never write, so the database is unchanged even when they succeed.
READ_ONLY = {
    ("ticket", "show"),
    ("ticket", "list"),
    ("report", "billing"),
    ("report", "sla"),
    ("report", "coverage"),
    ("events",),
    ("doctor",),
    ("desk", "status"),
    ("sla", "due"),
    ("db", "current"),
    ("policy", "show"),
    ("policy", "history"),
}


class Uncovered(Exception):
    pass


def kind_of(param: click.Parameter) -> str:
    """What a parameter means, from its name, metavar and type: picks the values to try."""
    if isinstance(param, click.Option) and param.is_flag:
        return "flag"
    if isinstance(param.type, click.Choice):
        return "choice"
    name, metavar = param.name or "", param.metavar or ""
    by_name = {
        "database_url": "url",
        "config_path": "config",
        "revision": "revision",
        "actor": "handle",
        "handle": "handle",
        "to": "handle",
        "customer": "customer",
        "customer_name": "customer",
        "contact": "contact",
    }
    if metavar == "ISO":
        return "instant"
    if metavar == "DATE":
        return "date"
    if metavar == "HANDLE":
        return "handle"
    if name in by_name and isinstance(param.type, click.types.StringParamType):
        return by_name[name]
    if isinstance(param.type, click.types.IntParamType):
        return "id" if metavar == "ID" else "int"
    if isinstance(param.type, click.types.FloatParamType):
        return "float"
    if isinstance(param.type, click.types.StringParamType):
        return "text"
    raise Uncovered(f"{param.name} ({type(param.type).__name__})")


# -- values ---------------------------------------------------------------------------------

NASTY_PIECES = [
    "\x1b[2J\x1b[H",
    "\x1b[31mred\x1b[0m",
    "\x1b]0;owned\x07",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\x1bc",
    "\x00",
    "\r",
    "\n",
    "\t",
    "\x07",
    "\x08",
    "\x7f",
    "\x9b31m",
    "\x85",
    "\u202e",
    "\u2066",
    "\u200f",
    "\u2028",
    "\ufeff",
    "\udcff",
    "'; DROP TABLE requests; --",
    "' OR '1'='1",
    '" OR ""="',
    "%",
    "_",
    "\\",
    "--",
    "-1",
    "-h",
    "é",
    "日本",
    "👩‍👩‍👧",
    "e\u0301",
    " ",
]
LONG = ["x" * 10_000, "é" * 10_000, "\x1b[31m" * 1_700, "'; DROP TABLE requests; --" * 400]


def nasty() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=30),
        st.lists(
            st.one_of(st.sampled_from(NASTY_PIECES), st.text(max_size=6)), min_size=1, max_size=5
        ).map("".join),
        st.sampled_from(LONG),
    )


IMPOSSIBLE_TIMES = [
    "2026-02-30T10:00",
    "2026-13-01T10:00",
    "2026-00-10T10:00",
    "2026-11-20T24:61",
    "24:61",
    "2026-11-20T25:00",
    "2026-11-20T10:00:60",
    "2026-03-08T02:30",  # skipped when clocks go forward in Chicago
    "2027-03-14T02:15",
    "2026-11-01T01:30",  # happens twice when they go back
    "2026-11-01T01:30-05:00",
    "9999-12-31T23:59",
    "9999-12-31T23:59-12:00",
    "0001-01-01T00:00+14:00",
    "0001-01-01T00:00",
    "2026-11-30",
    "2026-11-30T",
    "noon",
    "yesterday",
    "2026-11-20T10:00+25:00",
    "2026-11-20T10:00 CST",
    "1e9",
    "",
    " ",
]
BAD_DATES = [
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "2027-02-29",
    "9999-12-31",
    "0001-01-01",
    "20261201",
    "2026-W49-1",
    "tomorrow",
    "12/01/2026",
    "2026-12-01T10:00",
    "",
]
BAD_URLS = [
    "'; DROP TABLE requests; --",
    "sqlite://",
    "mysql://x/y",
    "postgresql://",
    "postgresql+psycopg://nobody:s3cret@127.0.0.1:1/x",
    "postgresql+pg8000://127.0.0.1:1/x",
    "sqlite:////nonexistent/folder/x.sqlite3",
    "postgresql://u:p@127.0.0.1:99999/x",
    "",
]


def _aware_times() -> st.SearchStrategy[str]:
    offsets = st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ).map(lambda d: timezone(timedelta(minutes=d // timedelta(minutes=1))))
    return st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.none() | offsets
    ).map(datetime.isoformat)


#: Values that pass the command's own checks (the desk's state may still refuse them).
VALID: dict[str, list[str]] = {
    "handle": ["lena", "dora", "ari", "abe", "tess", "cara"],
    "customer": ["Springfield", "Shelbyville", "1", "2"],
    "contact": ["Mayor Quimby", "Clerk Smithers", "Mayor Hooper", "1"],
    "id": ["1", "2", "3", "4", "5", "6"],
    "int": ["1", "2", "7"],
    "float": ["0.05", "1", "20"],
    "instant": [
        "2026-11-17T11:00",
        "2026-11-18T09:30-06:00",
        "2026-11-19T15:00Z",
        "2026-11-20T20:00",
        "2026-11-21T03:00-06:00",
    ],
    "date": ["2026-11-01", "2026-11-30", "2026-12-15", "2027-01-04"],
    "text": ["ok", "Printer on fire", "  padded  ", "Ünïcödé 日本語 עברית", "x\u202eevil"],
    "revision": ["head", "0001"],
}
#: Values for one parameter of one command, where the kind's are not valid there.
VALID_HERE: dict[tuple[Path_, str], list[str]] = {
    (("staff", "add"), "handle"): ["zed", "yan", "ari"],
    (("staff", "add"), "name"): ["Zed Zimmer"],
    (("customer", "add"), "name"): ["Ogdenville", "North Haverbrook", "Springfield"],
    (("contact", "add"), "email"): ["clerk@springfield.example"],
    (("contact", "add"), "phone"): ["+1 555 0100"],
    (("db", "downgrade"), "revision"): ["base", "0001"],
    (("simulate",), "duration"): ["0.05", "0.1"],
}
#: Values the command must refuse, or accept only if they mean something.
ODD: dict[str, list[str]] = {
    "handle": ["ghost", "LENA", " ari ", "Lena Lead", "ari;--", "x" * 33],
    "customer": ["Nowhere", "springfield", " 2 ", "999", "0", str(2**63), "1 OR 1=1"],
    "contact": ["Nobody", "999", "mayor quimby", "0"],
    "id": [
        "0",
        "-1",
        "999",
        str(2**63 - 1),
        str(2**63),
        str(10**30),
        "abc",
        "1.5",
        "0x10",
        "١",
        " 2",
        "",
        "1e3",
    ],
    "int": ["0", "-1", "61", str(2**63), str(10**30), "abc", "1e3", ""],
    "float": ["0", "-1", "nan", "inf", "-inf", "1e308", "1e-308", "1e400", "abc", "", "0x1p-2"],
    "instant": IMPOSSIBLE_TIMES,
    "date": BAD_DATES,
    "text": ["", " "],
    "revision": [
        "base",
        "-1",
        "-2",
        "+1",
        "heads",
        "head+1",
        "head-1",
        "@",
        "0001@head",
        "ffff",
        "nonsense",
        "",
    ],
    "url": BAD_URLS,
    "config": ["/nonexistent/switchboard.toml", "/", "/etc/hostname", "\x00", ""],
}
#: Bad values for one parameter of one command, where the kind's would run for ever.
ODD_HERE: dict[tuple[Path_, str], list[str]] = {
    (("simulate",), "duration"): ["0", "-1", "nan", "inf", "-inf", "1e400", "abc", "", "NaN"],
}


def good(path: Path_, param: click.Parameter, kind: str) -> st.SearchStrategy[str]:
    if (path, param.name) in VALID_HERE:
        return st.sampled_from(VALID_HERE[(path, param.name or "")])
    if param.name == "actor":  # mostly the desk lead, who may do the most
        return st.sampled_from(["lena", "lena", "lena", "dora", "ari", "tess"])
    if kind == "choice":
        assert isinstance(param.type, click.Choice)
        return st.sampled_from([str(choice) for choice in param.type.choices])
    return st.sampled_from(VALID[kind])


def bad(path: Path_, param: click.Parameter, kind: str) -> st.SearchStrategy[str]:
    if (path, param.name) in ODD_HERE:
        return st.sampled_from(ODD_HERE[(path, param.name or "")])
    if kind == "choice":
        assert isinstance(param.type, click.Choice)
        valid = st.sampled_from([str(choice) for choice in param.type.choices])
        return st.one_of(valid.map(str.upper), valid.map(lambda v: v + "\x1b[0m"), nasty())
    odd = st.sampled_from(ODD[kind])
    if kind == "instant":
        odd = st.one_of(odd, _aware_times())
    if kind == "date":
        odd = st.one_of(odd, st.dates().map(date.isoformat))
    return st.one_of(odd, nasty())


@dataclass(frozen=True)
class Invocation:
    args: list[str]
    json_out: bool
    csv_out: bool


def fuzzed(path: Path_, param: click.Parameter) -> bool:
    return param.name not in LEFT_OUT.get(path, set()) and param.name != "help"


@st.composite
def invocations(draw: st.DrawFn, path: Path_) -> Invocation:
    """A command line: all values good, or one bad (the deep checks get reached), or
    all bad. A left-out optional value and a missing required one count as values."""
    params = [param for param in COMMANDS[path].params if fuzzed(path, param)]
    targets = params if not path else [*params, CONFIG]
    mode = draw(st.sampled_from(["one bad", "one bad", "one bad", "all good", "all bad"]))
    wrong = draw(st.sampled_from(targets)) if mode == "one bad" else None

    def value(param: click.Parameter) -> list[str]:
        """The words for `param` on the command line ([] for none)."""
        is_bad = mode == "all bad" or param is wrong
        kind = kind_of(param)
        opts = param.opts[:1] if isinstance(param, click.Option) else []
        if kind == "flag":
            always_on = param.name in ALWAYS.get(path, set())
            return opts if always_on or draw(st.booleans()) else []
        if kind in ("url", "config"):  # good: the test's database, the default settings
            chosen = param is wrong or (is_bad and draw(st.integers(0, 3)) == 0)
            return [*opts, draw(bad(path, param, kind))] if chosen else []
        always = param.name in ALWAYS.get(path, set())
        if is_bad:
            if opts and not always and draw(st.integers(0, 5)) == 0:
                return []  # a required option missing, an optional one left out
            return [*opts, draw(bad(path, param, kind))]
        optional = not param.required and not always
        if opts and optional and param.name != "actor" and draw(st.booleans()):
            return []
        return [*opts, draw(good(path, param, kind))]

    prefix = value(CONFIG) if path else []
    options = [value(param) for param in params if isinstance(param, click.Option)]
    positionals = [word for p in params if isinstance(p, click.Argument) for word in value(p)]
    flat = [word for option in draw(st.permutations(options)) for word in option]
    if positionals and draw(st.booleans()):  # after `--` a value may start with '-'
        args = [*prefix, *path, *flat, "--", *positionals]
    else:
        args = [*prefix, *path, *positionals, *flat]
    return Invocation(args, json_out=["--json"] in options, csv_out=["--csv"] in options)


# -- the desk the commands run against ------------------------------------------------------


def seed(database: Database, rules: Rules) -> None:
    """Requests in every state the commands care about, on the conftest desk.

    1 resolved; 2 open, escalated to Customer Care; 3 open, escalated to Technical;
    4 an unverified emergency (Clerk Smithers is not designated); 5 after hours, notice
    given, an hour of billable work; 6 after hours, needing a billing notice.
    """
    with database.session() as s:
        c.log_request(
            s, "ari", LOGGED, rules, channel="email", customer="Springfield", summary="one"
        )
        c.resolve(s, "ari", LOGGED, request_id=1)
        c.log_request(
            s, "ari", LOGGED, rules, channel="email", customer="Springfield", summary="two"
        )
        c.escalate(s, "ari", LOGGED, request_id=2, kind="additional-services")
        c.log_request(
            s, "ari", LOGGED, rules, channel="portal", customer="Shelbyville", summary="three"
        )
        c.escalate(s, "ari", LOGGED, request_id=3, kind="product")
        c.log_request(
            s,
            "dora",
            LOGGED,
            rules,
            channel="voicemail",
            customer="Springfield",
            summary="four",
            contact="Clerk Smithers",
            emergency=True,
        )
        later = AFTER_HOURS + timedelta(hours=2)
        c.log_request(
            s,
            "ari",
            AFTER_HOURS,
            rules,
            channel="voicemail",
            customer="Shelbyville",
            summary="five",
        )
        c.record_billing_notice(
            s, "ari", later, request_id=5, method="phone", at=AFTER_HOURS + timedelta(minutes=30)
        )
        c.log_work(
            s,
            "ari",
            later,
            rules,
            request_id=5,
            started_at=AFTER_HOURS + timedelta(minutes=40),
            ended_at=AFTER_HOURS + timedelta(minutes=100),
        )
        c.log_request(
            s, "ari", AFTER_HOURS, rules, channel="email", customer="Shelbyville", summary="six"
        )


@pytest.fixture
def fuzz_desk(
    desk: Database, rules: Rules, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Database:
    """The conftest desk with requests, as the CLI's default database; the console faked."""
    seed(desk, rules)
    monkeypatch.setenv("SWITCHBOARD_DATABASE_URL", database_url)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # never the real embedded file
    for name in ("SWITCHBOARD_USER", "SWITCHBOARD_DEBUG", "SWITCHBOARD_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    import console.ui.app

    class StandIn:  # the Textual app: opening it is not what is fuzzed here
        def run(self) -> None:
            return None

    monkeypatch.setattr(console.ui.app, "make_app", lambda *_args, **_kw: StandIn())
    import uvicorn

    # `switchboard portal` would serve until interrupted: its server is a stand-in too.
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **_kw: None)
    return desk


class Pristine:
    """A copy of the SQLite file to put back before each example of a schema command."""

    def __init__(self, database: Database, url: str, tmp_path: Path) -> None:
        self.database = database
        self.path = Path(url.removeprefix("sqlite:///"))
        self.copy = tmp_path / "pristine.sqlite3"
        database.dispose()  # the last connection closed: the WAL is in the main file
        shutil.copy(self.path, self.copy)

    def restore(self) -> None:
        self.database.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        shutil.copy(self.copy, self.path)


def takes_actor(path: Path_) -> bool:
    return any(param.name == "actor" for param in COMMANDS[path].params)


def _cases() -> list[Any]:
    cases = [pytest.param(path, "sqlite", id=f"{label(path)}-sqlite") for path in COMMANDS]
    cases += [
        pytest.param(path, "postgres", id=f"{label(path)}-postgres", marks=pytest.mark.postgres)
        for path in COMMANDS
        if takes_actor(path)
    ]
    return cases


# -- the tests --------------------------------------------------------------------------------


def test_every_parameter_has_a_generator() -> None:
    uncovered = []
    for path, command in COMMANDS.items():
        for param in command.params:
            try:
                kind_of(param)
            except Uncovered as exc:
                uncovered.append(f"{label(path)}: {exc}")
    assert not uncovered, f"no fuzz values for: {', '.join(uncovered)} (teach kind_of)"
    for table in (LEFT_OUT, ALWAYS):
        for path, names in table.items():
            assert path in COMMANDS, f"{label(path)} is gone: update the fuzz tables"
            assert names <= {p.name for p in COMMANDS[path].params}, (label(path), names)
    for path in SCHEMA_CHANGING | READ_ONLY:
        assert path in COMMANDS, f"{label(path)} is gone: update the fuzz tables"
    assert len(COMMANDS) >= 30 and ("ticket", "new") in COMMANDS


@pytest.mark.parametrize(("path", "database_url"), _cases(), indirect=["database_url"])
def test_every_command_gives_a_result_or_one_clear_line(
    path: Path_,
    database_url: str,
    fuzz_desk: Database,
    fingerprint_of: Fingerprint,
    tmp_path: Path,
) -> None:
    pristine = Pristine(fuzz_desk, database_url, tmp_path) if path in SCHEMA_CHANGING else None
    examples = EXAMPLES_POSTGRES if database_url.startswith("postgresql") else EXAMPLES

    @settings(max_examples=examples, deadline=None, derandomize=False)
    @given(invocation=invocations(path))
    def run(invocation: Invocation) -> None:
        if pristine is not None:
            pristine.restore()
        before = fingerprint_of(fuzz_desk)
        outcome = invoke(invocation.args)
        event("exit 0" if outcome.code == 0 else " ".join(outcome.err.split()[:3]))
        check(outcome, invocation.args, json_out=invocation.json_out, csv_out=invocation.csv_out)
        if outcome.code != 0 or path in READ_ONLY:
            assert fingerprint_of(fuzz_desk) == before, (
                f"{invocation.args!r}"[:300] + f" (exit {outcome.code}) changed the database"
            )

    run()


# -- stored text comes back inert -----------------------------------------------------------

SUMMARIES = st.one_of(
    nasty(),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=80),
    st.lists(
        st.sampled_from(["\u202e", "\u2066", "\u200f", "\u2069", "abc", "日本", " "]),
        min_size=1,
        max_size=6,
    ).map("".join),
)


@pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_a_summary_given_to_the_cli_is_shown_inert_and_kept_exact(
    database_url: str, fuzz_desk: Database, fingerprint_of: Fingerprint
) -> None:
    @settings(max_examples=40, deadline=None)
    @given(summary=SUMMARIES)
    def run(summary: str) -> None:
        before = fingerprint_of(fuzz_desk)
        new = [
            "ticket",
            "new",
            "--customer",
            "Springfield",
            "--channel",
            "email",
            "--summary",
            summary,
            "--as",
            "ari",
            "--json",
        ]
        created = invoke(new)
        check(created, new, json_out=True, csv_out=False)
        if created.code != 0:
            assert fingerprint_of(fuzz_desk) == before
            return
        request = json.loads(created.out)
        assert request["summary"] == summary.strip()
        shown = invoke(["ticket", "show", str(request["id"])])
        check(shown, ["ticket", "show"], json_out=False, csv_out=False)
        assert shown.code == 0 and escaped(summary.strip()) in shown.out
        listed = invoke(["ticket", "list", "--customer", "Springfield"])
        check(listed, ["ticket", "list"], json_out=False, csv_out=False)
        line = next(x for x in listed.out.splitlines() if x.startswith(f"request {request['id']}:"))
        assert line.endswith(escaped(summary.strip()[:60]))
        as_json = invoke(["ticket", "show", str(request["id"]), "--json"])
        assert json.loads(as_json.out)["summary"] == summary.strip()
        assert_inert(as_json.out, "ticket show --json")

    run()


STORED = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=60
).filter(str.strip) | st.lists(
    st.sampled_from([p for p in NASTY_PIECES if "\x00" not in p and "\udcff" not in p]),
    min_size=1,
    max_size=4,
).map("".join).filter(str.strip)


HANDLES = {"lena", "dora", "ari", "abe", "tess"}


@pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_text_written_by_any_sql_client_is_shown_inert(
    database_url: str, fuzz_desk: Database
) -> None:
    """The database is shared with other SQL clients: whatever they stored, every
    human-readable command prints it inert and every --json prints it exactly."""
    readers = [
        ["ticket", "show", "5"],
        ["ticket", "show", "2"],
        ["ticket", "list"],
        ["ticket", "list", "--open", "--customer", "2"],
        ["report", "billing", "--from", "2026-11-01", "--to", "2026-11-30"],
        ["report", "sla", "--from", "2026-11-01", "--to", "2026-11-30"],
        ["report", "sla", "--from", "2026-11-01", "--to", "2026-11-30", "--breaches"],
        ["events"],
    ]

    @settings(max_examples=25, deadline=None)
    @given(
        summary=STORED,
        municipality=STORED.filter(lambda v: v.lower() != "springfield"),
        name=STORED,
        handle=STORED.filter(lambda v: v[:32] not in HANDLES),
    )
    def run(summary: str, municipality: str, name: str, handle: str) -> None:
        with fuzz_desk.engine.begin() as connection:
            connection.execute(
                text("UPDATE requests SET summary = :v WHERE id IN (2, 5)"), {"v": summary}
            )
            connection.execute(
                text("UPDATE customers SET municipality = :v WHERE id = 2"), {"v": municipality}
            )
            connection.execute(
                text("UPDATE staff SET name = :n, handle = :h WHERE id = 6"),
                {"n": name, "h": handle[:32]},
            )
            connection.execute(text("UPDATE requests SET assignee_id = 6 WHERE id = 2"))
        for args in readers:
            outcome = invoke(args)
            assert outcome.code == 0, (args, outcome.err)
            check(outcome, args, json_out=False, csv_out=False)
        shown = invoke(["ticket", "show", "5", "--json"])
        data = json.loads(shown.out)
        assert (data["summary"], data["customer"]) == (summary, municipality)
        assert_inert(shown.out, "ticket show --json")
        listed = invoke(["ticket", "list", "--json"])
        assert {r["id"]: r["assignee"] for r in json.loads(listed.out)}[2] == handle[:32]
        assert_inert(listed.out, "ticket list --json")
        csv_out = invoke(
            ["report", "billing", "--from", "2026-11-01", "--to", "2026-11-30", "--csv"]
        )
        rows = list(csv.DictReader(io.StringIO(csv_out.out, newline="")))
        assert [(r["customer"], r["summary"]) for r in rows] == [(municipality, summary)]

    run()


# -- the parsers the commands share ---------------------------------------------------------


@st.composite
def iso_like(draw: st.DrawFn) -> str:
    """Strings shaped like ISO-8601 with every field allowed out of range."""
    year = draw(
        st.sampled_from(["0000", "0001", "1899", "1900", "2026", "2999", "3000", "9999"])
        | st.integers(0, 99999).map(str)
    )
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    hour, minute = draw(st.integers(0, 25)), draw(st.integers(0, 61))
    text_ = f"{year}-{month:02d}-{day:02d}{draw(st.sampled_from(['T', ' ', 't', '']))}"
    text_ += f"{hour:02d}:{minute:02d}"
    if draw(st.booleans()):
        text_ += f":{draw(st.integers(0, 61)):02d}"
    return text_ + draw(
        st.sampled_from(
            ["", "Z", "+00:00", "-06:00", "+14:00", "-23:59", "+24:00", "+05:30", " CST"]
        )
    )


ANY_TIME = st.one_of(st.text(), iso_like(), _aware_times(), st.sampled_from(IMPOSSIBLE_TIMES))


@pytest.fixture
def context(monkeypatch: pytest.MonkeyPatch) -> Context:
    monkeypatch.delenv("SWITCHBOARD_CONFIG", raising=False)
    return Context(_settings=Settings())


@settings(
    max_examples=EXAMPLES_PROPERTY,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(typed=ANY_TIME)
def test_any_string_is_an_instant_or_one_clear_line(context: Context, typed: str) -> None:
    try:
        at = context.instant(typed, "--at")
    except UserError as exc:
        message = exc.format_message()
        assert message.startswith("--at: ") and "\n" not in message, message
        return
    assert at.utcoffset() == timedelta(0)
    assert 1899 <= at.year <= 3000
    # what was read is what was typed: the same wall time, in the zone it was typed in
    typed_at = datetime.fromisoformat(typed.strip())
    if typed_at.tzinfo is None:
        assert at.astimezone(CHICAGO).replace(tzinfo=None) == typed_at
    else:
        assert at == typed_at


@settings(
    max_examples=EXAMPLES_PROPERTY,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    moment=st.datetimes(
        min_value=datetime(1900, 1, 2), max_value=datetime(2999, 12, 30), timezones=st.just(UTC)
    )
)
def test_every_instant_in_range_reads_back(context: Context, moment: datetime) -> None:
    assert context.instant(moment.isoformat(), "--at") == moment
    local = moment.astimezone(CHICAGO).replace(tzinfo=None)
    try:
        assert context.instant(local.isoformat(), "--at") == moment
    except UserError as exc:  # only the hour repeated when clocks go back is ambiguous
        assert "happens twice" in exc.format_message()


@settings(max_examples=EXAMPLES_PROPERTY, deadline=None)
@given(
    first=st.one_of(st.text(), st.dates().map(date.isoformat), st.sampled_from(BAD_DATES)),
    last=st.one_of(st.text(), st.dates().map(date.isoformat), st.sampled_from(BAD_DATES)),
)
def test_any_strings_are_a_period_or_one_clear_line(first: str, last: str) -> None:
    try:
        start, end = dates(first, last)
    except UserError as exc:
        message = exc.format_message()
        assert message.startswith(("--from", "--to")) and "\n" not in message, message
        return
    assert start <= end
    assert (start, end) == (parse_date(first), parse_date(last))


@settings(max_examples=EXAMPLES_PROPERTY, deadline=None)
@given(
    typed=st.one_of(
        ANY_TIME,
        st.from_regex(r"\A\d{1,3}:\d{1,3}\Z"),
        st.sampled_from(["00:00", "23:59", "24:00", "02:30", "01:30", "7:05", "١٢:٣٠"]),
    ),
    now=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
)
def test_a_recent_time_is_not_after_now_or_a_clear_error(typed: str, now: datetime) -> None:
    try:
        at = parse_recent(typed, CHICAGO, now)
    except LocalTimeError as exc:
        assert "\n" not in str(exc)
        return
    assert at.utcoffset() == timedelta(0) and at <= now
