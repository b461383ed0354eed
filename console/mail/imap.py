"""The IMAP fetcher (`switchboard intake imap`): a mailbox's folders read by UID, for ever.

Why: a desk whose mail server cannot pipe to a program still has a mailbox. Help desks
that fetched by sequence number lost every second message when one was deleted meanwhile
(osTicket #6979), and overlapping runs made duplicate tickets (osTicket #1976). So:

What: each folder is read by UID, never by sequence number. Its UIDVALIDITY and the last
UID filed are kept in the database (`imap_folders`); a new UIDVALIDITY (the folder was
re-created) reads it again from the start. Every message goes through the same
`take_in` as the pipe, with IMAP's INTERNALDATE as the received time when no Received
header says otherwise, so a message fetched twice, or both piped and fetched, is a
`duplicate` by its key: the unique key, not hope, makes it exactly once. On Postgres a
fetcher also holds an advisory lock per folder while it reads it, so two fetchers on one
mailbox take turns instead of racing. Messages are left in the mailbox (read-only
SELECT): moving them is the mail server's business.

How it fails: a lost connection (server restarted, network down) is retried for ever,
waiting 1, 2, 4 ... seconds up to `max_backoff`; a database that cannot take a message
stops the batch (the message is read again next time; its key makes it land once). The
mark is written after the message is filed: a fetcher killed between the two reads that
message again and finds it a duplicate. Between passes it waits in IMAP IDLE on the first
folder where the server has it (ended and entered again every `idle_seconds`, 9 min by
default, as servers drop an IDLE after 30), else it polls every `poll_seconds`.
"""

from __future__ import annotations

import hashlib
import imaplib
import logging
import os
import re
import select
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from console.clock import Clock
from console.mail.intake import take_in
from console.settings import ImapSettings, IntakeSettings
from console.store.db import Database
from console.store.errors import DatabaseFailure
from console.store.models_mail import ImapFolderState

log = logging.getLogger(__name__)
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_UIDNEXT = re.compile(rb"UIDNEXT (\d+)")


class ImapConfigError(Exception):
    """The `[intake.imap]` settings cannot be used (one line)."""


def password(settings: ImapSettings) -> str:
    if settings.password_file:
        try:
            return Path(settings.password_file).read_text().strip()
        except OSError as exc:
            raise ImapConfigError(f"[intake.imap] password_file: {exc.strerror}") from None
    value = os.environ.get(settings.password_env)
    if value is None:
        raise ImapConfigError(
            f"no IMAP password: set ${settings.password_env} or [intake.imap] password_file"
        )
    return value


def connect(settings: ImapSettings) -> imaplib.IMAP4:
    if not settings.host or not settings.user:
        raise ImapConfigError("[intake.imap] host and user are needed")
    if settings.tls == "tls":
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(settings.host, settings.port, timeout=60)
    else:
        client = imaplib.IMAP4(settings.host, settings.port, timeout=60)
        if settings.tls == "starttls":
            client.starttls(ssl.create_default_context())
    client.login(settings.user, password(settings))
    return client


