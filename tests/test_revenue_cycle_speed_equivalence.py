"""The fast revenue-cycle paths give exactly what the straightforward computation gives.

- ``prepare`` matches ids through checked hashes instead of merges: it is compared with
  the merge-based version it replaced (kept below as the reference) on the course's world
  and on a world with awkward rows.
- The dashboard answers from a cube (``RevenueCube``) counted once: every filter choice,
  view and aging date is compared with ``view(filter_data(...))`` on the frames, tables,
  notes, findings, suppression and error messages alike.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import re

import numpy as np
import pandas as pd
import pytest

from calaim_course import revenue_cycle as rc
from calaim_course.errors import CourseInputError
from calaim_course.reference import load_reference
from calaim_course.synthetic import load_world
from calaim_course.widgets.revenue_cycle import dashboard, view_html


# ----------------------------------------------------------------------- the reference prepare
def reference_prepare(world, as_of=None) -> rc.RevenueData:
    """``prepare`` as it was before the speed-up: merges, sort and groupby."""
    from calaim_course import synthetic

    as_of = pd.Timestamp(synthetic.CLAIMS_AS_OF if as_of is None else as_of)
    plans = world.organizations.set_index("org_id")["name"].astype(str)
    reasons = load_reference("denial_reasons").set_index("denial_reason_id")["reason"]
    program = (world.claim_lines[["claim_id", "line_number", "service_id"]]
               .merge(world.services[["service_id", "program"]], on="service_id")
               .sort_values(["claim_id", "line_number"]))
    program["program"] = program["program"].astype(str).map(rc.PROGRAM_LABELS)
    claim_program = program.groupby("claim_id")["program"].first()
    c = world.claims
    claims = pd.DataFrame({
        "claim_id": c["claim_id"].astype(str),
        "member_id": c["member_id"].astype(str),
        "plan": c["plan_id"].astype(str).map(plans),
        "program": c["claim_id"].astype(str).map(claim_program),
        "submission": c["submission_type"].astype(str).map(rc.SUBMISSION_LABELS),
        "status": c["status"].astype(str).map(rc.status_label),
        "denial_reason": c["denial_reason_id"].astype(object).map(reasons),
        "submitted_date": c["submitted_date"],
        "paid_date": c["paid_date"],
        "charged_usd": c["total_charge_usd"].astype(float),
        "paid_usd": c["paid_amount_usd"].astype(float),
    })
    claims["days_to_payment"] = (claims["paid_date"] - claims["submitted_date"]).dt.days
    claims["payment_bin"] = rc._bucket(claims["days_to_payment"], rc.PAYMENT_BINS).where(claims["paid_date"].notna())
    l = world.claim_lines
    lines = pd.DataFrame({
        "claim_id": l["claim_id"].astype(str),
        "line_status": l["line_status"].astype(str),
        "denial_reason": l["denial_reason_id"].astype(object).map(reasons),
        "charged_usd": l["charge_usd"].astype(float),
    }).merge(claims[["claim_id", "member_id", "plan", "program", "submission"]], on="claim_id")
    return rc.RevenueData(claims.reset_index(drop=True), lines.reset_index(drop=True), as_of)


@pytest.fixture(scope="module")
def world():
    return load_world()


@pytest.fixture(scope="module")
def data(world):
    return rc.prepare(world)


@pytest.fixture(params=[False, True], ids=["whole", "in-parts"])
def small_parts(request, monkeypatch):
    """Also run with tiny hash-table parts, so the course's small data takes the path of 1M members."""
    if request.param:
        monkeypatch.setattr(rc, "_PART_SIZE", 8)
    return request.param


def assert_same_data(new: rc.RevenueData, old: rc.RevenueData) -> None:
    pd.testing.assert_frame_equal(new.claims, old.claims)
    pd.testing.assert_frame_equal(new.lines, old.lines)
    assert new.as_of == old.as_of and new.filters == old.filters


