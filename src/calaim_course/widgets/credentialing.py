"""Section 4 widgets: the NPI checker, the contracting-readiness checklist and the
credentialing timeline planner. Logic lives in :mod:`calaim_course.credentialing`."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import credentialing as cred
from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError
from calaim_course.npi import make_npis
from calaim_course.synthetic import AGENCY, AGENCY_NPI_BASE, ORGANIZATIONS
from calaim_course.widgets.common import html_table, message_area, safe_update

AGENCY_NAME = next(o[1] for o in ORGANIZATIONS if o[0] == AGENCY)
# CMS's published example, which the synthetic world also uses as the agency's NPI.
EXAMPLE_NPI = make_npis([AGENCY_NPI_BASE])[0]
# What the fictional agency has ready in the default view of the checklist.
DEFAULT_DONE = ("plans-in-county", "plan-contacts", "npi-type2", "w9", "irs-letter", "capability")
DEFAULT_SERVICES = ("chw",)
WRAP_CLASS = "course-wrap-label"
BAR_COLOURS = {cred.SOURCED: OKABE_ITO[0], cred.ILLUSTRATIVE: OKABE_ITO[1], cred.YOURS: OKABE_ITO[2]}


def _list(items, ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + f"</{tag}>"


def _link(url: str, text: str) -> str:
    return f'<a href="{html.escape(url)}">{html.escape(text)}</a>'


# --------------------------------------------------------------------------- NPI checker
def npi_result_html(explanation: cred.NpiExplanation) -> str:
    """The verdict, the method with this number's figures, the digit table, the notes."""
    if explanation.is_valid is False:
        headline = "Fails the check digit test."
    elif explanation.is_valid:
        headline = "Passes the check digit test."
    else:
        headline = f"Check digit: {explanation.check_digit}."
    return "\n".join([
        f'<p class="course-result"><strong>{html.escape(headline)}</strong> '
        f"{html.escape(explanation.verdict())}</p>",
        "<p><strong>How the check digit is worked out:</strong></p>",
        _list(explanation.steps(), ordered=True),
        html_table(explanation.frame(),
                   f"Each digit of {cred.PREFIX} {explanation.first_nine}, with every other digit doubled "
                   f"from the right (total {explanation.total})"),
        _list(explanation.notes) if explanation.notes else "",
        f'<p class="course-figure-note">Method: {_link(cred.NPI_SOURCE_URL, "a copy of the CMS check-digit method")} '
        f"({html.escape(cred.NPI_SOURCE_NOTE)}) The numbers used in this course are synthetic or "
        f"CMS's published example; never type a real person's NPI into a training tool. "
        f"{cred.NOT_ADVICE}</p>",
    ])


def npi_checker(value: str = EXAMPLE_NPI) -> widgets.VBox:
    """A text box for an NPI (or its first nine digits) and the worked check digit.

    The returned box exposes ``.controls`` (``npi``), ``.result`` (HTML) and
    ``.message``. Letters, a wrong length or an empty box show a message and keep the
    previous result; a wrong check digit shows the message *and* the worked steps for
    the number typed, so the learner sees where the check fails.
    """
    npi_box = widgets.Text(
        value=value, description="NPI (10 digits, or 9 for the check digit):",
        style={"description_width": "20rem"}, layout=widgets.Layout(width="36rem"),
        continuous_update=False, placeholder="for example 1234567893",
    )
    result = widgets.HTML()
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        explanation = cred.explain_npi(npi_box.value)
        result.value = npi_result_html(explanation)
        if explanation.is_valid is False:
            raise cred.check_digit_problem(explanation)

    npi_box.observe(update, names="value")
    update()
    box = widgets.VBox([npi_box, message, result])
    box.controls, box.result, box.message = {"npi": npi_box}, result, message
    return box


# --------------------------------------------------------------------------- checklist
def checklist_result_html(result: cred.Readiness) -> str:
    """What is still missing, each with why and its source (or 'course suggestion')."""
    missing = result.missing
    if missing.empty:
        body = "<p>Nothing is missing. Confirm every item with each plan before you apply.</p>"
    else:
        entries = []
        for _, row in missing.iterrows():
            if row["basis"] == "sourced":
                source = _link(row["source_url"], "source") + f" ({html.escape(row['confidence'].lower())})"
            else:
                source = "<em>course suggestion: confirm with each plan</em>"
            entries.append(
                f"<li><strong>{html.escape(row['item'])}</strong> ({html.escape(row['category'])}). "
                f"{html.escape(row['why'])} {source}.</li>"
            )
        body = "<p><strong>Still to do:</strong></p><ul>" + "".join(entries) + "</ul>"
    return (
        body
        + f'<p class="course-figure-note">Items marked "course suggestion" are the course\'s advice: the '
        f"sources reviewed did not list the documents plans ask for. {cred.NOT_ADVICE}</p>"
    )


