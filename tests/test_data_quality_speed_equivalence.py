"""The faster completeness checker gives exactly what the straightforward code gave.

The straightforward versions of the functions that were sped up are kept here as the
reference: finding each member's intake by sorting the whole services table, testing
every value for blank text one by one, and looking a record up by scanning the file.
They are compared with the module on the course's world, on a 10,000-member world, and
on small hand-made and random tables with the awkward cases (ties, missing dates and
IDs, blank text in every kind of column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calaim_course import data_quality as dq
from calaim_course.errors import CourseInputError
from calaim_course.suppression import suppress_counts
from calaim_course.synthetic import generate_world, load_world
from calaim_course.widgets.data_quality import BY_FIELD, BY_STAFF, GENERATED, PRACTICE, completeness_checker, result_html

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------ the reference


def reference_intake_staff(services: pd.DataFrame) -> pd.Series:
    first = services.sort_values(["member_id", "service_date", "service_id"]).drop_duplicates("member_id")
    return pd.Series(first["staff_id"].astype("object").to_numpy(), index=first["member_id"].astype("object").to_numpy(),
                     name="staff_id")


def reference_is_empty(series: pd.Series) -> np.ndarray:
    empty = series.isna().to_numpy(dtype=bool)
    text = series.astype("object")
    blank = text.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    return empty | blank


def reference_missing_mask(members: pd.DataFrame) -> pd.DataFrame:
    rules = dq.required_fields()
    required = dq.required_mask(members, rules)
    return pd.DataFrame({f: required[f].to_numpy() & reference_is_empty(members[f]) for f in rules["field"]},
                        index=members.index)


def reference_record_gaps(members: pd.DataFrame, member_id: object) -> pd.DataFrame:
    rules = dq.required_fields()
    dq._check_members(members, rules)
    text = member_id.strip().upper() if isinstance(member_id, str) else member_id
    if not isinstance(text, str) or not dq.MEMBER_ID_PATTERN.match(text):
        raise CourseInputError("Member ID", member_id, "a synthetic member ID like SYN-M-0000012 (SYN-M- and 7 digits)")
    ids = members["member_id"].astype("object")
    if not (ids == text).any():
        raise CourseInputError("Member ID", member_id, "a member ID in the file",
                               hint=f"IDs run from {ids.min()} to {ids.max()}.")
    row = members.loc[ids == text]
    gaps = reference_missing_mask(members.loc[row.index]).iloc[0]
    chosen = rules[rules["field"].map(gaps).to_numpy(dtype=bool)]
    return pd.DataFrame({
        "Field": chosen["label"].to_numpy(),
        "Why it is required": chosen["why"].to_numpy(),
        "How to fix it": chosen["how_to_fix"].to_numpy(),
    })


def reference_staff_names(staff: pd.DataFrame) -> dict[str, str]:
    names = (staff["first_name"].astype(str) + " " + staff["last_name"].astype(str)).to_numpy()
    ids = staff["staff_id"].astype(str).to_numpy()
    counts = pd.Series(names).value_counts()
    return {i: (n if counts[n] == 1 else f"{n} ({i})") for i, n in zip(ids, names)}


def reference_tables(members: pd.DataFrame, intake: pd.Series, staff: pd.DataFrame):
    """check_completeness's three tables of counts, before suppression, as first written."""
    rules = dq.required_fields()
    missing = reference_missing_mask(members)
    required = dq.required_mask(members, rules)
    labels = dict(zip(rules["field"], rules["label"]))
    staff_id = members["member_id"].astype("object").map(intake)
    who = staff_id.map(reference_staff_names(staff)).fillna(dq.NO_INTAKE_STAFF).to_numpy(dtype=object)
    by_staff = missing.rename(columns=labels).groupby(who).sum().astype("int64")
    order = sorted(by_staff.index, key=lambda n: (n == dq.NO_INTAKE_STAFF, n))
    by_staff = by_staff.loc[order]
    by_staff.loc[dq.TOTAL] = by_staff.sum()
    any_gap = missing.any(axis=1).to_numpy()
    summary = pd.crosstab(pd.Series(who, name="staff"),
                          pd.Series(np.where(any_gap, dq.WITH_GAP, dq.COMPLETE), name="status"))
    summary = summary.reindex(index=order, columns=[dq.COMPLETE, dq.WITH_GAP], fill_value=0).astype("int64")
    summary[dq.TOTAL] = summary.sum(axis=1)
    summary.loc[dq.TOTAL] = summary.sum()
    summary.columns.name = None
    summary.index.name = None
    req = required.rename(columns=labels).sum().astype("int64").rename("members")
    return {"required": suppress_counts(req, margins=False, implicit_totals=False),
            "by_staff": suppress_counts(by_staff, margins=None, implicit_totals=False),
            "summary": suppress_counts(summary, margins=True)}


