"""The redaction preview: a synthetic case note, the rules to apply, and the auditor's view.

Choosing a sample note fills the note box and the names box; a learner can also paste
their own synthetic note. The builder returns a VBox exposing ``.controls`` (``note``,
``text``, ``names`` and ``rules``, a dict of checkboxes by rule id), ``.result``,
``.rules`` (the rules table) and ``.message`` for tests.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import redaction
from calaim_course.widgets.common import html_table, message_area, safe_update

STYLE = {"description_width": "9rem"}
WIDE = widgets.Layout(width="46rem")
OWN_NOTE = "own"


def auditor_view_html(result: redaction.Redaction, note: redaction.CaseNote | None = None) -> str:
    parts = []
    if note is not None and note.record_type == "advocacy":
        parts.append('<div class="course-msg course-msg-info" role="note"><strong>Stop and check:</strong> '
                     f"{html.escape(redaction.ADVOCACY_WARNING)}</div>")
    parts += [
        f'<p class="course-result"><strong>Result:</strong> {html.escape(result.summary())}</p>',
        "<p><strong>Auditor's view:</strong></p>",
        f'<pre class="course-draft" style="white-space: pre-wrap">{html.escape(result.redacted)}</pre>',
        html_table(result.summary_table(), "Passages masked by each rule in this note"),
        f'<div class="course-msg course-msg-info" role="note"><strong>A person still reviews:</strong> '
        f"{html.escape(redaction.HUMAN_REVIEW_NOTE)}</div>",
    ]
    return "\n".join(parts)


def rules_html(active) -> str:
    return html_table(redaction.rules_table(active),
                      "The redaction rules: what each masks, why, its source and how sure the course is of it")


def redaction_preview(note_id: str = "SYN-NOTE-001") -> widgets.VBox:
    """Sample notes, an editable note, names to mask and one checkbox per rule."""
    start = redaction.CASE_NOTES_BY_ID[note_id]
    options = [(n.title, n.note_id) for n in redaction.CASE_NOTES] + [("Your own synthetic note (edit the box)", OWN_NOTE)]
    note = widgets.Dropdown(options=options, value=note_id, description="Sample note:", style=STYLE, layout=WIDE)
    text = widgets.Textarea(value=start.text, description="Case note:", style=STYLE, continuous_update=False,
                            layout=widgets.Layout(width="46rem", height="14rem"))
    names = widgets.Text(value=start.names, description="Names to mask:", style=STYLE, layout=WIDE,
                         continuous_update=False, placeholder="names separated by commas")
    rules = {r.rule_id: widgets.Checkbox(value=True, description=r.label, indent=False,
                                         layout=widgets.Layout(width="22rem"))
             for r in redaction.RULES}
    result = widgets.HTML()
    rules_table = widgets.HTML()
    message = message_area()
    filling = {"now": False}

    @safe_update(message)
    def update(_change=None):
        if filling["now"]:
            return
        active = [rule_id for rule_id, box in rules.items() if box.value]
        chosen = redaction.CASE_NOTES_BY_ID.get(note.value)
        if chosen is not None and text.value != chosen.text:
            chosen = None  # the learner edited the note: no sample note's warning applies
        outcome = redaction.redact(text.value, active, names.value)
        result.value = auditor_view_html(outcome, chosen)
        rules_table.value = rules_html(active)

    def pick(_change=None):
        chosen = redaction.CASE_NOTES_BY_ID.get(note.value)
        if chosen is not None:
            filling["now"] = True       # fill both boxes, then update once
            text.value, names.value = chosen.text, chosen.names
            filling["now"] = False
        update()

    note.observe(pick, names="value")
    for control in (text, names, *rules.values()):
        control.observe(update, names="value")
    update()
    rule_grid = widgets.GridBox(list(rules.values()),
                                layout=widgets.Layout(grid_template_columns="repeat(2, 22rem)"))
    box = widgets.VBox([note, text, names, widgets.HTML("<strong>Rules to apply:</strong>"), rule_grid,
                        message, result, rules_table])
    box.controls = {"note": note, "text": text, "names": names, "rules": rules}
    box.result, box.rules, box.message = result, rules_table, message
    return box
