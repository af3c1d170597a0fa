"""Data completeness checker: required fields, the practice copy, suppressed counts and the widget."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calaim_course import data_quality as dq
from calaim_course.errors import CourseInputError
from calaim_course.reference import load_reference
from calaim_course.suppression import SMALL_CELL_MAX, SUPPRESSED_LABEL
from calaim_course.synthetic import load_world
from calaim_course.widgets.data_quality import BY_FIELD, BY_STAFF, GENERATED, PRACTICE, completeness_checker

FIELDS = ["first_name", "last_name", "birth_date", "agency_intake_date", "medi_cal_status", "plan_id",
          "plan_member_id", "plan_enrollment_date", "housing_status", "race_ethnicity", "preferred_language",
          "gender_identity"]
PLAN_FIELDS = {"plan_id", "plan_member_id", "plan_enrollment_date"}


@pytest.fixture(scope="module")
def world():
    return load_world()


@pytest.fixture(scope="module")
def intake(world):
    return dq.intake_staff(world.services)


@pytest.fixture(scope="module")
def practice(world):
    return dq.practice_member_file(world)


@pytest.fixture(scope="module")
def practice_result(practice, intake, world):
    return dq.check_completeness(practice, intake, world.staff)


def _member(i: int, **changes) -> dict:
    row = {
        "member_id": f"SYN-M-{i:07d}", "first_name": "Fern", "last_name": "Mossglen",
        "birth_date": pd.Timestamp("1990-01-01"), "agency_intake_date": pd.Timestamp("2026-01-05"),
        "medi_cal_status": "full_scope", "plan_id": "SYN-ORG-002", "plan_member_id": f"SYNP-{i:08d}",
        "plan_enrollment_date": pd.Timestamp("2025-01-01"), "housing_status": "stably_housed",
        "race_ethnicity": "White", "preferred_language": "English", "gender_identity": "Female",
    }
    row.update(changes)
    return row


def _counts_in(frame: pd.DataFrame) -> list[int]:
    """Every whole number shown in a display table's cells (not in its text columns)."""
    values = []
    for column in frame.columns:
        for cell in frame[column].astype(str):
            if re.fullmatch(r"[\d,]+", cell):
                values.append(int(cell.replace(",", "")))
    return values


# ------------------------------------------------------------------ the reference table


def test_required_fields_table_cites_a_source_or_says_course_suggestion():
    rules = dq.required_fields()
    assert rules["field"].tolist() == FIELDS
    assert set(rules["basis"]) == {"sourced", "course suggestion"}
    sourced = rules[rules["basis"] == "sourced"]
    assert sourced["source_url"].str.startswith("https://").all()
    assert set(sourced["confidence"]) <= {"VERIFIED", "SECONDARY"}
    suggested = rules[rules["basis"] == "course suggestion"]
    assert suggested["why"].str.startswith("Course suggestion").all()
    assert (rules["how_to_fix"].str.len() > 20).all()
    assert set(rules.loc[rules["field"].isin(PLAN_FIELDS), "required_when"]) == {"full_scope"}


def test_cms1500_items_match_the_course_reference_table():
    # The claim-form reasons cite item numbers; they must agree with cms1500_items.
    items = load_reference("cms1500_items").set_index("item")["synthetic_column"]
    rules = dq.required_fields().set_index("field")
    assert "members.plan_member_id" in items["1a"] and "item 1a" in rules.loc["plan_member_id", "why"]
    assert "members.first_name" in items["2"] and "item 2" in rules.loc["first_name", "why"]
    assert "members.birth_date" in items["3"] and "item 3" in rules.loc["birth_date", "why"]


# ------------------------------------------------------------------ what counts as missing


def test_missing_mask_by_hand():
    members = pd.DataFrame([
        _member(1),
        _member(2, race_ethnicity=None, preferred_language="  "),        # blank text counts as missing
        _member(3, race_ethnicity="Unknown or declined"),                  # a declined answer is complete
        _member(4, medi_cal_status="application_pending", plan_id=None, plan_member_id=None,
                plan_enrollment_date=pd.NaT),                              # plan fields not required
        _member(5, plan_member_id=None, birth_date=pd.NaT),
        _member(6, medi_cal_status=None, plan_id=None),                    # status unknown: plan fields not checked
    ])
    mask = dq.missing_mask(members)
    expected = {1: [], 2: ["race_ethnicity", "preferred_language"], 3: [], 4: [],
                5: ["birth_date", "plan_member_id"], 6: ["medi_cal_status"]}
    for i, fields in expected.items():
        row = mask.iloc[i - 1]
        assert sorted(row[row].index) == sorted(fields), i


