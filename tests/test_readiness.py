"""The readiness self-assessment: its tables, hand-worked scores, bad answers, chart, widget."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import readiness as rd
from calaim_course.errors import CourseInputError
from calaim_course.widgets.readiness import OPTIONS, questions_view, readiness_explorer, resources_view

IDS = list(rd.EXAMPLE_ANSWERS)


def all_at(value: int, **others: int) -> dict[str, int]:
    """Every answer at ``value`` except the ones given."""
    return {question_id: others.get(question_id, value) for question_id in IDS}


# ------------------------------------------------------------------------------ tables


def test_questions_cover_six_domains_each_with_a_source_or_marked_as_a_suggestion():
    table = rd.questions()
    assert list(dict.fromkeys(table["domain"])) == list(rd.DOMAINS)
    assert table.groupby("domain").size().min() >= 3
    assert list(table.index) == IDS  # the example answers follow the table's order
    sourced = table[table["basis"] == "sourced rule"]
    assert sourced["source_url"].str.startswith("https://").all()
    assert set(sourced["confidence"]) <= {"VERIFIED", "SECONDARY"}
    suggestions = table[table["basis"] == "course suggestion"]
    assert len(suggestions) >= 1 and (suggestions["confidence"] == "UNVERIFIED").all()
    assert suggestions["note"].str.contains("Course suggestion").all()
    assert set(table["basis"]) == {"sourced rule", "course suggestion"}


def test_resources_are_sourced_and_say_cited_is_closed():
    table = rd.resources()
    assert table["source_url"].str.startswith("https://").all()
    assert set(table["confidence"]) <= {"VERIFIED", "SECONDARY"}
    cited = table.loc["path_cited"]
    assert cited["status"] == "closed" and "final round" in cited["status_note"]
    # The TA Marketplace and CPI are confirmed by name only: their status says so.
    for resource_id in ["path_ta_marketplace", "path_cpi"]:
        assert table.loc[resource_id, "status"] == "unconfirmed"
        assert "could not confirm" in table.loc[resource_id, "what_it_offers"]
    # Every domain has at least one usable (not closed) resource.
    for domain in rd.DOMAINS:
        usable = table[(table["status"] != "closed") & table["domain_list"].map(lambda ds: domain in ds)]
        assert len(usable) >= 2, domain


# ------------------------------------------------------------------ hand-worked scores


def test_example_answers_worked_by_hand():
    # Governance 3+3+3+3 = 12/12 -> 100.0; staffing 2+3+3+1 = 9 -> 75.0;
    # billing 2+1+2+2 = 7 -> 58.3 (gap: 7 < 8); data 1+2+3+3 = 9 -> 75.0;
    # confidentiality 3+2+3+1 = 9 -> 75.0; technology 2+1+1+1 = 5 -> 41.7 (gap).
    result = rd.assess()
    scores = dict(zip(result.domains["domain"], result.domains["score"]))
    assert scores == {"governance_contracting": 100.0, "staffing_supervision": 75.0, "billing_claims": 58.3,
                      "data_reporting": 75.0, "confidentiality_consent": 75.0, "technology": 41.7}
    assert result.gaps == ["technology", "billing_claims"]  # weakest first
    assert result.overall == pytest.approx(70.8)  # 51 of 72
    assert list(result.to_work_on["question_id"]) == [  # answers of 0 or 1
        "staff_supervision", "bill_codes", "data_rtf", "conf_hashing", "tech_roles", "tech_audit", "tech_consent"]
    assert rd.finding(result) == (
        "Technology (41.7 out of 100) and billing and claims (58.3 out of 100) are below the gap line "
        "(2, partly in place, on average); 9 resources fit them. "
        "The strongest domain is governance and contracting (100.0).")


def test_exactly_two_on_average_is_not_a_gap_and_just_below_is():
    at_line = rd.assess(all_at(2))
    assert not at_line.gaps and set(at_line.domains["score"]) == {66.7}
    just_below = rd.assess(all_at(2, tech_audit=1))
    assert just_below.gaps == ["technology"]
    assert just_below.score("technology") == 58.3  # 7 of 12


def test_all_in_place_and_nothing_started():
    top = rd.assess(all_at(3))
    assert top.overall == 100.0 and not top.gaps and rd.matching_resources(top).empty
    assert rd.finding(top).startswith("No domain is below the gap line")
    bottom = rd.assess(all_at(0))
    assert bottom.overall == 0.0 and bottom.gaps == list(rd.DOMAINS)  # ties keep the domain order
    found = rd.matching_resources(bottom)
    assert len(found) == len(rd.resources())  # every resource fits some domain


def test_resources_fit_the_gaps_usable_first_and_closed_cited_last():
    result = rd.assess(all_at(3, bill_codes=0, bill_format=0))  # only billing is a gap
    found = rd.matching_resources(result)
    assert set(found["fits"]) == {"Billing and claims"}
    assert "course_s08" in set(found["resource_id"]) and "budget_estimator" in set(found["resource_id"])
    assert "ddg" not in set(found["resource_id"])  # a data resource does not fit a billing gap
    assert found.iloc[-1]["resource_id"] == "path_cited" and found.iloc[-1]["status"] == "closed"
    order = [rd.STATUS_ORDER.index(status) for status in found["status"]]
    assert order == sorted(order)


# ------------------------------------------------------------------------- bad answers


@pytest.mark.parametrize("value", ["4", "-1", "2.5", "yes", "", "   ", None, True, 7, 1.5, "2 In place", [2]])
def test_an_unknown_answer_names_the_question(value):
    answers = all_at(2)
    answers["conf_baa"] = value
    with pytest.raises(CourseInputError) as error:
        rd.assess(answers)
    assert "conf_baa" in str(error.value) and "business associate agreement" in str(error.value)
    assert "0, 1, 2 or 3" in str(error.value)


@pytest.mark.parametrize("value, expected", [(0, 0), ("3", 3), (" 1 ", 1), (2.0, 2), ("Partly in place", 2),
                                             ("in place", 3), ("2 Partly in place", 2), ("1 - planning", 1),
                                             ("0 Not started", 0)])
def test_answers_in_words_or_numbers(value, expected):
    assert rd.parse_answer("gov_npi", value) == expected


def test_missing_and_unknown_questions_are_named():
    answers = all_at(2)
    del answers["data_hmis"]
    with pytest.raises(CourseInputError, match="data_hmis.*no answer"):
        rd.assess(answers)
    with pytest.raises(CourseInputError, match="Question: got 'gov_budget'"):
        rd.assess({**all_at(2), "gov_budget": 3})
    with pytest.raises(CourseInputError, match="Answers"):
        rd.assess([2] * len(IDS))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(IDS),
                       st.one_of(st.integers(-5, 8), st.floats(allow_nan=True, allow_infinity=True),
                                 st.text(max_size=12), st.none(), st.booleans()),
                       min_size=len(IDS) - 2, max_size=len(IDS)))
def test_any_answers_give_scores_in_range_or_a_course_input_error(answers):
    try:
        result = rd.assess(answers)
    except CourseInputError as error:
        assert str(error)  # a message, never another exception
        return
    assert set(answers) == set(IDS)
    assert result.domains["score"].between(0, 100).all()
    assert 0 <= result.overall <= 100
    for row in result.domains.itertuples(index=False):
        assert row.gap == (row.points < 2 * row.questions)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["7", "x", "-2", "3.5", "Maybe"]), min_size=1, max_size=1), st.sampled_from(IDS))
def test_any_unknown_answer_value_names_its_question(bad, question_id):
    answers = {**all_at(1), question_id: bad[0]}
    with pytest.raises(CourseInputError) as error:
        rd.assess(answers)
    assert question_id in str(error.value)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3), min_size=len(IDS), max_size=len(IDS)))
def test_valid_answers_always_score_and_resources_fit_only_gaps(values):
    result = rd.assess(dict(zip(IDS, values)))
    found = rd.matching_resources(result)
    gap_labels = {rd.DOMAINS[d] for d in result.gaps}
    for fits in found["fits"]:
        assert set(fits.split("; ")) <= gap_labels


# ------------------------------------------------------------------------------ chart


def test_chart_has_one_named_radio_param_per_question_and_the_expression_matches():
    spec = rd.readiness_chart().to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert {f"q_{q}" for q in IDS} <= set(params)
    assert params["q_tech_roles"]["value"] == rd.EXAMPLE_ANSWERS["tech_roles"]
    assert params["q_tech_roles"]["bind"]["input"] == "radio"
    assert params["q_tech_roles"]["bind"]["options"] == [0, 1, 2, 3]
    expression = rd.answer_expression(["a", "b"])
    assert expression == "datum.question_id === 'a' ? q_a : (datum.question_id === 'b' ? q_b : (null))"
    text = json.dumps(spec)
    assert "Readiness score by domain" in text and "Resources that fit the gaps" in text


def test_chart_starts_at_the_given_answers_and_rejects_bad_ones():
    spec = rd.readiness_chart(all_at(3)).to_dict()
    assert {p["value"] for p in spec["params"] if p["name"].startswith("q_")} == {3}
    with pytest.raises(CourseInputError, match="gov_npi"):
        rd.readiness_chart(all_at(3, gov_npi=9))


def test_chart_frame_rows_match_the_tables():
    frame = rd.chart_frame()
    assert (frame["kind"] == "question").sum() == len(IDS)
    assert frame.loc[frame["kind"] == "question", "first"].sum() == len(rd.DOMAINS)
    pairs = rd.resources()["domain_list"].map(len).sum()
    assert (frame["kind"] == "resource").sum() == pairs


def test_chart_description_lists_scores_and_resources():
    text = rd.chart_description(rd.assess())
    assert "Technology, 41.7 (gap)" in text and "Governance and contracting, 100.0;" in text
    assert "PATH CITED grants" in text and "(closed)" in text
    assert "no domain is below the line" in rd.chart_description(rd.assess(all_at(3)))


# ------------------------------------------------------------------------------ widget


def test_widget_default_view_shows_the_example():
    box = readiness_explorer()
    assert set(box.controls) == set(IDS)
    assert box.controls["tech_roles"].value == "1 Planning"
    assert box.message.value == ""
    assert "Technology (41.7 out of 100)" in box.result.value
    assert "PATH CITED grants" in box.result.value and "Closed: Round 4" in box.result.value
    assert "<caption>Readiness score by domain" in box.result.value


def test_widget_recomputes_when_an_answer_changes():
    box = readiness_explorer()
    for question_id in ["tech_roles", "tech_audit", "tech_consent"]:
        box.controls[question_id].value = "3"
    assert box.assessment.score("technology") == 91.7
    assert "Technology (" not in box.result.value  # no longer a gap
    assert "Billing and claims (58.3 out of 100) is below the gap line" in box.result.value


def test_widget_bad_answer_shows_a_message_naming_the_question_and_keeps_the_result():
    box = readiness_explorer()
    before = box.result.value
    box.controls["staff_dvc"].value = "5"
    assert "staff_dvc" in box.message.value and "domestic violence counselors" in box.message.value
    assert "got &#x27;5&#x27;" in box.message.value
    assert box.result.value == before
    box.controls["staff_dvc"].value = OPTIONS[3]
    assert box.message.value == ""


def test_widget_with_everything_in_place_lists_no_resources():
    box = readiness_explorer(all_at(3))
    assert "no resources are suggested" in box.result.value
    assert "No question is answered below 2" in box.result.value


def test_reference_views_link_every_source():
    questions_html = questions_view().data
    assert questions_html.count("Source for question") == (rd.questions()["source_url"].notna()).sum()
    resources_html = resources_view().data
    assert resources_html.count("<li><a href=") == len(rd.resources())
    assert "Closed: Round 4 (awarded November 18, 2025) was the final round." in resources_html
    assert resources_html.count("only the name is confirmed") == 2  # the TA Marketplace and CPI


def test_unconfirmed_programs_never_show_as_verified_in_the_widget():
    box = readiness_explorer(all_at(0))
    assert "PATH Technical Assistance (TA) Marketplace</a> (only the name is confirmed)" in box.result.value
