"""A throw-away Dovecot IMAP server for the tests: loopback, a free port, a maildir in tmp.

Skipped with the reason and the install command when `dovecot` is missing, unless
SWITCHBOARD_REQUIRE_MAIL=1 (then a failure). Runs as root in CI, so the mail user is the
system's `mail` account (Dovecot refuses mail access as root).
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

USER, PASSWORD = "desk", "imap-test-secret"
INSTALL = "apt-get install -y dovecot-imapd"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/Maildir
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Dovecot:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        mail = pwd.getpwnam("mail")
        for folder in ("run", "state", "home", "Maildir"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        for folder in ("home", "Maildir"):
            os.chown(root / folder, mail.pw_uid, mail.pw_gid)
        os.chmod(root, 0o755)
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        self.config = root / "dovecot.conf"
        self.config.write_text(
            CONFIG.format(root=root, port=self.port, uid=mail.pw_uid, gid=mail.pw_gid)
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["dovecot", "-F", "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=(self.root / "stderr.log").open("wb"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                client = self.client()
                client.logout()
                return
            except (OSError, imaplib.IMAP4.error):
                if self.process.poll() is not None:
                    raise RuntimeError(f"dovecot exited: {self.log()}") from None
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not answer within 60 s: {self.log()}")

    def log(self) -> str:
        text = ""
        for name in ("stderr.log", "dovecot.log"):
            if (self.root / name).exists():
                text += (self.root / name).read_text(errors="replace")
        return text[-2000:]

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self.process = None

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        client.login(USER, PASSWORD)
        return client

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            for message in messages:
                status, data = client.append(folder, None, None, message)
                assert status == "OK", data
        finally:
            client.logout()

    def expunge_all(self, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            client.select(folder)
            client.store("1:*", "+FLAGS", "\\Deleted")
            client.expunge()
        finally:
            client.logout()


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if shutil.which("dovecot") is None:
        reason = f"dovecot is not installed ({INSTALL})"
        if os.environ.get("SWITCHBOARD_REQUIRE_MAIL") == "1":
            pytest.fail(f"{reason} and SWITCHBOARD_REQUIRE_MAIL=1")
        pytest.skip(reason)
    # Dovecot's own users (auth, mail) must reach the files: pytest's tmp is private.
    root = Path(tempfile.mkdtemp(prefix="switchboard-dovecot-"))
    os.chmod(root, 0o755)
    server = Dovecot(root)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
