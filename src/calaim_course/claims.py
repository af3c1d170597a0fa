"""CMS-1500 claims: build one from the synthetic data, and check its items.

A CMS-1500 (NUCC form version 02/12) is the paper professional claim; its items are
numbered (1a member ID, 21 diagnoses, 24A to 24J service lines, 33a billing NPI...).
The item numbers follow the course's ``cms1500_items`` reference table (SECONDARY:
copies of the NUCC manual for form 02/12).

``validate_claim(form, context)`` returns a list of ``ClaimProblem`` records, one per
problem, each naming the item number, what was found and what is expected. It never
raises for anything typed into the form: any field value gives a list (empty when the
claim passes). What it checks:

- 33a and 24J: an NPI is 10 digits with the right check digit (``calaim_course.npi``).
- 24D: the procedure code and its modifiers must be listed in the course's reference
  tables (``ecm_codes``, ``community_supports``, ``chw_codes``). A combination the table
  marks UNVERIFIED is reported as "check", not accepted silently.
- 24G units, 24F charges, 24B place of service (``places_of_service``).
- 24A dates: real dates, not after the reference date (the day the claim is sent), not
  before the member's plan enrollment, "to" not before "from"; G0019/G0022 not before
  their effective date (``chw_codes``).
- 21 and 24E: diagnosis codes from ``icd10_codes``; every pointer letter must point at
  a diagnosis that is filled in.

The code list is the course's reference tables, not a payer's: a plan's own coding
guide and companion guide govern. Educational, not billing advice.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from calaim_course.errors import CourseInputError
from calaim_course.npi import npi_check_digit
from calaim_course.reference import cs_code_lines, load_reference

# Display order of the items the validator checks (the form's own order).
ITEM_ORDER = ["1a", "2", "3", "21", "24A", "24B", "24D", "24E", "24F", "24G", "24J", "33", "33a"]
DIAGNOSIS_LETTERS = "ABCDEFGHIJKL"  # item 21 holds up to 12 codes, lettered A to L
MAX_MODIFIERS = 4  # item 24D: a code plus up to 4 modifiers
MAX_POINTERS = 4  # item 24E: up to 4 letters per line
ERROR, CHECK = "error", "check"

_DATE_ISO = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_DATE_US = re.compile(r"^([0-9]{2})/([0-9]{2})/([0-9]{4}|[0-9]{2})$")
_MONEY = re.compile(r"^\$?\s*([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?$")
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_PROCEDURE = re.compile(r"^[0-9A-Z][0-9]{4}$")
_MODIFIER = re.compile(r"^[0-9A-Z]{2}$")


# --------------------------------------------------------------------------- the form
@dataclass
class ServiceLine:
    """One line of item 24. Every value is text, as a person would type it."""

    date_from: str = ""          # 24A from (YYYY-MM-DD or MM/DD/YYYY)
    date_to: str = ""            # 24A to (empty: same day as "from")
    place_of_service: str = ""   # 24B, two digits
    code: str = ""               # 24D CPT or HCPCS code
    modifiers: str = ""          # 24D modifiers, separated by spaces, commas or "+"
    pointer: str = ""            # 24E letters A to L, for example "AB"
    charge: str = ""             # 24F dollars
    units: str = ""              # 24G
    rendering_npi: str = ""      # 24J, only when it differs from 33a


@dataclass
class ClaimForm:
    """The CMS-1500 items the course checks, as text."""

    insured_id: str = ""         # 1a
    patient_name: str = ""       # 2, "LAST, FIRST"
    birth_date: str = ""         # 3
    diagnoses: list = field(default_factory=list)  # 21 A to L
    lines: list = field(default_factory=list)      # 24, one ServiceLine each
    billing_name: str = ""       # 33
    billing_npi: str = ""        # 33a


@dataclass(frozen=True)
class ClaimContext:
    """What the checker compares dates with (not printed on the form).

    ``reference_date``: the day the claim is sent; a date of service after it is in the
    future. ``enrollment_date``: the member's plan enrollment start (None if unknown).
    """

    reference_date: dt.date
    enrollment_date: dt.date | None = None


@dataclass(frozen=True)
class ClaimProblem:
    """One problem: the item number, the line (for item 24), what was found and expected.

    ``severity`` is "error" (the claim would be wrong as it stands) or "check" (the
    course's reference table cannot confirm it: look it up in the plan's guide).
    """

    item: str
    found: str
    expected: str
    line: int | None = None
    severity: str = ERROR

    @property
    def where(self) -> str:
        return f"item {self.item}" + (f", line {self.line}" if self.line is not None else "")

    @property
    def message(self) -> str:
        return f"{self.where}: found {self.found}; expected {self.expected}."


# --------------------------------------------------------------------------- code book
@dataclass(frozen=True)
class CodeRule:
    """One listed code and modifier combination from the reference tables."""

    code: str
    modifiers: tuple[str, ...]
    program: str        # ECM, Community Supports or CHW
    meaning: str
    confidence: str


@functools.lru_cache(maxsize=1)
def code_book() -> tuple[dict[str, list[CodeRule]], dict[str, str]]:
    """Every listed combination by code, and every listed modifier with its meaning.

    Built only from the reference tables (``ecm_codes``, ``community_supports`` through
    ``cs_code_lines``, ``chw_codes``), so no code is typed here.
    """
    rules: dict[str, list[CodeRule]] = {}
    modifiers: dict[str, str] = {}

    def add(rule: CodeRule) -> None:
        rules.setdefault(rule.code, []).append(rule)
        for modifier in rule.modifiers:
            modifiers.setdefault(modifier, f"{rule.program} modifier")

    ecm = load_reference("ecm_codes")
    for row in ecm.itertuples(index=False):  # a dozen rows
        if row.row_type == "combination":
            add(CodeRule(row.hcpcs, tuple(row.modifiers.split("+")), "ECM", row.description, row.confidence))
        elif row.row_type == "modifier":
            modifiers[row.modifiers] = f"ECM: {row.description}"
    for row in cs_code_lines().itertuples(index=False):
        mods = tuple(row.modifiers.split("+")) if isinstance(row.modifiers, str) and row.modifiers not in ("", "None") else ()
        add(CodeRule(row.hcpcs, mods, "Community Supports", row.cs_name, row.codes_confidence))
    for row in load_reference("chw_codes").itertuples(index=False):
        add(CodeRule(row.code, (), "CHW", row.description, row.confidence))
    return rules, modifiers


@functools.lru_cache(maxsize=1)
def _diagnosis_table() -> pd.DataFrame:
    return load_reference("icd10_codes").set_index("code")


@functools.lru_cache(maxsize=1)
def _places() -> tuple[str, ...]:
    return tuple(load_reference("places_of_service")["pos_code"])


@functools.lru_cache(maxsize=1)
def _code_effective_from() -> dict[str, dt.date]:
    chw = load_reference("chw_codes").dropna(subset=["effective_from"])
    return {row.code: row.effective_from.date() for row in chw.itertuples(index=False)}


def _combination_text(rule: CodeRule) -> str:
    text = "+".join(rule.modifiers) if rule.modifiers else "no modifier"
    return text + (f" ({rule.confidence})" if rule.confidence not in ("VERIFIED", "SECONDARY") else "")


# --------------------------------------------------------------------------- parsing
def _text(value: object) -> str:
    """Any value as stripped text (None is empty)."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN from pandas
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return str(value).strip()
    except Exception:  # an object whose str() fails is still just bad input
        return "<unreadable value>"


