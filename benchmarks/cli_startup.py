"""How long the `switchboard` command takes to start, against Python's own floor.

A desk agent types `switchboard ticket ...` dozens of times an hour, so its start-up is
the product. Two ratios, each a median over several runs, every command a fresh process:
- `--version` and `--help` against a bare `python -c pass` (target: within 6 times);
- a read, `ticket list` on the SQLite demo desk, against `python -c "import sqlalchemy.orm"`
  (target: within 1.5 times): a read cannot avoid SQLAlchemy, but it should cost little more.

Every command runs once untimed first, which also caches its compiled modules (in a
temporary folder, PYTHONPYCACHEPREFIX), as an installed copy has them. The runs are
interleaved (a, b, c, a, b, c, ...) so a burst of load on a shared machine falls on every
command alike. The desk is seeded once, before anything is timed. Prints one JSON
line last, e.g. {"python_s": 0.02, "version_ratio": 4.1, ..., "load_average": 0.8}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

#: Wednesday 2 December 2026, 10:00 in Chicago.
NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)


def switchboard(source: str | None) -> list[str]:
    """The installed `switchboard` script next to this interpreter, else the module; with
    `source`, the `console` package in that folder (another version, to compare)."""
    if source:
        code = (
            "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in "
            f"repr(f)]; sys.path.insert(0, {source!r}); from console.cli import entry; entry()"
        )
        return [sys.executable, "-c", code]
    script = Path(sys.executable).with_name("switchboard")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from console.cli import entry; entry()"]


def seed(url: str) -> None:
    """The demo desk (about 265 requests, the last 500 of which `ticket list` prints)."""
    from console.domain.policy import Policy
    from console.store import demo, schema
    from console.store.commands import Rules
    from console.store.db import open_database

    database = open_database(url)
    schema.upgrade(database.engine)
    demo.seed(database, NOW, 1, rules=Rules(Policy.defaults()))
    database.dispose()


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="runs of each command (median)")
    parser.add_argument(
        "--source", metavar="DIR", help="time the console package in DIR (e.g. an old version)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/desk.sqlite3"
        seed(url)
        env = {**os.environ, "SWITCHBOARD_USER": "rhernandez"}
        env.pop("SWITCHBOARD_CONFIG", None)
        # As installed: compiled modules cached (the untimed first run writes them, here,
        # out of the source tree), whatever this shell says about writing bytecode.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = f"{tmp}/pycache"
        commands = {
            "python": [sys.executable, "-c", "pass"],
            "sqlalchemy_orm": [sys.executable, "-c", "import sqlalchemy.orm"],
            "version": [*switchboard(args.source), "--version"],
            "help": [*switchboard(args.source), "--help"],
            "ticket_list": [*switchboard(args.source), "ticket", "list", "--database", url],
        }
        for argv in commands.values():  # warm the file cache once, untimed
            timed(argv, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                times[name].append(timed(argv, env))
    median = {name: statistics.median(values) for name, values in times.items()}
    for name, value in median.items():
        print(f"{name:15} {value * 1000:7.1f} ms", file=sys.stderr)
    result = {f"{name}_s": round(value, 4) for name, value in median.items()}
    result["version_ratio"] = round(median["version"] / median["python"], 2)
    result["help_ratio"] = round(median["help"] / median["python"], 2)
    result["ticket_list_ratio"] = round(median["ticket_list"] / median["sqlalchemy_orm"], 2)
    result["runs"] = args.runs
    result["load_average"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
