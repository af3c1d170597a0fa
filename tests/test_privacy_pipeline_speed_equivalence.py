"""The fast privacy pipeline gives exactly what the straightforward computation gave.

The fast path counts the raw table once (``summarise_raw``: class sizes over all four
quasi-identifiers), sums those counts for each choice, hashes only the previewed member
IDs, and builds the raw table per distinct value. The reference functions below are the
straightforward versions (one full-table pass per choice, every member ID hashed); each
test compares everything a learner sees: tables, counts, suppression, text and HTML.
"""

from __future__ import annotations

import hashlib
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import privacy_pipeline as pp
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SMALL_CELL_MAX, suppress_counts, suppress_for_display, suppression_note
from calaim_course.synthetic import generate_world, load_world
from calaim_course.widgets.privacy_pipeline import privacy_pipeline
from test_privacy_pipeline import _raw  # the pipeline tests' table builder, shared

QIS = list(pp.QUASI_IDENTIFIERS)
KEY = pp.demo_key()
ALL_CHOICES = [combo for size in range(1, 5) for combo in itertools.combinations(QIS, size)]


# ---------------------------------------------------------- the straightforward versions


def reference_fictional_area(member_ids):
    cumulative = np.cumsum(pp.AREA_WEIGHTS)
    areas = []
    for member_id in member_ids:
        digest = hashlib.sha256(f"alder-area:{member_id}".encode()).digest()
        u = int.from_bytes(digest[:8], "big") / 2**64
        areas.append(pp.AREAS[min(int(np.searchsorted(cumulative, u, side="right")), len(pp.AREAS) - 1)])
    return areas


def reference_raw_table(members, organizations):
    plan_names = dict(zip(organizations["org_id"].astype(str), organizations["name"].astype(str)))
    plan = members["plan_id"].astype("string").map(plan_names, na_action="ignore").fillna(pp.NO_PLAN)
    table = pd.DataFrame({
        "member_id": members["member_id"].astype(str),
        "first_name": members["first_name"].astype(str),
        "last_name": members["last_name"].astype(str),
        "birth_date": pd.to_datetime(members["birth_date"]).dt.strftime("%Y-%m-%d"),
        "phone": members["phone"].astype(str),
        "email": members["email"].astype(str),
        "age_band": pp.age_band(members["age"]).astype(str),
        "area": reference_fictional_area(members["member_id"].astype(str)),
        "language": members["preferred_language"].astype(str),
        "plan": plan.astype(str),
        pp.SENSITIVE: members[pp.SENSITIVE].astype(str).str.replace("_", " ").str.replace("dv", "DV"),
    })
    return table.reset_index(drop=True)