def readiness_checklist(done=DEFAULT_DONE, services=DEFAULT_SERVICES,
                        organization: str = AGENCY_NAME) -> widgets.VBox:
    """Checkboxes for the checklist, a progress bar, what is missing and a Markdown copy.

    The returned box exposes ``.controls`` (``services``: a dict of service-line
    checkboxes; ``items``: a dict of item checkboxes by item id; ``organization``: the
    name used in the Markdown), ``.progress``, ``.result``, ``.markdown`` (a Textarea)
    and ``.message``.
    """
    table = cred.load_checklist()
    done = set(done)
    service_boxes = {
        key: widgets.Checkbox(value=key in services, description=f"We plan to offer {label}",
                              indent=False, layout=widgets.Layout(width="auto"))
        for key, label in cred.SERVICE_LINES.items()
    }
    item_boxes: dict[str, widgets.Checkbox] = {}
    rows = []
    for category, group in table.groupby("category", sort=False):
        rows.append(widgets.HTML(f"<strong>{html.escape(category)}</strong>"))
        for _, row in group.iterrows():
            label = row["item"] + ("" if row["basis"] == "sourced" else " (course suggestion)")
            box = widgets.Checkbox(value=row["item_id"] in done, description=label, indent=False,
                                   tooltip=label, layout=widgets.Layout(width="auto"))
            box.add_class(WRAP_CLASS)  # long labels wrap instead of ending in an ellipsis
            box.applies_to = row["applies_to"]
            item_boxes[row["item_id"]] = box
            rows.append(box)
    organization_box = widgets.Text(value=organization, description="Organization name (for the export):",
                                    style={"description_width": "16rem"}, layout=widgets.Layout(width="36rem"),
                                    continuous_update=False)
    progress = widgets.IntProgress(value=0, min=0, max=1, description="Ready:",
                                   layout=widgets.Layout(width="36rem"))
    progress_text = widgets.HTML()
    result = widgets.HTML()
    markdown = widgets.Textarea(value="", description="Markdown:", layout=widgets.Layout(width="100%", height="16rem"))
    message = message_area()

    @safe_update(message)
    def update(_change=None):
        chosen = [k for k, b in service_boxes.items() if b.value]
        for box in item_boxes.values():
            box.layout.display = None if box.applies_to in ("all", *chosen) else "none"
        ticked = [k for k, b in item_boxes.items() if b.value and b.applies_to in ("all", *chosen)]
        state = cred.readiness(ticked, chosen)
        text = cred.readiness_markdown(state, organization_box.value)  # validates the name first
        progress.max = state.total
        progress.value = state.done_count
        progress_text.value = f'<p class="course-result"><strong>{html.escape(state.summary())}</strong></p>'
        result.value = checklist_result_html(state)
        markdown.value = text

    for box in [*service_boxes.values(), *item_boxes.values(), organization_box]:
        box.observe(update, names="value")
    update()
    container = widgets.VBox([
        widgets.HTML("<p><strong>Service lines</strong> (add their items):</p>"),
        *service_boxes.values(), *rows, progress, progress_text, message, result, organization_box, markdown,
    ])
    container.controls = {"services": service_boxes, "items": item_boxes, "organization": organization_box}
    container.progress, container.result, container.markdown, container.message = progress, result, markdown, message
    container.progress_text = progress_text
    return container


# --------------------------------------------------------------------------- timeline
def gantt_html(plan: cred.TimelinePlan) -> str:
    """A text-first Gantt chart: one row per step, with weeks and dates in words and a
    bar drawn to scale (the bar is decoration; the words carry the information)."""
    span = max(plan.ready_week, 1)
    rows = []
    for _, row in plan.frame.iterrows():
        if row["weeks"] == 0:
            bar, when = "", "not needed"
        else:
            left = 100 * row["start_week"] / span
            width = max(100 * row["weeks"] / span, 0.8)
            colour = BAR_COLOURS[row["basis"]]
            bar = (f'<div aria-hidden="true" style="position:relative;height:1.1em;background:#f2f2f2;min-width:14rem">'
                   f'<div style="position:absolute;left:{left:.2f}%;width:{width:.2f}%;top:0;bottom:0;'
                   f'background:{colour}"></div></div>')
            when = f"weeks {row['start_week']:g} to {row['end_week']:g}"
        basis = (f"sourced ({row['confidence'].lower()})" if row["basis"] == cred.SOURCED else row["basis"])
        rows.append(
            f"<tr><th scope=\"row\" style=\"text-align:left\">{html.escape(row['step'])}</th>"
            f"<td style=\"width:45%\">{bar}</td><td>{html.escape(when)}</td><td>{html.escape(basis)}</td></tr>"
        )
    return (
        '<table class="course-table"><caption>Gantt chart: each step from its start week to its end week '
        f"(ready at week {plan.ready_week:g})</caption>"
        "<thead><tr><th scope=\"col\">Step</th><th scope=\"col\">Bar (to scale)</th>"
        "<th scope=\"col\">When</th><th scope=\"col\">Duration basis</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table>"
    )


