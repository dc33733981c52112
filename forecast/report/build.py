"""Build the monthly report for one run of the store: ``report.html`` (self-contained) and ``report.md``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from forecast.errors import InputError
from forecast.paths import home, write_atomically
from forecast.report.content import gather
from forecast.report.render import pace_svg, render_html, render_markdown, series_svg

CHART_DIR = "charts"
WRITTEN = ".written-by-forecast"
"""The list, in the charts folder, of the charts the last report wrote: the only files a report replaces or
removes there, so a user's own ``chart-001.svg`` is never touched."""


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
    default = output_dir is None
    out = home() / "reports" if default else Path(output_dir)
    charts = {panel.unique_id: series_svg(panel.chart) for panel in content.panels}
    files = {uid: f"{CHART_DIR}/chart-{number:03d}.svg" for number, uid in enumerate(charts, start=1)}
    paces = {panel.unique_id: pace_svg(panel.chart) for panel in content.pace}
    pace = {uid: f"{CHART_DIR}/chart-pace-{number:03d}.svg" for number, uid in enumerate(paces, start=1)}
    before = _charts_written(out / CHART_DIR, default)
    foreign = [
        name for name in (*files.values(), *pace.values()) if (out / name).exists() and Path(name).name not in before
    ]
    if foreign:
        raise InputError(
            f"{out / foreign[0]}: not a chart forecast wrote; move it, or give another --output (nothing was written)"
        )
    (out / CHART_DIR).mkdir(parents=True, exist_ok=True)
    for uid, name in files.items():
        write_text(out / name, charts[uid])
    for uid, name in pace.items():
        write_text(out / name, paces[uid])
    names = sorted(Path(name).name for name in (*files.values(), *pace.values()))
    write_text(out / CHART_DIR / WRITTEN, "".join(f"{name}\n" for name in names))
    for stale in before - set(names):  # from an earlier report with more series: only the charts it wrote
        (out / CHART_DIR / stale).unlink(missing_ok=True)
    html_path, md_path = out / "report.html", out / "report.md"
    write_text(html_path, render_html(content, charts))
    write_text(md_path, render_markdown(content, files, pace))
    return html_path, md_path


def _charts_written(folder: Path, default: bool) -> set[str]:
    """The charts an earlier report wrote to ``folder``, as its list :data:`WRITTEN` says (names of the chart
    pattern only); in the default folder under ``$FORECAST_HOME``, which is the toolkit's own, every chart there
    (reports from before the list existed)."""
    pattern = re.compile(r"^chart-(?:pace-)?[0-9]{3,}\.svg$")
    listed = folder / WRITTEN
    if listed.is_file():
        return {name for name in listed.read_text(encoding="utf-8", errors="replace").split() if pattern.match(name)}
    if default and folder.is_dir():
        return {path.name for path in folder.iterdir() if pattern.match(path.name)}
    return set()


def write_text(path: Path, text: str) -> None:
    """Write a report file atomically, so a reader never sees half a report."""
    write_atomically(path, lambda handle: handle.write(text))
