"""Claim widgets: the CMS-1500 claim builder and checker, and the 837P preview."""

from __future__ import annotations

import html
from dataclasses import replace

import ipywidgets as widgets

from calaim_course import claims, x12_837p
from calaim_course.reference import load_reference
from calaim_course.widgets.common import html_table, message_area, safe_update, show_message

PRACTICE = "practice"
STYLE = {"description_width": "17rem"}
WIDE = widgets.Layout(width="36rem")


def _world(world=None):
    if world is None:
        from calaim_course.synthetic import load_world

        world = load_world()
    return world


def _text(description: str, placeholder: str = "") -> widgets.Text:
    return widgets.Text(description=description, placeholder=placeholder, style=STYLE, layout=WIDE,
                        continuous_update=False)


def result_html(problems: list[claims.ClaimProblem], privacy: list[str], context: claims.ClaimContext) -> str:
    """The checker's answer: a summary, the problems by item number, and privacy notes."""
    errors = sum(p.severity == claims.ERROR for p in problems)
    checks = len(problems) - errors
    if not problems:
        summary = "<strong>No problems found</strong> by the course's checker."
    else:
        summary = (f"<strong>{len(problems)} problem{'s' if len(problems) != 1 else ''} found:</strong> "
                   f"{errors} error{'s' if errors != 1 else ''} to fix and {checks} to check in the plan's guide.")
    parts = [
        f'<p class="course-result">{summary}</p>',
        f"<p>Dates are checked against the day the claim was sent ({context.reference_date:%B} "
        f"{context.reference_date.day}, {context.reference_date.year}) and the member's plan enrollment start "
        + (f"({context.enrollment_date:%B} {context.enrollment_date.day}, {context.enrollment_date.year})." if context.enrollment_date else "(unknown).")
        + "</p>",
    ]
    if problems:
        parts.append(html_table(claims.problems_frame(problems), "Problems by CMS-1500 item number"))
    if privacy:
        parts.append(
            '<div class="course-dv-lens"><p><strong>DV lens (course analysis, not a rule):</strong></p><ul>'
            + "".join(f"<li>{html.escape(note)}</li>" for note in privacy)
            + "</ul><p>Agree on coding with the survivor, and use the least revealing code that is accurate "
              "and supports the service.</p></div>")
    parts.append('<p class="course-figure-note">The code lists are the course\'s reference tables, not a '
                 "plan's coding guide. Charges are ILLUSTRATIVE (invented, not real rates). "
                 "Educational, not billing advice.</p>")
    return "\n".join(parts)


