"""The income-to-FPL estimator: hand-worked values, edge cases, bad inputs and the widget."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import fpl
from calaim_course.errors import CourseInputError
from calaim_course.widgets.fpl import fpl_estimator

# Fact base 1.19 (HHS poverty guidelines) and 1.19a (138% monthly limits, county method),
# typed from the fact base so the test does not read back the module's own table.
GUIDELINES = {
    2025: [15650, 21150, 26650, 32150, 37650, 43150, 48650, 54150],
    2026: [15960, 21640, 27320, 33000, 38680, 44360, 50040, 55720],
}
INCREMENT = {2025: 5500, 2026: 5680}
LIMITS_138 = {
    2025: [1801, 2433, 3065, 3699, 4331, 4963, 5596, 6228],
    2026: [1836, 2490, 3143, 3795, 4450, 5102, 5755, 6409],
}


# ------------------------------------------------------------------ reference values


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("size", range(1, 9))
def test_guideline_and_138_percent_limit_match_the_fact_base(year, size):
    g = fpl.poverty_guideline(size, year)
    assert g.annual_usd == GUIDELINES[year][size - 1]
    assert not g.uses_increment
    assert g.limit(138) == LIMITS_138[year][size - 1]


def test_2025_one_person_monthly_figure_matches_the_county_chart():
    # Santa Clara chart: $1,305 a month at 100% (15,650 / 12 rounded up).
    assert fpl.poverty_guideline(1, 2025).monthly_rounded_up == 1305


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("size", [9, 10, 14, 20])
def test_households_above_8_add_the_per_person_increment(year, size):
    g = fpl.poverty_guideline(size, year)
    assert g.uses_increment
    assert g.annual_usd == GUIDELINES[year][7] + (size - 8) * INCREMENT[year]


def test_default_year_is_the_newest_in_the_table():
    assert fpl.available_years()[0] == 2026
    assert fpl.poverty_guideline(1).year == 2026


def test_adult_limit_percent_is_read_from_the_income_limits_table():
    assert fpl.adult_limit_percent() == 138


def test_adult_limit_table_lists_sizes_1_to_8_with_computed_limits():
    table = fpl.adult_limit_table(2026)
    assert list(table["People in household"]) == list(range(1, 9))
    assert list(table["138% a month (computed)"]) == [f"${v:,}" for v in LIMITS_138[2026]]
    assert table.loc[0, "Poverty guideline (a month, rounded up)"] == "$1,330"


# ------------------------------------------------------------------ the estimate


def test_hand_worked_household_of_3_in_2026():
    # 2,500 x 12 = 30,000; 30,000 / 27,320 = 109.81%; limit 3,143; gap 643.
    e = fpl.estimate("3", "2500", 2026)
    assert math.isclose(e.percent_fpl, 30000 / 27320 * 100)
    assert e.percent_label == "109.8%"
    assert e.adult_monthly_limit == 3143 and e.at_or_below_adult_limit
    text = " ".join(e.sentences())
    assert "A household of 3 people with $2,500 a month ($30,000 a year)" in text
    assert "about 109.8% of the 2026 federal poverty level" in text
    assert "$27,320 a year" in text
    assert "at or below the 138% limit" in text and "$643 under it" in text
    assert "This is not an eligibility determination" in text


def test_income_exactly_at_the_limit_is_at_or_below_it_and_one_cent_more_is_above():
    assert fpl.estimate(1, 1836, 2026).at_or_below_adult_limit
    above = fpl.estimate(1, "1836.01", 2026)
    assert not above.at_or_below_adult_limit
    assert "$0.01 over it" in " ".join(above.sentences())


def test_one_person_2025_at_the_county_figure():
    e = fpl.estimate(1, 1801, 2025)
    assert e.at_or_below_adult_limit and e.adult_monthly_limit == 1801
    assert e.percent_label == "138.1%"  # 21,612 / 15,650: counties round the dollars up


def test_zero_income_is_zero_percent():
    e = fpl.estimate(2, 0, 2026)
    assert e.percent_fpl == 0 and e.percent_label == "0.0%"
    assert e.at_or_below_adult_limit


def test_large_household_sentence_says_the_increment_was_used():
    text = " ".join(fpl.estimate(10, 9000, 2026).sentences())
    assert "$67,080 a year" in text  # 55,720 + 2 x 5,680
    assert "8-person figure plus the amount for each extra person" in text
    assert "above the 138% limit" in text and "$7,715 a month for 10 people" in text


def test_group_comparison_uses_each_groups_range():
    groups = {g.group_name: g for g in fpl.estimate(3, 4000, 2026).groups}
    assert groups["ACA New Adult Group"].position == "above the limit"
    assert groups["ACA New Adult Group"].ages == "19 to 64"
    assert groups["Pregnancy-related Medi-Cal"].position == "at or below the limit"
    # 213% of 2,277 = 4,850.01 -> 4,851 (county rounding)
    assert groups["Pregnancy-related Medi-Cal"].monthly_range == "above $3,143 up to $4,851"
    assert groups["County Children's Health Initiative Program (CCHIP)"].position == "below this group's range"


@pytest.mark.parametrize("text, amount", [
    ("2500", 2500.0), ("$2,500", 2500.0), (" 2,500.75 ", 2500.75), ("0", 0.0), ("-0", 0.0),
    ("1,000,000", 1_000_000.0), (1200, 1200.0), (99.5, 99.5),
])
def test_monthly_income_accepts_plain_and_formatted_amounts(text, amount):
    assert fpl.parse_monthly_income(text) == amount


# ------------------------------------------------------------------ bad inputs


@pytest.mark.parametrize("value, words", [
    ("-100", "cannot be negative"), (-5, "cannot be negative"), ("$-20", "cannot be negative"),
    ("abc", "Use digits"), ("12a", "Use digits"), ("1,50", "Use digits"), ("1.2.3", "Use digits"),
    ("", "Type the household's income"), (None, "expected an amount"), (True, "expected an amount"),
    (float("nan"), "expected an amount"), (float("inf"), "expected an amount"),
    ("2000000", "from 0 to 1,000,000"),
])
def test_bad_income_gives_a_clear_message(value, words):
    with pytest.raises(CourseInputError) as problem:
        fpl.parse_monthly_income(value)
    assert problem.value.field == "Monthly income"
    assert words in str(problem.value)


@pytest.mark.parametrize("value, words", [
    ("0", "at least 1 person"), (0, "at least 1 person"), ("-2", "at least 1 person"),
    ("2.5", "Use digits only"), (2.5, "whole number"), ("three", "Use digits only"),
    ("", "Type the number of people"), ("21", "from 1 to 20"), (True, "whole number"),
    (None, "whole number"), ([3], "whole number"),
])
def test_bad_household_size_gives_a_clear_message(value, words):
    with pytest.raises(CourseInputError) as problem:
        fpl.parse_household_size(value)
    assert problem.value.field == "Household size"
    assert words in str(problem.value)


@pytest.mark.parametrize("year", [2019, "2030", "next", True])
def test_unknown_year_is_refused_with_the_years_available(year):
    with pytest.raises(CourseInputError, match="2025, 2026"):
        fpl.estimate(1, 1000, year)


@settings(max_examples=200, deadline=None)
@given(size=st.one_of(st.integers(-5, 30), st.text(max_size=4), st.floats(allow_nan=True)),
       income=st.one_of(st.integers(-10**7, 10**7), st.floats(allow_nan=True, allow_infinity=True),
                        st.text(max_size=12)))
def test_any_input_gives_an_estimate_or_a_course_input_error(size, income):
    try:
        e = fpl.estimate(size, income)
    except CourseInputError:
        return
    assert 1 <= e.guideline.household_size <= 20
    assert e.monthly_income >= 0 and e.percent_fpl >= 0
    assert e.at_or_below_adult_limit == (e.monthly_income <= e.adult_monthly_limit)


@settings(max_examples=100, deadline=None)
@given(size=st.integers(1, 20), cents=st.integers(0, 10**8 - 100))
def test_percent_grows_with_income_and_limit_grows_with_household(size, cents):
    income = cents / 100
    low, high = fpl.estimate(size, income), fpl.estimate(size, income + 1)
    assert high.percent_fpl > low.percent_fpl
    if size < 20:
        assert fpl.estimate(size + 1, income).adult_monthly_limit > low.adult_monthly_limit


# ------------------------------------------------------------------ the widget


def test_widget_default_view_shows_the_estimate_and_the_caveat():
    box = fpl_estimator()
    html = box.result.value
    assert "About 109.8% of the 2026 federal poverty level" in html
    assert "This is not an eligibility determination" in html
    assert "<caption>Medi-Cal income limits for 3 people, 2026" in html
    assert "not read in a DHCS chart" in html
    assert box.message.value == ""


def test_widget_updates_when_a_value_changes():
    box = fpl_estimator()
    box.controls["household_size"].value = "1"
    box.controls["monthly_income"].value = "$1,836"
    assert "About 138.0% of the 2026" in box.result.value
    assert "at or below the 138% limit" in box.result.value
    box.controls["year"].value = 2025
    assert "2025 federal poverty level" in box.result.value
    assert "above the 138% limit" in box.result.value  # 2025 limit for 1 person: $1,801


@pytest.mark.parametrize("control, bad, words", [
    ("monthly_income", "-300", "Income cannot be negative"),
    ("monthly_income", "lots", "Monthly income"),
    ("household_size", "0", "A household has at least 1 person"),
    ("household_size", "two", "Household size"),
])
def test_widget_shows_a_message_and_keeps_the_previous_result(control, bad, words):
    box = fpl_estimator()
    before = box.result.value
    box.controls[control].value = bad
    assert words in box.message.value
    assert "Check your input" in box.message.value
    assert box.result.value == before
    # Fixing the input clears the message.
    box.controls[control].value = "4"
    assert box.message.value == ""
    assert box.result.value != before
