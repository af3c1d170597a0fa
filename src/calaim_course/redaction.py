"""Redaction preview: mask DV-sensitive details in a case note before an auditor sees it.

The rules are data (``RULES``): each has a pattern, what it masks, why, and its source
with a confidence mark (VERIFIED, SECONDARY, or ANALYSIS for the course's own reasoning).
``redact(text, rules, names)`` applies the chosen rules to a note and returns the
auditor's view with a count per rule. It is deterministic: the same inputs always give
the same output.

How the masking works (and why):

- Every rule finds spans in the **original** text; overlapping spans are merged and each
  merged span is replaced by one label, such as ``[location removed]``. Working from the
  original means one rule's label can never be half-masked by another.
- **No partial names.** A name found by a rule (a person named after "her ex-partner",
  "her son" and so on) or typed in the names box is split into its words, and every word
  is then masked wherever it starts a word in the note, in any letter case and with
  whatever follows it in that word ("Goldthorn's", "GOLDTHORN", "Mr. Goldthorn").
  Masking too much is the safe direction.
- Automated redaction is an aid, not a guarantee: a nickname, a misspelling, a
  description ("her sister's place by the river") or a lower-case place name can slip
  through. A person reads every page before it leaves the organization.

The synthetic case notes (``CASE_NOTES``) are invented for teaching: nature-word names
from the synthetic world's lists, a fictional county, and phone numbers in the 555-0100
to 555-0199 range reserved for fiction.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import pandas as pd

from calaim_course.errors import CourseInputError

MAX_CHARS = 20_000
MAX_NAMES = 20
HUMAN_REVIEW_NOTE = (
    "Automated redaction is an aid, not a guarantee. It can miss a nickname, a misspelled name, a "
    "description of a place, or anything it has no rule for, and it can hide words that were safe. "
    "A trained person reads every redacted page before it leaves the organization, and the "
    "organization shares only what the survivor's release and the audit's purpose allow."
)

# Sources the rules cite (each fact is in the course's fact base with this mark).
OVW_FAQ = "https://www.justice.gov/ovw/page/file/1006896/download"
EVIDENCE_1037 = "https://www.legalfina.com/en/laws/ca/evidence/privileges/particular_privileges/domestic_violence_counselorvictim_privilege"
HHS_MINIMUM_NECESSARY = "https://www.hhs.gov/guidance/document/faq-208-wont-hipaa-privacy-rules-minimum-necessary-restrictions-impede-delivery-quality"

_CAP = r"[A-Z][\w'’-]*"             # a capitalized word (a name or a place)
_NAME_WORD = r"[A-Z][a-z'’-]+"      # a capitalized name word: "Goldthorn", "O'Reed"


@dataclass(frozen=True)
class Rule:
    """One redaction rule. ``pattern`` finds spans; its group ``target`` (if any) is the
    part masked; ``sentence`` rules mask the whole sentence around each match. ``names``
    rules also mask every word of what they find, everywhere."""

    rule_id: str
    label: str
    masks: str
    why: str
    source: str
    source_url: str
    confidence: str
    replacement: str
    pattern: re.Pattern | None
    names: bool = False
    sentence: bool = False    # mask the whole sentence around each match


RULES: tuple[Rule, ...] = (
    Rule(
        "safety_plan", "Safety plan details",
        "Any sentence that mentions a safety plan, a code word, an escape plan or route, or a go-bag",
        "A safety plan says how a survivor will stay safe; if it reached the person causing harm, it could be "
        "defeated. Checking a billed service does not need it.",
        "California Evidence Code 1037.2 (confidential communications include information about incidents and "
        "the relationship with the abuser; secondary source) and the course's reading of minimum necessary",
        EVIDENCE_1037, "ANALYSIS",
        "[safety plan details removed]",
        re.compile(r"\b(?i:safety[- ]?plan|code[- ]?word|escape (?:plan|route)|go[- ]?bag|emergency bag)"),
        sentence=True,
    ),
    Rule(
        "address", "Street addresses and post office boxes",
        "A house number followed by a street name and type (Lane, Street, Avenue...), with any unit; P.O. boxes",
        "An address discloses where a survivor lives or stays. OVW counts information that would disclose a "
        "victim's location as personally identifying information.",
        "OVW, Frequently Asked Questions on the VAWA Confidentiality Provision, October 2017, question 4",
        OVW_FAQ, "VERIFIED",
        "[address removed]",
        re.compile(r"\b\d{1,6}[ \t]+(?:" + _CAP + r"[ \t]+){1,4}(?:(?i:street|avenue|road|lane|drive|way|court"
                   r"|boulevard|place|circle|terrace|highway|trail|loop)\b|(?i:st|ave|rd|ln|dr|ct|blvd|pl|cir|ter|hwy)\b\.?)"
                   r"(?:,?[ \t]*(?i:apt|apartment|unit|suite|ste)\b\.?[ \t]*#?[\w-]+|,?[ \t]*#[ \t]*[\w-]+)?"
                   r"|\b(?i:p\.?[ \t]?o\.?[ \t]*box)[ \t]*\d+"),
    ),
    Rule(
        "shelter", "Shelter and safe-house names",
        "Capitalized names ending in Shelter, Safe House, House, Haven, Refuge, Home or Lodge",
        "Naming a shelter discloses where a survivor is staying, which is personally identifying information "
        "under VAWA, and can expose everyone staying there.",
        "OVW, Frequently Asked Questions on the VAWA Confidentiality Provision, October 2017, question 4",
        OVW_FAQ, "VERIFIED",
        "[shelter name removed]",
        re.compile(r"\b(?:" + _CAP + r"[ \t]+){1,4}(?:Shelter|Safe[ \t]+House|Safehouse|House|Haven|Refuge|Home|Lodge)\b"),
    ),
    Rule(
        "location", "Places a survivor moved to or stays at",
        "Capitalized place names after words such as moved to, staying at, living in, fled to, or motel in",
        "Where a survivor has moved or is staying is location information, which OVW counts as personally "
        "identifying information for a victim.",
        "OVW, Frequently Asked Questions on the VAWA Confidentiality Provision, October 2017, question 4",
        OVW_FAQ, "VERIFIED",
        "[location removed]",
        re.compile(r"\b(?i:moved|moving|moves|relocated|relocating|fled|fleeing|staying|stays|stayed|living|lives"
                   r"|lived|hiding|sleeping|sleeps|slept|parked|parks|house|home|apartment|motel|hotel|place|unit)"
                   r"[ \t]+(?i:to|in|at|near|into|by|on|outside)[ \t]+(?:(?i:the|a|an)[ \t]+)?"
                   r"(?P<target>" + _CAP + r"(?:[ \t]+" + _CAP + r")*)"),
    ),
    Rule(
        "third_party_name", "Names of other people (abuser, family, friends)",
        "Names that follow words such as partner, ex-husband, abuser, son, daughter, sister, friend; then every "
        "word of those names wherever it appears",
        "Third parties are not the member being audited. The abuser's name ties the note to a DV case, and "
        "family names can lead to the survivor. The course suggests redacting third-party names in audits.",
        "The course's audit strategies (analysis), building on OVW's definition of personally identifying information",
        OVW_FAQ, "ANALYSIS",
        "[name removed]",
        re.compile(r"\b(?i:ex[- ]?partner|partner|ex[- ]?husband|husband|ex[- ]?wife|wife|ex[- ]?boyfriend|boyfriend"
                   r"|ex[- ]?girlfriend|girlfriend|ex|spouse|abuser|respondent|restrained party|other parent"
                   r"|son|sons|daughter|daughters|child|children|kids?|sister|brother|mother|father|mom|dad"
                   r"|aunt|uncle|cousin|friend|neighbou?r|roommate|grandmother|grandfather)(?:'s)?"
                   r"[ \t]*(?:,|\(|:|[ \t](?:named|is|was|called))?[ \t]*"
                   r"(?P<target>" + _NAME_WORD + r"(?:[ \t]+" + _NAME_WORD + r"){0,2}"
                   r"(?:(?:[ \t]*,[ \t]*(?i:and[ \t]+)?|[ \t]+(?i:and)[ \t]+|[ \t]*&[ \t]*)" + _NAME_WORD + r"(?:[ \t]+" + _NAME_WORD
                   + r"){0,2})*)"),
        names=True,
    ),
    Rule(
        "listed_names", "Names you list",
        "Every word of each name typed in the names box (for example the survivor's own name or a nickname), "
        "wherever it appears",
        "The chart header already carries the member ID the auditor matches to the claim, so the note body "
        "does not need the survivor's name; other names need a person to list them.",
        "HHS, minimum necessary (FAQ 208), and the course's reading",
        HHS_MINIMUM_NECESSARY, "ANALYSIS",
        "[name removed]",
        None,
        names=True,
    ),
    Rule(
        "phone", "Phone numbers",
        "Phone numbers such as 555-0147, (555) 555-0147 or 555.0147",
        "A phone number identifies a person directly and can be used to reach or locate them.",
        "OVW, Frequently Asked Questions on the VAWA Confidentiality Provision, October 2017, question 4",
        OVW_FAQ, "VERIFIED",
        "[phone removed]",
        re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])?\d{3}[\s.-]\d{4}(?!\d)"),
    ),
    Rule(
        "email", "E-mail addresses",
        "Anything shaped like name@example.org",
        "An e-mail address identifies a person directly and can be used to reach them.",
        "OVW, Frequently Asked Questions on the VAWA Confidentiality Provision, October 2017, question 4",
        OVW_FAQ, "VERIFIED",
        "[e-mail removed]",
        re.compile(r"(?<![\w.%+-])[\w.%+-]+@(?:[\w-]+\.)+[A-Za-z]{2,}"),
    ),
    Rule(
        "case_number", "Court case numbers",
        "A number after case, docket or order (for example a protective order's case number)",
        "A court case number is a public record key: it can lead to the survivor's name, address and the "
        "protective order itself.",
        "The course's reading of OVW's definition (information that may directly or indirectly identify)",
        OVW_FAQ, "ANALYSIS",
        "[case number removed]",
        re.compile(r"\b(?i:case|docket|order)[ \t]*(?i:no\.?|number|#)?[ \t]*:?[ \t]*"
                   r"(?P<target>(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{3,})"),
    ),
)
RULE_IDS = tuple(rule.rule_id for rule in RULES)
RULES_BY_ID = {rule.rule_id: rule for rule in RULES}
# Words never treated as names, even when a rule picks them up ("her partner: She said...").
NOT_NAMES = frozenset("""
a an and the he she they them her his their it its we i you this that these those on in at to of for
with by from but or member client survivor advocate staff plan today yesterday tomorrow mr mrs ms dr
""".split())


def rules_table(active: object = None) -> pd.DataFrame:
    """The rules as a table for people to read; ``active`` marks which are on."""
    on = set(_check_rules(active))
    return pd.DataFrame({
        "Rule": [r.label for r in RULES],
        "On": ["on" if r.rule_id in on else "off" for r in RULES],
        "What it masks": [r.masks for r in RULES],
        "Why": [r.why for r in RULES],
        "Source": [r.source for r in RULES],
        "Confidence": [r.confidence for r in RULES],
    })


# --------------------------------------------------------------------------- case notes
@dataclass(frozen=True)
class CaseNote:
    """A synthetic case note. ``planted`` lists, per rule, the sensitive strings in it
    (for tests and for the facilitator); ``names`` is what the names box starts with."""

    note_id: str
    title: str
    record_type: str          # "ecm_encounter", "chw_visit" or "advocacy"
    names: str
    text: str
    planted: dict = field(default_factory=dict)


_HEADER = "SYNTHETIC TRAINING NOTE: every name, place and number below is invented."

CASE_NOTES: tuple[CaseNote, ...] = (
    CaseNote(
        "SYN-NOTE-001", "ECM encounter note (billed to the plan)", "ecm_encounter", "Rowan Quailbrook",
        f"""{_HEADER}
