"""Render the report as Markdown: the same tables as the HTML page, charts as SVG files referenced beside it."""

from __future__ import annotations

from forecast.report.content import ReportContent, Table
from forecast.report.escape import md_cell, md_text
from forecast.report.html import TITLE


def render_markdown(content: ReportContent, chart_files: dict[str, str]) -> str:
    """The Markdown summary; ``chart_files`` maps a series id to its chart's path relative to the report."""
    run = content.run
    lines = [
        f"# {md_text(TITLE)}",
        "",
        f"Run `{run['run_id']}` · started {run['started_at']:%Y-%m-%d %H:%M} UTC · "
        f"status {md_text(run['status'])} · data `{str(run['data_hash'])[:12]}` · "
        f"forecast {md_text(run['code_version'])}",
    ]
    for table in (content.targets, content.movement, content.leaderboard):
        lines += table_md(table)
    lines += ["", "## Series"]
    for view in content.series:
        model = f"forecast by {md_text(view.model)}" if view.model else "no forecast in this run"
        lines += ["", f"### {md_text(view.title)} ({md_text(view.unique_id)})", ""]
        lines += [f"![history and forecast]({chart_files[view.unique_id]})", "", f"Reconciled history; {model}."]
        if view.sources:
            lines.append(f"Sources: {md_cell(view.sources)}")
    for table in (content.outcomes, content.outcome_points, content.conflicts):
        lines += table_md(table)
    return "\n".join(lines) + "\n"


def table_md(table: Table) -> list[str]:
    lines = ["", f"## {md_text(table.title)}", ""]
    if table.note:
        lines += [md_text(table.note), ""]
    if table.rows:
        lines.append("| " + " | ".join(md_text(c) for c in table.columns) + " |")
        lines.append("|" + "---|" * len(table.columns))
        lines += ["| " + " | ".join(md_cell(c) for c in row) + " |" for row in table.rows]
    return lines
