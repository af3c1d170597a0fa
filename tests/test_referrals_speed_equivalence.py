"""The fast Closed Loop Referral paths give exactly what the straightforward code gave.

Each ``reference_*`` function below is the earlier, straightforward version of a function
in ``calaim_course.referrals`` (pandas over every row, ``suppress_counts`` on every line of
the funnel cube). The module now precomputes once and looks up; these tests compare the
two on the course's synthetic world and on small edge cases, value by value and type by
type.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from calaim_course import referrals as R
from calaim_course.reference import load_reference
from calaim_course.suppression import SMALL_CELL_MAX, suppress_counts, suppress_for_display
from calaim_course.widgets import referrals as W
from test_referrals import _rows  # the referral tests' row builder, shared

PLAN_A, PLAN_B = "Fictional Plan A", "Fictional Plan B"
ORGS = pd.DataFrame({"org_id": ["SYN-ORG-001", "SYN-ORG-002"], "name": [PLAN_A, PLAN_B]})


# ------------------------------------------------------------------ the straightforward versions


def reference_prepare(referrals: pd.DataFrame, organizations: pd.DataFrame) -> pd.DataFrame:
    names = dict(zip(organizations["org_id"], organizations["name"]))
    cs_names = dict(zip(*load_reference("community_supports")[["cs_id", "name"]].T.values))
    reasons = dict(zip(*R.closure_reasons()[["reason_id", "reason"]].T.values))
    frame = referrals.copy()
    text = {column: frame[column].astype(object).where(frame[column].notna(), None)
            for column in ("plan_id", "service_kind", "cs_id", "closure_reason_id")}
    frame["service"] = text["cs_id"].map(cs_names).where(text["service_kind"] != "ecm", R.ECM_LABEL)
    frame["plan"] = text["plan_id"].map(names)
    frame["month"] = frame["referral_date"].dt.strftime("%Y-%m")
    frame["closure_reason"] = text["closure_reason_id"].map(reasons)
    return frame


def reference_reference_date(frame: pd.DataFrame) -> dt.date:
    return pd.Timestamp(frame[list(R.STATUS_DATE_COLUMNS.values())].max().max()).date()


def reference_cube(frame: pd.DataFrame) -> tuple[dict, np.ndarray, np.ndarray]:
    """Options, counts and hidden cells of the funnel cube, one ``suppress_counts`` per line."""
    options = R.filter_options(frame)
    statuses = R.referral_statuses()
    axes = [options[name][1:] for name in R.FILTERS]
    sizes = [len(values) for values in axes]
    base = np.zeros((len(statuses), *sizes), dtype=np.int64)
    positions = [frame[name].map({v: i for i, v in enumerate(values)}).to_numpy(dtype=np.int64)
                 for name, values in zip(R.FILTERS, axes)]
    for k, status in enumerate(statuses):
        reached = frame[R.STATUS_DATE_COLUMNS[status]].notna().to_numpy()
        np.add.at(base[k], tuple(p[reached] for p in positions), 1)
    full = np.zeros((len(statuses), *(n + 1 for n in sizes)), dtype=np.int64)
    full[:, : sizes[0], : sizes[1], : sizes[2]] = base
    for axis, n in enumerate(sizes, start=1):
        index = [slice(None)] * 4
        index[axis] = n
        part = [slice(None)] * 4
        part[axis] = slice(0, n)
        full[tuple(index)] = full[tuple(part)].sum(axis=axis)
    mask = (full >= 1) & (full <= SMALL_CELL_MAX)
    changed = True
    while changed:
        changed = False
        for axis in (1, 2, 3):
            others = [a for a in (1, 2, 3) if a != axis]
            for i in range(full.shape[others[0]]):
                for j in range(full.shape[others[1]]):
                    index = [slice(None)] * 4
                    index[others[0]], index[others[1]] = i, j
                    index = tuple(index)
                    before = mask[index]
                    if not before.any():
                        continue
                    table = pd.DataFrame(full[index], index=statuses,
                                         columns=[*(f"v{k}" for k in range(full.shape[axis] - 1)), R.ALL])
                    after = suppress_counts(table, implicit_totals=False, already_suppressed=before.copy()).mask.to_numpy()
                    if (after != before).any():
                        mask[index] = after
                        changed = True
    return options, full, mask


def reference_aging(frame: pd.DataFrame, threshold: object, as_of: dt.date | None = None):
    days = R.parse_threshold(threshold)
    as_of = as_of or R.reference_date(frame)
    data = R.days_open(frame, as_of)
    group = data["outcome"].where(data["outcome"].isin([R.STILL_OPEN, R.SERVICES_RECEIVED_GROUP]), R.OTHER_CLOSURE)
    within, past = f"Open {days} days or fewer", f"Open more than {days} days"
    counts = pd.DataFrame(0, index=pd.Index([*R.AGING_ROWS, "Total"], name=f"On {R.long_date(as_of)}"),
                          columns=[within, past, "Total"], dtype="int64")
    for label in R.AGING_ROWS:
        group_days = data.loc[group == label, "days_open"]
        counts.loc[label, within] = int((group_days <= days).sum())
        counts.loc[label, past] = int((group_days > days).sum())
    counts["Total"] = counts[within] + counts[past]
    counts.loc["Total"] = counts.loc[R.AGING_ROWS].sum()
    result = suppress_counts(counts)
    return R.Aging(days, as_of, suppress_for_display(result), result)


def reference_bands(frame: pd.DataFrame, as_of: dt.date | None = None):
    as_of = as_of or R.reference_date(frame)
    data = R.days_open(frame, as_of)
    group = data["outcome"].where(data["outcome"] == R.SERVICES_RECEIVED_GROUP, R.OTHER_GROUP)
    labels = [label for _, _, label in R.DAY_BANDS]
    band = pd.Series(labels[-1], index=data.index, dtype=object)
    for low, high, label in reversed(R.DAY_BANDS[:-1]):
        band[data["days_open"] <= high] = label
    table = pd.crosstab(band, group).reindex(index=labels, columns=[R.SERVICES_RECEIVED_GROUP, R.OTHER_GROUP],
                                            fill_value=0)
    table.index.name, table.columns.name = "days_open", "outcome"
    return suppress_counts(table.astype("int64"))


def reference_release_table(frame: pd.DataFrame, consents: pd.DataFrame) -> pd.DataFrame:
    """The table ``release_check`` suppresses, by merging the two tables."""
    frame = frame.merge(consents, on="consent_id", how="left", suffixes=("", "_consent"))
    for column in ("direction", "plan_id", "receiving_org_id", "recipient_org_id"):
        frame[column] = frame[column].astype(object)
    in_force = (
        frame["signed_date"].le(frame["referral_date"])
        & frame["expires_date"].ge(frame["referral_date"])
        & (frame["revoked_date"].isna() | frame["revoked_date"].gt(frame["referral_date"]))
    ).fillna(False).astype(bool)
    named = frame["plan_id"].where(frame["direction"] == "inbound", frame["receiving_org_id"])
    ok = in_force & (frame["recipient_org_id"] == named)
    table = pd.crosstab(frame["direction"], ok).reindex(columns=[True, False], fill_value=0)
    table.columns = ["with a release in force", "without"]
    return table.astype("int64")


def release_table(data: R.CourseReferrals, monkeypatch) -> pd.DataFrame:
    """The table the module's ``release_check`` suppresses (everything after it is unchanged)."""
    captured = {}
    original = R.suppress_counts

    def capture(table, **options):
        captured["table"] = table
        return original(table, **options)

    with monkeypatch.context() as patch:
        patch.setattr(R, "suppress_counts", capture)
        R.release_check(data)
    return captured["table"]


