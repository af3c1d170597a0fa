"""The revenue-cycle dashboard: one view of the synthetic claims at a time, with filters."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import revenue_cycle as rc
from calaim_course.widgets.common import html_table, message_area, safe_update

DEFAULT_AGING_DATE = "2026-06-30"  # end of the state fiscal year the synthetic services cover


def view_html(view: rc.View, filters: tuple[str, str, str]) -> str:
    """A view as a table with its caption, finding and suppression note."""
    plan, program, submission = filters
    return "\n".join([
        f'<p class="course-result"><strong>{html.escape(view.name)}</strong> for {html.escape(plan.lower() if plan == rc.ALL_PLANS else plan)}, '
        f"{html.escape(program.lower() if program == rc.ALL_PROGRAMS else program)}, "
        f"{html.escape(submission.lower() if submission == rc.ALL_WAYS else submission)}.</p>",
        html_table(view.table, view.caption),
        f"<p><strong>Main finding:</strong> {html.escape(view.finding)}</p>",
        f'<p class="course-figure-note">{html.escape(view.note)} Each table is protected on its own: '
        "comparing several filtered tables can reveal a hidden count, so protect linked tables together "
        "before publishing them. Synthetic data. Educational, not billing advice.</p>",
    ])


def dashboard(data: rc.RevenueData | None = None) -> widgets.VBox:
    """Filters (plan, program, way of sending), a view and an aging date give one table.

    Exposes ``.controls`` (``view``, ``plan``, ``program``, ``submission``,
    ``aging_date``), ``.result`` (HTML) and ``.message``.
    """
    data = rc.prepare() if data is None else data
    # Every table is counted once here for all filter choices; a control change only
    # looks its answer up (see rc.RevenueCube).
    cube = rc.RevenueCube(data)
    options = cube.choices.options
    style = {"description_width": "12rem"}
    wide = widgets.Layout(width="36rem")
    controls = {
        "view": widgets.Dropdown(options=rc.VIEWS, value=rc.VIEWS[0], description="View:", style=style, layout=wide),
        "plan": widgets.Dropdown(options=options["plan"], description="Plan:", style=style, layout=wide),
        "program": widgets.Dropdown(options=options["program"], description="Program:", style=style, layout=wide),
        "submission": widgets.Dropdown(options=options["submission"], description="Sent as:", style=style, layout=wide),
        "aging_date": widgets.Text(value=DEFAULT_AGING_DATE, description="Aging date (YYYY-MM-DD):", style=style,
                                   layout=wide, continuous_update=False),
    }
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        filters = (controls["plan"].value, controls["program"].value, controls["submission"].value)
        # The aging date is checked even on other views, so a typing error is caught at once.
        shown = cube.view(*filters, controls["view"].value, as_of=controls["aging_date"].value)
        result.value = view_html(shown, filters)

    for control in controls.values():
        control.observe(update, names="value")
    update()
    box = widgets.VBox([*controls.values(), message, result])
    box.controls, box.result, box.message = controls, result, message
    return box


__all__ = ["dashboard", "view_html", "DEFAULT_AGING_DATE"]
