"""CHW billing calculator: codes from the DHCS billing FAQ, the course's rounding illustration,
the G-code rules from April 1, 2025, and clear messages for impossible inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import chw_billing
from calaim_course.errors import CourseInputError
from calaim_course.widgets.chw_billing import chw_calculator


# ----------------------------------------------------------------------- the code table


def test_code_table_matches_the_dhcs_billing_faq():
    codes = chw_billing.chw_codes()
    # DHCS CHW Billing FAQ: 98960 one patient, 98961 two to four, 98962 five to eight, per 30 minutes.
    assert codes.loc["98960", ["group_size_min", "group_size_max", "minutes_per_unit"]].tolist() == [1, 1, 30]
    assert codes.loc["98961", ["group_size_min", "group_size_max", "minutes_per_unit"]].tolist() == [2, 4, 30]
    assert codes.loc["98962", ["group_size_min", "group_size_max", "minutes_per_unit"]].tolist() == [5, 8, 30]
    assert str(codes.loc["G0019", "effective_from"])[:10] == "2025-04-01"


@pytest.mark.parametrize("size, code", [(1, "98960"), (2, "98961"), (4, "98961"), (5, "98962"), (8, "98962")])
def test_group_size_chooses_the_cpt_code(size, code):
    assert chw_billing.cpt_code_for_group(size) == code


def test_no_cpt_code_for_a_group_of_nine():
    with pytest.raises(CourseInputError, match="at most 8"):
        chw_billing.cpt_code_for_group(9)


# ------------------------------------------------------------------ the rounding illustration


@pytest.mark.parametrize(
    "minutes, units",
    [(0, 0), (1, 0), (15, 0), (16, 1), (30, 1), (45, 1), (46, 2), (60, 2), (75, 2), (76, 3), (120, 4)],
)
def test_units_follow_the_course_illustration(minutes, units):
    # A unit for each full 30 minutes, one more when more than half a unit is left over.
    assert chw_billing.units_for_minutes(minutes, 30) == units


def test_unit_thresholds_are_the_fewest_minutes_for_each_unit():
    assert chw_billing.unit_thresholds(3) == [(1, 16), (2, 46), (3, 76)]
    table = chw_billing.units_table(120)
    for units, fewest in chw_billing.unit_thresholds(4):
        assert table.loc[table["minutes"] == fewest, "units"].item() == units
        assert table.loc[table["minutes"] == fewest - 1, "units"].item() == units - 1


def test_no_daily_cap_is_applied():
    # The 4-units-per-day cap is UNVERIFIED in the fact base: the course does not teach it.
    result = chw_billing.estimate(240, 1)
    assert result.units == 8
    assert "4 units" not in " ".join(result.explanation)


# ------------------------------------------------------------------------ worked examples


def test_fifty_minutes_one_to_one():
    result = chw_billing.estimate("50", "1")
    assert [(line.code, line.units) for line in result.lines] == [("98960", 2)]
    assert result.rate == chw_billing.illustrative_rate() == Decimal("30.00")
    assert result.amount == Decimal("60.00")
    assert result.billable


def test_group_of_six_for_an_hour():
    result = chw_billing.estimate(60, 6)
    assert [(line.code, line.units) for line in result.lines] == [("98962", 2)]
    assert "code 98962 is for 5 to 8 patients" in result.explanation[0]


def test_a_short_call_reaches_no_unit_under_the_illustration():
    result = chw_billing.estimate(10, 1)
    assert result.units == 0 and result.amount == Decimal("0.00") and not result.billable
    assert any("fewer than 16 minutes" in line for line in result.explanation)


def test_rate_typed_by_the_learner():
    assert chw_billing.estimate(30, 1, rate="$42.50").amount == Decimal("42.50")


def test_g_codes_for_a_month():
    # G0019: the first 60 minutes in a calendar month; G0022: each additional 30 minutes.
    result = chw_billing.estimate(95, 1, code_set=chw_billing.G_CODES, date_of_service="2025-04-01")
    assert [(line.code, line.units) for line in result.lines] == [("G0019", 1), ("G0022", 1)]
    longer = chw_billing.estimate(150, 1, code_set=chw_billing.G_CODES)
    assert [(line.code, line.units) for line in longer.lines] == [("G0019", 1), ("G0022", 3)]
    short = chw_billing.estimate(30, 1, code_set=chw_billing.G_CODES)
    assert [(line.code, line.units) for line in short.lines] == [("G0019", 0)]


def test_g_codes_need_an_initiating_visit_and_a_plan_of_care():
    result = chw_billing.estimate(60, 1, code_set=chw_billing.G_CODES, initiating_visit=False, plan_of_care=False)
    assert not result.billable
    assert len(result.missing_requirements) == 2
    assert "99203-99205" in result.missing_requirements[0]
    assert "social drivers of health" in result.missing_requirements[1]


def test_g_codes_start_on_april_1_2025():
    chw_billing.estimate(60, 1, code_set=chw_billing.G_CODES, date_of_service=dt.date(2025, 4, 1))
    with pytest.raises(CourseInputError, match="April 1, 2025"):
        chw_billing.estimate(60, 1, code_set=chw_billing.G_CODES, date_of_service="2025-03-31")


def test_g_codes_are_for_one_member():
    with pytest.raises(CourseInputError, match="one member at a time"):
        chw_billing.estimate(60, 3, code_set=chw_billing.G_CODES)


def test_benefit_start_date():
    chw_billing.estimate(30, 1, date_of_service="2022-07-01")
    with pytest.raises(CourseInputError, match="July 1, 2022"):
        chw_billing.estimate(30, 1, date_of_service="2022-06-30")


# ----------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"minutes": "-5"}, "Minutes"),
        ({"minutes": "0"}, "Minutes"),
        ({"minutes": "ten"}, "Minutes"),
        ({"minutes": "2.5"}, "Minutes"),
        ({"minutes": ""}, "Minutes"),
        ({"minutes": "1441"}, "Minutes"),
        ({"minutes": True}, "Minutes"),
        ({"group_size": "0"}, "Group size"),
        ({"group_size": "9"}, "Group size"),
        ({"group_size": "six"}, "Group size"),
        ({"date_of_service": "2025-02-30"}, "Date of service"),
        ({"date_of_service": "11/16/2026"}, "Date of service"),
        ({"rate": "abc"}, "Illustrative rate per unit"),
        ({"rate": "0"}, "Illustrative rate per unit"),
        ({"rate": "-3"}, "Illustrative rate per unit"),
        ({"rate": "1.234"}, "Illustrative rate per unit"),
        ({"code_set": "HCPCS"}, "Code set"),
    ],
)
def test_impossible_inputs_name_the_field(kwargs, field):
    args = {"minutes": 30, "group_size": 1, **kwargs}
    with pytest.raises(CourseInputError) as problem:
        chw_billing.estimate(args.pop("minutes"), args.pop("group_size"), **args)
    assert problem.value.field == field
    assert str(problem.value).startswith(f"{field}: got ")


@settings(max_examples=200, deadline=None)
@given(
    minutes=st.one_of(st.integers(-10**6, 10**6), st.text(max_size=8), st.floats(allow_nan=True)),
    group=st.one_of(st.integers(-20, 20), st.text(max_size=4)),
    code_set=st.sampled_from(chw_billing.CODE_SETS),
)
def test_any_input_gives_a_result_or_a_course_input_error(minutes, group, code_set):
    try:
        result = chw_billing.estimate(minutes, group, code_set=code_set)
    except CourseInputError:
        return
    assert result.units >= 0
    assert result.amount == (result.rate * result.units).quantize(Decimal("0.01"))
    assert 1 <= result.minutes <= chw_billing.MINUTES_PER_MONTH_MAX


@settings(max_examples=200, deadline=None)
@given(minutes=st.integers(1, 1440), group=st.integers(1, 8))
def test_cpt_units_stay_within_half_a_unit_of_the_time(minutes, group):
    result = chw_billing.estimate(minutes, group)
    billed = result.units * 30
    # Never more than 14 minutes billed beyond the time spent, never 16 or more left unbilled.
    assert billed - minutes <= 14
    assert minutes - billed <= 15


# ------------------------------------------------------------------------------ the widget


def test_widget_default_view():
    box = chw_calculator()
    assert "98960 \u00d7 2" in box.result.value
    assert "illustrative" in box.result.value.lower()
    assert "$60.00" in box.result.value
    assert box.message.value == ""


def test_widget_group_size_changes_the_code():
    box = chw_calculator()
    box.controls["group_size"].value = "6"
    assert "98962 \u00d7 2" in box.result.value


def test_widget_bad_input_shows_a_message_and_keeps_the_result():
    box = chw_calculator()
    before = box.result.value
    box.controls["minutes"].value = "-5"
    assert "Minutes: got" in box.message.value
    assert "Check your input" in box.message.value
    assert box.result.value == before
    box.controls["minutes"].value = "75"
    assert box.message.value == ""
    assert "98960 \u00d7 2" in box.result.value


def test_widget_g_codes_and_missing_requirements():
    box = chw_calculator()
    box.controls["code_set"].value = chw_billing.G_CODES
    assert "G0019 \u00d7 1" in box.result.value
    box.controls["plan_of_care"].value = False
    assert "Not billable yet" in box.result.value
    box.controls["date"].value = "2025-01-15"
    assert "April 1, 2025" in box.message.value


def test_units_chart_has_a_slider_and_the_illustration():
    import json

    spec = json.dumps(chw_billing.units_chart().to_dict())
    assert '"input": "range"' in spec  # the minutes slider works in the static book
    assert "course illustration" in spec
    assert "per day" not in spec  # no daily cap is taught