def reference_run_pipeline(raw, quasi_identifiers, key, key_label=""):
    """The pipeline as first written: every step over the full table."""
    chosen = pp.check_quasi_identifiers(quasi_identifiers)
    key = pp._check_key(key)
    if not isinstance(raw, pd.DataFrame):
        raise CourseInputError("table", type(raw).__name__, "the raw synthetic table (raw_table())")
    needed = [*pp.DIRECT_IDENTIFIERS, *pp.QUASI_IDENTIFIERS, pp.SENSITIVE]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise CourseInputError("table", f"no column {missing[0]!r}", "the raw synthetic table (raw_table())")
    risk = pp.k_anonymity(raw, chosen)
    n = len(raw)
    dropped_qis = [pp.QUASI_SHORT[q] for q in pp.QUASI_IDENTIFIERS if q not in chosen]
    risk_text = (f"k = {risk.k} for {pp.qi_label(chosen)}; {risk.n_unique} of {n} records "
                 f"({risk.share_unique:.0%}) are unique")
    raw_view = raw[[*pp.DIRECT_IDENTIFIERS, *chosen, pp.SENSITIVE]].head(pp.PREVIEW_ROWS)
    step_raw = pp.Step(
        "raw", "1. Raw: the agency's own record", pp._display_columns(raw_view), [],
        "Every record names its person: the name, birth date, phone and e-mail identify them directly. "
        f"Even without those, {risk_text}.",
        k=1, n_unique=n, n_rows=n,
        note="Nothing removed yet. These people are fictional; a real table like this never leaves the agency.",
    )
    pseudo = raw[[*chosen, pp.SENSITIVE]].copy()
    pseudo.insert(0, "pseudonym", pp.pseudonymise(raw["member_id"], key))
    step_pseudo = pp.Step(
        "pseudonymised", "2. Pseudonymised: direct identifiers replaced",
        pp._display_columns(pseudo.head(pp.PREVIEW_ROWS)),
        ["name", "birth date (kept only as an age band)", "phone", "e-mail",
         "member ID (replaced by a keyed hash)"] + [f"{label} (you left it out)" for label in dropped_qis],
        f"Still one row per person. {risk_text}. "
        + (f"Anyone who knows a survivor's {pp.qi_label(chosen)} can find the row of a survivor who is unique, "
           "and read their housing situation."
           if risk.n_unique else
           f"No record is unique, but knowing a survivor's {pp.qi_label(chosen)} narrows them down to as few as "
           f"{risk.k} rows; if those rows share a housing situation, it is revealed."),
        k=risk.k, n_unique=risk.n_unique, n_rows=n,
        note="The keyed hash is still personally identifying information under VAWA, and it is not consent: "
             "the same key gives the same pseudonym in every file, and whoever holds the key can recompute it.",
    )
    counts = pp.aggregate(raw, chosen)
    agg_view = counts.reset_index()
    agg_view["count"] = pp.size_band(agg_view["count"])
    agg_view = agg_view.rename(columns={"count": "Group size"})
    small = int(((counts >= 1) & (counts <= SMALL_CELL_MAX)).sum())
    step_agg = pp.Step(
        "aggregated", "3. Aggregated: one count per combination",
        pp._display_columns(agg_view.head(pp.PREVIEW_CELLS)),
        ["pseudonym (no row per person any more)", f"{pp.SENSITIVE_LABEL.lower()} (not counted here)"],
        f"{counts.size} counts; {small} of them are from 1 to {SMALL_CELL_MAX}, and "
        f"{int((counts == 1).sum())} are 1. The smallest count is k. A count of 1 is one survivor.",
        k=int(counts.min()), n_unique=int((counts == 1).sum()), n_rows=int(counts.size),
        note="Group sizes are shown as bands here: exact counts from 1 to 10 are never shown in this course.",
    )
    result = suppress_counts(counts.rename("count"))
    sup_view = suppress_for_display(result).rename(columns={"count": "Count"}).reset_index()
    shown_counts = result.shown.dropna()
    smallest = int(shown_counts.min()) if len(shown_counts) else None
    step_sup = pp.Step(
        "suppressed", "4. Suppressed: small counts hidden",
        pp._display_columns(sup_view.head(pp.PREVIEW_CELLS)),
        [f"{result.n_primary} counts from 1 to {SMALL_CELL_MAX}",
         (f"{result.n_complementary} more counts (complementary suppression)" if result.n_complementary
          else "no more counts needed (complementary suppression)")],
        (f"The smallest count shown is {smallest}: no shown count describes fewer than {pp.K_THRESHOLD} people. "
         if smallest is not None else "Every count is hidden: this grouping is too fine to publish. ")
        + f"{result.n_suppressed} of {counts.size} counts are hidden.",
        k=smallest, n_unique=0, n_rows=int(counts.size),
        note=suppression_note(result),
    )
    return pp.PipelineResult(chosen, [step_raw, step_pseudo, step_agg, step_sup], risk, counts, result, key_label)


