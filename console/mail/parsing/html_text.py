"""HTML mail turned into readable plain text, never rendered.

A mail with no text/plain part still has to be read on a terminal and stored as text.
The standard library's `html.parser` tokenises it; this keeps the text, turns block
elements into line breaks and list items into "- " lines, writes a link's address after
its text, and drops everything that is not for reading: scripts, styles, the head, forms'
templates. Nothing is executed, fetched or kept as markup; character references are
decoded by the parser. A document the parser gives up on is reduced to its text by
removing anything between angle brackets.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from console.mail.parsing.text import clean_text

#: Elements whose content is never text for a reader.
_SKIPPED = frozenset({"script", "style", "head", "title", "template", "svg", "math", "object"})
#: Elements set apart by a blank line, and elements that only start a new line.
_PARAGRAPHS = frozenset(
    {
        "p",
        "table",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "dl",
        "form",
        "fieldset",
    }
)
_LINES = frozenset({"div", "li", "tr", "dt", "dd", "center", "caption"})
_SPACES = re.compile(r"[ \t\r\n\f]+")
_TAG = re.compile(r"<[^>]*>?")


def html_to_text(markup: str) -> str:
    """The readable text of an HTML document or fragment (never raises)."""
    reader = _Reader()
    try:
        reader.feed(markup)
        reader.close()
    except Exception:  # the parser gave up: fall back to removing tags wholesale
        return clean_text(html.unescape(_TAG.sub(" ", markup)))
    return reader.text()


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._skip_depth = 0
        self._pre_depth = 0
        self._links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
            return
        if self._skip_depth:
            return
        if tag == "pre":
            self._pre_depth += 1
        self._break_for(tag)
        if tag == "li":
            self._out.append("- ")
        elif tag in ("td", "th"):
            self._out.append(" ")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self._links.append(href if href.startswith(("http://", "https://")) else None)
        elif tag == "img":
            alt = _SPACES.sub(" ", dict(attrs).get("alt") or "").strip()
            if alt:
                self._out.append(f"[{alt}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if self._skip_depth:
            return
        if tag == "pre":
            self._pre_depth = max(0, self._pre_depth - 1)
        if tag == "a" and self._links:
            href = self._links.pop()
            if href and href not in "".join(self._out[-3:]):
                self._out.append(f" <{href}>")
        if tag != "br":
            self._break_for(tag)

    def _break_for(self, tag: str) -> None:
        """Start a new line (or leave a blank one) unless the text already does."""
        if tag == "br":
            self._out.append("\n")
            return
        wanted = 2 if tag in _PARAGRAPHS else 1 if tag in _LINES else 0
        tail = "".join(self._out[-3:])
        present = len(tail) - len(tail.rstrip("\n"))
        if wanted > present:
            self._out.append("\n" * (wanted - present))

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        self._out.append(data if self._pre_depth else _SPACES.sub(" ", data))

    def text(self) -> str:
        lines = "".join(self._out).replace("\xa0", " ").split("\n")
        # collapsed white space leaves at most one space at a line's start; <pre> keeps more
        lines = [line[1:] if line[:1] == " " and line[1:2] != " " else line for line in lines]
        return clean_text("\n".join(line.rstrip(" ") for line in lines))