ECM encounter, SYN-SVC-000000169. Date: 2026-05-12, 10:00 to 10:45 (45 minutes), in person. Lead care manager: Finch Dovecote.
Met with Rowan Quailbrook to update the care plan. Rowan reported that her ex-partner, Thistle Goldthorn, keeps calling her old number and that she moved to Cobblestream Hollow last week. She is staying at Wrenfield House until a unit opens at 418 Tamarack Lane, Apt 3. Rowan asked that reminders go only to her new cell, 555-0147, or to rowan.q@example.org.
Safety plan: she keeps a go-bag at her cousin's and will text the code word "blue kettle" to her sister if she needs help.
Goldthorn's brother was seen near the clinic, and Rowan does not want the Goldthorn family to learn about the move.
Care plan goals reviewed: primary care visit on 2026-05-20; housing navigation referral sent; blood pressure medicine refilled.""",
        {"listed_names": ("Rowan", "Quailbrook"), "third_party_name": ("Thistle", "Goldthorn"),
         "location": ("Cobblestream Hollow",), "shelter": ("Wrenfield House",), "address": ("418 Tamarack Lane",),
         "phone": ("555-0147",), "email": ("rowan.q@example.org",), "safety_plan": ("go-bag", "blue kettle")},
    ),
    CaseNote(
        "SYN-NOTE-002", "CHW visit note (billed to the plan)", "chw_visit", "Marigold Pebbleford",
        f"""{_HEADER}
