"""Audit sample picker: proportional allocation, deterministic draws, scores, bad inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import audit_sampling as sampling
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SUPPRESSED_LABEL
from calaim_course.widgets.audit_sampling import audit_sample_picker


@pytest.fixture(scope="module")
def population() -> sampling.ChartPopulation:
    return sampling.chart_population()


# --------------------------------------------------------------------------- population
def test_population_is_the_reviewed_charts_with_six_elements(population):
    charts = population.charts
    assert population.size == len(charts) == charts["audit_id"].nunique()
    assert set(charts["service"]) <= set(sampling.SERVICE_LABELS.values())
    assert set(charts["plan"]) == {"Redwood Health Plan", "Golden Poppy Health"}
    assert (charts["elements_present"] + charts["elements_missing"] == 6).all()
    assert (charts[list(sampling.ELEMENTS)].sum(axis=1) == charts["elements_present"]).all()
    assert population.compliance() == pytest.approx(charts["elements_present"].sum() / (6 * population.size))


# --------------------------------------------------------------------------- allocation
def test_allocation_by_largest_remainder_hand_worked():
    # 20 charts over strata of 51, 28 and 2 (81 charts): exact quotas 12.59, 6.91, 0.49.
    # Whole parts 12 + 6 + 0 = 18; the 2 left go to the largest fractional parts (.91, .59).
    table = sampling.allocate(pd.Series([51, 28, 2], index=["ECM", "Community Supports", "CHW"]), 20)
    assert table["Whole part"].tolist() == [12, 6, 0]
    assert table["Extra chart"].tolist() == [1, 1, 0]
    assert table["Charts sampled"].tolist() == [13, 7, 0]
    assert table["Exact quota"].round(2).tolist() == [12.59, 6.91, 0.49]


def test_allocation_ties_go_to_the_larger_stratum_then_the_listed_order():
    # 3 of [3, 3]: quotas 1.5 and 1.5, a tie of equal sizes: the first listed stratum gets the extra chart.
    assert sampling.allocate(pd.Series([3, 3], index=["a", "b"]), 3)["Charts sampled"].tolist() == [2, 1]
    # 2 of [2, 2, 4]: quotas 0.5, 0.5 and 1.0; a and b tie on remainder and size, so a (listed first) gets it.
    assert sampling.allocate(pd.Series([2, 2, 4], index=["a", "b", "c"]), 2)["Charts sampled"].tolist() == [1, 0, 1]
    # 2 of [2, 6]: quotas 0.5 and 1.5; equal remainders, so the larger stratum gets the extra chart.
    assert sampling.allocate(pd.Series([2, 6], index=["a", "b"]), 2)["Charts sampled"].tolist() == [0, 2]
    # 1 of [1, 3]: quotas 0.25 and 0.75; the larger remainder wins.
    assert sampling.allocate(pd.Series([1, 3], index=["a", "b"]), 1)["Charts sampled"].tolist() == [0, 1]
    # 1 of [2, 4, 2]: quotas 0.25, 0.5, 0.25; b has the largest remainder.
    assert sampling.allocate(pd.Series([2, 4, 2], index=["a", "b", "c"]), 1)["Charts sampled"].tolist() == [0, 1, 0]
    # 2 of [1, 2, 2]: quotas 0.4, 0.8, 0.8; b and c tie and get one each, a gets none.
    assert sampling.allocate(pd.Series([1, 2, 2], index=["a", "b", "c"]), 2)["Charts sampled"].tolist() == [0, 1, 1]


@settings(deadline=None)
@given(sizes=st.lists(st.integers(0, 200), min_size=1, max_size=6).filter(lambda s: sum(s) > 0),
       fraction=st.floats(0, 1))
def test_allocation_always_adds_up_and_stays_within_one_of_the_quota(sizes, fraction):
    total = sum(sizes)
    n = int(round(fraction * total))
    table = sampling.allocate(pd.Series(sizes), n)
    assert int(table["Charts sampled"].sum()) == n
    assert (table["Charts sampled"] <= table["Charts in population"]).all()
    assert (table["Charts sampled"] >= np.floor(table["Exact quota"])).all()
    assert (table["Charts sampled"] <= np.ceil(table["Exact quota"])).all()


# --------------------------------------------------------------------------- drawing
@pytest.mark.parametrize("strat", ["none", "plan", "service"])
def test_the_same_seed_gives_the_same_charts(population, strat):
    first = sampling.draw_sample(population, 20, strat, 7)
    again = sampling.draw_sample(population, "20", strat, "7")
    assert first.charts["audit_id"].tolist() == again.charts["audit_id"].tolist()
    other = sampling.draw_sample(population, 20, strat, 8)
    assert first.charts["audit_id"].tolist() != other.charts["audit_id"].tolist()


@pytest.mark.parametrize("strat", ["none", "plan", "service"])
def test_each_stratum_gets_its_allocation_and_charts_are_distinct(population, strat):
    sample = sampling.draw_sample(population, 30, strat, 2026)
    assert len(sample.charts) == 30 and sample.charts["audit_id"].is_unique
    drawn = sample.strata_of_sample.value_counts()
    for stratum, k in sample.allocation["Charts sampled"].items():
        assert drawn.get(stratum, 0) == k
    # Every sampled chart really belongs to its stratum.
    column = {"none": None, "plan": "plan", "service": "service"}[strat]
    if column:
        assert (sample.charts[column].to_numpy() == sample.strata_of_sample.to_numpy()).all()


def test_sampling_every_chart_gives_the_population_score(population):
    sample = sampling.draw_sample(population, population.size, "plan", 1)
    assert sample.charts["audit_id"].tolist() == population.charts["audit_id"].tolist()
    assert sample.plain_score() == pytest.approx(population.compliance())
    assert sample.weighted_score() == pytest.approx(population.compliance())


def test_scores_by_hand(population):
    sample = sampling.draw_sample(population, 25, "plan", 3)
    present = sample.charts["elements_present"]
    assert sample.plain_score() == pytest.approx(present.sum() / (6 * 25))
    shares = sample.allocation["Share of charts"]
    by_plan = sample.charts.groupby("plan")["elements_present"].mean() / 6
    assert sample.weighted_score() == pytest.approx(sum(shares[p] * by_plan[p] for p in shares.index))
    assert sample.fully_documented_share() == pytest.approx((sample.charts["elements_missing"] == 0).mean())


def test_a_stratum_without_charts_is_named_and_left_out_of_the_score(population):
    sample = sampling.draw_sample(population, 20, "service", 2026)
    assert sample.unrepresented() == ["CHW"]
    assert "CHW got no chart" in sample.rounding_note()
    assert "CHW: no chart in this sample" in sample.summary()
    scores = sample.stratum_scores()
    weights = sample.allocation["Share of charts"].drop("CHW")
    expected = (scores.loc[weights.index, "score"] * weights).sum() / weights.sum()
    assert sample.weighted_score() == pytest.approx(expected)


def test_rounding_note_names_the_strata_that_got_the_extra_charts(population):
    note = sampling.draw_sample(population, 20, "service", 2026).rounding_note()
    assert "The whole parts add up to 18" in note and "ECM, Community Supports" in note
    assert "no rounding" in sampling.draw_sample(population, 20, "none", 2026).rounding_note()


def test_member_counts_are_suppressed_and_chart_list_names_no_member(population):
    sample = sampling.draw_sample(population, 20, "service", 2026)
    table = sample.allocation_display()
    members = dict(zip(table["Stratum"], table["Members (people) in stratum"]))
    assert members["CHW"] == SUPPRESSED_LABEL          # 2 people: hidden
    for value in members.values():                     # no count from 1 to 10 is ever shown
        assert value == SUPPRESSED_LABEL or value == "0" or int(value.replace(",", "")) > 10
    shares = dict(zip(table["Stratum"], table["Members as % of all reviewed"]))
    assert shares["CHW"] == SUPPRESSED_LABEL           # a percentage of a hidden count is hidden too
    assert "hidden" in sample.member_suppression_note()
    assert "member_id" not in sample.chart_table().columns
    assert not sample.chart_table().astype(str).apply(lambda c: c.str.contains("SYN-M-")).any().any()


def test_element_table_matches_the_charts(population):
    sample = sampling.draw_sample(population, 15, "none", 11)
    table = sample.element_table().set_index("Documentation element")
    for element, label in sampling.ELEMENTS.items():
        assert table.loc[label, "Found in sample"] == int(sample.charts[element].sum())
        assert table.loc[label, "Found in sample"] + table.loc[label, "Missing in sample"] == 15
    chart_table = sample.chart_table()
    assert set(chart_table[sampling.ELEMENTS["doc_care_plan"]]) <= {"found", "MISSING"}


# --------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("size,words", [
    ("abc", "whole number"), ("", "whole number"), ("0", "at least one chart"), ("-3", "at least one chart"),
    ("12.5", "decimal"), (12.5, "decimal"), ("82", "only 81 charts"), (1000, "only 81 charts"),
    (True, "whole number"), (None, "whole number"), ("1e3", "whole number"),
])
def test_bad_sample_sizes_are_explained(population, size, words):
    with pytest.raises(CourseInputError) as problem:
        sampling.draw_sample(population, size, "none", 1)
    assert "Sample size" in str(problem.value) and words in str(problem.value)


@pytest.mark.parametrize("strat", ["county", "", None, 3, "by plan"])
def test_unknown_stratification_is_explained(population, strat):
    with pytest.raises(CourseInputError, match="Stratification.*'none', 'plan', 'service'"):
        sampling.draw_sample(population, 10, strat, 1)


@pytest.mark.parametrize("seed", ["-1", "x", "1.5", 2**32, None, False])
def test_bad_seeds_are_explained(population, seed):
    with pytest.raises(CourseInputError, match="Seed"):
        sampling.draw_sample(population, 10, "none", seed)


def test_typed_values_with_spaces_and_thousands_separators_are_accepted(population):
    assert sampling.draw_sample(population, " 20 ", " Plan ", " 2,026 ").seed == 2026


@settings(max_examples=150, deadline=None)
@given(size=st.one_of(st.text(max_size=6), st.integers(-5, 200), st.floats(allow_nan=True), st.none()),
       strat=st.one_of(st.sampled_from(["none", "plan", "service", "county", ""]), st.text(max_size=8)),
       seed=st.one_of(st.integers(-3, 2**33), st.text(max_size=6)))
def test_any_input_gives_a_sample_or_a_course_input_error(population, size, strat, seed):
    try:
        sample = sampling.draw_sample(population, size, strat, seed)
    except CourseInputError:
        return
    assert 1 <= sample.size <= population.size
    assert len(sample.charts) == sample.size == int(sample.allocation["Charts sampled"].sum())
    assert 0 <= sample.plain_score() <= 1


# --------------------------------------------------------------------------- charts
def test_sampling_spread_is_deterministic_and_consistent_with_draw_sample(population):
    spread = sampling.sampling_spread(population, sizes=(10, 20), draws=30)
    again = sampling.sampling_spread(population, sizes=(10, 20), draws=30)
    pd.testing.assert_frame_equal(spread, again)
    assert (spread["Low (5th percentile)"] <= spread["Median"]).all()
    assert (spread["Median"] <= spread["High (95th percentile)"]).all()
    # One draw with seed s is exactly draw_sample's sample for that seed.
    one = sampling.sampling_spread(population, sizes=(20,), draws=1, seed=99).set_index("Design")
    assert one.loc[sampling.DESIGNS["none"], "Median"] == pytest.approx(
        sampling.draw_sample(population, 20, "none", 99).plain_score())
    assert one.loc[sampling.DESIGNS["service"], "Median"] == pytest.approx(
        sampling.draw_sample(population, 20, "service", 99).weighted_score())


def test_bigger_samples_land_closer_to_the_population_score(population):
    spread = sampling.sampling_spread(population, sizes=(10, 40), draws=200)
    simple = spread[spread["Design"] == sampling.DESIGNS["none"]].set_index("Sample size")
    width = simple["High (95th percentile)"] - simple["Low (5th percentile)"]
    assert width[40] < width[10]
    finding = sampling.sampling_spread_finding(spread)
    assert f"{simple.loc[10, 'Low (5th percentile)']:.1%}" in finding
    assert f"{population.compliance():.1%}" in finding and "points" in finding


def test_charts_have_named_selections_titles_and_the_course_palette(population):
    spec = sampling.element_rates_chart(population).to_dict()
    assert spec["params"][0]["name"] == "pick_audit_plan"
    assert spec["encoding"]["color"]["scale"]["range"] == sampling.OKABE_ITO[:2]
    assert "Documentation elements" in spec["title"]["text"]
    spread = sampling.sampling_spread(population, sizes=(10,), draws=5)
    layered = sampling.sampling_spread_chart(spread).to_dict()
    names = [p["name"] for p in layered.get("params", [])] + [
        p["name"] for layer in layered["layer"] for p in layer.get("params", [])]
    assert names == ["pick_audit_design"]
    assert layered["layer"][0]["encoding"]["x"]["title"].startswith("Compliance score")


def test_descriptions_give_every_value(population):
    text = sampling.element_rates_description(population)
    rates = sampling.element_rates_by_plan(population)
    for row in rates.itertuples():
        assert f"{row.Element.lower()} {row.Found:.0%}" in text
    spread = sampling.sampling_spread(population, sizes=(10, 20), draws=20)
    text = sampling.sampling_spread_description(spread)
    for row in spread.itertuples():
        assert f"{row.Design.lower()}: {row[3]:.1%} to {row[5]:.1%}" in text


def test_element_finding_is_computed(population):
    finding = sampling.element_rates_finding(population)
    lowest = population.element_rates().idxmin()
    assert lowest.lower() in finding
    assert f"{population.element_rates().min():.0%}" in finding


# --------------------------------------------------------------------------- the widget
def test_widget_default_view_and_updates(population):
    box = audit_sample_picker(population)
    assert "20 of 81 charts drawn (stratified by service, seed 2026)" in box.result.value
    assert "CHW got no chart" in box.result.value
    assert box.message.value == ""
    box.controls["stratification"].value = "plan"
    assert "stratified by plan" in box.result.value
    box.controls["seed"].value = "5"
    assert "seed 5" in box.result.value
    box.controls["size"].value = "40"
    assert "40 of 81 charts drawn" in box.result.value


@pytest.mark.parametrize("control,value,words", [
    ("size", "abc", "Sample size"), ("size", "0", "at least one chart"), ("size", "500", "only 81 charts"),
    ("seed", "-2", "Seed"), ("seed", "lucky", "Seed"),
])
def test_widget_bad_input_shows_a_message_and_keeps_the_result(population, control, value, words):
    box = audit_sample_picker(population)
    before = box.result.value
    box.controls[control].value = value
    assert words in box.message.value and "Traceback" not in box.message.value
    assert box.result.value == before
    box.controls[control].value = "20" if control == "size" else "2026"
    assert box.message.value == ""
