"""The section template's widget: type counts, see what small-cell suppression shows."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import tour
from calaim_course.widgets.common import html_table, message_area, safe_update

DEFAULT_COUNTS = "42, 7, 15, 0, 3"


def suppression_demo(initial: str = DEFAULT_COUNTS) -> widgets.VBox:
    """A text box of counts and the table a reader would see.

    The returned box exposes ``.counts`` (the Text input), ``.result`` (HTML with the
    table and its note) and ``.message`` (input problems), for tests and notebooks.
    """
    counts = widgets.Text(
        value=initial, description="Counts:", continuous_update=False,
        placeholder="for example 42, 7, 15, 0, 3",
        layout=widgets.Layout(width="28rem"),
    )
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        table, note = tour.suppression_demo_table(counts.value)
        result.value = (
            html_table(table, "What a reader sees after small-cell suppression")
            + f'<p class="course-figure-note">{html.escape(note)}</p>'
        )

    counts.observe(update, names="value")
    update()
    box = widgets.VBox([counts, message, result])
    box.counts, box.result, box.message = counts, result, message
    return box
