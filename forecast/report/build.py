"""Build the monthly report for one run of the store: ``report.html`` (self-contained) and ``report.md``."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from forecast.paths import home, write_atomically
from forecast.report.content import gather
from forecast.report.render import pace_svg, render_html, render_markdown, series_svg

CHART_DIR = "charts"


def build_report(
    store_path: str | os.PathLike | None = None,
    run_id: str | None = None,
    output_dir: str | os.PathLike | None = None,
    observations: pd.DataFrame | None = None,
) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` (plus ``charts/*.svg`` for the Markdown) for ``run_id``.

    Defaults: the store from :func:`forecast.store.store_path`, its latest run, ``$FORECAST_HOME/reports``.
    ``observations`` (``id``, ``source_url``) turns fact ids into source links; by default the data layer's.
    """
    content = gather(store_path, run_id, observations)
    out = Path(output_dir) if output_dir is not None else home() / "reports"
    (out / CHART_DIR).mkdir(parents=True, exist_ok=True)
    for stale in (out / CHART_DIR).glob("chart-*.svg"):  # from an earlier report with more series
        stale.unlink()
    charts, files = {}, {}
    for number, panel in enumerate(content.panels, start=1):
        charts[panel.unique_id] = series_svg(panel.chart)
        files[panel.unique_id] = f"{CHART_DIR}/chart-{number:03d}.svg"
        write_text(out / files[panel.unique_id], charts[panel.unique_id])
    pace = {p.unique_id: f"{CHART_DIR}/chart-pace-{n:03d}.svg" for n, p in enumerate(content.pace, start=1)}
    for panel in content.pace:
        write_text(out / pace[panel.unique_id], pace_svg(panel.chart))
    html_path, md_path = out / "report.html", out / "report.md"
    write_text(html_path, render_html(content, charts))
    write_text(md_path, render_markdown(content, files, pace))
    return html_path, md_path


def write_text(path: Path, text: str) -> None:
    """Write a report file atomically, so a reader never sees half a report."""
    write_atomically(path, lambda handle: handle.write(text))