class Fetcher:
    """Reads every folder once per `run_once`; `run` loops with polling and backoff."""

    def __init__(
        self,
        database: Database,
        settings: IntakeSettings,
        service: str,
        clock: Clock,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.database, self.settings, self.service, self.clock = database, settings, service, clock
        self.imap = settings.imap
        self.sleep = sleep
        self.filed = 0
        #: How many times IDLE was entered (ended by new mail, the timer or a stop).
        self.idles = 0
        #: The last UID filed per folder key, as marked in the database by this fetcher.
        self.marks: dict[str, int] = {}

    def folder_key(self, folder: str) -> str:
        return f"{self.imap.user}@{self.imap.host}:{self.imap.port}/{folder}"[:500]

    def run(self, stop: Callable[[], bool] = lambda: False) -> None:
        """Fetch for ever (until `stop()`): reconnect with backoff, poll in between."""
        backoff = 1.0
        while not stop():
            try:
                client = connect(self.imap)
                try:
                    while not stop():
                        self.run_once(client)
                        backoff = 1.0
                        self._wait(client, stop)
                finally:
                    with suppress(OSError, imaplib.IMAP4.error):
                        client.logout()
            except ImapConfigError:
                raise
            except (OSError, imaplib.IMAP4.error, DatabaseFailure) as exc:
                log.warning("intake imap: %s; again in %.0f s", exc, backoff)
                self.sleep(backoff)
                backoff = min(backoff * 2, self.imap.max_backoff)

    def _wait(self, client: imaplib.IMAP4, stop: Callable[[], bool]) -> None:
        """Until the first folder changes (IDLE) or the time to look again has come."""
        if not self.imap.idle or "IDLE" not in client.capabilities:
            self.sleep(self.imap.poll_seconds)
            return
        # IDLE watches one folder: with several, come back in time to poll the others.
        seconds = self.imap.idle_seconds if len(self.imap.folders) == 1 else self.imap.poll_seconds
        folder = self.imap.folders[0]
        status, _ = client.select(_quoted(folder), readonly=True)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot select folder {folder!r}")
        # Mail that came after the last search announces nothing in IDLE: look first.
        following = _number(_UIDNEXT, client.untagged_responses.get("OK", []))
        if following is None or following > self.marks.get(self.folder_key(folder), 0) + 1:
            return
        idle(client, seconds, stop)
        self.idles += 1

    def run_once(self, client: imaplib.IMAP4) -> int:
        """One pass over the folders; how many messages it filed (any outcome)."""
        done = 0
        for folder in self.imap.folders:
            done += self._folder(client, folder)
        return done

    def _folder(self, client: imaplib.IMAP4, folder: str) -> int:
        status, _ = client.select(_quoted(folder), readonly=True)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot select folder {folder!r}")
        validity = _number(_UIDVALIDITY, client.untagged_responses.get("OK", []))
        if validity is None:
            _, data = client.status(_quoted(folder), "(UIDVALIDITY)")
            validity = _number(_UIDVALIDITY, data) or 0
        key = self.folder_key(folder)
        with self._folder_lock(key) as locked:
            if not locked:
                return 0  # another fetcher reads this folder now
            with self.database.session() as session:
                return self._read(client, session, key, validity)

    def _read(self, client: imaplib.IMAP4, session: Session, key: str, validity: int) -> int:
        state = session.get(ImapFolderState, key)
        last = state.last_uid if state is not None and state.uidvalidity == validity else 0
        session.rollback()
        status, data = client.uid("SEARCH", f"UID {last + 1}:*")
        if status != "OK":
            raise imaplib.IMAP4.error("UID SEARCH failed")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > last)
        done = 0
        for uid in uids:
            status, parts = client.uid("FETCH", str(uid), "(INTERNALDATE BODY.PEEK[])")
            found = [p for p in parts if isinstance(p, tuple)]
            if status != "OK" or not found:
                continue  # expunged meanwhile
            head, raw = found[0]
            take_in(
                self.database,
                bytes(raw),
                now=self.clock.now(),
                service=self.service,
                settings=self.settings,
                via="imap",
                received_fallback=_internal_date(head) or self.clock.now(),
            )
            self._mark(session, key, validity, uid)
            done += 1
            self.filed += 1
        if not uids:
            self._mark(session, key, validity, last)
        return done

    def _mark(self, session: Session, key: str, validity: int, uid: int) -> None:
        state = session.get(ImapFolderState, key)
        now = self.clock.now()
        if state is None:
            row = ImapFolderState(folder=key, uidvalidity=validity, last_uid=uid, updated_at=now)
            session.add(row)
        else:
            state.uidvalidity, state.last_uid, state.updated_at = validity, uid, now
        session.commit()
        self.marks[key] = uid

    @contextmanager
    def _folder_lock(self, key: str) -> Iterator[bool]:
        """On Postgres, a session advisory lock on a connection of its own (SQLite has one
        writer at a time, and the message key decides there too)."""
        if self.database.dialect != "postgresql":
            yield True
            return
        with self.database.engine.connect() as connection:
            lock = {"k": _lock_id(key)}
            got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:k)"), lock).scalar())
            connection.commit()
            try:
                yield got
            finally:
                if got:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), lock)
                    connection.commit()


def idle(client: imaplib.IMAP4, seconds: float, stop: Callable[[], bool]) -> bool:
    """IMAP IDLE (RFC 2177) on the selected folder for at most `seconds`: True when the
    server announced a change (EXISTS, RECENT, EXPUNGE). The standard library of this
    Python has no IDLE, so the command is spoken here, on imaplib's own connection."""
    tag = client._new_tag()  # imaplib's tag counter, so its next command stays in step
    client.send(tag + b" IDLE\r\n")
    if not client.readline().startswith(b"+"):
        raise imaplib.IMAP4.error("the server refused IDLE")
    changed = False
    deadline = time.monotonic() + seconds
    while not changed and not stop() and time.monotonic() < deadline:
        remaining = min(1.0, max(0.0, deadline - time.monotonic()))
        readable, _, _ = select.select([client.socket()], [], [], remaining)
        if readable:
            line = client.readline()
            if not line:
                raise imaplib.IMAP4.abort("the server closed the connection during IDLE")
            changed = any(word in line for word in (b"EXISTS", b"RECENT", b"EXPUNGE"))
    client.send(b"DONE\r\n")
    while True:  # the rest of the untagged lines, then the IDLE's own answer
        line = client.readline()
        if not line:
            raise imaplib.IMAP4.abort("the server closed the connection ending IDLE")
        if line.startswith(tag):
            return changed


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(b"imap:" + key.encode()).digest()[:8], "big", signed=True)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(pattern: re.Pattern[bytes], lines: Sequence[object]) -> int | None:
    for line in lines:
        if isinstance(line, bytes) and (found := pattern.search(line)):
            return int(found.group(1))
    return None


def _internal_date(head: bytes) -> datetime | None:
    moment = imaplib.Internaldate2tuple(head)
    if moment is None:
        return None
    return datetime.fromtimestamp(time.mktime(moment), UTC)
