"""Section 4 (credentialing and contracting): the NPI check digit step by step, the
contracting-readiness checklist and the credentialing timeline planner.

Three concerns that one section teaches together, each a few small functions:

- **NPI explanation.** The check digit itself comes from :mod:`calaim_course.npi` (the
  course's one implementation of CMS's rule); this module only lays the arithmetic out
  as a table a learner can follow: the prefix 80840, every other digit doubled from the
  right, the digits of each product added, the total, the check digit.
- **Readiness checklist.** Items come from ``data/reference/contracting_checklist.csv``:
  each is either ``sourced`` (with a source address and a confidence mark) or a
  ``course suggestion`` (marked UNVERIFIED there, because the plans' own document lists
  were not confirmed: fact base 4.16). The list of what is missing exports as Markdown.
- **Timeline planner.** Steps with durations in weeks and the steps each waits for give
  start and end weeks and an Altair Gantt chart. Default durations are sourced only for
  the NPI and for fee-for-service enrollment; every other duration is an illustrative
  assumption and is labelled so wherever it is shown.

Everything here is educational, not legal or billing advice.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import altair as alt
import pandas as pd
from pandera.pandas import Check, Column, DataFrameSchema

from calaim_course import npi
from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError
from calaim_course.schemas import CONFIDENCE, DATE, REFERENCE_SCHEMAS, coerce_dates, read_csv_kwargs

REVIEWED = "December 3, 2026"
NOT_ADVICE = "Educational, not legal or billing advice."

# --------------------------------------------------------------------------- NPI
NPI_SOURCE_URL = "https://vivianr.worldvista.org/dox/Routine_XUSNPI.html"
NPI_SOURCE_NOTE = (
    "CMS's \"Requirements for NPI Check Digit\", read through copies (fact base 4.6, "
    "secondary); the course re-ran the computation."
)
PREFIX = npi.PREFIX  # "80840": 80 = health applications, 840 = United States
PREFIX_CONSTANT = 24  # what the prefix digits add when doubled the Luhn way (CMS)
FIRST_DIGITS_ISSUED = ("1", "2")  # fact base 4.5 (secondary): first digit at issue


@dataclass(frozen=True)
class NpiExplanation:
    """The check-digit arithmetic for one number, ready to show as a table.

    ``given_check_digit`` is None when nine digits were entered (the learner asked for
    the check digit); ``is_valid`` is then None too.
    """

    entered: str
    first_nine: str
    given_check_digit: str | None
    check_digit: str
    rows: tuple[dict, ...]
    notes: tuple[str, ...] = ()

    @property
    def prefix_total(self) -> int:
        return sum(r["added"] for r in self.rows if r["part"].startswith("prefix"))

    @property
    def npi_total(self) -> int:
        return sum(r["added"] for r in self.rows if not r["part"].startswith("prefix"))

    @property
    def total(self) -> int:
        return self.prefix_total + self.npi_total

    @property
    def next_ten(self) -> int:
        """The smallest multiple of ten at or above the total."""
        return -(-self.total // 10) * 10

    @property
    def full_npi(self) -> str:
        return self.first_nine + self.check_digit

    @property
    def is_valid(self) -> bool | None:
        if self.given_check_digit is None:
            return None
        return self.given_check_digit == self.check_digit

    def frame(self) -> pd.DataFrame:
        """One row per digit: where it sits, whether it is doubled, what it adds."""
        return pd.DataFrame(
            {
                "Position from the right": [r["position"] for r in self.rows],
                "Part": [r["part"] for r in self.rows],
                "Digit": [r["digit"] for r in self.rows],
                "Doubled?": ["yes" if r["doubled"] else "no" for r in self.rows],
                "After doubling": [r["after_doubling"] for r in self.rows],
                "Added to the sum": [r["added_label"] for r in self.rows],
            }
        )

    def steps(self) -> list[str]:
        """The method in plain sentences, with this number's figures."""
        doubled = [r for r in self.rows if r["doubled"] and r["after_doubling"] > 9]
        split = (
            "Where doubling gives 10 or more, add the two digits of the product ("
            + ", ".join(f"{r['after_doubling']} gives {r['added']}" for r in doubled)
            + ")."
            if doubled
            else "No doubled digit reached 10 here, so no product needed splitting."
        )
        if self.total % 10 == 0:
            last = f"The total, {self.total}, already ends in 0, so the check digit is 0."
        else:
            last = (
                f"Subtract the total from the next number ending in 0: {self.next_ten} - "
                f"{self.total} = {self.check_digit}. That is the check digit."
            )
        return [
            f"Put the prefix {PREFIX} in front of the first nine digits: {PREFIX} {self.first_nine}.",
            "Starting from the rightmost of these digits, double every other digit "
            "(the rightmost is doubled, the next is not, and so on).",
            split,
            f"Add everything up: {self.prefix_total} from the prefix (CMS's constant "
            f"{PREFIX_CONSTANT}) plus {self.npi_total} from the nine digits = {self.total}.",
            last,
        ]

    def verdict(self) -> str:
        if self.given_check_digit is None:
            return f"The check digit for {self.first_nine} is {self.check_digit}, so the full number is {self.full_npi}."
        if self.is_valid:
            return f"{self.entered} passes the check: its last digit, {self.given_check_digit}, is the check digit."
        return (
            f"{self.entered} fails the check: the first nine digits give check digit "
            f"{self.check_digit}, but the number ends in {self.given_check_digit}."
        )


