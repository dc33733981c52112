"""Render the report as one self-contained HTML page: inline CSS and SVG, no scripts, nothing fetched.

Every piece of text from data goes through :func:`html_text`/:func:`html_cell`; a content security policy
forbids scripts and remote loads as a second line of defence.
"""

from __future__ import annotations

import re
from importlib import resources
from string import Template

from forecast.report.content import ReportContent, SeriesView, Table
from forecast.report.escape import Cell, html_cell, html_text

TITLE = "China-Europe Railway Express: forecast report"
NUMBER = re.compile(r"^(–|[-+]?[\d,.]+%?|∞)( – (–|[-+]?[\d,.]+|∞))?$")  # numbers and intervals: right-aligned


def render_html(content: ReportContent, charts: dict[str, str]) -> str:
    """The page for ``content``; ``charts`` maps a series id to its inline SVG."""
    run = content.run
    meta = (
        f"Run <code>{html_text(run['run_id'])}</code> · started {run['started_at']:%Y-%m-%d %H:%M} UTC · "
        f"status {html_text(run['status'])} · data <code>{html_text(str(run['data_hash'])[:12])}</code> · "
        f"forecast {html_text(run['code_version'])}"
    )
    tables = (content.targets, content.movement, content.leaderboard, content.outcomes, content.conflicts)
    toc = [(t.key, t.title) for t in tables]
    toc.insert(3, ("series", "Series"))
    nav = "".join(f'<li><a href="#{key}">{html_text(title)}</a></li>' for key, title in toc)
    points = content.outcome_points
    details = f"<details><summary>{html_text(points.title)}</summary>{table_html(points)}</details>"
    body = [
        f'<header><h1>{html_text(TITLE)}</h1><p class="meta">{meta}</p><nav><ul>{nav}</ul></nav></header>',
        table_section(content.targets),
        table_section(content.movement),
        table_section(content.leaderboard),
        series_section(content.series, charts),
        table_section(content.outcomes, details if points.rows else ""),
        table_section(content.conflicts),
    ]
    package = resources.files("forecast.report")
    page = Template(package.joinpath("template.html").read_text(encoding="utf-8"))
    css = package.joinpath("report.css").read_text(encoding="utf-8")
    return page.substitute(title=html_text(TITLE), css=css, body="\n".join(body))


def cell_html(cell: Cell) -> str:
    numeric = isinstance(cell, str) and NUMBER.match(cell)
    return f'<td class="num">{html_cell(cell)}</td>' if numeric else f"<td>{html_cell(cell)}</td>"


def table_html(table: Table) -> str:
    if not table.rows:
        return ""
    head = "".join(f"<th>{html_text(c)}</th>" for c in table.columns)
    rows = "".join("<tr>" + "".join(map(cell_html, row)) + "</tr>" for row in table.rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>'


def table_section(table: Table, extra: str = "") -> str:
    note = f'<p class="note">{html_text(table.note)}</p>' if table.note else ""
    return f'<section id="{table.key}"><h2>{html_text(table.title)}</h2>{note}{table_html(table)}{extra}</section>'


def series_section(views: list[SeriesView], charts: dict[str, str]) -> str:
    figures = []
    for view in views:
        model = f"forecast by {html_text(view.model)}" if view.model else "no forecast in this run"
        sources = f" · sources: {html_cell(view.sources)}" if view.sources else ""
        figures.append(
            f"<figure><h3>{html_text(view.title)} <code>{html_text(view.unique_id)}</code></h3>"
            f"{charts[view.unique_id]}<figcaption>Reconciled history and range; {model} "
            f"(mean, 80% and 95% bands){sources}</figcaption></figure>"
        )
    empty = "" if views else '<p class="note">No series in this run.</p>'
    return f'<section id="series"><h2>Series</h2>{empty}{"".join(figures)}</section>'
