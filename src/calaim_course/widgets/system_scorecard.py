"""The system requirements scorecard: weights on requirements rank three fictional systems."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import system_scorecard
from calaim_course.widgets.common import html_table, message_area, safe_update


def result_html(card: system_scorecard.Scorecard) -> str:
    """The ranking, the leader's gaps and the questions to ask (no headings: inside a page)."""
    leader = card.leader
    questions = system_scorecard.vendor_questions(card, leader)
    parts = [
        f'<p class="course-result"><strong>Main finding:</strong> {html.escape(system_scorecard.finding(card))}</p>',
        html_table(system_scorecard.ranking_table(card),
                   "Fictional systems ranked by weighted score (meets = full weight, partly meets = half)"),
    ]
    if questions.empty:
        parts.append(f"<p>{html.escape(leader)} meets every requirement you weighted.</p>")
    else:
        parts.append(html_table(questions, f"Questions to ask about the gaps of the first-ranked system, {leader}"))
    parts.append(f'<p class="course-figure-note">{html.escape(system_scorecard.FICTIONAL_NOTE)}</p>')
    return "\n".join(parts)


def scorecard_explorer(weights: dict[str, int] | None = None) -> widgets.VBox:
    """One slider per requirement (0 = ignore, 5 = must-have) and the ranking it gives.

    The returned box exposes ``.controls`` (a dict of IntSliders keyed by requirement
    id), ``.result`` (HTML), ``.message`` (input problems, such as every weight at 0)
    and ``.card`` (the last valid ``Scorecard``).
    """
    table = system_scorecard.requirements()
    start = system_scorecard.parse_weights(weights)
    controls = {}
    for requirement_id, row in table.iterrows():  # 8 requirements
        controls[requirement_id] = widgets.IntSlider(
            value=start[requirement_id], min=system_scorecard.MIN_WEIGHT, max=system_scorecard.MAX_WEIGHT,
            step=1, description=row["requirement"] + ":", continuous_update=False,
            style={"description_width": "22rem"}, layout=widgets.Layout(width="38rem"),
        )
    result = widgets.HTML()
    message = message_area()
    hint = widgets.HTML("<p>Weight each requirement from 0 (ignore) to 5 (must-have).</p>")
    box = widgets.VBox([hint, *controls.values(), message, result])

    @safe_update(message)
    def update(_change=None):
        card = system_scorecard.score({key: control.value for key, control in controls.items()})
        result.value = result_html(card)
        box.card = card

    for control in controls.values():
        control.observe(update, names="value")
    box.controls, box.result, box.message, box.card = controls, result, message, None
    update()
    return box


def requirements_view():
    """The requirements, what each asks of a system and the rule behind it, with source links."""
    from IPython.display import HTML

    table = system_scorecard.requirements()
    shown = table[["requirement", "what_it_does", "rule", "confidence"]].rename(columns={
        "requirement": "Requirement", "what_it_does": "What the system must do",
        "rule": "The rule behind it", "confidence": "How sure the course is"})
    links = "".join(
        f'<li><a href="{html.escape(row.source_url)}">Source for {html.escape(row.requirement)}</a></li>'
        for row in table.itertuples(index=False)
    )
    return HTML(html_table(shown, "What a records, case-management or billing system must do for Medi-Cal work")
                + f"<ul>{links}</ul>")


def vendor_questions_view():
    """Every requirement's question to ask a vendor or partner, as a table."""
    from IPython.display import HTML

    questions = system_scorecard.vendor_questions(system_scorecard.score())
    return HTML(html_table(questions, "Questions to ask vendors and partners, one for each requirement"))
