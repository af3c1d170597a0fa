"""Quarterly report builder: quarters, breakdowns, suppression, the CSV export, the chart and the widget."""

from __future__ import annotations

import csv
import io
from urllib.parse import unquote

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calaim_course import quarterly_report as qr
from calaim_course.errors import CourseInputError
from calaim_course.suppression import SMALL_CELL_MAX, SUPPRESSED_LABEL
from calaim_course.synthetic import load_world
from calaim_course.widgets.quarterly_report import download_link, report_builder

QUARTERS = ["2025 Q3", "2025 Q4", "2026 Q1", "2026 Q2"]


@pytest.fixture(scope="module")
def world():
    return load_world()


@pytest.fixture(scope="module")
def data(world):
    return qr.report_data(world)


def _csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _shown_counts(text: str) -> list[int]:
    return [int(cell.replace(",", "")) for row in _csv_rows(text)[1:] for cell in row[1:] if cell != SUPPRESSED_LABEL]


def _tiny(plan_a: int, plan_b: int, quarter: str = "2026Q1") -> qr.ReportData:
    """A hand-made ReportData: plan_a members in plan A and plan_b in plan B, ECM only."""
    n = plan_a + plan_b
    events = pd.DataFrame({
        "member_id": [f"SYN-M-{i:07d}" for i in range(n)],
        "quarter": [pd.Period(quarter, freq="Q")] * n,
        "service_line": ["ECM"] * n,
        "service": ["ECM"] * n,
        "plan": ["Plan A"] * plan_a + ["Plan B"] * plan_b,
        "age_group": ["21 to 34"] * n,
        "preferred_language": ["English"] * n,
        "gender_identity": ["Female"] * n,
        "race_ethnicity": ["White"] * n,
        "housing_status": ["Stably housed"] * n,
        "pof_names": [[] for _ in range(n)],
    })
    categories = {"plan": ["Plan A", "Plan B"], "service": ["ECM", "CHW services"], "population_of_focus": ["X (adults)"],
                  "age_group": [label for _, _, label in qr.AGE_GROUPS], "housing_status": ["Stably housed"],
                  "service_line": ["ECM", "Community Supports", "CHW services"], "preferred_language": ["English", "Spanish"],
                  "gender_identity": ["Female"], "race_ethnicity": ["White"]}
    return qr.ReportData(events=events, categories=categories, quarters=[pd.Period(quarter, freq="Q")])


# ------------------------------------------------------------------ quarters


@pytest.mark.parametrize("text", ["2026 Q2", "2026-Q2", "2026q2", " Q2 2026 ", "q2-2026", "2026/Q2"])
def test_quarter_formats(text):
    assert qr.parse_quarter(text) == pd.Period("2026Q2", freq="Q")


@pytest.mark.parametrize("text", ["2026 Q5", "2026", "Q2", "second quarter 2026", "", "2026 Q2 2027", 2026, None])
def test_quarter_written_wrongly(text):
    with pytest.raises(CourseInputError, match="written like 2026 Q2"):
        qr.parse_quarter(text)


def test_quarters_outside_the_data_get_a_clear_message(data):
    assert [f"{q.year} Q{q.quarter}" for q in data.quarters] == QUARTERS
    with pytest.raises(CourseInputError) as error:
        qr.build_report(data, "2027 Q1", "plan")
    message = str(error.value)
    assert "2025 Q3, 2025 Q4, 2026 Q1 or 2026 Q2" in message and "July 2025 to June 2026" in message


def test_quarter_label():
    assert qr.quarter_label(pd.Period("2025Q3", freq="Q")) == "2025 Q3 (July to September 2025)"


# ------------------------------------------------------------------ hand-worked reports


def test_small_count_and_its_complement_are_hidden_by_hand():
    # Plan A 30, plan B 5, total 35: B is hidden (1 to 10); A would be 35 - 5, so A is hidden too.
    report = qr.build_report(_tiny(30, 5), "2026 Q1", "plan")
    table = report.display().set_index("Plan")["Members served"]
    assert table.to_dict() == {"Plan A": SUPPRESSED_LABEL, "Plan B": SUPPRESSED_LABEL, "Total": "35"}
    assert report.result.n_primary == 1 and report.result.n_complementary == 1
    assert qr.COMPLEMENTARY_SENTENCE in report.note()


