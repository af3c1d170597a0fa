"""Privacy pipeline: k-anonymity by hand, keyed-hash pseudonyms, suppression, the widget."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import privacy_pipeline as pp
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SMALL_CELL_MAX, SUPPRESSED_LABEL, suppression_note
from calaim_course.widgets.privacy_pipeline import privacy_pipeline

QIS = list(pp.QUASI_IDENTIFIERS)
KEY = pp.demo_key()


def _raw(rows: list[tuple[str, ...]], ids: list[str] | None = None) -> pd.DataFrame:
    """A raw table with fictional direct identifiers around the given quasi-identifier rows
    (age band, area, language, plan, and housing when a row has a fifth value)."""
    n = len(rows)
    return pd.DataFrame({
        "member_id": ids if ids is not None else [f"SYN-M-{i:07d}" for i in range(1, n + 1)],
        "first_name": ["Juniper"] * n,
        "last_name": ["Fernhollow"] * n,
        "birth_date": ["1990-01-01"] * n,
        "phone": ["555-0142"] * n,
        "email": [f"m{i:07d}@example.org" for i in range(1, n + 1)],
        "age_band": [r[0] for r in rows],
        "area": [r[1] for r in rows],
        "language": [r[2] for r in rows],
        "plan": [r[3] for r in rows],
        "housing_status": [r[4] if len(r) > 4 else "stably housed" for r in rows],
    })


# Six records worked by hand (see each test for the classes).
HAND = _raw([
    ("25-34", "AZ-01", "English", "Plan A"),
    ("25-34", "AZ-01", "English", "Plan A"),
    ("25-34", "AZ-02", "Spanish", "Plan A"),
    ("35-44", "AZ-01", "English", "Plan B"),
    ("35-44", "AZ-01", "Spanish", "Plan B"),
    ("35-44", "AZ-01", "Spanish", "Plan B"),
])


# --------------------------------------------------------------- k-anonymity by hand


@pytest.mark.parametrize("qis, k, n_classes, n_unique", [
    (["age_band"], 3, 2, 0),                 # 25-34: 3, 35-44: 3
    (["plan"], 3, 2, 0),                     # Plan A: 3, Plan B: 3
    (["area"], 1, 2, 1),                     # AZ-01: 5, AZ-02: 1
    (["age_band", "area"], 1, 3, 1),         # (25-34, 01): 2, (25-34, 02): 1, (35-44, 01): 3
    (["age_band", "language"], 1, 4, 2),     # (25-34, En): 2, (25-34, Sp): 1, (35-44, En): 1, (35-44, Sp): 2
    (["age_band", "plan"], 3, 2, 0),         # plan and age band coincide here
    (QIS, 1, 4, 2),                          # 2, 1, 1, 2
])
def test_hand_worked_k_anonymity(qis, k, n_classes, n_unique):
    risk = pp.k_anonymity(HAND, qis)
    assert (risk.k, risk.n_classes, risk.n_unique, risk.n_records) == (k, n_classes, n_unique, 6)
    assert risk.share_unique == pytest.approx(n_unique / 6)


def test_k_of_a_table_where_everyone_shares_every_value():
    same = _raw([("45-54", "AZ-03", "Tagalog", "Plan B")] * 12)
    risk = pp.k_anonymity(same, QIS)
    assert risk.k == 12 and risk.n_unique == 0 and risk.meets_threshold


def test_order_of_the_choice_does_not_matter():
    assert pp.k_anonymity(HAND, ["plan", "age_band"]) == pp.k_anonymity(HAND, ["age_band", "plan"])
    assert pp.check_quasi_identifiers("plan, age_band") == ("age_band", "plan")


def test_an_empty_table_has_no_k():
    with pytest.raises(CourseInputError, match="no records"):
        pp.k_anonymity(HAND.iloc[:0], ["plan"])


def test_a_missing_column_is_named():
    with pytest.raises(CourseInputError, match="'language'"):
        pp.k_anonymity(HAND.drop(columns="language"), ["language"])


# ---------------------------------------------------- bad choices of quasi-identifiers


@pytest.mark.parametrize("bad", [
    [], (), set(), "", "   ", None, 3, ["age"], ["age_band", "zip"], ["plan", "plan"], "plan,plan",
    [None], [1], "name", ["first_name"], {"plan": True},
])
def test_bad_choices_raise_course_input_error(bad):
    with pytest.raises(CourseInputError):
        pp.check_quasi_identifiers(bad)


def test_the_empty_choice_says_to_tick_a_box():
    with pytest.raises(CourseInputError, match="Tick at least one box"):
        pp.check_quasi_identifiers([])


ANY_CHOICE = st.one_of(
    st.none(), st.integers(), st.text(max_size=30),
    st.lists(st.one_of(st.sampled_from(QIS), st.text(max_size=10), st.integers()), max_size=6),
    st.tuples(st.sampled_from(QIS), st.text(max_size=8)),
)


@given(ANY_CHOICE)
@settings(max_examples=300, deadline=None)
def test_any_choice_gives_a_valid_tuple_or_a_course_input_error(choice):
    try:
        chosen = pp.check_quasi_identifiers(choice)
    except CourseInputError:
        return
    assert chosen and len(set(chosen)) == len(chosen)
    assert list(chosen) == [q for q in QIS if q in chosen]  # the course's fixed order


@given(st.lists(st.sampled_from(QIS), min_size=1, max_size=4, unique=True),
       st.sampled_from(["zip", "name", "", "Age band", "AGE_BAND"]))
def test_one_unknown_name_spoils_the_choice(good, bad):
    with pytest.raises(CourseInputError):
        pp.check_quasi_identifiers([*good, bad])


# ---------------------------------------------------------------- k-anonymity properties

ROWS = st.lists(
    st.tuples(st.sampled_from(["16-24", "25-34", "35-44"]), st.sampled_from(["AZ-01", "AZ-02", "AZ-08"]),
              st.sampled_from(["English", "Spanish", "Korean"]), st.sampled_from(["Plan A", "Plan B"])),
    min_size=1, max_size=60,
)
SUBSET = st.lists(st.sampled_from(QIS), min_size=1, max_size=4, unique=True)


@given(ROWS, SUBSET)
@settings(max_examples=150, deadline=None)
def test_k_is_the_smallest_class_size(rows, qis):
    positions = [QIS.index(q) for q in qis]
    classes = Counter(tuple(row[i] for i in positions) for row in rows)
    risk = pp.k_anonymity(_raw(rows), qis)
    assert risk.k == min(classes.values())
    assert risk.n_classes == len(classes)
    assert risk.n_unique == sum(1 for size in classes.values() if size == 1)
    assert risk.n_records == len(rows)


@given(ROWS, SUBSET, st.sampled_from(QIS))
@settings(max_examples=100, deadline=None)
def test_keeping_one_more_quasi_identifier_never_raises_k(rows, qis, extra):
    table = _raw(rows)
    more = pp.k_anonymity(table, sorted(set(qis) | {extra}))
    fewer = pp.k_anonymity(table, qis)
    assert more.k <= fewer.k and more.n_unique >= fewer.n_unique


@given(ROWS, SUBSET)
@settings(max_examples=100, deadline=None)
def test_suppression_leaves_no_shown_count_from_1_to_10(rows, qis):
    result = pp.run_pipeline(_raw(rows), qis, KEY)
    shown = result.suppressed.shown.dropna()
    assert not ((shown >= 1) & (shown <= SMALL_CELL_MAX)).any()
    step = result.steps[3]
    for value in step.preview["Count"]:
        assert value == SUPPRESSED_LABEL or int(value) > SMALL_CELL_MAX
    # The aggregated step shows bands, never an exact small count.
    assert set(result.steps[2].preview["Group size"]) <= {"1 (unique)", "2 to 10", "11 or more"}
    assert result.aggregated.sum() == len(rows)


# ----------------------------------------------------------------------- pseudonyms


def test_pseudonym_matches_an_rfc_4231_test_vector():
    # RFC 4231, test case 6: a 131-byte key of 0xaa; HMAC-SHA-256 starts 60e431591ee0b67f.
    key = b"\xaa" * 131
    assert pp.pseudonym("Test Using Larger Than Block-Size Key - Hash Key First", key) == "PSN-60e431591ee0b67f"


def test_pseudonym_is_hmac_sha256_shortened():
    expected = hmac.new(KEY, b"SYN-M-0000001", hashlib.sha256).hexdigest()[:16]
    assert pp.pseudonym("SYN-M-0000001", KEY) == "PSN-" + expected


@given(st.text(min_size=1, max_size=20).filter(str.strip), st.binary(min_size=32, max_size=64),
       st.binary(min_size=32, max_size=64))
@settings(max_examples=200)
def test_pseudonym_is_stable_for_one_key_and_differs_across_keys(identifier, key1, key2):
    assert pp.pseudonym(identifier, key1) == pp.pseudonym(identifier, key1)
    if key1 != key2:
        assert pp.pseudonym(identifier, key1) != pp.pseudonym(identifier, key2)


def test_pseudonyms_are_not_32_hex_ids_so_stored_outputs_keep_them():
    # The notebook tools rename 32-hex strings (random widget ids); a pseudonym must not look like one.
    assert re.fullmatch(r"PSN-[0-9a-f]{16}", pp.pseudonym("SYN-M-0000001", KEY))


@pytest.mark.parametrize("key", [b"short", b"", "a text key of more than thirty-two characters", None, 42])
def test_bad_keys_are_refused(key):
    with pytest.raises(CourseInputError):
        pp.pseudonym("SYN-M-0000001", key)


def test_demo_key_is_fixed_by_its_number_and_random_keys_are_not():
    assert pp.demo_key(2026) == pp.demo_key("2026") == KEY and len(KEY) == pp.MIN_KEY_BYTES
    assert pp.demo_key(2027) != KEY
    assert pp.random_key() != pp.random_key() and len(pp.random_key()) == pp.MIN_KEY_BYTES


@given(st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(), st.floats()))
def test_any_seed_gives_a_number_or_a_course_input_error(value):
    try:
        number = pp.parse_seed(value)
    except CourseInputError:
        return
    assert 0 <= number <= 999_999_999


# --------------------------------------------------------------- the synthetic world


@pytest.fixture(scope="module")
def raw():
    return pp.raw_table()


def test_raw_table_is_obviously_fictional(raw):
    assert raw["member_id"].str.fullmatch(r"SYN-M-\d{7}").all()
    assert raw["phone"].str.fullmatch(r"555-01\d\d").all()
    assert raw["email"].str.endswith("example.org").all()
    assert raw["area"].isin(pp.AREAS).all()
    assert raw["plan"].str.endswith("(fictional)").sum() + (raw["plan"] == pp.NO_PLAN).sum() == len(raw)
    assert raw["age_band"].isin(pp.AGE_BAND_LABELS).all()


def test_area_depends_on_the_member_only(raw):
    ids = raw["member_id"].tolist()
    assert pp.fictional_area(ids[::-1]) == pp.fictional_area(ids)[::-1]


def test_age_bands_by_hand():
    bands = pp.age_band(pd.Series([16, 24, 25, 44, 45, 64, 65, 90])).astype(str).tolist()
    assert bands == ["16-24", "16-24", "25-34", "35-44", "45-54", "55-64", "65+", "65+"]


def test_pipeline_steps_remove_what_they_say(raw):
    result = pp.run_pipeline(raw, ["age_band", "plan"], KEY)
    raw_step, pseudo, agg, sup = result.steps
    assert "First name" in raw_step.preview.columns and raw_step.removed == []
    for column in ("First name", "Last name", "Birth date", "Phone", "E-mail", "Member ID"):
        assert column not in pseudo.preview.columns
    assert pseudo.preview[pp.PSEUDONYM_LABEL].str.fullmatch(r"PSN-[0-9a-f]{16}").all()
    assert any("area" in item for item in pseudo.removed)  # left out by the learner
    assert pp.PSEUDONYM_LABEL not in agg.preview.columns
    assert pseudo.k == agg.k == result.risk.k == pp.k_anonymity(raw, ["age_band", "plan"]).k
    assert sup.k is None or sup.k > SMALL_CELL_MAX
    assert sup.note == suppression_note(result.suppressed)
    assert sup.removed[0] == f"{result.suppressed.n_primary} counts from 1 to {SMALL_CELL_MAX}"


def test_combination_risks_cover_all_fifteen_and_match_k(raw):
    risks = pp.combination_risks(raw)
    assert len(risks) == 15 and risks["combination"].is_unique
    full = risks[risks["n_quasi_identifiers"] == 4].iloc[0]
    assert full["k"] == pp.k_anonymity(raw, QIS).k
    finding = pp.risk_finding(risks)
    assert f"{full['percent_unique']:.0f}%" in finding
    assert "Text description" in pp.risk_description(risks)


def test_risk_chart_names_its_selection(raw):
    spec = pp.risk_chart(pp.combination_risks(raw)).to_dict()
    assert [p["name"] for p in spec["params"]] == ["pick_k_status"]
    assert spec["title"]["text"]


# ------------------------------------------------------------------------ the widget


def test_widget_default_view(raw):
    box = privacy_pipeline(raw)
    expected = pp.k_anonymity(raw, pp.DEFAULT_QUASI_IDENTIFIERS)
    assert f"<strong>k = {expected.k}</strong>" in box.result.value
    assert "4. Suppressed" in box.result.value and box.message.value == ""
    assert box.controls["age_band"].value and box.controls["plan"].value and not box.controls["area"].value
    assert "demo key made from the number 2026" in box.result.value


def test_widget_ticking_area_changes_k(raw):
    box = privacy_pipeline(raw)
    box.controls["area"].value = True
    expected = pp.k_anonymity(raw, ["age_band", "area", "plan"])
    assert f"<strong>k = {expected.k}</strong>" in box.result.value
    assert box.state["result"].quasi_identifiers == ("age_band", "area", "plan")


def test_widget_with_nothing_ticked_shows_a_message_and_keeps_the_result(raw):
    box = privacy_pipeline(raw)
    box.controls["age_band"].value = False
    before = box.result.value
    box.controls["plan"].value = False
    assert "Tick at least one box" in box.message.value
    assert box.result.value == before
    box.controls["language"].value = True
    assert box.message.value == "" and "k = " in box.result.value


def test_widget_bad_key_number_shows_a_message(raw):
    box = privacy_pipeline(raw)
    before = box.result.value
    box.controls["key_seed"].value = "twenty"
    assert "Demo key number" in box.message.value and box.result.value == before
    box.controls["key_seed"].value = "7"
    assert box.message.value == ""
    assert box.state["key"] == pp.demo_key(7)
    first = pp.pseudonym(raw["member_id"].iloc[0], pp.demo_key(7))
    assert first in box.result.value and first not in before


def test_widget_random_key_changes_every_pseudonym(raw):
    box = privacy_pipeline(raw)
    before = set(re.findall(r"PSN-[0-9a-f]{16}", box.result.value))
    box.controls["new_key"].click()
    after = set(re.findall(r"PSN-[0-9a-f]{16}", box.result.value))
    assert before and after and not before & after
    assert "new random key" in box.result.value


def test_widget_never_shows_a_count_from_1_to_10_in_the_suppressed_step(raw):
    box = privacy_pipeline(raw)
    for name in QIS:
        box.controls[name].value = True
        step = box.state["result"].steps[3]
        assert all(v == SUPPRESSED_LABEL or int(v.replace(",", "")) > SMALL_CELL_MAX for v in step.preview["Count"])
