"""Section 4: the NPI explanation, the readiness checklist, the timeline planner and
their widgets. Hand-worked values come from the sources; the check digit is also
cross-checked against python-stdnum's independent Luhn implementation."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from calaim_course import credentialing as cred
from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError
from calaim_course.widgets import credentialing as w

# ------------------------------------------------------------------ NPI: hand-worked

# CMS's worked example (fact base 4.6): 123456789 -> total 67 -> check digit 3.
CMS_EXAMPLE = "1234567893"
# Each digit's contribution for 80840 123456789, worked by hand left to right:
# prefix 8 0 8 4 0 with 0 and 4 doubled (0, 8) -> 8+0+8+8+0 = 24;
# 1 2 3 4 5 6 7 8 9 with 1,3,5,7,9 doubled -> 2, 2, 6, 4, 10->1, 6, 14->5, 8, 18->9 = 43.
HAND_ADDED = [8, 0, 8, 8, 0, 2, 2, 6, 4, 1, 6, 5, 8, 9]


def test_cms_example_passes_with_the_published_total():
    e = cred.explain_npi(CMS_EXAMPLE)
    assert e.is_valid is True
    assert (e.prefix_total, e.npi_total, e.total, e.next_ten) == (24, 43, 67, 70)
    assert e.check_digit == "3"
    assert [r["added"] for r in e.rows] == HAND_ADDED
    assert cred.check_npi(CMS_EXAMPLE).full_npi == CMS_EXAMPLE


def test_table_shows_prefix_then_nine_digits_with_every_other_digit_doubled_from_the_right():
    frame = cred.explain_npi(CMS_EXAMPLE).frame()
    assert list(frame["Part"][:5]) == ["prefix 80840"] * 5
    assert list(frame["Part"][5:]) == [f"NPI digit {i}" for i in range(1, 10)]
    assert list(frame["Digit"]) == [8, 0, 8, 4, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert list(frame["Doubled?"]) == ["no", "yes"] * 7
    assert list(frame["Position from the right"]) == list(range(14, 0, -1))
    # A two-digit product is shown with its digits added.
    assert frame.loc[frame["Digit"] == 9, "Added to the sum"].item() == "1 + 8 = 9"


def test_steps_give_this_numbers_figures():
    steps = " ".join(cred.explain_npi(CMS_EXAMPLE).steps())
    assert "80840 123456789" in steps
    assert "24 from the prefix" in steps and "43 from the nine digits = 67" in steps
    assert "70 - 67 = 3" in steps


def test_total_ending_in_zero_gives_check_digit_zero():
    # Find a nine-digit number whose total ends in 0 and check the wording and the digit.
    first_nine = next(f"{n:09d}" for n in range(100000000, 100000100)
                      if luhn.calc_check_digit("80840" + f"{n:09d}") == "0")
    e = cred.explain_npi(first_nine)
    assert e.check_digit == "0" and e.total % 10 == 0
    assert "already ends in 0" in e.steps()[-1]


def test_nine_digits_give_the_check_digit_without_a_verdict():
    e = cred.explain_npi("123456789")
    assert e.given_check_digit is None and e.is_valid is None
    assert e.full_npi == CMS_EXAMPLE
    assert "check digit for 123456789 is 3" in e.verdict()
    problem = cred.check_digit_problem(e)
    assert isinstance(problem, CourseInputError) and "1234567893" in str(problem)
    with pytest.raises(CourseInputError):
        cred.check_npi("123456789")


def test_wrong_check_digit_explains_and_check_npi_raises_a_clear_message():
    e = cred.explain_npi("1234567890")
    assert e.is_valid is False and e.check_digit == "3"
    assert "fails the check" in e.verdict()
    with pytest.raises(CourseInputError) as info:
        cred.check_npi("1234567890")
    message = str(info.value)
    assert message.startswith("NPI: got '1234567890'")
    assert "last digit of 3" in message and "ends in 0" in message


@pytest.mark.parametrize("position", range(10))
def test_every_single_digit_typo_in_the_cms_example_is_caught(position):
    # The Luhn check catches every change of one digit (its purpose).
    for replacement in "0123456789":
        if replacement == CMS_EXAMPLE[position]:
            continue
        typo = CMS_EXAMPLE[:position] + replacement + CMS_EXAMPLE[position + 1:]
        assert cred.explain_npi(typo).is_valid is False, typo


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "The box is empty"),
        ("   ", "The box is empty"),
        ("12345", "It has 5 digits. Check for a missing digit"),
        ("12345678901", "It has 11 digits. Check for an extra digit"),
        ("123456789012345", "It has 15 digits"),  # 15 digits without the 80840 prefix
        ("12345678A3", "Character 9 ('A') is a letter"),
        ("1234.567893", "Character 5 ('.') is not a digit"),
        ("\uff11234567893", "is not a digit"),  # a full-width digit: not 0-9
        ("NPI 1234567893", "Character 1 ('N') is a letter"),
    ],
)
def test_bad_npi_inputs_give_clear_messages(text, fragment):
    with pytest.raises(CourseInputError) as info:
        cred.explain_npi(text)
    assert info.value.field == "NPI"
    assert fragment in str(info.value)


@pytest.mark.parametrize("value", [None, 1234567893, ["1234567893"]])
def test_non_text_npi_is_refused(value):
    with pytest.raises(CourseInputError):
        cred.explain_npi(value)


def test_spaces_hyphens_and_the_80840_prefix_are_accepted_with_a_note():
    spaced = cred.explain_npi(" 123-456 7893 ")
    assert spaced.entered == CMS_EXAMPLE and spaced.is_valid
    assert "Spaces and hyphens were ignored." in spaced.notes
    prefixed = cred.explain_npi("808401234567893")
    assert prefixed.entered == CMS_EXAMPLE and prefixed.is_valid
    assert any("prefix 80840 was removed" in n for n in prefixed.notes)


def test_a_number_not_starting_with_1_or_2_gets_a_note_even_when_its_check_digit_is_right():
    first_nine = "912345678"
    number = first_nine + luhn.calc_check_digit("80840" + first_nine)
    e = cred.explain_npi(number)
    assert e.is_valid
    assert any("starting with 9 is not one NPPES issues" in n for n in e.notes)
    assert not any("NPPES issues" in n for n in cred.explain_npi(CMS_EXAMPLE).notes)


# ------------------------------------------------------------------ NPI: cross-checks


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_check_digit_matches_stdnum_luhn_with_the_80840_prefix(first_nine):
    expected = luhn.calc_check_digit("80840" + first_nine)
    e = cred.explain_npi(first_nine)
    assert e.check_digit == expected
    assert e.total % 10 == (10 - int(expected)) % 10
    assert cred.explain_npi(first_nine + expected).is_valid is True


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_validity_matches_stdnum_luhn_with_the_80840_prefix(number):
    assert cred.explain_npi(number).is_valid == luhn.is_valid("80840" + number)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=20), st.from_regex(r"[0-9 -]{0,16}", fullmatch=True)))
def test_any_text_gives_an_explanation_or_a_course_input_error(text):
    try:
        e = cred.explain_npi(text)
    except CourseInputError as problem:
        assert problem.field == "NPI"
        return
    assert len(e.first_nine) == 9 and e.first_nine.isascii() and e.first_nine.isdigit()
    assert len(e.rows) == 14


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=16))
def test_check_npi_never_raises_anything_but_course_input_error(text):
    try:
        assert cred.check_npi(text).is_valid is True
    except CourseInputError:
        pass


# ------------------------------------------------------------------ checklist

# Every source address the checklist may cite: all from the fact base.
FACT_BASE_URLS = {
    "https://sps2016.dhcs.ca.gov/services/Pages/County-Model-Change-Information.aspx",
    "https://lacare.org/providers/ecm/providers",
    "https://www.denti-cal.ca.gov/Dental_Providers/Denti-Cal/NPI/Apply_For_NPI/",
    "https://files.medi-cal.ca.gov/pubsdoco/ordering_referring_and_prescribing/orp_faqs.aspx",
    "https://info.5y1.org/social-security-master-death-file_1_036a4f.html",
    "https://legalclarity.org/how-to-apply-for-california-medicaid-provider-enrollment",
    "https://www.dhcs.ca.gov/es/provgovpart/Pages/CHW-Clinics-FAQ.aspx",
    "https://publicworksalliance.org/PAVE-CHW-Enrollment",
    "https://www.dhcs.ca.gov/providers-partners/frequently-asked-questions-for-medi-cal-community-health-worker-services-provider-requirements/",
    "https://www.dhcs.ca.gov/provgovpart/pages/Doula-Services.aspx",
    "https://kb.data.chhs.ca.gov/ddg/4.-statistical-de-identification/4.4-statistical-masking",
    "https://techsafety.org/confidentiality-in-vawa-fvpsa",
    "https://www.dhcs.ca.gov/CalAIM/Pages/Closed-Loop-Referral-FAQs.aspx",
}


def test_checklist_rows_are_sourced_or_marked_as_course_suggestions():
    table = cred.load_checklist()
    assert len(table) == 23
    assert table["item_id"].is_unique and list(table["order"]) == list(range(1, 24))
    sourced = table[table["basis"] == "sourced"]
    suggested = table[table["basis"] == "course suggestion"]
    assert set(sourced["confidence"]) <= {"VERIFIED", "SECONDARY"}
    assert set(sourced["source_url"]) <= FACT_BASE_URLS
    assert suggested["source_url"].isna().all() and (suggested["confidence"] == "UNVERIFIED").all()
    assert (table["last_verified"] == pd.Timestamp("2026-12-03")).all()
    # The documents plans ask for are not confirmed (fact base 4.16): never "sourced".
    docs = table[table["category"] == "Documents plans may ask for"]
    assert len(docs) == 5 and (docs["basis"] == "course suggestion").all()


def test_checklist_schema_rejects_a_sourced_row_without_a_source():
    table = cred.load_checklist()
    table.loc[0, "source_url"] = None
    with pytest.raises(Exception, match="sourced item needs a source_url"):
        cred.CHECKLIST_SCHEMA.validate(table)


def test_service_lines_add_their_items():
    core = cred.checklist_items()
    assert len(core) == 19 and set(core["applies_to"]) == {"all"}
    assert len(cred.checklist_items(["chw"])) == 22
    assert len(cred.checklist_items(["doula"])) == 20
    assert len(cred.checklist_items(["chw", "doula"])) == 23
    assert len(cred.checklist_items("chw")) == 22  # one name as a string


def test_readiness_counts_and_lists_what_is_missing():
    r = cred.readiness(["npi-type2", "w9", "plans-in-county"])
    assert (r.done_count, r.total, r.percent) == (3, 19, 15)  # 300 / 19 = 15.8, rounded down
    assert "3 of 19 items ready (15%); 16 still to do." == r.summary()
    assert set(r.done["item_id"]) == {"npi-type2", "w9", "plans-in-county"}
    assert len(r.missing) == 16 and "npi-type2" not in set(r.missing["item_id"])


def test_readiness_is_100_percent_only_when_everything_is_done():
    ids = list(cred.checklist_items()["item_id"])
    assert cred.readiness(ids[:-1]).percent == 94
    full = cred.readiness(ids)
    assert full.percent == 100 and full.missing.empty
    assert full.summary().startswith("All 19 items are ready")
    assert cred.readiness([]).percent == 0


def test_readiness_refuses_unknown_ids_and_unchosen_service_lines():
    with pytest.raises(CourseInputError, match="Valid items: plans-in-county"):
        cred.readiness(["not-an-item"])
    with pytest.raises(CourseInputError, match="service line not chosen"):
        cred.readiness(["chw-501c3"])
    assert cred.readiness(["chw-501c3"], ["chw"]).done_count == 1
    with pytest.raises(CourseInputError, match="service lines"):
        cred.readiness([], ["ecm"])


def test_markdown_export_lists_missing_items_with_sources_and_done_items():
    r = cred.readiness(["npi-type2"], ["doula"])
    text = cred.readiness_markdown(r, "  Cedar   Lantern ")
    assert text.startswith("# Contracting readiness: Cedar Lantern\n")
    assert text.count("- [ ] ") == 19 and text.count("- [x] ") == 1
    assert "- [x] Get the organization's Type 2 NPI through NPPES (Identifiers)." in text
    assert "Source: <https://www.dhcs.ca.gov/provgovpart/pages/Doula-Services.aspx> (verified)." in text
    assert "Course suggestion: confirm with each plan." in text
    assert "Extra service lines included: doula services." in text
    assert "Educational, not legal or billing advice." in text
    assert text.index("## Still to do") < text.index("## Ready")


def test_markdown_export_when_nothing_or_everything_is_done():
    assert "Nothing marked ready yet." in cred.readiness_markdown(cred.readiness([]))
    everything = cred.readiness(list(cred.checklist_items()["item_id"]))
    assert "Nothing: every item is marked ready." in cred.readiness_markdown(everything)


@pytest.mark.parametrize("name", ["", "   ", None, "x" * 121])
def test_markdown_export_refuses_a_bad_organization_name(name):
    with pytest.raises(CourseInputError, match="organization name"):
        cred.readiness_markdown(cred.readiness([]), name)


# ------------------------------------------------------------------ timeline: hand-worked


def test_default_plan_hand_worked():
    # NPI 0-1; PAVE 1-27; outreach 0-4; documents 4-8 (after NPI and outreach);
    # vetting 8-16; contract 16-22; set-up waits for contract (22) and PAVE (27): 27-33.
    plan = cred.scenario_plan()
    f = plan.frame.set_index("key")
    assert list(f["start_week"]) == [0, 1, 0, 4, 8, 16, 27]
    assert list(f["end_week"]) == [1, 27, 4, 8, 16, 22, 33]
    assert plan.ready_week == 33
    assert plan.critical_path == ("npi", "pave", "setup")
    assert plan.start == dt.date(2027, 1, 4)
    assert plan.ready_date == dt.date(2027, 1, 4) + dt.timedelta(weeks=33)
    assert f.loc["pave", "start_date"] == dt.date(2027, 1, 11)
    # 6 of the chain's 33 weeks are assumptions (set-up).
    assert plan.illustrative_share == pytest.approx(6 / 33)
    assert "about 33 weeks after the start (August 23, 2027)" in plan.finding()
    assert "18% of that chain's weeks are assumptions" in plan.finding()


def test_paper_npi_adds_two_weeks_to_the_pave_chain():
    plan = cred.scenario_plan("paper_pave")
    assert plan.ready_week == 35
    assert plan.frame.set_index("key").loc["npi", "confidence"] == "VERIFIED"


def test_without_pave_the_plan_steps_set_the_pace():
    plan = cred.scenario_plan("online_plan_only")
    assert plan.ready_week == 28  # 4 + 4 + 8 + 6 + 6
    assert plan.critical_path == ("outreach", "documents", "vetting", "contract", "setup")
    assert plan.illustrative_share == 1.0
    assert any("No PAVE step" in n for n in plan.notes)
    f = plan.frame.set_index("key")
    assert f.loc["pave", "basis"] == cred.NOT_NEEDED
    assert f.loc["setup", "waits_for"] == "Negotiate and sign the contract"


@pytest.mark.parametrize(
    "key, weeks, basis, confidence",
    [
        ("npi", 1, cred.SOURCED, "SECONDARY"),
        ("npi", 3, cred.SOURCED, "VERIFIED"),
        ("npi", 2, cred.YOURS, None),
        ("pave", 26, cred.SOURCED, "SECONDARY"),
        ("pave", 20, cred.YOURS, None),
        ("vetting", 8, cred.ILLUSTRATIVE, None),
        ("vetting", 9, cred.YOURS, None),
        ("contract", 0, cred.NOT_NEEDED, None),
    ],
)
def test_a_duration_is_sourced_only_when_a_source_supports_it(key, weeks, basis, confidence):
    got = cred.duration_basis(key, weeks)
    assert got[0] == basis and got[3] == confidence
    assert (got[2] is not None) == (basis == cred.SOURCED)


def test_pave_longer_than_the_180_day_ceiling_gets_a_note():
    weeks = {**cred.SCENARIOS["online_pave"]["weeks"], "pave": 30}
    assert any("longer than the up to 180 days" in n for n in cred.plan_timeline(weeks).notes)
    assert not any("180 days" in n for n in cred.scenario_plan().notes)


def test_typed_text_durations_and_decimal_weeks_work():
    weeks = {k: str(v) for k, v in cred.SCENARIOS["online_pave"]["weeks"].items()}
    weeks["npi"] = " 0.54 "  # kept to tenths of a week
    plan = cred.plan_timeline(weeks, "2027-03-01")
    f = plan.frame.set_index("key")
    assert f.loc["npi", "end_week"] == 0.5 and f.loc["pave", "end_week"] == 26.5
    assert plan.ready_week == 32.5
    assert any("1 to 3 business days" in n for n in plan.notes)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("", "The box is empty"),
        ("six", "Type digits only"),
        ("1,5", "Use a point for decimals"),
        ("-2", "cannot take negative time"),
        ("nan", "not a finite number"),
        ("inf", "not a finite number"),
        ("105", "more than two years"),
        ("0.04", "shorter than the planner's smallest step"),
        ("180", "180 days is about 25.7 weeks"),
        (True, "expected a number of weeks"),
        (None, "expected a number of weeks"),
    ],
)
def test_impossible_durations_give_clear_messages_naming_the_step(value, fragment):
    weeks = {**cred.SCENARIOS["online_pave"]["weeks"], "vetting": value}
    with pytest.raises(CourseInputError) as info:
        cred.plan_timeline(weeks)
    assert info.value.field == "Plan vetting or credentialing"
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "value, fragment",
    [("2027-02-30", "does not exist"), ("01/04/2027", "For example 2027-01-04"),
     ("2040-01-01", "from 2020-01-01 to 2035-12-31"), (20270104, "For example")],
)
def test_bad_start_dates_give_clear_messages(value, fragment):
    with pytest.raises(CourseInputError) as info:
        cred.plan_timeline(cred.SCENARIOS["online_pave"]["weeks"], value)
    assert info.value.field == "Start date" and fragment in str(info.value)


def test_missing_unknown_and_all_zero_durations_are_refused():
    weeks = dict(cred.SCENARIOS["online_pave"]["weeks"])
    with pytest.raises(CourseInputError, match="nothing to plan"):
        cred.plan_timeline({k: 0 for k in weeks})
    with pytest.raises(CourseInputError, match="Every step needs a duration"):
        cred.plan_timeline({k: v for k, v in weeks.items() if k != "setup"})
    with pytest.raises(CourseInputError, match="one of npi, pave"):
        cred.plan_timeline({**weeks, "lunch": 1})
    with pytest.raises(CourseInputError, match="starting values"):
        cred.scenario_plan("fastest")
    with pytest.raises(CourseInputError):
        cred.plan_timeline([1, 2, 3])


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({k: st.one_of(st.integers(0, 60), st.floats(0.1, 104, allow_nan=False))
                              for k in cred.STEP_KEYS}))
def test_every_step_starts_after_what_it_waits_for(weeks):
    if not any(weeks.values()):
        return
    plan = cred.plan_timeline(weeks)
    f = plan.frame.set_index("key")
    for step in cred.STEPS:
        assert f.loc[step.key, "end_week"] == pytest.approx(f.loc[step.key, "start_week"] + f.loc[step.key, "weeks"])
        for before in step.after:
            assert f.loc[step.key, "start_week"] >= f.loc[before, "end_week"] - 1e-9
    assert plan.ready_week == pytest.approx(f["end_week"].max())
    # The longest chain's weeks add up to the ready week.
    assert f.loc[list(plan.critical_path), "weeks"].sum() == pytest.approx(plan.ready_week, abs=0.02)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=8), st.text(max_size=12))
def test_any_typed_duration_or_date_gives_a_plan_or_a_course_input_error(duration, start):
    weeks = {**cred.SCENARIOS["online_pave"]["weeks"], "contract": duration}
    try:
        plan = cred.plan_timeline(weeks, start)
    except CourseInputError:
        return
    assert plan.ready_week > 0


def test_chart_draws_only_needed_steps_with_a_scenario_drop_down_and_course_colours():
    spec = cred.timeline_chart().to_dict()
    data = next(iter(spec["datasets"].values()))
    # 7 + 7 + 6 bars: the plan-only scenario has no PAVE bar.
    assert len(data) == 20
    assert not any(r["scenario"].startswith("Online NPI, plan") and r["step"].startswith("Medi-Cal") for r in data)
    params = {p["name"]: p for p in spec["params"]}
    assert params["scenario_choice"]["bind"]["options"] == [s["label"] for s in cred.SCENARIOS.values()]
    assert spec["encoding"]["color"]["scale"]["range"] == OKABE_ITO[:2]  # no typed values here
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Sourced duration", "Illustrative assumption"]
    typed = cred.plan_timeline({**cred.SCENARIOS["online_pave"]["weeks"], "vetting": 9})
    typed_spec = cred.timeline_chart({"typed": typed}).to_dict()
    assert typed_spec["encoding"]["color"]["scale"]["range"] == OKABE_ITO[:3]
    assert "Green: durations you typed." in typed_spec["title"]["subtitle"]
    assert "params" in typed_spec and not any(p["name"] == "scenario_choice" for p in typed_spec["params"])
    assert spec["title"]["text"].startswith("Credentialing and contracting")
    assert spec["encoding"]["x"]["title"] and spec["encoding"]["x2"]["field"] == "end_date"


def test_timeline_table_reads_in_words():
    table = cred.timeline_table(cred.scenario_plan("online_plan_only"))
    row = table.set_index("Step").loc["Medi-Cal enrollment in PAVE (if your route uses it)"]
    assert row["Weeks"] == "not needed" and row["Duration basis"] == "not needed"
    npi_row = table.iloc[0]
    assert (npi_row["Starts"], npi_row["Ends"], npi_row["Duration basis"]) == ("Jan 4, 2027", "Jan 11, 2027", "sourced (secondary)")


# ------------------------------------------------------------------ widgets


def test_npi_widget_default_is_the_cms_example_and_passes():
    box = w.npi_checker()
    assert box.controls["npi"].value == "1234567893" == w.EXAMPLE_NPI
    assert "Passes the check digit test." in box.result.value
    assert "70 - 67 = 3" in box.result.value
    assert box.message.value == ""


def test_npi_widget_bad_check_digit_shows_message_and_the_failing_steps():
    box = w.npi_checker()
    box.controls["npi"].value = "1234567890"
    assert "Check your input" in box.message.value and "last digit of 3" in box.message.value
    assert "Fails the check digit test." in box.result.value


def test_npi_widget_letters_keep_the_previous_result_and_a_fix_clears_the_message():
    box = w.npi_checker()
    before = box.result.value
    box.controls["npi"].value = "12345678A3"
    assert "is a letter" in box.message.value
    assert box.result.value == before
    box.controls["npi"].value = "123456789"
    assert box.message.value == ""
    assert "Check digit: 3." in box.result.value


def test_checklist_widget_default_view_and_progress():
    box = w.readiness_checklist()
    assert (box.progress.value, box.progress.max) == (6, 22)
    assert "6 of 22 items ready (27%)" in box.progress_text.value
    assert box.markdown.value.startswith("# Contracting readiness: Cedar Lantern Survivor Services (fictional)")
    assert "Still to do:" in box.result.value and "course suggestion: confirm with each plan" in box.result.value
    box.controls["items"]["npi-type1"].value = True
    assert box.progress.value == 7
    assert "- [x] Get Type 1 NPIs for staff who need their own" in box.markdown.value


def test_checklist_widget_service_lines_hide_and_show_items():
    box = w.readiness_checklist()
    chw_item = box.controls["items"]["chw-501c3"]
    assert chw_item.layout.display is None
    box.controls["services"]["chw"].value = False
    assert chw_item.layout.display == "none" and box.progress.max == 19
    box.controls["services"]["doula"].value = True
    assert box.controls["items"]["doula-enrollment"].layout.display is None
    assert box.progress.max == 20


def test_checklist_widget_bad_name_shows_message_and_keeps_the_export():
    box = w.readiness_checklist()
    before = box.markdown.value
    box.controls["organization"].value = "   "
    assert "organization name" in box.message.value
    assert box.markdown.value == before
    box.controls["organization"].value = "Test agency (fictional)"
    assert box.message.value == "" and "# Contracting readiness: Test agency (fictional)" in box.markdown.value


def test_timeline_widget_default_view():
    box = w.timeline_planner()
    assert "about 33 weeks after the start" in box.result.value
    assert box.result.value.count("position:absolute") == 7  # one bar per step
    assert "illustrative assumption" in box.result.value
    assert box.result.value.count(OKABE_ITO[0]) == 2  # the two sourced steps are blue


def test_timeline_widget_bad_duration_keeps_the_result_and_names_the_step():
    box = w.timeline_planner()
    before = box.result.value
    box.controls["steps"]["contract"].value = "-1"
    assert "Negotiate and sign the contract" in box.message.value and "negative" in box.message.value
    assert box.result.value == before
    box.controls["start"].value = "2027-13-01"
    assert "Start date" in box.message.value


def test_timeline_widget_starting_values_fill_every_box():
    box = w.timeline_planner()
    box.controls["steps"]["contract"].value = "oops"
    box.controls["scenario"].value = "online_plan_only"
    assert box.controls["steps"]["pave"].value == "0"
    assert box.controls["steps"]["contract"].value == "6"
    assert box.message.value == ""
    assert "about 28 weeks after the start" in box.result.value
    box.controls["steps"]["vetting"].value = "12"
    assert "about 32 weeks" in box.result.value
    assert OKABE_ITO[2] in box.result.value  # a typed value is drawn in its own colour


def test_timeline_widget_refuses_an_unknown_scenario():
    with pytest.raises(CourseInputError):
        w.timeline_planner("fastest")


def test_widget_html_has_no_traceback_or_machine_paths():
    for box in (w.npi_checker("12"), w.readiness_checklist(), w.timeline_planner()):
        text = box.result.value + box.message.value
        assert "Traceback" not in text
        assert not re.search(r"/(work|root|home|tmp)/", text)