def reference_combination_risks(raw):
    rows = []
    for combo in ALL_CHOICES:
        risk = pp.k_anonymity(raw, combo)
        rows.append({
            "combination": pp._sentence_case(pp.qi_label(combo)),
            "n_quasi_identifiers": len(combo),
            "k": risk.k,
            "share_unique": round(risk.share_unique, 4),
            "percent_unique": round(100 * risk.share_unique, 1),
            "meets_threshold": "k of 11 or more" if risk.meets_threshold else "k below 11",
        })
    return pd.DataFrame(rows)


def assert_same_result(fast, slow):
    """Every part of two pipeline results is the same, down to the HTML a learner sees."""
    assert fast.quasi_identifiers == slow.quasi_identifiers and fast.key_label == slow.key_label
    assert fast.risk == slow.risk
    pd.testing.assert_series_equal(fast.aggregated, slow.aggregated, check_exact=True)
    for part in ("shown", "mask", "primary", "requested"):
        pd.testing.assert_series_equal(getattr(fast.suppressed, part), getattr(slow.suppressed, part))
    assert fast.smallest_shown == slow.smallest_shown
    for fast_step, slow_step in zip(fast.steps, slow.steps, strict=True):
        pd.testing.assert_frame_equal(fast_step.preview, slow_step.preview, check_exact=True)
        for field in ("key", "title", "removed", "risk", "k", "n_unique", "n_rows", "note"):
            assert getattr(fast_step, field) == getattr(slow_step, field), field
    pd.testing.assert_frame_equal(pp.summary_table(fast), pp.summary_table(slow))
    assert pp.pipeline_html(fast) == pp.pipeline_html(slow)


def _error(call):
    try:
        call()
    except (CourseInputError, ValueError) as problem:
        return type(problem), str(problem)
    return None


# ------------------------------------------------------------------------------ worlds


@pytest.fixture(scope="module")
def course_world():
    return load_world()


@pytest.fixture(scope="module")
def larger_world():
    return generate_world(scale=3000)


@pytest.fixture(scope="module", params=["course", "larger"])
def world(request, course_world, larger_world):
    return course_world if request.param == "course" else larger_world


@pytest.fixture(scope="module")
def raw(world):
    return pp.raw_table(world.members, world.organizations)


def test_raw_table_is_the_same(world, raw):
    pd.testing.assert_frame_equal(raw, reference_raw_table(world.members, world.organizations), check_exact=True)


def test_raw_table_keeps_missing_birth_dates_and_housing_missing(course_world):
    members = course_world.members.copy()
    members.loc[members.index[[0, 5]], "birth_date"] = pd.NaT
    members.loc[members.index[[1, 5]], pp.SENSITIVE] = None
    fast = pp.raw_table(members, course_world.organizations)
    pd.testing.assert_frame_equal(fast, reference_raw_table(members, course_world.organizations), check_exact=True)
    assert fast["birth_date"].isna().sum() == 2


def test_fictional_area_is_the_same_for_many_ids():
    ids = [f"SYN-M-{i:07d}" for i in range(1, 60_001)] + ["x", "é", "SYN-M-0000001 ", "42"]
    assert pp.fictional_area(ids) == reference_fictional_area(ids)
    assert pp.fictional_area(pd.Series(ids, dtype="str")) == reference_fictional_area(ids)
    assert pp.fictional_area(iter(ids[:50])) == reference_fictional_area(ids[:50])
    assert pp.fictional_area([]) == []


@pytest.mark.parametrize("choice", ALL_CHOICES, ids=lambda c: "+".join(c))
def test_every_choice_gives_the_same_pipeline(raw, choice):
    summary = pp.summarise_raw(raw)
    slow = reference_run_pipeline(raw, choice, KEY, "label")
    assert_same_result(pp.run_pipeline(raw, choice, KEY, "label"), slow)
    assert_same_result(pp.run_pipeline(raw, choice, KEY, "label", summary=summary), slow)


