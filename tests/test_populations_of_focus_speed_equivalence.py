"""The Population of Focus screener's fast paths give exactly what the straightforward code gave.

The ``reference_*`` functions are the earlier versions: caseload counts by one pandas
groupby per Population of Focus, the default member by sorting every id, a member found by
comparing the typed id with every member's id, and the member's one-row table given every
column's type. These tests compare them with the module on the course's synthetic world and
on small edge cases (unsorted ids, ids in lower case, repeated ids, one plan, no plan).
"""

from __future__ import annotations

import pandas as pd
import pytest

from calaim_course import populations_of_focus as pof
from calaim_course.errors import CourseInputError
from calaim_course.widgets.populations_of_focus import member_html, pof_screener
from test_populations_of_focus import member  # the screener tests' member builder, shared

PLANS = {"P-A": "Plan A (fictional)", "P-B": "Plan B (fictional)", "P-C": "Plan A (fictional)"}


def reference_caseload_counts(members, rules=None, plan_names=None) -> pd.DataFrame:
    rules = pof.pof_rules() if rules is None else rules
    matrix = pof.meets_matrix(members, rules)
    plans = pof.plan_column(members, plan_names)
    order = sorted(p for p in plans.unique() if p != pof.NO_PLAN) + ([pof.NO_PLAN] if (plans == pof.NO_PLAN).any() else [])
    labels = {r["pof_id"]: pof.pof_label(r) for _, r in rules.iterrows()}
    data = {labels[pid]: matrix[pid].groupby(plans).sum() for pid in matrix.columns}
    data[pof.ANY_ROW] = matrix.any(axis=1).groupby(plans).sum()
    data[pof.CASELOAD_ROW] = plans.value_counts()
    table = pd.DataFrame(data).T.reindex(columns=order).fillna(0).astype("int64")
    table = table.loc[[pof.CASELOAD_ROW, pof.ANY_ROW, *labels.values()]]
    table[pof.TOTAL] = table.sum(axis=1)
    table.index.name = "Population of Focus"
    table.columns.name = "Plan"
    return table


def reference_default_member(members) -> str:
    counts = pof.meets_matrix(members).sum(axis=1)
    candidates = members.loc[(counts >= 2) & (members["age"] >= 21), "member_id"].sort_values()
    if candidates.empty:
        candidates = members["member_id"].sort_values()
    return str(candidates.iloc[0])


def reference_screen(members, member_id, plan_names=None) -> pof.Screening:
    rules = pof.pof_rules()
    member = pof.find_member(members, member_id)  # no index: compares with every member's id
    one = member.to_frame().T.astype(members.dtypes.to_dict())
    group = "adult" if int(member["age"]) >= 21 else "child_youth"
    rows, applies = [], []
    for _, rule in rules[rules["age_group"] == group].iterrows():
        meets_age = bool(pof._age_mask(rule, one).iloc[0])
        meets_criterion = bool(pof._criterion_mask(rule, one).iloc[0])
        met = meets_age and meets_criterion
        if met:
            applies.append(pof.pof_label(rule))
        rows.append({
            "Population of Focus": rule["long_name"],
            "Applies?": "Yes" if met else "No",
            "Why": pof._reason(rule, member, meets_age, meets_criterion),
            "Start date (how sure)": pof._start_date(rule),
        })
    return pof.Screening(member_id=str(member["member_id"]), age=int(member["age"]), age_group=group,
                         table=pd.DataFrame(rows), applies=tuple(applies), context=pof._context(member, plan_names or {}))


def _same_screening(got: pof.Screening, expected: pof.Screening) -> None:
    pd.testing.assert_frame_equal(got.table, expected.table)
    assert (got.member_id, got.age, got.age_group, got.applies, got.context, got.summary) == (
        expected.member_id, expected.age, expected.age_group, expected.applies, expected.context, expected.summary)
    assert member_html(got) == member_html(expected)


def small_members() -> pd.DataFrame:
    """Ids out of order and in mixed case (one repeated once in another case), three plan ids
    of which two share a name, and members with no plan."""
    return pd.DataFrame([
        member("T-10", 55, smh_or_sud=True, homeless=True, homeless_with_family=True, plan_id="P-B"),
        member("t-2", 40, ed_visits_6m=5, plan_id="P-C"),
        member("T-1", 34, homeless=True, housing_status="fleeing_dv_in_shelter"),
        member("T-2", 17, ed_visits_12m=3),                        # the same id as "t-2", in capitals
        member("T-6", 28, pregnant_or_postpartum=True, race_ethnicity="Black", plan_id=None),
        member("T-9", 20, child_welfare_involved=True, plan_id=None),
        member("T-3", 44, homeless=True, smh_or_sud=True, plan_id="P-C"),
    ]).astype({"plan_id": "category", "race_ethnicity": "category", "housing_status": "category"})


