"""The data explorer: inputs, the cube against a row-by-row count, suppression, export, charts and the widget."""

from __future__ import annotations

import csv
import io
import json
import re
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calaim_course import explorer as ex
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SMALL_CELL_MAX, SUPPRESSED_LABEL
from calaim_course.synthetic import generate_world, load_world
from calaim_course.widgets.explorer import data_explorer, download_link, view_html

COUNT_KEYS = ["members_served", "ecm_enrollments", "cs_services", "referrals_made", "referrals_closed", "claims_paid"]
PEOPLE_KEYS = ["members_served", "ecm_enrollments"]


@pytest.fixture(scope="module")
def cube():
    return ex.default_cube()


@pytest.fixture(scope="module")
def big_world():
    """A larger world, so most numbers are shown and can be checked against the rows."""
    return generate_world(seed=11, scale=3000)


@pytest.fixture(scope="module")
def big_cube(big_world):
    return ex.build_cube(big_world)


@pytest.fixture()
def box():
    return data_explorer()


# --------------------------------------------------------------------------- inputs
MONTHS = list(pd.period_range("2025-07", "2026-06", freq="M"))


@pytest.mark.parametrize("text, end, expected", [
    ("2026-01", False, "2026-01"), (" 2026/1 ", False, "2026-01"), ("January 2026", False, "2026-01"),
    ("jan 2026", False, "2026-01"), ("Sept 2025", False, "2025-09"), ("2026 Q1", False, "2026-01"),
    ("2026 Q1", True, "2026-03"), ("Q3 2025", True, "2025-09"), ("2025-q4", False, "2025-10"),
])
def test_parse_month_accepts_months_and_quarters(text, end, expected):
    assert ex.parse_month(text, "From month", MONTHS, end=end) == pd.Period(expected, freq="M")


@pytest.mark.parametrize("text", ["", "   ", None, 202601, "2026-13", "2026-00", "Foo 2026", "Ma 2026", "2026 Q5",
                                  "next month", "2026-01-15"])
def test_parse_month_rejects_bad_text(text):
    with pytest.raises(CourseInputError) as problem:
        ex.parse_month(text, "From month", MONTHS)
    assert problem.value.field == "From month"
    assert "2026-01" in problem.value.expected


def test_parse_month_says_which_months_have_data():
    with pytest.raises(CourseInputError) as problem:
        ex.parse_month("2024-05", "To month", MONTHS)
    assert problem.value.expected == "a month from July 2025 to June 2026"


def test_empty_period_message_says_it_cannot_be_empty():
    with pytest.raises(CourseInputError, match="cannot be empty"):
        ex.parse_month("", "From month", MONTHS)


@pytest.mark.parametrize("text, expected", [("14", 14), (" 0 ", 0), ("1,000", 1000), (30, 30), ("3650", 3650)])
def test_parse_days(text, expected):
    assert ex.parse_days(text) == expected


@pytest.mark.parametrize("text", ["-1", "-30", "abc", "", "1.5", "14 days", None, True, 3651, "²", "1e3", -4])
def test_parse_days_rejects(text):
    with pytest.raises(CourseInputError) as problem:
        ex.parse_days(text)
    assert problem.value.field == "Closed within (days)"


def test_negative_days_get_a_hint():
    with pytest.raises(CourseInputError, match="cannot be negative"):
        ex.parse_days("-3")


@given(st.one_of(st.text(max_size=8), st.integers(-10_000, 10_000), st.none(), st.floats(allow_nan=True)))
def test_parse_days_gives_a_number_in_range_or_a_course_error(text):
    try:
        value = ex.parse_days(text)
    except CourseInputError:
        return
    assert 0 <= value <= ex.MAX_DAYS


def test_end_before_start_is_an_empty_period(cube):
    with pytest.raises(CourseInputError) as problem:
        ex.make_filters(cube, "2026-03", "2026-01")
    assert problem.value.field == "To month"
    assert "empty" in str(problem.value)


