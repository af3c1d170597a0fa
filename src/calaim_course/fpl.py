"""Income as a percent of the federal poverty level (FPL), for teaching only.

A household size and a monthly income give the percent of the HHS poverty guideline,
and a comparison with the Medi-Cal 138% limit for adults aged 19 to 64 (the ACA "New
Adult Group"). This is never an eligibility determination: counties decide, with
Medi-Cal's own rules for who is in the household and which income counts.

Sources (see the fact base, facts 1.18, 1.19 and 1.19a):

- HHS poverty guidelines, 48 contiguous states and DC: ``data/reference/fpl.csv``.
  Households above 8 people add the per-person increment.
- The percent limits of each Medi-Cal group: ``data/reference/medi_cal_income_limits.csv``
  (a county eligibility handbook chart).
- Monthly dollar limits follow the county method: round the monthly 100% figure up to a
  whole dollar, multiply by the percent, round up again. The method reproduces LA
  County's published 2024 chart; the 2026 dollar limits it gives are computed by the
  course, not read in a DHCS chart.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from numbers import Number

import pandas as pd

from calaim_course.errors import CourseInputError
from calaim_course import reference
from calaim_course.reference import load_reference

MAX_HOUSEHOLD = 20  # a teaching tool: larger households are possible but rare
MAX_MONTHLY_INCOME = 1_000_000  # dollars a month; anything larger is a typing mistake
ADULT_GROUP_ID = "adult_expansion"
NOT_A_DETERMINATION = (
    "This is not an eligibility determination. Only the county decides, using Medi-Cal's "
    "own rules for who counts in the household and which income counts."
)
COMPUTED_NOTE = (
    "Monthly dollar limits are computed by this course with the county method (round the "
    "monthly poverty guideline up to a whole dollar, multiply by the percent, round up "
    "again); they were not read in a DHCS chart."
)
# "1234", "1,234", "1234.5", "1,234.56": digits with optional thousands commas and cents.
_AMOUNT = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


# ----------------------------------------------------------------------------- inputs


def parse_household_size(value: object) -> int:
    """A household size as a whole number from 1 to ``MAX_HOUSEHOLD``.

    Accepts an int or text such as "3". Raises ``CourseInputError`` otherwise.
    """
    field_name = "Household size"
    expected = f"a whole number of people from 1 to {MAX_HOUSEHOLD}"
    if isinstance(value, bool) or value is None:
        raise CourseInputError(field_name, value, expected)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise CourseInputError(field_name, value, expected, "Type the number of people, for example 3.")
        if not re.fullmatch(r"[+-]?\d+", text):
            raise CourseInputError(field_name, value, expected, "Use digits only, for example 3.")
        size = int(text)
    elif isinstance(value, Number):
        try:
            as_float = float(value)
        except (TypeError, ValueError, OverflowError):
            raise CourseInputError(field_name, value, expected) from None
        if not math.isfinite(as_float) or as_float != int(as_float):
            raise CourseInputError(field_name, value, expected)
        size = int(as_float)
    else:
        raise CourseInputError(field_name, value, expected)
    if size < 1:
        raise CourseInputError(
            field_name, value, expected,
            "A household has at least 1 person: count the person applying.",
        )
    if size > MAX_HOUSEHOLD:
        raise CourseInputError(field_name, value, expected)
    return size


def parse_monthly_income(value: object) -> float:
    """A monthly income in dollars, 0 or more. Accepts numbers or text like "$1,250.50"."""
    field_name = "Monthly income"
    expected = f"an amount in dollars from 0 to {MAX_MONTHLY_INCOME:,}, for example 2500 or $2,500"
    negative_hint = "Income cannot be negative: enter 0 if the household has no income."
    if isinstance(value, bool) or value is None:
        raise CourseInputError(field_name, value, expected)
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not text:
            raise CourseInputError(field_name, value, expected, "Type the household's income before taxes for one month.")
        negative = text.startswith("-") or text.startswith("$-")
        text = text.lstrip("-").removeprefix("$").lstrip("-")
        if not _AMOUNT.fullmatch(text):
            raise CourseInputError(field_name, value, expected, "Use digits, with an optional $ sign, commas and cents.")
        try:
            amount = float(Decimal(text.replace(",", "")))
        except InvalidOperation:  # pragma: no cover - the pattern already rules this out
            raise CourseInputError(field_name, value, expected) from None
        if negative and amount != 0:
            raise CourseInputError(field_name, value, expected, negative_hint)
    elif isinstance(value, Number):
        try:
            amount = float(value)
        except (TypeError, ValueError, OverflowError):
            raise CourseInputError(field_name, value, expected) from None
        if math.isnan(amount) or math.isinf(amount):
            raise CourseInputError(field_name, value, expected)
        if amount < 0:
            raise CourseInputError(field_name, value, expected, negative_hint)
    else:
        raise CourseInputError(field_name, value, expected)
    if amount > MAX_MONTHLY_INCOME:
        raise CourseInputError(field_name, value, expected)
    return amount + 0.0  # turn -0.0 into 0.0


def available_years() -> list[int]:
    """Guideline years in the reference table, newest first."""
    return sorted({int(y) for y in load_reference("fpl")["year"]}, reverse=True)


def parse_year(value: object) -> int:
    years = available_years()
    expected = "one of the guideline years " + ", ".join(str(y) for y in sorted(years))
    if isinstance(value, bool):
        raise CourseInputError("Year", value, expected)
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise CourseInputError("Year", value, expected) from None
    if year not in years:
        raise CourseInputError("Year", value, expected)
    return year


# ------------------------------------------------------------------------ guidelines


@dataclass(frozen=True)
class Guideline:
    """The poverty guideline for one household size and year, with its source."""

    year: int
    household_size: int
    annual_usd: int
    source_url: str
    confidence: str
    uses_increment: bool  # True for households above the table's largest size (8)

    @property
    def monthly_exact(self) -> float:
        return self.annual_usd / 12

    @property
    def monthly_rounded_up(self) -> int:
        """The county method's first step: the monthly figure rounded up to a whole dollar."""
        return -(-self.annual_usd // 12)

    def limit(self, percent: int) -> int:
        """Monthly dollars at ``percent`` of this guideline, by the county method."""
        return reference.monthly_income_limit(self.year, self.household_size, percent)


def poverty_guideline(household_size: object, year: object = None) -> Guideline:
    """100% of the poverty guideline for a household (households above 8 use the increment)."""
    size = parse_household_size(household_size)
    year = available_years()[0] if year is None else parse_year(year)
    table = load_reference("fpl")
    rows = table[table["year"] == year].sort_values("household_size")
    largest = int(rows["household_size"].max())
    row = rows[rows["household_size"] == min(size, largest)].iloc[0]
    return Guideline(
        year=year, household_size=size,
        annual_usd=reference.poverty_guideline(year, size),
        source_url=str(row["source_url"]), confidence=str(row["confidence"]),
        uses_increment=size > largest,
    )


def income_limits() -> pd.DataFrame:
    """The Medi-Cal income limit groups (percent of FPL) from the reference table."""
    return load_reference("medi_cal_income_limits")


def adult_limit_percent() -> int:
    """The ACA New Adult Group limit (138%), read from the reference table."""
    table = income_limits()
    return int(table.loc[table["group_id"] == ADULT_GROUP_ID, "percent_fpl_max"].iloc[0])


def adult_limit_table(year: object = None, sizes: range = range(1, 9)) -> pd.DataFrame:
    """Yearly guideline, monthly guideline and the monthly 138% limit, by household size."""
    percent = adult_limit_percent()
    rows = []
    for size in sizes:
        g = poverty_guideline(size, year)
        rows.append({
            "People in household": size,
            "Poverty guideline (a year)": f"${g.annual_usd:,}",
            "Poverty guideline (a month, rounded up)": f"${g.monthly_rounded_up:,}",
            f"{percent}% a month (computed)": f"${g.limit(percent):,}",
        })
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- estimate


@dataclass(frozen=True)
class GroupComparison:
    group_name: str
    ages: str
    percent_range: str
    monthly_range: str
    position: str  # "at or below the limit", "above the limit" or "below this group's range"


@dataclass(frozen=True)
class FplEstimate:
    """What the estimator found, with the words that explain it."""

    guideline: Guideline
    monthly_income: float
    percent_fpl: float
    adult_percent: int
    adult_monthly_limit: int
    groups: list[GroupComparison] = field(default_factory=list)

    @property
    def annual_income(self) -> float:
        return self.monthly_income * 12

    @property
    def at_or_below_adult_limit(self) -> bool:
        return self.monthly_income <= self.adult_monthly_limit

    @property
    def percent_label(self) -> str:
        return f"{self.percent_fpl:,.1f}%"

    def sentences(self) -> list[str]:
        """The estimate in plain words, one sentence per item."""
        g = self.guideline
        people = "person" if g.household_size == 1 else "people"
        income = _dollars(self.monthly_income)
        out = [
            f"A household of {g.household_size} {people} with {income} a month "
            f"({_dollars(self.annual_income)} a year) has an income of about "
            f"{self.percent_label} of the {g.year} federal poverty level.",
            f"The {g.year} poverty guideline for {g.household_size} {people} is "
            f"${g.annual_usd:,} a year (about {_dollars(g.monthly_exact)} a month)"
            + (", worked out from the 8-person figure plus the amount for each extra person."
               if g.uses_increment else "."),
        ]
        gap = _dollars(abs(self.monthly_income - self.adult_monthly_limit))
        limit = (f"the {self.adult_percent}% limit for adults aged 19 to 64 (the ACA New Adult "
                 f"Group), ${self.adult_monthly_limit:,} a month for {g.household_size} {people}")
        if self.at_or_below_adult_limit:
            out.append(f"That is at or below {limit}: this income is {gap} under it.")
        else:
            out.append(
                f"That is above {limit}: this income is {gap} over it. Some groups, such as "
                "pregnancy-related coverage, have higher limits (see the table)."
            )
        out.append(NOT_A_DETERMINATION)
        return out

    def groups_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "Group": c.group_name,
            "Ages (where the chart gives them)": c.ages,
            "Income range": c.percent_range,
            "A month for this household (computed)": c.monthly_range,
            "This income compared with the limit": c.position,
        } for c in self.groups])