def test_combination_risks_are_the_same(raw):
    pd.testing.assert_frame_equal(pp.combination_risks(raw), reference_combination_risks(raw), check_exact=True)


def test_widget_shows_what_the_reference_pipeline_gives(raw):
    box = privacy_pipeline(raw)
    c = box.controls

    def expected(choice, seed):
        label = (f"Key: the demo key made from the number {seed} (not secret, so this page is the same every "
                 "time; real use needs a secret random key, kept apart from the data).")
        return pp.pipeline_html(reference_run_pipeline(raw, choice, pp.demo_key(seed), label))

    assert box.result.value == expected(("age_band", "plan"), 2026)
    c["language"].value = True
    assert box.result.value == expected(("age_band", "language", "plan"), 2026)
    c["key_seed"].value = "7"
    assert box.result.value == expected(("age_band", "language", "plan"), 7)
    c["area"].value, c["age_band"].value = True, False
    assert box.result.value == expected(("area", "language", "plan"), 7)
    c["new_key"].click()
    random_label = ("Key: a new random key from the operating system's secure random source, kept only in "
                    "memory; every pseudonym changed.")
    slow = reference_run_pipeline(raw, ("area", "language", "plan"), box.state["key"], random_label)
    assert box.result.value == pp.pipeline_html(slow)
    assert_same_result(box.state["result"], slow)


# ------------------------------------------------------------------------- edge cases


ONE_ROW = [("25-34", "AZ-01", "English", "Plan A")]
ALL_SMALL = [("25-34", "AZ-01", "English", "Plan A")] * 3 + [("35-44", "AZ-02", "Spanish", "Plan A")] * 4
ONE_PLAN_BIG = ([("25-34", "AZ-01", "English", "Plan A")] * 15 + [("35-44", "AZ-01", "English", "Plan A")] * 12
                + [("35-44", "AZ-03", "Korean", "Plan A")] * 2)


@pytest.mark.parametrize("rows", [ONE_ROW, ALL_SMALL, ONE_PLAN_BIG], ids=["one row", "all small", "one plan"])
@pytest.mark.parametrize("choice", ALL_CHOICES, ids=lambda c: "+".join(c))
def test_small_tables_give_the_same_pipeline(rows, choice):
    table = _raw(rows)
    assert_same_result(pp.run_pipeline(table, choice, KEY), reference_run_pipeline(table, choice, KEY))


def test_all_suppressed_is_the_same():
    table = _raw(ALL_SMALL)
    result = pp.run_pipeline(table, QIS, KEY)
    assert result.smallest_shown is None and "Every count is hidden" in result.steps[3].risk
    assert_same_result(result, reference_run_pipeline(table, QIS, KEY))


def test_an_index_that_is_not_0_to_n_gives_the_same_pipeline():
    table = _raw(ONE_PLAN_BIG).set_axis(range(100, 100 + len(ONE_PLAN_BIG)))[::-1]
    for choice in ALL_CHOICES:
        assert_same_result(pp.run_pipeline(table, choice, KEY), reference_run_pipeline(table, choice, KEY))


BAD_TABLES = {
    "not a table": lambda: [1, 2, 3],
    "empty": lambda: _raw(ONE_ROW).iloc[:0],
    "missing language": lambda: _raw(ONE_ROW).drop(columns="language"),
    "missing e-mail": lambda: _raw(ONE_ROW).drop(columns="email"),
    # Bad member IDs after the previewed rows: once, every ID was hashed and the first bad one named.
    "blank ID late": lambda: _raw(ONE_PLAN_BIG, ids=[f"SYN-M-{i}" for i in range(28)] + ["  "]),
    "missing ID late": lambda: _raw(ONE_PLAN_BIG, ids=[f"SYN-M-{i}" for i in range(20)] + [None] * 9),
    "number ID": lambda: _raw(ONE_PLAN_BIG, ids=list(range(29))),
}


