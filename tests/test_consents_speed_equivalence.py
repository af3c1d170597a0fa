"""The consent tracker's fast counting gives exactly what the straightforward code gave.

``reference_status_counts`` is the earlier version of ``consents.status_counts``: each
release's status from ``release_statuses`` (pandas over every release), then a crosstab.
The module now counts with ``ReleaseCounter`` (arrays prepared once, one vectorised pass
per date and window); these tests compare the two on the course's synthetic world and on
hand-made edge cases.
"""

from __future__ import annotations

import pandas as pd
import pytest

from calaim_course import consents as tracker
from calaim_course.suppression import suppress_counts
from calaim_course.widgets.consents import consent_tracker, tracker_html

ORGS = pd.DataFrame({
    "org_id": ["SYN-ORG-002", "SYN-ORG-007", "SYN-ORG-009"],
    "name": ["Redwood Health Plan (fictional)", "Manzanita Meals Collective (fictional)", "Harbor Health (fictional)"],
    "org_type": ["managed_care_plan", "community_provider", "managed_care_plan"],
})


def reference_status_counts(consents, organizations, as_of, days) -> pd.DataFrame:
    names = organizations.set_index("org_id")["name"].astype(str)
    status = tracker.release_statuses(consents, as_of, days)
    counted = consents.loc[status.notna()]
    plans = set(organizations.loc[organizations["org_type"] == "managed_care_plan", "org_id"])
    recipients = sorted(consents["recipient_org_id"].astype(str).unique(), key=lambda org: (org not in plans, org))
    table = pd.crosstab(
        pd.Categorical(counted["recipient_org_id"].astype(str), categories=recipients),
        pd.Categorical(status[status.notna()], categories=tracker.STATUSES),
        dropna=False,
    )
    table.index = [names.get(org, org) for org in recipients]
    table.index.name = "Recipient"
    table.columns = list(tracker.STATUSES)
    table.columns.name = "Status"
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    return table.astype("int64")


def edge_releases() -> pd.DataFrame:
    """Releases at every boundary: end dates with a time of day, withdrawals after the end
    date or before signing, missing dates, and a recipient that is not in the organizations."""
    rows = [
        # recipient, signed, expires, revoked
        ("SYN-ORG-002", "2025-09-01", "2026-03-01", None),
        ("SYN-ORG-002", "2025-09-01", "2026-03-31", None),
        ("SYN-ORG-002", "2025-09-01", "2026-03-31 12:00", None),  # 30.5 days left: 30 whole days
        ("SYN-ORG-002", "2025-09-01", "2026-04-01", None),
        ("SYN-ORG-002", "2025-09-01", "2026-03-02 06:00", None),
        ("SYN-ORG-002", "2025-09-01", "2026-09-01", "2026-03-01"),
        ("SYN-ORG-002", "2025-09-01", "2026-09-01", "2026-05-01"),
        ("SYN-ORG-007", "2025-09-01", "2026-02-01", "2026-02-15"),  # withdrawn after it ended
        ("SYN-ORG-007", "2025-09-01", "2026-02-01", "2026-02-01"),  # withdrawn on the end date
        ("SYN-ORG-007", "2025-10-01", "2026-09-01", "2025-09-15"),  # withdrawn before it was signed
        ("SYN-ORG-007", None, "2026-09-01", None),                 # no signing date
        ("SYN-ORG-009", "2025-09-01", None, None),                 # no end date
        ("SYN-ORG-404", "2025-11-01", "2026-03-15", None),         # not in the organizations table
        ("SYN-ORG-002", "2026-03-02", "2026-09-01", None),         # signed later
    ]
    return pd.DataFrame({
        "consent_id": [f"SYN-CON-{i:08d}" for i in range(1, len(rows) + 1)],
        "recipient_org_id": pd.Categorical([r[0] for r in rows]),
        "signed_date": pd.to_datetime([r[1] for r in rows], format="ISO8601"),
        "expires_date": pd.to_datetime([r[2] for r in rows], format="ISO8601"),
        "revoked_date": pd.to_datetime([r[3] for r in rows], format="ISO8601"),
    })


@pytest.fixture(scope="module")
def world():
    from calaim_course.synthetic import load_world

    return load_world()


def _dates(consents):
    first, last = tracker.date_range(consents)
    reference = tracker.reference_date(consents)
    return [first, reference - pd.Timedelta(days=45), reference, first + (last - first) / 2, last]


def test_counts_match_on_the_course_world(world):
    counter = tracker.ReleaseCounter(world.consents, world.organizations)
    for as_of in _dates(world.consents):
        as_of = pd.Timestamp(as_of).normalize()
        for days in (1, 30, 60, 200, tracker.MAX_DAYS):
            expected = reference_status_counts(world.consents, world.organizations, as_of, days)
            pd.testing.assert_frame_equal(counter.counts(as_of, days), expected)
            pd.testing.assert_frame_equal(tracker.status_counts(world.consents, world.organizations, as_of, days), expected)


@pytest.mark.parametrize("as_of", ["2025-09-01", "2026-02-01", "2026-02-15", "2026-03-01", "2026-03-02", "2026-04-30"])
@pytest.mark.parametrize("days", [1, 29, 30, 31, 365])
def test_counts_match_on_edge_releases(as_of, days):
    releases = edge_releases()
    expected = reference_status_counts(releases, ORGS, pd.Timestamp(as_of), days)
    got = tracker.ReleaseCounter(releases, ORGS).counts(pd.Timestamp(as_of), days)
    pd.testing.assert_frame_equal(got, expected)


def test_edge_releases_cover_every_status():
    got = tracker.ReleaseCounter(edge_releases(), ORGS).counts(pd.Timestamp("2026-03-01"), 30)
    assert (got.loc["Total", tracker.STATUSES] > 0).all()


def test_counts_when_nothing_is_signed_yet():
    releases = edge_releases()
    as_of = pd.Timestamp("2025-01-01")
    pd.testing.assert_frame_equal(tracker.ReleaseCounter(releases, ORGS).counts(as_of, 30),
                                  reference_status_counts(releases, ORGS, as_of, 30))


def test_track_with_a_counter_is_track_without(world):
    counter = tracker.ReleaseCounter(world.consents, world.organizations)
    for as_of in (None, "", "2026-03-01", f"{tracker.reference_date(world.consents):%Y-%m-%d}"):
        for days in ("30", 7, "365"):
            fast = tracker.track(world.consents, world.organizations, as_of=as_of, days=days, counter=counter)
            slow = tracker.track(world.consents, world.organizations, as_of=as_of, days=days)
            pd.testing.assert_frame_equal(fast.display, slow.display)
            assert (fast.as_of, fast.days, fast.note, fast.finding) == (slow.as_of, slow.days, slow.note, slow.finding)
            expected = suppress_counts(
                reference_status_counts(world.consents, world.organizations, fast.as_of, fast.days), margins=True)
            pd.testing.assert_frame_equal(fast.suppressed.shown, expected.shown)
            pd.testing.assert_frame_equal(fast.suppressed.mask, expected.mask)


def test_widget_shows_what_track_gives(world):
    box = consent_tracker(world.consents, world.organizations)
    steps = [("days", "60"), ("as_of", "2026-02-01"), ("days", "1"), ("as_of", "")]
    for name, value in steps:
        box.controls[name].value = value
        view = tracker.track(world.consents, world.organizations, as_of=box.controls["as_of"].value,
                             days=box.controls["days"].value)
        assert box.result.value == tracker_html(view)
    box.controls["days"].value = "0"
    assert "Expiring within" in box.message.value
