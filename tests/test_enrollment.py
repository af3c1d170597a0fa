"""Members by Medi-Cal status and plan: counts, suppression, the finding and the chart."""

from __future__ import annotations

import pandas as pd
import pytest

from calaim_course import enrollment as E
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SMALL_CELL_MAX, SUPPRESSED_LABEL
from calaim_course.synthetic import generate_world

FULL, RESTRICTED, PENDING = E.STATUS_LABELS.values()


def _orgs() -> pd.DataFrame:
    return pd.DataFrame({
        "org_id": ["SYN-ORG-001", "SYN-ORG-002", "SYN-ORG-003"],
        "name": ["Agency (fictional)", "Plan A (fictional)", "Plan B (fictional)"],
        "org_type": ["dv_agency", "managed_care_plan", "managed_care_plan"],
    })


def _members(counts: dict[tuple[str, str | None], int]) -> pd.DataFrame:
    rows = []
    for (status, plan), n in counts.items():
        rows += [{"medi_cal_status": status, "plan_id": plan}] * n
    return pd.DataFrame(rows, columns=["medi_cal_status", "plan_id"])


@pytest.fixture(scope="module")
def world():
    return generate_world(seed=2026, scale=300)


# ------------------------------------------------------------------ counts


def test_hand_made_counts_land_in_the_right_cells_with_totals():
    members = _members({("full_scope", "SYN-ORG-002"): 40, ("full_scope", "SYN-ORG-003"): 25,
                        ("application_pending", None): 12, ("restricted_scope", None): 15})
    table = E.status_by_plan(members, _orgs())
    assert list(table.index) == [FULL, RESTRICTED, PENDING, "Total"]
    assert list(table.columns) == ["Plan A (fictional)", "Plan B (fictional)", "No plan", "Total"]
    assert table.loc[FULL, "Plan A (fictional)"] == 40
    assert table.loc[PENDING, "No plan"] == 12
    assert table.loc[RESTRICTED, "Plan B (fictional)"] == 0  # every category is present
    assert table.loc["Total", "Total"] == 92
    assert table.loc["Total", "No plan"] == 27


def test_small_counts_are_hidden_with_a_complementary_cell():
    members = _members({("full_scope", "SYN-ORG-002"): 40, ("full_scope", "SYN-ORG-003"): 25,
                        ("application_pending", None): 12, ("restricted_scope", None): 4})
    result = E.suppressed_status_by_plan(members, _orgs())
    shown = E.display_table(result).set_index("Medi-Cal status at intake")
    assert shown.loc[RESTRICTED, "No plan"] == SUPPRESSED_LABEL  # 4 is between 1 and 10
    # The 4 could be worked out from the No plan column (16 - 12) unless 12 is hidden too.
    assert shown.loc[PENDING, "No plan"] == SUPPRESSED_LABEL
    assert shown.loc[FULL, "Plan A (fictional)"] == "40"
    assert shown.loc[RESTRICTED, "Plan A (fictional)"] == "0"  # zeros are shown
    note = E.suppression_note(result)
    assert "1 to 10" in note and "worked out" in note


def test_bad_inputs_are_refused_with_clear_messages():
    with pytest.raises(CourseInputError, match="medi_cal_status"):
        E.status_by_plan(_members({("lapsed", None): 3}), _orgs())
    with pytest.raises(CourseInputError, match="plan_id"):
        E.status_by_plan(_members({("full_scope", "SYN-ORG-099"): 3}), _orgs())
    with pytest.raises(CourseInputError, match="plan_id missing"):
        E.status_by_plan(pd.DataFrame({"medi_cal_status": ["full_scope"]}), _orgs())


def test_synthetic_world_table_adds_up(world):
    table = E.status_by_plan(world.members, world.organizations)
    assert table.loc["Total", "Total"] == len(world.members)
    by_status = world.members["medi_cal_status"].map(E.STATUS_LABELS).value_counts()
    for status, n in by_status.items():
        assert table.loc[status, "Total"] == n
    assert table.loc["Total", "No plan"] == world.members["plan_id"].isna().sum()


def test_nothing_between_1_and_10_is_ever_shown(world):
    for year in (2025, 2026, None):
        members = world.members if year is None else world.members[world.members["agency_intake_date"].dt.year == year]
        raw = E.status_by_plan(members, world.organizations)
        shown = E.suppressed_status_by_plan(members, world.organizations).shown
        visible = raw.where(shown.notna().to_numpy())
        assert not ((visible >= 1) & (visible <= SMALL_CELL_MAX)).any().any(), year


# ------------------------------------------------------------------ finding and chart


def test_finding_uses_the_shown_totals(world):
    result = E.suppressed_status_by_plan(world.members, world.organizations)
    raw = E.status_by_plan(world.members, world.organizations)
    sentence = E.enrollment_finding(result)
    total, full = raw.loc["Total", "Total"], raw.loc[FULL, "Total"]
    assert sentence.startswith(f"Of the agency's {total:,} fictional members")
    assert f"{full:,} ({full / total:.0%}) had full-scope" in sentence
    assert f"{raw.loc['Total', 'No plan']:,} had no plan yet" in sentence


def test_finding_never_quotes_a_hidden_total():
    members = _members({("full_scope", "SYN-ORG-002"): 3, ("application_pending", None): 2})
    result = E.suppressed_status_by_plan(members, _orgs())
    assert "hidden" in E.enrollment_finding(result)
    assert "5" not in E.enrollment_finding(result)


def test_chart_drops_hidden_cells_says_so_and_has_a_legend_selection():
    members = _members({("full_scope", "SYN-ORG-002"): 40, ("full_scope", "SYN-ORG-003"): 25,
                        ("application_pending", None): 12, ("restricted_scope", None): 4})
    result = E.suppressed_status_by_plan(members, _orgs())
    spec = E.enrollment_chart(result).to_dict()
    data = next(iter(spec["datasets"].values()))
    drawn = {(row["plan"], row["status"]): row["count"] for row in data}
    assert drawn == {("Plan A (fictional)", FULL): 40, ("Plan B (fictional)", FULL): 25}
    assert "hidden and not drawn" in spec["title"]["subtitle"][0]
    assert spec["params"][0]["bind"] == "legend"
    assert spec["encoding"]["color"]["scale"]["range"][0] == "#0072B2"
    assert spec["encoding"]["x"]["title"] == "Members (synthetic data)"