CHW visit, SYN-SVC-000000905. Date: 2026-04-02, 14:15 to 15:15 (60 minutes). Code 98960, 2 units. Nature of service: health education on managing high blood pressure.
Marigold Pebbleford practiced reading her blood pressure log and set a goal to walk three times a week. She is sleeping at Foxmeadow Haven this month and asked that we call her friend Ivy Mossglen at (555) 555-0162 if she misses a visit. Her children, Wren and Linden, attend the program's child care during visits.
Her protective order, case 26-DV-00417, was granted in April; we did not discuss it further.
Next visit: 2026-04-16. Supervising provider reviewed the note.""",
        {"listed_names": ("Marigold", "Pebbleford"), "third_party_name": ("Ivy", "Mossglen", "Wren", "Linden"),
         "shelter": ("Foxmeadow Haven",), "phone": ("555-0162",), "case_number": ("26-DV-00417",)},
    ),
    CaseNote(
        "SYN-NOTE-003", "Advocacy counseling note (not billed; privileged)", "advocacy", "Sage Thistledown",
        f"""{_HEADER}
Advocacy session (DV counselor). Not a Medi-Cal service. Date: 2026-03-09, 50 minutes.
Sage Thistledown talked about the night she left and her worry that her husband, Reed Ashgrove, will find her new apartment at 77 Cedarcrest Court. We reviewed her safety plan: she will vary her route to work and keep copies of her documents at the office.
Reed's mother called the hotline from 555-0175 asking where Sage is staying; staff did not confirm that Sage is a client.
Sage wants to apply for Safe at Home; we will meet again on 2026-03-16.""",
        {"listed_names": ("Sage", "Thistledown"), "third_party_name": ("Reed", "Ashgrove"),
         "address": ("77 Cedarcrest Court",), "phone": ("555-0175",), "safety_plan": ("vary her route",)},
    ),
)
CASE_NOTES_BY_ID = {note.note_id: note for note in CASE_NOTES}
ADVOCACY_WARNING = (
    "This is an advocacy counseling note, not part of the Medi-Cal service record. In the course's suggested "
    "set-up it is kept apart from the billed record and is not offered to a plan's auditor at all: redaction "
    "is not the answer for it. Communications with a DV counselor are privileged, and the survivor holds the "
    "privilege (California Evidence Code 1037.5, secondary source)."
)


# --------------------------------------------------------------------------- inputs
def _check_rules(active: object) -> tuple[str, ...]:
    """Rule ids to apply, in ``RULES`` order. None means every rule."""
    if active is None:
        return RULE_IDS
    if isinstance(active, str) or not hasattr(active, "__iter__"):
        raise CourseInputError("Rules", active, f"a list of rule ids from {', '.join(RULE_IDS)}")
    chosen = list(active)
    unknown = [r for r in chosen if r not in RULES_BY_ID]
    if unknown:
        raise CourseInputError("Rules", unknown[0], f"one of {', '.join(RULE_IDS)}")
    return tuple(r for r in RULE_IDS if r in chosen)


_NAME_ITEM = re.compile(r"[^\W\d_](?:[^\W\d_]|[ '’.-])*")


def parse_names(value: object) -> tuple[str, ...]:
    """Names typed by a learner, separated by commas, semicolons or new lines."""
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        items = [str(v) for v in value]
    elif isinstance(value, str):
        items = re.split(r"[,;\n]", value)
    else:
        raise CourseInputError("Names to mask", value, "names separated by commas")
    names = []
    for item in items:
        name = " ".join(item.split())
        if not name:
            continue
        if not _NAME_ITEM.fullmatch(name) or len(name) > 60:
            raise CourseInputError("Names to mask", name,
                                   "a name of letters, spaces, hyphens, apostrophes or periods (up to 60 characters)",
                                   "Separate names with commas.")
        if not any(len(word) >= 2 for word in _name_words(name)):
            raise CourseInputError("Names to mask", name, "a name with at least one word of two or more letters",
                                   "Single letters or initials would mask too much of the note; list full names.")
        names.append(name)
    if len(names) > MAX_NAMES:
        raise CourseInputError("Names to mask", f"{len(names)} names", f"at most {MAX_NAMES} names")
    return tuple(names)


def _name_words(name: str) -> list[str]:
    """The words of a name worth masking on their own: two letters or more, not a common word."""
    words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", name)
    return [w for w in words if len(w) >= 2 and w.lower() not in NOT_NAMES]


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise CourseInputError("Case note", type(text).__name__, "text")
    if not text.strip():
        raise CourseInputError("Case note", text, "some text to redact", "Paste or type a synthetic case note.")
    if len(text) > MAX_CHARS:
        raise CourseInputError("Case note", f"{len(text):,} characters", f"at most {MAX_CHARS:,} characters")
    return text


# --------------------------------------------------------------------------- redaction
@dataclass(frozen=True)
class Redaction:
    """The result: the original, the auditor's view, and what each rule masked."""

    original: str
    redacted: str
    rules_on: tuple[str, ...]
    matches: dict            # rule id -> passages masked under its label (after merging)
    masked_spans: tuple      # (start, end, rule id) in the original, merged, in order

    def summary_table(self) -> pd.DataFrame:
        return pd.DataFrame({
            "Rule": [r.label for r in RULES],
            "On": ["on" if r.rule_id in self.rules_on else "off" for r in RULES],
            "Places masked": [self.matches.get(r.rule_id, 0) if r.rule_id in self.rules_on else "not applied"
                              for r in RULES],
        })

    def summary(self) -> str:
        total = len(self.masked_spans)
        passages = "1 passage" if total == 1 else f"{total} passages"
        return (f"{passages} masked; {len(self.rules_on)} of {len(RULES)} rules applied. "
                "Check the auditor's view line by line before sharing it.")