def _shown(text: str, limit: int = 40) -> str:
    """How a found value is quoted in a message (empty shown as 'nothing')."""
    if not text:
        return "nothing"
    return repr(text if len(text) <= limit else text[:limit] + "...")


def parse_date(value: object) -> dt.date | None:
    """A date typed as YYYY-MM-DD, MM/DD/YYYY or MM/DD/YY (20YY); None if it is not one."""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.date() if not pd.isna(value) else None
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if match := _DATE_ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DATE_US.match(text):
        month, day, year = (int(g) for g in match.groups())
        year += 2000 if year < 100 else 0
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_money(value: object) -> float | None:
    """Dollars typed as 95, 95.00, $1,200.50; None if it is not an amount."""
    match = _MONEY.match(_text(value))
    if not match:
        return None
    whole = int(match.group(1).replace(",", ""))
    cents = int((match.group(2) or "0").ljust(2, "0"))
    return whole + cents / 100


def split_modifiers(value: object) -> list[str]:
    """Modifiers typed as 'U2 GQ', 'U2,GQ' or 'U2+GQ', upper-cased."""
    return [part for part in re.split(r"[\s,+;]+", _text(value).upper()) if part]


def _diagnosis_list(value: object) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [_text(v).upper() for v in value]
    text = _text(value)
    return [part.strip().upper() for part in re.split(r"[;,]", text)] if text else []


