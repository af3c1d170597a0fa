"""Redaction preview: planted details are masked, names never leak in part, bad input is explained."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calaim_course import redaction
from calaim_course.errors import CourseInputError
from calaim_course.synthetic import FIRST_NAMES, LAST_NAMES
from calaim_course.widgets.redaction import redaction_preview

NOTE1, NOTE2, NOTE3 = redaction.CASE_NOTES


def _leaks(word: str, text: str) -> bool:
    """A name word leaks if it starts a word anywhere in the text (any letter case)."""
    return re.search(r"(?<!\w)" + re.escape(word), text, re.IGNORECASE) is not None


# --------------------------------------------------------------------------- sample notes
@pytest.mark.parametrize("note", redaction.CASE_NOTES, ids=lambda n: n.note_id)
def test_every_planted_detail_is_masked_with_all_rules_on(note):
    result = redaction.redact(note.text, None, note.names)
    for rule_id, items in note.planted.items():
        for item in items:
            assert item.lower() not in result.redacted.lower(), (rule_id, item)
    # Words that are names leak in no form at all.
    for item in note.planted.get("listed_names", ()) + note.planted.get("third_party_name", ()):
        assert not _leaks(item, result.redacted), item


@pytest.mark.parametrize("note", redaction.CASE_NOTES, ids=lambda n: n.note_id)
def test_sample_notes_are_unmistakably_fictional(note):
    assert note.text.startswith("SYNTHETIC TRAINING NOTE")
    for number in re.findall(r"\d{3}[-.]\d{4}", note.text):
        assert re.fullmatch(r"555[-.]01\d\d", number), number
    for address in re.findall(r"@([\w-]+(?:\.[\w-]+)+)", note.text):
        assert address == "example.org"
    synthetic_words = set(FIRST_NAMES) | set(LAST_NAMES)
    for item in note.planted.get("listed_names", ()) + note.planted.get("third_party_name", ()):
        assert item in synthetic_words, item          # names come from the synthetic lists


def test_what_the_auditor_still_sees():
    redacted = redaction.redact(NOTE1.text, None, NOTE1.names).redacted
    # What a reviewer needs to check the billed service stays.
    for kept in ["SYN-SVC-000000169", "2026-05-12", "45 minutes", "Lead care manager: Finch Dovecote",
                 "update the care plan", "Care plan goals reviewed"]:
        assert kept in redacted
    assert "[safety plan details removed]" in redacted
    assert "[shelter name removed]" in redacted and "[e-mail removed]" in redacted


def test_masking_is_deterministic():
    first = redaction.redact(NOTE2.text, None, NOTE2.names)
    assert first == redaction.redact(NOTE2.text, None, NOTE2.names)


@pytest.mark.parametrize("rule_id,visible", [
    ("phone", "555-0147"),
    ("address", "418 Tamarack Lane"),
    ("location", "Cobblestream Hollow"),
    ("safety_plan", "blue kettle"),
    ("listed_names", "Quailbrook"),
])
def test_turning_a_rule_off_shows_what_it_masked(rule_id, visible):
    active = [r for r in redaction.RULE_IDS if r != rule_id]
    assert visible in redaction.redact(NOTE1.text, active, NOTE1.names).redacted
    assert visible not in redaction.redact(NOTE1.text, None, NOTE1.names).redacted


def test_no_rules_changes_nothing():
    result = redaction.redact(NOTE1.text, [], NOTE1.names)
    assert result.redacted == NOTE1.text and result.masked_spans == ()


def test_counts_per_rule():
    result = redaction.redact(NOTE2.text, None, NOTE2.names)
    assert result.matches["case_number"] == 1 and result.matches["phone"] == 1
    assert result.matches["email"] == 0
    table = result.summary_table().set_index("Rule")
    assert table.loc["Phone numbers", "Places masked"] == 1
    off = redaction.redact(NOTE2.text, ["phone"], None).summary_table().set_index("Rule")
    assert off.loc["Court case numbers", "Places masked"] == "not applied"


# --------------------------------------------------------------------------- no partial names
def test_a_found_name_is_masked_in_every_form():
    text = ("Her ex-partner, Thistle Goldthorn, called. Later Mr. Goldthorn came; GOLDTHORN's truck, "
            "goldthorn again, the Goldthorns, Thistle's sister and THISTLE.")
    out = redaction.redact(text, ["third_party_name"]).redacted
    for word in ("Thistle", "Goldthorn"):
        assert not _leaks(word, out), out
    assert "Mr. [name removed]" in out


def test_listed_names_mask_each_word_and_leave_other_words_alone():
    text = "Rowan Quailbrook came in. rowan's plan; QUAILBROOK; Rowan-Quailbrook. She agreed."
    out = redaction.redact(text, ["listed_names"], "Rowan Quailbrook").redacted
    assert not _leaks("Rowan", out) and not _leaks("Quailbrook", out)
    assert "She agreed." in out      # "agreed" is not touched: a name word must start a word


def test_names_after_family_words_and_lists_of_names():
    out = redaction.redact("Her children, Wren and Linden, and her friend Ivy Mossglen visited.",
                           ["third_party_name"]).redacted
    for word in ("Wren", "Linden", "Ivy", "Mossglen"):
        assert not _leaks(word, out)
    assert out.startswith("Her children, [name removed]")


def test_a_pronoun_after_a_relationship_word_is_not_a_name():
    text = "She left her partner: She is safe now."
    assert redaction.redact(text, ["third_party_name"]).redacted == text


def test_safety_plan_sentences_survive_abbreviations():
    text = "We made a safety plan with Mr. Reed and Dr. Oak at 5 p.m. today. She will rest. Next visit: 5/1."
    out = redaction.redact(text, ["safety_plan"]).redacted
    assert out == "[safety plan details removed] She will rest. Next visit: 5/1."


def test_addresses_with_units_and_po_boxes():
    out = redaction.redact("At 12 Oak St. Apt 4 now, later 9 Elm Street #5, mail to P.O. Box 1234.",
                           ["address"]).redacted
    assert out == "At [address removed] now, later [address removed], mail to [address removed]."


def test_an_email_that_starts_with_a_name_is_labelled_as_an_email():
    out = redaction.redact("Write to rowan.q@example.org.", None, "Rowan").redacted
    assert out == "Write to [e-mail removed]."


# --------------------------------------------------------------------------- rules as data
def test_rules_table_lists_every_rule_with_source_and_confidence():
    table = redaction.rules_table()
    assert len(table) == len(redaction.RULES) and (table["On"] == "on").all()
    assert set(table["Confidence"]) <= {"VERIFIED", "SECONDARY", "ANALYSIS"}
    for rule in redaction.RULES:
        assert rule.source_url.startswith("https://") and rule.source and rule.why and rule.masks
        assert rule.replacement.startswith("[") and rule.replacement.endswith("]")
    off = redaction.rules_table(["phone"])
    assert (off["On"] == "on").sum() == 1


# --------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("text,words", [
    ("", "some text"), ("   \n", "some text"), (None, "text"), (42, "text"),
    ("x" * (redaction.MAX_CHARS + 1), "at most"),
])
def test_bad_notes_are_explained(text, words):
    with pytest.raises(CourseInputError, match="Case note") as problem:
        redaction.redact(text)
    assert words in str(problem.value)


@pytest.mark.parametrize("rules", ["phone", ["phone", "gps"], 5])
def test_bad_rules_are_explained(rules):
    with pytest.raises(CourseInputError, match="Rules"):
        redaction.redact("A note.", rules)


@pytest.mark.parametrize("names,words", [
    ("R", "two or more letters"), ("Rowan, J", "two or more letters"), ("R2D2", "letters"),
    ("Rowan; x@y", "letters"), (42, "names separated by commas"), (", ".join(["Aa"] * 21), "at most 20"),
])
def test_bad_names_are_explained(names, words):
    with pytest.raises(CourseInputError, match="Names to mask") as problem:
        redaction.redact("A note.", None, names)
    assert words in str(problem.value)


def test_names_parse_commas_semicolons_and_lines():
    assert redaction.parse_names("Rowan Quailbrook; Ivy,\n  O'Reed-Smith ,") == ("Rowan Quailbrook", "Ivy",
                                                                                  "O'Reed-Smith")


# --------------------------------------------------------------------------- properties
LABEL_WORDS = {w for rule in redaction.RULES for w in re.findall(r"[a-z]+", rule.replacement)}
NAME = st.from_regex(r"[A-Z][a-z]{2,9}", fullmatch=True).filter(
    lambda w: w.lower() not in redaction.NOT_NAMES | LABEL_WORDS)
FILLER = st.text(max_size=40)
LOCAL_PART = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8})?", fullmatch=True)
DETAILS = st.lists(st.sampled_from(["keep", "bag", "library", "call", "neighbor", "vary", "route", "spare",
                                    "key", "under", "the", "mat", "texts", "cousin", "at", "night"]),
                   min_size=2, max_size=6).map(" ".join)


@st.composite
def planted_note(draw):
    """A note of random filler with sensitive details planted between the pieces.

    Returns (text, names typed in the box, {rule id: [(kind, string)]}); kind "word"
    means the string must not start a word anywhere, "text" that it must not appear."""
    items = []
    first, last = draw(NAME), draw(NAME)
    items.append(("third_party_name", draw(st.sampled_from(["her ex-partner", "her husband,", "the abuser",
                                                             "her son", "her friend"])) + f" {first} {last}",
                  [("word", first), ("word", last)]))
    items.append(("third_party_name", f"{last}'s", [("word", last)]))
    member_first, member_last = draw(NAME), draw(NAME)
    items.append(("listed_names", f"{member_first} {member_last}",
                  [("word", member_first), ("word", member_last)]))
    items.append(("listed_names", member_last.upper(), [("word", member_last)]))
    place = draw(NAME)
    verb = draw(st.sampled_from(["moved to", "staying at", "living in", "fled to", "motel in"]))
    items.append(("location", f"{verb} {place}", [("text", f"{verb} {place}")]))
    shelter = f"{draw(NAME)} {draw(st.sampled_from(['House', 'Shelter', 'Haven', 'Refuge']))}"
    items.append(("shelter", shelter, [("text", shelter)]))
    address = f"{draw(st.integers(1, 99999))} {draw(NAME)} {draw(st.sampled_from(['Lane', 'Street', 'Ave', 'Court']))}"
    items.append(("address", address, [("text", address)]))
    phone = f"555-01{draw(st.integers(0, 99)):02d}"
    items.append(("phone", draw(st.sampled_from([phone, f"(555) {phone}"])), [("text", phone)]))
    email = draw(LOCAL_PART) + "@example.org"
    items.append(("email", email, [("text", email)]))
    case = f"{draw(st.integers(10, 99))}-DV-{draw(st.integers(10000, 99999))}"
    items.append(("case_number", f"case {case}", [("text", case)]))
    details = draw(DETAILS)
    items.append(("safety_plan", f"Safety plan: {details}.", [("text", details)]))
    order = draw(st.permutations(range(len(items))))
    pieces = []
    for i in order:
        pieces += [draw(FILLER), draw(st.sampled_from([" ", "\n", ". ", " -- "])), items[i][1],
                   draw(st.sampled_from([" ", "\n", ". ", ", "]))]
    pieces.append(draw(FILLER))
    planted = {}
    for rule_id, _, checks in items:
        planted.setdefault(rule_id, []).extend(checks)
    return "".join(pieces), f"{member_first} {member_last}", planted


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=planted_note(), rules=st.sets(st.sampled_from(redaction.RULE_IDS), min_size=1))
def test_planted_strings_never_survive_their_rule(note, rules):
    text, names, planted = note
    assume(text.strip() and len(text) <= redaction.MAX_CHARS)
    out = redaction.redact(text, sorted(rules), names).redacted
    for rule_id in rules:
        for kind, value in planted.get(rule_id, []):
            if kind == "word":
                assert not _leaks(value, out), (rule_id, value, out)
            else:
                assert value not in out, (rule_id, value, out)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=400), st.none(), st.integers()),
       rules=st.one_of(st.none(), st.lists(st.sampled_from(redaction.RULE_IDS + ("bogus",)), max_size=4)),
       names=st.one_of(st.none(), st.text(max_size=40)))
def test_any_input_gives_a_redaction_or_a_course_input_error(text, rules, names):
    try:
        result = redaction.redact(text, rules, names)
    except CourseInputError:
        return
    assert isinstance(result.redacted, str)
    # Masked spans are in order, never overlap, and everything between them is kept verbatim.
    cursor, rebuilt = 0, []
    for start, end, rule_id in result.masked_spans:
        assert cursor <= start < end <= len(text)
        rebuilt += [text[cursor:start], redaction.RULES_BY_ID[rule_id].replacement]
        cursor = end
    rebuilt.append(text[cursor:])
    assert "".join(rebuilt) == result.redacted


@settings(max_examples=100, deadline=None)
@given(text=st.text(min_size=1, max_size=300).filter(str.strip))
def test_with_no_rules_the_text_is_unchanged(text):
    assert redaction.redact(text, []).redacted == text


# --------------------------------------------------------------------------- the widget
def test_widget_default_view_masks_the_first_note():
    box = redaction_preview()
    html = box.result.value
    assert "Auditor&#x27;s view" in html or "Auditor's view" in html
    assert "Goldthorn" not in html and "555-0147" not in html and "blue kettle" not in html
    assert "[safety plan details removed]" in html
    assert "A person still reviews" in html and "aid, not a guarantee" in html
    assert "Stop and check" not in html
    assert "OVW, Frequently Asked Questions" in box.rules.value and "ANALYSIS" in box.rules.value
    assert box.message.value == ""


def test_widget_rule_checkbox_and_note_choice():
    box = redaction_preview()
    box.controls["rules"]["phone"].value = False
    assert "555-0147" in box.result.value
    assert ">off<" in box.rules.value
    box.controls["rules"]["phone"].value = True
    box.controls["note"].value = "SYN-NOTE-003"
    assert box.controls["names"].value == "Sage Thistledown"
    assert "Stop and check" in box.result.value and "privilege" in box.result.value
    assert "Ashgrove" not in box.result.value


def test_widget_accepts_the_learners_own_note():
    box = redaction_preview()
    box.controls["note"].value = "own"
    box.controls["text"].value = "Met Aster Yewdale. Her boyfriend Bramble Stonebriar called from 555-0111."
    box.controls["names"].value = "Aster Yewdale"
    html = box.result.value
    for word in ("Aster", "Yewdale", "Bramble", "Stonebriar", "555-0111"):
        assert word not in html
    assert "Stop and check" not in html


@pytest.mark.parametrize("control,value,words", [
    ("names", "R", "Names to mask"), ("names", "R2D2", "Names to mask"), ("text", "   ", "Case note"),
])
def test_widget_bad_input_shows_a_message_and_keeps_the_result(control, value, words):
    box = redaction_preview()
    before = box.result.value
    box.controls[control].value = value
    assert words in box.message.value and "Traceback" not in box.message.value
    assert box.result.value == before
    box.controls["note"].value = "SYN-NOTE-002"    # choosing a note refills both boxes
    assert box.message.value == "" and "Pebbleford" not in box.result.value
