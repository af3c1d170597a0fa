"""Release-of-information builder: fields -> a draft, time-limited release in Markdown.

A release a DV program uses before sharing with a Medi-Cal plan or partner has to meet
two rulebooks at once:

- HIPAA's authorization (45 CFR 164.508(c)): six core elements (what, who shares, who
  receives, why, an expiration date or event, signature and date, plus a representative's
  authority) and three statements (the right to revoke in writing; whether anything is
  conditioned on signing; that shared information may be redisclosed).
  Source: regulation text quoted by the University of Massachusetts (SECONDARY).
- The VAWA, FVPSA and VOCA conditions: consent that is informed, written and reasonably
  time-limited (VERIFIED, 34 U.S.C. 12291(b)(2) and 28 CFR 94.115); never a condition of
  service, one release per recipient, withdrawal accepted orally and confirmed in writing
  (NNEDV guidance, SECONDARY); who may consent for a minor or a person under guardianship,
  and never the abuser (VERIFIED).

The builder names every missing or invalid element. Its time limit, ``MAX_DAYS`` (one
year), is the course's illustration: the law says "reasonably time-limited" and sets no
number. Names must come from the course's synthetic name lists, so nobody practises with
a real survivor's name. The draft is for learning, not a legal form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

import pandas as pd

from calaim_course.errors import CourseInputError
from calaim_course.synthetic import FIRST_NAMES, LAST_NAMES

MAX_DAYS = 365  # the course's illustration of "reasonably time-limited", not a legal rule
MAX_TEXT = 400  # characters per field: a release is read by the survivor, keep it short
AGENCY = "Cedar Lantern Survivor Services (fictional)"

SIGNERS = {
    "survivor": "The survivor (an adult)",
    "minor_alone": "A minor who may receive these services on their own under state law",
    "minor_and_parent": "A minor, with one non-abusive parent or guardian",
    "guardian": "A court-appointed guardian (the survivor is legally incapacitated)",
}
NEEDS_REPRESENTATIVE = {"minor_and_parent", "guardian"}

HIPAA_URL = "https://www.umass.edu/research/faq/what-are-required-elements-authorization"
VAWA_URL = "https://lfportal.everettwa.gov/WebLink/0/doc/1475677/Page21.aspx"
VOCA_URL = "https://www.ecfr.gov/cgi-bin/text-idx?mc=true&node=sg28.2.94_1110.sg8&rgn=div7"
NNEDV_RELEASE_URL = "https://tools.nnedv.org/faq/scr/faq-basic-release-template"
NNEDV_REVOKE_URL = "https://tools.nnedv.org/faq/scr/emergencies-hotlines-written-consent-questions"
NNEDV_CONDITIONS_URL = "https://techsafety.org/confidentiality-in-vawa-fvpsa"

# element key -> (what the release needs, where the requirement comes from, source URL, confidence)
ELEMENTS = {
    "information": ("A specific, meaningful description of what will be shared",
                    "HIPAA authorization core element (45 CFR 164.508(c)(1))", HIPAA_URL, "SECONDARY"),
    "discloser": ("Who may share it", "HIPAA authorization core element", HIPAA_URL, "SECONDARY"),
    "recipient": ("One specific, named recipient",
                  "HIPAA core element; NNEDV: a separate release for each receiving agency", NNEDV_RELEASE_URL, "SECONDARY"),
    "purpose": ("Why it will be shared", "HIPAA authorization core element", HIPAA_URL, "SECONDARY"),
    "expiry": ("An end date after the signing date, reasonably time-limited",
               "HIPAA core element; VAWA and VOCA: reasonably time-limited consent", VAWA_URL, "VERIFIED"),
    "signature": ("Who signs, signature and date, and a representative's authority if one signs",
                  "HIPAA core element; VAWA and VOCA: who may consent for a minor or a person under guardianship", VOCA_URL, "VERIFIED"),
    "informed": ("Informed: what, to whom, why and the risks were explained",
                 "VAWA and VOCA: informed consent", VAWA_URL, "VERIFIED"),
    "written": ("In writing", "VAWA and VOCA: written consent", VAWA_URL, "VERIFIED"),
    "not_a_condition": ("Services do not depend on signing",
                        "HIPAA statement on conditioning; VAWA, FVPSA and VOCA (NNEDV's reading): never a condition of service",
                        NNEDV_CONDITIONS_URL, "SECONDARY"),
    "revocation": ("The right to withdraw, in writing or orally (confirmed in writing)",
                   "HIPAA statement (revoke in writing); NNEDV: accept an oral withdrawal and confirm it in writing",
                   NNEDV_REVOKE_URL, "SECONDARY"),
    "redisclosure": ("A warning that the recipient may share it again", "HIPAA statement on redisclosure", HIPAA_URL, "SECONDARY"),
}

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VAGUE_RECIPIENT = re.compile(
    r"\b(any|anyone|anybody|all|everyone|everybody|whoever|whomever|others?|various|as needed|and/or|etc)\b", re.I)
_VAGUE_INFORMATION = re.compile(
    r"\b(everything|anything|all|any|entire|whole|complete)\b", re.I)
_VAGUE_PURPOSE = re.compile(r"\b(any purpose|all purposes|as needed|whatever|anything)\b", re.I)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!~])")


@dataclass
class ReleaseFields:
    """What a learner fills in. Text fields are strings; the two confirmations are booleans."""

    survivor_name: str = "Juniper Fernhollow"
    discloser: str = AGENCY
    recipient: str = "Redwood Health Plan (fictional)"
    information: str = "Name, date of birth, plan member ID, and the dates and codes of housing navigation services"
    purpose: str = "Referral to housing navigation and billing the plan for those services"
    signed_date: str = "2026-06-28"
    expires_date: str = "2026-12-28"
    signer: str = "survivor"
    representative_name: str = ""
    representative_authority: str = ""
    representative_not_abuser: bool = False
    risks_discussed: str = "Plan letters or statements may be mailed to the address on file; plan staff can see the referral"
    informed: bool = True
    services_not_conditioned: bool = True


TEXT_FIELDS = [f.name for f in fields(ReleaseFields) if f.type in ("str", str)]
FLAG_FIELDS = [f.name for f in fields(ReleaseFields) if f.type in ("bool", bool)]
FIELD_LABELS = {
    "survivor_name": "Survivor's name (synthetic)",
    "discloser": "Who may share",
    "recipient": "Recipient",
    "information": "What will be shared",
    "purpose": "Purpose",
    "signed_date": "Signing date",
    "expires_date": "End date",
    "signer": "Who signs",
    "representative_name": "Parent or guardian's name (synthetic)",
    "representative_authority": "Parent or guardian's authority",
    "representative_not_abuser": "The parent or guardian is not the abuser",
    "risks_discussed": "Risks discussed",
    "informed": "Informed",
    "services_not_conditioned": "Not a condition of services",
}


@dataclass(frozen=True)
class Problem:
    """One missing or invalid element: which element, which field, and what is wrong."""

    element: str
    field: str
    found: object
    expected: str

    def error(self) -> CourseInputError:
        return CourseInputError(FIELD_LABELS.get(self.field, self.field), self.found, self.expected,
                                hint=f"Release element: {ELEMENTS[self.element][0]}.")


def coerce_fields(values: object) -> ReleaseFields:
    """A ReleaseFields from a ReleaseFields or a mapping; wrong types raise CourseInputError."""
    if isinstance(values, ReleaseFields):
        data = {f.name: getattr(values, f.name) for f in fields(ReleaseFields)}
    elif isinstance(values, dict):
        unknown = sorted(set(values) - {f.name for f in fields(ReleaseFields)}, key=str)
        if unknown:
            raise CourseInputError("release fields", unknown[0], "one of " + ", ".join(FIELD_LABELS))
        data = {**{f.name: getattr(ReleaseFields(), f.name) for f in fields(ReleaseFields)}, **values}
    else:
        raise CourseInputError("release fields", type(values).__name__, "a ReleaseFields or a dictionary of fields")
    for name in TEXT_FIELDS:
        if not isinstance(data[name], str):
            raise CourseInputError(FIELD_LABELS[name], data[name], "text")
    for name in FLAG_FIELDS:
        if not isinstance(data[name], bool):
            raise CourseInputError(FIELD_LABELS[name], data[name], "true or false (a checkbox)")
    return ReleaseFields(**data)


def _clean(text: str) -> str:
    """Collapse runs of white space (line breaks included) to single spaces."""
    return " ".join(text.split())


def _parse_date(text: str) -> date | None:
    text = text.strip()
    if not _ISO.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _synthetic_name(text: str) -> bool:
    parts = _clean(text).split(" ")
    return len(parts) == 2 and parts[0] in FIRST_NAMES and parts[1] in LAST_NAMES


def release_problems(values: object) -> list[Problem]:
    """Every missing or invalid element of a release, in the order of ``ELEMENTS``.

    Wrong field types raise CourseInputError at once (they are not learner choices).
    """
    f = coerce_fields(values)
    problems: list[Problem] = []

    def add(element: str, field: str, found: object, expected: str) -> None:
        problems.append(Problem(element, field, found, expected))

    for name in TEXT_FIELDS:
        if len(f.__dict__[name]) > MAX_TEXT:
            element = {"survivor_name": "signature", "representative_name": "signature",
                       "representative_authority": "signature", "risks_discussed": "informed",
                       "signed_date": "signature", "expires_date": "expiry", "signer": "signature"}.get(name, name)
            add(element, name, f"{len(f.__dict__[name])} characters", f"at most {MAX_TEXT} characters")
    if problems:
        return problems

    information = _clean(f.information)
    if not information:
        add("information", "information", f.information, "a description of exactly what will be shared")
    elif _VAGUE_INFORMATION.search(information):
        add("information", "information", f.information,
            "a specific list (for example name, plan member ID, service dates), not 'all records' or 'any information'")
    if not _clean(f.discloser):
        add("discloser", "discloser", f.discloser, "the name of the organization that will share")
    recipient = _clean(f.recipient)
    if not recipient:
        add("recipient", "recipient", f.recipient, "the name of one organization or person")
    elif _VAGUE_RECIPIENT.search(recipient) or ";" in f.recipient or "\n" in f.recipient:
        add("recipient", "recipient", f.recipient, "one specific, named recipient (use a separate release for each)")
    elif recipient.casefold() == _clean(f.discloser).casefold():
        add("recipient", "recipient", f.recipient, "a recipient other than the organization that shares")
    purpose = _clean(f.purpose)
    if not purpose:
        add("purpose", "purpose", f.purpose, "why it will be shared (for example 'at the survivor's request')")
    elif _VAGUE_PURPOSE.search(purpose):
        add("purpose", "purpose", f.purpose, "a specific purpose, not 'any purpose' or 'as needed'")

    signed = _parse_date(f.signed_date)
    expires = _parse_date(f.expires_date)
    if signed is None:
        add("signature", "signed_date", f.signed_date, "a real date written YYYY-MM-DD")
    if expires is None:
        add("expiry", "expires_date", f.expires_date, "a real date written YYYY-MM-DD")
    elif signed is not None:
        length = (expires - signed).days
        if length <= 0:
            add("expiry", "expires_date", f.expires_date, f"a date after the signing date ({signed.isoformat()})")
        elif length > MAX_DAYS:
            add("expiry", "expires_date", f.expires_date,
                f"at most {MAX_DAYS} days after signing (this draft ends {length} days after): "
                "the course uses one year to illustrate 'reasonably time-limited'; the law sets no number")

    if f.signer not in SIGNERS:
        add("signature", "signer", f.signer, "one of " + ", ".join(SIGNERS))
    if not _synthetic_name(f.survivor_name):
        add("signature", "survivor_name", f.survivor_name,
            "a first and last name from the course's synthetic name lists (for example Juniper Fernhollow); "
            "never practise with a real person's name")
    if f.signer in NEEDS_REPRESENTATIVE:
        if not _synthetic_name(f.representative_name):
            add("signature", "representative_name", f.representative_name,
                "the parent or guardian's name, from the course's synthetic name lists")
        if not _clean(f.representative_authority):
            add("signature", "representative_authority", f.representative_authority,
                "a description of their authority (for example 'parent' or 'court-appointed guardian')")
        if not f.representative_not_abuser:
            add("signature", "representative_not_abuser", False,
                "confirmation that the signer is not the person who abused the survivor or the other parent "
                "(an abuser may not consent)")

    if not f.informed or not _clean(f.risks_discussed):
        add("informed", "informed" if not f.informed else "risks_discussed",
            f.informed if not f.informed else f.risks_discussed,
            "a confirmation that the survivor was told what, to whom, why and the risks, and a note of the risks discussed")
    if not f.services_not_conditioned:
        add("not_a_condition", "services_not_conditioned", False,
            "a confirmation that services do not depend on signing (a release may not be a condition of service)")
    return problems


def element_checklist(values: object) -> pd.DataFrame:
    """One row per element: what is needed, where the rule comes from, and its status."""
    problems = release_problems(values)
    by_element: dict[str, list[Problem]] = {}
    for problem in problems:
        by_element.setdefault(problem.element, []).append(problem)
    rows = []
    for key, (needed, where, _url, confidence) in ELEMENTS.items():
        if key in by_element:
            status = "Missing or invalid: " + "; ".join(FIELD_LABELS.get(p.field, p.field) for p in by_element[key])
        elif key in ("written", "revocation", "redisclosure"):
            status = "Included by the builder"
        else:
            status = "Included"
        rows.append({"Element": needed, "Where the requirement comes from": where,
                     "Confidence": confidence, "Status": status})
    return pd.DataFrame(rows)


def _md(text: str) -> str:
    """User text made safe inside Markdown: one line, special characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _clean(text))