def _line_list(value: object) -> list[ServiceLine] | None:
    """The service lines, or None if ``value`` is not a list of lines."""
    if not isinstance(value, (list, tuple)):
        return None
    lines = []
    for item in value:
        if isinstance(item, ServiceLine):
            lines.append(item)
        elif isinstance(item, dict):
            known = {f.name for f in fields(ServiceLine)}
            lines.append(ServiceLine(**{k: v for k, v in item.items() if k in known}))
        else:
            return None
    return lines


# --------------------------------------------------------------------------- checks
def _npi_problem(item: str, value: object, line: int | None = None, required: bool = True) -> list[ClaimProblem]:
    text = _text(value).replace(" ", "")
    if not text:
        return [ClaimProblem(item, "nothing", "the 10-digit NPI", line)] if required else []
    if not re.fullmatch(r"[0-9]{10}", text):
        return [ClaimProblem(item, _shown(text), "an NPI of exactly 10 digits (0 to 9), no letters", line)]
    right = npi_check_digit(text[:9])
    if text[9] != right:
        return [ClaimProblem(
            item, f"{text} (last digit {text[9]})",
            f"check digit {right} for the first nine digits {text[:9]} (Luhn formula with prefix 80840), "
            f"so {text[:9]}{right}: a wrong last digit usually means a typing error", line)]
    return []


def _check_header(form: ClaimForm, context: ClaimContext, first_service: dt.date | None) -> list[ClaimProblem]:
    problems = []
    insured = _text(form.insured_id)
    if not insured:
        problems.append(ClaimProblem("1a", "nothing", "the member ID from the member's plan card"))
    elif not re.fullmatch(r"[0-9A-Za-z-]{1,30}", insured):
        problems.append(ClaimProblem("1a", _shown(insured), "a member ID of letters, digits and hyphens only (no spaces)"))
    name = _text(form.patient_name)
    if not name:
        problems.append(ClaimProblem("2", "nothing", "the patient's name as LAST, FIRST"))
    elif "," not in name:
        problems.append(ClaimProblem("2", _shown(name), "last name, a comma, then first name (LAST, FIRST)", severity=CHECK))
    birth_text = _text(form.birth_date)
    birth = parse_date(form.birth_date)
    if not birth_text:
        problems.append(ClaimProblem("3", "nothing", "the patient's birth date"))
    elif birth is None:
        problems.append(ClaimProblem("3", _shown(birth_text), "a real date as YYYY-MM-DD or MM/DD/YYYY"))
    elif birth > context.reference_date or (first_service is not None and birth > first_service):
        problems.append(ClaimProblem("3", birth.isoformat(), "a birth date before the dates of service"))
    if not _text(form.billing_name):
        problems.append(ClaimProblem("33", "nothing", "the billing provider's name"))
    problems += _npi_problem("33a", form.billing_npi)
    return problems


def _check_diagnoses(codes: list[str]) -> tuple[list[ClaimProblem], set[str]]:
    """Item 21 problems, and the letters that hold a diagnosis."""
    problems = []
    table = _diagnosis_table()
    filled = {DIAGNOSIS_LETTERS[i] for i, code in enumerate(codes[:12]) if code}
    if not filled:
        problems.append(ClaimProblem("21", "no diagnosis code", "at least one ICD-10-CM code in 21A"))
    if len(codes) > 12:
        problems.append(ClaimProblem("21", f"{len(codes)} codes", "at most 12 codes (letters A to L)"))
    seen = set()
    for letter, code in zip(DIAGNOSIS_LETTERS, codes):
        if not code:
            continue
        where = f"21{letter}"
        if not _ICD10.match(code):
            problems.append(ClaimProblem(where, _shown(code), "an ICD-10-CM code: a letter, two characters, then a dot and up to 4 more (for example Z91.410)"))
        elif code not in table.index:
            listed = ", ".join(table.index[table["confidence"] != "UNVERIFIED"])
            problems.append(ClaimProblem(where, _shown(code), f"a code from the course's reference table ({listed})"))
        elif table.loc[code, "confidence"] == "UNVERIFIED":
            problems.append(ClaimProblem(where, code, "a code confirmed in a source; the course's table marks this one UNVERIFIED, so check it in the current ICD-10-CM code set", severity=CHECK))
        if code in seen:
            problems.append(ClaimProblem(where, code, "each code once (it is already listed)"))
        seen.add(code)
    # Z91.410 is a history code; its Excludes1 note names the current-abuse codes.
    current = sorted(c for c in seen if c.startswith(("T74.11", "T76.11", "T74.21")))
    if "Z91.410" in seen and current:
        problems.append(ClaimProblem("21", f"Z91.410 with {', '.join(current)}",
                                     "not both: Z91.410 (history of abuse) has an Excludes1 note against current abuse codes",
                                     severity=CHECK))
    return problems, filled


