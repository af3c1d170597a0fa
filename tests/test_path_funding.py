"""PATH CITED rounds: the sourced figures, the computed averages, bad round choices, chart, widget."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import path_funding as pf
from calaim_course.errors import CourseInputError
from calaim_course.widgets.path_funding import funding_explorer

# ------------------------------------------------------------------------------ table


def test_rounds_match_the_fact_base():
    table = pf.rounds().set_index("round")
    assert list(table.index) == [1, 2, 3, 4]
    # Round 2: $144 million to 145 (CSAC bulletin, SECONDARY); Round 3: $146.6 million to 133
    # (DHCS 24-29); Round 4: $145.5 million to 153, final (DHCS 25-28).
    assert table.loc[2, ["amount_usd", "organizations"]].tolist() == [144_000_000, 145]
    assert table.loc[3, ["amount_usd", "organizations"]].tolist() == [146_600_000, 133]
    assert table.loc[4, ["amount_usd", "organizations"]].tolist() == [145_500_000, 153]
    assert table.loc[2, "confidence"] == "SECONDARY" and table.loc[3, "confidence"] == "VERIFIED"
    assert table["final_round"].tolist() == [False, False, False, True]
    assert table.loc[4, "post_toolkit"] and table.loc[1, "post_toolkit"] and not table.loc[3, "post_toolkit"]


def test_round_1_dollar_total_is_blank_and_marked_unverified():
    round_1 = pf.rounds().set_index("round").loc[1]
    assert math.isnan(round_1["amount_usd"]) and round_1["amount_confidence"] == "UNVERIFIED"
    # 139 organizations completed projects (DHCS 26-01): not a count of awards, so no average.
    assert round_1["organizations"] == 139 and round_1["organizations_basis"] == "completed projects"
    assert math.isnan(round_1["average_award_usd"])
    assert "UNVERIFIED" in round_1["note"]


def test_average_award_worked_by_hand():
    averages = pf.rounds().set_index("round")["average_award_usd"]
    assert averages[2] == pytest.approx(144_000_000 / 145)  # 993,103
    assert averages[3] == pytest.approx(146_600_000 / 133)  # 1,102,256
    assert averages[4] == pytest.approx(145_500_000 / 153)  # 950,980


def test_summary_of_all_rounds_leaves_round_1_out_of_the_totals():
    summary = pf.summarize()
    assert summary.counted == [2, 3, 4] and summary.left_out == [1]
    assert summary.total_usd == 436_100_000 and summary.awards == 431
    assert summary.average_usd == pytest.approx(436_100_000 / 431)
    assert pf.finding(summary) == (
        "Rounds 2 to 4, the rounds with published totals, awarded $436.1 million in 431 awards, an average of "
        "$1.01 million per award. The average award per organization was highest in Round 3 ($1.10 million) "
        "and lowest in Round 4 ($0.95 million). Round 1 has no published dollar total the course could find, "
        "so it is left out of the totals.")


def test_summary_of_some_rounds():
    two_and_four = pf.summarize("2, 4")
    assert two_and_four.total_usd == 289_500_000 and two_and_four.awards == 298
    assert pf.finding(two_and_four).startswith("Rounds 2 and 4 awarded $289.5 million in 298 awards")
    only_1 = pf.summarize("1")
    assert only_1.counted == [] and only_1.average_usd is None
    assert pf.finding(only_1) == ("Round 1 has no published dollar total the course could find, "
                                  "so it is left out of the totals.")
    assert pf.summarize([3, 4]).chosen == [3, 4]


def test_display_table_says_not_found_and_marks_the_secondary_amount():
    table = pf.display_table(pf.summarize()).set_index("Round")
    assert table.loc["Round 1", "Amount awarded"] == "not found"
    assert table.loc["Round 1", "Organizations"] == "139 (completed projects)"
    assert table.loc["Round 2", "Amount awarded"] == "$144.0 million (secondary source)"
    assert table.loc["Round 4 (final)", "Average award per organization (computed)"] == "$0.95 million"


@pytest.mark.parametrize("amount, text", [(146_600_000, "$146.6 million"), (None, "not found"),
                                          (float("nan"), "not found"), (1_102_256, "$1.1 million")])
def test_money(amount, text):
    assert pf.money(amount) == text


# ------------------------------------------------------------------------- bad rounds


@pytest.mark.parametrize("text, rounds", [("all", [1, 2, 3, 4]), ("ALL", [1, 2, 3, 4]), ("2-4", [2, 3, 4]),
                                          ("2 to 4", [2, 3, 4]), ("2 - 3", [2, 3]), ("4, 2", [2, 4]),
                                          ("3;3", [3]), ("1 4", [1, 4]), (3, [3])])
def test_parse_rounds(text, rounds):
    assert pf.parse_rounds(text) == rounds


@pytest.mark.parametrize("text, hint", [("5", "no round 5"), ("0", "no round 0"), ("4-2", "runs backwards"),
                                        ("", "empty"), ("round three", None), ("2.5", None), (None, None),
                                        ("2--3", None), (",", None), (True, None)])
def test_bad_rounds_raise_a_clear_message(text, hint):
    with pytest.raises(CourseInputError) as error:
        pf.parse_rounds(text)
    message = str(error.value)
    assert message.startswith("Rounds to include:") and "rounds 1 to 4" in message
    if hint:
        assert hint in message


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=15), st.text(alphabet="0123456789 ,;-to", max_size=12),
                 st.integers(-3, 9), st.none()))
def test_any_rounds_text_gives_a_summary_or_a_course_input_error(text):
    try:
        summary = pf.summarize(text)
    except CourseInputError as error:
        assert str(error).startswith("Rounds to include")
        return
    assert summary.chosen and set(summary.chosen) <= {1, 2, 3, 4}
    assert summary.total_usd >= 0 and summary.awards >= 0
    assert set(summary.counted) | set(summary.left_out) == set(summary.chosen)
    if summary.awards:
        assert 0.9e6 < summary.average_usd < 1.2e6


# ------------------------------------------------------------------------------ chart


def test_chart_has_a_named_legend_selection_and_three_labelled_panels():
    spec = pf.funding_chart().to_dict()
    text = json.dumps(spec)
    names = [p["name"] for p in spec.get("params", [])]
    assert names == ["pick_figure"]
    assert spec["params"][0]["bind"] == "legend" and spec["params"][0]["select"]["fields"] == ["figure_kind"]
    assert len(spec["hconcat"]) == 3
    for needle in ["Million dollars", "Million dollars per organization", "CITED round", "PATH CITED awards by round"]:
        assert needle in text


def test_chart_frame_marks_missing_values_as_not_found():
    frame = pf.chart_frame()
    assert len(frame) == 12
    round_1 = frame[frame["round"] == 1].set_index("measure")
    assert round_1.loc["amount_million", "value_text"] == "not found"
    assert pd.isna(round_1.loc["amount_million", "value"])
    assert round_1.loc["organizations", "value"] == 139
    assert frame.set_index(["round", "measure"]).loc[(3, "average_million"), "value_text"] == "1.10"


def test_chart_description():
    text = pf.chart_description()
    assert "Round 1: amount not found; organizations 139 (completed projects, not awards)" in text
    assert "Round 4: amount $145.5 million; organizations 153; average award $0.95 million." in text


# ------------------------------------------------------------------------------ widget


def test_widget_default_view_shows_every_round():
    box = funding_explorer()
    assert box.controls["rounds"].value == "all"
    assert box.message.value == ""
    assert "$436.1 million in 431 awards" in box.result.value
    assert box.result.value.count("Source for Round") == 4
    assert "Round 4 was the final round" in box.result.value


def test_widget_updates_and_keeps_the_result_on_bad_input():
    box = funding_explorer()
    box.controls["rounds"].value = "3"
    assert "Round 3 awarded $146.6 million in 133 awards" in box.result.value
    before = box.result.value
    box.controls["rounds"].value = "2-7"
    assert "Rounds to include" in box.message.value and "no round 5" in box.message.value
    assert box.result.value == before and box.summary.chosen == [3]
    box.controls["rounds"].value = "2, 4"
    assert box.message.value == "" and box.summary.chosen == [2, 4]