@pytest.mark.parametrize("field, kwargs", [("Plan", {"plan": "SYN-ORG-999"}), ("Program", {"program": "dance"})])
def test_unknown_plan_or_program(cube, field, kwargs):
    with pytest.raises(CourseInputError) as problem:
        ex.make_filters(cube, "2026-01", "2026-03", **kwargs)
    assert problem.value.field == field


def test_labels_work_as_well_as_keys(cube):
    f = ex.make_filters(cube, "2026-01", "2026-03", plan="All plans", program="All Community Supports")
    assert (f.plan, f.program) == (ex.ALL_PLANS, ex.ALL_CS)


# --------------------------------------------------------------------------- distinct members
def test_range_distinct_by_hand():
    # Member 0 (plan 0): months 0 and 2 with values 5 and 1. Member 1 (plan 0): month 1, value 3.
    # Member 2 (plan 1): month 1 twice, values 7 and 2. One group.
    rd = {how: ex.RangeDistinct([0, 0, 1, 2, 2], [0, 2, 1, 1, 1], [0] * 5, [0, 0, 0, 1, 1], n_members=3,
                                n_groups=1, n_plans=2, n_months=3, value=[5, 1, 3, 7, 2], n_values=9, how=how)
          for how in ("min", "max")}
    assert rd["min"].present(0, 0, 2).tolist() == [2, 1]
    assert rd["min"].present(0, 0, 0).tolist() == [1, 0]
    assert rd["min"].present(0, 1, 1).tolist() == [1, 1]
    # Some event with value <= 2: member 0 only in month 2, member 2 in month 1.
    assert rd["min"].count(0, 0, 1, 2).tolist() == [0, 1]
    assert rd["min"].count(0, 0, 2, 2).tolist() == [1, 1]
    assert rd["min"].count(0, 0, 2, 0).tolist() == [0, 0]
    # Every event <= 5: member 0 (5, 1) and member 1 (3); member 2 has a 7.
    assert rd["max"].count(0, 0, 2, 5).tolist() == [2, 0]
    assert rd["max"].count(0, 1, 1, 7).tolist() == [1, 1]
    assert rd["max"].each_month(0, 0, 2).tolist() == [[1, 0], [1, 1], [1, 0]]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 4), st.integers(0, 1), st.integers(0, 5)), max_size=40),
       st.booleans())
def test_range_distinct_matches_a_direct_count(events, presence):
    """Random events (member, month, group, value): every range, threshold and plan, counted directly."""
    plan_of = [m % 2 for m in range(8)]
    member = [e[0] for e in events]
    month = [e[1] for e in events]
    group = [e[2] for e in events]
    value = None if presence else [e[3] for e in events]
    n_values = 1 if presence else 6
    plans = [plan_of[m] for m in member]
    rd = {how: ex.RangeDistinct(member, month, group, plans, n_members=8, n_groups=2, n_plans=2, n_months=5,
                                value=value, n_values=n_values, how=how) for how in ("min", "max")}
    frame = pd.DataFrame({"member": member, "month": month, "group": group, "plan": plans,
                          "value": [0] * len(events) if presence else value})
    for g in range(2):
        for a in range(5):
            for b in range(a, 5):
                part = frame[(frame["group"] == g) & frame["month"].between(a, b)]
                low = part.groupby("member").agg(plan=("plan", "first"), low=("value", "min"), high=("value", "max"))
                for v in range(n_values):
                    want_min = [int(((low["plan"] == p) & (low["low"] <= v)).sum()) for p in (0, 1)]
                    want_max = [int(((low["plan"] == p) & (low["high"] <= v)).sum()) for p in (0, 1)]
                    assert rd["min"].count(g, a, b, v).tolist() == want_min
                    assert rd["max"].count(g, a, b, v).tolist() == want_max
                assert rd["min"].present(g, a, b).tolist() == [int((low["plan"] == p).sum()) for p in (0, 1)]


@given(st.lists(st.integers(0, 40), min_size=1, max_size=60))
def test_median_from_histogram_matches_pandas(values):
    hist = np.bincount(values, minlength=41)
    assert ex._median_from_hist(hist) == pd.Series(values).median()


