"""The data dictionary explorer: a table and search words give the matching columns.

The builder returns a VBox exposing ``.controls`` (``search``, ``table``), ``.result``
and ``.message`` for tests.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import data_dictionary_explorer as dde
from calaim_course.widgets.common import html_table, message_area, safe_update

STYLE = {"description_width": "8rem"}
WIDE = widgets.Layout(width="32rem")
DEFAULT_TABLE = "members"
SHOWN_COLUMNS = ["Table", "Column", "Type", "Meaning", "Example", "Allowed values"]


def result_html(found, search: str, table: str) -> str:
    what = "every column" if not search.strip() else f"columns matching \u201c{search.strip()}\u201d"
    where = "in all tables" if table == dde.ALL_TABLES else f"in the {table} table"
    intro = f"{len(found)} {'column' if len(found) == 1 else 'columns'}: {what} {where}."
    parts = [f'<p class="course-result">{html.escape(intro)}</p>']
    if table != dde.ALL_TABLES:
        parts.append(f'<p class="course-figure-note"><strong>One row is:</strong> {html.escape(dde.table_description(table))}</p>')
    parts.append(html_table(found[SHOWN_COLUMNS], f"Data dictionary: {what} {where}"))
    return "\n".join(parts)


def dictionary_explorer(table: str = DEFAULT_TABLE, search: str = "") -> widgets.VBox:
    """Choose a table (or all) and type words to find columns."""
    rows = dde.dictionary_rows()
    table_box = widgets.Dropdown(options=[dde.ALL_TABLES, *dde.table_names()], value=table, description="Table:",
                                 style=STYLE, layout=WIDE)
    search_box = widgets.Text(value=search, description="Search:", style=STYLE, layout=WIDE, continuous_update=False,
                              placeholder="for example: consent, plan_id or Closed Loop")
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        found = dde.search_dictionary(rows, search_box.value, table_box.value)
        result.value = result_html(found, search_box.value, table_box.value)

    table_box.observe(update, names="value")
    search_box.observe(update, names="value")
    update()
    box = widgets.VBox([table_box, search_box, message, result])
    box.controls, box.result, box.message = {"table": table_box, "search": search_box}, result, message
    return box
