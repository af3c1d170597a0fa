"""The fast readiness scoring gives exactly what the straightforward computation gives.

Scoring now reads the question table once (no copy per answer), sums each domain from
its question ids and keeps the resource list per set of gap domains. The references below
are the straightforward versions (a fresh table per call, a filter per domain, a pass over
every resource); every result must equal theirs, for valid and for bad answers.
"""

from __future__ import annotations

import html

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from calaim_course import readiness as rd
from calaim_course.errors import CourseInputError
from calaim_course.inputs import percent_one_decimal
from calaim_course.widgets import readiness as widget

IDS = list(rd.questions().index)
ANSWER_VALUES = [0, 1, 2, 3, "0", "2", " 3 ", "1 Planning", "Partly in place", "in place", 2.0]


def reference_assess(answers):
    checked = rd.parse_answers(rd.EXAMPLE_ANSWERS if answers is None else answers)
    table = rd.questions()
    table["answer"] = table["question_id"].map(checked)
    rows = []
    for domain, label in rd.DOMAINS.items():
        group = table[table["domain"] == domain]
        points, count = int(group["answer"].sum()), len(group)
        possible = rd.MAX_ANSWER * count
        rows.append({"domain": domain, "label": label, "questions": count, "points": points, "possible": possible,
                     "score": percent_one_decimal(points, possible), "gap": points < rd.GAP_AVERAGE * count})
    low = table[table["answer"] < rd.GAP_AVERAGE]
    to_work_on = pd.DataFrame({
        "question_id": low["question_id"].to_numpy(), "domain": low["domain"].to_numpy(),
        "domain_label": low["domain_label"].to_numpy(), "question": low["question"].to_numpy(),
        "answer": low["answer"].astype(int).to_numpy(), "answer_label": low["answer"].map(rd.SCALE).to_numpy(),
        "why": low["why"].to_numpy(),
    })
    return checked, pd.DataFrame(rows), to_work_on


def reference_gaps(domains: pd.DataFrame) -> list[str]:
    return list(domains[domains["gap"]].sort_values("score", kind="stable")["domain"])


def reference_resources(gaps: list[str]) -> pd.DataFrame:
    table = rd.resources()
    columns = ["resource_id", "name", "kind", "fits", "status", "status_note", "what_it_offers", "how_to_use",
               "source_url", "confidence"]
    if not gaps:
        return pd.DataFrame(columns=columns)
    rank = {domain: i for i, domain in enumerate(gaps)}
    rows = []
    for row in table.itertuples(index=False):
        fits = [d for d in gaps if d in row.domain_list]
        if fits:
            rows.append({"resource_id": row.resource_id, "name": row.name, "kind": row.kind,
                         "fits": "; ".join(rd.DOMAINS[d] for d in fits), "status": row.status,
                         "status_note": row.status_note, "what_it_offers": row.what_it_offers,
                         "how_to_use": row.how_to_use, "source_url": row.source_url, "confidence": row.confidence,
                         "_status": rd.STATUS_ORDER.index(row.status), "_weakest": min(rank[d] for d in fits)})
    frame = pd.DataFrame(rows).sort_values(["_status", "_weakest"], kind="stable")
    return frame[columns].reset_index(drop=True)


def reference_bar_rows(domains: pd.DataFrame) -> str:
    rows = []
    for row in domains.itertuples(index=False):
        status = "Gap: below the line" if row.gap else "On track"
        rows.append(
            f"<tr><th scope=\"row\">{html.escape(row.label)}</th><td>{row.points} of {row.possible}</td>"
            f"<td>{row.score:.1f}</td><td aria-hidden=\"true\" style=\"min-width:12rem\">"
            f"<span style=\"display:inline-block;height:0.9em;width:{row.score * 0.12:.2f}rem;"
            f"background:{rd.STATUS_COLOURS[status]}\"></span></td><td>{status}</td></tr>")
    return "".join(rows)


def assert_matches_reference(answers):
    assessment = rd.assess(answers)
    checked, domains, to_work_on = reference_assess(answers)
    assert assessment.answers == checked
    assert_frame_equal(assessment.domains, domains)
    assert_frame_equal(assessment.to_work_on, to_work_on)
    assert assessment.gaps == reference_gaps(domains)
    assert_frame_equal(rd.matching_resources(assessment), reference_resources(reference_gaps(domains)))
    assert reference_bar_rows(domains) in widget.result_html(assessment)
    return assessment


EDGE_CASES = {
    "example": None,
    "all in place": {q: 3 for q in IDS},
    "nothing started": {q: 0 for q in IDS},
    "exactly on the line": {q: 2 for q in IDS},
    "all planning": {q: 1 for q in IDS},
    "one domain low": {q: (0 if q.startswith("bill") else 3) for q in IDS},
    "ties in score": {q: (1 if q.startswith(("bill", "tech")) else 3) for q in IDS},
}


@pytest.mark.parametrize("case", list(EDGE_CASES))
def test_edge_cases_equal_the_reference(case):
    assert_matches_reference(EDGE_CASES[case])


@settings(deadline=None, max_examples=150)
@given(st.lists(st.sampled_from(ANSWER_VALUES), min_size=len(IDS), max_size=len(IDS)))
def test_any_valid_answers_equal_the_reference(values):
    assert_matches_reference(dict(zip(IDS, values)))


BAD_ANSWERS = ["4", "x", 2.5, True, None, "", "2 In place", -1, [1], "1.5"]


@pytest.mark.parametrize("bad", BAD_ANSWERS, ids=repr)
def test_bad_answers_give_the_same_message(bad):
    answers = {**{q: 2 for q in IDS}, IDS[5]: bad}
    with pytest.raises(CourseInputError) as fast:
        rd.assess(answers)
    with pytest.raises(CourseInputError) as reference:
        reference_assess(answers)
    assert str(fast.value) == str(reference.value)
    assert rd.questions().loc[IDS[5], "question"][:40] in str(fast.value)


@pytest.mark.parametrize("answers", [{q: 2 for q in IDS[1:]}, {**{q: 2 for q in IDS}, "no_such_question": 1}])
def test_missing_or_unknown_questions_give_the_same_message(answers):
    with pytest.raises(CourseInputError) as fast:
        rd.assess(answers)
    with pytest.raises(CourseInputError) as reference:
        reference_assess(answers)
    assert str(fast.value) == str(reference.value)


def test_a_changed_resource_list_does_not_change_the_next_one():
    assessment = rd.assess({q: 0 for q in IDS})
    first = rd.matching_resources(assessment)
    first.loc[0, "name"] = "changed by a caller"
    first["fits"] = "changed too"
    again = rd.matching_resources(assessment)
    assert_frame_equal(again, reference_resources(assessment.gaps))


def test_widget_updates_equal_the_reference():
    box = widget.readiness_explorer()
    control = box.controls[IDS[0]]
    for value in [widget.OPTIONS[0], widget.OPTIONS[3], "1", widget.OPTIONS[2]]:
        control.value = value
        answers = {key: c.value for key, c in box.controls.items()}
        _, domains, _ = reference_assess(answers)
        assert reference_bar_rows(domains) in box.result.value
        assert box.result.value == widget.result_html(rd.assess(answers))
        assert box.message.value == ""
