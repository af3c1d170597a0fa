"""The "Can we share this?" explorer: every offered scenario has a cited answer; key scenarios by hand."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from calaim_course import sharing_rules as rules
from calaim_course.errors import CourseInputError
from calaim_course.reference import REFERENCE_DIR
from calaim_course.widgets.sharing_rules import sharing_explorer

TABLE = rules.load_rules()
SCENARIOS = rules.all_scenarios()


def _id(scenario: dict) -> str:
    return "-".join(scenario.values())


# --------------------------------------------------------------------------- coverage


def test_the_page_offers_exactly_the_options_that_are_tested():
    box = sharing_explorer()
    for choice, (_column, options, _label) in rules.CHOICES.items():
        offered = [key for _text, key in box.controls[choice].options]
        assert offered == list(options), choice
    assert len(SCENARIOS) == len(rules.INFO_TYPES) * len(rules.RECIPIENTS) * len(rules.PURPOSES) * len(rules.CONSENT_STATUSES)
    assert len({_id(s) for s in SCENARIOS}) == len(SCENARIOS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=_id)
def test_every_offered_scenario_gets_an_answer_with_a_citation(scenario):
    result = rules.decide(**scenario, rules=TABLE)
    assert result.answer in rules.ANSWERS
    assert result.rules, "at least one rule"
    assert result.rules[0].deciding and not any(r.deciding for r in result.rules[1:])
    for rule in result.rules:
        assert rule.citation.strip()
        assert rule.source_url.startswith("https://")
        assert rule.confidence in ("VERIFIED", "SECONDARY")
    html = rules.answer_html(result)
    assert result.sentence.replace("'", "&#x27;") in html
    assert html.count("<a href=") == len(result.rules)


def test_every_row_of_the_rule_table_has_source_confidence_and_date():
    raw = pd.read_csv(REFERENCE_DIR / "sharing_rules.csv", dtype=str, keep_default_na=False)
    assert list(raw.columns[-4:]) == ["source_url", "confidence", "last_verified", "note"]
    assert (raw["source_url"].str.startswith("https://")).all()
    assert raw["confidence"].isin(["VERIFIED", "SECONDARY"]).all()
    assert raw["last_verified"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()


def test_every_deciding_row_is_used_by_some_scenario():
    used = {rules.decide(**s, rules=TABLE).rules[0].rule_id for s in SCENARIOS}
    deciding = set(TABLE.loc[TABLE["answer"] != "", "rule_id"])
    assert deciding == used


# --------------------------------------------------------------------------- key scenarios


def test_pii_to_a_plan_for_payment_without_consent_is_no():
    result = rules.decide("identifying", "managed_care_plan", "payment", "none")
    assert result.answer == "no"
    assert result.rules[0].citation == "34 U.S.C. 12291(b)(2)"
    # Both rulebooks are shown: HIPAA would allow it, the grant conditions decide.
    assert "45 CFR 164.506" in result.citations
    assert "42 U.S.C. 10406(c)(5)" in result.citations and "28 CFR 94.115(a)" in result.citations


@pytest.mark.parametrize("consent", ["none", "not_valid", "ended"])
def test_no_release_means_no_for_plan_payment_whatever_the_release_problem(consent):
    assert rules.decide("identifying", "managed_care_plan", "payment", consent).answer == "no"


def test_hashing_the_identifier_does_not_change_the_answer():
    plain = rules.decide("identifying", "managed_care_plan", "payment", "none")
    hashed = rules.decide("hashed_identifier", "managed_care_plan", "payment", "none")
    assert hashed.answer == plain.answer == "no"
    assert any("hashed" in r.what_it_says for r in hashed.rules if r.rule_id == "hashing_does_not_help")


@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if s["info_type"] == "identifying"], ids=_id)
def test_hashed_identifiers_always_get_the_plain_identifiers_answer(scenario):
    hashed = {**scenario, "info_type": "hashed_identifier"}
    assert rules.decide(**hashed, rules=TABLE).answer == rules.decide(**scenario, rules=TABLE).answer


@pytest.mark.parametrize("consent", list(rules.CONSENT_STATUSES))
def test_a_court_order_means_notify_and_release_only_what_is_ordered(consent):
    result = rules.decide("identifying", "court_or_government", "court_order", consent)
    assert result.answer == "only_what_is_ordered"
    assert "Tell the survivor" in result.sentence and "only what the court order requires" in result.sentence.lower()
    assert result.rules[0].citation == "28 CFR 94.115(b)"
    assert "45 CFR 164.512(e)" in result.citations


def test_a_court_order_for_counseling_records_goes_through_the_privilege():
    result = rules.decide("counseling_communications", "court_or_government", "court_order", "none")
    assert result.answer == "only_what_is_ordered"
    assert result.rules[0].citation == "Cal. Evid. Code 1037.2"
    assert "Claim the privilege" in result.reading


def test_a_subpoena_alone_is_not_enough():
    result = rules.decide("medi_cal_service", "court_or_government", "subpoena", "none")
    assert result.answer == "not_on_subpoena_alone"
    assert "45 CFR 164.512(e)" in result.citations


def test_a_reporting_law_allows_only_what_it_requires_and_only_to_its_authority():
    to_authority = rules.decide("identifying", "court_or_government", "mandated_report", "none")
    assert to_authority.answer == "only_what_law_requires"
    assert {"45 CFR 164.512(a)", "45 CFR 164.512(c)", "Cal. Evid. Code 1037.3"} <= set(to_authority.citations)
    to_plan = rules.decide("identifying", "managed_care_plan", "mandated_report", "none")
    assert to_plan.answer == "no"
    assert any(r.rule_id == "reporting_law_names_authority" for r in to_plan.rules)


def test_reporting_and_databases_get_counts_even_with_a_release():
    assert rules.decide("identifying", "funder_or_hmis", "reporting", "valid").answer == "no_aggregate_only"
    assert rules.decide("identifying", "funder_or_hmis", "care_coordination", "valid").answer == "no_aggregate_only"
    assert rules.decide("identifying", "managed_care_plan", "reporting", "valid").answer == "no_aggregate_only"


def test_a_valid_release_allows_sharing_within_it():
    result = rules.decide("medi_cal_service", "managed_care_plan", "payment", "valid")
    assert result.answer == "yes_with_release"
    assert "45 CFR 164.502(b)" in result.citations  # minimum necessary still applies
    assert "Cal. Civ. Code 56.10" in result.citations


def test_aggregate_counts_can_be_shared_with_small_cells_hidden():
    result = rules.decide("aggregate", "funder_or_hmis", "reporting", "none")
    assert result.answer == "yes_aggregate"
    assert "CalHHS DDG 4.4.1" in result.citations


def test_ended_and_invalid_releases_explain_why():
    ended = rules.decide("identifying", "health_provider", "care_coordination", "ended")
    assert any(r.rule_id == "revocation" for r in ended.rules)
    invalid = rules.decide("identifying", "health_provider", "care_coordination", "not_valid")
    assert {"consent_conditions", "not_condition_of_service"} <= {r.rule_id for r in invalid.rules}


def test_location_is_identifying_and_safe_at_home_applies_to_government():
    result = rules.decide("location", "court_or_government", "care_coordination", "none")
    assert result.answer == "no"
    ids = {r.rule_id for r in result.rules}
    assert {"location_is_pii", "safe_at_home_address"} <= ids
    assert "safe_at_home_address" not in {r.rule_id for r in rules.decide("location", "managed_care_plan", "payment", "none").rules}


def test_context_rows_repeating_the_deciding_citation_are_not_repeated():
    result = rules.decide("identifying", "managed_care_plan", "payment", "none")
    assert result.citations.count("34 U.S.C. 12291(b)(2)") == 1


# --------------------------------------------------------------------------- bad input and a broken table


@pytest.mark.parametrize("bad", [
    {"info_type": "gossip"}, {"recipient": "the press"}, {"purpose": ""}, {"consent": None}, {"consent": 1},
])
def test_unknown_options_raise_a_clear_error(bad):
    scenario = {**rules.DEFAULT_SCENARIO, **bad}
    with pytest.raises(CourseInputError) as caught:
        rules.decide(**scenario)
    assert "expected one of" in str(caught.value)


def _raw() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "sharing_rules.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("column,value,where", [
    ("recipients", "the_press", "recipients"),
    ("answer", "maybe", "answer"),
    ("source_url", "http://example.org", "source_url"),
    ("confidence", "UNVERIFIED", "confidence"),
    ("last_verified", "2026-13-01", "last_verified"),
    ("priority", "ten", "priority"),
    ("citation", " ", "citation"),
])
def test_a_broken_rule_row_is_named(column, value, where):
    table = _raw()
    table.loc[3, column] = value
    with pytest.raises(CourseInputError) as caught:
        rules.validate_rules(table)
    assert f"line 5 ({table.loc[3, 'rule_id']}), {where}" in str(caught.value)


def test_a_missing_column_or_a_duplicate_is_named():
    with pytest.raises(CourseInputError, match="our_reading"):
        rules.validate_rules(_raw().drop(columns=["our_reading"]))
    table = _raw()
    table.loc[1, "priority"] = table.loc[0, "priority"]
    with pytest.raises(CourseInputError, match="unique priority"):
        rules.validate_rules(table)


def test_a_gap_in_the_table_is_a_bug_not_a_learner_error():
    context_only = TABLE[TABLE["answer"] == ""]
    with pytest.raises(LookupError):
        rules.decide(**rules.DEFAULT_SCENARIO, rules=context_only)


# --------------------------------------------------------------------------- grid, chart, widget


def test_grid_finding_is_computed_from_the_grid():
    grid = rules.answer_grid(TABLE)
    assert len(grid) == len(SCENARIOS)
    finding = rules.grid_finding(grid)
    assert re.search(r"in 10 of 10 scenarios with a valid release and in 0 of 30 without one", finding)
    changed = grid.copy()
    mask = (changed["recipient"] == "managed_care_plan") & (changed["consent"] == "none") & (changed["purpose"] == "payment")
    changed.loc[mask & (changed["info_type"] == "identifying"), "answer"] = "yes_with_release"
    assert "in 1 of 30 without one" in rules.grid_finding(changed)


def test_chart_has_named_dropdowns_and_every_answer_in_its_legend():
    spec = rules.answer_chart(rules.answer_grid(TABLE)).to_dict()
    names = [p["name"] for p in spec["params"]]
    assert names == ["recipient_pick", "consent_pick"]
    assert spec["params"][0]["bind"]["options"] == list(rules.RECIPIENTS.values())
    assert spec["title"]["text"].startswith("Can we share this?")


def test_widget_updates_when_a_dropdown_changes():
    box = sharing_explorer()
    assert "Do not share it" in box.result.value
    box.controls["consent"].value = "valid"
    assert "within the release" in box.result.value
    box.controls["purpose"].value = "court_order"
    assert "Only what the court order requires" in box.result.value
    assert box.message.value == ""


def test_widget_rejects_a_bad_starting_scenario():
    with pytest.raises(CourseInputError):
        sharing_explorer({"recipient": "a neighbour"})
