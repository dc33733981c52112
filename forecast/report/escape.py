"""Make text from data safe to print: HTML-escaped everywhere, and a link only when its URL is http(s).

Everything the report shows (entity names, notes, source URLs) comes from user files, so it is untrusted:
``<script>`` must come out as text and ``javascript:`` URLs must never become links.
"""

from __future__ import annotations

import html
from typing import NamedTuple
from urllib.parse import quote, urlsplit

LINK_SCHEMES = ("http", "https")


class Link(NamedTuple):
    """A piece of text, linked when ``url`` is an http(s) URL."""

    text: str
    url: str | None = None


Cell = str | list[Link]  # a table cell: plain text, or pieces that may be links (e.g. a list of sources)


def safe_url(url) -> str | None:
    """``url`` if it is an absolute http(s) URL without spaces or control characters, else None."""
    if not isinstance(url, str) or not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else None


def html_text(value) -> str:
    return html.escape(str(value), quote=True)


def html_link(link: Link) -> str:
    url = safe_url(link.url)
    text = html_text(link.text)
    return f'<a href="{html_text(url)}" rel="noopener noreferrer">{text}</a>' if url else text


def html_cell(cell: Cell) -> str:
    return html_text(cell) if isinstance(cell, str) else ", ".join(map(html_link, cell))


def md_text(value) -> str:
    """Text for a Markdown table cell, on one line: no HTML tag can start (renderers pass raw HTML through)
    and Markdown syntax characters are backslash-escaped."""
    text = " ".join(str(value).split()).replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;")
    for char in "|*_`[]#":
        text = text.replace(char, "\\" + char)
    return text


def md_link(link: Link) -> str:
    url = safe_url(link.url)
    text = md_text(link.text)
    return f"[{text}](<{quote(url, safe=':/?#@!$&+,;=%~')}>)" if url else text


def md_cell(cell: Cell) -> str:
    return md_text(cell) if isinstance(cell, str) else ", ".join(map(md_link, cell))
