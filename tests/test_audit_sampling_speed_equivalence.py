"""The fast audit sampler gives exactly what the straightforward computation gives.

The population is built with a row lookup instead of a merge, and each draw picks from
strata worked out once. The reference functions below are the straightforward versions
(a one-to-one merge, a comparison of every label per stratum, a groupby per sample);
every result of the fast path must equal theirs: the same charts in the same order for the
same seed, the same allocation, scores, member counts and suppression.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.errors import MergeError
from pandas.testing import assert_frame_equal, assert_series_equal

from calaim_course import audit_sampling as sampling
from calaim_course.errors import CourseInputError
from calaim_course.suppression import (SUPPRESSED_LABEL, suppress_counts, suppress_for_display,
                                       suppress_statistics, suppression_note)
from calaim_course.synthetic import generate_world, load_world
from calaim_course.widgets.audit_sampling import audit_sample_picker, sample_html

STRATIFICATIONS = ["none", "plan", "service"]
SEEDS = [0, 1, 7, 2026, 4294967295]


# --------------------------------------------------------------------------- references
def reference_population(world) -> pd.DataFrame:
    audits = world.audits.copy()
    for column in ("plan_id", "member_id", "staff_id"):
        audits[column] = audits[column].astype("str")
    services = world.services[["service_id", "program"]].astype({"program": "str"})
    names = world.organizations.set_index(world.organizations["org_id"].astype("str"))["name"].astype("str")
    charts = audits.merge(services, on="service_id", how="left", validate="one_to_one")
    charts["plan"] = charts["plan_id"].map(names).str.replace(" (fictional)", "", regex=False)
    charts["service"] = charts["program"].map(sampling.SERVICE_LABELS)
    if charts["service"].isna().any():
        raise CourseInputError("audits table", "a reviewed service that is not ECM, Community Supports or CHW",
                               "billed services only")
    flags = charts[list(sampling.ELEMENTS)].astype(bool)
    charts[list(sampling.ELEMENTS)] = flags
    charts["elements_present"] = flags.sum(axis=1).astype(int)
    charts["elements_missing"] = len(sampling.ELEMENTS) - charts["elements_present"]
    keep = ["audit_id", "service_id", "member_id", "plan", "service", "audit_date", *sampling.ELEMENTS,
            "elements_present", "elements_missing"]
    return charts[keep].sort_values("audit_id").reset_index(drop=True)


def reference_order(labels: pd.Series, stratification: str) -> list[str]:
    if stratification == "service":
        return [s for s in sampling.SERVICE_LABELS.values() if (labels == s).any()]
    return sorted(labels.unique().tolist())


def reference_allocate(stratum_sizes: pd.Series, n: int) -> pd.DataFrame:
    sizes = pd.Series(stratum_sizes, dtype="int64")
    total = int(sizes.sum())
    whole = (sizes * n) // total
    remainder = (sizes * n) % total
    left = n - int(whole.sum())
    order = sorted(range(len(sizes)), key=lambda i: (-int(remainder.iloc[i]), -int(sizes.iloc[i]), i))
    extra = pd.Series(0, index=sizes.index, dtype="int64")
    for i in order[:left]:
        extra.iloc[i] = 1
    return pd.DataFrame({"Charts in population": sizes, "Share of charts": sizes / total,
                         "Exact quota": sizes * n / total, "Whole part": whole, "Extra chart": extra,
                         "Charts sampled": whole + extra})


def reference_choose(labels: np.ndarray, order: list[str], counts: list[int], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picked = []
    for stratum, k in zip(order, counts):
        rows = np.flatnonzero(labels == stratum)
        picked.append(rows[np.sort(rng.choice(len(rows), size=k, replace=False))] if k else rows[:0])
    return np.sort(np.concatenate(picked))


def reference_draw(population: sampling.ChartPopulation, n: int, stratification: str, seed: int):
    labels = population.stratum_labels(stratification)
    order = reference_order(labels, stratification)
    allocation = reference_allocate(labels.value_counts().reindex(order), n)
    allocation.index.name = "Stratum"
    chosen = reference_choose(labels.to_numpy(), order, allocation["Charts sampled"].tolist(), seed)
    return allocation, population.charts.iloc[chosen].reset_index(drop=True), labels.iloc[chosen].reset_index(drop=True)


def reference_scores(sample: sampling.AuditSample) -> pd.DataFrame:
    frame = pd.DataFrame({"Stratum": sample.strata_of_sample.to_numpy(),
                          "present": sample.charts["elements_present"].to_numpy()})
    grouped = frame.groupby("Stratum", sort=False)["present"].agg(["count", "sum"])
    grouped = grouped.reindex(sample.allocation.index, fill_value=0)
    grouped["checked"] = grouped["count"] * len(sampling.ELEMENTS)
    with np.errstate(invalid="ignore", divide="ignore"):
        grouped["score"] = np.where(grouped["checked"] > 0, grouped["sum"] / grouped["checked"].clip(lower=1), np.nan)
    return grouped.rename(columns={"count": "charts", "sum": "present"})


def reference_members(sample: sampling.AuditSample) -> pd.Series:
    population = sample.population
    labels = population.stratum_labels(sample.stratification)
    members = population.charts["member_id"]
    counts = pd.Series({s: members[labels == s].nunique() for s in sample.allocation.index}, dtype="int64")
    counts.index.name = "Stratum"
    return counts.rename("Members")


def reference_spread(population, sizes, draws, seed) -> pd.DataFrame:
    rows = []
    truth = float(population.charts["elements_present"].sum() / (6 * population.size))
    present = population.charts["elements_present"].to_numpy()
    for n in sizes:
        for strat, design in sampling.DESIGNS.items():
            labels = population.stratum_labels(strat).to_numpy()
            order = reference_order(population.stratum_labels(strat), strat)
            alloc = reference_allocate(pd.Series([int((labels == s).sum()) for s in order], index=order), n)
            counts = alloc["Charts sampled"].tolist()
            weights = alloc["Share of charts"].to_numpy()
            scores = np.empty(draws)
            for k in range(draws):
                chosen = reference_choose(labels, order, counts, seed + k)
                per_stratum = np.array([present[chosen][labels[chosen] == s].mean() if c else np.nan
                                        for s, c in zip(order, counts)])
                used = ~np.isnan(per_stratum)
                scores[k] = (per_stratum[used] * weights[used]).sum() / weights[used].sum() / 6
            rows.append({"Sample size": n, "Design": design,
                         "Low (5th percentile)": float(np.percentile(scores, 5)), "Median": float(np.median(scores)),
                         "High (95th percentile)": float(np.percentile(scores, 95)), "All charts": truth})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- checks
def assert_sample_matches_reference(population, n, stratification, seed):
    sample = sampling.draw_sample(population, n, stratification, seed)
    allocation, charts, strata = reference_draw(population, n, stratification, seed)
    assert_frame_equal(sample.allocation, allocation)
    assert_frame_equal(sample.charts, charts)
    assert_series_equal(sample.strata_of_sample, strata)
    scores = reference_scores(sample)
    assert_frame_equal(sample.stratum_scores(), scores)
    sampled = scores["charts"] > 0
    weights = allocation.loc[sampled, "Share of charts"]
    weighted = float((scores.loc[sampled, "score"] * weights).sum() / weights.sum())
    assert sample.weighted_score() == weighted
    members = reference_members(sample)
    assert_series_equal(sample.members_by_stratum(), members)
    hidden = suppress_counts(members)
    share = suppress_statistics(members / population.charts["member_id"].nunique() * 100, hidden)
    shown = sample.allocation_display()
    assert shown["Members (people) in stratum"].tolist() == suppress_for_display(hidden).iloc[:, 0].tolist()
    assert shown["Members as % of all reviewed"].tolist() == [SUPPRESSED_LABEL if pd.isna(v) else f"{v:.0f}%"
                                                              for v in share]
    assert sample.member_suppression_note() == suppression_note(hidden)
    rates = population.charts[list(sampling.ELEMENTS)].mean()
    assert sample.element_table().iloc[:, -1].tolist() == [f"{rates[e]:.0%}" for e in sampling.ELEMENTS]
    assert population.compliance() == float(population.charts["elements_present"].sum() / (6 * population.size))
    return sample


@pytest.fixture(scope="module")
def course_world():
    return load_world()


@pytest.fixture(scope="module")
def larger_world():
    return generate_world(seed=11, scale=3000)


@pytest.fixture(scope="module", params=["course", "larger"])
def world(request, course_world, larger_world):
    return course_world if request.param == "course" else larger_world


def test_the_population_equals_the_one_to_one_merge(world):
    # The row lookup is the path taken for the synthetic worlds: the comparison covers it.
    assert sampling._audited_service_rows(world.services["service_id"], world.audits["service_id"]) is not None
    assert_frame_equal(sampling.chart_population(world).charts, reference_population(world))


def test_services_out_of_id_order_fall_back_to_the_merge(course_world):
    shuffled = course_world.services.sample(frac=1, random_state=3).reset_index(drop=True)
    world = dataclasses.replace(course_world, services=shuffled)
    assert sampling._audited_service_rows(world.services["service_id"], world.audits["service_id"]) is None
    assert_frame_equal(sampling.chart_population(world).charts, reference_population(course_world))


def test_an_audit_of_an_unknown_service_is_still_refused(course_world):
    audits = course_world.audits.copy()
    audits["service_id"] = audits["service_id"].astype(object)
    audits.loc[0, "service_id"] = "SYN-SVC-999999999"
    audits["service_id"] = audits["service_id"].astype("str")
    world = dataclasses.replace(course_world, audits=audits)
    with pytest.raises(CourseInputError, match="audits table"):
        reference_population(world)
    with pytest.raises(CourseInputError, match="audits table"):
        sampling.chart_population(world)


def test_a_service_audited_twice_is_still_refused(course_world):
    audits = pd.concat([course_world.audits, course_world.audits.iloc[[0]]], ignore_index=True)
    world = dataclasses.replace(course_world, audits=audits)
    with pytest.raises(MergeError):
        reference_population(world)
    with pytest.raises(MergeError):
        sampling.chart_population(world)


@pytest.mark.parametrize("stratification", STRATIFICATIONS)
def test_draws_equal_the_reference_for_many_seeds_and_sizes(world, stratification):
    population = sampling.chart_population(world)
    for n in (1, 2, 3, 5, 20, 40, population.size):
        for seed in SEEDS:
            assert_sample_matches_reference(population, n, stratification, seed)


@pytest.mark.parametrize("stratification", STRATIFICATIONS)
def test_a_prepared_population_draws_the_same_charts(course_world, stratification):
    fresh = sampling.chart_population(course_world)
    prepared = sampling.chart_population(course_world).prepare()
    for seed in SEEDS:
        a = sampling.draw_sample(fresh, 20, stratification, seed)
        b = sampling.draw_sample(prepared, 20, stratification, seed)
        assert sample_html(a) == sample_html(b)


def test_one_plan_only(course_world):
    charts = sampling.chart_population(course_world).charts
    one_plan = sampling.ChartPopulation(charts[charts["plan"] == "Redwood Health Plan"].reset_index(drop=True))
    for stratification in STRATIFICATIONS:
        for n in (1, 7, one_plan.size):
            assert_sample_matches_reference(one_plan, n, stratification, 5)


def test_small_population_with_tiny_strata_and_every_member_count_hidden(course_world):
    charts = sampling.chart_population(course_world).charts
    # A handful of charts, one CHW chart: every member count is 10 or fewer, so all are hidden.
    small = pd.concat([charts[charts["service"] == "ECM"].head(6), charts[charts["service"] == "CHW"].head(1),
                       charts[charts["service"] == "Community Supports"].head(5)]).sort_values("audit_id")
    population = sampling.ChartPopulation(small.reset_index(drop=True))
    for stratification in STRATIFICATIONS:
        for n in (1, 2, 3, population.size):
            for seed in SEEDS:
                sample = assert_sample_matches_reference(population, n, stratification, seed)
    assert set(sample.allocation_display()["Members (people) in stratum"]) == {SUPPRESSED_LABEL}


def test_a_chart_without_a_member_id_is_not_counted_as_a_member(course_world):
    charts = sampling.chart_population(course_world).charts.copy()
    charts.loc[[0, 5], "member_id"] = None
    population = sampling.ChartPopulation(charts)
    for stratification in STRATIFICATIONS:
        assert_sample_matches_reference(population, 10, stratification, 3)
    assert population.member_count() == charts["member_id"].nunique()


def test_sampling_spread_equals_the_reference(world):
    population = sampling.chart_population(world)
    assert_frame_equal(sampling.sampling_spread(population, sizes=(10, 20), draws=25, seed=11),
                       reference_spread(population, (10, 20), 25, 11))


def test_the_course_page_spread_equals_the_reference(course_world):
    population = sampling.chart_population(course_world)
    assert_frame_equal(sampling.sampling_spread(population),
                       reference_spread(population, sampling.SPREAD_SIZES, sampling.SPREAD_DRAWS, sampling.DEFAULT_SEED))


@settings(deadline=None, max_examples=200)
@given(sizes=st.lists(st.integers(0, 300), min_size=1, max_size=7).filter(lambda s: sum(s) > 0),
       fraction=st.floats(0, 1))
def test_allocation_equals_the_reference(sizes, fraction):
    n = int(round(fraction * sum(sizes)))
    named = pd.Series(sizes, index=[f"stratum {i}" for i in range(len(sizes))])
    assert_frame_equal(sampling.allocate(named, n), reference_allocate(named, n))
    assert_frame_equal(sampling.allocate(pd.Series(sizes), n), reference_allocate(pd.Series(sizes), n))


def test_widget_updates_show_the_reference_sample(course_world):
    population = sampling.chart_population(course_world)
    box = audit_sample_picker(population)
    for size, stratification, seed in [("40", "service", "7"), ("5", "plan", "7"), ("81", "none", "12")]:
        box.controls["size"].value = size
        box.controls["stratification"].value = stratification
        box.controls["seed"].value = seed
        fresh = sampling.chart_population(course_world)
        assert box.result.value == sample_html(sampling.draw_sample(fresh, size, stratification, seed))
        _, charts, _ = reference_draw(fresh, int(size), stratification, int(seed))
        assert all(audit_id in box.result.value for audit_id in charts["audit_id"])