def clean_npi_input(text: object) -> tuple[str, tuple[str, ...]]:
    """The digits of a typed NPI and notes about what was changed.

    Accepts 10 digits (to check), 9 digits (to compute the check digit) or 15 digits
    starting with 80840 (the prefix the calculation uses). Spaces and hyphens are ignored. Anything
    else raises CourseInputError naming what was wrong.
    """
    field_name = "NPI"
    expected = "10 digits (or 9 digits to work out the check digit)"
    if not isinstance(text, str):
        raise CourseInputError(field_name, text, expected)
    stripped = text.strip()
    if not stripped:
        raise CourseInputError(field_name, text, expected, "The box is empty.")
    notes: list[str] = []
    digits = re.sub(r"[\s-]", "", stripped)
    if digits != stripped:
        notes.append("Spaces and hyphens were ignored.")
    for position, char in enumerate(digits, start=1):
        if not ("0" <= char <= "9"):  # str.isdigit accepts other scripts' digits: not here
            kind = "a letter" if char.isalpha() else "not a digit"
            raise CourseInputError(
                field_name, text, "digits 0 to 9 only",
                f"Character {position} ({char!r}) is {kind}: an NPI is made of digits only.",
            )
    if len(digits) == 15 and digits.startswith(PREFIX):
        notes.append(f"The prefix {PREFIX} was removed: the NPI is the last 10 digits.")
        digits = digits[len(PREFIX):]
    if len(digits) not in (9, 10):
        hint = f"It has {len(digits)} digit{'s' if len(digits) != 1 else ''}."
        if len(digits) > 10:
            hint += " Check for an extra digit, or for two numbers pasted together."
        else:
            hint += " Check for a missing digit."
        raise CourseInputError(field_name, text, expected, hint)
    return digits, tuple(notes)


def explain_npi(text: object) -> NpiExplanation:
    """The check-digit arithmetic for a typed NPI (10 digits) or its first nine digits.

    Raises CourseInputError for letters, wrong length and empty input. A wrong check
    digit does not raise here (the explanation shows why it is wrong); use
    :func:`check_npi` to treat it as an error.
    """
    digits, notes = clean_npi_input(text)
    first_nine = digits[:9]
    payload = PREFIX + first_nine
    rows = []
    # Luhn from the right of the payload: the check digit will sit to its right, so the
    # payload's rightmost digit is the first one doubled.
    for position, char in enumerate(reversed(payload), start=1):
        digit = int(char)
        doubled = position % 2 == 1
        after = digit * 2 if doubled else digit
        added = after - 9 if after > 9 else after  # digits of a two-digit product
        index = len(payload) - position  # 0-based index into the payload
        part = (f"prefix {PREFIX}" if index < len(PREFIX)
                else f"NPI digit {index - len(PREFIX) + 1}")
        rows.append({
            "position": position, "part": part, "digit": digit, "doubled": doubled,
            "after_doubling": after, "added": added,
            "added_label": f"{after // 10} + {after % 10} = {added}" if after > 9 else str(added),
        })
    rows.reverse()  # show left to right, as the number is written
    check_digit = npi.npi_check_digit(first_nine)  # the course's one implementation
    explanation = NpiExplanation(
        entered=digits, first_nine=first_nine,
        given_check_digit=digits[9] if len(digits) == 10 else None,
        check_digit=check_digit, rows=tuple(rows), notes=notes,
    )
    # The table must tell the same story as the implementation it explains.
    if str((10 - explanation.total % 10) % 10) != check_digit or explanation.prefix_total != PREFIX_CONSTANT:
        raise AssertionError("NPI explanation table disagrees with calaim_course.npi")
    extra = []
    if digits[0] not in FIRST_DIGITS_ISSUED:
        extra.append(
            f"NPIs are first issued starting with 1 or 2 (one secondary source on the 2004 "
            f"federal rule), so a number starting with {digits[0]} is not one NPPES issues today, "
            "even if its check digit is right."
        )
    extra.append("The check digit says nothing about the provider: it does not show "
                 "whether a number is Type 1 or Type 2, or whether it was ever issued.")
    return NpiExplanation(**{**explanation.__dict__, "notes": notes + tuple(extra)})


