"""Use your own data: choose a CSV export, see its problems or its suppressed counts.

Why it looks like this: the file's bytes stay in this Python session only. As soon as a
file is read, the upload control is emptied, so the file is not kept in the widget's
saved state (JupyterLab can save widget state inside the notebook). The page never shows
a row: only the loader's notes, its problems (by row and column, without identifying
values) and counts through ``calaim_course.suppression``.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import own_data
from calaim_course.errors import CourseInputError
from calaim_course.suppression import suppress_for_display, suppression_note
from calaim_course.widgets.common import clear_message, html_table, message_area, show_message

NO_SECOND = "(none)"
LABELS = {
    "age_band": "age band at intake",
    "agency_intake_month": "intake month",
}


def label(column: str) -> str:
    """A column name in words, for captions and dropdowns."""
    return LABELS.get(column, column.replace("_", " "))


def problems_html(error: CourseInputError, name: str) -> str:
    """An error as a list a reader can work through; nothing from the file is echoed
    except what the loader's messages allow (never an identifying value)."""
    lines = getattr(error, "lines", None) or [str(error)]
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    count = len(getattr(error, "problems", [])) or 1
    return (
        '<div class="course-msg course-msg-error" role="status" aria-live="polite">'
        f"<strong>Check your file:</strong> {html.escape(name)} has {count:,} "
        f"problem{'' if count == 1 else 's'}; nothing was loaded from it. "
        "Fix these in the export and choose the file again."
        f"<ul>{items}</ul></div>"
    )


def notes_html(data: own_data.OwnData, source: str) -> str:
    items = "".join(f"<li>{html.escape(note)}</li>" for note in data.notes)
    marker = " Every row is marked synthetic." if data.synthetic else ""
    return (f"<p><strong>Loaded:</strong> {html.escape(source)}, {html.escape(data.table)} table, "
            f"{own_data.safe_count(data.n_records)} records.{marker}</p><ul>{items}</ul>")


def counts_html(data: own_data.OwnData, by: str, and_by: str | None) -> str:
    """The suppressed counts as an accessible table with the suppression note."""
    result = data.counts(by, and_by)
    shown = suppress_for_display(result)
    if result.is_series:
        shown = shown.reset_index().rename(columns={by: label(by), "records": "records"})
        caption = f"Records by {label(by)} (counts from 1 to 10 hidden)"
        table = html_table(shown, caption)
    else:
        shown.index.name = label(by)
        shown.columns.name = None
        caption = f"Records by {label(by)} and {label(and_by)} (counts from 1 to 10 hidden)"
        table = html_table(shown, caption, index=True)
    return table + f'<p class="course-figure-note">{html.escape(suppression_note(result))}</p>'


def _size_text(n_bytes: int) -> str:
    """A file size as people read it: bytes, kB or MB (decimal, as file managers show)."""
    if n_bytes < 1000:
        return f"{n_bytes:,} bytes"
    if n_bytes < 1_000_000:
        return f"{n_bytes / 1000:.0f} kB"
    return f"{n_bytes / 1_000_000:.1f} MB"


def own_data_explorer(default_table: str = "members") -> widgets.VBox:
    """A table choice and a file chooser; the loader's problems or the suppressed counts.

    Until a file is chosen, it shows the committed synthetic example of the table. The
    returned box exposes ``.controls`` (``table``, ``upload``, ``by``, ``and_by``),
    ``.result`` (counts), ``.notes`` (what the loader did) and ``.message`` (problems).
    A file with problems shows them and keeps the previous counts.
    """
    style = {"description_width": "10rem"}
    wide = widgets.Layout(width="30rem")
    table = widgets.Dropdown(options=list(own_data.TABLES), value=default_table, description="Table:",
                             style=style, layout=wide)
    upload = widgets.FileUpload(accept=".csv,text/csv", multiple=False, description="Choose a CSV file")
    by = widgets.Dropdown(description="Count records by:", style=style, layout=wide)
    and_by = widgets.Dropdown(description="and by:", style=style, layout=wide)
    message = message_area()
    notes = widgets.HTML()
    result = widgets.HTML()
    # The chosen file lives here (memory only), never in a widget's state.
    state: dict = {"content": None, "name": None, "data": None}

    def load() -> None:
        if state["content"] is None:
            source, name = own_data.example_path(table.value), "the synthetic example file"
            size = source.stat().st_size
        else:
            source, name = state["content"], state["name"]
            size = len(source)
        # A large export takes up to about a second to check: say so at once, and keep the
        # controls still until it is done (the browser shows this before the load ends).
        show_message(message, f"Reading and checking {name} ({_size_text(size)}); this can take a few seconds "
                              "for a large file.", kind="info")
        table.disabled = upload.disabled = True
        try:
            data = own_data.load_export(source, table.value)
        except CourseInputError as error:
            message.value = problems_html(error, name)
            return
        finally:
            table.disabled = upload.disabled = False
        clear_message(message)
        state["data"] = data
        notes.value = notes_html(data, name)
        options = [(label(c), c) for c in data.count_columns()]
        keep = by.value if by.value in data.count_columns() else data.count_columns()[0]
        by.unobserve(draw, names="value")
        and_by.unobserve(draw, names="value")
        by.options = options
        by.value = keep
        and_by.options = [(NO_SECOND, NO_SECOND), *options]
        and_by.value = and_by.value if and_by.value in data.count_columns() and and_by.value != keep else NO_SECOND
        by.observe(draw, names="value")
        and_by.observe(draw, names="value")
        draw()

    def draw(_change=None) -> None:
        data = state["data"]
        if data is None:
            return
        second = None if and_by.value in (None, NO_SECOND) else and_by.value
        try:
            result.value = counts_html(data, by.value, second)
        except CourseInputError as error:
            show_message(message, str(error))
            return
        clear_message(message)

    def on_upload(change) -> None:
        files = change["new"]
        if not files:
            return  # the control was emptied below
        chosen = files[0]
        state["content"], state["name"] = bytes(chosen["content"]), str(chosen["name"])[:80]
        upload.value = ()  # keep the file's bytes out of the saved widget state
        load()

    def on_table(_change) -> None:
        load()

    upload.observe(on_upload, names="value")
    table.observe(on_table, names="value")
    by.observe(draw, names="value")
    and_by.observe(draw, names="value")
    load()
    box = widgets.VBox([table, upload, message, notes, by, and_by, result])
    box.controls = {"table": table, "upload": upload, "by": by, "and_by": and_by}
    box.result, box.notes, box.message = result, notes, message
    box._state = state  # for tests: the bytes are here, not in any widget
    return box


__all__ = ["own_data_explorer", "counts_html", "problems_html", "notes_html", "label"]