def claim_builder(world=None) -> widgets.VBox:
    """Fill in a synthetic claim's CMS-1500 items and see the problems by item number.

    The returned box exposes ``.controls`` (dict of inputs: ``start``, ``insured_id``,
    ``patient_name``, ``birth_date``, ``dx_a`` to ``dx_d``, ``date_from``, ``date_to``,
    ``place_of_service``, ``code``, ``modifiers``, ``pointer``, ``charge``, ``units``,
    ``rendering_npi``, ``billing_name``, ``billing_npi``), ``.result`` (HTML),
    ``.message`` and ``.state`` (the form and context being checked).
    """
    world = _world(world)
    examples = claims.example_claim_ids(world)
    first_id = next(iter(examples.values()))
    # The drop-down offers these few claims only: cut the world down to them once, so
    # loading one reads a handful of rows instead of every claim and member.
    world = claims.claims_world(world, examples.values())
    options = [(f"Practice claim with five mistakes (from {first_id})", PRACTICE)]
    options += [(f"A clean claim: {label}", claim_id) for label, claim_id in examples.items()]
    start = widgets.Dropdown(options=options, value=PRACTICE, description="Start from:", style=STYLE,
                             layout=widgets.Layout(width="48rem"))
    places = load_reference("places_of_service")
    pos_options = [(f"{row.pos_code} {row.name}", row.pos_code) for row in places.itertuples(index=False)]

    controls = {
        "start": start,
        "insured_id": _text("1a Insured's ID number:"),
        "patient_name": _text("2 Patient's name (LAST, FIRST):"),
        "birth_date": _text("3 Birth date (YYYY-MM-DD):"),
        "dx_a": _text("21A Diagnosis (ICD-10-CM):"),
        "dx_b": _text("21B Diagnosis:"),
        "dx_c": _text("21C Diagnosis:"),
        "dx_d": _text("21D Diagnosis:"),
        "date_from": _text("24A Date of service from:", "YYYY-MM-DD"),
        "date_to": _text("24A Date of service to:", "empty for one day"),
        "place_of_service": widgets.Dropdown(options=pos_options, description="24B Place of service:", style=STYLE, layout=WIDE),
        "code": _text("24D Procedure code (CPT/HCPCS):"),
        "modifiers": _text("24D Modifiers (up to 4):", "for example U2 GQ"),
        "pointer": _text("24E Diagnosis pointer:", "letters, for example AB"),
        "charge": _text("24F Charges ($):"),
        "units": _text("24G Days or units:"),
        "rendering_npi": _text("24J Rendering provider NPI:", "only if it differs from 33a"),
        "billing_name": _text("33 Billing provider:"),
        "billing_npi": _text("33a Billing provider NPI:"),
    }
    result = widgets.HTML()
    message = message_area()
    box = widgets.VBox()
    box.state = {}
    loading = {"on": False}

    def fill(form: claims.ClaimForm) -> None:
        """Put a form's values in the inputs (line 1 only; other lines are kept as they are)."""
        line = form.lines[0]
        dx = list(form.diagnoses) + [""] * 4
        values = {
            "insured_id": form.insured_id, "patient_name": form.patient_name, "birth_date": form.birth_date,
            "dx_a": dx[0], "dx_b": dx[1], "dx_c": dx[2], "dx_d": dx[3],
            "date_from": line.date_from, "date_to": line.date_to, "code": line.code, "modifiers": line.modifiers,
            "pointer": line.pointer, "charge": line.charge, "units": line.units, "rendering_npi": line.rendering_npi,
            "billing_name": form.billing_name, "billing_npi": form.billing_npi,
        }
        loading["on"] = True
        try:
            for name, value in values.items():
                controls[name].value = value
            if line.place_of_service in [value for _, value in pos_options]:
                controls["place_of_service"].value = line.place_of_service
        finally:
            loading["on"] = False

    def current_form() -> claims.ClaimForm:
        base: claims.ClaimForm = box.state["form"]
        first = replace(base.lines[0], date_from=controls["date_from"].value, date_to=controls["date_to"].value,
                        place_of_service=controls["place_of_service"].value, code=controls["code"].value,
                        modifiers=controls["modifiers"].value, pointer=controls["pointer"].value,
                        charge=controls["charge"].value, units=controls["units"].value,
                        rendering_npi=controls["rendering_npi"].value)
        diagnoses = [controls[k].value for k in ("dx_a", "dx_b", "dx_c", "dx_d")]
        while diagnoses and not diagnoses[-1].strip():
            diagnoses.pop()
        return replace(base, insured_id=controls["insured_id"].value, patient_name=controls["patient_name"].value,
                       birth_date=controls["birth_date"].value, diagnoses=diagnoses,
                       lines=[first, *base.lines[1:]], billing_name=controls["billing_name"].value,
                       billing_npi=controls["billing_npi"].value)

    @safe_update(message)
    def check(_change=None):
        if loading["on"]:
            return
        form = current_form()
        box.state["checked"] = form
        problems = claims.validate_claim(form, box.state["context"])
        result.value = result_html(problems, claims.diagnosis_privacy_notes(form), box.state["context"])
        if len(form.lines) > 1:
            show_message(message, f"This claim has {len(form.lines)} service lines: you edit line 1; "
                                  "the others are checked as they are in the synthetic claim.", kind="info")

    @safe_update(message)
    def load(_change=None):
        claim_id = first_id if start.value == PRACTICE else start.value
        form, context = claims.claim_form(world, claim_id)
        if start.value == PRACTICE:
            form = claims.with_mistakes(form, context)
        box.state.update(form=form, context=context, claim_id=claim_id)
        fill(form)
        check()

    for name, control in controls.items():
        control.observe(load if name == "start" else check, names="value")
    load()
    note = widgets.HTML("<p>Synthetic claim: every name, ID and number is fictional. Edit a box and press Enter "
                        "(or leave the box) to check again.</p>")
    order = ["start", "insured_id", "patient_name", "birth_date", "dx_a", "dx_b", "dx_c", "dx_d", "date_from",
             "date_to", "place_of_service", "code", "modifiers", "pointer", "charge", "units", "rendering_npi",
             "billing_name", "billing_npi"]
    box.children = [note, *[controls[k] for k in order], message, result]
    box.controls, box.result, box.message = controls, result, message
    return box