# A sentence ends at a new line, or at . ! ? followed by a space and a capital, a digit,
# a quote or the end of the text, unless the word before is a common abbreviation.
_SENTENCE_END = re.compile(r"\n|[.!?](?=[\"'’”)\]]*(?:\s+[^a-z\s]|\s*$))")
_ABBREVIATIONS = frozenset({"mr", "mrs", "ms", "dr", "st", "apt", "no", "jr", "sr", "ave", "rd", "ln", "blvd"})


def _sentence_ends(text: str) -> list[int]:
    ends = []
    for match in _SENTENCE_END.finditer(text):
        before = re.search(r"(\w+)$", text[max(0, match.start() - 12):match.start()])
        if match.group() != "\n" and before and before.group(1).lower() in _ABBREVIATIONS:
            continue
        ends.append(match.start())
    return ends


def _rule_spans(rule: Rule, text: str, ends: list[int]) -> list[tuple[int, int]]:
    spans = []
    for match in rule.pattern.finditer(text):
        if rule.sentence:
            # From just after the previous sentence end to the next one (inclusive).
            i = bisect.bisect_left(ends, match.start())
            start = ends[i - 1] + 1 if i > 0 else 0
            j = bisect.bisect_left(ends, match.end())
            end = ends[j] + 1 if j < len(ends) else len(text)
            while start < end and text[start].isspace():
                start += 1
        elif "target" in rule.pattern.groupindex and match.group("target") is not None:
            start, end = match.span("target")
        else:
            start, end = match.span()
        if end > start:
            spans.append((start, end))
    return spans