def test_median_of_nothing_is_none():
    assert ex._median_from_hist(np.zeros(5, dtype=int)) is None


# --------------------------------------------------------------------------- against the rows
def _brute(world, start: str, end: str, plan: str, program: str, days: int) -> dict[str, tuple[float, int]]:
    """Each measure counted row by row with pandas: (value, distinct members behind it)."""
    a, b = pd.Period(start, freq="M"), pd.Period(end, freq="M")
    members = world.members.assign(plan_id=world.members["plan_id"].astype(object))[["member_id", "plan_id"]]
    members["member_id"] = members["member_id"].astype(str)

    def scope(frame, date_column):
        frame = frame.assign(member_id=frame["member_id"].astype(str)).merge(members, on="member_id", suffixes=("_row", ""))
        frame = frame[frame["plan_id"].notna()]
        month = frame[date_column].dt.to_period("M")
        frame = frame[(month >= a) & (month <= b)]
        return frame if plan == ex.ALL_PLANS else frame[frame["plan_id"] == plan]

    def in_program(frame, kind, cs):
        kind, cs = frame[kind].astype(str), frame[cs].astype(object)
        if program == ex.ALL_PROGRAMS:
            return frame
        if program == ex.ALL_CS:
            return frame[kind.isin(["community_supports", "community_support"])]
        if program.startswith("cs:"):
            return frame[cs == program[3:]]
        return frame[kind == program]

    out = {}
    services = world.services[world.services["program"].astype(str) != "advocacy"]
    served = in_program(scope(services, "service_date"), "program", "cs_id")
    out["members_served"] = (served["member_id"].nunique(), served["member_id"].nunique())
    ecm = services[services["program"].astype(str) == "ecm"].assign(member_id=lambda d: d["member_id"].astype(str))
    starts = ecm.groupby("member_id", as_index=False)["service_date"].min()
    started = scope(starts, "service_date")
    out["ecm_enrollments"] = (len(started), len(started))
    cs = scope(services, "service_date")
    cs = cs[cs["program"].astype(str) == "community_supports"]
    if program.startswith("cs:"):
        cs = cs[cs["cs_id"].astype(object) == program[3:]]
    out["cs_services"] = (len(cs), cs["member_id"].nunique())
    referrals = in_program(scope(world.referrals, "referral_date"), "service_kind", "cs_id")
    within = (referrals["loop_closed_date"] - referrals["referral_date"]).dt.days <= days
    out["referrals_made"] = (len(referrals), referrals["member_id"].nunique())
    out["referrals_closed"] = (int(within.sum()), referrals.loc[within, "member_id"].nunique())
    lines = world.claim_lines[world.claim_lines["line_number"] == 1][["claim_id", "service_id"]].astype(str)
    lines = lines.merge(world.services[["service_id", "program", "cs_id"]].astype({"service_id": str}), on="service_id")
    claims = world.claims.assign(claim_id=world.claims["claim_id"].astype(str)).merge(lines, on="claim_id")
    claims = claims[claims["status"].astype(str).isin(["paid", "partially_paid"])]
    claims = in_program(scope(claims, "service_from"), "program", "cs_id")
    out["claims_paid"] = (len(claims), claims["member_id"].nunique())
    out["amount_paid"] = (round(float(claims["paid_amount_usd"].sum()), 2), claims["member_id"].nunique())
    days_to_pay = (claims["paid_date"] - claims["submitted_date"]).dt.days
    out["median_days_to_payment"] = (days_to_pay.median() if len(claims) else None, claims["member_id"].nunique())
    return out


CASES = [
    ("2025-07", "2026-06", ex.ALL_PLANS, ex.ALL_PROGRAMS, 14),
    ("2026-01", "2026-03", "SYN-ORG-002", ex.ALL_PROGRAMS, 7),
    ("2025-10", "2026-02", "SYN-ORG-003", "ecm", 30),
    ("2026-04", "2026-06", ex.ALL_PLANS, ex.ALL_CS, 0),
    ("2025-08", "2026-05", "SYN-ORG-002", "cs:housing_navigation", 21),
    ("2026-02", "2026-02", ex.ALL_PLANS, "cs:housing_tenancy", 3650),
    ("2025-07", "2026-06", ex.ALL_PLANS, "chw", 14),
]


