"""PATH CITED rounds: choose rounds and see amounts, organizations and the average award."""

from __future__ import annotations

import html

import ipywidgets as widgets

from calaim_course import path_funding
from calaim_course.widgets.common import html_table, message_area, safe_update


def result_html(summary: path_funding.Summary) -> str:
    """The finding and the chosen rounds' table, with source links (no headings: inside a page)."""
    links = "".join(
        f'<li><a href="{html.escape(row.source_url)}">Source for Round {row.round}</a> ({html.escape(row.confidence.lower())})</li>'
        for row in summary.table.itertuples(index=False)
    )
    return "\n".join([
        f'<p class="course-result"><strong>Main finding:</strong> {html.escape(path_funding.finding(summary))}</p>',
        html_table(path_funding.display_table(summary),
                   f"PATH CITED awards, {path_funding.rounds_text(summary.chosen)}; the average is computed by the course"),
        f"<ul>{links}</ul>",
        '<p class="course-figure-note">Totals count awards, not distinct organizations: the course cannot tell '
        "whether one organization won in more than one round. CITED is closed: Round 4 was the final round.</p>",
    ])


def funding_explorer(chosen: str = "all") -> widgets.VBox:
    """A text box for the rounds to include and the totals they give.

    The returned box exposes ``.controls`` (a dict with the ``rounds`` Text), ``.result``
    (HTML), ``.message`` (input problems) and ``.summary`` (the last valid ``Summary``).
    """
    rounds_box = widgets.Text(
        value=chosen, description="Rounds to include:", placeholder="all, 3, 2-4 or 2, 4",
        continuous_update=False, style={"description_width": "10rem"}, layout=widgets.Layout(width="28rem"),
    )
    hint = widgets.HTML("<p>Type <code>all</code>, one round, a range such as <code>2-4</code>, or rounds "
                        "separated by commas such as <code>2, 4</code>, then press Enter.</p>")
    result = widgets.HTML()
    message = message_area()
    box = widgets.VBox([hint, rounds_box, message, result])

    @safe_update(message)
    def update(_change=None):
        summary = path_funding.summarize(rounds_box.value)
        result.value = result_html(summary)
        box.summary = summary

    rounds_box.observe(update, names="value")
    box.controls, box.result, box.message, box.summary = {"rounds": rounds_box}, result, message, None
    update()
    return box
