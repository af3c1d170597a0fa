"""The Community Supports explorer: filter by kind (and optionally a code) into a table."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import community_supports as cs
from calaim_course.widgets.common import message_area, safe_update

DEFAULT_KIND = "housing"


def explorer_html(table, kind: str, code: object) -> str:
    """The summary sentence and the table for the current filter."""
    rows = cs.filter_supports(table, kind, code)
    summary = cs.summary_for(rows, kind, code)
    if rows.empty:
        return f'<p class="course-result">{html.escape(summary)}</p>'
    caption = "Community Supports: names, codes, how sure the codes are, and why each can matter to survivors"
    return (
        f'<p class="course-result">{html.escape(summary)}</p>'
        + cs.table_html(cs.display_table(rows), caption)
        + '<p class="course-figure-note">SECONDARY: the codes come from one plan\'s public reporting '
        "code, which cites the DHCS coding document (version 1.3, January 2026); the course could not "
        "read the DHCS document itself. Check it and your plan before billing. "
        "The survivor notes are the course's analysis. Educational, not billing advice.</p>"
    )


def community_supports_explorer(initial_kind: str = DEFAULT_KIND) -> widgets.VBox:
    """A kind drop-down and a code box over the Community Supports reference table.

    The returned box exposes ``.controls`` (``kind``, ``code``), ``.result`` (HTML) and
    ``.message`` (input problems).
    """
    table = cs.load_community_supports()
    kind = widgets.Dropdown(options=cs.kind_options(table), value=initial_kind, description="Kind:",
                            style={"description_width": "8rem"}, layout=widgets.Layout(width="30rem"))
    code = widgets.Text(value="", description="Code:", placeholder="find a code, for example H0044 or H0044+U2",
                        continuous_update=False, style={"description_width": "8rem"},
                        layout=widgets.Layout(width="30rem"))
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        result.value = explorer_html(table, kind.value, code.value)

    kind.observe(update, names="value")
    code.observe(update, names="value")
    update()
    box = widgets.VBox([widgets.HBox([kind, code]), message, result])
    box.controls, box.result, box.message = {"kind": kind, "code": code}, result, message
    return box