def check_npi(text: object) -> NpiExplanation:
    """Like :func:`explain_npi`, but a wrong check digit (or 9 digits only) raises."""
    explanation = explain_npi(text)
    problem = check_digit_problem(explanation)
    if problem is not None:
        raise problem
    return explanation


def check_digit_problem(explanation: NpiExplanation) -> CourseInputError | None:
    """The error for a wrong or missing check digit, or None if the number passes."""
    if explanation.given_check_digit is None:
        return CourseInputError(
            "NPI", explanation.entered, "10 digits: 9 digits and a check digit",
            f"These 9 digits need check digit {explanation.check_digit}: {explanation.full_npi}.",
        )
    if explanation.is_valid:
        return None
    return CourseInputError(
        "NPI", explanation.entered,
        f"a last digit of {explanation.check_digit} (the check digit of the first nine digits)",
        f"It ends in {explanation.given_check_digit}. A mistyped digit or two swapped "
        "neighboring digits usually change the check digit: that is what it is for.",
    )


# --------------------------------------------------------------------------- checklist
CHECKLIST_NAME = "contracting_checklist"
CHECKLIST_PATH = Path(__file__).resolve().parents[2] / "data" / "reference" / f"{CHECKLIST_NAME}.csv"
BASES = ["sourced", "course suggestion"]
SERVICE_LINES = {"chw": "Community Health Worker (CHW) services", "doula": "doula services"}


def _checklist_schema() -> DataFrameSchema:
    """The table's schema (kept here until the shared schema module lists the table)."""

    def col(dtype, description, checks=None, nullable=False, unique=False):
        return Column(dtype, checks=checks, nullable=nullable, unique=unique, description=description)

    def basis_matches_confidence(df: pd.DataFrame) -> pd.Series:
        # A sourced item has a source address and a confidence a source can give; a
        # course suggestion has neither, and is marked UNVERIFIED (never taught as fact).
        sourced = (df["basis"] == "sourced") & df["source_url"].notna() & df["confidence"].isin(["VERIFIED", "SECONDARY"])
        suggested = (df["basis"] == "course suggestion") & df["source_url"].isna() & (df["confidence"] == "UNVERIFIED")
        return sourced | suggested

    return DataFrameSchema(
        {
            "item_id": col("str", "Short identifier of the item.", Check.str_matches(r"^[a-z0-9-]+$"), unique=True),
            "order": col("int64", "Position of the item in the list.", Check.ge(1), unique=True),
            "category": col("str", "Group the item belongs to."),
            "item": col("str", "What to have ready, as a short instruction."),
            "why": col("str", "Why it matters, in plain language."),
            "applies_to": col("str", "Which organizations it applies to: all, or only those offering CHW or doula services.",
                              Check.isin(["all", *SERVICE_LINES])),
            "basis": col("str", "sourced (a source says so) or course suggestion (the course's advice; confirm with each plan).",
                         Check.isin(BASES)),
            "source_url": col("str", "Web address of the source; empty for a course suggestion.",
                              Check.str_matches(r"^https://"), nullable=True),
            "confidence": col("str", "VERIFIED or SECONDARY for sourced items; UNVERIFIED for course suggestions.",
                              Check.isin(CONFIDENCE)),
            "last_verified": col(DATE, "Date the row was last checked against its source."),
            "note": col("str", "Caveats and where the fact base discusses the item.", nullable=True),
        },
        checks=[Check(basis_matches_confidence,
                      error="a sourced item needs a source_url and VERIFIED or SECONDARY; a course suggestion has no source_url and is UNVERIFIED")],
        name=CHECKLIST_NAME, strict=True, ordered=True,
        description="Contracting-readiness checklist for section 4: one row per item.",
        metadata={"key": ["item_id"], "kind": "reference"},
    )


CHECKLIST_SCHEMA = _checklist_schema()


@functools.lru_cache(maxsize=1)
def _checklist() -> pd.DataFrame:
    schema = REFERENCE_SCHEMAS.get(CHECKLIST_NAME, CHECKLIST_SCHEMA)
    frame = pd.read_csv(CHECKLIST_PATH, **read_csv_kwargs(schema))
    frame = schema.validate(coerce_dates(frame, schema))
    return CHECKLIST_SCHEMA.validate(frame).sort_values("order").reset_index(drop=True)


