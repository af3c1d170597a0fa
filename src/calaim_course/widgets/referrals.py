"""Closed Loop Referral widgets: the status simulator, the referral funnel and open-referral aging.

Each builder returns a VBox exposing ``.controls`` (a dict of input widgets),
``.result`` (HTML) and ``.message`` (input problems), so tests can drive it.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd
from IPython.display import HTML

from calaim_course import referrals as R
from calaim_course.widgets.common import html_table, message_area, safe_update

NO_REASON = "(no reason: the loop stays open)"
# The simulator's starting referral: received July 6, 2026, outreach two days later.
# Invented dates for the example, not a timeline.
START_DATE = "07/06/2026"
START_STEPS = (("Outreach Initiated", "07/08/2026", None),)
DEFAULT_NEXT = ("Accepted", "07/15/2026")
DEFAULT_THRESHOLD = "45"
STYLE = {"description_width": "16rem"}
WIDE = widgets.Layout(width="36rem")


def table(frame: pd.DataFrame, caption: str) -> HTML:
    """A reference table for the page, as an accessible HTML table with a caption."""
    return HTML(html_table(frame, caption))


def _note(text: str) -> str:
    return f'<p class="course-figure-note">{html.escape(text)}</p>'


# ------------------------------------------------------------------ status simulator


def starting_history() -> R.ReferralHistory:
    history = R.ReferralHistory.start(START_DATE)
    for status, date, reason in START_STEPS:
        history = history.apply(status, date, reason)
    return history


def history_html(history: R.ReferralHistory) -> str:
    allowed = R.allowed_next(history.status)
    allowed_text = ", ".join(allowed) if allowed else "none: the loop is closed, and a new need starts a new referral"
    return "\n".join([
        f'<p class="course-result"><strong>Current status:</strong> {html.escape(history.status)}. '
        f"<strong>Allowed next</strong> (illustrative model): {html.escape(allowed_text)}.</p>",
        html_table(history.to_frame(), "This referral's status updates, oldest first (as reported on the Return Transmission File)"),
        _note(R.MODEL_LABEL + " Dates are examples. Educational, not legal advice."),
    ])


def status_simulator() -> widgets.VBox:
    """Apply a status change to one example referral; refused moves show which are allowed."""
    statuses = R.referral_statuses()
    next_status = widgets.Dropdown(options=statuses, value=DEFAULT_NEXT[0], description="Next Referral Status:",
                                   style=STYLE, layout=WIDE)
    reason = widgets.Dropdown(options=[NO_REASON, *R.closure_reason_names()], value=NO_REASON,
                              description="Reason for Referral Loop Closure:", style=STYLE, layout=WIDE)
    date = widgets.Text(value=DEFAULT_NEXT[1], description="Date of status update (MM/DD/YYYY):", style=STYLE,
                        layout=WIDE, continuous_update=False, placeholder="for example 07/15/2026")
    apply = widgets.Button(description="Apply the change", button_style="primary", icon="check")
    reset = widgets.Button(description="Start over", icon="undo")
    result = widgets.HTML()
    message = message_area()
    box = widgets.VBox()
    box.history = starting_history()

    def render():
        result.value = history_html(box.history)

    @safe_update(message)
    def on_apply(_button=None):
        chosen = None if reason.value == NO_REASON else reason.value
        box.history = box.history.apply(next_status.value, date.value, chosen)
        render()

    @safe_update(message)
    def on_reset(_button=None):
        box.history = starting_history()
        render()

    apply.on_click(on_apply)
    reset.on_click(on_reset)
    render()
    box.children = [next_status, reason, date, widgets.HBox([apply, reset]), message, result]
    box.controls = {"next_status": next_status, "reason": reason, "date": date, "apply": apply, "reset": reset}
    box.result, box.message = result, message
    return box


# ------------------------------------------------------------------ funnel


def funnel_html(result: R.Funnel) -> str:
    f = result.filters
    caption = (f"Referrals that reached each status. Service: {f['service']}; plan: {f['plan']}; "
               f"month referred: {R.month_label(f['month'])}")
    return "\n".join([
        f'<p class="course-result">{html.escape(R.funnel_finding(result))}</p>',
        html_table(result.display(), caption),
        _note(result.note() + " " + R.SYNTHETIC_NOTE),
    ])


def funnel_explorer(cube: R.FunnelCube) -> widgets.VBox:
    """Dropdowns for service, plan and month, and the suppressed funnel they give."""
    options = cube.options
    service = widgets.Dropdown(options=options["service"], value=R.ALL, description="Service:", style=STYLE, layout=WIDE)
    plan = widgets.Dropdown(options=options["plan"], value=R.ALL, description="Plan:", style=STYLE, layout=WIDE)
    month = widgets.Dropdown(options=[(R.month_label(m), m) for m in options["month"]], value=R.ALL,
                             description="Month referred:", style=STYLE, layout=WIDE)
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        result.value = funnel_html(cube.view(service=service.value, plan=plan.value, month=month.value))

    controls = {"service": service, "plan": plan, "month": month}
    for control in controls.values():
        control.observe(update, names="value")
    update()
    box = widgets.VBox([service, plan, month, message, result])
    box.controls, box.result, box.message = controls, result, message
    return box


# ------------------------------------------------------------------ aging


def aging_html(result: R.Aging) -> str:
    table = result.table.rename_axis(columns=None).reset_index()
    return "\n".join([
        f'<p class="course-result">{html.escape(R.aging_finding(result))}</p>',
        html_table(table, f"Referrals by days their loop was open (to closure, or to {R.long_date(result.as_of)} "
                          "if still open) and how they stood on that date"),
        _note(result.note() + " The threshold is your own working choice: no day count for closing a loop "
              "was found in the sources this course reviewed. " + R.SYNTHETIC_NOTE),
    ])


def aging_explorer(frame: pd.DataFrame) -> widgets.VBox:
    """A days-open threshold (typed) and the suppressed counts of referrals past it."""
    threshold = widgets.Text(value=DEFAULT_THRESHOLD, description="Days open (your threshold):", style=STYLE,
                             layout=WIDE, continuous_update=False, placeholder="a whole number of days, for example 45")
    result = widgets.HTML()
    message = message_area()
    # Days open per loop on the data's date, worked out once: each threshold is then a lookup.
    loops = R.loop_days(frame, R.reference_date(frame))

    @safe_update(message)
    def update(_change=None):
        result.value = aging_html(R.aging(frame, threshold.value, loops=loops))

    threshold.observe(update, names="value")
    update()
    box = widgets.VBox([threshold, message, result])
    box.controls, box.result, box.message = {"threshold": threshold}, result, message
    return box
