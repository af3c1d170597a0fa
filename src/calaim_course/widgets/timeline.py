""""What had happened by this date?": a date and an initiative give the CalAIM events
before and after it, from the sourced timeline table."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import timeline as T
from calaim_course.widgets.common import html_table, message_area, safe_update

DEFAULT_DATE = T.REVIEW_DATE.isoformat()
SHOW_AT_MOST = 5  # rows in each table: the full list is in the page's timeline table


def result_html(timeline, day, initiative: str) -> str:
    past, upcoming = T.as_of(timeline, day, initiative)
    parts = ["<p>" + " ".join(html.escape(s) for s in T.as_of_summary(timeline, day, initiative)) + "</p>"]
    if len(past):
        parts.append(html_table(T.events_frame(past.head(SHOW_AT_MOST)),
                                f"Most recent events on or before {T.parse_date(day).isoformat()} (newest first)"))
    if len(upcoming):
        parts.append(html_table(T.events_frame(upcoming.head(SHOW_AT_MOST)),
                                f"Next events after {T.parse_date(day).isoformat()} (soonest first)"))
    parts.append('<p class="course-figure-note">Confidence "secondary" means the date comes from a '
                 "non-official source (see the timeline table for each source). Educational, not legal advice.</p>")
    return "\n".join(parts)


def timeline_as_of() -> widgets.VBox:
    """A date (typed YYYY-MM-DD) and an initiative in; events before and after it out.

    The returned box exposes ``.controls`` (``date``, ``initiative``), ``.result`` and
    ``.message``. A bad date shows a message and keeps the previous result.
    """
    timeline = T.load_timeline()
    style = {"description_width": "12rem"}
    wide = widgets.Layout(width="30rem")
    date = widgets.Text(value=DEFAULT_DATE, description="Date (YYYY-MM-DD):", style=style, layout=wide,
                        continuous_update=False, placeholder="for example 2026-01-15")
    initiative = widgets.Dropdown(options=[T.ALL, *T.initiatives(timeline)], value=T.ALL,
                                  description="Initiative:", style=style, layout=wide)
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        result.value = result_html(timeline, date.value, initiative.value)

    controls = {"date": date, "initiative": initiative}
    for control in controls.values():
        control.observe(update, names="value")
    update()
    box = widgets.VBox([date, initiative, message, result])
    box.controls, box.result, box.message = controls, result, message
    return box


__all__ = ["timeline_as_of", "result_html"]