def load_checklist() -> pd.DataFrame:
    """The checklist table, validated, in order (a copy: change it freely)."""
    return _checklist().copy()


def _service_lines(services: Iterable[str]) -> tuple[str, ...]:
    if isinstance(services, str):
        services = [services]
    chosen = []
    for service in services:
        if service not in SERVICE_LINES:
            raise CourseInputError("service lines", service, "one of " + ", ".join(SERVICE_LINES))
        chosen.append(service)
    return tuple(sorted(set(chosen)))


def checklist_items(services: Iterable[str] = ()) -> pd.DataFrame:
    """The items that apply: every 'all' item plus those of the chosen service lines."""
    chosen = _service_lines(services)
    items = load_checklist()
    return items[items["applies_to"].isin(["all", *chosen])].reset_index(drop=True)


@dataclass(frozen=True)
class Readiness:
    """Which applicable items are done, and what is still missing."""

    items: pd.DataFrame  # applicable items with a boolean ``done`` column
    services: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done_count(self) -> int:
        return int(self.items["done"].sum())

    @property
    def percent(self) -> int:
        """Whole percent done, rounded down so 'ready' means every item."""
        return 100 * self.done_count // self.total if self.total else 0

    @property
    def missing(self) -> pd.DataFrame:
        return self.items[~self.items["done"]].reset_index(drop=True)

    @property
    def done(self) -> pd.DataFrame:
        return self.items[self.items["done"]].reset_index(drop=True)

    def summary(self) -> str:
        if self.done_count == self.total:
            return f"All {self.total} items are ready. Confirm each one with each plan before you apply."
        left = self.total - self.done_count
        return (f"{self.done_count} of {self.total} items ready ({self.percent}%); "
                f"{left} still to do.")


def readiness(done_ids: Iterable[str], services: Iterable[str] = ()) -> Readiness:
    """Mark ``done_ids`` as done among the items that apply to ``services``.

    An id that is unknown, or that belongs to a service line not chosen, raises
    CourseInputError naming it.
    """
    chosen = _service_lines(services)
    items = checklist_items(chosen)
    if isinstance(done_ids, str):
        done_ids = [done_ids]
    done = set()
    known = set(items["item_id"])
    every = set(load_checklist()["item_id"])
    for item_id in done_ids:
        if item_id not in known:
            hint = ("It belongs to a service line not chosen." if item_id in every
                    else "Valid items: " + ", ".join(items["item_id"]) + ".")
            raise CourseInputError("checklist item", item_id, "an item of this checklist", hint)
        done.add(item_id)
    items = items.assign(done=items["item_id"].isin(done))
    return Readiness(items=items, services=chosen)


def _source_markdown(row) -> str:
    if row["basis"] == "sourced":
        return f"Source: <{row['source_url']}> ({row['confidence'].lower()})."
    return "Course suggestion: confirm with each plan."