def _check_line(number: int, line: ServiceLine, filled: set[str], context: ClaimContext) -> list[ClaimProblem]:
    problems: list[ClaimProblem] = []
    rules, known_modifiers = code_book()

    # 24A dates of service.
    start_text, end_text = _text(line.date_from), _text(line.date_to)
    start, end = parse_date(line.date_from), parse_date(line.date_to) if end_text else None
    if not start_text:
        problems.append(ClaimProblem("24A", "no 'from' date", "the date of service", number))
    elif start is None:
        problems.append(ClaimProblem("24A", _shown(start_text), "a real date as YYYY-MM-DD or MM/DD/YYYY", number))
    if end_text and end is None:
        problems.append(ClaimProblem("24A", f"'to' date {_shown(end_text)}", "a real date, or nothing for a one-day service", number))
    if start is not None and end is not None and end < start:
        problems.append(ClaimProblem("24A", f"to {end.isoformat()} before from {start.isoformat()}", "a 'to' date on or after the 'from' date", number))
    last = end or start
    if last is not None and last > context.reference_date:
        problems.append(ClaimProblem("24A", last.isoformat(), f"a date of service on or before {context.reference_date.isoformat()}, the day the claim is sent (no future dates)", number))
    if start is not None and context.enrollment_date is not None and start < context.enrollment_date:
        problems.append(ClaimProblem("24A", start.isoformat(), f"a date on or after {context.enrollment_date.isoformat()}, when the member's plan enrollment began", number))

    # 24B place of service.
    place = _text(line.place_of_service)
    if place not in _places():
        problems.append(ClaimProblem("24B", _shown(place), "a place of service code from the course's table: " + ", ".join(_places()), number))

    # 24D code and modifiers.
    code = _text(line.code).upper()
    modifiers = split_modifiers(line.modifiers)
    bad_format = [m for m in modifiers if not _MODIFIER.match(m)]
    if not code:
        problems.append(ClaimProblem("24D", "no procedure code", "a CPT or HCPCS code", number))
    elif not _PROCEDURE.match(code):
        problems.append(ClaimProblem("24D", _shown(code), "a 5-character CPT or HCPCS code (for example G9012 or 98960)", number))
    elif code not in rules:
        problems.append(ClaimProblem("24D", _shown(code), "a code listed in the course's ECM, Community Supports or CHW reference tables", number))
    if bad_format:
        problems.append(ClaimProblem("24D", f"modifier {_shown(bad_format[0])}", "modifiers of exactly 2 letters or digits", number))
    if len(modifiers) > MAX_MODIFIERS:
        problems.append(ClaimProblem("24D", f"{len(modifiers)} modifiers", f"at most {MAX_MODIFIERS} modifiers", number))
    unknown = [m for m in modifiers if _MODIFIER.match(m) and m not in known_modifiers]
    if unknown:
        problems.append(ClaimProblem("24D", f"modifier {unknown[0]}", "a modifier listed in the course's reference tables: " + ", ".join(sorted(known_modifiers)), number))
    if code in rules and not bad_format and not unknown and len(modifiers) <= MAX_MODIFIERS:
        matches = [r for r in rules[code] if sorted(r.modifiers) == sorted(modifiers)]
        if not matches:
            listed = "; ".join(dict.fromkeys(_combination_text(r) for r in rules[code]))
            problems.append(ClaimProblem("24D", f"{code} with {'+'.join(modifiers) or 'no modifier'}",
                                         f"one of the combinations listed for {code}: {listed}", number))
        elif all(r.confidence == "UNVERIFIED" for r in matches):
            problems.append(ClaimProblem("24D", f"{code} with {'+'.join(modifiers)}",
                                         "a combination confirmed in a source: the course's table marks this pairing UNVERIFIED, so check the plan's coding guide", number, CHECK))
        effective = _code_effective_from().get(code)
        if effective is not None and start is not None and start < effective:
            problems.append(ClaimProblem("24D", f"{code} on {start.isoformat()}", f"{code} only for dates of service on or after {effective.isoformat()}", number))

    # 24E diagnosis pointer.
    pointer_text = _text(line.pointer).upper()
    letters = [c for c in re.sub(r"[\s,]+", "", pointer_text)]
    if not letters:
        problems.append(ClaimProblem("24E", "no pointer", "one to four letters (A to L) pointing at the diagnoses in item 21", number))
    elif any(c.isdigit() for c in letters):
        problems.append(ClaimProblem("24E", _shown(pointer_text), "letters A to L, not numbers (the paper form uses letters; the 837P file uses numbers)", number))
    elif any(c not in DIAGNOSIS_LETTERS for c in letters):
        problems.append(ClaimProblem("24E", _shown(pointer_text), "only the letters A to L", number))
    else:
        if len(letters) > MAX_POINTERS:
            problems.append(ClaimProblem("24E", _shown(pointer_text), f"at most {MAX_POINTERS} letters", number))
        if len(set(letters)) < len(letters):
            problems.append(ClaimProblem("24E", _shown(pointer_text), "each letter once", number))
        empty = [c for c in dict.fromkeys(letters) if c not in filled]
        if empty:
            have = ", ".join(sorted(filled)) or "none"
            problems.append(ClaimProblem("24E", f"pointer {empty[0]}", f"a letter whose diagnosis is filled in item 21 (filled: {have})", number))

    # 24F charges and 24G units.
    charge_text = _text(line.charge)
    charge = parse_money(charge_text)
    if charge is None or charge <= 0:
        problems.append(ClaimProblem("24F", _shown(charge_text), "an amount in dollars above 0, for example 95.00", number))
    units_text = _text(line.units)
    if not re.fullmatch(r"[0-9]{1,4}", units_text) or int(units_text) < 1:
        problems.append(ClaimProblem("24G", _shown(units_text), "a whole number of units, 1 or more", number))

    # 24J rendering provider, optional.
    problems += _npi_problem("24J", line.rendering_npi, number, required=False)
    return problems