def test_counts_by_hand_with_suppression():
    # 40 members; staff A recorded 25 intakes (12 missing race), staff B 15 (3 missing race).
    rows = [_member(i, race_ethnicity=None if i <= 12 or 26 <= i <= 28 else "White") for i in range(1, 41)]
    members = pd.DataFrame(rows)
    intake = pd.Series(["SYN-STF-000001"] * 25 + ["SYN-STF-000002"] * 15, index=members["member_id"])
    staff = pd.DataFrame({"staff_id": ["SYN-STF-000001", "SYN-STF-000002"], "first_name": ["Aster", "Briar"],
                          "last_name": ["Ashgrove", "Bluebell"], "hire_date": pd.to_datetime(["2020-01-01", "2024-01-01"])})
    result = dq.check_completeness(members, intake, staff)
    table = result.field_table().set_index("Field")
    assert table.loc["Race or ethnicity", "Missing"] == "15"
    assert table.loc["Race or ethnicity", "Share missing"] == f"{15 / 40:.0%}"
    assert table.loc["Date of birth", "Missing"] == "0"
    # Staff B's 3 is hidden, so staff A's 12 is hidden too: the total 15 would reveal it.
    row = result.by_staff.shown["Race or ethnicity"]
    assert pd.isna(row["Briar Bluebell"]) and pd.isna(row["Aster Ashgrove"]) and row[dq.TOTAL] == 15
    summary = result.summary_table().set_index("Staff member who recorded the intake")
    assert summary.loc["Aster Ashgrove", dq.TOTAL] == "25" and summary.loc["Briar Bluebell", dq.TOTAL] == "15"
    assert summary.loc[dq.TOTAL, dq.WITH_GAP] == "15" and summary.loc[dq.TOTAL, "Share with a gap"] == f"{15 / 40:.0%}"
    # B's 3 is hidden; so are enough others that neither 3 nor 12 can be worked out.
    assert summary.loc["Briar Bluebell", dq.WITH_GAP] == SUPPRESSED_LABEL
    assert summary.loc["Aster Ashgrove", dq.WITH_GAP] == SUPPRESSED_LABEL
    assert summary.loc["Briar Bluebell", "Share with a gap"] == SUPPRESSED_LABEL
    detail = result.staff_detail("Briar Bluebell").set_index("Field")
    assert detail.loc["Race or ethnicity", "Members missing it"] == SUPPRESSED_LABEL
    assert "Unknown or declined" in detail.loc["Race or ethnicity", "How to fix a gap"]
    assert detail.loc["Date of birth", "How to fix a gap"] == ""  # a shown zero needs no fix


def test_generated_member_file_is_complete(world, intake):
    result = dq.check_completeness(world.members, intake, world.staff)
    assert (result.field_table()["Missing"] == "0").all()
    assert "complete" in result.finding()
    assert result.by_staff.n_suppressed == 0


# ------------------------------------------------------------------ the practice copy


def test_practice_copy_is_deterministic_and_leaves_the_original_alone(world):
    before = world.members.copy()
    first = dq.practice_member_file(world)
    second = dq.practice_member_file(world)
    pd.testing.assert_frame_equal(first, second)
    pd.testing.assert_frame_equal(world.members, before)
    other = dq.practice_member_file(world, seed=dq.PRACTICE_SEED + 1)
    assert not first.isna().equals(other.isna())
    assert first.shape == world.members.shape and first.dtypes.equals(world.members.dtypes)


def test_practice_copy_has_gaps_and_the_newest_staff_member_has_more(world, practice, intake):
    mask = dq.missing_mask(practice)
    assert mask.to_numpy().sum() > 50
    assert dq.missing_mask(world.members).to_numpy().sum() == 0
    # Only required fields were emptied: every other column is unchanged.
    others = [c for c in world.members.columns if c not in FIELDS]
    pd.testing.assert_frame_equal(practice[others], world.members[others])
    hired = world.staff.set_index("staff_id")["hire_date"]
    staff_of = practice["member_id"].astype(str).map(intake)
    newest = max(staff_of.unique(), key=lambda s: hired[s])
    share = mask.any(axis=1).groupby(staff_of.to_numpy()).mean()
    assert share.idxmax() == newest


def test_plant_gaps_rejects_a_bad_seed(world, intake):
    for seed in (-1, 2**32, 1.5, True, "7"):
        with pytest.raises(CourseInputError, match="seed"):
            dq.plant_gaps(world.members, intake, world.staff, seed=seed)


def test_no_count_from_1_to_10_is_shown_in_any_view(practice_result):
    assert all(not 1 <= v <= SMALL_CELL_MAX for v in _counts_in(practice_result.field_table()[["Required for", "Missing"]]))
    assert all(not 1 <= v <= SMALL_CELL_MAX for v in _counts_in(practice_result.summary_table()))
    for staff in practice_result.staff:
        detail = practice_result.staff_detail(staff)[["Members missing it"]]
        assert all(not 1 <= v <= SMALL_CELL_MAX for v in _counts_in(detail))
    assert not practice_result.by_staff.unresolved and not practice_result.summary.unresolved