def readiness_markdown(result: Readiness, organization: str = "Our organization") -> str:
    """The checklist as Markdown: progress, what is missing (with why and source), done.

    Plain Markdown task lists, so it pastes into a shared document or an issue tracker.
    """
    if not isinstance(organization, str) or not organization.strip():
        raise CourseInputError("organization name", organization, "a short name, for example 'Our organization'")
    organization = " ".join(organization.split())
    if len(organization) > 120:
        raise CourseInputError("organization name", organization, "at most 120 characters")
    services = (", ".join(SERVICE_LINES[s] for s in result.services)
                if result.services else "none beyond the core items")
    lines = [
        f"# Contracting readiness: {organization}",
        "",
        f"Progress: {result.summary()}",
        "",
        f"Extra service lines included: {services}.",
        "",
        "## Still to do",
        "",
    ]
    missing = result.missing
    if missing.empty:
        lines.append("Nothing: every item is marked ready.")
    for _, row in missing.iterrows():
        lines.append(f"- [ ] **{row['item']}** ({row['category']}). {row['why']} {_source_markdown(row)}")
    lines += ["", "## Ready", ""]
    done = result.done
    if done.empty:
        lines.append("Nothing marked ready yet.")
    for _, row in done.iterrows():
        lines.append(f"- [x] {row['item']} ({row['category']}).")
    lines += [
        "",
        f"From the course \"Medi-Cal and CalAIM for domestic violence organizations\", section 4, "
        f"last reviewed {REVIEWED}. Items marked \"course suggestion\" are the course's advice, "
        f"not a plan's published requirement. {NOT_ADVICE}",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------- timeline
SOURCED = "sourced"
ILLUSTRATIVE = "illustrative assumption"
YOURS = "your value"
NOT_NEEDED = "not needed"
BASIS_LABELS = {SOURCED: "Sourced duration", ILLUSTRATIVE: "Illustrative assumption", YOURS: "Your value"}
MAX_WEEKS = 104  # two years: longer than any step the sources describe
MIN_WEEKS = 0.1  # the smallest step the planner draws (under a day)
DENTI_CAL_NPI = "https://www.denti-cal.ca.gov/Dental_Providers/Denti-Cal/NPI/Apply_For_NPI/"
MEDICUS_NPI = "https://medicushcs.com/resources/how-to-apply-for-an-npi-number"
APL_19_004_COPY = "https://info.5y1.org/social-security-master-death-file_1_036a4f.html"


@dataclass(frozen=True)
class SourcedDuration:
    """A duration in weeks that a source supports, with the source."""

    weeks: float
    confidence: str
    note: str
    source_url: str


@dataclass(frozen=True)
class TimelineStep:
    """One step: what it is, which steps it waits for, and its defensible durations."""

    key: str
    label: str
    after: tuple[str, ...]
    sourced: tuple[SourcedDuration, ...] = ()
    illustrative_weeks: float | None = None


ASSUMPTION_NOTE = "The course's illustrative assumption: no source reached gives this step's length."

# The order of steps and which step waits for which are the course's illustrative plan:
# no source reached lists a plan's contracting steps (fact base 4.16, UNVERIFIED).
STEPS: tuple[TimelineStep, ...] = (
    TimelineStep(
        "npi", "Get the organization's NPI (NPPES)", (),
        sourced=(
            SourcedDuration(1, "SECONDARY",
                            "Online application: about 1 to 3 business days in one secondary source "
                            "(payerready.com); another, citing CMS, says fewer than 10 days. Planned as 1 week.",
                            MEDICUS_NPI),
            SourcedDuration(3, "VERIFIED",
                            "Paper form CMS-10114: confirmation in about 20 calendar days (Denti-Cal). "
                            "Planned as 3 weeks.", DENTI_CAL_NPI),
        ),
    ),
    TimelineStep(
        "pave", "Medi-Cal enrollment in PAVE (if your route uses it)", ("npi",),
        sourced=(
            SourcedDuration(26, "SECONDARY",
                            "State law generally gives DHCS up to 180 days (about 26 weeks) to act on a "
                            "fee-for-service application (a copy of a DHCS FAQ): a cautious ceiling, not a typical time.",
                            APL_19_004_COPY),
        ),
    ),
    TimelineStep("outreach", "Reach out to plans and meet", (), illustrative_weeks=4),
    TimelineStep("documents", "Gather documents and complete the plan's application", ("npi", "outreach"),
                 illustrative_weeks=4),
    TimelineStep("vetting", "Plan vetting or credentialing", ("documents",), illustrative_weeks=8),
    TimelineStep("contract", "Negotiate and sign the contract", ("vetting",), illustrative_weeks=6),
    TimelineStep("setup", "Set-up: plan systems, data exchange, billing tests", ("contract", "pave"),
                 illustrative_weeks=6),
)
STEP_KEYS = tuple(s.key for s in STEPS)
STEP_BY_KEY = {s.key: s for s in STEPS}
_ILLUSTRATIVE_WEEKS = {s.key: s.illustrative_weeks for s in STEPS if s.illustrative_weeks is not None}
SCENARIOS: dict[str, dict] = {
    "online_pave": {"label": "Online NPI, then PAVE enrollment",
                    "weeks": {"npi": 1, "pave": 26, **_ILLUSTRATIVE_WEEKS}},
    "paper_pave": {"label": "Paper NPI, then PAVE enrollment",
                   "weeks": {"npi": 3, "pave": 26, **_ILLUSTRATIVE_WEEKS}},
    "online_plan_only": {"label": "Online NPI, plan screening only (no PAVE step)",
                         "weeks": {"npi": 1, "pave": 0, **_ILLUSTRATIVE_WEEKS}},
}
DEFAULT_SCENARIO = "online_pave"
DEFAULT_START = "2027-01-04"  # a Monday after the course's review date
PAVE_CEILING_WEEKS_ROUNDED = 26  # 180 days is 25.7 weeks; the planner rounds up to 26


def duration_basis(key: str, weeks: float) -> tuple[str, str, str | None, str | None]:
    """(basis, note, source address, confidence) for a step's duration.

    Sourced only when the duration is one a source supports; the course's own default
    is an illustrative assumption; anything else is the learner's value.
    """
    step = STEP_BY_KEY[key]
    if weeks == 0:
        return NOT_NEEDED, "Step not needed in this plan.", None, None
    for option in step.sourced:
        if weeks == option.weeks:
            return SOURCED, option.note, option.source_url, option.confidence
    if step.illustrative_weeks is not None and weeks == step.illustrative_weeks:
        return ILLUSTRATIVE, ASSUMPTION_NOTE, None, None
    return YOURS, "A duration you typed.", None, None


def parse_weeks(label: str, value: object) -> float:
    """A step's duration in weeks: 0 (step not needed), or 0.1 to 104, kept to tenths.

    Raises CourseInputError naming the step for words, commas, negative or
    impossible numbers.
    """
    expected = f"a number of weeks from 0 (step not needed) to {MAX_WEEKS}"
    if isinstance(value, bool):
        raise CourseInputError(label, value, expected)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise CourseInputError(label, value, expected, "The box is empty: type 0 if the step is not needed.")
        if re.fullmatch(r"\d+,\d+", text):
            raise CourseInputError(label, value, expected, "Use a point for decimals, for example 2.5.")
        try:
            number = float(text)
        except ValueError:
            raise CourseInputError(label, value, expected, "Type digits only, for example 6 (weeks).") from None
    else:
        raise CourseInputError(label, value, expected)
    if math.isnan(number) or math.isinf(number):
        raise CourseInputError(label, value, expected, "That is not a finite number.")
    if number < 0:
        raise CourseInputError(label, value, expected, "A step cannot take negative time: it cannot end before it starts.")
    if 0 < number < MIN_WEEKS:
        raise CourseInputError(label, value, expected,
                               f"That is shorter than the planner's smallest step, {MIN_WEEKS} week "
                               "(under a day): type 0 if the step is not needed.")
    if number > MAX_WEEKS:
        hint = "That is more than two years."
        if number <= 400:
            hint += f" If you meant days, {number:g} days is about {number / 7:.1f} weeks."
        raise CourseInputError(label, value, expected, hint)
    return round(number, 1)  # tenths of a week: under a day, finer than any source


def parse_start(value: object) -> dt.date:
    """A start date typed as YYYY-MM-DD, from 2020 to 2035."""
    expected = "a date written YYYY-MM-DD, from 2020-01-01 to 2035-12-31"
    if isinstance(value, dt.date):
        date = value
    elif isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value):
        try:
            date = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise CourseInputError("Start date", value, expected, "That day does not exist on the calendar.") from None
    else:
        raise CourseInputError("Start date", value, expected, "For example 2027-01-04.")
    if not dt.date(2020, 1, 1) <= date <= dt.date(2035, 12, 31):
        raise CourseInputError("Start date", value, expected)
    return date