@pytest.mark.parametrize("name", list(BAD_TABLES))
def test_bad_tables_give_the_same_message(name):
    table = BAD_TABLES[name]()
    expected = _error(lambda: reference_run_pipeline(table, ["plan"], KEY))
    assert expected is not None and expected[0] is CourseInputError
    assert _error(lambda: pp.run_pipeline(table, ["plan"], KEY)) == expected
    assert _error(lambda: pp.summarise_raw(table)) == expected
    # The learner's choice and the key are still checked first.
    for choice, key in (([], KEY), (["plan"], b"short")):
        assert _error(lambda: pp.run_pipeline(table, choice, key)) == _error(
            lambda: reference_run_pipeline(table, choice, key))


def test_combination_risks_bad_tables_give_the_same_message():
    for table in ([1], _raw(ONE_ROW).iloc[:0], _raw(ONE_ROW).drop(columns=["area", "plan"]),
                  _raw(ONE_ROW)[["age_band", "area", "language", "plan"]].assign(area=None)):
        assert _error(lambda: pp.combination_risks(table)) == _error(lambda: reference_combination_risks(table))


@pytest.mark.parametrize("name", list(BAD_TABLES))
def test_widget_shows_the_same_message_for_a_bad_table(name):
    table = BAD_TABLES[name]()
    box = privacy_pipeline(table)
    expected = _error(lambda: reference_run_pipeline(table, ["age_band", "plan"], KEY))
    assert box.result.value == "" and expected[1] and expected[1].split(":")[0] in box.message.value
    box.controls["age_band"].value = False
    box.controls["plan"].value = False
    assert "Tick at least one box" in box.message.value  # the choice is checked first, as before


def test_a_summary_of_another_table_is_refused():
    summary = pp.summarise_raw(_raw(ALL_SMALL))
    with pytest.raises(ValueError, match="summarise_raw"):
        pp.run_pipeline(_raw(ONE_PLAN_BIG), ["plan"], KEY, summary=summary)


ROWS = st.lists(
    st.tuples(st.sampled_from(["16-24", "25-34", "35-44", "65+"]), st.sampled_from(["AZ-01", "AZ-02", "AZ-08"]),
              st.sampled_from(["English", "Spanish", "Korean", "Other"]), st.sampled_from(["Plan A", "Plan B"]),
              st.sampled_from(["stably housed", "homeless", "fleeing DV in shelter"])),
    min_size=1, max_size=80,
)


@given(ROWS, st.lists(st.sampled_from(QIS), min_size=1, max_size=4, unique=True))
@settings(max_examples=60, deadline=None)
def test_any_table_gives_the_same_pipeline_and_risks(rows, choice):
    table = _raw(rows)
    assert_same_result(pp.run_pipeline(table, choice, KEY), reference_run_pipeline(table, choice, KEY))
    pd.testing.assert_frame_equal(pp.combination_risks(table), reference_combination_risks(table), check_exact=True)


def test_numpy_reads_8_bytes_as_a_share_of_2_64_exactly_as_python_does():
    # fictional_area's claim: uint64 -> float64 / 2**64 in numpy equals int / 2**64 in Python,
    # including values that need rounding (more than 53 significant bits) and halfway cases.
    rng = np.random.default_rng(11)
    values = [0, 1, 2**53 - 1, 2**53 + 1, 2**63 - 1, 2**63, 2**63 + 2**10, 2**63 + 2**10 + 1,
              2**63 + 3 * 2**10, 2**64 - 2**11, 2**64 - 1, *rng.integers(0, 2**63, 5000, dtype=np.uint64).tolist(),
              *(rng.integers(0, 2**63, 5000, dtype=np.uint64) + np.uint64(2**63)).tolist()]
    packed = b"".join(int(v).to_bytes(8, "big") for v in values)
    fast = np.frombuffer(packed, dtype=">u8").astype(np.float64) / 2**64
    assert fast.tolist() == [int(v) / 2**64 for v in values]
