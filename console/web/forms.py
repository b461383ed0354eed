"""Reading a posted form strictly: size, encoding, and each field's own error.

Starlette's form parser replaces bytes that are not UTF-8; a support request must not be
silently altered, so the portal reads `application/x-www-form-urlencoded` itself and
names the field whose bytes do not decode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes

from starlette.requests import Request

#: The largest form body read, in bytes (a 1 MB summary still gets its field's message).
MAX_BODY = 2 * 1024 * 1024


class BodyTooLarge(Exception):
    pass


class NotAForm(Exception):
    pass


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    #: Field name -> what is wrong with it (bytes that are not UTF-8, a repeated field).
    errors: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.values.get(name)


async def read_form(request: Request) -> Form:
    """The posted fields; raises `NotAForm` or `BodyTooLarge`."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", ""):
        raise NotAForm(kind)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BodyTooLarge()
    if not kind and body:
        raise NotAForm("none")
    form = Form()
    for raw_name, raw_value in _pairs(bytes(body)):
        try:
            name = raw_name.decode("utf-8")
        except UnicodeDecodeError:
            continue  # a field we do not know; ignored like any unknown field
        try:
            value = raw_value.decode("utf-8")
        except UnicodeDecodeError:
            form.errors[name] = "contains bytes that are not valid UTF-8 text; retype it"
            value = ""
        # Browsers send a textarea's line breaks as CR LF (HTML's form encoding).
        value = value.replace("\r\n", "\n")
        if name in form.values:
            form.errors.setdefault(name, "was sent twice; send it once")
        form.values[name] = value
    return form


def _pairs(body: bytes) -> list[tuple[bytes, bytes]]:
    """`a=1&b=2` as byte pairs, percent-decoded, `+` as space (no decoding to text yet)."""
    pairs = []
    for part in body.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        pairs.append(
            (
                unquote_to_bytes(name.replace(b"+", b" ")),
                unquote_to_bytes(value.replace(b"+", b" ")),
            )
        )
    return pairs