@dataclass(frozen=True)
class TimelinePlan:
    """Start and end weeks for every step, the week the organization is ready, the
    chain of steps that sets that week, and notes about the inputs."""

    frame: pd.DataFrame
    start: dt.date
    ready_week: float
    critical_path: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def ready_date(self) -> dt.date:
        return self.start + dt.timedelta(days=round(self.ready_week * 7))

    @property
    def illustrative_share(self) -> float:
        """Share of the critical path's weeks that rest on illustrative assumptions."""
        path = self.frame.set_index("key").loc[list(self.critical_path)]
        total = path["weeks"].sum()
        return float(path.loc[path["basis"] != SOURCED, "weeks"].sum() / total) if total else 0.0

    def finding(self) -> str:
        labels = [STEP_BY_KEY[k].label for k in self.critical_path]
        return (
            f"With these durations the organization is ready to serve plan members about "
            f"{self.ready_week:g} weeks after the start ({self.ready_date:%B %-d, %Y}). "
            f"The longest chain of steps is: {' → '.join(labels)}. "
            f"{self.illustrative_share:.0%} of that chain's weeks are assumptions (the course's or "
            "yours), not sourced figures."
        )


def plan_timeline(weeks: Mapping[str, object], start: object = DEFAULT_START) -> TimelinePlan:
    """Schedule every step as early as the steps it waits for allow.

    ``weeks`` maps each step key (``STEP_KEYS``) to its duration in weeks (numbers or
    typed text). A step of 0 weeks is not needed: it takes no time and does not delay
    the steps after it.
    """
    if not isinstance(weeks, Mapping):
        raise CourseInputError("durations", weeks, "a duration in weeks for each step")
    unknown = sorted(set(weeks) - set(STEP_KEYS), key=str)
    if unknown:
        raise CourseInputError("step", unknown[0], "one of " + ", ".join(STEP_KEYS))
    missing = [k for k in STEP_KEYS if k not in weeks]
    if missing:
        raise CourseInputError(STEP_BY_KEY[missing[0]].label, None, "a number of weeks",
                               "Every step needs a duration; type 0 if it is not needed.")
    start_date = parse_start(start)
    duration = {k: parse_weeks(STEP_BY_KEY[k].label, weeks[k]) for k in STEP_KEYS}
    if not any(duration.values()):
        raise CourseInputError("durations", "all 0", "at least one step longer than 0 weeks",
                               "With every step at 0 there is nothing to plan.")
    begin, end, waits_for = {}, {}, {}
    for step in STEPS:  # STEPS lists every step after the steps it waits for
        begin[step.key] = max((end[k] for k in step.after), default=0.0)
        end[step.key] = round(begin[step.key] + duration[step.key], 1)
        before = [k for k in step.after if end[k] == begin[step.key]]
        # Follow the longest wait; a tie prefers the step with real work in it.
        waits_for[step.key] = max(before, key=lambda k: (duration[k] > 0, -STEP_KEYS.index(k)), default=None)
    ready = max(end.values())
    last = max(STEP_KEYS, key=lambda k: (end[k], duration[k] > 0, STEP_KEYS.index(k)))
    path = []
    key = last
    while key is not None:
        if duration[key] > 0:
            path.append(key)
        key = waits_for[key] if begin[key] > 0 else None
    path.reverse()
    bases = {k: duration_basis(k, duration[k]) for k in STEP_KEYS}
    frame = pd.DataFrame({
        "key": list(STEP_KEYS),
        "order": range(1, len(STEPS) + 1),
        "step": [s.label for s in STEPS],
        "weeks": [duration[k] for k in STEP_KEYS],
        "start_week": [begin[k] for k in STEP_KEYS],
        "end_week": [end[k] for k in STEP_KEYS],
        "start_date": [start_date + dt.timedelta(days=round(begin[k] * 7)) for k in STEP_KEYS],
        "end_date": [start_date + dt.timedelta(days=round(end[k] * 7)) for k in STEP_KEYS],
        "waits_for": [", ".join(STEP_BY_KEY[a].label for a in s.after if duration[a] > 0) or "nothing"
                      for s in STEPS],
        "basis": [bases[k][0] for k in STEP_KEYS],
        "source_note": [bases[k][1] for k in STEP_KEYS],
        "source_url": [bases[k][2] for k in STEP_KEYS],
        "confidence": [bases[k][3] for k in STEP_KEYS],
        "on_longest_chain": [k in path for k in STEP_KEYS],
    })
    notes = []
    if duration["pave"] == 0:
        notes.append("No PAVE step: this plan assumes the plan's own screening is your route. "
                     "Confirm the route with each plan.")
    elif duration["pave"] > PAVE_CEILING_WEEKS_ROUNDED:
        notes.append(f"PAVE is set to {duration['pave']:g} weeks, longer than the up to 180 days "
                     "(about 26 weeks) state law generally gives DHCS to act; delays can still happen, "
                     "for example when an application has to be corrected.")
    if 0 < duration["npi"] < 1:
        notes.append("An online NPI application takes about 1 to 3 business days (one secondary source).")
    return TimelinePlan(frame=frame, start=start_date, ready_week=ready,
                        critical_path=tuple(path), notes=tuple(notes))


