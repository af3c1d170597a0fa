"""CMS-1500 claim checker: problems by item number for NPIs, codes, modifiers, units, dates
and diagnosis pointers, from the course's reference tables; never an exception for form values."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calaim_course import claims
from calaim_course.claims import ClaimContext, ClaimForm, ServiceLine, validate_claim
from calaim_course.errors import CourseInputError
from calaim_course.reference import cs_code_lines, load_reference
from calaim_course.synthetic import load_world
from calaim_course.widgets.claims import claim_builder, x12_preview

CONTEXT = ClaimContext(reference_date=dt.date(2026, 5, 25), enrollment_date=dt.date(2024, 5, 22))


@pytest.fixture(scope="module")
def world():
    return load_world()


def good_form(**changes) -> ClaimForm:
    line = ServiceLine(date_from="2026-04-11", place_of_service="12", code="G9012", modifiers="U2", pointer="A",
                       charge="95.00", units="1")
    form = ClaimForm(insured_id="SYNP-00000001", patient_name="FERNHOLLOW, ASTER", birth_date="1990-03-14",
                     diagnoses=["Z91.410"], lines=[line], billing_name="CEDAR LANTERN SURVIVOR SERVICES (FICTIONAL)",
                     billing_npi="1234567893")
    return replace(form, **changes)


def with_line(**changes) -> ClaimForm:
    form = good_form()
    return replace(form, lines=[replace(form.lines[0], **changes)])


def items(problems) -> list[str]:
    return [p.item for p in problems]


# ----------------------------------------------------------------------- clean claims
def test_a_correct_claim_has_no_problems():
    assert validate_claim(good_form(), CONTEXT) == []


def test_every_synthetic_claim_passes_the_checker(world):
    # The generator uses only codes from the reference tables, dates after enrollment and
    # before sending, valid NPIs and pointers to filled diagnoses.
    failing = {}
    for claim_id in world.claims["claim_id"]:
        form, context = claims.claim_form(world, claim_id)
        problems = validate_claim(form, context)
        if problems:
            failing[claim_id] = [p.message for p in problems]
    assert failing == {}


def test_claim_form_reads_the_items_from_the_synthetic_tables(world):
    form, context = claims.claim_form(world, "SYN-CLM-00000002")
    claim = world.claims.set_index("claim_id").loc["SYN-CLM-00000002"]
    member = world.members.set_index("member_id").loc[claim["member_id"]]
    assert form.insured_id == member["plan_member_id"]
    assert form.patient_name == f"{member['last_name']}, {member['first_name']}".upper()
    assert form.billing_npi == claim["billing_npi"]
    assert form.diagnoses[0] == claim["diagnosis_a"]
    assert context.reference_date == claim["submitted_date"].date()
    assert context.enrollment_date == member["plan_enrollment_date"].date()


def test_unknown_claim_id_is_a_clear_error(world):
    with pytest.raises(CourseInputError, match="claim_id"):
        claims.claim_form(world, "SYN-CLM-99999999")


# ----------------------------------------------------------------------- NPI (33a, 24J)
def test_cms_worked_example_npi_passes_and_a_wrong_check_digit_fails():
    # CMS worked example (fact 4.6): 123456789 gives check digit 3.
    problems = validate_claim(good_form(billing_npi="1234567890"), CONTEXT)
    assert items(problems) == ["33a"]
    assert "check digit 3" in problems[0].expected and "1234567893" in problems[0].expected
    assert "1234567890" in problems[0].found


@pytest.mark.parametrize("npi", ["", "123456789", "12345678931", "12345A7893", "١٢٣٤٥٦٧٨٩٣"])
def test_npi_must_be_ten_ascii_digits(npi):
    problems = validate_claim(good_form(billing_npi=npi), CONTEXT)
    assert items(problems) == ["33a"]


def test_rendering_npi_is_optional_but_checked_when_given():
    assert validate_claim(with_line(rendering_npi=""), CONTEXT) == []
    assert validate_claim(with_line(rendering_npi="1234567893"), CONTEXT) == []
    problems = validate_claim(with_line(rendering_npi="1234567894"), CONTEXT)
    assert [(p.item, p.line) for p in problems] == [("24J", 1)]


# ----------------------------------------------------------------------- codes and modifiers (24D)
def test_code_book_comes_only_from_the_reference_tables():
    rules, modifiers = claims.code_book()
    ecm = load_reference("ecm_codes")
    expected = set(ecm.loc[ecm["row_type"] == "combination", "hcpcs"]) | set(cs_code_lines()["hcpcs"]) \
        | set(load_reference("chw_codes")["code"])
    assert set(rules) == expected
    assert {"U1", "U2", "U6", "U8", "GQ"} <= set(modifiers)


@pytest.mark.parametrize("code, modifiers", [
    ("G9012", "U2"), ("G9012", "U2 GQ"), ("G9012", "GQ,U2"), ("G9012", "u2+gq"),
    ("H0043", "U6"), ("H0044", "U2"), ("T2040", "U6"), ("H0040", "U1"), ("98960", ""), ("98961", ""),
])
def test_listed_combinations_pass(code, modifiers):
    assert validate_claim(with_line(code=code, modifiers=modifiers), CONTEXT) == []


def test_unknown_code_names_item_24d():
    problems = validate_claim(with_line(code="Z9999", modifiers=""), CONTEXT)
    assert items(problems) == ["24D"]
    assert "reference tables" in problems[0].expected and problems[0].line == 1


def test_badly_formed_code():
    problems = validate_claim(with_line(code="G90", modifiers=""), CONTEXT)
    assert items(problems) == ["24D"] and "5-character" in problems[0].expected


def test_unknown_modifier():
    problems = validate_claim(with_line(modifiers="U2 ZZ"), CONTEXT)
    assert items(problems) == ["24D"]
    assert "ZZ" in problems[0].found and "modifier listed" in problems[0].expected


def test_known_modifier_in_a_combination_not_listed_for_the_code():
    problems = validate_claim(with_line(modifiers="U6"), CONTEXT)
    assert items(problems) == ["24D"]
    assert "G9012 with U6" == problems[0].found
    assert "U2; U2+GQ" in problems[0].expected


def test_modifier_on_a_chw_code_is_not_listed():
    problems = validate_claim(with_line(code="98960", modifiers="U2"), CONTEXT)
    assert items(problems) == ["24D"] and "no modifier" in problems[0].expected


def test_unverified_pairing_is_a_check_not_a_silent_pass():
    # G9008 + U1 rests on memory in the fact base: the table marks it UNVERIFIED.
    problems = validate_claim(with_line(code="G9008", modifiers="U1"), CONTEXT)
    assert [(p.item, p.severity) for p in problems] == [("24D", claims.CHECK)]
    assert "UNVERIFIED" in problems[0].expected


def test_too_many_and_malformed_modifiers():
    assert "at most 4" in validate_claim(with_line(modifiers="U2 GQ U1 U6 U8"), CONTEXT)[0].expected
    assert "2 letters" in validate_claim(with_line(modifiers="U22"), CONTEXT)[0].expected


def test_g_codes_only_from_april_2025():
    # DHCS CHW G-code FAQ: G0019/G0022 for dates of service on or after April 1, 2025.
    ok = with_line(code="G0019", modifiers="", date_from="2025-04-01")
    assert validate_claim(ok, CONTEXT) == []
    early = with_line(code="G0019", modifiers="", date_from="2025-03-31")
    problems = validate_claim(early, CONTEXT)
    assert items(problems) == ["24D"] and "2025-04-01" in problems[0].expected


# ----------------------------------------------------------------------- units and charges
@pytest.mark.parametrize("units", ["0", "", "1.5", "-1", "two", "12345"])
def test_bad_units(units):
    assert items(validate_claim(with_line(units=units), CONTEXT)) == ["24G"]


@pytest.mark.parametrize("units", ["1", "2", "12"])
def test_good_units(units):
    assert validate_claim(with_line(units=units), CONTEXT) == []


@pytest.mark.parametrize("charge", ["0", "", "abc", "-5", "95.001", "1,20.00"])
def test_bad_charges(charge):
    assert items(validate_claim(with_line(charge=charge), CONTEXT)) == ["24F"]


@pytest.mark.parametrize("charge, dollars", [("95", 95.0), ("95.5", 95.5), ("$1,200.50", 1200.5)])
def test_good_charges(charge, dollars):
    assert validate_claim(with_line(charge=charge), CONTEXT) == []
    assert claims.parse_money(charge) == dollars


# ----------------------------------------------------------------------- dates (24A, 3)
def test_date_of_service_in_the_future():
    problems = validate_claim(with_line(date_from="2026-05-26"), CONTEXT)
    assert items(problems) == ["24A"] and "2026-05-25" in problems[0].expected


def test_date_of_service_before_enrollment():
    problems = validate_claim(with_line(date_from="2024-05-21"), CONTEXT)
    assert items(problems) == ["24A"] and "2024-05-22" in problems[0].expected


def test_enrollment_day_itself_and_reference_day_itself_are_fine():
    assert validate_claim(with_line(date_from="2024-05-22"), CONTEXT) == []
    assert validate_claim(with_line(date_from="2026-05-25"), CONTEXT) == []


def test_to_before_from_and_impossible_dates():
    assert items(validate_claim(with_line(date_from="2026-04-11", date_to="2026-04-10"), CONTEXT)) == ["24A"]
    assert items(validate_claim(with_line(date_from="2026-02-30"), CONTEXT)) == ["24A"]
    assert items(validate_claim(with_line(date_from="", date_to=""), CONTEXT)) == ["24A"]


def test_us_date_format_is_accepted():
    assert validate_claim(with_line(date_from="04/11/2026", date_to="04/12/26"), CONTEXT) == []
    assert claims.parse_date("04/12/26") == dt.date(2026, 4, 12)


def test_birth_date_problems():
    assert items(validate_claim(good_form(birth_date=""), CONTEXT)) == ["3"]
    assert items(validate_claim(good_form(birth_date="1990-13-01"), CONTEXT)) == ["3"]
    assert items(validate_claim(good_form(birth_date="2026-04-12"), CONTEXT)) == ["3"]


# ----------------------------------------------------------------------- diagnoses and pointers
def test_pointer_to_an_empty_diagnosis_letter():
    problems = validate_claim(with_line(pointer="AB"), CONTEXT)
    assert items(problems) == ["24E"]
    assert problems[0].found == "pointer B" and "filled: A" in problems[0].expected


def test_pointer_to_a_filled_second_diagnosis_passes():
    form = replace(with_line(pointer="AB"), diagnoses=["Z91.410", "Z69.11"])
    assert validate_claim(form, CONTEXT) == []


@pytest.mark.parametrize("pointer, words", [("1", "not numbers"), ("", "one to four"), ("AA", "each letter once"),
                                            ("ABCDE", "at most 4"), ("M", "A to L")])
def test_bad_pointers(pointer, words):
    form = replace(with_line(pointer=pointer), diagnoses=["Z91.410", "Z69.11", "Z69.81", "T76.11XA", "T74.11XA"])
    problems = [p for p in validate_claim(form, CONTEXT) if p.item == "24E"]
    assert problems and words in problems[0].expected


def test_diagnosis_problems():
    assert items(validate_claim(good_form(diagnoses=[]), CONTEXT)) == ["21", "24E"]
    unknown = validate_claim(good_form(diagnoses=["Z63.0"]), CONTEXT)  # not in the course's table
    assert items(unknown) == ["21A"] and "Z69.11" in unknown[0].expected
    assert items(validate_claim(good_form(diagnoses=["Z9"]), CONTEXT)) == ["21A"]
    duplicate = validate_claim(good_form(diagnoses=["Z91.410", "Z91.410"]), CONTEXT)
    assert items(duplicate) == ["21B"]


def test_unverified_diagnosis_is_a_check():
    problems = validate_claim(good_form(diagnoses=["Z59.01"]), CONTEXT)
    assert [(p.item, p.severity) for p in problems] == [("21A", claims.CHECK)]


def test_history_code_with_current_abuse_code_is_flagged():
    # Z91.410's Excludes1 note names T74.11 and T76.11 (fact base, SECONDARY).
    problems = validate_claim(good_form(diagnoses=["Z91.410", "T74.11XA"]), CONTEXT)
    assert [(p.item, p.severity) for p in problems] == [("21", claims.CHECK)]


def test_privacy_notes_name_the_abuse_codes():
    notes = claims.diagnosis_privacy_notes(good_form(diagnoses=["Z69.11", "Z59.01"]))
    assert len(notes) == 1 and notes[0].startswith("21A Z69.11")


# ----------------------------------------------------------------------- header and order
def test_header_items():
    assert items(validate_claim(good_form(insured_id=""), CONTEXT)) == ["1a"]
    assert items(validate_claim(good_form(insured_id="SYNP 0001"), CONTEXT)) == ["1a"]
    assert items(validate_claim(good_form(patient_name=""), CONTEXT)) == ["2"]
    no_comma = validate_claim(good_form(patient_name="ASTER FERNHOLLOW"), CONTEXT)
    assert [(p.item, p.severity) for p in no_comma] == [("2", claims.CHECK)]
    assert items(validate_claim(good_form(billing_name=""), CONTEXT)) == ["33"]
    assert items(validate_claim(good_form(lines=[]), CONTEXT)) == ["24"]


def test_problems_come_in_form_order_with_item_found_and_expected():
    form = replace(with_line(units="0", code="Z9999"), billing_npi="1234567890", insured_id="", diagnoses=["Z63.0"])
    problems = validate_claim(form, CONTEXT)
    assert items(problems) == ["1a", "21A", "33a", "24D", "24G"]
    for problem in problems:
        assert problem.message.startswith(f"item {problem.item}")
        assert "found" in problem.message and "expected" in problem.message


def test_the_practice_claim_has_exactly_five_mistakes(world):
    form, context = claims.claim_form(world, "SYN-CLM-00000002")
    practice = claims.with_mistakes(form, context)
    assert items(validate_claim(practice, context)) == ["33a", "24A", "24D", "24E", "24G"]


def test_context_must_come_from_the_data():
    with pytest.raises(CourseInputError):
        validate_claim(good_form(), "2026-05-25")


def test_problems_frame_columns():
    frame = claims.problems_frame(validate_claim(good_form(billing_npi="1234567890"), CONTEXT))
    assert list(frame.columns) == ["Item", "Line", "Found", "Expected", "Kind"]
    assert frame.iloc[0].tolist()[:2] == ["33a", ""]


# ----------------------------------------------------------------------- property: never an exception
anything = st.one_of(st.text(max_size=30), st.none(), st.integers(), st.floats(allow_nan=True), st.booleans(),
                     st.dates(), st.lists(st.text(max_size=5), max_size=3))
line_strategy = st.builds(ServiceLine, **{f: anything for f in (
    "date_from", "date_to", "place_of_service", "code", "modifiers", "pointer", "charge", "units", "rendering_npi")})
form_strategy = st.builds(
    ClaimForm, insured_id=anything, patient_name=anything, birth_date=anything,
    diagnoses=st.one_of(st.lists(anything, max_size=14), anything),
    lines=st.one_of(st.lists(line_strategy, max_size=3), anything),
    billing_name=anything, billing_npi=anything)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(form=form_strategy)
def test_any_field_values_give_a_list_of_problems(form):
    problems = validate_claim(form, CONTEXT)
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, claims.ClaimProblem)
        assert re.fullmatch(r"1a|2|3|21[A-L]?|24[A-J]?|33a?", problem.item)
        assert problem.severity in (claims.ERROR, claims.CHECK)
        assert problem.expected


@settings(max_examples=150, deadline=None)
@given(code=st.text(alphabet="ABCDGHSTUZ0123456789", min_size=0, max_size=6),
       modifiers=st.text(alphabet="UGQ0123456789 +,", max_size=12))
def test_any_code_and_modifiers_give_24d_problems_only(code, modifiers):
    problems = validate_claim(with_line(code=code, modifiers=modifiers), CONTEXT)
    assert set(items(problems)) <= {"24D"}


# ----------------------------------------------------------------------- the widgets
def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_builder_starts_with_the_five_mistakes(world):
    box = claim_builder(world)
    text = text_of(box.result.value)
    assert "5 problems found" in text
    for item in ("33a", "24A", "24D", "24E", "24G"):
        assert f" {item} " in text
    assert "DV lens" in text


def test_builder_rechecks_when_a_box_changes(world):
    box = claim_builder(world)
    box.controls["billing_npi"].value = "1234567893"
    box.controls["units"].value = "1"
    text = text_of(box.result.value)
    assert "3 problems found" in text and " 33a " not in text


def test_builder_fixing_everything_gives_no_problems(world):
    box = claim_builder(world)
    context = box.state["context"]
    box.controls["billing_npi"].value = "1234567893"
    box.controls["units"].value = "1"
    box.controls["pointer"].value = "A"
    box.controls["modifiers"].value = "U2"
    box.controls["date_from"].value = context.reference_date.isoformat()
    assert "No problems found" in box.result.value


def test_builder_shows_bad_typing_as_problems_not_tracebacks(world):
    box = claim_builder(world)
    box.controls["units"].value = "lots"
    box.controls["date_from"].value = "31/31/2026"
    text = text_of(box.result.value)
    assert "'lots'" in text and "'31/31/2026'" in text and "Traceback" not in text


def test_builder_loads_a_clean_claim(world):
    box = claim_builder(world)
    clean = [value for _, value in box.controls["start"].options if value != "practice"]
    box.controls["start"].value = clean[0]
    assert "No problems found" in box.result.value
    assert box.controls["billing_npi"].value == "1234567893"


def test_preview_shows_a_valid_837p(world):
    box = x12_preview(world)
    assert "pyx12 found no problems" in box.result.value
    assert "ST*837*0001*005010X222A1~" in box.result.value
    box.controls["frequency"].value = "7"
    assert "REF*F8*SYNPCN" in box.result.value and "pyx12 found no problems" in box.result.value
    box.controls["explain"].value = True
    assert "Each segment of the 837P file" in box.result.value
    other = box.controls["claim"].options[-1][1]
    box.controls["claim"].value = other
    assert other in box.result.value and box.export.claim_ids == (other,)