def assert_same_completeness(members, intake, staff):
    result = dq.check_completeness(members, intake, staff)
    for name, expected in reference_tables(members, intake, staff).items():
        got = getattr(result, name)
        pd.testing.assert_frame_equal(pd.DataFrame(got.shown), pd.DataFrame(expected.shown))
        assert np.array_equal(np.asarray(got.mask), np.asarray(expected.mask))
        assert got.unresolved == expected.unresolved
    return result


def gaps_or_message(function, *args):
    try:
        return function(*args)
    except CourseInputError as error:
        return str(error)


def assert_same(fast, slow):
    if isinstance(slow, str):
        assert fast == slow
    else:
        pd.testing.assert_frame_equal(fast, slow)


# ------------------------------------------------------------------ worlds


@pytest.fixture(scope="module", params=["course", "10k"])
def world(request):
    return load_world() if request.param == "course" else generate_world(scale=10_000)


def test_intake_staff_matches_sorting_everything(world):
    pd.testing.assert_series_equal(dq.intake_staff(world.services), reference_intake_staff(world.services))


def test_missing_mask_and_tables_match(world):
    intake = reference_intake_staff(world.services)
    for members in (dq.practice_member_file(world), world.members):
        missing = dq.missing_mask(members)
        pd.testing.assert_frame_equal(missing, reference_missing_mask(members))
        assert missing.to_numpy().any() or members is world.members
        first = members["member_id"].astype("object")[reference_missing_mask(members).sum(axis=1) >= 2]
        assert dq.first_record_with_gaps(members) == (None if first.empty else str(first.min()))
        assert dq.staff_names(world.staff) == reference_staff_names(world.staff)
        assert_same_completeness(members, intake, world.staff)


def test_record_lookup_matches_scanning_the_file(world):
    members = dq.practice_member_file(world)
    ids = members["member_id"].astype(str)
    checker = dq.RecordChecker(members)
    typed = [ids.iloc[0], ids.iloc[len(ids) // 2], f"  {ids.iloc[-1].lower()} ", dq.first_record_with_gaps(members),
             "SYN-M-9999999", "SYN-M-12", "", None, 7, ids.iloc[3][:-1]]
    for member_id in typed:
        slow = gaps_or_message(reference_record_gaps, members, member_id)
        assert_same(gaps_or_message(checker.gaps, member_id), slow)
        assert_same(gaps_or_message(dq.record_gaps, members, member_id), slow)


def test_widget_shows_what_the_views_compute():
    world = load_world()
    box = completeness_checker(world)
    intake = dq.intake_staff(world.services)
    results = {PRACTICE: dq.check_completeness(dq.practice_member_file(world), intake, world.staff),
               GENERATED: dq.check_completeness(world.members, intake, world.staff)}
    staff = results[PRACTICE].staff
    for data in (PRACTICE, GENERATED, PRACTICE):
        box.controls["data"].value = data
        for view in (BY_FIELD, BY_STAFF, staff[0], staff[-1], BY_FIELD):
            box.controls["show"].value = view
            assert box.result.value == result_html(results[data], view, data)
            assert not box.message.value


# ------------------------------------------------------------------ small and random tables


def test_intake_staff_edge_cases():
    services = pd.DataFrame({
        "member_id": ["M2", "M1", "M1", "M1", "M3", "M3", None, None, "M4", "M4", "M5"],
        "staff_id": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"],
        "service_date": pd.to_datetime(["2026-01-02", "2026-01-05", "2026-01-01", "2026-01-01", None, None,
                                        "2026-02-01", "2026-01-01", "2026-03-01", None, None]),
        "service_id": ["S9", "S1", "S3", "S2", "S5", "S4", "S6", "S7", "S8", "S0", "S10"],
    })
    fast, slow = dq.intake_staff(services), reference_intake_staff(services)
    pd.testing.assert_series_equal(fast, slow)
    assert fast["M1"] == "d"  # a tie on the date: the smaller service ID
    assert fast["M3"] == "f"  # no date at all: the smaller service ID


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["M1", "M2", "M3", "M10", None]), st.integers(0, 4),
                          st.sampled_from([1, 2, 3, None]), st.sampled_from(["S1", "S2", "S10", None])),
                min_size=1, max_size=40),
       st.booleans())