def scenario_plan(name: str = DEFAULT_SCENARIO, start: object = DEFAULT_START) -> TimelinePlan:
    """The plan for one of the starting scenarios in ``SCENARIOS``."""
    if name not in SCENARIOS:
        raise CourseInputError("starting values", name, "one of " + ", ".join(SCENARIOS))
    return plan_timeline(SCENARIOS[name]["weeks"], start)


def timeline_table(plan: TimelinePlan) -> pd.DataFrame:
    """The plan as a table for people: dates, weeks, what each waits for, the basis."""
    f = plan.frame
    return pd.DataFrame({
        "Step": f["step"],
        "Weeks": [("not needed" if w == 0 else f"{w:g}") for w in f["weeks"]],
        "Starts": [d.strftime("%b %-d, %Y") for d in f["start_date"]],
        "Ends": [d.strftime("%b %-d, %Y") for d in f["end_date"]],
        "Waits for": f["waits_for"],
        "Duration basis": [(f"sourced ({c.lower()})" if b == SOURCED else b)
                           for b, c in zip(f["basis"], f["confidence"])],
    })


def _chart_rows(plans: Mapping[str, TimelinePlan]) -> pd.DataFrame:
    parts = []
    for name, plan in plans.items():
        f = plan.frame[plan.frame["weeks"] > 0].copy()  # a step that is not needed has no bar
        f["scenario"] = SCENARIOS[name]["label"] if name in SCENARIOS else name
        # No time zone: browsers read these as local dates (a bare date would be UTC midnight,
        # shown as the previous day west of Greenwich).
        f["start_date"] = pd.to_datetime(f["start_date"]).dt.strftime("%Y-%m-%dT00:00:00")
        f["end_date"] = pd.to_datetime(f["end_date"]).dt.strftime("%Y-%m-%dT00:00:00")
        f["basis_label"] = [BASIS_LABELS[b] for b in f["basis"]]
        parts.append(f[["scenario", "order", "step", "weeks", "start_date", "end_date", "basis_label",
                        "source_note"]])
    return pd.concat(parts, ignore_index=True)


