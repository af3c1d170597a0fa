"""Release-of-information builder: every element present, every missing one named."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course import release_builder as rb
from calaim_course.errors import CourseInputError
from calaim_course.synthetic import FIRST_NAMES, LAST_NAMES
from calaim_course.widgets.release_builder import release_builder

GOOD = rb.ReleaseFields()


def _problems(**changes) -> list[rb.Problem]:
    return rb.release_problems(replace(GOOD, **changes))


def _elements(**changes) -> set[str]:
    return {p.element for p in _problems(**changes)}


def test_the_default_fields_build_a_draft_with_every_element():
    draft = rb.build_release(GOOD)
    for heading in ["## What will be shared", "## Who may share it", "## Who may receive it", "## Why",
                    "## How long this release lasts", "## What we talked about before you signed",
                    "## Your rights", "## Signature"]:
        assert heading in draft
    assert "Redwood Health Plan (fictional), and no one else" in draft
    assert "From 2026-06-28 until 2026-12-28 (183 days)" in draft
    assert "withdraw this release at any time" in draft and "confirm it with you" in draft
    assert "services do not depend on signing" in draft.lower()
    assert "may be shared again" in draft
    assert "educational, not legal advice" in draft
    assert "Juniper Fernhollow (synthetic name)" in draft


def test_checklist_of_a_complete_release_has_no_gaps():
    table = rb.element_checklist(GOOD)
    assert list(table["Element"]) == [v[0] for v in rb.ELEMENTS.values()]
    assert not table["Status"].str.startswith("Missing").any()


@pytest.mark.parametrize("changes,element", [
    ({"information": ""}, "information"),
    ({"information": "All records"}, "information"),
    ({"information": "everything in the file"}, "information"),
    ({"discloser": "  "}, "discloser"),
    ({"recipient": ""}, "recipient"),
    ({"recipient": "Any health care provider"}, "recipient"),
    ({"recipient": "Redwood Health Plan; Golden Poppy Health"}, "recipient"),
    ({"recipient": "Cedar Lantern Survivor Services (fictional)"}, "recipient"),
    ({"purpose": ""}, "purpose"),
    ({"purpose": "Any purpose"}, "purpose"),
    ({"expires_date": ""}, "expiry"),
    ({"expires_date": "2026-06-28"}, "expiry"),       # same day as signing
    ({"expires_date": "2026-01-01"}, "expiry"),       # before signing
    ({"expires_date": "2027-06-29"}, "expiry"),       # 366 days
    ({"expires_date": "2026-02-30"}, "expiry"),       # no such day
    ({"expires_date": "28/12/2026"}, "expiry"),
    ({"signed_date": "June 28"}, "signature"),
    ({"survivor_name": "Jane Doe"}, "signature"),      # not a synthetic name
    ({"survivor_name": ""}, "signature"),
    ({"signer": "neighbour"}, "signature"),
    ({"informed": False}, "informed"),
    ({"risks_discussed": " "}, "informed"),
    ({"services_not_conditioned": False}, "not_a_condition"),
    ({"information": "x" * (rb.MAX_TEXT + 1)}, "information"),
])
def test_each_missing_or_invalid_element_is_named(changes, element):
    assert element in _elements(**changes)
    with pytest.raises(CourseInputError) as caught:
        rb.build_release(replace(GOOD, **changes))
    assert rb.ELEMENTS[element][0] in str(caught.value)
    checklist = rb.element_checklist(replace(GOOD, **changes))
    row = checklist[checklist["Element"] == rb.ELEMENTS[element][0]].iloc[0]
    assert row["Status"].startswith("Missing or invalid")


def test_exactly_the_course_limit_is_accepted_and_the_message_says_it_is_an_illustration():
    signed = date(2026, 6, 28)
    draft = rb.build_release(replace(GOOD, expires_date=(signed + timedelta(days=rb.MAX_DAYS)).isoformat()))
    assert f"({rb.MAX_DAYS} days)" in draft
    with pytest.raises(CourseInputError, match="the law sets no number"):
        rb.build_release(replace(GOOD, expires_date=(signed + timedelta(days=rb.MAX_DAYS + 1)).isoformat()))


def test_a_minor_with_a_parent_needs_the_parents_name_authority_and_not_the_abuser():
    problems = _problems(signer="minor_and_parent")
    assert {p.field for p in problems} == {"representative_name", "representative_authority", "representative_not_abuser"}
    ok = replace(GOOD, signer="minor_and_parent", representative_name="Hazel Fernhollow",
                 representative_authority="Parent", representative_not_abuser=True)
    draft = rb.build_release(ok)
    assert "Juniper Fernhollow (a minor) and Hazel Fernhollow (Parent; not the person who caused harm)" in draft


def test_an_abuser_may_not_consent():
    fields = replace(GOOD, signer="guardian", representative_name="Hazel Fernhollow",
                     representative_authority="Court-appointed guardian", representative_not_abuser=False)
    with pytest.raises(CourseInputError, match="an abuser may not consent"):
        rb.build_release(fields)


def test_a_minor_who_may_consent_alone_signs_alone():
    draft = rb.build_release(replace(GOOD, signer="minor_alone"))
    assert "a minor who may receive these services on their own" in draft


def test_several_problems_are_counted_in_the_message():
    with pytest.raises(CourseInputError, match="2 other elements also need attention"):
        rb.build_release(replace(GOOD, information="", purpose="", services_not_conditioned=False))


def test_markdown_in_user_text_is_escaped_and_lines_are_joined():
    draft = rb.build_release(replace(GOOD, purpose="Billing *the* plan\n# for [services]"))
    assert r"Billing \*the\* plan \# for \[services\]" in draft


@pytest.mark.parametrize("values,field", [
    ({"recipient": None}, "Recipient"),
    ({"informed": "yes"}, "Informed"),
    ({"signed_date": 20260628}, "Signing date"),
    ({"colour": "blue"}, "release fields"),
])
def test_wrong_types_and_unknown_fields_raise(values, field):
    with pytest.raises(CourseInputError, match=field):
        rb.build_release(values)


def test_a_dict_of_fields_works_like_the_dataclass():
    assert rb.build_release(asdict(GOOD)) == rb.build_release(GOOD)
    with pytest.raises(CourseInputError, match="release fields"):
        rb.build_release(["not", "a", "mapping"])


# --------------------------------------------------------------------------- properties

names = st.builds(lambda f, l: f"{f} {l}", st.sampled_from(FIRST_NAMES), st.sampled_from(LAST_NAMES))
iso_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
anything = st.one_of(st.text(max_size=30), st.none(), st.integers(), st.booleans())
text_field = st.one_of(st.text(max_size=60), names, iso_dates, anything)
field_strategies = {
    name: (st.one_of(st.booleans(), anything) if name in rb.FLAG_FIELDS
           else st.one_of(st.sampled_from(list(rb.SIGNERS)), text_field) if name == "signer"
           else text_field)
    for name in rb.FIELD_LABELS
}


@given(st.fixed_dictionaries({}, optional=field_strategies))
@settings(max_examples=400, deadline=None)
def test_any_field_values_give_a_draft_or_a_clear_error(values):
    try:
        draft = rb.build_release(values)
    except CourseInputError as error:
        assert error.field and error.expected
    else:
        assert draft.startswith("# Release of information: practice draft")


@given(signed=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
       length=st.integers(min_value=-400, max_value=800), name=names, recipient=st.text(min_size=1, max_size=40))
@settings(max_examples=300, deadline=None)
def test_a_draft_is_always_time_limited_and_names_one_recipient(signed, length, name, recipient):
    fields = replace(GOOD, signed_date=signed.isoformat(), expires_date=(signed + timedelta(days=length)).isoformat(),
                     survivor_name=name, recipient=recipient)
    try:
        draft = rb.build_release(fields)
    except CourseInputError:
        assert not 1 <= length <= rb.MAX_DAYS or not recipient.strip() or rb.release_problems(fields)
    else:
        assert 1 <= length <= rb.MAX_DAYS
        assert f"({length} days)" in draft
        assert ";" not in recipient


# --------------------------------------------------------------------------- widget


def test_widget_default_view_has_a_complete_checklist_and_a_draft():
    box = release_builder()
    assert "Every required element is in the draft" in box.checklist.value
    assert "Release of information: practice draft" in box.result.value
    assert "course&#x27;s illustration" in box.result.value or "course's illustration" in box.result.value
    assert box.message.value == ""


def test_widget_names_a_missing_element_and_keeps_the_last_draft():
    box = release_builder()
    before = box.result.value
    box.controls["recipient"].value = "anyone who asks"
    assert "Recipient" in box.message.value and "One specific, named recipient" in box.message.value
    assert "1 element missing or invalid" in box.checklist.value
    assert box.result.value == before
    box.controls["recipient"].value = "Golden Poppy Health (fictional)"
    assert box.message.value == ""
    assert "Golden Poppy Health (fictional), and no one else" in box.result.value


def test_widget_minor_signer_shows_the_representative_checks():
    box = release_builder()
    box.controls["signer"].value = "minor_and_parent"
    assert "Parent or guardian" in box.message.value
    box.controls["representative_name"].value = "Hazel Fernhollow"
    box.controls["representative_authority"].value = "Parent"
    box.controls["representative_not_abuser"].value = True
    assert box.message.value == ""
    assert "Hazel Fernhollow" in box.result.value
