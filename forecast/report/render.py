"""Render the report from jinja2 templates: the HTML page with autoescaping (every value from data is escaped
unless a template says otherwise, and a link is made only from an http(s) URL), the Markdown page with every
value escaped for Markdown, and the SVG charts both pages use.

The page is self-contained: inline CSS and SVG, no scripts, nothing fetched; a content security policy forbids
scripts and remote loads as a second line of defence.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from forecast.report.content import ReportContent
from forecast.report.links import Details, Group, Link, md_cell, md_text, safe_url

TITLE = "China-Europe Railway Express: forecast report"
NUMBER = re.compile(r"^(–|[-+]?[\d,.]+%?|∞)( \(?– ?(–|[-+]?[\d,.]+|∞)\)?| \([-+\d,.–∞ %]+\))?( to \d\d \w{3})?$")


def _is_links(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, Link) for v in value)


@lru_cache(maxsize=1)
def html_environment() -> Environment:
    env = Environment(
        loader=PackageLoader("forecast.report", "templates"),
        autoescape=select_autoescape(["j2"]),
        undefined=StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.filters["safe_url"] = safe_url
    env.tests["details"] = lambda value: isinstance(value, Details)
    env.tests["links"] = _is_links
    env.tests["number_like"] = lambda value: isinstance(value, str) and bool(NUMBER.match(value))
    env.tests["group"] = lambda value: isinstance(value, Group)
    return env


@lru_cache(maxsize=1)
def markdown_environment() -> Environment:
    """No HTML escaping, but every printed value goes through :func:`md_text` (``|raw`` opts out, ``|cell``
    renders a table cell)."""
    env = Environment(
        loader=PackageLoader("forecast.report", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        finalize=lambda v: v if isinstance(v, Markup) else md_text(v),
    )
    env.filters["cell"] = lambda value: Markup(md_cell(value))
    env.filters["raw"] = Markup
    env.tests["group"] = lambda value: isinstance(value, Group)
    return env


def pace_svg(chart) -> str:
    return html_environment().get_template("pace.svg.j2").render(c=chart)


def series_svg(chart) -> str:
    return html_environment().get_template("series.svg.j2").render(c=chart)


def reliability_svg(chart) -> str:
    return html_environment().get_template("reliability.svg.j2").render(c=chart)


def render_html(content: ReportContent, charts: dict[str, str]) -> str:
    """The page for ``content``; ``charts`` maps a series id to its inline SVG."""
    toc = [("news", "What changed")] if content.news else []
    toc += [(t.key, t.title) for t in content.outlook]
    toc += [("pace", "Where the year stands")] if content.pace else []
    toc += [("charts", "Every series")]
    toc += [
        (t.key, t.title)
        for t in (
            content.open_targets,
            content.decided_targets,
            content.leaderboard,
            content.outcomes,
            content.conflicts,
            content.no_outlook,
        )
    ]
    toc.append(("methods", "Methods"))
    css = resources.files("forecast.report").joinpath("templates/report.css").read_text(encoding="utf-8")
    reliability = Markup(reliability_svg(content.calibration.chart)) if content.calibration else ""
    return (
        html_environment()
        .get_template("report.html.j2")
        .render(
            c=content,
            title=TITLE,
            css=Markup(css),
            toc=toc,
            reliability=reliability,
            charts={uid: Markup(svg) for uid, svg in charts.items()},
            pace={p.unique_id: Markup(pace_svg(p.chart)) for p in content.pace},
        )
    )


def render_markdown(
    content: ReportContent, chart_files: dict[str, str], pace_files: dict[str, str] | None = None
) -> str:
    """The Markdown summary; ``chart_files`` (``pace_files``) maps a series id to its chart's (pace chart's) path
    relative to the report."""
    return (
        markdown_environment()
        .get_template("report.md.j2")
        .render(c=content, title=TITLE, files=chart_files, pace_files=pace_files or {})
    )