def table(frame, caption: str):
    """A reference table as an accessible HTML table with a caption, for the page."""
    from IPython.display import HTML

    return HTML(html_table(frame, caption))


# --------------------------------------------------------------------------- 837P preview
def preview_html(export: x12_837p.Export, explain: bool, problems: list[str]) -> str:
    """The file as a pre block (or a table of segments), and what pyx12 said."""
    if problems:
        verdict = (f"<p><strong>pyx12 found {len(problems)} problem(s)</strong> against the 005010X222A1 guide:</p><ul>"
                   + "".join(f"<li>{html.escape(p)}</li>" for p in problems[:10]) + "</ul>")
    else:
        verdict = ("<p><strong>pyx12 found no problems</strong> in this file against the 005010X222A1 guide. "
                   "A structural check does not test the NPI check digit or the codes: the claim checker does.</p>")
    if explain:
        body = html_table(x12_837p.annotate(export), "Each segment of the 837P file and what it says")
    else:
        body = (f'<pre class="course-x12" aria-label="837P file, one segment per line">{html.escape(export.text)}</pre>')
    return verdict + body + ('<p class="course-figure-note">A synthetic test file (ISA15 = T): fictional names, '
                             "IDs, address and tax ID; charges are ILLUSTRATIVE (invented, not real rates). "
                             "Educational, not billing advice.</p>")


def x12_preview(world=None, per_plan: int = 12) -> widgets.VBox:
    """Pick a synthetic claim sent electronically and see it as an 837P file.

    Exposes ``.controls`` (``claim``, ``frequency``, ``explain``), ``.result`` (HTML),
    ``.message`` and ``.export`` (the last Export shown).
    """
    world = _world(world)
    plans = world.organizations.set_index("org_id")["name"].astype(str)
    options = []
    for plan_id in x12_837p.plan_ids(world):
        for claim_id in x12_837p.claims_for_export(world, plan_id, limit=per_plan):
            options.append((f"{claim_id} ({plans[plan_id]})", claim_id))
    # Only the claims offered are ever exported: cut the world down to them once, so an
    # update reads a handful of rows instead of every claim, line and member.
    world = claims.claims_world(world, [claim_id for _, claim_id in options])
    claim = widgets.Dropdown(options=options, value=options[3][1] if len(options) > 3 else options[0][1],
                             description="Claim:", style={"description_width": "10rem"}, layout=widgets.Layout(width="40rem"))
    frequency = widgets.Dropdown(options=[(f"{code} {label}", code) for code, label in x12_837p.FREQUENCIES.items()],
                                 value="1", description="Send as:", style={"description_width": "10rem"},
                                 layout=widgets.Layout(width="40rem"))
    explain = widgets.Checkbox(value=False, description="Explain each segment", indent=False)
    result = widgets.HTML()
    message = message_area()
    box = widgets.VBox()

    @safe_update(message)
    def update(_change=None):
        export = x12_837p.export_837p(world, [claim.value], frequency=frequency.value)
        box.export = export
        result.value = preview_html(export, explain.value, x12_837p.pyx12_problems(export.text))

    controls = {"claim": claim, "frequency": frequency, "explain": explain}
    for control in controls.values():
        control.observe(update, names="value")
    update()
    box.children = [claim, frequency, explain, message, result]
    box.controls, box.result, box.message = controls, result, message
    return box


__all__ = ["claim_builder", "x12_preview", "table", "result_html", "preview_html"]