def test_intake_staff_on_random_services(rows, categorical):
    services = pd.DataFrame({
        "member_id": [r[0] for r in rows],
        "staff_id": [f"T{r[1]}" for r in rows],
        "service_date": pd.to_datetime([None if r[2] is None else f"2026-01-0{r[2]}" for r in rows]),
        "service_id": [r[3] for r in rows],
    })
    if categorical:  # as in the synthetic world, where the categories are not in sorted order
        services["member_id"] = pd.Categorical(services["member_id"], categories=["M3", "M10", "M1", "M2"])
    pd.testing.assert_series_equal(dq.intake_staff(services), reference_intake_staff(services))


TEXT = st.sampled_from(["", " ", "\t", "\n ", "\u00a0", "a", " a ", "0", "None"])
ANY = st.one_of(TEXT, st.none(), st.just(np.nan), st.integers(-1, 1), st.booleans(), st.floats(allow_nan=True))


@SETTINGS
@given(st.lists(ANY, min_size=1, max_size=30), st.lists(st.one_of(TEXT, st.none()), min_size=1, max_size=30))
def test_blank_text_in_every_kind_of_column(mixed, texts):
    columns = [
        pd.Series(mixed, dtype="object"),
        pd.Series(texts, dtype="object"),
        pd.Series(texts, dtype="str"),
        pd.Series(texts, dtype="category"),
        pd.Series(pd.Categorical([t if t in ("", " ", "a") else None for t in texts],
                                 categories=["", " ", "a", "unused"])),
        pd.Series(pd.to_datetime(["2026-01-01", None] * len(texts))),
        pd.Series([1, None] * len(texts), dtype="Int64"),
        pd.Series([1.5, np.nan] * len(texts)),
        pd.Series([True, False] * len(texts)),
    ]
    for series in columns:
        assert np.array_equal(dq._is_empty(series), reference_is_empty(series)), series


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 3), st.lists(st.sampled_from(["first_name", "plan_id", "housing_status",
                                                                         "medi_cal_status", "birth_date"]), max_size=3),
                          st.sampled_from(["", " ", None])),
                min_size=1, max_size=30))
def test_tables_on_random_member_files(rows):
    """Small files: staff with the same name, members without an intake, blanks of every kind."""
    members = pd.DataFrame([
        {**{"member_id": f"SYN-M-{i:07d}", "first_name": "Fern", "last_name": "Mossglen",
            "birth_date": pd.Timestamp("1990-01-01"), "agency_intake_date": pd.Timestamp("2026-01-05"),
            "medi_cal_status": "full_scope", "plan_id": "SYN-ORG-002", "plan_member_id": f"SYNP-{i:08d}",
            "plan_enrollment_date": pd.Timestamp("2025-01-01"), "housing_status": "stably_housed",
            "race_ethnicity": "White", "preferred_language": "English", "gender_identity": "Female"},
         **{field: (None if field == "birth_date" else blank) for field in fields}}
        for i, (_, fields, blank) in enumerate(rows)
    ])
    intake = pd.Series({f"SYN-M-{i:07d}": f"S{who}" for i, (who, _, _) in enumerate(rows) if who < 3})
    staff = pd.DataFrame({"staff_id": ["S0", "S1", "S2"], "first_name": ["Ash", "Ash", "Bo"],
                          "last_name": ["Lee", "Lee", "Oak"]})
    assert_same_completeness(members, intake, staff)
