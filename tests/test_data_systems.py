"""HMIS, comparable database and HIE compared: every cell sourced or marked ANALYSIS; filters; widget."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import data_systems as ds
from calaim_course.errors import CourseInputError
from calaim_course.reference import REFERENCE_DIR
from calaim_course.widgets.data_systems import data_systems_explorer

TABLE = ds.load_comparison()
RAW = pd.read_csv(REFERENCE_DIR / "data_systems_comparison.csv", dtype=str, keep_default_na=False)


# ----------------------------------------------------------------------- the table


def test_every_cell_has_a_source_a_confidence_a_date_and_a_basis():
    assert list(RAW.columns[-4:]) == ["source_url", "confidence", "last_verified", "note"]
    assert RAW["source_url"].str.startswith("https://").all()
    assert RAW["confidence"].isin(["VERIFIED", "SECONDARY"]).all()  # never UNVERIFIED
    assert RAW["last_verified"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert RAW["basis"].isin(ds.BASES).all()
    assert (RAW["answer"].str.len() > 20).all() and (RAW["note"].str.len() > 5).all()


def test_every_question_has_one_answer_per_system():
    per_question = TABLE.groupby("question_id")["system"].apply(list)
    assert all(systems == list(ds.SYSTEMS) for systems in per_question)
    assert TABLE.groupby("question_id")[["question", "topic", "order"]].nunique().eq(1).all().all()


def test_policy_options_are_always_analysis():
    policy = TABLE[TABLE["question"].str.contains("policy option")]
    assert len(policy) == len(ds.SYSTEMS) and (policy["basis"] == "ANALYSIS").all()


def test_the_hashing_row_quotes_vawa_for_every_system():
    hashing = TABLE[TABLE["question"].str.contains("hashing")]
    assert len(hashing) == 3
    assert (hashing["source_url"] == "https://lfportal.everettwa.gov/WebLink/0/doc/1475677/Page21.aspx").all()
    assert hashing["answer"].str.startswith("No").all()


def test_victim_service_providers_stay_out_of_hmis():
    row = TABLE[(TABLE["question_id"] == "q02") & (TABLE["system"] == "hmis")].iloc[0]
    assert row["answer"].startswith("No.") and row["confidence"] == "VERIFIED"
    assert row["source_url"].startswith("https://www.hudexchange.info/")


# ------------------------------------------------------------------------- filtering


def test_default_filter_shows_everything_in_order():
    rows = ds.filter_comparison(TABLE)
    assert len(rows) == len(TABLE)
    assert rows["question_id"].drop_duplicates().tolist() == sorted(TABLE["question_id"].unique())


def test_topic_filter():
    rows = ds.filter_comparison(TABLE, topic="Survivor data")
    assert set(rows["topic"]) == {"Survivor data"} and rows["question_id"].nunique() == 3


def test_search_matches_all_words_in_question_or_answers():
    rows = ds.filter_comparison(TABLE, search="hashed consent")
    # q05 says "hashed" and "consent"; every system's answer to a matched question is kept.
    assert "q05" in set(rows["question_id"]) and len(rows) % 3 == 0
    for _qid, group in rows.groupby("question_id"):
        text = " ".join(group["question"].iloc[:1].tolist() + group["answer"].tolist()).casefold()
        assert "hashed" in text and "consent" in text


def test_systems_filter_keeps_the_fixed_order():
    rows = ds.filter_comparison(TABLE, systems=["hie", "hmis"])
    assert rows["system"].drop_duplicates().tolist() == ["hmis", "hie"]


@pytest.mark.parametrize("kwargs, field", [
    ({"topic": "Everything"}, "Topic"),
    ({"search": "x" * 61}, "Search the questions"),
    ({"search": "<script>"}, "Search the questions"),
    ({"search": "no such words here"}, "Search the questions"),
    ({"search": 42}, "Search the questions"),
    ({"systems": []}, "Systems to compare"),
    ({"systems": ["hmis", "ehr"]}, "Systems to compare"),
    ({"systems": None}, "Systems to compare"),
])
def test_bad_filters_raise_course_input_error(kwargs, field):
    with pytest.raises(CourseInputError) as problem:
        ds.filter_comparison(TABLE, **kwargs)
    assert problem.value.field == field


@given(st.text(max_size=80), st.sampled_from(ds.topics(TABLE)),
       st.lists(st.sampled_from([*ds.SYSTEMS, "ehr", ""]), max_size=4))
@settings(max_examples=200, deadline=None)
def test_any_filter_gives_rows_or_a_course_input_error(search, topic, systems):
    try:
        rows = ds.filter_comparison(TABLE, topic, search, systems)
    except CourseInputError:
        return
    assert not rows.empty and set(rows["system"]) <= set(ds.SYSTEMS)
    if topic != ds.ALL_TOPICS:
        assert set(rows["topic"]) == {topic}


# ------------------------------------------------------------------------ rendering


def test_html_marks_every_analysis_cell_and_links_every_source():
    rows = ds.filter_comparison(TABLE)
    page = ds.comparison_html(rows)
    assert page.count("Course analysis (a policy option or reasoning") == int((rows["basis"] == "ANALYSIS").sum())
    assert page.count("<a href=") == len(rows)
    assert page.count('<th scope="row">') == rows["question_id"].nunique()
    assert "<caption>" in page


def test_finding_and_chart_are_computed_from_the_table():
    finding = ds.comparison_finding(TABLE)
    n_analysis = int((TABLE["basis"] == "ANALYSIS").sum())
    assert f"{n_analysis} are the course's own analysis" in finding
    counts = ds.basis_counts(TABLE)
    assert counts.to_numpy().sum() == len(TABLE)
    assert counts.loc["HMIS"].sum() == TABLE["question_id"].nunique()
    spec = ds.basis_chart(TABLE).to_dict()
    assert [p["name"] for p in spec["params"]] == ["pick_basis"]
    assert "Text description" in ds.basis_description(TABLE)


# ---------------------------------------------------------------------------- widget


def test_widget_default_view_shows_every_question():
    box = data_systems_explorer()
    assert box.result.value.count('<th scope="row">') == TABLE["question_id"].nunique()
    assert box.message.value == ""


def test_widget_topic_and_system_filters():
    box = data_systems_explorer()
    box.controls["topic"].value = "Rules and funding"
    assert box.result.value.count('<th scope="row">') == 3
    box.controls["hie"].value = False
    assert "Health information exchange" not in box.result.value
    assert "Comparable database" in box.result.value


def test_widget_search_without_match_keeps_the_previous_view():
    box = data_systems_explorer()
    box.controls["search"].value = "linking"
    before = box.result.value
    assert before.count('<th scope="row">') >= 1
    box.controls["search"].value = "spaceship"
    assert "Search the questions" in box.message.value and box.result.value == before
    box.controls["search"].value = ""
    assert box.message.value == ""


def test_widget_with_no_system_ticked_shows_a_message():
    box = data_systems_explorer()
    *first, last = ds.SYSTEMS
    for key in first:
        box.controls[key].value = False
    before = box.result.value
    assert box.result.value.count('<th scope="col">') == 2  # the question column and the last system
    box.controls[last].value = False
    assert "Tick at least one box" in box.message.value and box.result.value == before
