"""`switchboard intake imap` against a real Dovecot (tests/mail/dovecot.py): UIDs, not
sequence numbers; the mark in the database; pipe and IMAP, two fetchers, a new
UIDVALIDITY, Dovecot restarted and the fetcher killed with SIGKILL: every message once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from console.clock import FrozenClock
from console.mail.imap import Fetcher, ImapConfigError, connect
from console.settings import ImapSettings, IntakeSettings
from console.store.db import Database
from console.store.models import Request
from console.store.models_mail import ImapFolderState, MailMessage
from tests.mail.dovecot import PASSWORD, USER, Dovecot
from tests.mail.intake_helpers import NOW, mail_desk, message, pipe

PATIENCE = 120.0


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "switchboard.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def mail(desk: Database) -> Database:
    return mail_desk(desk)


def settings_for(server: Dovecot, **changes: object) -> IntakeSettings:
    imap = ImapSettings(
        host="127.0.0.1",
        port=server.port,
        tls="none",
        user=USER,
        password_env="SWITCHBOARD_TEST_IMAP_PASSWORD",
        poll_seconds=0.2,
        max_backoff=0.5,
    )
    return IntakeSettings(imap=imap.model_copy(update=changes))


@pytest.fixture(autouse=True)
def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_TEST_IMAP_PASSWORD", PASSWORD)


def once(database: Database, server: Dovecot) -> int:
    settings = settings_for(server)
    fetcher = Fetcher(database, settings, "intake", FrozenClock(NOW))
    client = connect(settings.imap)
    try:
        return fetcher.run_once(client)
    finally:
        client.logout()


def counts(database: Database) -> tuple[int, int]:
    with database.reading() as session:
        return (
            session.scalar(select(func.count()).select_from(Request)) or 0,
            session.scalar(select(func.count()).select_from(MailMessage)) or 0,
        )


def numbered(first: int, last: int) -> list[bytes]:
    return [
        message("dmiller@springfield.example", f"Issue {n}", message_id=f"<imap{n}@x>")
        for n in range(first, last)
    ]


def in_folder(server: Dovecot, folder: str) -> int:
    """How many messages `folder` holds (none flagged for deletion counts)."""
    client = server.client()
    try:
        status, data = client.select(f'"{folder}"', readonly=True)
        assert status == "OK", data
        _, found = client.search(None, "UNDELETED")
        return len((found[0] or b"").split())
    finally:
        client.logout()


def wait_until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {PATIENCE} s: {what}")
        time.sleep(0.05)


def test_new_uids_only_and_the_mark_is_kept(mail: Database, dovecot: Dovecot) -> None:
    dovecot.append(*numbered(0, 3))
    assert once(mail, dovecot) == 3
    assert once(mail, dovecot) == 0
    dovecot.expunge_all()  # sequence numbers restart; UIDs do not
    dovecot.append(*numbered(3, 5))
    assert once(mail, dovecot) == 2
    assert counts(mail) == (5, 5)
    with mail.reading() as session:
        state = session.scalars(select(ImapFolderState)).one()
    assert state.last_uid == 5 and state.folder.endswith("/INBOX")
    with mail.reading() as session:
        vias = set(session.scalars(select(MailMessage.via)))
    assert vias == {"imap"}


def test_piped_and_fetched_and_a_new_uidvalidity_file_once(
    mail: Database, dovecot: Dovecot
) -> None:
    data = numbered(0, 2)
    assert pipe(mail, data[0]).outcome == "new"
    dovecot.append(*data)
    assert once(mail, dovecot) == 2
    assert counts(mail) == (2, 2)
    with mail.session() as session:  # the folder was re-created: read it all again
        session.execute(update(ImapFolderState).values(uidvalidity=1))
        session.commit()
    assert once(mail, dovecot) == 2
    assert counts(mail) == (2, 2)


def test_two_fetchers_at_once_file_each_message_once(mail: Database, dovecot: Dovecot) -> None:
    dovecot.append(*numbered(0, 12))
    threads = [threading.Thread(target=once, args=(mail, dovecot)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
    assert counts(mail) == (12, 12)


@pytest.mark.parametrize("idle", [True, False], ids=["idle", "polling"])
def test_a_restarted_dovecot_is_reconnected_to(
    mail: Database, dovecot: Dovecot, idle: bool
) -> None:
    settings = settings_for(dovecot, idle=idle)
    fetcher = Fetcher(mail, settings, "intake", FrozenClock(NOW))
    stop = threading.Event()
    worker = threading.Thread(target=fetcher.run, args=(stop.is_set,), daemon=True)
    worker.start()
    try:
        dovecot.append(*numbered(0, 2))
        wait_until(lambda: counts(mail) == (2, 2), "the first two filed")
        dovecot.stop()
        dovecot.start()
        dovecot.append(*numbered(2, 4))
        wait_until(lambda: counts(mail) == (4, 4), "the two sent after the restart")
    finally:
        stop.set()
        worker.join(PATIENCE)
    assert not worker.is_alive()


def test_idle_wakes_the_fetcher_for_new_mail(mail: Database, dovecot: Dovecot) -> None:
    # Polling only every 10 minutes: only IDLE can bring the second message in time.
    settings = settings_for(dovecot, poll_seconds=600.0, idle_seconds=540.0)
    fetcher = Fetcher(mail, settings, "intake", FrozenClock(NOW))
    stop = threading.Event()
    worker = threading.Thread(target=fetcher.run, args=(stop.is_set,), daemon=True)
    worker.start()
    try:
        dovecot.append(*numbered(0, 1))
        wait_until(lambda: counts(mail) == (1, 1), "the first message filed")
        dovecot.append(*numbered(1, 2))
        wait_until(lambda: counts(mail) == (2, 2), "the message IDLE announced")
    finally:
        stop.set()
        worker.join(PATIENCE)
    assert not worker.is_alive() and fetcher.idles >= 1


@pytest.mark.parametrize("processed", ["", "Processed"], ids=["left", "moved"])
def test_a_fetcher_killed_mid_batch_resumes_and_files_each_once(
    mail: Database, dovecot: Dovecot, database_url: str, processed: str
) -> None:
    dovecot.append(*numbered(0, 40))
    env = {
        "SWITCHBOARD_INTAKE__IMAP__PROCESSED_FOLDER": processed,
        **os.environ,
        "SWITCHBOARD_DATABASE_URL": database_url,
        "SWITCHBOARD_INTAKE__IMAP__HOST": "127.0.0.1",
        "SWITCHBOARD_INTAKE__IMAP__PORT": str(dovecot.port),
        "SWITCHBOARD_INTAKE__IMAP__TLS": "none",
        "SWITCHBOARD_INTAKE__IMAP__USER": USER,
        "SWITCHBOARD_IMAP_PASSWORD": PASSWORD,
    }
    program = str(Path(sys.executable).with_name("switchboard"))
    fetcher = subprocess.Popen([program, "intake", "imap"], env=env, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: counts(mail)[1] >= 5, "the fetcher filing")
        fetcher.send_signal(signal.SIGKILL)
        fetcher.wait(PATIENCE)
    finally:
        if fetcher.poll() is None:
            fetcher.kill()
    filed = counts(mail)[1]
    done = subprocess.run(
        [program, "intake", "imap", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert done.returncode == 0, done.stderr
    assert counts(mail) == (40, 40)
    # The kill may land inside a COMMIT: that message is then filed or not, and a read
    # right after the kill can miss it. Either way the second run files only the rest.
    if not processed:
        assert done.stdout.strip() in {f"filed {n} messages" for n in (40 - filed, 39 - filed)}
        assert in_folder(dovecot, "INBOX") == 40
        return
    # Killed after filing one, before moving it: it is read again, a duplicate, and moved.
    assert done.stdout.strip() in {
        f"filed {n} messages" for n in (39 - filed, 40 - filed, 41 - filed)
    }
    assert (in_folder(dovecot, "INBOX"), in_folder(dovecot, "Processed")) == (0, 40)


class Killed(BaseException):
    """The fetcher dies here: nothing after this line of it runs."""


def moving(server: Dovecot, **changes: object) -> IntakeSettings:
    settings = settings_for(server, processed_folder="Processed", quarantine_folder="Quarantine")
    return settings.model_copy(update=changes)


@pytest.mark.parametrize("how", ["MOVE", "COPY"])
def test_filed_mail_moves_to_processed_and_quarantined_mail_to_quarantine(
    mail: Database, dovecot: Dovecot, how: str
) -> None:
    huge = message("dmiller@springfield.example", "Huge", body="x" * 4000, message_id="<h@x>")
    dovecot.append(*numbered(0, 3), huge, *numbered(3, 5))
    settings = moving(dovecot, max_message_mb=0.002)  # 2 kB: the huge one is quarantined
    fetcher = Fetcher(mail, settings, "intake", FrozenClock(NOW))
    client = connect(settings.imap)
    assert "MOVE" in client.capabilities  # read again after login: Dovecot has MOVE
    if how == "COPY":  # a server without MOVE (RFC 6851)
        client.capabilities = tuple(c for c in client.capabilities if c != "MOVE")
    sent: list[str] = []
    uid = client.uid
    client.uid = lambda command, *args: sent.append(command) or uid(command, *args)  # type: ignore[method-assign]
    try:
        assert fetcher.run_once(client) == 6
        assert fetcher.run_once(client) == 0
    finally:
        client.logout()
    if how == "MOVE":
        assert sent.count("MOVE") == 6 and "COPY" not in sent
    else:
        assert sent.count("COPY") == sent.count("EXPUNGE") == 6 and "MOVE" not in sent
    assert counts(mail) == (5, 5)
    folders = {f: in_folder(dovecot, f) for f in ("INBOX", "Processed", "Quarantine")}
    assert folders == {"INBOX": 0, "Processed": 5, "Quarantine": 1}


def test_killed_between_filing_and_moving_files_once_and_moves_it_later(
    mail: Database, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    dovecot.append(*numbered(0, 5))
    settings = moving(dovecot)
    moved: list[int] = []
    real_move = Fetcher.move

    def dies_on_the_third(self: Fetcher, client: object, uid: int, folder: str) -> None:
        if len(moved) == 2:
            raise Killed  # the third message is filed (committed), not moved, not marked
        moved.append(uid)
        real_move(self, client, uid, folder)  # type: ignore[arg-type]

    monkeypatch.setattr(Fetcher, "move", dies_on_the_third)
    client = connect(settings.imap)
    with pytest.raises(Killed):
        Fetcher(mail, settings, "intake", FrozenClock(NOW)).run_once(client)
    client.shutdown()  # the connection dies with the process: no logout, no CLOSE
    assert counts(mail) == (3, 3)
    assert (in_folder(dovecot, "INBOX"), in_folder(dovecot, "Processed")) == (3, 2)
    monkeypatch.setattr(Fetcher, "move", real_move)
    restarted = Fetcher(mail, settings, "intake", FrozenClock(NOW))
    client = connect(settings.imap)
    try:
        assert restarted.run_once(client) == 3  # the third again (a duplicate), then two new
    finally:
        client.logout()
    assert counts(mail) == (5, 5)
    assert (in_folder(dovecot, "INBOX"), in_folder(dovecot, "Processed")) == (0, 5)


def test_a_destination_among_the_fetched_folders_is_refused(dovecot: Dovecot) -> None:
    settings = settings_for(dovecot, processed_folder="INBOX")
    with pytest.raises(ImapConfigError, match="processed_folder cannot be one of the folders"):
        connect(settings.imap)
