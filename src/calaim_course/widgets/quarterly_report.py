"""The quarterly report builder: a quarter and a breakdown give a suppressed report and a CSV download.

The download is a link with a ``data:`` address built in the page, so nothing leaves the
browser, and it holds only the suppressed aggregate table. The builder returns a VBox
exposing ``.controls``, ``.result``, ``.download`` and ``.message`` for tests.
"""

from __future__ import annotations

import html
from urllib.parse import quote

import ipywidgets as widgets

from calaim_course import quarterly_report as qr
from calaim_course.widgets.common import html_table, message_area, safe_update

STYLE = {"description_width": "10rem"}
WIDE = widgets.Layout(width="36rem")


def download_link(report: qr.QuarterlyReport) -> str:
    """An HTML link that downloads the report's CSV from a data: address (built in the page)."""
    href = "data:text/csv;charset=utf-8," + quote(report.to_csv(), safe="")
    return (f'<p><a download="{html.escape(report.file_name())}" href="{href}">'
            f"Download this report as CSV ({html.escape(report.file_name())}; suppressed counts only)</a></p>")


def report_html(report: qr.QuarterlyReport) -> str:
    return "\n".join([
        html_table(report.display(), report.caption()),
        f'<p class="course-figure-note">{html.escape(report.note())} {html.escape(qr.SYNTHETIC_NOTE)}</p>',
    ])


def report_builder(data: qr.ReportData | None = None) -> widgets.VBox:
    """A typed quarter, a breakdown and a split give the suppressed report and its download link."""
    if data is None:
        from calaim_course.synthetic import load_world

        data = qr.report_data(load_world())
    qr.prepare_counts(data)  # the heavy counting, once: each change then reads small tables
    latest = data.quarters[-1]
    quarter = widgets.Text(value=f"{latest.year} Q{latest.quarter}", description="Quarter:", style=STYLE,
                           layout=WIDE, continuous_update=False, placeholder="for example 2026 Q2")
    breakdown = widgets.Dropdown(options=[(label, key) for key, label in qr.BREAKDOWNS.items()],
                                 value="preferred_language", description="Breakdown:", style=STYLE, layout=WIDE)
    split = widgets.Dropdown(options=[(label, key) for key, label in qr.SPLITS.items()], value="none",
                             description="Columns:", style=STYLE, layout=WIDE)
    result = widgets.HTML()
    download = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        report = qr.build_report(data, quarter.value, breakdown.value, split.value)
        result.value = report_html(report)
        download.value = download_link(report)

    for control in (quarter, breakdown, split):
        control.observe(update, names="value")
    update()
    box = widgets.VBox([quarter, breakdown, split, message, result, download])
    box.controls = {"quarter": quarter, "breakdown": breakdown, "split": split}
    box.result, box.download, box.message = result, download, message
    return box
