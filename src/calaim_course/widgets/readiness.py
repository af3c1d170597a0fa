"""The readiness self-assessment: answers from 0 to 3 give scores by domain and resources for the gaps."""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from calaim_course import readiness
from calaim_course.widgets.common import html_table, message_area, safe_update

OPTIONS = [f"{number} {label}" for number, label in readiness.SCALE.items()]  # "2 Partly in place"


def how_sure(confidence: str, status: str) -> str:
    """The confidence mark as shown; for an "unconfirmed" program only its name is sourced."""
    return "only the name is confirmed" if status == "unconfirmed" else confidence.lower()


def _bars_html(assessment: readiness.Assessment) -> str:
    """Scores as a text table with a plain bar in each row (the number is always in words too)."""
    rows = []
    frame = assessment.domains
    # Plain Python values, as itertuples gives them, without building a named tuple class per call.
    for label, points, possible, score, gap in zip(*(frame[c].tolist() for c in ("label", "points", "possible",
                                                                                  "score", "gap"))):
        status = "Gap: below the line" if gap else "On track"
        colour = readiness.STATUS_COLOURS[status]
        rows.append(
            f"<tr><th scope=\"row\">{html.escape(label)}</th><td>{points} of {possible}</td>"
            f"<td>{score:.1f}</td><td aria-hidden=\"true\" style=\"min-width:12rem\">"
            f"<span style=\"display:inline-block;height:0.9em;width:{score * 0.12:.2f}rem;background:{colour}\"></span></td>"
            f"<td>{status}</td></tr>"
        )
    return (
        '<table class="course-table"><caption>Readiness score by domain (out of 100; the gap line is '
        f"{readiness.GAP_SCORE}, that is {readiness.GAP_AVERAGE}, partly in place, on average)</caption>"
        "<thead><tr><th>Domain</th><th>Points</th><th>Score (out of 100)</th><th>Bar</th><th>Status</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def result_html(assessment: readiness.Assessment) -> str:
    """The finding, the domain scores, what to work on and the resources (no headings: inside a page)."""
    parts = [
        f'<p class="course-result"><strong>Main finding:</strong> {html.escape(readiness.finding(assessment))}</p>',
        _bars_html(assessment),
    ]
    low = assessment.to_work_on
    if low.empty:
        parts.append("<p>No question is answered below 2 (partly in place).</p>")
    else:
        shown = pd.DataFrame({"Domain": low["domain_label"], "Question": low["question"],
                              "Your answer": [f"{a} {label}" for a, label in zip(low["answer"], low["answer_label"])],
                              "Why it matters": low["why"]})
        parts.append(html_table(shown, "Questions answered 0 (not started) or 1 (planning)"))
    found = readiness.matching_resources(assessment)
    if found.empty:
        parts.append("<p>No domain is below the gap line, so no resources are suggested. "
                     "The table of all support resources earlier in this section lists every one.</p>")
    else:
        links = [f'<a href="{html.escape(url)}">Source for {html.escape(name)}</a> ({html.escape(how_sure(conf, status))})'
                 for name, url, conf, status in zip(found["name"], found["source_url"], found["confidence"],
                                                    found["status"])]
        shown = pd.DataFrame({"Resource": found["name"], "Fits": found["fits"],
                              "Status": found["status_note"], "How to use it": found["how_to_use"]})
        parts.append(html_table(shown, "Resources that fit your gaps (usable ones first, closed ones last)"))
        parts.append("<ul>" + "".join(f"<li>{link}</li>" for link in links) + "</ul>")
    parts.append('<p class="course-figure-note">A self-assessment for discussion, not a rating by any plan or '
                 "by DHCS. Educational, not legal or billing advice.</p>")
    return "\n".join(parts)


def readiness_explorer(answers: dict[str, object] | None = None) -> widgets.VBox:
    """One box per question (type 0-3 or pick from the list) and the scores it gives.

    The returned box exposes ``.controls`` (a dict of Comboboxes keyed by question id),
    ``.result`` (HTML), ``.message`` (input problems, naming the question) and
    ``.assessment`` (the last valid ``readiness.Assessment``).
    """
    table = readiness.questions()
    start = readiness.parse_answers(readiness.EXAMPLE_ANSWERS if answers is None else answers)
    controls: dict[str, widgets.Combobox] = {}
    children: list[widgets.Widget] = [widgets.HTML(
        "<p>Answer each question from 0 to 3: 0 not started, 1 planning, 2 partly in place, 3 in place. "
        "Type the number or pick it from the list, then press Enter. The starting answers are the "
        f"example of the course's fictional agency, {html.escape(readiness.EXAMPLE_AGENCY)}.</p>")]
    for domain, label in readiness.DOMAINS.items():
        children.append(widgets.HTML(f'<p class="course-widget-group"><strong>{html.escape(label)}</strong></p>'))
        for question_id, row in table[table["domain"] == domain].iterrows():
            # The question goes in its own paragraph: a widget description this long would be cut off.
            children.append(widgets.HTML(f"<p>{row['order']}. {html.escape(row['question'])}</p>"))
            control = widgets.Combobox(
                value=OPTIONS[start[question_id]], options=OPTIONS, ensure_option=False,
                placeholder="0, 1, 2 or 3", continuous_update=False,
                description="Answer:", tooltip=row["question"],
                style={"description_width": "5rem"}, layout=widgets.Layout(width="22rem"),
            )
            controls[question_id] = control
            children.append(control)
    result = widgets.HTML()
    message = message_area()
    box = widgets.VBox([*children, message, result])

    @safe_update(message)
    def update(_change=None):
        assessment = readiness.assess({key: control.value for key, control in controls.items()})
        result.value = result_html(assessment)
        box.assessment = assessment

    for control in controls.values():
        control.observe(update, names="value")
    box.controls, box.result, box.message, box.assessment = controls, result, message, None
    update()
    return box


def questions_view():
    """Every question, why it matters and how sure the course is, with source links."""
    from IPython.display import HTML

    table = readiness.questions()
    shown = pd.DataFrame({
        "Domain": table["domain_label"], "Question": table["question"], "Why it matters": table["why"],
        "Basis": table["basis"].str.capitalize(), "How sure": table["confidence"],
    })
    sourced = table[table["source_url"].notna()]
    links = "".join(
        f'<li><a href="{html.escape(row.source_url)}">Source for question {html.escape(row.question_id)}</a></li>'
        for row in sourced.itertuples(index=False)
    )
    return HTML(html_table(shown, "Readiness questions by domain; a course suggestion is not a rule")
                + f"<ul>{links}</ul>")


def resources_view():
    """Every support resource, the domains it helps with and its status today."""
    from IPython.display import HTML

    table = readiness.resources()
    shown = pd.DataFrame({
        "Resource": table["name"], "Helps with": table["domain_list"].map(lambda ds: "; ".join(readiness.DOMAINS[d] for d in ds)),
        "What it offers": table["what_it_offers"], "Status": table["status_note"],
        "How sure": [how_sure(c, s) for c, s in zip(table["confidence"], table["status"])],
    })
    links = "".join(f'<li><a href="{html.escape(row.source_url)}">Source for {html.escape(row.name)}</a></li>'
                    for row in table.itertuples(index=False))
    return HTML(html_table(shown, "Support resources, the domains they help with and their status")
                + f"<ul>{links}</ul>")
