"""The release-of-information builder: fields give a checklist and a Markdown draft."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import release_builder as builder
from calaim_course.widgets.common import html_table, message_area, safe_update

_STYLE = {"description_width": "16rem"}
_WIDE = widgets.Layout(width="46rem")
_LONG_TEXT = {"information", "purpose", "risks_discussed"}


def _control(name: str, value):
    label = builder.FIELD_LABELS[name] + ":"
    if name == "signer":
        return widgets.Dropdown(options=[(text, key) for key, text in builder.SIGNERS.items()], value=value,
                                description=label, style=_STYLE, layout=_WIDE)
    if isinstance(value, bool):
        texts = {
            "informed": "I explained what will be shared, with whom, why, and the risks",
            "services_not_conditioned": "Services do not depend on signing",
            "representative_not_abuser": "The parent or guardian signing is not the person who caused harm",
        }
        return widgets.Checkbox(value=value, description=texts[name], indent=False, layout=_WIDE)
    if name in _LONG_TEXT:
        return widgets.Textarea(value=value, description=label, continuous_update=False, style=_STYLE,
                                layout=widgets.Layout(width="46rem", height="4.5rem"))
    return widgets.Text(value=value, description=label, continuous_update=False, style=_STYLE, layout=_WIDE)


def checklist_html(values) -> str:
    table = builder.element_checklist(values)
    missing = int(table["Status"].str.startswith("Missing").sum())
    summary = ("Every required element is in the draft." if missing == 0
               else f"{missing} element{'s' if missing > 1 else ''} missing or invalid: see the Status column.")
    return (f'<p class="course-result"><strong>Checklist:</strong> {html.escape(summary)}</p>'
            + html_table(table, "Required elements of the release, where each comes from, and whether the draft has it"))


def draft_html(markdown: str) -> str:
    return ('<p><strong>Draft (Markdown, ready to copy):</strong></p>'
            f'<pre class="course-draft" style="white-space: pre-wrap">{html.escape(markdown)}</pre>'
            f'<p class="course-figure-note">The end-date limit of {builder.MAX_DAYS} days is the course\'s '
            "illustration of 'reasonably time-limited', not a legal rule. Educational, not legal advice: "
            "your organization's counsel must approve any real release.</p>")


def release_builder(initial: builder.ReleaseFields | None = None) -> widgets.VBox:
    """Controls for every field; the checklist always updates, the draft only when complete.

    The returned box exposes ``.controls`` (a dict keyed by field name), ``.checklist``
    and ``.result`` (HTML: the last complete draft) and ``.message`` (what is missing).
    """
    start = builder.coerce_fields(initial or builder.ReleaseFields())
    controls = {name: _control(name, getattr(start, name)) for name in builder.FIELD_LABELS}
    checklist = widgets.HTML()
    result = widgets.HTML()
    message = message_area()

    def values() -> dict:
        return {name: control.value for name, control in controls.items()}

    @safe_update(message)
    def make_draft():
        result.value = draft_html(builder.build_release(values()))

    def update(_change=None):
        checklist.value = checklist_html(values())
        make_draft()

    for control in controls.values():
        control.observe(update, names="value")
    update()
    box = widgets.VBox([*controls.values(), message, checklist, result])
    box.controls, box.checklist, box.result, box.message = controls, checklist, result, message
    return box
