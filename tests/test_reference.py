"""Reference tables: every file validates, sources are present, and the loader's API holds."""

from pathlib import Path

import pandas as pd
import pytest

from calaim_course.errors import CourseInputError
from calaim_course.reference import (REFERENCE_DIR, cs_code_lines, list_reference, load_reference,
                                     monthly_income_limit, poverty_guideline, usable_for_synthetic)
from calaim_course.schemas import REFERENCE_SCHEMAS


def test_every_schema_has_a_file():
    files = sorted(p.stem for p in Path(REFERENCE_DIR).glob("*.csv"))
    assert files == list_reference()
    assert set(REFERENCE_SCHEMAS) <= set(files)


@pytest.mark.parametrize("name", list_reference())
def test_table_loads_validated_with_source_columns(name):
    table = load_reference(name)
    assert len(table) > 0
    assert {"source_url", "confidence", "last_verified", "note"} <= set(table.columns)
    sourced = ~table["confidence"].isin(["ILLUSTRATIVE", "UNVERIFIED"])
    assert table.loc[sourced, "source_url"].str.startswith("https://").all()
    assert (table["last_verified"] <= pd.Timestamp("2026-12-31")).all()


def test_load_returns_a_copy():
    first = load_reference("fpl")
    first.loc[0, "poverty_guideline_usd"] = 0
    assert load_reference("fpl").loc[0, "poverty_guideline_usd"] == 15650


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(CourseInputError) as error:
        load_reference("poverty")
    assert "reference table" in str(error.value) and "fpl" in str(error.value)


def test_schema_rejects_a_bad_row(tmp_path):
    table = load_reference("fpl")
    table.loc[0, "household_size"] = 9
    with pytest.raises(Exception, match="household_size"):
        REFERENCE_SCHEMAS["fpl"].validate(table)
    table = load_reference("clr_closure_reasons")
    table.loc[1, "source_url"] = None
    table.loc[1, "confidence"] = "SECONDARY"
    with pytest.raises(Exception, match="source_url"):
        REFERENCE_SCHEMAS["clr_closure_reasons"].validate(table)


def test_poverty_guidelines_match_the_fact_base():
    assert poverty_guideline(2026, 1) == 15960
    assert poverty_guideline(2026, 8) == 55720
    assert poverty_guideline(2026, 10) == 55720 + 2 * 5680
    assert poverty_guideline(2025, 4) == 32150
    with pytest.raises(CourseInputError, match="year"):
        poverty_guideline(2019, 1)
    with pytest.raises(CourseInputError, match="household size"):
        poverty_guideline(2026, 0)


def test_monthly_138_percent_limits_reproduce_fact_1_19a():
    assert [monthly_income_limit(2025, k, 138) for k in range(1, 9)] == [1801, 2433, 3065, 3699, 4331, 4963, 5596, 6228]
    assert [monthly_income_limit(2026, k, 138) for k in range(1, 9)] == [1836, 2490, 3143, 3795, 4450, 5102, 5755, 6409]


def test_unverified_facts_are_marked_not_taught():
    pof = load_reference("ecm_populations_of_focus").set_index("pof_id")
    assert pd.isna(pof.loc["adult_birth_equity", "go_live"])
    assert pof.loc["adult_birth_equity", "go_live_confidence"] == "UNVERIFIED"
    icd = load_reference("icd10_codes").set_index("code")
    assert (icd.loc[["Z59.01", "Z59.02"], "confidence"] == "UNVERIFIED").all()
    assert "Z59.01" not in set(usable_for_synthetic(load_reference("icd10_codes"))["code"])
    ecm = load_reference("ecm_codes").set_index("code_id")
    assert ecm.loc["G9008_U1", "confidence"] == "UNVERIFIED"
    assert ecm.loc["G9012_U2", "confidence"] == "SECONDARY"
    reasons = load_reference("clr_closure_reasons").set_index("reason_id")
    assert reasons.loc["services_received", "confidence"] == "VERIFIED"
    assert (reasons.drop(index="services_received")["confidence"] == "ILLUSTRATIVE").all()


def test_sourced_counts_and_codes():
    assert len(load_reference("ecm_core_components")) == 7
    supports = load_reference("community_supports")
    assert supports["number"].tolist() == list(range(1, 16))
    assert supports.set_index("cs_id").loc["sobering_centers", "in_closed_loop_scope"] == False  # noqa: E712
    assert len(load_reference("clr_referral_statuses")) == 5
    chw = load_reference("chw_codes").set_index("code")
    assert chw.loc["G0019", "effective_from"] == pd.Timestamp("2025-04-01")
    assert chw.loc["98961", ["group_size_min", "group_size_max"]].tolist() == [2, 4]


def test_cs_code_lines_explodes_every_combination():
    lines = cs_code_lines()
    supports = load_reference("community_supports")
    assert len(lines) == supports["hcpcs_codes"].str.count(";").sum() + len(supports)
    assert ("housing_deposits", "H0044", "U2") in set(zip(lines["cs_id"], lines["hcpcs"], lines["modifiers"]))