def awkward_world(world):
    """The course's world with rows that test every rule of the old merge."""
    services, lines, claims = world.services.copy(), world.claim_lines.copy(), world.claims.copy()
    services["service_id"] = services["service_id"].astype(object)
    lines["service_id"] = lines["service_id"].astype(object)
    first_line = lines.groupby("claim_id", observed=True).head(1).index
    # A claim whose first line is for advocacy (no label): its second line decides.
    two_lines = lines.loc[lines.duplicated("claim_id", keep=False)].index[0]
    advocacy = services.loc[services["program"].astype(str) == "advocacy", "service_id"].iloc[0]
    lines.loc[two_lines, "service_id"] = advocacy
    # A line whose service is unknown, and a service listed twice with two programs.
    lines.loc[first_line[3], "service_id"] = "SYN-SVC-UNKNOWN"
    twice = lines.loc[first_line[5], "service_id"]
    copy = services[services["service_id"] == twice].copy()
    copy["program"] = "chw" if str(copy["program"].iloc[0]) != "chw" else "ecm"
    services = pd.concat([services, copy], ignore_index=True)
    # Two lines of one claim with the same line number: the first in the lines' order counts.
    tied = lines.loc[lines.duplicated("claim_id", keep=False)].index[4:6]
    lines.loc[tied, "line_number"] = 1
    program_of = services.set_index("service_id")["program"].astype(str)
    other = "chw" if program_of[lines.loc[tied[0], "service_id"]] != "chw" else "ecm"
    lines.loc[tied[1], "service_id"] = program_of[program_of == other].index[0]
    # A line of an unknown claim, a claim without lines, a plan not among the organizations,
    # a missing status and a missing submission type.
    lines["claim_id"] = lines["claim_id"].cat.add_categories(["SYN-CLM-NOPE"])
    lines.loc[first_line[7], "claim_id"] = "SYN-CLM-NOPE"
    claims.loc[claims.index[9], "claim_id"] = "SYN-CLM-NO-LINES"
    claims["plan_id"] = claims["plan_id"].cat.add_categories(["SYN-ORG-999"])
    claims.loc[claims.index[11], "plan_id"] = "SYN-ORG-999"
    claims.loc[claims.index[12], "status"] = np.nan
    claims.loc[claims.index[13], "submission_type"] = np.nan
    return dataclasses.replace(world, services=services, claim_lines=lines, claims=claims)


# ----------------------------------------------------------------------- prepare
def test_prepare_matches_the_merges(world, small_parts):
    assert_same_data(rc.prepare(world), reference_prepare(world))


def test_prepare_matches_the_merges_on_awkward_rows(world, small_parts):
    odd = awkward_world(world)
    new = rc.prepare(odd)
    assert_same_data(new, reference_prepare(odd))
    # The awkward rows did reach the result (so this test can fail).
    assert new.claims["plan"].isna().sum() == 1 and (new.claims["status"] == "Nan").sum() == 1
    assert len(new.lines) < len(odd.claim_lines)


def test_prepare_matches_when_claims_are_shuffled_and_lines_are_plain_text(world, small_parts):
    shuffled = world.claims.sample(frac=1, random_state=7)
    lines = world.claim_lines.assign(claim_id=world.claim_lines["claim_id"].astype(str)).sample(frac=1, random_state=8)
    odd = dataclasses.replace(world, claims=shuffled, claim_lines=lines)
    assert_same_data(rc.prepare(odd), reference_prepare(odd))


def test_prepare_falls_back_to_the_merge_when_a_claim_id_repeats(world):
    claims = pd.concat([world.claims, world.claims.iloc[:3]], ignore_index=True)
    odd = dataclasses.replace(world, claims=claims)
    assert_same_data(rc.prepare(odd), reference_prepare(odd))


@pytest.mark.parametrize("n", [0, 1, 50, 3000])
def test_text_positions_match_pandas(n, small_parts):
    rng = np.random.default_rng(n)
    values = np.array([f"ID-{i:07d}" for i in rng.permutation(n)], dtype=object)
    keys = np.array([f"ID-{i:07d}" for i in rng.integers(0, 2 * n + 1, size=2 * n)], dtype=object)
    assert np.array_equal(rc._text_positions(keys, values), pd.Index(values).get_indexer(keys))
    if n:
        assert rc._text_positions(keys, np.r_[values, values[:1]]) is None  # a repeated value


def test_text_matching_survives_hash_collisions(monkeypatch):
    """With every text given the same hash, the checks catch it and the plain look-up answers."""
    monkeypatch.setattr(rc, "_text_hashes", lambda values: np.zeros(len(values), dtype=np.int64)
                        if rc._all_text(values) else None)
    values = np.array(["a", "b", "c"], dtype=object)
    keys = np.array(["c", "x", "a", "a"], dtype=object)
    assert rc._text_positions(keys, values).tolist() == [2, -1, 0, 0]
    monkeypatch.setattr(rc, "_text_hashes", lambda values: np.arange(len(values), dtype=np.int64) % 2
                        if rc._all_text(values) else None)
    assert rc._text_positions(np.array(["b", "a"], dtype=object), np.array(["a", "b"], dtype=object)).tolist() == [1, 0]


# ----------------------------------------------------------------------- the cube
def reference_update(data, plan, program, submission, name, as_of):
    """What the dashboard did before the cube: filter the frames, check the date, compute."""
    subset = rc.filter_data(data, plan, program, submission)
    rc.parse_as_of(as_of, data)
    return rc.view(subset, name, as_of=as_of)


