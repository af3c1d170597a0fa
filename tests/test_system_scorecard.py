"""The system requirements scorecard: its tables, hand-worked scores, bad weights, widget."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import system_scorecard as sc
from calaim_course.errors import CourseInputError
from calaim_course.widgets.system_scorecard import scorecard_explorer

KEEPER, HUB, SUITE = "Pretend Case Keeper", "Imaginary Billing Hub", "Make-Believe Records Suite"
IDS = ["hipaa_security", "business_associate", "claims_invoices", "return_transmission_file",
       "role_based_access", "audit_log", "consent_tracking", "aggregate_reporting"]


def only(**weights: int) -> dict[str, int]:
    """Every weight 0 except the ones given."""
    return {requirement_id: weights.get(requirement_id, 0) for requirement_id in IDS}


# ------------------------------------------------------------------------------ tables


def test_requirements_cover_the_rules_the_section_names_each_with_a_source():
    table = sc.requirements()
    assert list(table.index) == IDS
    assert table["rule"].str.len().min() > 40 and table["vendor_question"].str.endswith("?").all()
    assert table["source_url"].str.startswith("https://").all()
    assert set(table["confidence"]) <= {"VERIFIED", "SECONDARY"}  # never UNVERIFIED as a rule
    assert table["default_weight"].between(0, 5).all()
    rules = " ".join(table["rule"])
    for needle in ["HIPAA Security Rule", "164.308(b)", "Return Transmission File", "164.312(b)",
                   "94.115", "role-based access"]:
        assert needle in rules


def test_fictional_systems_are_complete_and_unmistakably_fictional():
    table = sc.systems()
    assert sc.system_names() == [KEEPER, HUB, SUITE]
    for name, group in table.groupby("system"):
        assert sorted(group["requirement_id"]) == sorted(IDS), name
        assert group["description"].str.contains("fictional").all()
    assert set(table["support"]) == {"full", "partial", "none"}
    assert (table["confidence"] == "ILLUSTRATIVE").all()
    assert table["note"].str.startswith("FICTIONAL").all()


# ------------------------------------------------------------------ hand-worked scores


def test_default_weights_worked_by_hand():
    # Default weights: HIPAA 5, BAA 4, claims 4, RTF 4, records apart 5, audit 3, consent 5,
    # aggregate 3 -> 33 points possible. Meets = full weight, partly = half, misses = 0.
    # Suite:  5 + 4 + 4 + 2 + 2.5 + 3 + 2.5 + 0   = 23   -> 69.7
    # Hub:    5 + 4 + 4 + 4 + 2.5 + 1.5 + 0 + 1.5 = 22.5 -> 68.2
    # Keeper: 2.5 + 0 + 0 + 0 + 5 + 3 + 5 + 3     = 18.5 -> 56.1
    card = sc.score()
    assert list(card.ranking["system"]) == [SUITE, HUB, KEEPER]
    assert list(card.ranking["score"]) == [69.7, 68.2, 56.1]
    assert list(card.ranking["rank"]) == [1, 2, 3]
    assert card.row(HUB)["must_haves_missed"] == ["Consent tracking"]
    assert card.row(KEEPER)["misses"] == ["Business associate agreement", "Claims or invoices",
                                          "Return Transmission File"]
    assert card.row(SUITE)["misses"] == ["Aggregate reports with small counts hidden"]
    sentence = sc.finding(card)
    assert sentence.startswith("Make-Believe Records Suite ranks first with 69.7 out of 100.")
    assert sentence.endswith("No system meets every requirement you weighted in full; the leader misses: "
                             "Aggregate reports with small counts hidden.")


def test_consent_only_reverses_the_ranking():
    # Keeper meets consent tracking (5 of 5), the Suite partly (2.5), the Hub misses it (0).
    card = sc.score(only(consent_tracking=5))
    assert list(card.ranking["system"]) == [KEEPER, SUITE, HUB]
    assert list(card.ranking["score"]) == [100.0, 50.0, 0.0]
    assert card.row(HUB)["must_haves_missed"] == ["Consent tracking"]
    assert card.row(KEEPER)["misses"] == []  # weight 0 means "ignore", so nothing else counts
    assert sc.finding(card).endswith("Pretend Case Keeper meets every requirement you weighted in full.")


def test_ties_share_a_rank():
    card = sc.score(only(hipaa_security=2))
    assert list(card.ranking["rank"]) == [1, 1, 3]
    assert list(card.ranking["system"]) == [HUB, SUITE, KEEPER]  # ties in name order
    assert sc.finding(card) == ("Imaginary Billing Hub and Make-Believe Records Suite tie for first place with "
                                "100.0 out of 100. Imaginary Billing Hub and Make-Believe Records Suite meet every "
                                "requirement you weighted in full.")


def test_halves_round_up_like_the_chart():
    # The Hub partly meets the audit log: 0.5 x 1 = 0.5 of 40 points possible = 1.25% -> 1.3.
    weights = only(audit_log=1, hipaa_security=5, business_associate=5, claims_invoices=5,
                   return_transmission_file=5, role_based_access=5, consent_tracking=5, aggregate_reporting=5)
    card = sc.score({**weights, "hipaa_security": 0, "business_associate": 0, "claims_invoices": 0,
                     "return_transmission_file": 0, "role_based_access": 0, "aggregate_reporting": 0})
    # Now 6 points possible: consent 5 + audit 1. Hub: 0 + 0.5 = 0.5 -> 8.33 -> 8.3.
    assert card.row(HUB)["score"] == 8.3
    from calaim_course.inputs import percent_one_decimal

    assert percent_one_decimal(0.5, 40) == 1.3 and percent_one_decimal(1, 8) == 12.5


def test_vendor_questions_follow_the_gaps():
    card = sc.score()
    questions = sc.vendor_questions(card, SUITE)
    assert list(questions["Requirement"]) == ["Return Transmission File", "DV advocacy records kept apart",
                                              "Consent tracking", "Aggregate reports with small counts hidden"]
    assert len(sc.vendor_questions(card)) == 8
    assert sc.vendor_questions(sc.score(only(consent_tracking=5)), KEEPER).empty
    with pytest.raises(CourseInputError, match="System: got 'Real Product'"):
        sc.vendor_questions(card, "Real Product")


# ------------------------------------------------------------------------- bad weights


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"audit_log": 6}, "Weight for Audit log: got 6"),
        ({"audit_log": -1}, "Weight for Audit log: got -1"),
        ({"consent_tracking": "high"}, "Weight for Consent tracking: got 'high'"),
        ({"consent_tracking": 2.5}, "Weight for Consent tracking: got 2.5"),
        ({"consent_tracking": True}, "Weight for Consent tracking: got True"),
        ({"consent_tracking": None}, "Weight for Consent tracking: got None"),
        ({"speed": 3}, "Requirement: got 'speed'"),
        (only(), "at least one requirement with a weight above 0"),
        ([("audit_log", 3)], "a mapping from requirement to weight"),
    ],
)
def test_bad_weights_give_clear_messages(weights, message):
    with pytest.raises(CourseInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sc.score(weights)


def test_text_weights_are_accepted():
    assert sc.parse_weights({"audit_log": " 4 ", "consent_tracking": 3.0})["audit_log"] == 4


# ------------------------------------------------------------------------------ chart


def test_chart_has_one_slider_per_requirement_with_the_default_weights():
    spec = sc.scorecard_chart().to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert set(params) == {f"w_{i}" for i in IDS}
    for requirement_id, weight in sc.default_weights().items():
        assert params[f"w_{requirement_id}"]["value"] == weight
        assert params[f"w_{requirement_id}"]["bind"]["input"] == "range"
    expression = sc.weight_expression(IDS)
    assert all(f"'{i}' ? w_{i}" in expression for i in IDS)
    frame = sc.chart_frame()
    assert set(frame["support_points"]) == {0.0, 0.5, 1.0} and len(frame) == 24
    titles = [c.get("title", {}).get("text") for c in spec["vconcat"]]
    assert titles == ["Weighted score by system", "What each fictional system meets"]


# ------------------------------------------------------------------------- properties

_weight = st.one_of(st.integers(-3, 8), st.text(max_size=3), st.floats(allow_nan=True), st.none(), st.booleans())


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(IDS + ["unknown"]), _weight))
def test_any_weights_give_a_scorecard_or_a_course_input_error(weights):
    try:
        card = sc.score(weights)
    except CourseInputError as problem:
        assert str(problem)
    else:
        assert card.ranking["score"].between(0, 100).all()


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({i: st.integers(0, 5) for i in IDS}).filter(lambda w: any(w.values())))
def test_scores_follow_the_definition(weights):
    card = sc.score(weights)
    support = sc.systems()
    possible = sum(weights.values())
    for system, group in support.groupby("system"):
        earned = sum(sc.SUPPORT_POINTS[s] * weights[r] for r, s in zip(group["requirement_id"], group["support"]))
        assert card.row(system)["score"] == pytest.approx(100 * earned / possible, abs=0.0501)  # one decimal, halves up
        missed = {r for r, s in zip(group["requirement_id"], group["support"]) if s == "none" and weights[r] > 0}
        assert len(card.row(system)["misses"]) == len(missed)
    assert list(card.ranking["score"]) == sorted(card.ranking["score"], reverse=True)
    assert card.ranking["rank"].iloc[0] == 1


# ------------------------------------------------------------------------------ widget


def test_widget_default_view():
    box = scorecard_explorer()
    shown = box.result.value
    assert "Make-Believe Records Suite ranks first with 69.7" in shown
    assert "<caption>Fictional systems ranked by weighted score" in shown
    assert "Questions to ask about the gaps of the first-ranked system, Make-Believe Records Suite" in shown
    assert "not real products" in shown
    assert set(box.controls) == set(IDS) and box.controls["consent_tracking"].value == 5
    assert box.message.value == ""


def test_widget_all_zero_shows_a_message_and_keeps_the_result():
    box = scorecard_explorer(only(audit_log=1))
    before = box.result.value
    box.controls["audit_log"].value = 0
    assert "at least one requirement with a weight above 0" in box.message.value
    assert box.result.value == before


def test_widget_reranks_when_a_weight_moves():
    box = scorecard_explorer()
    for requirement_id, control in box.controls.items():
        control.value = 5 if requirement_id == "consent_tracking" else 0
    assert box.message.value == ""
    assert "Pretend Case Keeper ranks first with 100.0" in box.result.value
    assert "meets every requirement you weighted" in box.result.value
    assert box.card.leader == KEEPER