def build_release(values: object) -> str:
    """The draft release as Markdown, or CourseInputError naming the first missing element.

    The error's hint says how many other elements also need attention.
    """
    problems = release_problems(values)
    if problems:
        first = problems[0]
        error = first.error()
        if len(problems) > 1:
            others = len(problems) - 1
            error = CourseInputError(error.field, error.found, error.expected,
                                     hint=f"{error.hint} {others} other element{'s' if others > 1 else ''} also "
                                          f"need{'s' if others == 1 else ''} attention: see the checklist.")
        raise error
    f = coerce_fields(values)
    signed = _parse_date(f.signed_date)
    expires = _parse_date(f.expires_date)
    length = (expires - signed).days
    signer_lines = {
        "survivor": f"{_md(f.survivor_name)} (the survivor)",
        "minor_alone": f"{_md(f.survivor_name)} (a minor who may receive these services on their own)",
        "minor_and_parent": f"{_md(f.survivor_name)} (a minor) and {_md(f.representative_name)} "
                            f"({_md(f.representative_authority)}; not the person who caused harm)",
        "guardian": f"{_md(f.representative_name)} ({_md(f.representative_authority)}; court-appointed guardian "
                    f"of {_md(f.survivor_name)}; not the person who caused harm)",
    }
    lines = [
        "# Release of information: practice draft",
        "",
        "*A synthetic practice draft made with the course's release builder. It is not a legal form: "
        "educational, not legal advice. Your organization's counsel must approve any real release.*",
        "",
        f"**Survivor:** {_md(f.survivor_name)} (synthetic name)",
        "",
        "## What will be shared",
        "",
        _md(f.information),
        "",
        "## Who may share it",
        "",
        _md(f.discloser),
        "",
        "## Who may receive it",
        "",
        f"{_md(f.recipient)}, and no one else. Any other recipient needs its own release.",
        "",
        "## Why",
        "",
        _md(f.purpose),
        "",
        "## How long this release lasts",
        "",
        f"From {signed.isoformat()} until {expires.isoformat()} ({length} days). "
        "After that date nothing more is shared under this release.",
        "",
        "## What we talked about before you signed",
        "",
        _md(f.risks_discussed),
        "",
        "## Your rights",
        "",
        "- **You can withdraw this release at any time.** Tell us in writing, or tell us in person or by phone "
        "and we will write it down and confirm it with you as soon as possible. Withdrawing stops future sharing; "
        "it cannot undo sharing that already happened.",
        "- **Our services do not depend on signing.** You get the same advocacy and services whether or not you "
        "sign. Your treatment, payment, health plan enrollment and eligibility do not depend on it either.",
        "- **Once shared, the information may be shared again** by the recipient, and the laws that protect it "
        "here may no longer protect it there.",
        "",
        "## Signature",
        "",
        f"Signed by: {signer_lines[f.signer]}",
        "",
        f"Signature: ______________________ Date: {signed.isoformat()}",
    ]
    return "\n".join(lines) + "\n"


__all__ = ["AGENCY", "ELEMENTS", "FIELD_LABELS", "MAX_DAYS", "Problem", "ReleaseFields", "SIGNERS",
           "build_release", "coerce_fields", "element_checklist", "release_problems"]