def _word_spans(words: dict[str, int], text: str) -> list[tuple[int, int, int]]:
    """Every place a name word starts a word (any case), through the end of that word.

    ``words``: casefolded word -> rule position (for the label). Longer words are tried
    first, so "Reedmarsh" is found whole before "Reed"."""
    if not words:
        return []
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))
    pattern = re.compile(r"(?<!\w)(?P<w>" + alternatives + r")(?:['’]?\w)*", re.IGNORECASE)
    default = min(words.values())
    return [(m.start(), m.end(), words.get(m.group("w").casefold(), default)) for m in pattern.finditer(text)]


def redact(text: object, rules: object = None, names: object = None) -> Redaction:
    """Apply the chosen rules (None = all) to ``text``; ``names`` are extra names to mask
    (used when the "listed_names" rule is on). Raises CourseInputError on bad input."""
    text = _check_text(text)
    active = _check_rules(rules)
    listed = parse_names(names)
    ends = _sentence_ends(text)
    found: list[tuple[int, int, int]] = []      # (start, end, rule position)
    name_words: dict[str, int] = {}             # casefolded name word -> rule position
    for position, rule in enumerate(RULES):
        if rule.rule_id not in active:
            continue
        if rule.pattern is None:                # the names a learner typed
            sources = listed
        else:
            spans = _rule_spans(rule, text, ends)
            if rule.names:  # "her partner: She said..." names nobody
                spans = [(s, e) for s, e in spans if _name_words(text[s:e])]
            found += [(s, e, position) for s, e in spans]
            sources = [text[s:e] for s, e in spans] if rule.names else []
        for name in sources:
            for word in _name_words(name):
                name_words.setdefault(word.casefold(), position)
    # No partial names: every word of every found or listed name, wherever it starts a word.
    found += _word_spans(name_words, text)
    merged = _merge(found)
    pieces, cursor = [], 0
    for start, end, position in merged:
        pieces.append(text[cursor:start])
        pieces.append(RULES[position].replacement)
        cursor = end
    pieces.append(text[cursor:])
    spans = tuple((s, e, RULES[p].rule_id) for s, e, p in merged)
    matches = {rule_id: sum(1 for *_, r in spans if r == rule_id) for rule_id in active}
    return Redaction(text, "".join(pieces), active, matches, spans)


def _merge(found: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Merge overlapping or touching spans. A merged span takes the label of its longest
    part (ties: the earlier rule), so an e-mail that starts with a name reads "e-mail"."""
    merged: list[list[int]] = []   # start, end, position, length of the labelling part
    for start, end, position in sorted(found):
        if merged and start <= merged[-1][1]:
            last = merged[-1]
            last[1] = max(last[1], end)
            if (end - start, -position) > (last[3], -last[2]):
                last[2], last[3] = position, end - start
        else:
            merged.append([start, end, position, end - start])
    return [(m[0], m[1], m[2]) for m in merged]