def test_large_counts_are_shown_by_hand():
    report = qr.build_report(_tiny(30, 12), "2026 Q1", "plan")
    assert report.to_csv() == "Plan,Members served\nPlan A,30\nPlan B,12\nTotal,42\n"
    assert "No counts are hidden" in report.note() and qr.COMPLEMENTARY_SENTENCE not in report.note()


def test_zeros_are_shown_and_categories_kept():
    report = qr.build_report(_tiny(30, 12), "2026 Q1", "preferred_language")
    assert report.display().set_index("Preferred language")["Members served"].to_dict() == {
        "English": "42", "Spanish": "0", "Total": "42"}


# ------------------------------------------------------------------ the world's reports


def test_plan_report_matches_an_independent_count(world, data):
    services = world.services[world.services["program"].astype(str) != "advocacy"]
    in_q2 = services[(services["service_date"] >= "2026-04-01") & (services["service_date"] <= "2026-06-30")]
    members = world.members.set_index("member_id")
    served = in_q2["member_id"].astype(str).unique()
    by_plan = members.loc[served, "plan_id"].astype(str).value_counts()
    report = qr.build_report(data, "2026 Q2", "plan")
    shown = report.result.shown[qr.MEMBERS_SERVED]
    assert shown[qr.TOTAL] == len(served)
    assert shown["Redwood Health Plan"] == by_plan["SYN-ORG-002"]
    assert shown["Golden Poppy Health"] == by_plan["SYN-ORG-003"]


def test_advocacy_is_left_out(world, data):
    advocacy_only = set(world.services["member_id"].astype(str)) - set(
        world.services.loc[world.services["program"].astype(str) != "advocacy", "member_id"].astype(str))
    assert advocacy_only and not advocacy_only & set(data.events["member_id"])


def test_split_by_plan_has_totals_that_add_up(data):
    report = qr.build_report(data, "2026 Q1", "age_group", "plan")
    assert report.result.has_total_row and report.result.has_total_column
    assert not report.result.unresolved
    by_plan_only = qr.build_report(data, "2026 Q1", "plan").result.shown[qr.MEMBERS_SERVED]
    assert report.result.shown.loc[qr.TOTAL, qr.TOTAL] == by_plan_only[qr.TOTAL]


def test_overlapping_breakdowns_have_no_total_row(data):
    for key in ("service", "population_of_focus"):
        report = qr.build_report(data, "2026 Q2", key)
        assert not report.result.has_total_row
        assert "more than one row" in report.note()
    service = qr.build_report(data, "2026 Q2", "service").result.shown[qr.MEMBERS_SERVED]
    ecm = qr.build_report(data, "2026 Q2", "plan", "service_line").result.shown.loc[qr.TOTAL, "ECM"]
    assert service["ECM"] == ecm
    assert "for ECM members only" in str(pytest.raises(CourseInputError, qr.build_report, data, "2026 Q2",
                                                       "population_of_focus", "service_line").value)


@pytest.mark.parametrize("breakdown, split", [("plan", "plan"), ("service", "service_line")])
def test_split_that_repeats_the_breakdown_is_refused(data, breakdown, split):
    with pytest.raises(CourseInputError, match="Split"):
        qr.build_report(data, "2026 Q2", breakdown, split)


@pytest.mark.parametrize("value", ["zip code", "", None, 3])
def test_unknown_breakdown_is_refused(data, value):
    with pytest.raises(CourseInputError, match="Breakdown"):
        qr.build_report(data, "2026 Q2", value)


def test_breakdown_labels_are_accepted(data):
    by_label = qr.build_report(data, "2026 Q2", "Preferred language", "Split by plan")
    by_key = qr.build_report(data, "2026 Q2", "preferred_language", "plan")
    assert by_label.to_csv() == by_key.to_csv()