def _dollars(amount: float) -> str:
    """$1,234 for whole dollars, $1,234.56 otherwise."""
    cents = round(amount * 100)
    if cents % 100 == 0:
        return f"${cents // 100:,}"
    return f"${cents / 100:,.2f}"


def _ages(row) -> str:
    low, high = row["age_min"], row["age_max"]
    if pd.isna(low) and pd.isna(high):
        return "not recorded here"
    if pd.isna(high):
        return f"{int(low)} and older"
    if pd.isna(low):
        return f"up to {int(high)}"
    return f"{int(low)} to {int(high)}"


def compare_groups(guideline: Guideline, monthly_income: float) -> list[GroupComparison]:
    """Each Medi-Cal group's percent range as monthly dollars, and whether the income is in it."""
    table = income_limits()
    out = []
    for _, row in table.iterrows():
        top = int(row["percent_fpl_max"])
        top_usd = guideline.limit(top)
        if pd.isna(row["percent_fpl_above"]):
            percent_range = f"up to {top}%"
            monthly_range = f"up to ${top_usd:,}"
            position = "at or below the limit" if monthly_income <= top_usd else "above the limit"
        else:
            bottom = int(row["percent_fpl_above"])
            bottom_usd = guideline.limit(bottom)
            percent_range = f"above {bottom}% up to {top}%"
            monthly_range = f"above ${bottom_usd:,} up to ${top_usd:,}"
            if monthly_income <= bottom_usd:
                position = "below this group's range"
            else:
                position = "at or below the limit" if monthly_income <= top_usd else "above the limit"
        out.append(GroupComparison(str(row["group_name"]), _ages(row), percent_range, monthly_range, position))
    return out


def estimate(household_size: object, monthly_income: object, year: object = None) -> FplEstimate:
    """Percent of the poverty guideline and the comparison with the 138% adult limit.

    Raises ``CourseInputError`` for a household size outside 1-20, a negative or
    non-numeric income, or a year the reference table does not have.
    """
    income = parse_monthly_income(monthly_income)
    guideline = poverty_guideline(household_size, year)
    percent = adult_limit_percent()
    return FplEstimate(
        guideline=guideline,
        monthly_income=income,
        percent_fpl=income * 12 / guideline.annual_usd * 100,
        adult_percent=percent,
        adult_monthly_limit=guideline.limit(percent),
        groups=compare_groups(guideline, income),
    )


__all__ = [
    "COMPUTED_NOTE", "NOT_A_DETERMINATION", "FplEstimate", "Guideline", "adult_limit_table",
    "adult_limit_percent", "available_years", "compare_groups", "estimate",
    "parse_household_size", "parse_monthly_income", "parse_year", "poverty_guideline",
]
