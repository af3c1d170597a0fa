"""The data explorer dashboard: filters, the suppressed numbers, two drill-down charts and a CSV link.

Every change of a control is a query on the pre-built cube (``calaim_course.explorer``)
plus a refill of chart specs built once, so an update stays fast even with a million
members. Bad input (an empty period, a To month before the From month, N negative or
not a number) shows a message in the widget and keeps the previous result.

``data_explorer(world=None)`` returns a VBox exposing, for tests and for Voilà:
``.controls`` (dict of the controls), ``.result`` (HTML: the numbers), ``.message``,
``.download`` (HTML: the CSV link), ``.charts`` (an Output holding the two charts),
``.chart_text`` (HTML: the charts in words), ``.cube`` and ``.state["view"]`` (the
latest ExplorerView).
"""

from __future__ import annotations

import html
from urllib.parse import quote

import ipywidgets as widgets

from calaim_course import explorer as ex
from calaim_course.widgets.common import html_table, message_area, safe_update

STYLE = {"description_width": "12rem"}
WIDE = widgets.Layout(width="44rem")
SHORT = widgets.Layout(width="24rem")
CUSTOM = "custom"


def download_link(view: ex.ExplorerView) -> str:
    """A link that downloads the view's aggregates as CSV from a data: address (nothing leaves the page)."""
    name = view.file_name()
    href = "data:text/csv;charset=utf-8," + quote(view.to_csv(), safe="")
    return (f'<p><a download="{html.escape(name)}" href="{href}">Download these numbers as CSV '
            f"({html.escape(name)}; aggregates only, hidden numbers stay hidden)</a></p>")


def view_html(view: ex.ExplorerView) -> str:
    """The numbers, the main finding and the notes, as accessible HTML."""
    notes = "".join(f"<li>{html.escape(note)}</li>" for note in view.notes)
    return "\n".join([
        f'<p class="course-result"><strong>Main finding:</strong> {html.escape(view.finding())}</p>',
        html_table(view.table(), f"The numbers an agency reports: {view.caption()}"),
        f'<ul class="course-figure-note">{notes}</ul>',
    ])


def charts_text(view: ex.ExplorerView) -> str:
    return (f'<p class="course-figure-note">{html.escape(ex.members_chart_description(view))}</p>'
            f'<p class="course-figure-note">{html.escape(ex.claims_chart_description(view))}</p>')


def data_explorer(world=None) -> widgets.VBox:
    """The dashboard over a synthetic world (the committed one by default).

    ``world`` can also be an ``ExplorerCube`` already built from a world.
    """
    if world is None:
        cube = ex.default_cube()
    elif isinstance(world, ex.ExplorerCube):
        cube = world
    else:
        cube = ex.build_cube(world)
    first, last = cube.months[0], cube.months[-1]
    quick = cube.quarter_options()
    whole = next(iter(quick))
    quarter = widgets.Dropdown(options=[*((label, label) for label in quick), ("Custom: type the months below", CUSTOM)], value=whole,
                               description="Quick period:", style=STYLE, layout=WIDE)
    start = widgets.Text(value=ex.month_code(first), description="From month:", style=STYLE, layout=SHORT,
                         continuous_update=False, placeholder="for example 2026-01 or 2026 Q1")
    end = widgets.Text(value=ex.month_code(last), description="To month:", style=STYLE, layout=SHORT,
                       continuous_update=False, placeholder="for example 2026-03 or 2026 Q1")
    plan = widgets.Dropdown(options=[(label, key) for key, label in cube.plan_options().items()], value=ex.ALL_PLANS,
                            description="Plan:", style=STYLE, layout=WIDE)
    program = widgets.Dropdown(options=[(label, key) for key, label in cube.programs.items()],
                               value=ex.ALL_PROGRAMS, description="Program:", style=STYLE, layout=WIDE)
    days = widgets.Text(value=str(ex.DEFAULT_DAYS), description="Closed within N days:", style=STYLE, layout=SHORT,
                        continuous_update=False, placeholder="a whole number of days, for example 14")
    result, download, chart_text = widgets.HTML(), widgets.HTML(), widgets.HTML()
    charts = widgets.Output()
    message = message_area()
    state = {"view": None, "syncing": False}
    templates = ex.ChartTemplates(cube.view(ex.make_filters(cube, start.value, end.value)))

    def match_quarter(view: ex.ExplorerView) -> None:
        """Show the quick period that matches the typed months, or Custom."""
        span = (view.filters.start, view.filters.end)
        wanted = next((label for label, value in quick.items() if value == span), CUSTOM)
        if quarter.value != wanted:
            state["syncing"] = True
            try:
                quarter.value = wanted
            finally:
                state["syncing"] = False

    @safe_update(message)
    def update(_change=None):
        if state["syncing"]:
            return
        view = ex.explore(cube, start.value, end.value, plan.value, program.value, days.value)
        result.value = view_html(view)
        download.value = download_link(view)
        charts.outputs = tuple({"output_type": "display_data", "data": bundle, "metadata": {}}
                               for bundle in templates.bundles(view).values())
        chart_text.value = charts_text(view)
        state["view"] = view
        match_quarter(view)

    def pick_quarter(change) -> None:
        if state["syncing"] or change["new"] == CUSTOM:
            return
        a, b = quick[change["new"]]
        state["syncing"] = True  # set both boxes, then update once
        try:
            start.value, end.value = ex.month_code(a), ex.month_code(b)
        finally:
            state["syncing"] = False
        update()

    quarter.observe(pick_quarter, names="value")
    for control in (start, end, plan, program, days):
        control.observe(update, names="value")
    update()
    period_row = widgets.HBox([start, end])
    box = widgets.VBox([quarter, period_row, plan, program, days, message, result, download, charts, chart_text])
    box.controls = {"quarter": quarter, "start": start, "end": end, "plan": plan, "program": program, "days": days}
    box.result, box.message, box.download, box.charts, box.chart_text = result, message, download, charts, chart_text
    box.cube, box.state = cube, state
    return box
