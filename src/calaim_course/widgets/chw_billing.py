"""The CHW billing calculator: minutes and group size give a code, units and an example amount."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import chw_billing
from calaim_course.widgets.common import html_table, message_area, safe_update

CODE_SET_OPTIONS = [
    ("CPT codes 98960-98962 (one session)", chw_billing.CPT),
    ("G-codes G0019 and G0022 (one member's month, from April 1, 2025)", chw_billing.G_CODES),
]
DEFAULTS = {"minutes": "50", "group_size": "1", "date": "2026-11-16"}


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"


def result_html(result: chw_billing.ChwEstimate) -> str:
    """The calculator's answer in words and a table (no headings: it sits inside a page)."""
    codes = " and ".join(f"{line.code} \u00d7 {line.units}" for line in result.lines)
    unit_word = "unit" if result.units == 1 else "units"
    parts = [
        f'<p class="course-result"><strong>Code and units:</strong> {html.escape(codes)} '
        f"({result.units} {unit_word} in all).</p>",
        html_table(result.as_frame(), "Claim line(s) for one member, with an example amount at an illustrative rate"),
        "<p><strong>Why:</strong></p>" + _list(result.explanation),
        f"<p><strong>Example amount:</strong> ${result.amount:,.2f} = {result.units} {unit_word} "
        f"\u00d7 ${result.rate:,.2f} per unit. This is an <strong>illustrative</strong> rate "
        f"({html.escape(chw_billing.ILLUSTRATIVE_LABEL)}). Check real payment with the plan or Medi-Cal.</p>",
    ]
    if result.missing_requirements:
        parts.append(
            "<p><strong>Not billable yet.</strong> Still missing:</p>" + _list(result.missing_requirements)
        )
    elif result.units == 0:
        parts.append("<p><strong>Nothing to bill</strong> under the course's illustrative rounding rule.</p>")
    parts.append("<p><strong>Also needed:</strong></p>" + _list(result.requirements))
    parts.append(
        f'<p class="course-figure-note">{html.escape(chw_billing.ROUNDING_RULE)} '
        "Educational, not billing advice.</p>"
    )
    return "\n".join(parts)


def chw_calculator() -> widgets.VBox:
    """Controls for one CHW service and the code, units and example amount they give.

    The returned box exposes ``.controls`` (a dict of the input widgets: ``code_set``,
    ``minutes``, ``group_size``, ``date``, ``rate``, ``initiating_visit``,
    ``plan_of_care``), ``.result`` (HTML) and ``.message`` (input problems).
    """
    style = {"description_width": "14rem"}
    wide = widgets.Layout(width="34rem")
    code_set = widgets.Dropdown(options=CODE_SET_OPTIONS, value=chw_billing.CPT,
                                description="Codes:", style=style, layout=widgets.Layout(width="46rem"))
    minutes = widgets.Text(value=DEFAULTS["minutes"], description="Minutes (this session):", style=style, layout=wide,
                           continuous_update=False, placeholder="whole minutes, for example 50")
    group_size = widgets.Text(value=DEFAULTS["group_size"], description="Group size:", style=style,
                              layout=wide, continuous_update=False, placeholder="members in the session, 1 to 8")
    date = widgets.Text(value=DEFAULTS["date"], description="Date of service (YYYY-MM-DD):", style=style,
                        layout=wide, continuous_update=False)
    rate = widgets.Text(value=f"{chw_billing.illustrative_rate():.2f}", description="Illustrative rate per unit ($):", style=style,
                        layout=wide, continuous_update=False)
    # The rate box's label matches the field name in the logic layer's messages.
    initiating_visit = widgets.Checkbox(value=True, description="Initiating visit done (G-codes)", indent=False)
    plan_of_care = widgets.Checkbox(value=True, description="Plan of care names social needs (G-codes)", indent=False)
    result = widgets.HTML()
    message = message_area()

    def relabel():
        monthly = code_set.value == chw_billing.G_CODES
        minutes.description = "Minutes (this month):" if monthly else "Minutes (this session):"
        initiating_visit.disabled = plan_of_care.disabled = not monthly

    @safe_update(message)
    def update(_change=None):
        relabel()
        estimate = chw_billing.estimate(
            minutes.value, group_size.value, code_set=code_set.value, date_of_service=date.value,
            rate=rate.value, initiating_visit=initiating_visit.value, plan_of_care=plan_of_care.value,
        )
        result.value = result_html(estimate)

    controls = {
        "code_set": code_set, "minutes": minutes, "group_size": group_size, "date": date,
        "rate": rate, "initiating_visit": initiating_visit, "plan_of_care": plan_of_care,
    }
    for control in controls.values():
        control.observe(update, names="value")
    update()
    box = widgets.VBox([
        code_set, minutes, group_size, date, rate,
        widgets.HBox([initiating_visit, plan_of_care]), message, result,
    ])
    box.controls, box.result, box.message = controls, result, message
    return box
