"""Community Supports explorer: 2025 policy-guide names, Transitional Rent, codes, filters,
messages for bad codes, and the suppressed counts of the synthetic agency's services."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import community_supports as cs
from calaim_course import populations_of_focus as pof
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SMALL_CELL_MAX
from calaim_course.synthetic import generate_world
from calaim_course.widgets.community_supports import community_supports_explorer


@pytest.fixture(scope="module")
def table():
    return cs.load_community_supports()


def test_fifteen_supports_with_the_2025_names(table):
    assert list(table["number"]) == list(range(1, 16))
    names = set(table["name"])
    # Fact 2.14 correction: names from the spring 2025 Community Supports Policy Guide.
    assert "Assisted Living Facility (ALF) Transitions" in names
    assert "Community or Home Transition Services" in names
    assert "Nursing Facility Transition/Diversion to Assisted Living Facilities" not in names
    shown = cs.display_table(table)
    assert shown["Community Support"].str.contains(
        "formerly Nursing Facility Transition/Diversion to Assisted Living Facilities", regex=False).any()


def test_transitional_rent_is_the_verified_fifteenth(table):
    row = table.set_index("cs_id").loc["transitional_rent"]
    assert row["number"] == 15 and row["kind"] == "housing" and row["confidence"] == "VERIFIED"
    assert "010526-Stakeholder-News" in row["source_url"]
    assert cs.source_name(row["source_url"]) == "DHCS Stakeholder News, January 5, 2026"


def test_housing_filter(table):
    rows = cs.filter_supports(table, "housing")
    assert list(rows["name"]) == [
        "Housing Transition Navigation Services", "Housing Deposits", "Housing Tenancy and Sustaining Services",
        "Short-Term Post-Hospitalization Housing", "Transitional Rent",
    ]
    assert len(cs.filter_supports(table, cs.ALL)) == 15


@pytest.mark.parametrize(
    "code, expected",
    [
        ("H0044", {"Housing Deposits", "Short-Term Post-Hospitalization Housing",
                   "Community or Home Transition Services", "Transitional Rent"}),
        ("h0044+u2", {"Housing Deposits"}),
        ("H0044 U6", {"Transitional Rent"}),
        ("S5165", {"Environmental Accessibility Adaptations (Home Modifications)", "Asthma Remediation"}),
        ("Z9999", set()),
        ("", None),
    ],
)
def test_code_lookup(table, code, expected):
    rows = cs.filter_supports(table, cs.ALL, code)
    if expected is None:
        assert len(rows) == 15
    else:
        assert set(rows["name"]) == expected


@pytest.mark.parametrize("bad", ["H44", "0044H", "H0044+", "H0044+U66", "housing", "H00441", 44])
def test_bad_codes_name_the_field(table, bad):
    with pytest.raises(CourseInputError) as problem:
        cs.filter_supports(table, cs.ALL, bad)
    assert problem.value.field == "Code"


def test_unknown_kind(table):
    with pytest.raises(CourseInputError, match="Kind"):
        cs.filter_supports(table, "transport")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=12))
def test_any_code_text_gives_rows_or_a_course_input_error(table, text):
    try:
        rows = cs.filter_supports(table, cs.ALL, text)
    except CourseInputError:
        return
    assert set(rows["cs_id"]) <= set(table["cs_id"])


def test_finding_is_computed(table):
    finding = cs.finding(table)
    assert finding.startswith("5 of the 15 Community Supports")
    assert "H0044 appears in 4 of them" in finding


def test_source_links_have_descriptive_text(table):
    html = cs.table_html(cs.display_table(table), "caption")
    assert '<a href="https://docs.google.com/presentation/' in html
    assert ">Summary of the 2025 policy guide (slides, April 2025)" in html
    assert "@@source" not in html


# ------------------------------------------------------- the synthetic agency's services


@pytest.fixture(scope="module")
def served():
    world = generate_world(seed=2026, scale=300)
    counts = cs.members_served(world.services, world.members, pof.plan_names(world.organizations))
    return world, counts, cs.suppressed_members_served(counts)


def test_members_served_counts_distinct_members(served):
    world, counts, _ = served
    delivered = world.services[world.services["program"] == "community_supports"]
    expected = delivered.groupby("cs_id")["member_id"].nunique()
    names = cs.load_community_supports().set_index("cs_id")["name"]
    assert counts[cs.TOTAL].to_dict() == {names[k]: v for k, v in expected.items()}


def test_members_served_hides_small_counts(served):
    _, counts, result = served
    small = (counts >= 1) & (counts <= SMALL_CELL_MAX)
    assert result.mask.to_numpy()[small.to_numpy()].all()
    spec = json.dumps(cs.members_served_chart(result, "July 2025 to June 2026").to_dict())
    assert '"bind": "legend"' in spec
    for value in result.to_long()["count"].dropna():
        assert not 1 <= value <= SMALL_CELL_MAX


# ---------------------------------------------------------------------------- the widget


def test_widget_default_view_is_housing():
    box = community_supports_explorer()
    assert box.controls["kind"].value == "housing"
    assert "5 Community Supports of kind" in box.result.value
    assert "Transitional Rent" in box.result.value
    assert "Sobering Centers" not in box.result.value


def test_widget_kind_and_code_filters():
    box = community_supports_explorer()
    box.controls["kind"].value = "food"
    assert "Medically Tailored Meals/Medically Supportive Food" in box.result.value
    box.controls["kind"].value = cs.ALL
    box.controls["code"].value = "H0044+U2"
    assert "1 Community Support of all kinds using code H0044 with modifier U2: Housing Deposits." in box.result.value


def test_widget_bad_code_shows_a_message_and_keeps_the_result():
    box = community_supports_explorer()
    before = box.result.value
    box.controls["code"].value = "housing"
    assert "Code: got" in box.message.value
    assert box.result.value == before
    box.controls["code"].value = ""
    assert box.message.value == ""


def test_service_period_and_finding_are_computed(served):
    world, counts, result = served
    period = cs.service_period(world.services)
    first = world.services["service_date"].min()
    assert period.startswith(f"{first:%B %Y} to ")
    finding = cs.members_served_finding(result, period)
    top = result.shown[cs.TOTAL].dropna().astype(int).idxmax()
    assert f"{top} reached the most members ({counts.loc[top, cs.TOTAL]:,} across both plans)" in finding
