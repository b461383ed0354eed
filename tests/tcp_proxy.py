"""A loopback TCP proxy that a test can cut and restore: a network outage on demand.

`CommitCutProxy` also reads the Postgres wire protocol from the client and can lose the
connection exactly at a COMMIT: before forwarding it (the write did not land) or after
forwarding it, instead of relaying the server's answer (it landed; the client cannot know).
"""

from __future__ import annotations

import contextlib
import socket
import threading


class Proxy:
    """Forwards 127.0.0.1:`port` to `upstream`; `cut()` drops every connection and
    refuses new ones until `restore()`."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._closed = False
        #: Connections turned away while cut: proof that a client tried again meanwhile.
        self.refused = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                self.refused += 1
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets |= {client, server}
            self._serve(client, server)

    def _serve(self, client: socket.socket, server: socket.socket) -> None:
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

    def cut(self) -> None:
        self.up.clear()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self._closed = True
        self.cut()
        self.listener.close()


#: Request codes of the untyped messages a client may send before its StartupMessage.
_SSL_REQUEST, _GSSENC_REQUEST = 80877103, 80877104


class CommitCutProxy(Proxy):
    """A `Proxy` that, once armed, loses the connection at the next COMMIT of a transaction
    that sent `marker` (a piece of SQL), then forwards everything as before.

    psycopg sends COMMIT as a simple query (`Q` message, text `COMMIT`); other statements
    go as `P` (parse) or `Q` messages carrying their SQL, where `marker` is looked for.
    Needs `sslmode=disable` on the client: encrypted traffic cannot be read.
    """

    def __init__(self, upstream: tuple[str, int]) -> None:
        super().__init__(upstream)
        self._armed: tuple[str, bytes] | None = None
        #: How many COMMITs were cut, at each point.
        self.cuts = {"before": 0, "after": 0}

    def arm(self, point: str, marker: bytes) -> None:
        """Cut at the next COMMIT after `marker`: `point` is "before" or "after" forwarding."""
        assert point in ("before", "after")
        with self._lock:
            self._armed = (point, marker)

    @property
    def armed(self) -> bool:
        with self._lock:
            return self._armed is not None

    def _serve(self, client: socket.socket, server: socket.socket) -> None:
        for sock in (client, server):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        answered = threading.Event()  # set: drop the connection instead of the next answer
        threading.Thread(
            target=self._frontend, args=(client, server, answered), daemon=True
        ).start()
        threading.Thread(target=self._backend, args=(server, client, answered), daemon=True).start()

    def _frontend(
        self, client: socket.socket, server: socket.socket, answered: threading.Event
    ) -> None:
        buffer = bytearray()
        started = False
        wrote = False
        try:
            while data := client.recv(65536):
                buffer += data
                out = bytearray()  # whole messages go on in one send: no Nagle stall
                while True:
                    message = _take(buffer, typed=started)
                    if message is None:
                        break
                    kind, body = message
                    if not started:
                        code = int.from_bytes(body[:4], "big") if len(body) >= 4 else 0
                        started = code not in (_SSL_REQUEST, _GSSENC_REQUEST)
                        out += _raw(kind, body, typed=False)
                        continue
                    text = body.rstrip(b"\0").strip().upper()
                    if kind in (b"Q", b"P") and self._marked(body):
                        wrote = True
                    if kind == b"Q" and text in (b"COMMIT", b"ROLLBACK"):
                        point = self._fire(wrote and text == b"COMMIT")
                        wrote = False
                        if point == "before":
                            server.sendall(out)
                            return
                        if point == "after":
                            answered.set()
                    out += _raw(kind, body, typed=True)
                server.sendall(out)
        except OSError:
            pass
        finally:
            _close(client, server)

    def _backend(
        self, server: socket.socket, client: socket.socket, answered: threading.Event
    ) -> None:
        try:
            while data := server.recv(65536):
                if answered.is_set():
                    return  # the server has answered the COMMIT: lose that answer
                client.sendall(data)
        except OSError:
            pass
        finally:
            _close(server, client)

    def _marked(self, body: bytes) -> bool:
        with self._lock:
            return self._armed is not None and self._armed[1] in body

    def _fire(self, wrote: bool) -> str | None:
        with self._lock:
            if not wrote or self._armed is None:
                return None
            point, self._armed = self._armed[0], None
            self.cuts[point] += 1
            return point


def _take(buffer: bytearray, *, typed: bool) -> tuple[bytes, bytes] | None:
    """The next whole message off `buffer`: (type byte, or b"" before startup; body)."""
    head = 5 if typed else 4
    if len(buffer) < head:
        return None
    length = int.from_bytes(buffer[head - 4 : head], "big")
    end = head - 4 + length
    if len(buffer) < end:
        return None
    kind = bytes(buffer[:1]) if typed else b""
    body = bytes(buffer[head:end])
    del buffer[:end]
    return kind, body


def _raw(kind: bytes, body: bytes, *, typed: bool) -> bytes:
    return (kind if typed else b"") + (len(body) + 4).to_bytes(4, "big") + body


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