def _order(problem: ClaimProblem) -> int:
    """Position of a header problem's item on the form (21A, 21B... sort as 21)."""
    base = "21" if problem.item.startswith("21") else problem.item
    return ITEM_ORDER.index(base) if base in ITEM_ORDER else len(ITEM_ORDER)


def validate_claim(form: ClaimForm, context: ClaimContext) -> list[ClaimProblem]:
    """Problems with the claim's items, in form order (header first, then line by line).

    Never raises for any field values: a value of the wrong type is just a problem.
    ``context`` must be a ``ClaimContext`` (it comes from the data, not the form).
    """
    if not isinstance(context, ClaimContext) or not isinstance(context.reference_date, dt.date):
        raise CourseInputError("context", context, "a ClaimContext with a reference date")
    codes = _diagnosis_list(getattr(form, "diagnoses", []))
    lines = _line_list(getattr(form, "lines", []))
    diagnosis_problems, filled = _check_diagnoses(codes)
    line_problems: list[ClaimProblem] = []
    starts = []
    if not lines:
        line_problems.append(ClaimProblem("24", "no service lines", "at least one service line in item 24"))
    else:
        for number, line in enumerate(lines, start=1):
            line_problems += _check_line(number, line, filled, context)
            if (start := parse_date(line.date_from)) is not None:
                starts.append(start)
    header = _check_header(form, context, min(starts) if starts else None)
    header_part = sorted(header + diagnosis_problems, key=_order)
    return header_part + line_problems


def problems_frame(problems: list[ClaimProblem]) -> pd.DataFrame:
    """The problems as a table for people: item, line, found, expected, kind."""
    return pd.DataFrame(
        [{"Item": p.item, "Line": "" if p.line is None else str(p.line), "Found": p.found,
          "Expected": p.expected, "Kind": "Error" if p.severity == ERROR else "Check"} for p in problems],
        columns=["Item", "Line", "Found", "Expected", "Kind"],
    )


