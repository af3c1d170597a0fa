"""The build-versus-partner cost model: typed assumptions give margins and break-even caseloads."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import cost_model
from calaim_course.widgets.common import html_table, message_area, safe_update

# The inputs, grouped the way a budget conversation goes.
GROUPS = (
    ("Members and payments", ("caseload", "rate_pmpm")),
    ("Care staff (the same under both options)", ("care_staff_fte", "care_staff_cost", "shared_monthly")),
    ("Build in-house", ("admin_staff_fte", "admin_staff_cost", "systems_monthly")),
    ("Partner with a hub or administrator", ("partner_fee_percent", "partner_staff_fte")),
)


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"


def result_html(comparison: cost_model.CostComparison) -> str:
    """The comparison in words and a table (no headings: it sits inside a page)."""
    inputs = comparison.inputs
    per_staff = comparison.members_per_care_staff()
    facts = [
        f"Break-even caseload, building in-house: {cost_model.break_even_text(comparison.build)}.",
        f"Break-even caseload, partnering: {cost_model.break_even_text(comparison.partner)}.",
    ]
    if comparison.crossover is None:
        facts.append(f"Partnering stays ahead at every caseload up to {cost_model.BREAK_EVEN_LIMIT:,}.")
    else:
        facts.append(f"Building in-house leaves at least as much as partnering from "
                     f"{comparison.crossover:,} members a month.")
    if per_staff is not None:
        facts.append(f"At {inputs.caseload:,} members, each full-time care staff member serves about "
                     f"{per_staff:,.1f} members. Check that this is a caseload your staff can carry safely.")
    return "\n".join([
        f'<p class="course-result"><strong>Main finding:</strong> {html.escape(cost_model.finding(comparison))}</p>',
        html_table(comparison.as_frame(),
                   f"Each month at {inputs.caseload:,} members: payments, costs and margin (illustrative dollars)"),
        "<p><strong>Break-even and crossover:</strong></p>" + _list(facts),
        "<p><strong>What the model leaves out:</strong></p>" + _list(cost_model.SIMPLIFICATIONS),
        f'<p class="course-figure-note">{html.escape(cost_model.ILLUSTRATIVE_NOTE)}</p>',
    ])


def cost_model_explorer(**initial: str) -> widgets.VBox:
    """Text boxes for the model's assumptions and the comparison they give.

    The returned box exposes ``.controls`` (a dict of Text widgets keyed like
    ``cost_model.INPUT_FIELDS``), ``.result`` (HTML), ``.message`` (input problems) and
    ``.comparison`` (the last valid ``CostComparison``, for the chart cell).
    """
    style = {"description_width": "26rem"}
    layout = widgets.Layout(width="38rem")
    controls = {}
    for field in cost_model.INPUT_FIELDS:
        controls[field.key] = widgets.Text(
            value=str(initial.get(field.key, field.default)), description=field.label + ":",
            placeholder=field.hint, continuous_update=False, style=style, layout=layout,
        )
    result = widgets.HTML()
    message = message_area()
    parts = []
    for title, keys in GROUPS:
        parts.append(widgets.HTML(f"<p><strong>{html.escape(title)}</strong></p>"))
        parts.extend(controls[key] for key in keys)
    box = widgets.VBox([*parts, message, result])

    @safe_update(message)
    def update(_change=None):
        comparison = cost_model.compare(**{key: control.value for key, control in controls.items()})
        result.value = result_html(comparison)
        box.comparison = comparison

    for control in controls.values():
        control.observe(update, names="value")
    box.controls, box.result, box.message, box.comparison = controls, result, message, None
    update()
    return box