def timeline_chart(plans: Mapping[str, TimelinePlan] | None = None) -> alt.Chart:
    """A Gantt chart; with several plans, a drop-down list (works in the static page)
    chooses which one is drawn, and clicking the legend highlights a basis."""
    if plans is None:
        plans = {name: scenario_plan(name) for name in SCENARIOS}
    if not plans:
        raise CourseInputError("plans", plans, "at least one timeline plan")
    data = _chart_rows(plans)
    names = list(dict.fromkeys(data["scenario"]))
    # Only the bases present get a legend entry; each keeps its colour in every chart.
    colours = dict(zip(BASIS_LABELS.values(), OKABE_ITO[:3]))
    shown = [(label, colour) for label, colour in colours.items() if label in set(data["basis_label"])]
    words = {"Sourced duration": "Blue: durations a source supports.",
             "Illustrative assumption": "Orange: the course's assumptions.",
             "Your value": "Green: durations you typed."}
    basis = alt.selection_point(fields=["basis_label"], bind="legend")
    chart = alt.Chart(data).mark_bar(cornerRadius=2, height=18).encode(
        x=alt.X("start_date:T", title="Date (planned start to end of each step)",
                axis=alt.Axis(format="%b %Y", labelAngle=0)),
        x2="end_date:T",
        y=alt.Y("step:N", title=None, sort=alt.EncodingSortField("order", order="ascending"),
                axis=alt.Axis(labelLimit=340)),
        color=alt.Color("basis_label:N", title="Duration basis (click to highlight)",
                        scale=alt.Scale(domain=[l for l, _ in shown], range=[c for _, c in shown]),
                        legend=alt.Legend(orient="bottom", titleLimit=400)),
        opacity=alt.condition(basis, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("step:N", title="Step"), alt.Tooltip("weeks:Q", title="Weeks"),
                 alt.Tooltip("start_date:T", title="Starts", format="%b %d, %Y"),
                 alt.Tooltip("end_date:T", title="Ends", format="%b %d, %Y"),
                 alt.Tooltip("basis_label:N", title="Basis"), alt.Tooltip("source_note:N", title="Source")],
    ).add_params(basis)
    if len(names) > 1:
        which = alt.param(name="scenario_choice", value=names[0],
                          bind=alt.binding_select(options=names, name="Starting values: "))
        chart = chart.add_params(which).transform_filter(alt.datum.scenario == which)
    return chart.properties(
        width=560, height=alt.Step(30),
        title=alt.Title("Credentialing and contracting: an illustrative timeline",
                        subtitle=" ".join(words[label] for label, _ in shown)),
    )


__all__ = [
    "NpiExplanation", "clean_npi_input", "explain_npi", "check_npi", "check_digit_problem",
    "load_checklist", "checklist_items", "Readiness", "readiness", "readiness_markdown",
    "SourcedDuration", "TimelineStep", "duration_basis", "STEPS", "STEP_KEYS", "SCENARIOS", "parse_weeks", "parse_start",
    "TimelinePlan", "plan_timeline", "scenario_plan", "timeline_table", "timeline_chart",
    "describe_timeline_chart",
]


def describe_timeline_chart(plans: Mapping[str, TimelinePlan] | None = None) -> str:
    """A text description of :func:`timeline_chart` for screen readers, computed from
    the same plans so it never disagrees with the chart."""
    if plans is None:
        plans = {name: scenario_plan(name) for name in SCENARIOS}
    parts = []
    for name, plan in plans.items():
        label = SCENARIOS[name]["label"] if name in SCENARIOS else name
        drawn = int((plan.frame["weeks"] > 0).sum())
        parts.append(f"{label}: {drawn} bars, ready after {plan.ready_week:g} weeks "
                     f"({plan.ready_date:%B %-d, %Y})")
    first = next(iter(plans.values()))
    return (
        "A Gantt chart: one horizontal bar per step, placed on a time axis that starts on "
        f"{first.start:%B %-d, %Y}, with a menu above the chart to choose the starting values. "
        + "; ".join(parts) + ". "
        "Blue bars are steps whose duration a source supports (the NPI and PAVE enrollment); "
        "orange bars are the course's illustrative assumptions."
    )
