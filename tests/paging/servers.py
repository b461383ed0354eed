"""Real servers on loopback ports for the pager's tests: SMTP (aiosmtpd) and an HTTP
endpoint for Apprise's `json://` target. Each binds port 0 and runs in a thread."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable
from email import message_from_bytes
from email import policy as email_policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.smtp import SMTP


def wait_for(check: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    """Poll `check` until it returns something true (bounded), never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        with self.sink.lock:
            self.sink.arrived.append(message)
        if self.sink.hold is not None:
            await self.sink.hold.wait()
        with self.sink.lock:
            self.sink.messages.append(message)
        return "250 OK"


class SmtpSink:
    """An SMTP server that keeps what it receives. `arrived`: every DATA seen (also one
    whose sender died before the answer); `messages`: those answered 250."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrived: list[Message] = []
        self.messages: list[Message] = []
        self.hold: asyncio.Event | None = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.port = 0
        self.server: Any = None
        self.listen()

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(10)

    def listen(self) -> None:
        async def start() -> Any:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", self.port))
            return await self.loop.create_server(
                lambda: SMTP(_Handler(self), hostname="sink.test"), sock=sock
            )

        self.server = self._run(start())
        self.port = self.server.sockets[0].getsockname()[1]

    def stop_listening(self) -> None:
        async def stop() -> None:
            self.server.close()
            await self.server.wait_closed()

        self._run(stop())

    def hold_data(self) -> None:
        async def make() -> asyncio.Event:
            return asyncio.Event()

        self.hold = self._run(make())

    def release(self) -> None:
        if self.hold is not None:
            self.loop.call_soon_threadsafe(self.hold.set)

    def close(self) -> None:
        self.release()
        self.stop_listening()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def subjects(self) -> list[str]:
        with self.lock:
            return [str(m["Subject"]) for m in self.messages]


class JsonSink:
    """An HTTP server for Apprise's `json://127.0.0.1:PORT/` target; keeps each POST body."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                sink.posts.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/page"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
