"""The CalAIM timeline: the sourced table, its checks, the chart, the as-of logic and widget."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import timeline as T
from calaim_course.errors import CourseInputError
from calaim_course.widgets.timeline import timeline_as_of


@pytest.fixture(scope="module")
def timeline() -> pd.DataFrame:
    return T.load_timeline()


# ------------------------------------------------------------------ the table


@pytest.mark.parametrize("words, date, confidence", [
    # Dates from the fact base (sections 1 and 2), with the confidence it gives them.
    ("DHCS releases the CalAIM proposal", "2019-10-29", "VERIFIED"),
    ("revised CalAIM proposal", "2021-01-08", "VERIFIED"),
    ("CMS approves the CalAIM Section 1115", "2021-12-29", "SECONDARY"),  # fact 1.11: teach 2021
    ("CalAIM begins", "2022-01-01", "SECONDARY"),
    ("CMS approves the BH-CONNECT", "2024-12-16", "VERIFIED"),
    ("BH-CONNECT begins", "2025-01-01", "VERIFIED"),
    ("Transitional Rent becomes available", "2025-07-01", "VERIFIED"),
    ("Every managed care plan must provide Transitional Rent", "2026-01-01", "VERIFIED"),
    ("Closed Loop Referral requirements take effect", "2025-07-01", "VERIFIED"),
    ("actively monitoring Closed Loop Referral", "2026-07-01", "VERIFIED"),
    ("Enrollment freeze", "2026-01-01", "VERIFIED"),
    ("asset test returns", "2026-01-01", "SECONDARY"),
    ("$30 monthly premium", "2027-07-01", "SECONDARY"),
    ("waivers end unless renewed", "2026-12-31", "SECONDARY"),
    ("BH-CONNECT ends", "2029-12-31", "SECONDARY"),
])
def test_required_events_have_the_fact_base_date_and_confidence(timeline, words, date, confidence):
    rows = timeline[timeline["event"].str.contains(words, regex=False)]
    assert len(rows) == 1, words
    assert rows.iloc[0]["date"].strftime("%Y-%m-%d") == date
    assert rows.iloc[0]["confidence"] == confidence


def test_no_row_uses_the_typo_year_2020_for_the_waiver_approval(timeline):
    assert "2020-12-29" not in set(timeline["date"].dt.strftime("%Y-%m-%d"))


def test_every_row_is_sourced_checked_and_never_unverified(timeline):
    assert timeline["source_url"].str.startswith("https://").all()
    assert set(timeline["confidence"]) <= {"VERIFIED", "SECONDARY"}
    assert (timeline["last_verified"] == pd.Timestamp("2026-12-03")).all()
    assert timeline["date"].is_monotonic_increasing


def test_raw_csv_has_the_reference_columns_in_order():
    raw = pd.read_csv(T.TIMELINE_CSV, dtype=str, keep_default_na=False)
    assert list(raw.columns) == T.COLUMNS


def test_initiatives_come_in_order_of_their_first_event(timeline):
    names = T.initiatives(timeline)
    assert names[0] == "CalAIM waivers"
    assert set(names) == {"CalAIM waivers", "Eligibility and coverage", "Member privacy", "Managed care plans",
                          "BH-CONNECT", "Closed Loop Referral", "Transitional Rent"}


# ------------------------------------------------------------------ validation


def _one_row(**changes) -> pd.DataFrame:
    row = {"date": "2026-01-01", "event": "Something happens", "initiative": "CalAIM waivers",
           "source_url": "https://www.dhcs.ca.gov/", "confidence": "VERIFIED",
           "last_verified": "2026-12-03", "note": ""}
    row.update(changes)
    return pd.DataFrame([row])


@pytest.mark.parametrize("changes, field, words", [
    ({"date": "2026-13-01"}, "row 2, column date", "YYYY-MM-DD"),
    ({"date": "January 2026"}, "row 2, column date", "YYYY-MM-DD"),
    ({"last_verified": "soon"}, "row 2, column last_verified", "YYYY-MM-DD"),
    ({"confidence": "UNVERIFIED"}, "row 2, column confidence", "never charted"),
    ({"source_url": "http://example.org"}, "row 2, column source_url", "https://"),
    ({"event": "  "}, "row 2, column event", "a value"),
])
def test_bad_rows_are_refused_naming_the_row_and_column(changes, field, words):
    with pytest.raises(CourseInputError) as problem:
        T.validate_timeline(_one_row(**changes))
    assert problem.value.field == f"calaim_timeline {field}"
    assert words in str(problem.value)


def test_missing_columns_and_empty_tables_are_refused():
    with pytest.raises(CourseInputError, match="source_url missing"):
        T.validate_timeline(_one_row().drop(columns=["source_url"]))
    with pytest.raises(CourseInputError, match="at least one dated event"):
        T.validate_timeline(_one_row().iloc[0:0])
    with pytest.raises(CourseInputError, match="DataFrame"):
        T.validate_timeline([1, 2])


def test_unknown_initiative_is_refused_with_the_choices(timeline):
    with pytest.raises(CourseInputError, match="Transitional Rent"):
        T.filter_timeline(timeline, "CalAIM 2.0")


# ------------------------------------------------------------------ chart and finding


def test_chart_has_a_bound_select_filter_with_every_initiative(timeline):
    spec = T.timeline_chart(timeline).to_dict()
    params = spec["params"]
    assert params[0]["name"] == "initiative_pick"
    assert params[0]["bind"]["input"] == "select"
    assert params[0]["bind"]["options"] == [T.ALL, *T.initiatives(timeline)]
    points = spec["layer"][-1]
    assert any("initiative_pick" in str(t.get("filter", "")) for t in points["transform"])
    assert points["encoding"]["shape"]["field"] == "confidence"
    assert spec["title"]["text"].startswith("CalAIM and Medi-Cal")
    # Colour-blind-safe palette, one colour per initiative.
    from calaim_course.charts import OKABE_ITO
    assert points["encoding"]["color"]["scale"]["range"] == OKABE_ITO[:7]


def test_same_day_events_of_one_initiative_get_separate_lanes(timeline):
    data = T._chart_data(timeline)
    same = data[(data["initiative"] == "Eligibility and coverage") & (data["date"] == "2026-01-01")]
    assert sorted(same["lane"]) == ["0", "1"]


def test_finding_is_computed_from_the_table(timeline):
    sentence = T.timeline_finding(timeline)
    assert f"holds {len(timeline)} dated events" in sentence
    assert f"{(timeline['confidence'] == 'VERIFIED').sum()} of them from authoritative" in sentence
    assert "About 7 years" in sentence and "October 29, 2019" in sentence and "December 31, 2026" in sentence
    smaller = timeline[timeline["initiative"] != "BH-CONNECT"]
    assert f"holds {len(smaller)} dated events" in T.timeline_finding(smaller)


def test_text_table_lists_every_event_with_a_link(timeline):
    text = T.timeline_table_html(timeline)
    assert text.count("<tr>") == len(timeline) + 1  # plus the header row
    assert text.count('<a href="https://') == len(timeline)
    assert "<caption>" in text


# ------------------------------------------------------------------ as of a date


def test_as_of_the_review_date(timeline):
    past, upcoming = T.as_of(timeline, "2026-12-03")
    assert len(past) + len(upcoming) == len(timeline)
    assert (past["date"] <= pd.Timestamp("2026-12-03")).all()
    assert upcoming.iloc[0]["event"] == T.WAIVER_END_EVENT
    text = " ".join(T.as_of_summary(timeline, "2026-12-03"))
    assert "28 days later" in text  # December 3 to December 31


def test_an_event_on_the_day_itself_counts_as_happened(timeline):
    past, _ = T.as_of(timeline, "2025-07-01", "Closed Loop Referral")
    assert list(past["date"].dt.strftime("%Y-%m-%d")) == ["2025-07-01"]


def test_after_the_waiver_end_the_summary_says_to_check_dhcs(timeline):
    text = " ".join(T.as_of_summary(timeline, "2027-03-01"))
    assert "had ended on December 31, 2026" in text and "check DHCS" in text


@pytest.mark.parametrize("value, words", [
    ("", "Type a date"), ("2026/01/15", "with dashes"), ("15-01-2026", "with dashes"),
    ("20260115", "with dashes"), ("2026-02-30", "not in the calendar"), ("2040-01-01", "between 2019-01-01"),
    (20260115, "YYYY-MM-DD"), (None, "YYYY-MM-DD"),
])
def test_bad_dates_give_clear_messages(value, words):
    with pytest.raises(CourseInputError) as problem:
        T.parse_date(value)
    assert problem.value.field == "Date"
    assert words in str(problem.value)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=12), st.dates(dt.date(2010, 1, 1), dt.date(2040, 1, 1)), st.integers()))
def test_any_date_input_gives_a_summary_or_a_course_input_error(value):
    table = T.load_timeline()
    try:
        sentences = T.as_of_summary(table, value)
    except CourseInputError:
        return
    assert sentences[0].startswith("By ")


# ------------------------------------------------------------------ the widget


def test_widget_default_view_is_the_review_date():
    box = timeline_as_of()
    assert "By December 3, 2026" in box.result.value
    assert "<caption>Next events after 2026-12-03" in box.result.value
    assert box.message.value == ""


def test_widget_filters_by_initiative_and_date():
    box = timeline_as_of()
    box.controls["initiative"].value = "Transitional Rent"
    box.controls["date"].value = "2025-12-01"
    html = box.result.value
    assert "1 of the 2 events for Transitional Rent" in html
    assert "Every managed care plan must provide Transitional Rent" in html


def test_widget_bad_date_shows_a_message_and_keeps_the_result():
    box = timeline_as_of()
    before = box.result.value
    box.controls["date"].value = "next year"
    assert "Check your input" in box.message.value and "Date" in box.message.value
    assert box.result.value == before
    box.controls["date"].value = "2022-01-01"
    assert box.message.value == "" and "By January 1, 2022" in box.result.value
