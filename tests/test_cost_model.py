"""The build-versus-partner cost model: hand-worked examples, bad inputs, properties, widget."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calaim_course import cost_model as cm
from calaim_course.errors import CourseInputError
from calaim_course.widgets.cost_model import cost_model_explorer

LABELS = {field.key: field.label for field in cm.INPUT_FIELDS}

# A second, tiny example whose arithmetic fits in a comment.
SIMPLE = dict(caseload="10", rate_pmpm="100", care_staff_fte="1", care_staff_cost="12000",
              admin_staff_fte="0", admin_staff_cost="0", systems_monthly="0", shared_monthly="0",
              partner_fee_percent="10", partner_staff_fte="0")


# ------------------------------------------------------------------ hand-worked examples


def test_default_example_worked_by_hand():
    # Payments: 60 members x $400 = $24,000 a month.
    # Build: care 2 x 70,000 / 12 = 11,666.67; admin 1.5 x 80,000 / 12 = 10,000;
    #        systems 1,500; shared 1,000 -> costs 24,166.67, margin -166.67.
    # Partner: fee 15% of 24,000 = 3,600; care 11,666.67; partner staff 0.25 x 80,000 / 12
    #        = 1,666.67; shared 1,000 -> costs 17,933.33, margin 6,066.67.
    c = cm.compare()
    assert c.build.payments == pytest.approx(24_000)
    assert c.build.margin == pytest.approx(-166.67, abs=0.01)
    assert c.partner.fee == pytest.approx(3_600)
    assert c.partner.margin == pytest.approx(6_066.67, abs=0.01)
    assert c.better == cm.PARTNER
    # Break-even, build: fixed 24,166.67 / $400 a member = 60.4 -> 61 members.
    # Break-even, partner: fixed 14,333.33 / $340 a member (400 less 15%) = 42.2 -> 43.
    assert c.build.break_even == 61
    assert c.partner.break_even == 43
    # Crossover: building keeps the 15% fee ($60 a member) but pays 10,000 + 1,500 - 1,666.67
    # = 9,833.33 more a month: 9,833.33 / 60 = 163.9 -> 164 members.
    assert c.crossover == 164
    sentence = cm.finding(c)
    assert "partnering with a hub or administrator leaves $6,233 more" in sentence
    assert "61 members" in sentence and "43 members" in sentence and "164 members" in sentence
    assert c.members_per_care_staff() == pytest.approx(30)


def test_simple_example_where_building_is_ahead_from_the_start():
    # Care: 1 x 12,000 / 12 = $1,000 a month; nothing else.
    # Build: 10 x 100 - 1,000 = 0 -> breaks even at exactly 10 members.
    # Partner: keeps $90 a member: 1,000 / 90 = 11.1 -> 12 members; at 10 members -100.
    c = cm.compare(**SIMPLE)
    assert c.build.margin == 0
    assert c.partner.margin == pytest.approx(-100)
    assert (c.build.break_even, c.partner.break_even, c.crossover) == (10, 12, 0)
    assert "building in-house is ahead at every caseload" in cm.finding(c)


def test_statement_table_lists_costs_as_negative_amounts():
    frame = cm.compare().as_frame()
    statement = frame.set_index("Each month")
    assert statement.loc["Payments from the plan", cm.BUILD] == "$24,000"
    assert statement.loc["Hub or administrator fee", cm.PARTNER] == "-$3,600"
    assert statement.loc["Hub or administrator fee", cm.BUILD] == "$0"
    assert statement.loc["Margin (payments minus costs)", cm.BUILD] == "-$167"
    assert statement.loc["Margin (payments minus costs)", cm.PARTNER] == "$6,067"


def test_a_fee_of_100_percent_never_breaks_even():
    c = cm.compare(partner_fee_percent="100%")
    assert c.partner.break_even is None
    assert "not within" in cm.break_even_text(c.partner)
    # Building keeps all $400 a member that partnering gives away, against 9,833.33 more
    # in-house costs a month: 9,833.33 / 400 = 24.6 -> 25 members.
    assert c.crossover == 25


def test_no_fee_and_extra_in_house_costs_means_partnering_stays_ahead():
    c = cm.compare(partner_fee_percent="0")
    assert c.crossover is None
    assert "partnering stays ahead at every caseload" in cm.finding(c)


def test_zero_caseload_with_zero_staff_is_allowed_and_costs_show():
    c = cm.compare(caseload="0", care_staff_fte="0")
    assert c.build.payments == 0
    assert c.build.margin == pytest.approx(-(10_000 + 1_500 + 1_000))
    assert c.members_per_care_staff() is None


def test_equal_margins_say_so():
    # With no fee and no extra costs either way, the two options are the same.
    c = cm.compare(**{**SIMPLE, "partner_fee_percent": "0"})
    assert c.better is None
    assert "both options leave the same margin" in cm.finding(c)


# ------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("caseload", "-5", "cannot be negative"),
        ("caseload", "ten", "Use digits only"),
        ("caseload", "12.5", "whole numbers"),
        ("caseload", "", "The box is empty"),
        ("caseload", "200000", "from 0 to 100,000"),
        ("rate_pmpm", "-$40", "cannot be negative"),
        ("rate_pmpm", "$4OO", "Use digits only"),
        ("rate_pmpm", "400.123", "at most 2 decimals"),
        ("care_staff_cost", "seventy thousand", "Use digits only"),
        ("care_staff_fte", "-1", "cannot be negative"),
        ("partner_fee_percent", "101", "A fee over 100%"),
        ("partner_fee_percent", "150%", "A fee over 100%"),
        ("partner_fee_percent", "1%5", "percent sign"),
        ("systems_monthly", float("nan"), "Use digits only"),
        ("systems_monthly", float("inf"), "Use digits only"),
        ("shared_monthly", None, "an amount in dollars"),
        ("admin_staff_fte", True, "a number from 0"),
        ("admin_staff_fte", [1], "a number from 0"),
    ],
)
def test_bad_inputs_name_the_field(key, value, words):
    with pytest.raises(CourseInputError) as problem:
        cm.parse_inputs(**{key: value})
    message = str(problem.value)
    assert message.startswith(LABELS[key] + ": got ")
    assert words in message


def test_zero_staff_with_a_caseload_is_refused():
    with pytest.raises(CourseInputError, match=r"Care and supervision staff .*needs someone to serve them"):
        cm.parse_inputs(caseload="25", care_staff_fte="0")


def test_unknown_input_name_is_refused():
    with pytest.raises(CourseInputError, match="input: got 'salary'"):
        cm.parse_inputs(salary="1")
    with pytest.raises(CourseInputError, match="either a CostInputs or raw values"):
        cm.compare(cm.parse_inputs(), caseload="5")


def test_accepted_spellings():
    inputs = cm.parse_inputs(rate_pmpm=" $1,250.50 ", partner_fee_percent="12.5%", caseload="1,200",
                             care_staff_fte=".5")
    assert (inputs.rate_pmpm, inputs.partner_fee_percent, inputs.caseload, inputs.care_staff_fte) == (
        1250.5, 12.5, 1200, 0.5)
    assert cm.parse_value("caseload", 60) == 60 and isinstance(cm.parse_value("caseload", 60.0), int)


# ------------------------------------------------------------------------ vectorised, chart


def test_margins_are_vectorised_and_match_the_scalar_margin():
    inputs = cm.parse_inputs()
    frame = cm.margins(inputs, np.arange(0, 301, 50))
    assert len(frame) == 14 and set(frame["option"]) == set(cm.OPTIONS)
    for row in frame.itertuples():
        assert row.margin == cm.margin_at(inputs, row.option, row.caseload)
    build = frame[frame["option"] == cm.BUILD].set_index("caseload")["margin"]
    assert build[0] == pytest.approx(-24_166.67, abs=0.01)
    assert build[100] == pytest.approx(100 * 400 - 24_166.67, abs=0.01)
    with pytest.raises(CourseInputError, match="caseloads"):
        cm.margins(inputs, [10, -1])


def test_chart_marks_break_even_points_and_has_titles():
    c = cm.compare()
    spec = cm.margin_chart(c).to_dict()
    assert spec["title"]["text"].startswith("Monthly margin by caseload")
    marks = cm.marked_points(c)
    assert sorted(marks["caseload"]) == [43, 61, 164]
    assert set(marks["kind"]) == {"break-even", "crossover"}
    assert (marks.loc[marks["kind"] == "break-even", "margin"] >= 0).all()
    assert [p["bind"] for p in spec["params"]] == ["legend"]  # Altair lifts the selection to the top
    layers = spec["layer"]
    line = next(layer for layer in layers if layer.get("mark", {}).get("type") == "line")
    assert line["encoding"]["x"]["title"] and line["encoding"]["y"]["title"]
    frame = cm.chart_frame(c)
    assert frame["caseload"].min() == 0 and frame["caseload"].max() == cm.chart_upper(c) == 300


# ------------------------------------------------------------------------- properties

_messy = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-10**7, max_value=10**7),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-10**6, max_value=10**6).map(str),
    st.none(),
    st.booleans(),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([f.key for f in cm.INPUT_FIELDS]), _messy))
def test_any_input_gives_a_result_or_a_course_input_error(raw):
    try:
        comparison = cm.compare(**raw)
    except CourseInputError as problem:
        assert str(problem)
    else:
        assert isinstance(comparison.build.margin, float)
        assert cm.finding(comparison)


_valid = st.fixed_dictionaries({
    "caseload": st.integers(0, 5_000),
    "rate_pmpm": st.integers(0, 200_000).map(lambda cents: cents / 100),
    "care_staff_fte": st.integers(1, 4_000).map(lambda hundredths: hundredths / 100),
    "care_staff_cost": st.integers(0, 200_000),
    "admin_staff_fte": st.integers(0, 500).map(lambda hundredths: hundredths / 100),
    "admin_staff_cost": st.integers(0, 200_000),
    "systems_monthly": st.integers(0, 50_000),
    "shared_monthly": st.integers(0, 50_000),
    "partner_fee_percent": st.integers(0, 10_000).map(lambda hundredths: hundredths / 100),
    "partner_staff_fte": st.integers(0, 300).map(lambda hundredths: hundredths / 100),
})


@settings(max_examples=150, deadline=None)
@given(_valid)
def test_break_even_is_where_the_margin_curve_crosses_zero(raw):
    inputs = cm.parse_inputs(**raw)
    comparison = cm.compare(inputs)
    for result in (comparison.build, comparison.partner):
        point = result.break_even
        if point is None:
            assert cm.margin_at(inputs, result.option, cm.BREAK_EVEN_LIMIT) < 0
            continue
        assert cm.margin_at(inputs, result.option, point) >= 0
        if point > 0:
            assert cm.margin_at(inputs, result.option, point - 1) < 0
        # On the chart's curve every caseload left of the point loses money, every one right of it does not.
        frame = cm.chart_frame(comparison)
        curve = frame[frame["option"] == result.option]
        assert (curve.loc[curve["caseload"] >= point, "margin"] >= 0).all()
        assert (curve.loc[curve["caseload"] < point, "margin"] < 0).all()
    cross = comparison.crossover
    if cross is not None:
        assert cm.margin_at(inputs, cm.BUILD, cross) >= cm.margin_at(inputs, cm.PARTNER, cross)
        if cross > 0:
            assert cm.margin_at(inputs, cm.BUILD, cross - 1) < cm.margin_at(inputs, cm.PARTNER, cross - 1)


@settings(max_examples=100, deadline=None)
@given(_valid)
def test_break_even_matches_the_formula_away_from_cent_rounding(raw):
    inputs = cm.parse_inputs(**raw)
    for option in cm.OPTIONS:
        net, fixed = inputs.net_rate(option), inputs.fixed_costs(option)
        point = cm.break_even(inputs, option)
        if net <= 0:
            assert point == (0 if fixed <= 0 else None)
        elif fixed / net <= cm.BREAK_EVEN_LIMIT:
            exact = max(0, math.ceil(fixed / net - 1e-9))
            # The model rounds margins to the cent: within half a cent of zero counts as zero,
            # which moves the point by at most 0.005 / net members (plus float noise).
            assert abs(point - exact) <= 1 + 0.01 / net


# ------------------------------------------------------------------------------ widget


def test_widget_default_view():
    box = cost_model_explorer()
    shown = box.result.value
    assert "Main finding:" in shown and "partnering with a hub or administrator leaves $6,233 more" in shown
    assert "<caption>Each month at 60 members" in shown
    assert "ILLUSTRATIVE" in shown and "Educational, not financial, legal or billing advice" in shown
    assert "about 30.0 members" in shown
    assert box.message.value == ""
    assert box.comparison.build.break_even == 61
    assert set(box.controls) == {field.key for field in cm.INPUT_FIELDS}


def test_widget_bad_input_shows_a_message_and_keeps_the_result():
    box = cost_model_explorer()
    before, comparison = box.result.value, box.comparison
    box.controls["partner_fee_percent"].value = "120"
    assert "Hub or administrator fee (% of payments): got &#x27;120&#x27;" in box.message.value
    assert "A fee over 100%" in box.message.value
    assert box.result.value == before and box.comparison is comparison
    box.controls["partner_fee_percent"].value = "15"
    box.controls["care_staff_fte"].value = "0"
    assert "needs someone to serve them" in box.message.value
    assert box.result.value == before


def test_widget_updates_on_a_valid_change():
    box = cost_model_explorer()
    box.controls["caseload"].value = "200"
    assert box.message.value == ""
    assert "At 200 members a month, building in-house leaves" in box.result.value
    assert box.comparison.inputs.caseload == 200