def timeline_result_html(plan: cred.TimelinePlan) -> str:
    sources = []
    for _, row in plan.frame.iterrows():
        if row["basis"] == cred.SOURCED:
            sources.append(f"<li>{html.escape(row['step'])}: {html.escape(row['source_note'])} "
                           f"{_link(row['source_url'], 'Source')}.</li>")
    notes = _list(plan.notes) if plan.notes else ""
    return "\n".join([
        f'<p class="course-result"><strong>Main finding:</strong> {html.escape(plan.finding())}</p>',
        notes,
        gantt_html(plan),
        html_table(cred.timeline_table(plan), f"The plan step by step, starting {plan.start:%B %-d, %Y}"),
        ("<p><strong>Sourced durations:</strong></p><ul>" + "".join(sources) + "</ul>") if sources else "",
        '<p class="course-figure-note">The steps, their order and every duration marked "illustrative '
        'assumption" are the course\'s, not a plan\'s: no source reviewed lists a plan\'s contracting '
        f"steps or how long they take. Ask each plan for its own. {cred.NOT_ADVICE}</p>",
    ])


def timeline_planner(scenario: str = cred.DEFAULT_SCENARIO, start: str = cred.DEFAULT_START) -> widgets.VBox:
    """Durations per step (and a start date) give the timeline as a table and Gantt bars.

    The returned box exposes ``.controls`` (``scenario``, ``start`` and one Text per
    step key in ``steps``), ``.result`` and ``.message``. Choosing starting values fills
    every duration box; a bad duration or date shows a message and keeps the previous
    result.
    """
    if scenario not in cred.SCENARIOS:
        raise CourseInputError("starting values", scenario, "one of " + ", ".join(cred.SCENARIOS))
    style = {"description_width": "24rem"}
    wide = widgets.Layout(width="36rem")
    scenario_box = widgets.Dropdown(
        options=[(v["label"], k) for k, v in cred.SCENARIOS.items()], value=scenario,
        description="Starting values:", style=style, layout=widgets.Layout(width="46rem"),
    )
    start_box = widgets.Text(value=start, description="Start date (YYYY-MM-DD):", style=style, layout=wide,
                             continuous_update=False)
    step_boxes = {
        step.key: widgets.Text(value=f"{cred.SCENARIOS[scenario]['weeks'][step.key]:g}",
                               description=f"{step.label} (weeks):", style=style, layout=wide,
                               continuous_update=False, placeholder="weeks, 0 if not needed")
        for step in cred.STEPS
    }
    result = widgets.HTML()
    message = message_area()
    filling = {"now": False}

    @safe_update(message)
    def update(_change=None):
        if filling["now"]:
            return
        plan = cred.plan_timeline({k: b.value for k, b in step_boxes.items()}, start_box.value)
        result.value = timeline_result_html(plan)

    def fill(_change=None):
        # Set every box first, then recompute once: no half-filled plan is drawn.
        filling["now"] = True
        try:
            for key, box in step_boxes.items():
                box.value = f"{cred.SCENARIOS[scenario_box.value]['weeks'][key]:g}"
        finally:
            filling["now"] = False
        update()

    scenario_box.observe(fill, names="value")
    for box in [start_box, *step_boxes.values()]:
        box.observe(update, names="value")
    update()
    container = widgets.VBox([scenario_box, start_box, *step_boxes.values(), message, result])
    container.controls = {"scenario": scenario_box, "start": start_box, "steps": step_boxes}
    container.result, container.message = result, message
    return container


__all__ = ["npi_checker", "npi_result_html", "readiness_checklist", "checklist_result_html",
           "timeline_planner", "timeline_result_html", "gantt_html", "EXAMPLE_NPI", "AGENCY_NAME"]
