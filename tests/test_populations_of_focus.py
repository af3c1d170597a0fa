"""Population of Focus screener: rules from the reference table, reasons in words,
agreement with the synthetic generator, and suppressed caseload counts."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calaim_course import populations_of_focus as pof
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SMALL_CELL_MAX
from calaim_course.synthetic import generate_world
from calaim_course.widgets.populations_of_focus import pof_screener

PLANS = {"P-A": "Plan A (fictional)", "P-B": "Plan B (fictional)"}


def member(member_id: str, age: int, **overrides) -> dict:
    row = {
        "member_id": member_id, "age": age, "plan_id": "P-A", "medi_cal_status": "full_scope",
        "housing_status": "stably_housed", "race_ethnicity": "White",
        "ed_visits_6m": 0, "ed_visits_12m": 0, "unplanned_stays_6m": 0, "unplanned_stays_12m": 0,
        "pregnant_or_postpartum": False,
        **{flag: False for flag in pof.FLAG_WORDS},
    }
    row.update(overrides)
    return row


@pytest.fixture
def members() -> pd.DataFrame:
    return pd.DataFrame([
        member("T-1", 34, homeless=True, housing_status="fleeing_dv_in_shelter"),
        member("T-2", 40, ed_visits_6m=5),                       # exactly the adult ED threshold
        member("T-3", 40, ed_visits_6m=4, unplanned_stays_6m=2),  # just under both thresholds
        member("T-4", 17, ed_visits_12m=3),                       # child threshold, 12-month window
        member("T-5", 17, ed_visits_6m=5, ed_visits_12m=2),       # adult rule does not apply to a child
        member("T-6", 28, pregnant_or_postpartum=True, race_ethnicity="Black"),
        member("T-7", 28, pregnant_or_postpartum=True, race_ethnicity="White"),
        member("T-8", 21, child_welfare_involved=True),           # a child-only criterion at 21
        member("T-9", 20, child_welfare_involved=True, plan_id=None),
        member("T-10", 55, smh_or_sud=True, homeless=True, homeless_with_family=True, plan_id="P-B"),
    ])


def applies(members, member_id) -> set[str]:
    rules = pof.pof_rules()
    matrix = pof.meets_matrix(members, rules)
    row = matrix.loc[members["member_id"] == member_id].iloc[0]
    return set(row[row].index)


# --------------------------------------------------------------------------- the rules


def test_rules_come_from_the_reference_table():
    rules = pof.pof_rules()
    assert len(rules) == 16
    adult_ed = rules.set_index("pof_id").loc["adult_avoidable_utilization"]
    assert (adult_ed["ed_visits_min"], adult_ed["unplanned_stays_min"], adult_ed["window_months"]) == (5, 3, 6)
    # The Birth Equity start date is UNVERIFIED, so the table leaves it blank.
    assert rules.set_index("pof_id").loc["adult_birth_equity", "go_live"] is pd.NaT


@pytest.mark.parametrize(
    "member_id, expected",
    [
        ("T-1", {"adult_homeless_individual"}),
        ("T-2", {"adult_avoidable_utilization"}),
        ("T-3", set()),
        ("T-4", {"child_avoidable_utilization"}),
        ("T-5", set()),
        ("T-6", {"adult_birth_equity"}),
        ("T-7", set()),
        ("T-8", set()),
        ("T-9", {"child_welfare"}),
        ("T-10", {"adult_homeless_individual", "adult_homeless_family", "adult_smh_sud"}),
    ],
)
def test_hand_worked_members(members, member_id, expected):
    assert applies(members, member_id) == expected


def test_explanations_give_the_numbers_and_the_thresholds(members):
    screening = pof.screen_member(members, "T-3", plan_names=PLANS)
    row = screening.table.set_index("Population of Focus").loc["Individuals at Risk for Avoidable Hospital or ED Utilization"]
    assert row["Applies?"] == "No"
    assert "4 emergency department visits and 2 unplanned stays in the 6 months" in row["Why"]
    assert "5 or more visits or 3 or more stays" in row["Why"]
    assert screening.applies == ()
    assert "meets none" in screening.summary


def test_homelessness_reason_names_fleeing_domestic_violence(members):
    screening = pof.screen_member(members, "t-1", plan_names=PLANS)  # ids are case-insensitive
    assert screening.applies == ("Adults: Individuals Experiencing Homelessness",)
    why = screening.table.loc[screening.table["Applies?"] == "Yes", "Why"].item()
    assert "fleeing domestic violence" in why
    assert "fleeing domestic violence, in a shelter" in screening.context
    assert "Plan A (fictional)" in screening.context


def test_a_child_sees_the_child_populations_only(members):
    screening = pof.screen_member(members, "T-9", plan_names=PLANS)
    assert screening.age_group == "child_youth"
    assert len(screening.table) == 8
    assert "not enrolled in a managed care plan" in screening.context


def test_birth_equity_reason_and_unconfirmed_date(members):
    screening = pof.screen_member(members, "T-7", plan_names=PLANS)
    row = screening.table.set_index("Population of Focus").loc["Birth Equity Population of Focus"]
    assert row["Applies?"] == "No"
    assert "not one of the groups one plan lists" in row["Why"]
    assert row["Start date (how sure)"].startswith("Not confirmed")
    homeless = screening.table.set_index("Population of Focus").loc["Individuals Experiencing Homelessness"]
    assert homeless["Start date (how sure)"] == "January 1, 2022 (plan or county source)"


@pytest.mark.parametrize("bad", ["", "   ", "SYN-M-9999999", None, 42])
def test_unknown_member_gives_a_clear_message(members, bad):
    with pytest.raises(CourseInputError) as problem:
        pof.screen_member(members, bad)
    assert problem.value.field == "Member"
    assert "T-1" in str(problem.value)


def test_missing_member_column_is_named(members):
    with pytest.raises(CourseInputError, match="smh_or_sud"):
        pof.meets_matrix(members.drop(columns="smh_or_sud"))


# -------------------------------------------------------------- agreement with the data


@pytest.mark.parametrize("seed", [2026, 7, 11])
def test_screener_agrees_with_the_generator_for_every_member(seed):
    world = generate_world(seed=seed, scale=400)
    members = world.members
    rules = pof.pof_rules()
    # The vectorised screen (the generator's own) matches the data's ecm_pof_ids column ...
    assert pof.pof_ids(members).tolist() == members["ecm_pof_ids"].astype(object).where(members["ecm_pof_ids"].notna(), "").tolist()
    # ... and the per-member explanation (this module's rule masks) agrees with both.
    mine = pd.DataFrame({r["pof_id"]: pof.rule_mask(r, members) for _, r in rules.iterrows()})
    pd.testing.assert_frame_equal(mine, pof.meets_matrix(members), check_names=False)


# ------------------------------------------------------------------------- the caseload


@pytest.fixture(scope="module")
def world():
    return generate_world(seed=2026, scale=300)


def test_caseload_counts_add_up_by_plan(world):
    names = pof.plan_names(world.organizations)
    counts = pof.caseload_counts(world.members, plan_names=names)
    assert counts.loc[pof.CASELOAD_ROW, pof.TOTAL] == len(world.members)
    assert (counts.drop(columns=pof.TOTAL).sum(axis=1) == counts[pof.TOTAL]).all()
    matrix = pof.meets_matrix(world.members)
    assert counts.loc[pof.ANY_ROW, pof.TOTAL] == int(matrix.any(axis=1).sum())


def test_no_small_count_is_shown(world):
    counts, result = pof.suppressed_caseload(world.members, plan_names=pof.plan_names(world.organizations))
    small = (counts >= 1) & (counts <= SMALL_CELL_MAX)
    assert small.to_numpy().any(), "the test data should have small counts to hide"
    assert result.mask.to_numpy()[small.to_numpy()].all()
    for plan in result.shown.columns:
        view = pof.caseload_view(result, plan)
        shown = view.loc[view["Members"] != "suppressed", "Members"].str.replace(",", "").astype(int)
        assert not shown.between(1, SMALL_CELL_MAX).any()


def test_a_hidden_cell_cannot_be_found_by_comparing_plans(world):
    counts, result = pof.suppressed_caseload(world.members, plan_names=pof.plan_names(world.organizations))
    mask = result.mask
    # In every row with a shown total, hidden cells are never alone.
    for label in counts.index:
        if not mask.loc[label, pof.TOTAL]:
            assert mask.loc[label].drop(pof.TOTAL).sum() != 1, label


def test_caseload_view_filters_by_age_group(world):
    _, result = pof.suppressed_caseload(world.members, plan_names=pof.plan_names(world.organizations))
    view = pof.caseload_view(result, pof.TOTAL, "child_youth")
    assert not view["Population of Focus"].str.startswith("Adults:").any()
    assert view["Population of Focus"].iloc[0] == pof.CASELOAD_ROW
    with pytest.raises(CourseInputError, match="Plan"):
        pof.caseload_view(result, "No such plan")
    with pytest.raises(CourseInputError, match="Age group"):
        pof.caseload_view(result, pof.TOTAL, "seniors")


def test_finding_is_computed_from_shown_counts(world):
    counts, result = pof.suppressed_caseload(world.members, plan_names=pof.plan_names(world.organizations))
    finding = pof.caseload_finding(result)
    top = counts.drop([pof.CASELOAD_ROW, pof.ANY_ROW])[pof.TOTAL].idxmax()
    assert f"{counts.loc[top, pof.TOTAL]:,} members" in finding
    assert f"of the {len(world.members):,} members" in finding


def test_chart_has_no_small_count_and_greys_hidden_ones(world):
    _, result = pof.suppressed_caseload(world.members, plan_names=pof.plan_names(world.organizations))
    data = pof.chart_data(result)
    assert not data.loc[~data["suppressed"], "value"].between(1, SMALL_CELL_MAX).any()
    assert (data.loc[data["suppressed"], "value"] == 0).all()
    assert (data.loc[data["suppressed"], "label"] == "suppressed").all()
    spec = json.dumps(pof.caseload_chart(result).to_dict())
    assert "Which ECM Populations of Focus the synthetic caseload meets" in spec
    assert '"input": "select"' in spec and '"bind": "legend"' in spec  # plan menu and legend selection


# ---------------------------------------------------------------------------- the widget


def test_widget_default_view(world):
    box = pof_screener(world.members, pof.plan_names(world.organizations))
    assert "Populations of Focus for their age group" in box.member_result.value
    assert "Applies?" in box.member_result.value
    assert "suppressed" in box.caseload_result.value
    assert box.message.value == ""


def test_widget_bad_member_id_shows_a_message_and_keeps_the_result(world):
    box = pof_screener(world.members, pof.plan_names(world.organizations))
    before = box.member_result.value
    box.controls["member"].value = "SYN-M-9999999"
    assert "Member: got" in box.message.value
    assert box.member_result.value == before
    box.controls["member"].value = world.members["member_id"].iloc[0]
    assert box.message.value == ""
    assert world.members["member_id"].iloc[0] in box.member_result.value


def test_widget_plan_and_age_filters(world):
    names = pof.plan_names(world.organizations)
    box = pof_screener(world.members, names)
    plan = sorted(names.values())[0]
    box.controls["plan"].value = plan
    box.controls["age_group"].value = "adult"
    assert plan in box.caseload_result.value
    assert "Children and youth:" not in box.caseload_result.value
    assert "Adults:" in box.caseload_result.value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=16), st.none(), st.integers()))
def test_any_member_text_gives_a_screening_or_a_course_input_error(members, text):
    try:
        screening = pof.screen_member(members, text)
    except CourseInputError:
        return
    assert screening.member_id in set(members["member_id"])
