"""Closed Loop Referrals: the illustrative status model, the funnel, aging and the widgets."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import referrals as R
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SMALL_CELL_MAX, SUPPRESSED_LABEL, suppress_counts

STATUSES = ["Pending", "Outreach Initiated", "Accepted", "Declined", "Referral Loop Closed"]

# The course's illustrative model, written out by hand so the test does not just read
# back the module's own table.
EXPECTED_ALLOWED = {
    ("Pending", "Outreach Initiated"),
    ("Pending", "Accepted"),
    ("Pending", "Declined"),
    ("Pending", "Referral Loop Closed"),
    ("Outreach Initiated", "Accepted"),
    ("Outreach Initiated", "Declined"),
    ("Outreach Initiated", "Referral Loop Closed"),
    ("Accepted", "Referral Loop Closed"),
    ("Declined", "Referral Loop Closed"),
}
ALL_PAIRS = list(itertools.product(STATUSES, STATUSES))
DISALLOWED = [pair for pair in ALL_PAIRS if pair not in EXPECTED_ALLOWED]


# ------------------------------------------------------------------ reference values


def test_statuses_come_from_the_reference_table_in_order():
    assert R.referral_statuses() == STATUSES


def test_model_covers_exactly_the_reference_statuses():
    assert set(R.ILLUSTRATIVE_TRANSITIONS) == set(STATUSES)
    for targets in R.ILLUSTRATIVE_TRANSITIONS.values():
        assert set(targets) <= set(STATUSES)


def test_model_is_labelled_illustrative():
    assert "illustrative" in R.MODEL_LABEL.lower()
    assert "no source" in R.MODEL_LABEL.lower()
    assert "illustrative" in R.__doc__.lower()


def test_services_received_is_the_verified_closure_reason():
    reasons = R.closure_reasons()
    row = reasons.set_index("reason").loc["Services Received"]
    assert row["confidence"] == "VERIFIED"
    others = reasons[reasons["reason"] != "Services Received"]
    assert (others["confidence"] == "ILLUSTRATIVE").all()


def test_transitions_table_lists_every_allowed_move_and_the_final_state():
    table = R.transitions_table()
    moves = set(zip(table["From status"], table["To status"]))
    assert EXPECTED_ALLOWED <= moves
    closed = table[table["From status"] == "Referral Loop Closed"]
    assert len(closed) == 1 and closed["To status"].iloc[0].startswith("(none")


# ------------------------------------------------------- transition by transition


def test_the_pair_lists_cover_all_25_pairs():
    assert len(EXPECTED_ALLOWED) + len(DISALLOWED) == 25


@pytest.mark.parametrize(("current", "new"), sorted(EXPECTED_ALLOWED))
def test_allowed_transition(current, new):
    assert R.next_status(current, new) == new
    assert new in R.allowed_next(current)


@pytest.mark.parametrize(("current", "new"), DISALLOWED)
def test_disallowed_transition_names_the_allowed_ones(current, new):
    with pytest.raises(CourseInputError) as caught:
        R.next_status(current, new)
    message = str(caught.value)
    assert message.startswith("Next status:")
    assert repr(new) in message
    allowed = sorted(b for a, b in EXPECTED_ALLOWED if a == current)
    for target in allowed:
        assert target in message
    if not allowed:
        assert "final" in message and "new referral" in message
    assert "illustrative" in message


def test_allowed_next_lists_in_reference_order():
    assert R.allowed_next("Pending") == ["Outreach Initiated", "Accepted", "Declined", "Referral Loop Closed"]
    assert R.allowed_next("Referral Loop Closed") == []


@pytest.mark.parametrize("bad", ["Closed", "pending ", "", None, 3, "Services Received"])
def test_unknown_status_is_refused(bad):
    with pytest.raises(CourseInputError, match="one of Pending"):
        R.next_status("Pending", bad) if bad != "pending " else R.next_status(bad, "Accepted")


# ------------------------------------------------------------------ closure reasons


def test_closing_needs_a_reason():
    with pytest.raises(CourseInputError, match="Reason for Referral Loop Closure"):
        R.check_closure_reason("Accepted", "Referral Loop Closed", None)


def test_other_moves_take_no_reason():
    assert R.check_closure_reason("Pending", "Accepted", "") is None
    with pytest.raises(CourseInputError, match="only when the status becomes"):
        R.check_closure_reason("Pending", "Accepted", "Services Received")


def test_services_received_needs_accepted_first():
    assert R.check_closure_reason("Accepted", "Referral Loop Closed", "Services Received") == "Services Received"
    for current in ("Pending", "Outreach Initiated", "Declined"):
        with pytest.raises(CourseInputError, match="never 'Accepted'"):
            R.check_closure_reason(current, "Referral Loop Closed", "Services Received")


def test_generic_reason_closes_from_any_closable_status():
    for current in ("Pending", "Outreach Initiated", "Accepted", "Declined"):
        assert R.check_closure_reason(current, "Referral Loop Closed", "Unable to reach member") == "Unable to reach member"


def test_unknown_reason_lists_the_reasons():
    with pytest.raises(CourseInputError, match="one of Services Received"):
        R.check_closure_reason("Accepted", "Referral Loop Closed", "Fled to shelter")


# ------------------------------------------------------------------ dates and history


def test_parse_status_date():
    assert R.parse_status_date("07/15/2026") == dt.date(2026, 7, 15)
    assert R.parse_status_date(" 7/1/2025 ") == dt.date(2025, 7, 1)
    for bad in ["2026-07-15", "02/30/2026", "13/01/2026", "", "tomorrow", None]:
        with pytest.raises(CourseInputError, match="MM/DD/YYYY"):
            R.parse_status_date(bad)


def test_history_walks_the_loop_and_keeps_each_date():
    history = R.ReferralHistory.start("07/01/2026")
    history = history.apply("Outreach Initiated", "07/03/2026")
    history = history.apply("Accepted", "07/10/2026")
    history = history.apply("Referral Loop Closed", "07/20/2026", "Services Received")
    assert history.status == "Referral Loop Closed"
    frame = history.to_frame()
    assert frame["Referral Status"].tolist() == ["Pending", "Outreach Initiated", "Accepted", "Referral Loop Closed"]
    assert frame["Date of Referral Status Update"].tolist() == ["07/01/2026", "07/03/2026", "07/10/2026", "07/20/2026"]
    assert frame["Reason for Referral Loop Closure"].tolist() == ["", "", "", "Services Received"]


def test_history_refuses_a_date_before_the_last_update_and_is_unchanged():
    history = R.ReferralHistory.start("07/10/2026")
    with pytest.raises(CourseInputError, match="on or after the last update, 07/10/2026"):
        history.apply("Accepted", "07/09/2026")
    assert history.status == "Pending" and len(history.updates) == 1


def test_check_path():
    R.check_path(["Pending", "Outreach Initiated", "Declined", "Referral Loop Closed"])
    with pytest.raises(CourseInputError, match="first status"):
        R.check_path(["Accepted"])
    with pytest.raises(CourseInputError, match="Next status"):
        R.check_path(["Pending", "Referral Loop Closed", "Accepted"])
    with pytest.raises(CourseInputError, match="empty"):
        R.check_path([])


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(STATUSES + ["x", ""]), st.sampled_from(STATUSES + ["Closed", " "]))
def test_any_pair_gives_a_status_or_a_course_error(current, new):
    try:
        result = R.next_status(current, new)
    except CourseInputError:
        return
    assert (current, result) in EXPECTED_ALLOWED


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_any_date_text_gives_a_date_or_a_course_error(text):
    try:
        result = R.parse_status_date(text)
    except CourseInputError:
        return
    assert isinstance(result, dt.date)


# ------------------------------------------------------------------ funnel and aging
# A small hand-built world, so every expected count below can be worked out by hand.

PLAN_A, PLAN_B = "Fictional Plan A", "Fictional Plan B"
HOUSING_NAV = "Housing Transition Navigation Services"
ORGS = pd.DataFrame({"org_id": ["SYN-ORG-001", "SYN-ORG-002"], "name": [PLAN_A, PLAN_B]})


def _rows(n, plan_id, cs_id, dates, reason=None):
    kind = "ecm" if cs_id is None else "community_support"
    out = []
    for _ in range(n):
        row = {"plan_id": plan_id, "service_kind": kind, "cs_id": cs_id, "closure_reason_id": reason}
        for column in R.STATUS_DATE_COLUMNS.values():
            row[column] = pd.Timestamp(dates[column]) if column in dates else pd.NaT
        out.append(row)
    return out


def hand_world() -> pd.DataFrame:
    rows = (
        # Plan A, ECM, July: 15 referrals go all the way to Services Received.
        _rows(15, "SYN-ORG-001", None, {"referral_date": "2026-07-01", "outreach_initiated_date": "2026-07-05",
                                        "accepted_date": "2026-07-10", "loop_closed_date": "2026-07-30"},
              "services_received")
        # Plan A, ECM, August: 12 referrals with outreach started, still open.
        + _rows(12, "SYN-ORG-001", None, {"referral_date": "2026-08-01", "outreach_initiated_date": "2026-08-03"})
        # Plan B, housing navigation, July: 5 referrals declined, then closed.
        + _rows(5, "SYN-ORG-002", "housing_navigation", {"referral_date": "2026-07-02", "declined_date": "2026-07-09",
                                                         "loop_closed_date": "2026-07-12"}, "member_declined")
        # Plan B, ECM, August: 14 referrals just received (Pending).
        + _rows(14, "SYN-ORG-002", None, {"referral_date": "2026-08-05"})
    )
    frame = pd.DataFrame(rows)
    for column in R.STATUS_DATE_COLUMNS.values():
        frame[column] = frame[column].astype("datetime64[us]")
    return R.prepare_referrals(frame, ORGS)


@pytest.fixture(scope="module")
def world():
    return hand_world()


def _counts(result):
    return {k: (None if v is pd.NA else int(v)) for k, v in result.counts.items()}


def test_prepare_adds_readable_labels(world):
    assert set(world["service"]) == {R.ECM_LABEL, HOUSING_NAV}
    assert set(world["plan"]) == {PLAN_A, PLAN_B}
    assert set(world["month"]) == {"2026-07", "2026-08"}
    assert set(world["closure_reason"].dropna()) == {"Services Received", "Member declined services"}


def test_prepare_refuses_a_table_without_the_status_dates():
    with pytest.raises(CourseInputError, match="accepted_date"):
        R.prepare_referrals(pd.DataFrame({"plan_id": []}), ORGS)


def test_reference_date_is_the_latest_date_in_the_data(world):
    assert R.reference_date(world) == dt.date(2026, 8, 5)


def test_status_path_follows_dates(world):
    paths = {tuple(R.status_path(row)) for _, row in world.iterrows()}
    assert paths == {
        ("Pending", "Outreach Initiated", "Accepted", "Referral Loop Closed"),
        ("Pending", "Outreach Initiated"),
        ("Pending", "Declined", "Referral Loop Closed"),
        ("Pending",),
    }
    for path in paths:
        R.check_path(list(path))


def test_funnel_for_everything_hides_only_the_small_count(world):
    result = R.funnel(world)
    assert _counts(result) == {"Pending": 46, "Outreach Initiated": 27, "Accepted": 15,
                               "Declined": None, "Referral Loop Closed": 20}
    assert "1 of 5 counts are hidden" in result.note()


def test_funnel_hides_a_count_that_subtraction_would_reveal(world):
    # All plans: 20 closed. Plan B: 5 closed (hidden). Showing Plan A's 15 would give
    # away Plan B's 5, so Plan A's closed count is hidden too.
    plan_a = R.funnel(world, plan=PLAN_A)
    assert _counts(plan_a) == {"Pending": 27, "Outreach Initiated": 27, "Accepted": 15,
                               "Declined": 0, "Referral Loop Closed": None}
    plan_b = R.funnel(world, plan=PLAN_B)
    assert _counts(plan_b) == {"Pending": 19, "Outreach Initiated": 0, "Accepted": 0,
                               "Declined": None, "Referral Loop Closed": None}


def test_funnel_by_service_and_month(world):
    housing = R.funnel(world, service=HOUSING_NAV)
    assert _counts(housing) == {"Pending": None, "Outreach Initiated": 0, "Accepted": 0,
                                "Declined": None, "Referral Loop Closed": None}
    august = R.funnel(world, month="2026-08")
    assert _counts(august) == {"Pending": 26, "Outreach Initiated": 12, "Accepted": 0,
                               "Declined": 0, "Referral Loop Closed": 0}
    nothing = R.funnel(world, service=HOUSING_NAV, month="2026-08")
    assert _counts(nothing) == dict.fromkeys(STATUSES, 0)
    assert R.funnel_finding(nothing) == "No referrals match these filters."


def test_funnel_display_and_finding(world):
    result = R.funnel(world)
    table = result.display()
    assert table["Referrals that reached it"].tolist() == ["46", "27", "15", SUPPRESSED_LABEL, "20"]
    assert R.funnel_finding(result) == (
        'Of 46 referrals in this view, 20 (43%) reached "Referral Loop Closed"; '
        "the others were still open on the data's date."
    )
    assert "hidden" in R.funnel_finding(R.funnel(world, plan=PLAN_A))


@pytest.mark.parametrize(("name", "value"), [("plan", "Plan C"), ("service", "Sobering Centers"), ("month", "July")])
def test_funnel_refuses_unknown_filters(world, name, value):
    with pytest.raises(CourseInputError, match=f"{name.capitalize()}: got {value!r}; expected one of All"):
        R.funnel(world, **{name: value})


def test_funnel_chart_data_matches_the_funnels(world):
    data = R.funnel_chart_data(R.FunnelCube(world))
    assert set(data["plan"]) == {"All plans", PLAN_A, PLAN_B}
    row = data[(data["plan"] == PLAN_A) & (data["status"] == "Referral Loop Closed")].iloc[0]
    assert row["suppressed"] and pd.isna(row["referrals"])
    shown = data[~data["suppressed"]]
    assert (shown["referrals"].isna() | (shown["referrals"] == 0) | (shown["referrals"] > SMALL_CELL_MAX)).all()


def test_month_label():
    assert R.month_label("2026-07") == "July 2026"
    assert R.month_label(R.ALL) == R.ALL


@pytest.mark.parametrize(("text", "days"), [("45", 45), (" 0 ", 0), ("1,000", 1000), (7, 7), ("3650", 3650)])
def test_parse_threshold(text, days):
    assert R.parse_threshold(text) == days


@pytest.mark.parametrize("bad", ["-1", "4.5", "forty", "", None, True, "3651", -3, "1e3", "²", "４５"])
def test_parse_threshold_refuses_bad_values(bad):
    with pytest.raises(CourseInputError, match="Days open: .*whole number of days from 0 to 3650"):
        R.parse_threshold(bad)


def _as_prepared(rows):
    frame = pd.DataFrame(rows)
    for column in R.STATUS_DATE_COLUMNS.values():
        frame[column] = frame[column].astype("datetime64[us]")
    return R.prepare_referrals(frame, ORGS)


@pytest.fixture(scope="module")
def bigger_world():
    """The hand world plus 12 more declined housing referrals (17 declined in all)."""
    extra = _as_prepared(_rows(12, "SYN-ORG-002", "housing_navigation",
                               {"referral_date": "2026-07-02", "declined_date": "2026-07-09",
                                "loop_closed_date": "2026-07-12"}, "member_declined"))
    return pd.concat([hand_world(), extra], ignore_index=True)


def test_days_open_counts_to_closure_or_to_the_data_date(bigger_world):
    data = R.days_open(bigger_world, dt.date(2026, 8, 5))
    assert sorted(data.groupby("outcome")["days_open"].unique().map(list).items()) == [
        ("Closed: Member declined services", [10]),
        ("Closed: Services Received", [29]),
        ("Still open", [4, 0]),
    ]


def test_aging_splits_referrals_at_the_threshold(bigger_world):
    result = R.aging(bigger_world, "3")
    assert result.as_of == dt.date(2026, 8, 5)
    assert result.open_past == 12
    assert result.total_past == 44  # 12 still open + 15 Services Received + 17 declined
    table = result.table
    assert list(table.index) == ["Still open", "Closed: Services Received", "Closed: another reason", "Total"]
    assert table.loc["Still open", "Open 3 days or fewer"] == "14"
    assert table.loc["Closed: Services Received", "Open more than 3 days"] == "15"
    assert table.loc["Closed: another reason", "Open more than 3 days"] == "17"
    assert table.loc["Total", "Total"] == "58"
    assert R.aging_finding(result) == (
        "On August 5, 2026, 44 referrals had a loop open more than 3 days "
        "(to its closure, or to that date if still open); 12 of them were still open."
    )


def test_aging_other_thresholds(bigger_world):
    result = R.aging(bigger_world, 4)  # the oldest open referral is 4 days old
    assert result.open_past == 0
    assert result.table.loc["Still open", "Open 4 days or fewer"] == "26"
    result = R.aging(bigger_world, "10")  # declined loops closed after exactly 10 days
    assert result.table.loc["Closed: another reason", "Open 10 days or fewer"] == "17"
    assert result.total_past == 15
    result = R.aging(bigger_world, "29")
    assert result.total_past == 0
    assert "0 referrals had a loop open more than 29 days" in R.aging_finding(result)


def test_aging_hides_small_counts(bigger_world):
    small = bigger_world
    pending_b = small.index[(small["plan"] == PLAN_B) & small["declined_date"].isna() & small["loop_closed_date"].isna()]
    small = small.drop(pending_b[3:])  # 3 referrals still pending
    result = R.aging(small, "2")
    assert result.table.loc["Still open", "Open 2 days or fewer"] == SUPPRESSED_LABEL
    # 3 within and 12 past the threshold: showing 12 and the row total (15) would give
    # away the 3, so the 12 is hidden too (complementary suppression).
    # The 3 are alone in their column, so the column total is hidden, and then the 12 and
    # the total past the threshold as well.
    assert result.open_past is pd.NA
    assert result.total_past is pd.NA
    assert "is hidden, so that small counts cannot be worked out" in R.aging_finding(result)
    assert "2 cells with counts from 1 to 10 are hidden" in result.note()


def test_aging_finding_when_only_the_still_open_part_is_hidden(bigger_world):
    # Keep the closed loops (15 Services Received after 29 days, 17 declined after 10
    # days); still open: 5 referred on Aug 5 (0 days) and 17 on July 20 (16 days).
    closed = bigger_world[bigger_world["loop_closed_date"].notna()]
    new = _as_prepared(_rows(5, "SYN-ORG-002", None, {"referral_date": "2026-08-05"})
                       + _rows(17, "SYN-ORG-001", None, {"referral_date": "2026-07-20",
                                                         "outreach_initiated_date": "2026-07-22"}))
    result = R.aging(pd.concat([closed, new], ignore_index=True), "10")
    assert result.table.loc["Still open", "Open 10 days or fewer"] == SUPPRESSED_LABEL
    assert result.open_past is pd.NA  # 17, hidden so the 5 cannot be worked out
    assert result.total_past == 32  # 17 still open + 15 Services Received
    assert R.aging_finding(result) == (
        "On August 5, 2026, 32 referrals had a loop open more than 10 days (to its closure, "
        "or to that date if still open); how many of them were still open is hidden."
    )


def test_aging_refuses_a_bad_threshold(world):
    with pytest.raises(CourseInputError, match="Days open"):
        R.aging(world, "-5")


def test_reference_tables_for_reading():
    scope = R.scope_table()
    assert scope.set_index("Community Support").loc["Sobering Centers", "Covered by Closed Loop Referrals"] == "No"
    assert (scope["Covered by Closed Loop Referrals"] == "Yes").sum() == len(scope) - 1
    assert R.statuses_table()["Referral Status"].tolist() == STATUSES
    assert "VERIFIED" in R.closure_reasons_table()["Confidence"].tolist()


# ------------------------------------------------------------------ widgets

from calaim_course.widgets import referrals as W  # noqa: E402


def _message(box) -> str:
    return box.message.value


def test_simulator_starts_with_outreach_under_way():
    box = W.status_simulator()
    assert "Current status:</strong> Outreach Initiated" in box.result.value
    assert "Accepted, Declined, Referral Loop Closed" in box.result.value
    assert "Illustrative model" in box.result.value
    assert _message(box) == ""


def test_simulator_walks_to_a_closed_loop():
    box = W.status_simulator()
    c = box.controls
    c["apply"].click()  # default: Accepted on 07/15/2026
    assert "Current status:</strong> Accepted" in box.result.value
    c["next_status"].value = "Referral Loop Closed"
    c["reason"].value = "Services Received"
    c["date"].value = "07/22/2026"
    c["apply"].click()
    assert "Current status:</strong> Referral Loop Closed" in box.result.value
    assert "<td>Services Received</td>" in box.result.value
    assert "07/22/2026" in box.result.value
    assert "none: the loop is closed" in box.result.value
    assert _message(box) == ""


def test_simulator_refuses_a_move_and_keeps_the_history():
    box = W.status_simulator()
    before = box.result.value
    box.controls["next_status"].value = "Pending"
    box.controls["apply"].click()
    assert "Next status: got &#x27;Pending&#x27;" in _message(box)
    assert "Accepted, Declined, Referral Loop Closed" in _message(box)
    assert box.result.value == before


def test_simulator_refuses_services_received_without_acceptance():
    box = W.status_simulator()
    box.controls["next_status"].value = "Referral Loop Closed"
    box.controls["reason"].value = "Services Received"
    box.controls["apply"].click()
    assert "never &#x27;Accepted&#x27;" in _message(box)
    assert "Current status:</strong> Outreach Initiated" in box.result.value


@pytest.mark.parametrize("bad", ["2026-07-15", "07/01/2026", "soon"])
def test_simulator_refuses_bad_dates(bad):
    box = W.status_simulator()
    box.controls["date"].value = bad
    box.controls["apply"].click()
    assert "Date of status update" in _message(box)
    assert "Current status:</strong> Outreach Initiated" in box.result.value


def test_simulator_start_over_and_message_clears():
    box = W.status_simulator()
    box.controls["next_status"].value = "Pending"
    box.controls["apply"].click()
    assert _message(box)
    box.controls["reset"].click()
    assert _message(box) == ""
    assert "Current status:</strong> Outreach Initiated" in box.result.value


def test_funnel_explorer_filters_and_hides(world):
    box = W.funnel_explorer(R.FunnelCube(world))
    assert "Of 46 referrals in this view, 20 (43%)" in box.result.value
    assert "<caption>Referrals that reached each status. Service: All; plan: All; month referred: All" in box.result.value
    box.controls["plan"].value = PLAN_A
    assert f"plan: {PLAN_A}" in box.result.value
    assert SUPPRESSED_LABEL in box.result.value
    assert "small and hidden" in box.result.value
    box.controls["plan"].value = R.ALL
    box.controls["month"].value = "2026-08"
    assert "month referred: August 2026" in box.result.value
    assert "Of 26 referrals in this view, 0 (0%)" in box.result.value
    assert _message(box) == ""


def test_aging_explorer_default_and_bad_input(bigger_world):
    box = W.aging_explorer(bigger_world)
    assert box.controls["threshold"].value == "45"
    assert "Open more than 45 days" in box.result.value
    assert "no day count for closing a loop" in box.result.value
    box.controls["threshold"].value = "3"
    assert "44 referrals had a loop open more than 3 days" in box.result.value
    assert "12 of them were still open" in box.result.value
    good = box.result.value
    for bad in ["-5", "forty", "2.5", ""]:
        box.controls["threshold"].value = bad
        assert "Days open: got" in _message(box)
        assert box.result.value == good
    box.controls["threshold"].value = "4"
    assert _message(box) == ""
    assert "0 of them were still open" in box.result.value


def test_reference_table_helper_has_a_caption():
    out = W.table(R.scope_table(), "Scope")
    assert "<caption>Scope</caption>" in out.data


# ------------------------------------------------------------------ charts and text


def test_charts_are_titled_and_drop_hidden_bars(world):
    cube = R.FunnelCube(world)
    spec = R.funnel_chart(cube, R.reference_date(world)).to_dict()
    assert "Closed Loop Referral" in spec["title"]["text"]
    assert any(p.get("bind", {}).get("input") == "select" for p in spec["params"])
    layers = spec["layer"]
    assert layers[0]["encoding"]["x"]["title"] and layers[0]["encoding"]["y"]["title"]
    bands = R.days_open_bands(world)
    spec2 = R.days_open_chart(bands, R.reference_date(world)).to_dict()
    assert spec2["layer"][0]["encoding"]["y"]["title"] == "Referrals"
    assert "August 5, 2026" in " ".join(spec2["title"]["subtitle"])


def test_days_open_bands(world, bigger_world):
    result = R.days_open_bands(bigger_world)
    shown = result.shown
    # Services Received loops: July 1 to July 30 = 29 days -> "More than 2 weeks".
    assert shown.loc["More than 2 weeks", R.SERVICES_RECEIVED_GROUP] == 15
    # Still open on Aug 5 (0 and 4 days): 26; declined loops closed after 10 days: 17.
    assert shown.loc["1 week or less", R.OTHER_GROUP] == 26
    assert shown.loc["1 to 2 weeks", R.OTHER_GROUP] == 17
    assert result.n_suppressed == 0
    assert R.bands_finding(result) == (
        "The largest group of loops closed as Services Received had been open more than 2 weeks."
    )
    # In the hand world only 5 loops were declined: that count is hidden.
    small = R.days_open_bands(world)
    assert small.shown.loc["1 to 2 weeks", R.OTHER_GROUP] is pd.NA
    assert "suppressed" in R.bands_description(small)


def test_bands_finding_names_the_empty_long_end():
    table = pd.DataFrame({R.SERVICES_RECEIVED_GROUP: [81, 142, 0], R.OTHER_GROUP: [29, 15, 33]},
                         index=[label for _, _, label in R.DAY_BANDS])
    result = suppress_counts(table)
    assert R.bands_finding(result) == (
        "The largest group of loops closed as Services Received had been open 1 to 2 weeks. "
        "None of them had been open more than 14 days."
    )


def test_funnel_description_lists_each_status(world):
    text = R.funnel_description(R.FunnelCube(world))
    assert text.startswith("Text description:")
    for status in STATUSES:
        assert status in text
    assert "Declined: suppressed" in text


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=8), st.integers(-10**6, 10**6), st.none(), st.booleans()))
def test_any_threshold_gives_days_or_a_course_error(value):
    try:
        days = R.parse_threshold(value)
    except CourseInputError:
        return
    assert 0 <= days <= R.MAX_THRESHOLD_DAYS


# ------------------------------------------------------------------ the committed synthetic data


@pytest.fixture(scope="module")
def course():
    return R.load_course_data()


def test_every_synthetic_referral_follows_the_illustrative_model(course):
    for _, row in course.frame.iterrows():
        path = R.status_path(row)
        R.check_path(path)
        assert path[-1] == row["current_status"], row["referral_id"]
        if row["closure_reason"] == "Services Received":
            assert "Accepted" in path, row["referral_id"]


def test_synthetic_reference_date_is_in_the_data_not_today(course):
    assert course.as_of == R.reference_date(course.frame)
    assert course.as_of < dt.date(2026, 12, 3)


def test_synthetic_funnel_shows_no_small_count(course):
    for service in course.cube.options["service"]:
        shown = course.cube.view(service=service).counts.dropna()
        assert ((shown == 0) | (shown > SMALL_CELL_MAX)).all()
    assert (course.cube.counts[course.cube.hidden] >= 1).all()  # zeros are never hidden


def test_release_check_on_synthetic_data(course):
    text = R.release_check(course)
    assert text.startswith("In the synthetic agency's data,")
    assert "0 inbound and 0 outbound referrals were not" in text
