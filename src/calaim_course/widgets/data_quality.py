"""The data completeness checker: required fields missing, by field, by staff member, and for one record.

The builder returns a VBox exposing ``.controls`` (a dict of input widgets), ``.result``
(HTML: the counts), ``.record`` (HTML: one record's gaps) and ``.message`` (input
problems), so tests can drive it.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import data_quality as dq
from calaim_course.widgets.common import html_table, message_area, safe_update

PRACTICE = "practice"
GENERATED = "generated"
DATA_OPTIONS = [("Practice copy with planted gaps", PRACTICE), ("Member file as generated", GENERATED)]
BY_FIELD = "By required field (whole agency)"
BY_STAFF = "Summary by staff member"
STYLE = {"description_width": "14rem"}
WIDE = widgets.Layout(width="40rem")
SYNTHETIC_NOTE = "Synthetic data: every person and organization is fictional."
PRACTICE_NOTE = ("The practice copy is the synthetic member file with gaps planted on purpose by "
                 "calaim_course.data_quality.plant_gaps (the same gaps every time).")


def _p(text: str, cls: str = "course-figure-note") -> str:
    return f'<p class="{cls}">{html.escape(text)}</p>'


def result_html(result: dq.Completeness, show: str, data: str) -> str:
    """The finding, the table for ``show`` and the suppression note."""
    if show == BY_FIELD:
        table = html_table(result.field_table(), "Members missing each required field, with why it is required and how to fix a gap")
    elif show == BY_STAFF:
        table = html_table(result.summary_table(), "Members by the staff member who recorded their intake, with and without a gap")
    else:
        table = html_table(result.staff_detail(show), f"Members whose intake {show} recorded, missing each required field")
    source = PRACTICE_NOTE if data == PRACTICE else "The member file exactly as the generator wrote it."
    return "\n".join([
        f'<p class="course-result"><strong>Main finding:</strong> {html.escape(result.finding())}</p>',
        table,
        _p(f"{result.note()} {source} {SYNTHETIC_NOTE}"),
    ])


def record_html(members, member_id: str, checker: dq.RecordChecker | None = None) -> str:
    """One record's missing fields with how to fix each (empty text: nothing to show).

    ``checker``: a ``RecordChecker`` already built for ``members`` (faster when called often).
    """
    if not member_id.strip():
        return ""
    gaps = (checker or dq.RecordChecker(members)).gaps(member_id)
    name = member_id.strip().upper()
    if gaps.empty:
        return _p(f"{name}: every required field is filled in.", "course-result")
    return html_table(gaps, f"Required fields missing from record {name}, and how to fix each")


def completeness_checker(world=None) -> widgets.VBox:
    """Choose the data and the view; type a member ID to check one record."""
    if world is None:
        from calaim_course.synthetic import load_world

        world = load_world()
    intake = dq.intake_staff(world.services)
    # The same as dq.practice_member_file(world), without finding the intakes again.
    files = {PRACTICE: dq.plant_gaps(world.members, intake, world.staff), GENERATED: world.members}
    results = {key: dq.check_completeness(members, intake, world.staff) for key, members in files.items()}
    checkers = {key: dq.RecordChecker(members) for key, members in files.items()}
    default_id = dq.first_record_with_gaps(files[PRACTICE]) or ""
    # Each counts view depends only on (member file, view), and the results never change,
    # so each is rendered once. The two agency-wide views (the summary has one row per
    # staff member) are rendered now; one staff member's view when first asked for.
    pages: dict[tuple[str, str], str] = {}

    def counts_html(key: str, view: str) -> str:
        if (key, view) not in pages:
            pages[key, view] = result_html(results[key], view, key)
        return pages[key, view]

    for key in files:
        for view in (BY_FIELD, BY_STAFF):
            counts_html(key, view)

    data = widgets.Dropdown(options=DATA_OPTIONS, value=PRACTICE, description="Member file:", style=STYLE, layout=WIDE)
    show = widgets.Dropdown(options=[BY_FIELD, BY_STAFF, *results[PRACTICE].staff], value=BY_FIELD,
                            description="Show:", style=STYLE, layout=WIDE)
    member = widgets.Text(value=default_id, description="Check one record (member ID):", style=STYLE, layout=WIDE,
                          continuous_update=False, placeholder="for example SYN-M-0000012")
    result = widgets.HTML()
    record = widgets.HTML()
    message = message_area()

    # Two updates, so a mistyped member ID never stops the counts from following the menus.
    @safe_update(message)
    def update_counts(_change=None):
        result.value = counts_html(data.value, show.value)

    @safe_update(message)
    def update_record(_change=None):
        record.value = record_html(files[data.value], member.value, checkers[data.value])

    data.observe(update_counts, names="value")
    show.observe(update_counts, names="value")
    data.observe(update_record, names="value")
    member.observe(update_record, names="value")
    update_counts()
    update_record()
    box = widgets.VBox([data, show, member, message, record, result])
    box.controls = {"data": data, "show": show, "member": member}
    box.result, box.record, box.message = result, record, message
    return box
