"""Cells of the report's tables and the one rule about links: a piece of text becomes a link only when its URL is
an absolute http(s) URL (sources come from user files, so ``javascript:`` must never become a link).

Escaping itself is the template engine's job (:mod:`forecast.report.render`): jinja2 autoescapes every value in the
HTML page, and the Markdown page escapes every value through :func:`md_text`.
"""

from __future__ import annotations

from typing import NamedTuple, Union
from urllib.parse import quote, urlsplit

LINK_SCHEMES = ("http", "https")


class Link(NamedTuple):
    """A piece of text, linked when ``url`` is an http(s) URL."""

    text: str
    url: str | None = None


class Details(NamedTuple):
    """A long note: a short summary shown, the whole text behind a click."""

    summary: str
    full: str


class Group(NamedTuple):
    """A row that heads a group of rows (Nation, Port groups, Hubs, ...)."""

    name: str


Cell = Union[str, list[Link], Details]  # a table cell: text, pieces that may be links (sources), or a long note


def safe_url(url) -> str | None:
    """``url`` if it is an absolute http(s) URL without spaces or control characters, else None."""
    if not isinstance(url, str) or not url or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else None


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
    """A cell as Markdown: text escaped, links only for http(s), a long note in full."""
    if isinstance(cell, Details):
        return md_text(cell.full)
    return md_text(cell) if isinstance(cell, str) else ", ".join(map(md_link, cell))