def outcome(compute):
    try:
        return compute()
    except CourseInputError as problem:
        return f"CourseInputError: {problem}"


def assert_same_view(new, old) -> None:
    if isinstance(old, str) or isinstance(new, str):
        assert new == old
        return
    pd.testing.assert_frame_equal(new.table, old.table)
    assert (new.name, new.caption, new.note, new.finding) == (old.name, old.caption, old.note, old.finding)


def assert_cube_matches(data, dates=("2026-06-30",), choices=None) -> int:
    cube = rc.RevenueCube(data)
    options = cube.choices.options
    choices = choices or list(itertools.product(options["plan"], options["program"], options["submission"]))
    checked = 0
    for plan, program, submission in choices:
        for name in rc.VIEWS:
            for day in dates if name == "Accounts receivable aging" else dates[:1]:
                new = outcome(lambda: cube.view(plan, program, submission, name, day))
                old = outcome(lambda: reference_update(data, plan, program, submission, name, day))
                assert_same_view(new, old)
                checked += 1
    return checked


def test_cube_matches_every_choice_view_and_date(data, small_parts):
    dates = ("2026-06-30", "2026-03-31", "2025-10-05", "2026-11-30", "2025-01-01", "June 31", "2027-01-01")
    assert assert_cube_matches(data, dates) > 300


def test_cube_matches_on_awkward_rows(world, small_parts):
    assert_cube_matches(rc.prepare(awkward_world(world)), ("2026-06-30", "2026-01-02"))


def test_cube_checks_filters_and_views_like_the_frames(data):
    cube = rc.RevenueCube(data)
    for args in [("Blue Shield", rc.ALL_PROGRAMS, rc.ALL_WAYS, rc.VIEWS[0], "2026-06-30"),
                 (rc.ALL_PLANS, "Advocacy", rc.ALL_WAYS, rc.VIEWS[0], "2026-06-30"),
                 (rc.ALL_PLANS, rc.ALL_PROGRAMS, "fax", rc.VIEWS[0], "2026-06-30"),
                 (rc.ALL_PLANS, rc.ALL_PROGRAMS, rc.ALL_WAYS, "Profit", "2026-06-30"),
                 (rc.ALL_PLANS, rc.ALL_PROGRAMS, rc.ALL_WAYS, "Profit", "yesterday")]:
        new, old = outcome(lambda: cube.view(*args)), outcome(lambda: reference_update(data, *args))
        assert isinstance(new, str) and new == old


def tiny_data(rows, as_of="2026-11-30") -> rc.RevenueData:
    """Claims from (member, plan, program, submission, status, sent, paid, charged, paid $, reason) rows."""
    claims = pd.DataFrame(rows, columns=["member_id", "plan", "program", "submission", "status", "submitted_date",
                                         "paid_date", "charged_usd", "paid_usd", "denial_reason"])
    claims.insert(0, "claim_id", [f"c{i}" for i in range(len(claims))])
    for column in ("submitted_date", "paid_date"):
        claims[column] = pd.to_datetime(claims[column])
    claims["days_to_payment"] = (claims["paid_date"] - claims["submitted_date"]).dt.days
    claims["payment_bin"] = rc._bucket(claims["days_to_payment"], rc.PAYMENT_BINS).where(claims["paid_date"].notna())
    lines = claims[["claim_id", "member_id", "plan", "program", "submission", "denial_reason", "charged_usd"]].assign(
        line_status=np.where(claims["denial_reason"].notna(), "denied", "paid"))
    lines = lines[["claim_id", "line_status", "denial_reason", "charged_usd", "member_id", "plan", "program", "submission"]]
    return rc.RevenueData(claims, lines.reset_index(drop=True), pd.Timestamp(as_of))


def many_rows(n_members, plan="Plan A (fictional)", per_member=3, charged=120.0, seed=0):
    rng = np.random.default_rng(seed)
    reasons = load_reference("denial_reasons")["reason"].tolist()
    rows = []
    for m in range(n_members):
        for k in range(per_member):
            sent = pd.Timestamp("2025-09-01") + pd.Timedelta(days=int(rng.integers(0, 400)))
            paid = sent + pd.Timedelta(days=int(rng.integers(3, 90))) if rng.random() < 0.7 else pd.NaT
            status = "Paid" if paid is not pd.NaT else str(rng.choice(["Denied", "In review", "Rejected"]))
            reason = str(rng.choice(reasons)) if status == "Denied" else None
            rows.append((f"m{plan[:6]}{m}", plan, str(rng.choice(["ECM", "Community Supports", "CHW"])),
                         str(rng.choice(["837P (electronic)", "Invoice"])), status, sent, paid, charged + k,
                         (charged + k) * (0.5 if k == 2 else 1.0) if paid is not pd.NaT else 0.0, reason))
    return rows