@pytest.mark.parametrize("start, end, plan, program, days", CASES)
def test_every_shown_number_matches_a_row_by_row_count(big_world, big_cube, start, end, plan, program, days):
    view = ex.explore(big_cube, start, end, plan, program, str(days))
    brute = _brute(big_world, start, end, plan, program, days)
    checked = 0
    for key, (value, people) in brute.items():
        measure = view.measures[key]
        if not measure.applicable:
            continue
        if measure.hidden:
            # Hidden: a small count, a count tied to few members, or a complementary cell.
            continue
        checked += 1
        if key == "amount_paid":
            assert measure.value == pytest.approx(value, abs=0.01), key
        elif value is None:
            assert measure.value is None, key
        else:
            assert measure.value == value, key
        if key in COUNT_KEYS:
            assert value == 0 or value > SMALL_CELL_MAX, key
            assert people == 0 or people > SMALL_CELL_MAX, key
    assert checked >= 3


@pytest.mark.parametrize("start, end, plan, program, days", CASES)
def test_small_counts_and_counts_of_few_members_are_hidden(big_world, big_cube, start, end, plan, program, days):
    view = ex.explore(big_cube, start, end, plan, program, str(days))
    for key, (value, people) in _brute(big_world, start, end, plan, program, days).items():
        measure = view.measures[key]
        if not measure.applicable:
            continue
        if key in COUNT_KEYS and (1 <= value <= SMALL_CELL_MAX or 1 <= people <= SMALL_CELL_MAX):
            assert measure.hidden, key
        if key in ("amount_paid", "median_days_to_payment"):
            assert measure.hidden == view.measures["claims_paid"].hidden  # dollars and medians go with their count


def test_share_closed_is_computed_from_the_shown_counts(big_cube):
    view = ex.explore(big_cube, "2025-07", "2026-06", days="10")
    made, closed = view.value("referrals_made"), view.value("referrals_closed")
    assert view.value("share_closed") == pytest.approx(100 * closed / made)


def test_more_days_close_more_referrals(big_cube):
    closed = [ex.explore(big_cube, "2025-07", "2026-06", days=str(n)).value("referrals_closed") for n in (0, 7, 14, 60, 3650)]
    assert closed == sorted(closed)
    assert closed[-1] > closed[1]


def test_plans_add_up_to_all_plans(big_cube):
    views = {plan: ex.explore(big_cube, "2025-10", "2026-03", plan=plan) for plan in big_cube.plan_options()}
    for key in ("members_served", "cs_services", "claims_paid"):
        parts = [views[p].value(key) for p in big_cube.plan_ids]
        if all(v is not None for v in parts) and views[ex.ALL_PLANS].value(key) is not None:
            assert sum(parts) == views[ex.ALL_PLANS].value(key)


# --------------------------------------------------------------------------- suppression everywhere
def _shown_counts(view: ex.ExplorerView) -> list[float]:
    values = [view.value(k) for k in COUNT_KEYS if view.measures[k].applicable and not view.measures[k].hidden]
    values += view.members_by_month.loc[~view.members_by_month["suppressed"], "members"].tolist()
    values += view.members_by_program.loc[~view.members_by_program["suppressed"], "members"].tolist()
    values += view.claims_by_month.loc[~view.claims_by_month["suppressed"], "claims"].tolist()
    return values


