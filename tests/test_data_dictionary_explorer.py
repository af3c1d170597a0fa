"""Data dictionary explorer: rows from the schemas, search, bad input and the widget."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import data_dictionary as dd
from calaim_course import data_dictionary_explorer as dde
from calaim_course.errors import CourseInputError
from calaim_course.reference import list_reference, reference_schema
from calaim_course.schemas import SYNTHETIC_SCHEMAS
from calaim_course.widgets.data_dictionary_explorer import dictionary_explorer


@pytest.fixture(scope="module")
def rows():
    return dde.dictionary_rows()


def test_rows_cover_every_column_of_every_schema(rows):
    expected = sum(len(s.columns) for s in SYNTHETIC_SCHEMAS.values())
    expected += sum(len(reference_schema(name).columns) for name in list_reference())
    assert len(rows) == expected
    assert list(rows.columns) == dde.COLUMNS
    assert set(rows.loc[rows["Kind"] == "synthetic", "Table"]) == set(SYNTHETIC_SCHEMAS)


def test_rows_agree_with_the_generated_page(rows):
    # Same descriptions, type labels and allowed values as calaim_course.data_dictionary.
    column = SYNTHETIC_SCHEMAS["members"].columns["medi_cal_status"]
    row = rows[(rows["Table"] == "members") & (rows["Column"] == "medi_cal_status")].iloc[0]
    assert row["Meaning"] == column.description
    assert row["Type"] == dd.type_label(column) == "text"
    assert row["Allowed values"] == "full_scope, restricted_scope, application_pending"
    plan = rows[(rows["Table"] == "members") & (rows["Column"] == "plan_id")].iloc[0]
    assert plan["Type"] == "text (can be empty)" and plan["Example"] == "SYN-ORG-002"


def test_search_by_words(rows):
    found = dde.search_dictionary(rows, "release", table="consents")
    assert {"consent_type", "revoked_date"} <= set(found["Column"])
    assert set(found["Table"]) == {"consents"}
    # Every word must match; case does not matter; underscores and spaces match.
    both = dde.search_dictionary(rows, "PLAN member")
    assert "plan_member_id" in set(both["Column"])
    exact = dde.search_dictionary(rows, "plan_member_id")
    assert set(exact["Column"]) == {"plan_member_id"}
    loose = dde.search_dictionary(rows, "plan member id")  # three words, each anywhere
    assert set(zip(exact["Table"], exact["Column"])) < set(zip(loose["Table"], loose["Column"]))
    plan_ids = dde.search_dictionary(rows, "plan_id")
    assert {"members", "claims", "referrals"} <= set(plan_ids["Table"])


def test_empty_search_lists_the_table(rows):
    members = dde.search_dictionary(rows, "", table="members")
    assert members["Column"].tolist() == list(SYNTHETIC_SCHEMAS["members"].columns)
    assert len(dde.search_dictionary(rows, "  ")) == len(rows)


@pytest.mark.parametrize("text, match", [("x" * 81, "at most 80"), ("?!", "letters or numbers"), (12, "as text"),
                                         ("zzqx", "Try one shorter word")])
def test_bad_search(rows, text, match):
    with pytest.raises(CourseInputError, match=match):
        dde.search_dictionary(rows, text)


def test_unknown_table(rows):
    with pytest.raises(CourseInputError, match="Table"):
        dde.search_dictionary(rows, "", table="patients")
    with pytest.raises(CourseInputError, match="Table"):
        dde.table_description("patients")


def test_table_names_and_descriptions():
    names = dde.table_names()
    assert names[: len(SYNTHETIC_SCHEMAS)] == list(SYNTHETIC_SCHEMAS)
    assert "required_member_fields" in names
    assert "One row per person" in dde.table_description("members")


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=90), table=st.sampled_from([dde.ALL_TABLES, "members", "claims", "fpl", "nowhere"]))
def test_any_search_gives_rows_or_a_message(rows, text, table):
    try:
        found = dde.search_dictionary(rows, text, table)
    except CourseInputError as error:
        assert str(error).split(":")[0] in ("Search", "Table")
        return
    assert len(found) >= 1 and list(found.columns) == dde.COLUMNS


def test_widget_default_and_search():
    box = dictionary_explorer()
    assert box.controls["table"].value == "members"
    assert "39 columns: every column in the members table" in box.result.value
    assert "One row is:" in box.result.value
    before = box.result.value
    box.controls["search"].value = "zzqx"
    assert "Search" in box.message.value and box.result.value == before
    box.controls["table"].value = dde.ALL_TABLES
    box.controls["search"].value = "Closed Loop"
    assert box.message.value == "" and "loop_closed_date" in box.result.value
    assert "in all tables" in box.result.value and "One row is:" not in box.result.value