@pytest.mark.parametrize("case", ["one plan", "all suppressed", "two plans", "no paid claims"])
def test_cube_matches_small_edge_cases(case):
    rows = {"one plan": many_rows(60),
            "all suppressed": many_rows(6),
            "two plans": many_rows(40) + many_rows(9, plan="Plan B (fictional)", seed=1),
            "no paid claims": [r[:6] + (pd.NaT, r[7], 0.0, r[9]) for r in many_rows(30)]}[case]
    data = tiny_data(rows)
    assert assert_cube_matches(data, ("2026-06-30", "2025-12-15"))
    if case == "all suppressed":
        shown = rc.RevenueCube(data).view(rc.ALL_PLANS, rc.ALL_PROGRAMS, rc.ALL_WAYS, rc.VIEWS[0], "2026-06-30")
        assert shown.table["Claims"].isin(["suppressed", "0"]).all() and shown.table["Claims"].iloc[-1] == "suppressed"


def test_cube_with_amounts_that_are_not_whole_cents_computes_from_the_frames():
    rows = [r[:7] + (r[7] + 0.001, r[8], r[9]) for r in many_rows(40)]
    data = tiny_data(rows)
    assert not rc.RevenueCube(data).exact
    assert_cube_matches(data)


def test_protect_counts_is_protect(data):
    claims = data.claims
    frames = {"all": claims, "none": claims.iloc[:0], "few": claims.iloc[:25]}
    for frame in frames.values():
        for total in (True, False):
            by_status = claims_counts(frame, "status", rc.status_order(), total)
            new = rc._protect_counts("status", rc.status_order(), *by_status, total=total)
            old = rc.protect(frame, "status", rc.status_order(), {"Charged": "charged_usd", "Paid": "paid_usd"},
                             total=total)
            pd.testing.assert_series_equal(new.result.shown, old.result.shown)
            pd.testing.assert_series_equal(new.result.mask, old.result.mask)
            pd.testing.assert_series_equal(new.member_rule, old.member_rule)
            for name in old.money:
                pd.testing.assert_series_equal(new.money[name], old.money[name])
            assert new.note() == old.note() and new.unit == old.unit


def claims_counts(frame, by, order, total):
    """Counts, members and sums per entry of ``order`` (and the total), the plain way."""
    counts = [int((frame[by] == value).sum()) for value in order]
    members = [frame.loc[frame[by] == value, "member_id"].nunique() for value in order]
    sums = {name: (column, [frame.loc[frame[by] == value, column].sum() for value in order])
            for name, column in (("Charged", "charged_usd"), ("Paid", "paid_usd"))}
    if total:
        counts.append(sum(counts))
        members.append(frame["member_id"].nunique())
        sums = {name: (column, values + [frame[column].sum()]) for name, (column, values) in sums.items()}
    return counts, members, sums


# ----------------------------------------------------------------------- the widget
def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_dashboard_shows_what_the_frames_give(data):
    box = dashboard(data)
    c = box.controls
    options = rc.filter_options(data)
    steps = [("view", rc.VIEWS[1]), ("plan", options["plan"][1]), ("view", rc.VIEWS[2]), ("program", "CHW"),
             ("view", rc.VIEWS[3]), ("aging_date", "2026-03-31"), ("submission", options["submission"][1]),
             ("program", rc.ALL_PROGRAMS), ("aging_date", "2025-12-01"), ("view", rc.VIEWS[0]), ("plan", rc.ALL_PLANS)]
    for control, value in steps:
        c[control].value = value
        filters = (c["plan"].value, c["program"].value, c["submission"].value)
        expected = view_html(reference_update(data, *filters, c["view"].value, c["aging_date"].value), filters)
        assert box.result.value == expected, (control, value)
        assert box.message.value == ""


def test_dashboard_date_messages_are_unchanged(data):
    box = dashboard(data)
    box.controls["view"].value = "Accounts receivable aging"
    for value in ("June 31", "2020-01-01", ""):
        before = box.result.value
        box.controls["aging_date"].value = value
        expected = outcome(lambda: reference_update(data, rc.ALL_PLANS, rc.ALL_PROGRAMS, rc.ALL_WAYS,
                                                    "Accounts receivable aging", value))
        assert text_of(expected.split(": ", 1)[1]) in text_of(html.unescape(box.message.value))
        assert box.result.value == before