def _filters(cube_fixture_months):
    months = [ex.month_code(m) for m in cube_fixture_months]
    return st.tuples(st.integers(0, len(months) - 1), st.integers(0, len(months) - 1)).map(
        lambda ab: (months[min(ab)], months[max(ab)]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_count_from_1_to_10_is_ever_shown(cube, data):
    start, end = data.draw(_filters(cube.months))
    plan = data.draw(st.sampled_from(list(cube.plan_options())))
    program = data.draw(st.sampled_from(list(cube.programs)))
    days = data.draw(st.integers(0, 90))
    view = ex.explore(cube, start, end, plan, program, days)
    assert all(v == 0 or v > SMALL_CELL_MAX for v in _shown_counts(view))
    # The hidden cells are labelled, never blank or NaN, in the table and the export.
    values = [row[3] for row in csv.reader(io.StringIO(view.to_csv()))]
    assert all(v and v.lower() != "nan" for v in values)
    assert all(v and v.lower() != "nan" for v in view.table()["Value"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_switching_plans_cannot_reveal_a_hidden_number(cube, data):
    """Each number is hidden with its split by plan: never exactly one of plan A, plan B and all plans is hidden."""
    start, end = data.draw(_filters(cube.months))
    program = data.draw(st.sampled_from(list(cube.programs)))
    views = [ex.explore(cube, start, end, plan, program, 14) for plan in cube.plan_options()]
    for key in COUNT_KEYS:
        hidden = [v.measures[key].hidden for v in views if v.measures[key].applicable]
        assert sum(hidden) != 1, key


def test_claims_chart_and_total_are_suppressed_together(cube):
    for program in cube.programs:
        view = ex.explore(cube, "2025-07", "2026-06", program=program)
        if not view.measures["claims_paid"].applicable or view.measures["claims_paid"].hidden:
            continue
        for _, part in view.claims_by_month.groupby("plan"):
            assert part["suppressed"].sum() != 1  # one hidden month could be worked out from the total
        if not view.claims_by_month["suppressed"].any():
            assert view.claims_by_month["claims"].sum() == view.value("claims_paid")


def test_small_world_hides_a_lot(cube):
    view = ex.explore(cube, "2026-01", "2026-01", "SYN-ORG-003", "chw", 14)
    assert view.measures["members_served"].display() == SUPPRESSED_LABEL
    assert view.measures["claims_paid"].display() == SUPPRESSED_LABEL
    assert view.measures["median_days_to_payment"].display() == SUPPRESSED_LABEL


@pytest.mark.parametrize("program, not_applicable", [
    ("chw", {"ecm_enrollments", "cs_services", "referrals_made", "referrals_closed", "share_closed"}),
    ("ecm", {"cs_services"}),
    ("cs:medically_tailored_meals", {"members_served", "ecm_enrollments", "cs_services", "claims_paid", "amount_paid",
                                     "median_days_to_payment"}),
    (ex.ALL_PROGRAMS, set()),
])
def test_numbers_that_do_not_apply_say_so(cube, program, not_applicable):
    view = ex.explore(cube, "2025-07", "2026-06", program=program)
    assert {k for k, m in view.measures.items() if not m.applicable} == not_applicable
    assert all(m.display() == ex.NOT_APPLICABLE for k, m in view.measures.items() if k in not_applicable)


def test_partner_only_supports_are_labelled(cube):
    assert cube.programs["cs:medically_tailored_meals"].endswith("(referrals to partners only)")
    assert "cs:medically_tailored_meals" not in cube.delivered


# --------------------------------------------------------------------------- export
def test_export_holds_aggregates_only(cube):
    view = ex.explore(cube, "2025-07", "2026-06")
    text = view.to_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["table", "row", "column", "value"]
    assert "SYN-" not in text  # no member, claim or referral id
    assert {r[0] for r in rows[1:]} == {"filters", "measures", "members served by month",
                                       "members served by month and program", "claims paid by month of service", "notes"}
    for table, _, _, value in rows[1:]:
        if table.startswith(("members", "claims")):
            assert value == SUPPRESSED_LABEL or int(value) == 0 or int(value) > SMALL_CELL_MAX
    measures = {r[1]: r[3] for r in rows if r[0] == "measures"}
    assert measures["Members served"] == view.measures["members_served"].export()
    assert len(rows) < 200  # a summary, not rows about people


def test_export_file_name_names_the_filters(cube):
    view = ex.explore(cube, "2026 Q1", "2026 Q1", "SYN-ORG-002", "cs:housing_tenancy", 9)
    assert view.file_name() == "explorer-2026-01-to-2026-03-syn-org-002-cs-housing-tenancy-n9.csv"


def test_download_link_is_a_data_address_with_the_csv(cube):
    view = ex.explore(cube, "2025-07", "2026-06")
    link = download_link(view)
    href = re.search(r'href="([^"]+)"', link).group(1)
    assert href.startswith("data:text/csv;charset=utf-8,")
    assert unquote(href.split(",", 1)[1]) == view.to_csv()


# --------------------------------------------------------------------------- charts
def test_chart_templates_equal_freshly_built_charts(cube):
    templates = ex.ChartTemplates(ex.explore(cube, "2025-07", "2026-06"))
    for args in [("2025-07", "2026-06"), ("2026 Q1", "2026 Q1", "SYN-ORG-002", "ecm", 3),
                 ("2025-10", "2026-02", "SYN-ORG-003", "cs:housing_navigation", 20), ("2026-05", "2026-05")]:
        view = ex.explore(cube, *args)
        specs = templates.specs(view)
        assert specs["members"] == ex.members_chart(view).to_dict()
        assert specs["claims"] == ex.claims_chart(view).to_dict()


def test_charts_name_their_selections_and_drop_hidden_bars(cube):
    view = ex.explore(cube, "2025-07", "2026-06", plan="SYN-ORG-002")
    members = json.dumps(ex.members_chart(view).to_dict())
    claims = json.dumps(ex.claims_chart(view).to_dict())
    assert '"name": "pick_month"' in members and '"name": "pick_plan"' in claims
    assert not re.search(r'"(param|view)_\d+"', members + claims)  # no automatic names (they vary by session)
    assert '"!datum.suppressed"' in members and '"!datum.suppressed"' in claims
    plan_param = next(p for p in ex.claims_chart(view).to_dict()["params"] if p["name"] == "pick_plan")
    assert plan_param["value"] == [{"plan": view.plan_name}]
    month_param = next(p for p in ex.members_chart(view).to_dict()["params"] if p["name"] == "pick_month")
    assert month_param["value"] == [{"month": "2026-06"}]


def test_chart_descriptions_follow_the_data(cube):
    view = ex.explore(cube, "2026-04", "2026-06")
    text = ex.members_chart_description(view)
    assert text.count(";") >= 2 and "April 2026" in text and "June 2026 by program" in text
    for row in view.members_by_month.itertuples():
        shown = SUPPRESSED_LABEL if row.suppressed else f"{int(row.members):,}"
        assert f"{row.month_label}: {shown}" in text
    assert "Golden Poppy Health (fictional)" in ex.claims_chart_description(view)


def test_finding_is_computed_from_the_view(cube):
    view = ex.explore(cube, "2025-07", "2026-06")
    served = view.measures["members_served"].display()
    assert f"{served} members" in view.finding()
    assert f"within {view.measures['median_days_to_payment'].display()} days" in view.finding()


# --------------------------------------------------------------------------- the widget
def _expected(box, **changes):
    choice = {"start": box.controls["start"].value, "end": box.controls["end"].value, "plan": box.controls["plan"].value,
              "program": box.controls["program"].value, "days": box.controls["days"].value}
    choice.update(changes)
    return ex.explore(box.cube, **choice)


def test_default_view(box):
    view = box.state["view"]
    assert (view.filters.start, view.filters.end) == (box.cube.months[0], box.cube.months[-1])
    assert (view.filters.plan, view.filters.program, view.filters.days) == (ex.ALL_PLANS, ex.ALL_PROGRAMS, ex.DEFAULT_DAYS)
    assert box.result.value == view_html(view)
    assert box.message.value == ""
    assert box.controls["quarter"].value.startswith("Whole period")
    assert "Members served" in box.result.value and "Main finding" in box.result.value
    assert len(box.charts.outputs) == 2
    html = [o["data"]["text/html"] for o in box.charts.outputs]
    assert "pick_month" in html[0] and "pick_plan" in html[1]
    assert box.chart_text.value and "Bar chart of members served" in box.chart_text.value


def test_quick_period_sets_both_months(box):
    label = next(k for k in box.cube.quarter_options() if k.startswith("2026 Q1"))
    box.controls["quarter"].value = label
    assert (box.controls["start"].value, box.controls["end"].value) == ("2026-01", "2026-03")
    assert box.result.value == view_html(_expected(box))
    assert "January 2026 to March 2026" in box.result.value
    assert box.message.value == ""


def test_from_month(box):
    box.controls["start"].value = "2026-02"
    assert box.state["view"].filters.start == pd.Period("2026-02", freq="M")
    assert box.result.value == view_html(_expected(box))
    assert box.controls["quarter"].value == "custom"  # no quick period matches February to June


def test_to_month(box):
    box.controls["start"].value = "2025-10"
    box.controls["end"].value = "2025-12"
    assert box.state["view"].filters.end == pd.Period("2025-12", freq="M")
    assert box.controls["quarter"].value.startswith("2025 Q4")  # typed months that match a quarter show it
    assert box.result.value == view_html(_expected(box))


def test_plan(box):
    box.controls["plan"].value = "SYN-ORG-003"
    assert box.state["view"].plan_name == "Golden Poppy Health (fictional)"
    assert box.result.value == view_html(_expected(box))
    assert "Golden Poppy Health (fictional)" in box.result.value


def test_program(box):
    box.controls["program"].value = "chw"
    assert box.result.value == view_html(_expected(box))
    assert ex.NOT_APPLICABLE in box.result.value
    assert "CHW (Community Health Worker) services" in box.charts.outputs[0]["data"]["text/html"]


def test_days(box):
    box.controls["days"].value = "30"
    assert box.state["view"].filters.days == 30
    assert "Referrals closed within 30 days" in box.result.value
    assert box.result.value == view_html(_expected(box))


@pytest.mark.parametrize("control, value, field", [
    ("start", "", "From month"), ("end", "   ", "To month"), ("end", "2025-08", "To month"),
    ("start", "2027-01", "From month"), ("days", "-5", "Closed within (days)"), ("days", "abc", "Closed within (days)"),
    ("days", "2.5", "Closed within (days)"), ("start", "Smarch 2026", "From month"),
])
def test_bad_input_shows_a_message_and_keeps_the_result(box, control, value, field):
    box.controls["start"].value = "2025-10"  # so that 2025-08 is before the From month
    before, before_csv, before_charts = box.result.value, box.download.value, box.charts.outputs
    box.controls[control].value = value
    assert field in box.message.value and "Check your input" in box.message.value
    assert "Traceback" not in box.message.value
    assert box.result.value == before and box.download.value == before_csv and box.charts.outputs == before_charts


def test_a_good_value_clears_the_message(box):
    box.controls["days"].value = "-1"
    assert "cannot be negative" in box.message.value
    box.controls["days"].value = "7"
    assert box.message.value == ""
    assert "Referrals closed within 7 days" in box.result.value


def test_download_follows_the_filters(box):
    box.controls["plan"].value = "SYN-ORG-002"
    href = re.search(r'href="([^"]+)"', box.download.value).group(1)
    assert unquote(href.split(",", 1)[1]) == box.state["view"].to_csv()
    assert "syn-org-002" in box.download.value


def test_charts_follow_the_filters(box):
    box.controls["start"].value = "2026-01"
    box.controls["end"].value = "2026-02"
    members_html = box.charts.outputs[0]["data"]["text/html"]
    assert '"2026-02"' in members_html and '"2025-12"' not in members_html


def test_widget_over_another_world():
    world = generate_world(seed=5, scale=400)
    box = data_explorer(world)
    assert box.message.value == ""
    assert box.state["view"].measures["members_served"].applicable
    again = data_explorer(box.cube)  # a cube already built works too
    assert again.result.value == box.result.value


def test_committed_world_cube_matches_a_fresh_build():
    fresh = ex.build_cube(load_world())
    view_a = ex.explore(fresh, "2025-07", "2026-06")
    view_b = ex.explore(ex.default_cube(), "2025-07", "2026-06")
    assert view_a.to_csv() == view_b.to_csv()