@pytest.fixture(scope="module")
def world():
    from calaim_course.synthetic import load_world

    return load_world()


def test_caseload_counts_match_on_the_course_world(world):
    names = pof.plan_names(world.organizations)
    expected = reference_caseload_counts(world.members, plan_names=names)
    pd.testing.assert_frame_equal(pof.caseload_counts(world.members, plan_names=names), expected)
    pd.testing.assert_frame_equal(pof.caseload_counts(world.members), reference_caseload_counts(world.members))


@pytest.mark.parametrize("names", [PLANS, None, {"P-A": "Plan A (fictional)"}])
@pytest.mark.parametrize("keep", ["all", "one plan", "no plan", "one member"])
def test_caseload_counts_match_on_small_tables(names, keep):
    members = small_members()
    members = {
        "all": members,
        "one plan": members[members["plan_id"] == "P-A"],
        "no plan": members[members["plan_id"].isna()],
        "one member": members.iloc[[1]],
    }[keep]
    expected = reference_caseload_counts(members, plan_names=names)
    pd.testing.assert_frame_equal(pof.caseload_counts(members, plan_names=names), expected)
    got, suppressed = pof.suppressed_caseload(members, plan_names=names)
    pd.testing.assert_frame_equal(got, expected)


def test_default_member_matches(world):
    assert pof.default_member(world.members) == reference_default_member(world.members)
    members = small_members()
    assert pof.default_member(members) == reference_default_member(members)
    children = members[members["age"] < 21]  # no adult meets two: the first id overall
    assert pof.default_member(children) == reference_default_member(children)


def test_member_index_finds_what_the_full_comparison_finds(world):
    members = world.members
    index = pof.MemberIndex(members)
    ids = members["member_id"].tolist()
    for typed in [ids[0], ids[-1], ids[len(ids) // 3].lower(), f"  {ids[7]} ", "SYN-M-0000000", "nobody", "ZZZ"]:
        try:
            expected = pof.find_member(members, typed)
        except CourseInputError as error:
            with pytest.raises(CourseInputError) as raised:
                pof.find_member(members, typed, index)
            assert str(raised.value) == str(error)
            continue
        pd.testing.assert_series_equal(pof.find_member(members, typed, index), expected)


def test_member_index_with_repeated_ids_and_mixed_case():
    members = small_members()
    members.loc[len(members)] = member(None, 30)  # a member without an id matches nothing
    index = pof.MemberIndex(members)
    for typed in ["t-2", "T-2", "t-10", "T-1", "T-9", "T-4", "None", "nan"]:
        try:
            expected = pof.find_member(members, typed)
        except CourseInputError:
            with pytest.raises(CourseInputError):
                pof.find_member(members, typed, index)
            continue
        got = pof.find_member(members, typed, index)
        pd.testing.assert_series_equal(got, expected)
    assert pof.find_member(members, "T-2", index)["age"] == 40  # the first row with that id


def test_screening_matches_on_the_course_world(world):
    names = pof.plan_names(world.organizations)
    index = pof.MemberIndex(world.members)
    ids = world.members["member_id"]
    for k in range(0, len(ids), max(1, len(ids) // 40)):
        expected = reference_screen(world.members, ids.iloc[k], names)
        _same_screening(pof.screen_member(world.members, ids.iloc[k], plan_names=names, index=index), expected)
        _same_screening(pof.screen_member(world.members, ids.iloc[k], plan_names=names), expected)


def test_screening_matches_on_small_members():
    members = small_members()
    index = pof.MemberIndex(members)
    for typed in members["member_id"]:
        _same_screening(pof.screen_member(members, typed, plan_names=PLANS, index=index),
                        reference_screen(members, typed, PLANS))


def test_widget_lists_sorted_ids_and_screens_like_the_reference(world):
    names = pof.plan_names(world.organizations)
    box = pof_screener(world.members, names)
    assert list(box.controls["member"].options) == sorted(world.members["member_id"])
    assert box.controls["member"].value == reference_default_member(world.members)
    other = world.members["member_id"].iloc[len(world.members) // 2]
    box.controls["member"].value = other.lower()
    assert box.member_result.value == member_html(reference_screen(world.members, other, names))
    box.controls["member"].value = "nobody"
    assert "Member" in box.message.value


def test_widget_sorts_ids_that_are_out_of_order():
    members = small_members()
    box = pof_screener(members, PLANS)
    assert list(box.controls["member"].options) == sorted(members["member_id"])
    box.controls["member"].value = "T-10"
    assert box.member_result.value == member_html(reference_screen(members, "T-10", PLANS))