# ------------------------------------------------------------------ data


@pytest.fixture(scope="module")
def world():
    from calaim_course.synthetic import load_world

    return load_world()


@pytest.fixture(scope="module")
def course(world):
    return R.load_course_data(world)


def _raw(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in R.STATUS_DATE_COLUMNS.values():
        frame[column] = frame[column].astype("datetime64[us]")
    return frame


CLOSED_JULY = {"referral_date": "2026-07-01", "accepted_date": "2026-07-04", "loop_closed_date": "2026-07-09"}
DECLINED_JULY = {"referral_date": "2026-07-02", "declined_date": "2026-07-20", "loop_closed_date": "2026-07-25"}
OPEN_AUGUST = {"referral_date": "2026-08-03", "outreach_initiated_date": "2026-08-04"}

SMALL_WORLDS = {
    # Every count is 1 to 10: everything hidden.
    "all small": _raw(_rows(3, "SYN-ORG-001", None, CLOSED_JULY, "services_received")
                      + _rows(2, "SYN-ORG-002", "housing_navigation", DECLINED_JULY, "member_declined")
                      + _rows(4, "SYN-ORG-001", None, OPEN_AUGUST)),
    # One plan, one service, one month.
    "one of each": _raw(_rows(30, "SYN-ORG-001", None, CLOSED_JULY, "services_received")
                        + _rows(12, "SYN-ORG-001", None, {"referral_date": "2026-07-15"})),
    # Large and small counts mixed across two plans and two months, categorical ids.
    "mixed": _raw(_rows(25, "SYN-ORG-001", None, CLOSED_JULY, "services_received")
                  + _rows(7, "SYN-ORG-002", None, CLOSED_JULY, "services_received")
                  + _rows(40, "SYN-ORG-002", "housing_navigation", DECLINED_JULY, "member_declined")
                  + _rows(3, "SYN-ORG-001", "housing_navigation", DECLINED_JULY)
                  + _rows(18, "SYN-ORG-001", None, OPEN_AUGUST)).astype(
                      {"plan_id": "category", "service_kind": "category", "cs_id": "category",
                       "closure_reason_id": "category"}),
}


# ------------------------------------------------------------------ tests


def test_prepare_matches_the_straightforward_version_on_the_course_world(world, course):
    expected = reference_prepare(world.referrals, world.organizations)
    pd.testing.assert_frame_equal(course.frame, expected)
    assert course.as_of == reference_reference_date(expected)


@pytest.mark.parametrize("name", SMALL_WORLDS)
def test_prepare_matches_on_small_worlds(name):
    raw = SMALL_WORLDS[name]
    pd.testing.assert_frame_equal(R.prepare_referrals(raw, ORGS), reference_prepare(raw, ORGS))


def test_prepare_does_not_change_its_input():
    raw = SMALL_WORLDS["mixed"]
    before = raw.copy()
    R.prepare_referrals(raw, ORGS)
    pd.testing.assert_frame_equal(raw, before)


def test_month_text_keeps_missing_dates_missing():
    dates = pd.Series(pd.to_datetime(["2026-07-03", None, "2026-08-01", "2026-07-31"])).astype("datetime64[us]")
    pd.testing.assert_series_equal(R._month_text(dates), dates.dt.strftime("%Y-%m"))
    missing = pd.Series(pd.to_datetime([None, None])).astype("datetime64[us]")
    pd.testing.assert_series_equal(R._month_text(missing), missing.dt.strftime("%Y-%m"))
    empty = missing.iloc[:0]
    pd.testing.assert_series_equal(R._month_text(empty), empty.dt.strftime("%Y-%m"))


def _check_cube(frame: pd.DataFrame) -> None:
    options, counts, hidden = reference_cube(frame)
    cube = R.FunnelCube(frame)
    assert cube.options == options == R.filter_options(frame)
    np.testing.assert_array_equal(cube.counts, counts)
    np.testing.assert_array_equal(cube.hidden, hidden)


def test_funnel_cube_matches_on_the_course_world(course):
    _check_cube(course.frame)


@pytest.mark.parametrize("name", SMALL_WORLDS)
def test_funnel_cube_matches_on_small_worlds(name):
    frame = R.prepare_referrals(SMALL_WORLDS[name], ORGS)
    _check_cube(frame)
    if name == "all small":
        assert R.FunnelCube(frame).hidden[:, -1, -1, -1].all()  # the edge case really hides everything


def test_suppress_line_is_suppress_counts_on_every_line(course):
    """The bare-array call gives what ``suppress_counts`` gives, line by line."""
    cube = course.cube
    statuses = cube.statuses
    checked = 0
    for axis in (1, 2, 3):
        lines = np.moveaxis(cube.counts, axis, -1).reshape(len(statuses), -1, cube.counts.shape[axis])
        masks = np.moveaxis(cube.hidden, axis, -1).reshape(len(statuses), -1, cube.counts.shape[axis])
        for k in range(lines.shape[1]):
            values = lines[:, k, :]
            table = pd.DataFrame(values, index=statuses, columns=[*(f"v{i}" for i in range(values.shape[1] - 1)), R.ALL])
            for start in ((values >= 1) & (values <= SMALL_CELL_MAX), masks[:, k, :]):
                if not start.any():
                    continue
                expected = suppress_counts(table, implicit_totals=False, already_suppressed=start.copy()).mask.to_numpy()
                np.testing.assert_array_equal(R.suppress_line(values, start), expected)
                checked += 1
    assert checked > 0


def test_suppress_line_on_random_lines():
    rng = np.random.default_rng(11)
    for _ in range(300):
        width = int(rng.integers(1, 5))
        parts = rng.choice([0, 0, 1, 4, 9, 12, 30, 200], size=(5, width))
        values = np.column_stack([parts, parts.sum(axis=1)]) if width > 1 else parts
        start = (values >= 1) & (values <= SMALL_CELL_MAX)
        if not start.any():
            continue
        columns = [*(f"v{i}" for i in range(values.shape[1] - 1)), R.ALL]
        table = pd.DataFrame(values, index=list("abcde"), columns=columns)
        expected = suppress_counts(table, implicit_totals=False, already_suppressed=start.copy()).mask.to_numpy()
        np.testing.assert_array_equal(R.suppress_line(values, start), expected)


def _same_aging(got: R.Aging, expected: R.Aging) -> None:
    assert (got.threshold, got.as_of) == (expected.threshold, expected.as_of)
    pd.testing.assert_frame_equal(got.table, expected.table)
    pd.testing.assert_frame_equal(got.result.shown, expected.result.shown)
    pd.testing.assert_frame_equal(got.result.mask, expected.result.mask)
    assert R.aging_finding(got) == R.aging_finding(expected)
    assert got.note() == expected.note()
    assert W.aging_html(got) == W.aging_html(expected)


THRESHOLDS = ["0", "1", "6", "7", "8", "14", "15", "30", "45", "90", "365", "3650"]


def test_aging_matches_on_the_course_world(course):
    loops = R.loop_days(course.frame, course.as_of)
    for threshold in THRESHOLDS:
        expected = reference_aging(course.frame, threshold, course.as_of)
        _same_aging(R.aging(course.frame, threshold, course.as_of), expected)
        _same_aging(R.aging(course.frame, threshold, loops=loops), expected)
    earlier = course.as_of - dt.timedelta(days=40)
    _same_aging(R.aging(course.frame, "20", earlier), reference_aging(course.frame, "20", earlier))
    _same_aging(R.aging(course.frame, "45"), reference_aging(course.frame, "45"))


@pytest.mark.parametrize("name", SMALL_WORLDS)
def test_aging_and_bands_match_on_small_worlds(name):
    frame = R.prepare_referrals(SMALL_WORLDS[name], ORGS)
    as_of = R.reference_date(frame)
    for when in (as_of, dt.date(2026, 7, 10), dt.date(2026, 7, 1)):
        for threshold in ("0", "3", "8", "30"):
            _same_aging(R.aging(frame, threshold, when), reference_aging(frame, threshold, when))
        got, expected = R.days_open_bands(frame, when), reference_bands(frame, when)
        pd.testing.assert_frame_equal(got.shown, expected.shown)
        pd.testing.assert_frame_equal(got.mask, expected.mask)


def test_aging_and_bands_before_any_referral_count_nothing():
    frame = R.prepare_referrals(SMALL_WORLDS["mixed"], ORGS)
    before = dt.date(2026, 6, 1)
    _same_aging(R.aging(frame, "10", before), reference_aging(frame, "10", before))
    got, expected = R.days_open_bands(frame, before), reference_bands(frame, before)
    pd.testing.assert_frame_equal(got.shown, expected.shown)
    assert int(got.shown.sum().sum()) == 0


def test_bands_match_on_the_course_world(course):
    for when in (course.as_of, course.as_of - dt.timedelta(days=30)):
        got, expected = R.days_open_bands(course.frame, when), reference_bands(course.frame, when)
        pd.testing.assert_frame_equal(got.shown, expected.shown)
        pd.testing.assert_frame_equal(got.mask, expected.mask)
        assert R.bands_finding(got) == R.bands_finding(expected)
        assert R.bands_description(got) == R.bands_description(expected)


def test_release_check_matches_the_merge(course, monkeypatch):
    pd.testing.assert_frame_equal(release_table(course, monkeypatch), reference_release_table(course.frame, course.consents))


def test_release_check_with_missing_and_repeated_release_ids(course, monkeypatch):
    frame = course.frame.copy()
    frame["consent_id"] = frame["consent_id"].astype(object)
    frame.loc[frame.index[::7], "consent_id"] = "SYN-CON-NOT-THERE"  # no such release
    frame.loc[frame.index[::11], "consent_id"] = None
    missing = R.CourseReferrals(frame, course.as_of, course.cube, course.consents)
    pd.testing.assert_frame_equal(release_table(missing, monkeypatch), reference_release_table(frame, course.consents))
    repeated = pd.concat([course.consents, course.consents.iloc[:50]], ignore_index=True)
    twice = R.CourseReferrals(course.frame, course.as_of, course.cube, repeated)
    pd.testing.assert_frame_equal(release_table(twice, monkeypatch), reference_release_table(course.frame, repeated))


def test_aging_widget_shows_the_straightforward_result(course):
    box = W.aging_explorer(course.frame)
    for threshold in ("30", "0", "3650", "45"):
        box.controls["threshold"].value = threshold
        assert box.result.value == W.aging_html(reference_aging(course.frame, threshold, course.as_of))
    box.controls["threshold"].value = "-3"
    assert "Days open" in box.message.value