# --------------------------------------------------------------------------- privacy notes
def diagnosis_privacy_notes(form: ClaimForm) -> list[str]:
    """Course analysis (not a rule): which diagnosis codes on the form reveal abuse.

    An abuse code on a claim can reach a plan portal, an explanation of benefits (EOB)
    or a shared record. The notes say which codes on this form name abuse.
    """
    table = _diagnosis_table()
    notes = []
    for letter, code in zip(DIAGNOSIS_LETTERS, _diagnosis_list(getattr(form, "diagnoses", []))):
        if code in table.index and table.loc[code, "category"] in (
                "partner_violence", "other_abuse", "history_of_abuse", "confirmed_abuse", "suspected_abuse"):
            notes.append(f"21{letter} {code} ({table.loc[code, 'description']}) names abuse: anyone who sees the "
                         "claim, an EOB or a plan portal can read it.")
    return notes


# --------------------------------------------------------------------------- from the data
def text_in(column: pd.Series, values) -> np.ndarray:
    """``column.astype(str).isin(values)`` as an array; on a categorical, worked out once per
    category instead of once per row (a missing value is never in ``values``)."""
    values = list(values)
    if isinstance(column.dtype, pd.CategoricalDtype):
        per_category = np.append(column.cat.categories.astype(str).isin(values), False)  # code -1: missing
        return per_category[column.cat.codes.to_numpy()]
    return column.astype(str).isin(values).to_numpy()


def _name(member) -> str:
    return f"{member.last_name}, {member.first_name}".upper()


def claim_form(world, claim_id: str) -> tuple[ClaimForm, ClaimContext]:
    """The CMS-1500 items of one synthetic claim, and the dates to check them against.

    The reference date is the day the claim was sent; the enrollment date is the
    member's plan enrollment start. Raises ``CourseInputError`` for an unknown claim.
    """
    claims = world.claims
    match = claims[claims["claim_id"] == claim_id]
    if match.empty:
        raise CourseInputError("claim", claim_id, "a claim_id from the synthetic claims table")
    claim = match.iloc[0]
    member = world.members[world.members["member_id"] == claim["member_id"]].iloc[0]
    org = world.organizations.set_index("org_id").loc[claim["billing_org_id"]]
    lines = world.claim_lines[world.claim_lines["claim_id"] == claim_id].sort_values("line_number")
    diagnoses = [claim["diagnosis_a"]] + ([claim["diagnosis_b"]] if pd.notna(claim["diagnosis_b"]) else [])
    form = ClaimForm(
        insured_id=member["plan_member_id"],
        patient_name=_name(member),
        birth_date=member["birth_date"].strftime("%Y-%m-%d"),
        diagnoses=[str(d) for d in diagnoses],
        lines=[
            ServiceLine(
                date_from=row.service_date.strftime("%Y-%m-%d"), date_to="",
                place_of_service=str(row.place_of_service), code=str(row.hcpcs),
                modifiers="" if pd.isna(row.modifiers) else str(row.modifiers).replace("+", " "),
                pointer=str(row.diagnosis_pointer), charge=f"{row.charge_usd:.2f}", units=str(row.units))
            for row in lines.itertuples(index=False)
        ],
        billing_name=str(org["name"]).upper(),
        billing_npi=str(claim["billing_npi"]),
    )
    context = ClaimContext(reference_date=claim["submitted_date"].date(),
                           enrollment_date=member["plan_enrollment_date"].date())
    return form, context


# Example claims are searched in ascending id order, this many candidates at a time: the
# first chunk almost always holds an example for every program, so the search reads the
# lines and services of a few thousand claims instead of the whole world.
_EXAMPLE_CHUNK = 4096
EXAMPLE_LABELS = {"ecm": "ECM encounter", "community_supports": "Community Supports (housing)", "chw": "CHW session"}


