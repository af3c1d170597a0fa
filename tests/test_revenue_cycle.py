"""Revenue cycle: claims by status, denials, days to payment and aging, with every cell tied
to fewer than 11 members hidden (counts and dollars), complementary suppression, and a
dashboard that shows bad input as a message."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import revenue_cycle as rc
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SUPPRESSED_LABEL
from calaim_course.widgets.revenue_cycle import dashboard


@pytest.fixture(scope="module")
def data():
    return rc.prepare()


def tiny_claims(rows):
    """A hand-made claims frame: (status, member, charged, paid) rows."""
    return pd.DataFrame(rows, columns=["status", "member_id", "charged_usd", "paid_usd"])


# ----------------------------------------------------------------------- the member rule, by hand
def test_cell_with_many_claims_but_few_members_is_hidden_with_its_dollars():
    rows = [("A", f"m{i % 15}", 100.0, 100.0) for i in range(30)]        # 30 claims, 15 members
    rows += [("B", f"m{100 + i % 3}", 50.0, 0.0) for i in range(12)]    # 12 claims, 3 members: hidden
    rows += [("C", f"m{200 + i % 12}", 10.0, 10.0) for i in range(20)]  # 20 claims, 12 members
    protected = rc.protect(tiny_claims(rows), "status", ["A", "B", "C"], {"Charged": "charged_usd"})
    shown = protected.result.shown
    # B is hidden by the member rule although it has 12 claims; C (the smallest shown
    # cell) is hidden too, or B would be 62 - 30 - 20.
    assert shown.isna().tolist() == [False, True, True, False]
    assert int(shown["A"]) == 30 and int(shown[rc.TOTAL]) == 62
    assert protected.n_member_rule == 1
    money = protected.money["Charged"]
    assert money["A"] == 3000.0 and np.isnan(money["B"]) and np.isnan(money["C"]) and money[rc.TOTAL] == 3800.0
    assert "belong to 1 to 10 members" in protected.note() and "1 more is hidden" in protected.note()


def test_zero_cells_stay_shown_and_no_hiding_when_all_cells_have_11_members():
    rows = [("A", f"m{i}", 10.0, 10.0) for i in range(11)] + [("C", f"n{i}", 5.0, 5.0) for i in range(40)]
    protected = rc.protect(tiny_claims(rows), "status", ["A", "B", "C"], {"Paid": "paid_usd"})
    assert protected.result.shown.tolist() == [11, 0, 40, 51]
    assert protected.note().startswith("No cell is hidden")


def test_display_labels_hidden_cells():
    rows = [("A", f"m{i}", 10.0, 10.0) for i in range(20)] + [("B", "solo", 10.0, 10.0)] * 14
    protected = rc.protect(tiny_claims(rows), "status", ["A", "B"], {"Paid": "paid_usd"})
    table = protected.display("Claims")
    assert table.loc["B", "Claims"] == SUPPRESSED_LABEL and table.loc["B", "Paid"] == SUPPRESSED_LABEL
    # With the total shown, B would be 34 - 20: so A is hidden too, with its dollars.
    assert table.loc["A", "Claims"] == SUPPRESSED_LABEL and table.loc["A", "Paid"] == SUPPRESSED_LABEL
    assert table.loc[rc.TOTAL, "Claims"] == "34"


def test_crosstab_protection_uses_members_per_cell():
    frame = pd.DataFrame({
        "status": ["Paid"] * 40 + ["Denied"] * 15,
        "plan": (["P1"] * 20 + ["P2"] * 20) + (["P1"] * 12 + ["P2"] * 3),
        "member_id": [f"a{i}" for i in range(20)] + [f"b{i}" for i in range(20)] + ["c1"] * 12 + ["d1"] * 3,
        "outstanding_usd": 1.0,
    })
    result, sums = rc.protect_crosstab(frame, "status", "plan", ["Paid", "Denied"], ["P1", "P2"], value="outstanding_usd")
    # Denied/P1 has 12 claims but one member; Denied/P2 3 claims from one member.
    assert bool(result.mask.loc["Denied", "P1"]) and bool(result.mask.loc["Denied", "P2"])
    assert int(result.requested.sum().sum()) == 3  # the Denied row total has 2 members too
    # Each column then has one hidden cell and a known total: the Paid cells go too,
    # and the dollars are hidden exactly where the counts are.
    assert result.mask.loc[["Paid", "Denied"], ["P1", "P2"]].all().all()
    assert (sums.isna() == result.mask).all().all()
    assert sums.loc[rc.TOTAL, rc.TOTAL] == 55.0 and int(result.shown.loc[rc.TOTAL, rc.TOTAL]) == 55


# ----------------------------------------------------------------------- the synthetic data
def test_prepare_keeps_every_claim(data):
    assert len(data.claims) == len(data.claims["claim_id"].unique())
    assert set(data.claims["status"]) <= set(rc.status_order())
    assert set(data.claims["program"]) == set(rc.PROGRAM_LABELS.values())
    paid = data.claims[data.claims["paid_date"].notna()]
    assert (paid["days_to_payment"] >= 0).all()
    assert data.as_of == pd.Timestamp("2026-11-30")


def test_status_view_total_matches_the_claims(data):
    view = rc.claims_by_status(data)
    total = view.table.set_index("Status").loc[rc.TOTAL]
    assert total["Claims"] == f"{len(data.claims):,}"
    assert total["Charged"] == f"${data.claims['charged_usd'].sum():,.2f}"
    assert "ILLUSTRATIVE" in view.note


def _members_by_cell(frame, column):
    return frame.groupby(column)["member_id"].nunique()


@pytest.mark.parametrize("plan", [rc.ALL_PLANS, "Redwood Health Plan (fictional)", "Golden Poppy Health (fictional)"])
@pytest.mark.parametrize("program", [rc.ALL_PROGRAMS, "ECM", "Community Supports", "CHW"])
def test_no_shown_cell_is_tied_to_fewer_than_11_members(data, plan, program):
    subset = rc.filter_data(data, plan=plan, program=program)
    checks = [
        (rc.claims_by_status(subset), subset.claims, "status", "Status", "Claims"),
        (rc.days_to_payment(subset), subset.claims[subset.claims["paid_date"].notna()], "payment_bin",
         "Days from sending to payment", "Claims paid"),
        (rc.ar_aging(subset, "2026-06-30"), rc.open_claims_at(subset.claims, pd.Timestamp("2026-06-30")),
         "aging_bucket", "Days since sent", "Claims"),
    ]
    for view, frame, column, label, count in checks:
        members = _members_by_cell(frame, column)
        for _, row in view.table.iterrows():
            if row[label] == rc.TOTAL:
                n = frame["member_id"].nunique()
            else:
                n = int(members.get(row[label], 0))
            if 1 <= n <= 10:
                assert row[count] == SUPPRESSED_LABEL, (view.name, row[label])
            if row[count] == SUPPRESSED_LABEL:
                assert all(v == SUPPRESSED_LABEL for v in row.drop([label, count]))


def test_denial_view_counts_claims_and_lines_separately(data):
    view = rc.denial_reasons(data)
    assert set(view.table["Counted in"]) == {"claims", "lines"}
    claims = data.claims.dropna(subset=["denial_reason"])
    members = claims.groupby("denial_reason")["member_id"].nunique()
    for _, row in view.table[view.table["Counted in"] == "claims"].iterrows():
        if 1 <= members.get(row["Reason"], 0) <= 10:
            assert row["Count"] == SUPPRESSED_LABEL
        elif row["Count"] != SUPPRESSED_LABEL:
            assert int(row["Count"].replace(",", "")) == int((claims["denial_reason"] == row["Reason"]).sum())


def test_open_claims_at_a_date_by_hand():
    claims = pd.DataFrame({
        "claim_id": ["c1", "c2", "c3", "c4"],
        "member_id": ["m1", "m2", "m3", "m4"],
        "submitted_date": pd.to_datetime(["2026-05-01", "2026-05-01", "2026-05-20", "2026-07-10"]),
        "paid_date": pd.to_datetime(["2026-05-20", "2026-07-02", None, None]),
        "charged_usd": [100.0, 200.0, 300.0, 400.0],
        "paid_usd": [100.0, 150.0, 0.0, 0.0],
    })
    open_ = rc.open_claims_at(claims, pd.Timestamp("2026-06-30")).set_index("claim_id")
    # c1 paid before the date: gone; c2 paid later: fully outstanding; c3 denied: outstanding;
    # c4 not sent yet: not in the aging.
    assert open_["outstanding_usd"].to_dict() == {"c2": 200.0, "c3": 300.0}
    assert open_["aging_bucket"].to_dict() == {"c2": "31-60 days", "c3": "31-60 days"}
    assert open_["age_days"].to_dict() == {"c2": 60, "c3": 41}


def test_aging_total_matches_the_outstanding_amount(data):
    view = rc.ar_aging(data, "2026-06-30")
    expected = rc.open_claims_at(data.claims, pd.Timestamp("2026-06-30"))["outstanding_usd"].sum()
    total = view.table.set_index("Days since sent").loc[rc.TOTAL, "Outstanding"]
    assert total == f"${expected:,.2f}"
    assert "June 30, 2026" in view.finding


def test_days_to_payment_finding_is_computed(data):
    view = rc.days_to_payment(data)
    paid = data.claims[data.claims["paid_date"].notna()]
    assert f"within {paid['days_to_payment'].median():.0f} days" in view.finding
    late, total = rc.late_share(data)
    assert f"{100 * late / total:.0f}%" in view.finding


@pytest.mark.parametrize("kwargs", [{"plan": "Blue Shield"}, {"program": "Advocacy"}, {"submission": "fax"}])
def test_unknown_filters_are_clear_errors(data, kwargs):
    with pytest.raises(CourseInputError, match="one of"):
        rc.filter_data(data, **kwargs)


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", "", "2020-01-01", "2027-01-01"])
def test_bad_aging_dates(data, value):
    with pytest.raises(CourseInputError, match="aging date"):
        rc.parse_as_of(value, data)


@settings(max_examples=60, deadline=None)
@given(value=st.one_of(st.text(max_size=12), st.dates().map(str)), view=st.sampled_from(rc.VIEWS))
def test_any_aging_text_gives_a_view_or_a_course_error(data, value, view):
    try:
        result = rc.view(data, view, as_of=value)
    except CourseInputError:
        return
    assert isinstance(result, rc.View) and len(result.table)


def test_unknown_view(data):
    with pytest.raises(CourseInputError):
        rc.view(data, "Profit")


# ----------------------------------------------------------------------- charts
def test_status_chart_has_a_named_plan_parameter_and_no_bar_for_hidden_cells(data):
    spec = rc.status_chart(data).to_dict()
    assert any(p["name"] == "rc_status_plan" for p in spec["params"])
    long, result = rc.status_by_plan(data)
    assert long.loc[long["suppressed"], "claims"].isna().all()
    assert (long["plan"] == rc.ALL_PLANS).sum() == len(rc.status_order())


def test_aging_and_payment_charts_build(data):
    for chart, name in ((rc.aging_chart(data, "2026-06-30"), "rc_aging_plan"), (rc.payment_chart(data), "rc_payment_period")):
        text = str(chart.to_dict())
        assert name in text
    long, _ = rc.aging_by_plan(data, "2026-06-30")
    assert long.loc[long["suppressed"], "outstanding_usd"].isna().all()


# ----------------------------------------------------------------------- the dashboard widget
def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_dashboard_default_view(data):
    box = dashboard(data)
    text = text_of(box.result.value)
    assert "Claims by status" in text and "Main finding" in text and "Paid is the most common status" in text


def test_dashboard_filters_and_views(data):
    box = dashboard(data)
    box.controls["view"].value = "Accounts receivable aging"
    assert "June 30, 2026" in box.result.value
    box.controls["program"].value = "CHW"
    assert "CHW" in box.result.value and SUPPRESSED_LABEL in box.result.value


def test_dashboard_bad_date_shows_a_message_and_keeps_the_table(data):
    box = dashboard(data)
    box.controls["view"].value = "Accounts receivable aging"
    before = box.result.value
    box.controls["aging_date"].value = "June 31"
    assert "aging date" in box.message.value and "Traceback" not in box.message.value
    assert box.result.value == before
    box.controls["aging_date"].value = "2026-03-31"
    assert box.message.value == "" and "March 31, 2026" in box.result.value
