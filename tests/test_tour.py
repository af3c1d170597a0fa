"""The section template's examples: computed finding, charts, and the suppression demo."""

from __future__ import annotations

import pytest

from calaim_course import tour
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SUPPRESSED_LABEL
from calaim_course.widgets.tour import suppression_demo


def test_finding_is_computed_from_the_reference_table():
    uptake = tour.load_uptake()
    sentence = tour.uptake_finding(uptake)
    ecm_2024 = uptake.query("program == 'Enhanced Care Management' and year == 2024")
    assert f"to {ecm_2024['percent_of_mcp_members'].iloc[0]}%" in sentence
    assert set(uptake["source_url"]) == {"https://lao.ca.gov/Publications/Report/5003"}


def test_charts_build_with_a_legend_selection_and_titles():
    uptake = tour.load_uptake()
    spec = tour.uptake_altair(uptake).to_dict()
    assert spec["params"][0]["bind"] == "legend"
    assert spec["encoding"]["y"]["title"] and spec["encoding"]["x"]["title"]
    figure = tour.uptake_plotly(uptake)
    assert figure.layout.title.text and figure.layout.xaxis.title.text


def test_parse_counts_names_the_bad_entry():
    assert list(tour.parse_counts(" 4, 0,12 ")) == [4, 0, 12]
    with pytest.raises(CourseInputError, match="Count 2: got '-4'"):
        tour.parse_counts("12, -4")
    with pytest.raises(CourseInputError, match="Count 1: got 'ten'"):
        tour.parse_counts("ten")
    with pytest.raises(CourseInputError, match="Counts"):
        tour.parse_counts("   ")
    with pytest.raises(CourseInputError, match="at most"):
        tour.parse_counts(",".join(["20"] * 13))


def test_demo_default_view_hides_small_counts_and_one_more():
    demo = suppression_demo()
    shown = demo.result.value
    assert "What a reader sees" in shown and "42" in shown
    assert shown.count(f"<td>{SUPPRESSED_LABEL}</td>") == 3  # 7 and 3, plus 15 to protect them
    assert "<td>0</td>" in shown.split("What a reader sees</th>")[1], "zeros are shown"
    assert "CalHHS" in shown


def test_demo_bad_input_shows_a_message_and_keeps_the_table():
    demo = suppression_demo()
    before = demo.result.value
    demo.counts.value = "12, -4"
    assert "Count 2: got &#x27;-4&#x27;" in demo.message.value
    assert demo.result.value == before
    demo.counts.value = "50, 60, 70"
    assert demo.message.value == ""
    assert f"<td>{SUPPRESSED_LABEL}</td>" not in demo.result.value