def test_every_report_of_the_world_is_protected(data):
    for quarter in QUARTERS:
        for key in qr.BREAKDOWNS:
            for split in qr.SPLITS:
                try:
                    report = qr.build_report(data, quarter, key, split)
                except CourseInputError:
                    continue
                assert not report.result.unresolved, (quarter, key, split)
                assert all(not 1 <= v <= SMALL_CELL_MAX for v in _shown_counts(report.to_csv()))


def test_csv_holds_only_the_aggregates(data):
    report = qr.build_report(data, "2026 Q2", "preferred_language", "plan")
    rows = _csv_rows(report.to_csv())
    assert rows[0] == ["Preferred language", "Redwood Health Plan", "Golden Poppy Health", "Total"]
    assert rows[-1][0] == "Total" and len(rows) == 11
    text = report.to_csv()
    assert "SYN-M-" not in text and "SYN-STF-" not in text
    assert report.file_name() == "cedar-lantern-2026-q2-preferred-language.csv"


# ------------------------------------------------------------------ property


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    quarter=st.one_of(st.sampled_from(QUARTERS + ["2024 Q4", "2026 Q3", "Q3 2025"]), st.text(max_size=12)),
    breakdown=st.one_of(st.sampled_from(list(qr.BREAKDOWNS) + list(qr.BREAKDOWNS.values())), st.text(max_size=10)),
    split=st.sampled_from(list(qr.SPLITS) + ["by month"]),
)
def test_any_quarter_and_breakdown_give_a_suppressed_report_or_a_message(data, quarter, breakdown, split):
    try:
        report = qr.build_report(data, quarter, breakdown, split)
    except CourseInputError:
        return
    assert report.result.complementary
    assert all(not 1 <= v <= SMALL_CELL_MAX for v in _shown_counts(report.to_csv()))


# ------------------------------------------------------------------ chart


def test_chart_data_and_chart(data):
    long = qr.chart_data(data)
    assert set(long["quarter"]) == set(QUARTERS)
    shown = long["members"].dropna().astype(int)
    assert not shown.between(1, SMALL_CELL_MAX).any()
    assert long.loc[long["suppressed"], "members"].isna().all()
    spec = qr.report_chart(long).to_dict()
    names = {p["name"] for p in spec["params"]}
    assert names == {"report_quarter", "report_breakdown"}
    finding = qr.chart_finding(data)
    first = qr.build_report(data, "2025 Q3", "plan").result.shown.loc[qr.TOTAL, qr.MEMBERS_SERVED]
    assert f"from {first} in 2025 Q3" in finding and "hidden" in finding


# ------------------------------------------------------------------ widget


def test_widget_default_view_and_download(data):
    box = report_builder(data)
    assert box.controls["quarter"].value == "2026 Q2"
    assert "Preferred language" in box.result.value and SUPPRESSED_LABEL in box.result.value
    assert qr.COMPLEMENTARY_SENTENCE in box.result.value
    link = box.download.value
    assert 'download="cedar-lantern-2026-q2-preferred-language.csv"' in link
    href = link.split('href="', 1)[1].split('"', 1)[0]
    assert href.startswith("data:text/csv;charset=utf-8,")
    report = qr.build_report(data, "2026 Q2", "preferred_language")
    assert unquote(href.split(",", 1)[1]) == report.to_csv()


def test_widget_bad_quarter_keeps_the_report(data):
    box = report_builder(data)
    before, link = box.result.value, box.download.value
    box.controls["quarter"].value = "2024 Q1"
    assert "Quarter" in box.message.value and "2025 Q3" in box.message.value
    assert box.result.value == before and box.download.value == link
    box.controls["quarter"].value = "next quarter"
    assert "written like 2026 Q2" in box.message.value
    box.controls["quarter"].value = "2025 Q4"
    assert box.message.value == "" and "2025 Q4 (October to December 2025)" in box.result.value


def test_widget_breakdown_and_split(data):
    box = report_builder(data)
    box.controls["breakdown"].value = "plan"
    assert "Redwood Health Plan" in box.result.value
    box.controls["split"].value = "plan"
    assert "already by plan" in box.message.value
    box.controls["breakdown"].value = "age_group"
    assert box.message.value == "" and "Golden Poppy Health" in box.result.value and "Under 21" in box.result.value
