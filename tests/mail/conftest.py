"""Helpers for the mail tests: a fixture message read with a fixed fallback time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from console.mail.parsing import Incoming, Unreadable, read_message
from tests.mail.dovecot import dovecot  # noqa: F401 (the Dovecot fixture)

MESSAGES = Path(__file__).parent / "messages"
#: When the tests pretend the message reached us, unless a Received header says earlier.
FALLBACK = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)


def raw(name: str) -> bytes:
    return (MESSAGES / name).read_bytes()


def read(name: str, **kwargs: object) -> Incoming:
    """A fixture that must be readable."""
    kwargs.setdefault("received_fallback", FALLBACK)
    result = read_message(raw(name), **kwargs)  # type: ignore[arg-type]
    assert isinstance(result, Incoming), getattr(result, "reason", result)
    return result


def read_bytes(data: bytes, **kwargs: object) -> Incoming | Unreadable:
    kwargs.setdefault("received_fallback", FALLBACK)
    return read_message(data, **kwargs)  # type: ignore[arg-type]