def test_agency_totals_match_an_independent_count(practice, practice_result):
    table = practice_result.field_table().set_index("Field")
    full = practice["medi_cal_status"].astype(object) == "full_scope"
    expected_race = int(practice["race_ethnicity"].isna().sum())
    expected_plan_id = int((full & practice["plan_id"].isna()).sum())
    for label, expected in (("Race or ethnicity", expected_race), ("Managed care plan", expected_plan_id)):
        shown = table.loc[label, "Missing"]
        assert expected > 0
        if 1 <= expected <= SMALL_CELL_MAX:
            assert shown == SUPPRESSED_LABEL
        elif shown != SUPPRESSED_LABEL:  # a count of 11 or more may be hidden only as a complement
            assert shown == f"{expected:,}"
        else:
            assert not practice_result.by_staff.primary.loc[dq.TOTAL, label]


def test_finding_names_a_shown_field(practice_result):
    finding = practice_result.finding()
    table = practice_result.field_table()
    shown = table[table["Missing"] != SUPPRESSED_LABEL]
    top = shown.loc[shown["Missing"].str.replace(",", "").astype(int).idxmax()]
    assert f"{top['Field'].lower()}: {top['Missing']}" in finding


# ------------------------------------------------------------------ bad input


def test_member_file_without_required_columns_is_refused(practice, intake, world):
    with pytest.raises(CourseInputError, match="race_ethnicity"):
        dq.check_completeness(practice.drop(columns="race_ethnicity"), intake, world.staff)
    with pytest.raises(CourseInputError, match="empty"):
        dq.check_completeness(practice.iloc[0:0], intake, world.staff)
    with pytest.raises(CourseInputError, match="DataFrame"):
        dq.check_completeness("members.csv", intake, world.staff)
    doubled = pd.concat([practice.iloc[:2], practice.iloc[:1]])
    with pytest.raises(CourseInputError, match="more than once"):
        dq.check_completeness(doubled, intake, world.staff)


def test_record_gaps(practice):
    member_id = dq.first_record_with_gaps(practice)
    gaps = dq.record_gaps(practice, member_id.lower())  # case and spaces do not matter
    expected = dq.missing_mask(practice)[practice["member_id"].astype(str) == member_id].iloc[0]
    labels = dq.required_fields().set_index("field")["label"]
    assert gaps["Field"].tolist() == [labels[f] for f in expected[expected].index]
    assert len(gaps) >= 2
    complete = practice["member_id"].astype(str)[~dq.missing_mask(practice).any(axis=1)].iloc[0]
    assert dq.record_gaps(practice, f"  {complete} ").empty
    for bad in ("", "SYN-M-12", "M0000001", 12, None, "SYN-M-0000001; DROP"):
        with pytest.raises(CourseInputError, match="Member ID"):
            dq.record_gaps(practice, bad)
    with pytest.raises(CourseInputError, match="in the file"):
        dq.record_gaps(practice, "SYN-M-9999999")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.integers(0, 299), min_size=1, max_size=120, unique=True),
    blanks=st.lists(st.tuples(st.integers(0, 119), st.sampled_from(FIELDS)), max_size=200),
)
def test_any_member_file_gives_a_suppressed_result_or_a_message(practice, intake, world, rows, blanks):
    members = practice.iloc[rows].reset_index(drop=True).copy()
    for row, field in blanks:
        if row < len(members):
            members[field] = members[field].astype(object)
            members.loc[row, field] = None
    try:
        result = dq.check_completeness(members, intake, world.staff)
    except CourseInputError:
        return
    views = [result.field_table()[["Missing"]], result.summary_table()]
    views += [result.staff_detail(s)[["Members missing it"]] for s in result.staff]
    for view in views:
        assert all(not 1 <= v <= SMALL_CELL_MAX for v in _counts_in(view))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=30), st.from_regex(r"SYN-M-\d{7}", fullmatch=True), st.integers()))
def test_any_member_id_gives_gaps_or_a_message(practice, text):
    try:
        gaps = dq.record_gaps(practice, text)
    except CourseInputError as error:
        assert "Member ID" in str(error)
        return
    assert list(gaps.columns) == ["Field", "Why it is required", "How to fix it"]


# ------------------------------------------------------------------ the widget


def test_widget_default_view(world):
    box = completeness_checker(world)
    assert box.controls["data"].value == PRACTICE and box.controls["show"].value == BY_FIELD
    assert "Main finding" in box.result.value and "How to fix a gap" in box.result.value
    assert "plant_gaps" in box.result.value  # the page says the copy has planted gaps
    assert box.controls["member"].value and "<table" in box.record.value
    assert box.message.value == ""


def test_widget_views_and_bad_member_id(world):
    box = completeness_checker(world)
    box.controls["show"].value = BY_STAFF
    assert "Share with a gap" in box.result.value
    staff = box.controls["show"].options[2]
    box.controls["show"].value = staff
    assert f"Members whose intake {staff} recorded" in box.result.value
    before = box.record.value
    box.controls["member"].value = "not an id"
    assert "Member ID" in box.message.value and "SYN-M-0000012" in box.message.value
    assert box.record.value == before  # the previous record stays
    box.controls["data"].value = GENERATED  # the counts still follow the menus
    assert "Members whose intake" in box.result.value and "exactly as the generator wrote it" in box.result.value
    box.controls["member"].value = ""
    assert box.record.value == "" and box.message.value == ""
    box.controls["show"].value = BY_FIELD
    assert "complete" in box.result.value
