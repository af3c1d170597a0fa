"""Consent tracker: statuses on a date, suppressed counts by recipient, the widget."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import consents as tracker
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SUPPRESSED_LABEL
from calaim_course.widgets.consents import consent_tracker

ORGS = pd.DataFrame({
    "org_id": ["SYN-ORG-002", "SYN-ORG-007"],
    "name": ["Redwood Health Plan (fictional)", "Manzanita Meals Collective (fictional)"],
    "org_type": ["managed_care_plan", "community_provider"],
})
D = pd.Timestamp


def _small() -> pd.DataFrame:
    """Six hand-made releases, with the status each has on 2026-03-01 (window 30 days)."""
    rows = [
        # signed, expires, revoked, status on 2026-03-01
        ("2025-09-01", "2026-03-01", None, "Expired"),         # ends on the day: no longer in force
        ("2025-09-01", "2026-03-31", None, "Expiring soon"),   # 30 days left: inside the window
        ("2025-09-01", "2026-04-01", None, "Active"),          # 31 days left
        ("2025-09-01", "2026-09-01", "2026-03-01", "Revoked"),  # withdrawn that day
        ("2025-09-01", "2026-09-01", "2026-05-01", "Active"),  # withdrawn later: not known yet
        ("2026-03-02", "2026-09-01", None, None),               # signed later: not counted
    ]
    return pd.DataFrame({
        "consent_id": [f"SYN-CON-{i:08d}" for i in range(1, 7)],
        "recipient_org_id": ["SYN-ORG-002"] * 6,
        "signed_date": pd.to_datetime([r[0] for r in rows]),
        "expires_date": pd.to_datetime([r[1] for r in rows]),
        "revoked_date": pd.to_datetime([r[2] for r in rows]),
        "expected": [r[3] for r in rows],
    })


def test_statuses_by_hand():
    small = _small()
    got = tracker.release_statuses(small, D("2026-03-01"), 30)
    assert got.tolist()[:5] == small["expected"].tolist()[:5]
    assert pd.isna(got.iloc[5])


def test_a_window_of_one_day_moves_the_release_back_to_active():
    got = tracker.release_statuses(_small(), D("2026-03-01"), 1)
    assert got.iloc[1] == "Active"


def test_counts_table_has_totals_and_every_recipient():
    counts = tracker.status_counts(_small(), ORGS, D("2026-03-01"), 30)
    assert list(counts.columns) == [*tracker.STATUSES, "Total"]
    assert counts.loc["Redwood Health Plan (fictional)"].tolist() == [2, 1, 1, 1, 5]
    assert counts.loc["Total", "Total"] == 5


@pytest.fixture(scope="module")
def world():
    from calaim_course.synthetic import load_world

    return load_world()


def test_reference_date_comes_from_the_data(world):
    assert tracker.reference_date(world.consents) == world.consents["signed_date"].max()
    view = tracker.track(world.consents, world.organizations)
    assert view.as_of == world.consents["signed_date"].max()
    again = tracker.track(world.consents, world.organizations)
    assert view.display.equals(again.display) and view.finding == again.finding


def test_every_shown_count_is_zero_or_eleven_and_more(world):
    view = tracker.track(world.consents, world.organizations, days=60)
    for value in view.display.to_numpy().ravel():
        if value == SUPPRESSED_LABEL:
            continue
        number = int(str(value).replace(",", ""))
        assert number == 0 or number > 10


def test_counts_add_up_to_the_releases_signed_so_far(world):
    view = tracker.track(world.consents, world.organizations)
    counts = tracker.status_counts(world.consents, world.organizations, view.as_of, view.days)
    assert counts.loc["Total", "Total"] == int((world.consents["signed_date"] <= view.as_of).sum())
    plans = set(world.organizations.loc[world.organizations["org_type"] == "managed_care_plan", "name"])
    assert set(counts.index[: len(plans)]) == plans  # plans first


def test_finding_uses_only_shown_numbers(world):
    view = tracker.track(world.consents, world.organizations)
    total = view.suppressed.shown.loc["Total"]
    if not pd.isna(total["Expired"]):
        assert f"{int(total['Expired']):,} have expired" in view.finding
    small = tracker.track(_small(), ORGS, as_of="2026-03-01")
    assert "a hidden number of" in small.finding  # 1 to 10 are never written out


def test_chart_leaves_out_hidden_counts_and_names_its_selection(world):
    view = tracker.track(world.consents, world.organizations)
    spec = tracker.tracker_chart(view).to_dict()
    assert spec["params"][0]["name"] == "status_pick"
    values = next(iter(spec["datasets"].values()))
    assert all(row["count"] == 0 or row["count"] > 10 for row in values)
    assert "hidden" in spec["title"]["subtitle"]


@pytest.mark.parametrize("value,days", [("30", 30), (" 7 ", 7), ("+14", 14), (365, 365), (1, 1)])
def test_parse_days_accepts_whole_days(value, days):
    assert tracker.parse_days(value) == days


@pytest.mark.parametrize("value", ["0", "366", "abc", "3.5", "", "-5", True, None, 2.0])
def test_parse_days_rejects_anything_else(value):
    with pytest.raises(CourseInputError, match="Expiring within"):
        tracker.parse_days(value)


@given(st.text(max_size=12))
@settings(max_examples=200)
def test_parse_days_any_text_gives_a_window_or_a_clear_error(text):
    try:
        days = tracker.parse_days(text)
    except CourseInputError as error:
        assert "Expiring within (days)" in str(error)
    else:
        assert 1 <= days <= tracker.MAX_DAYS


@pytest.mark.parametrize("value,hint", [
    ("2026-02-30", "does not exist"), ("06/28/2026", "YYYY-MM-DD"), ("2030-01-01", "Outside"), ("2024-01-01", "Outside"),
])
def test_parse_as_of_rejects_bad_dates(value, hint):
    with pytest.raises(CourseInputError, match=hint):
        tracker.parse_as_of(value, _small())


def test_empty_consents_are_an_error():
    with pytest.raises(CourseInputError, match="at least one release"):
        tracker.reference_date(_small().iloc[0:0])


def test_widget_default_view_and_changes(world):
    box = consent_tracker(world.consents, world.organizations)
    first = box.result.value
    assert "Main finding" in first and "<table" in first and "suppressed" in first
    box.controls["days"].value = "90"
    assert box.result.value != first and "within 90 days" in box.result.value
    box.controls["as_of"].value = "2026-01-15"
    assert "on 2026-01-15" in box.result.value
    assert box.message.value == ""


def test_widget_bad_input_shows_a_message_and_keeps_the_result(world):
    box = consent_tracker(world.consents, world.organizations)
    before = box.result.value
    box.controls["days"].value = "soon"
    assert "Expiring within (days)" in box.message.value
    assert box.result.value == before
    box.controls["days"].value = "30"
    box.controls["as_of"].value = "2026-02-30"
    assert "As of" in box.message.value and box.result.value == before
    box.controls["as_of"].value = "2026-06-28"
    assert box.message.value == ""