def _is_one_of(column: pd.Series, values: pd.Series) -> np.ndarray:
    """``column.isin(values)`` for a few values, faster on a categorical with sorted categories.

    Then the values' category codes are found by binary search (the categories' sort
    check is cached on the categories, which a DataFrame's column keeps) and compared as
    integers, instead of hashing every category.
    """
    if (isinstance(column.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(column.cat.categories)
            and column.cat.categories.is_monotonic_increasing):
        categories = column.cat.categories
        wanted = pd.unique(values.astype(str).to_numpy())
        positions = categories.searchsorted(wanted)
        inside = positions < len(categories)
        positions = positions[inside]
        codes = positions[np.asarray(categories[positions] == wanted[inside])]
        return np.isin(column.cat.codes.to_numpy(), codes)
    return column.isin(values).to_numpy()


def _services_for(services: pd.DataFrame, service_ids: pd.Series, in_id_order: bool) -> pd.DataFrame:
    """The rows of ``services`` whose service_id is in ``service_ids``, in table order.

    When the table is sorted by service_id (``in_id_order``, the generator's order) each
    id's rows are found by binary search; otherwise by one scan.
    """
    ids = services["service_id"]
    wanted = pd.unique(service_ids.astype(str).to_numpy())
    if in_id_order:
        starts = ids.searchsorted(wanted, side="left")
        counts = ids.searchsorted(wanted, side="right") - starts  # 0 (unknown) or 1, more if repeated
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        return services.iloc[np.sort(np.repeat(starts, counts) + offsets)]
    return services[ids.isin(wanted)]


def _first_programs(world, claim_ids: pd.Series, services_in_id_order: bool) -> pd.Series:
    """claim_id -> program of the claim's first line (the lines of ``claim_ids`` only), in no order.

    The program is the first non-missing one among the claim's lines, in line order,
    whose service is in the services table: exactly the merge and groupby ``first``
    over all lines, restricted to these claims (an inner merge keeps the lines' order,
    and each line's matching services in table order).
    """
    lines = world.claim_lines[_is_one_of(world.claim_lines["claim_id"], claim_ids)]
    services = _services_for(world.services, lines["service_id"], services_in_id_order)
    lines = lines.merge(services[["service_id", "program"]], on="service_id")
    lines["program"] = lines["program"].astype(str)
    # Grouped by the ids as text: grouping the categorical would walk all its categories
    # (every claim in the world); the caller needs the groups, not their order.
    return lines.groupby(lines["claim_id"].astype(str), sort=False)["program"].first()


def example_claim_ids(world) -> dict[str, str]:
    """One claim sent on paper or as an 837P for each program: label -> claim_id.

    Picks, deterministically, the first claim (by id) of each program (the program of its
    first line) that was paid in full and sent as an 837P or a CMS-1500, so the example
    has no problems to start.
    """
    claims = world.claims
    paid = (claims["status"] == "paid") & claims["submission_type"].isin(["837P", "CMS-1500"])
    candidates = claims.loc[paid, "claim_id"].astype(str)
    if not candidates.is_monotonic_increasing:
        candidates = candidates.sort_values(kind="stable")
    found: dict[str, str] = {}
    services_in_id_order = len(candidates) > 0 and world.services["service_id"].is_monotonic_increasing
    # Ascending ids, chunk by chunk: the first claim seen for a program is its smallest id.
    for start in range(0, len(candidates), _EXAMPLE_CHUNK):
        chunk = candidates.iloc[start:start + _EXAMPLE_CHUNK]
        programs = _first_programs(world, chunk, services_in_id_order)
        for program in EXAMPLE_LABELS:
            ids = programs.index[programs == program]
            if program not in found and len(ids):
                found[program] = min(str(claim_id) for claim_id in ids)
        if len(found) == len(EXAMPLE_LABELS):
            break
    return {f"{label}: {found[program]}": found[program] for program, label in EXAMPLE_LABELS.items() if program in found}


def claims_world(world, claim_ids):
    """``world`` cut down to the claims ``claim_ids``, their lines and their members.

    ``claim_form`` and ``export_837p`` read only these rows (and the organizations, kept
    whole), so they give the same answer on the cut-down world as on the whole one, in a
    fraction of the time: the widgets build it once for the few claims they offer.
    """
    ids = pd.unique(pd.Series(list(claim_ids), dtype=object).astype(str).to_numpy())
    claims = world.claims[world.claims["claim_id"].isin(ids)]
    members = world.members[world.members["member_id"].isin(claims["member_id"].astype(str).unique())]
    lines = world.claim_lines[_is_one_of(world.claim_lines["claim_id"], pd.Series(ids))]
    return replace(world, claims=_only_used_categories(claims), members=_only_used_categories(members),
                   claim_lines=_only_used_categories(lines))


def _only_used_categories(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each categorical column's unused categories dropped.

    A few rows cut from a big table keep every category (a million ids); pandas then
    works through all of them when grouping or matching. The values, their order and
    their sort order stay the same.
    """
    frame = frame.copy()
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].cat.remove_unused_categories()
    return frame


def with_mistakes(form: ClaimForm, context: ClaimContext) -> ClaimForm:
    """A copy of ``form`` with five typical mistakes, one per kind the checker catches.

    The NPI's last digit is changed, line 1 gets a modifier not listed for its code,
    a pointer to an empty diagnosis letter, zero units, and a date of service the day
    before the member's plan enrollment.
    """
    npi = _text(form.billing_npi)
    wrong_digit = str((int(npi[9]) + 1) % 10) if re.fullmatch(r"[0-9]{10}", npi) else "0"
    lines = [replace(line) for line in form.lines] or [ServiceLine()]
    first = lines[0]
    codes = [c for c in _diagnosis_list(form.diagnoses) if c]
    empty_letter = DIAGNOSIS_LETTERS[min(len(codes), 11)]
    rules, _ = code_book()
    listed = {m for r in rules.get(_text(first.code).upper(), []) for m in r.modifiers}
    odd = next((m for m in ("U6", "U2", "U1", "U5", "U9") if m not in listed), "U6")
    start = (context.enrollment_date or context.reference_date) - dt.timedelta(days=1)
    lines[0] = replace(first, modifiers=odd, pointer=empty_letter, units="0", date_from=start.isoformat(), date_to="")
    return replace(form, billing_npi=npi[:9] + wrong_digit if len(npi) == 10 else npi, lines=lines)


# --------------------------------------------------------------------------- tables for the page
def _confidence_label(value: str) -> str:
    return {"UNVERIFIED": "UNVERIFIED (not confirmed: check before use)"}.get(value, value)


def ecm_code_table() -> pd.DataFrame:
    """ECM code and modifier combinations with their confidence, for the page."""
    ecm = load_reference("ecm_codes")
    rows = ecm[ecm["row_type"] == "combination"]
    return pd.DataFrame({
        "Service": rows["description"],
        "Code": rows["hcpcs"],
        "Modifiers": rows["modifiers"].str.replace("+", " + "),
        "Confidence": rows["confidence"].map(_confidence_label),
    }).reset_index(drop=True)


def cs_code_table() -> pd.DataFrame:
    """Community Supports with their listed code and modifier combinations."""
    cs = load_reference("community_supports").sort_values("number")
    return pd.DataFrame({
        "Community Support": cs["name"],
        "Code + modifier (one plan's list)": cs["hcpcs_codes"].str.replace(";", "; "),
        "Confidence": cs["codes_confidence"].map(_confidence_label),
    }).reset_index(drop=True)


def chw_code_table() -> pd.DataFrame:
    """CHW codes, what they cover and from when."""
    chw = load_reference("chw_codes")
    return pd.DataFrame({
        "Code": chw["code"],
        "What it covers": chw["description"],
        "From": chw["effective_from"].map(lambda d: "since the benefit began" if pd.isna(d) else f"{d:%B} {d.day}, {d.year}"),
        "Confidence": chw["confidence"],
    }).reset_index(drop=True)


def diagnosis_table() -> pd.DataFrame:
    """The ICD-10-CM codes in the course's table, with their confidence."""
    icd = load_reference("icd10_codes")
    return pd.DataFrame({
        "Code": icd["code"],
        "Meaning": icd["description"],
        "Confidence": icd["confidence"].map(_confidence_label),
    }).reset_index(drop=True)


def cms1500_table() -> pd.DataFrame:
    """The CMS-1500 items the course uses."""
    items = load_reference("cms1500_items")
    return pd.DataFrame({"Item": items["item"], "What it holds": items["content"]})


def abuse_code_finding(world) -> str:
    """A sentence on how many synthetic claims carry a code that names abuse (computed)."""
    table = _diagnosis_table()
    abuse = set(table.index[table["category"].isin(
        ["partner_violence", "other_abuse", "history_of_abuse", "confirmed_abuse", "suspected_abuse"])])
    claims = world.claims
    flagged = text_in(claims["diagnosis_a"], abuse) | text_in(claims["diagnosis_b"], abuse)
    count = int(flagged.sum())
    share = 100 * (count / len(claims)) if len(claims) else 0.0  # the same float as the share's mean
    return (f"{count:,} of the synthetic agency's {len(claims):,} claims ({share:.0f}%) carry at "
            "least one diagnosis code that names abuse.")


__all__ = ["ClaimForm", "ServiceLine", "ClaimContext", "ClaimProblem", "CodeRule", "validate_claim",
           "problems_frame", "claim_form", "example_claim_ids", "claims_world", "with_mistakes", "code_book",
           "diagnosis_privacy_notes", "ecm_code_table", "cs_code_table", "chw_code_table",
           "diagnosis_table", "cms1500_table", "abuse_code_finding", "parse_date", "parse_money", "split_modifiers", "ITEM_ORDER"]
