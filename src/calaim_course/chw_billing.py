"""Community Health Worker (CHW) billing: from minutes and group size to a code and units.

What the sources say (rows of ``data/reference/chw_codes.csv``):

- CPT 98960, 98961 and 98962 are "self-management education and training,
  face-to-face, 30 minutes" for 1, 2-4 and 5-8 patients (DHCS CHW Billing FAQ: VERIFIED).
- From dates of service on or after April 1, 2025, HCPCS G0019 and G0022 may be used for
  all CHW services. They need an initiating visit billed with an evaluation and
  management code, and a treatment plan or plan of care that names the unmet social
  drivers of health (DHCS CHW G-code FAQ: VERIFIED). G0019 is described as the first
  60 minutes per calendar month and G0022 as each additional 30 minutes (CMS code
  text: SECONDARY).

What the sources do not say, so the course makes it explicit as its ILLUSTRATION:

- How many minutes make a unit when a session is not an exact multiple of 30 minutes.
  The course counts a unit for each full block of time, plus one more when the time
  left over is more than half a block (16 minutes or more of a 30-minute unit; 31
  minutes or more of G0019's 60). This mirrors a common convention for timed codes; it
  was not found in a DHCS source for CHW services. Check the Medi-Cal Provider Manual
  (Community Health Worker Preventive Services) and the plan.
- The dollar amount. Plans and the fee schedule set rates; the calculator multiplies
  units by an ILLUSTRATIVE rate that the learner can change, and says so.

Not taught on purpose: a limit of 4 units per member per day. The fact base marks it
UNVERIFIED (not found in any DHCS source reached), so the calculator applies no daily cap.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pandas as pd

from calaim_course.errors import CourseInputError
from calaim_course.reference import load_reference

CPT = "CPT"
G_CODES = "G-codes"
CODE_SETS = (CPT, G_CODES)

ILLUSTRATIVE_LABEL = "ILLUSTRATIVE: invented by the course, not a Medi-Cal or plan rate"
MAX_RATE = Decimal("10000")

# Medi-Cal has covered CHW services since July 1, 2022 (CHA news, June 2022: SECONDARY).
CHW_BENEFIT_START = dt.date(2022, 7, 1)
CHW_BENEFIT_START_SOURCE = (
    "https://calhospital.org/medi-cal-coverage-of-community-health-worker-services-effective-july-1/"
)
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_MONTH_MAX = 31 * MINUTES_PER_DAY

ROUNDING_RULE = (
    "Course illustration, not a DHCS rule: a unit is counted for each full block of time, "
    "plus one more when the time left over is more than half a block (16 minutes or more "
    "of a 30-minute unit; 31 minutes or more of G0019's 60 minutes). The course did not "
    "find this rule in a DHCS source: check the Medi-Cal Provider Manual (Community Health "
    "Worker Preventive Services) and your plan."
)

_WHOLE_NUMBER = re.compile(r"^[+]?\d+$")
_MONEY = re.compile(r"^\$?\s*(\d{1,7}(\.\d{1,2})?|\.\d{1,2})$")


@dataclass(frozen=True)
class ClaimLine:
    """One code with its units, for one member."""

    code: str
    description: str
    units: int


@dataclass(frozen=True)
class ChwEstimate:
    """What the calculator found, with the reasons in plain words."""

    code_set: str
    minutes: int
    group_size: int
    date_of_service: dt.date
    lines: tuple[ClaimLine, ...]
    rate: Decimal
    explanation: tuple[str, ...]
    requirements: tuple[str, ...] = field(default=())
    missing_requirements: tuple[str, ...] = field(default=())

    @property
    def units(self) -> int:
        return sum(line.units for line in self.lines)

    @property
    def amount(self) -> Decimal:
        """Units times the ILLUSTRATIVE rate, for one member's claim line(s)."""
        return (self.rate * self.units).quantize(Decimal("0.01"))

    @property
    def billable(self) -> bool:
        return self.units > 0 and not self.missing_requirements

    def as_frame(self) -> pd.DataFrame:
        """The claim line(s) as a small table for display."""
        return pd.DataFrame(
            {
                "Code": [line.code for line in self.lines],
                "Description": [line.description for line in self.lines],
                "Units": [line.units for line in self.lines],
                "Example amount (illustrative rate)": [
                    f"${(self.rate * line.units).quantize(Decimal('0.01')):,.2f}"
                    for line in self.lines
                ],
            }
        )


# ------------------------------------------------------------------------ the code table


def chw_codes() -> pd.DataFrame:
    """The CHW code table (``data/reference/chw_codes.csv``), indexed by code."""
    table = load_reference("chw_codes").copy()
    table["code"] = table["code"].astype(str)
    return table.set_index("code", drop=False)


def illustrative_rate() -> Decimal:
    """The synthetic agency's invented charge per CHW unit (``illustrative_rates``, row "chw").

    Read from the reference table so the calculator and the synthetic claims agree.
    """
    rates = load_reference("illustrative_rates").set_index("rate_key")
    return Decimal(str(rates.loc["chw", "charge_min_usd"])).quantize(Decimal("0.01"))


def _code_row(codes: pd.DataFrame, code: str) -> pd.Series:
    return codes.loc[code]


def _effective_from(row: pd.Series) -> dt.date | None:
    value = row.get("effective_from")
    if value is None or (not isinstance(value, str) and pd.isna(value)) or str(value).strip() == "":
        return None
    return dt.date.fromisoformat(str(value)[:10])


# ------------------------------------------------------------------------------- inputs


def parse_whole_number(value: object, field_name: str, minimum: int, maximum: int, hint: str | None = None) -> int:
    """A whole number from a widget's text (or an int), within [minimum, maximum]."""
    expected = f"{minimum:,}" if minimum == maximum else f"a whole number from {minimum:,} to {maximum:,}"
    if isinstance(value, bool):
        raise CourseInputError(field_name, value, expected, hint)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            raise CourseInputError(field_name, value, expected, "The box is empty.")
        if not _WHOLE_NUMBER.match(text):
            raise CourseInputError(field_name, value, expected, hint)
        number = int(text)
    else:
        raise CourseInputError(field_name, value, expected, hint)
    if not minimum <= number <= maximum:
        raise CourseInputError(field_name, value, expected, hint)
    return number


def parse_rate(value: object) -> Decimal:
    """A rate in dollars per unit, such as ``25`` or ``$25.50``."""
    expected = f"an amount in dollars from $0.01 to ${MAX_RATE:,.0f}, such as 25.00"
    if isinstance(value, bool):
        raise CourseInputError("Illustrative rate per unit", value, expected)
    if isinstance(value, (int, float, Decimal)):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
    else:
        raise CourseInputError("Illustrative rate per unit", value, expected)
    if not _MONEY.match(text):
        raise CourseInputError("Illustrative rate per unit", value, expected, "Use digits, with at most two decimals.")
    try:
        rate = Decimal(text.lstrip("$").strip())
    except InvalidOperation:  # pragma: no cover - the pattern above already rules this out
        raise CourseInputError("Illustrative rate per unit", value, expected) from None
    if not Decimal("0.01") <= rate <= MAX_RATE:
        raise CourseInputError("Illustrative rate per unit", value, expected)
    return rate


def parse_date(value: object) -> dt.date:
    """A date of service, as a date or as text YYYY-MM-DD."""
    expected = "a date written YYYY-MM-DD, such as 2026-11-16"
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                raise CourseInputError("Date of service", value, expected, "That day does not exist.") from None
    raise CourseInputError("Date of service", value, expected)


# ------------------------------------------------------------------------------ the rules


def units_for_minutes(minutes: int, minutes_per_unit: int) -> int:
    """Units under the course's ILLUSTRATIVE rounding rule (see ``ROUNDING_RULE``).

    Full blocks count; the remainder counts as one more unit when it is more than half a
    block. 15 minutes of a 30-minute unit is 0 units, 16 is 1, 45 is 1, 46 is 2.
    """
    if minutes < 0 or minutes_per_unit <= 0:
        raise CourseInputError("minutes", minutes, "0 or more minutes and a positive unit length")
    full, remainder = divmod(minutes, minutes_per_unit)
    return full + (1 if remainder * 2 > minutes_per_unit else 0)


def cpt_code_for_group(group_size: int, codes: pd.DataFrame | None = None) -> str:
    """The CPT code whose group-size range (from the code table) contains ``group_size``."""
    codes = chw_codes() if codes is None else codes
    cpt = codes[codes["code_system"] == "CPT"]
    match = cpt[(cpt["group_size_min"] <= group_size) & (cpt["group_size_max"] >= group_size)]
    if match.empty:
        largest = int(cpt["group_size_max"].max())
        raise CourseInputError(
            "Group size", group_size, f"a whole number from 1 to {largest}",
            f"The CHW CPT codes cover groups of at most {largest} patients (98962: 5-8).",
        )
    return str(match.index[0])


def _minutes_text(minutes: int) -> str:
    return f"{minutes:,} minute" + ("" if minutes == 1 else "s")


def estimate(
    minutes: object,
    group_size: object = 1,
    *,
    code_set: str = CPT,
    date_of_service: object = "2026-11-16",
    rate: object = None,
    initiating_visit: bool = True,
    plan_of_care: bool = True,
) -> ChwEstimate:
    """Code, units and an example amount for one member's CHW service.

    ``code_set`` CPT: ``minutes`` is one session's length and ``group_size`` the number of
    patients in it. ``code_set`` G-codes: ``minutes`` is the member's CHW time in one
    calendar month; the course's code table sets these codes up for one member at a time.
    Every impossible input raises ``CourseInputError`` naming the field.
    """
    if code_set not in CODE_SETS:
        raise CourseInputError("Code set", code_set, " or ".join(repr(c) for c in CODE_SETS))
    codes = chw_codes()
    day = parse_date(date_of_service)
    dollars = illustrative_rate() if rate is None else parse_rate(rate)
    if day < CHW_BENEFIT_START:
        raise CourseInputError(
            "Date of service", date_of_service, f"a date on or after {CHW_BENEFIT_START:%B} 1, 2022",
            "Medi-Cal has covered CHW services since July 1, 2022.",
        )
    if code_set == CPT:
        return _estimate_cpt(codes, minutes, group_size, day, dollars)
    return _estimate_g_codes(codes, minutes, group_size, day, dollars, initiating_visit, plan_of_care)


def _estimate_cpt(codes, minutes, group_size, day, dollars) -> ChwEstimate:
    largest = int(codes.loc[codes["code_system"] == "CPT", "group_size_max"].max())
    size = parse_whole_number(
        group_size, "Group size", 1, largest,
        f"Count the Medi-Cal members in the session; the CHW CPT codes cover 1 to {largest}.",
    )
    length = parse_whole_number(
        minutes, "Minutes", 1, MINUTES_PER_DAY,
        "A session's length in whole minutes; one session cannot last more than a day (1,440 minutes).",
    )
    code = cpt_code_for_group(size, codes)
    row = _code_row(codes, code)
    per_unit = int(row["minutes_per_unit"])
    units = units_for_minutes(length, per_unit)
    low, high = int(row["group_size_min"]), int(row["group_size_max"])
    covers = "1 patient" if high == 1 else f"{low} to {high} patients"
    explanation = [
        f"{size} {'patient' if size == 1 else 'patients'} in the session: code {code} is for {covers}.",
        f"{_minutes_text(length)} at {per_unit} minutes per unit gives {units} unit"
        + ("" if units == 1 else "s") + " under the course's illustrative rounding rule.",
    ]
    if units == 0:
        explanation.append(
            f"Under the course's illustration, no unit is reached with fewer than {per_unit // 2 + 1} minutes."
        )
    return ChwEstimate(
        code_set=CPT, minutes=length, group_size=size, date_of_service=day,
        lines=(ClaimLine(code, str(row["description"]), units),), rate=dollars,
        explanation=tuple(explanation),
        requirements=(
            "A licensed provider has recommended CHW services for the member.",
            "The CHW records the date, the time and duration, and the nature of the service.",
            "The supervising provider records a clinically appropriate ICD-10-CM diagnosis code.",
        ),
    )


def _estimate_g_codes(codes, minutes, group_size, day, dollars, initiating_visit, plan_of_care) -> ChwEstimate:
    first, extra = _code_row(codes, "G0019"), _code_row(codes, "G0022")
    start = _effective_from(first)
    if start is not None and day < start:
        raise CourseInputError(
            "Date of service", day.isoformat(), f"a date on or after {start:%B} {start.day}, {start.year}",
            "Medi-Cal allows G0019 and G0022 for CHW services from dates of service on or after "
            "April 1, 2025; use the CPT codes for earlier dates.",
        )
    most = int(first["group_size_max"])
    parse_whole_number(
        group_size, "Group size", 1, most,
        "In the course's code table, G0019 and G0022 are set up for one member at a time; "
        "use the CPT codes for a group session.",
    )
    length = parse_whole_number(
        minutes, "Minutes", 1, MINUTES_PER_MONTH_MAX,
        "The member's total CHW minutes in one calendar month; a month has at most 44,640 minutes.",
    )
    first_block, extra_block = int(first["minutes_per_unit"]), int(extra["minutes_per_unit"])
    first_units = min(1, units_for_minutes(length, first_block))
    extra_units = units_for_minutes(length - first_block, extra_block) if length > first_block else 0
    lines = [ClaimLine("G0019", str(first["description"]), first_units)]
    if extra_units:
        lines.append(ClaimLine("G0022", str(extra["description"]), extra_units))
    explanation = [
        f"G0019 covers the first {first_block} minutes in a calendar month; G0022 each additional "
        f"{extra_block} minutes (CMS code text, a secondary source).",
        f"{_minutes_text(length)} this month gives G0019 x {first_units}"
        + (f" and G0022 x {extra_units}" if extra_units else "")
        + " under the course's illustrative rounding rule.",
    ]
    if first_units == 0:
        explanation.append("Under the course's illustration, G0019 needs at least 31 minutes in the month.")
    missing = []
    if not initiating_visit:
        missing.append(
            "An initiating visit billed with an evaluation and management code "
            "(office 99203-99205 or 99213-99215; home 99342, 99344-99345 or 99348-99350; "
            "preventive 99381-99387 or 99391-99396)."
        )
    if not plan_of_care:
        missing.append("A treatment plan or plan of care that names the member's unmet social drivers of health.")
    return ChwEstimate(
        code_set=G_CODES, minutes=length, group_size=1, date_of_service=day,
        lines=tuple(lines), rate=dollars, explanation=tuple(explanation),
        requirements=(
            "An initiating visit billed with an evaluation and management code.",
            "A treatment plan or plan of care naming the unmet social drivers of health.",
            "An ICD-10-CM code from the DHCS allowable list (Provider Manual, CHW Preventive Services).",
        ),
        missing_requirements=tuple(missing),
    )


def units_table(max_minutes: int = 120, minutes_per_unit: int = 30) -> pd.DataFrame:
    """Minutes 1..max_minutes and their units under the illustration, for a step chart."""
    if not 1 <= max_minutes <= MINUTES_PER_DAY:
        raise CourseInputError("max_minutes", max_minutes, f"a whole number from 1 to {MINUTES_PER_DAY}")
    minutes = list(range(1, max_minutes + 1))
    return pd.DataFrame({"minutes": minutes, "units": [units_for_minutes(m, minutes_per_unit) for m in minutes]})


def unit_thresholds(max_units: int = 4, minutes_per_unit: int = 30) -> list[tuple[int, int]]:
    """(units, fewest minutes that give them) under the illustration: [(1, 16), (2, 46), ...]."""
    out = []
    for units in range(1, max_units + 1):
        fewest = (units - 1) * minutes_per_unit + math.floor(minutes_per_unit / 2) + 1
        out.append((units, fewest))
    return out


def units_chart(max_minutes: int = 120, start: int = 50):
    """A step chart of minutes to units under the illustration, with a minutes slider.

    The slider is a Vega-Lite parameter, so it works in the static book without Python.
    """
    import altair as alt

    from calaim_course.charts import OKABE_ITO

    data = units_table(max_minutes)
    data["caption"] = [f"{m} min \u2192 {u} unit{'s' if u != 1 else ''}" for m, u in zip(data["minutes"], data["units"])]
    minutes = alt.param(name="minutes", value=start,
                        bind=alt.binding_range(min=1, max=max_minutes, step=1, name="Minutes in the session: "))
    base = alt.Chart(data, title=alt.Title(
        "CHW CPT units by session length (course illustration)",
        subtitle=["One unit per full 30 minutes, plus one when more than 15 minutes are left over.",
                  "Not a DHCS rule: check the Provider Manual. Move the slider below the chart."],
    ))
    steps = base.mark_line(interpolate="step-after", color=OKABE_ITO[0], strokeWidth=2).encode(
        x=alt.X("minutes:Q", title="Minutes in the session", scale=alt.Scale(domain=[0, max_minutes])),
        y=alt.Y("units:Q", title="Units", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("minutes:Q", title="Minutes"), alt.Tooltip("units:Q", title="Units")],
    )
    chosen = base.transform_filter(alt.datum.minutes == minutes)
    point = chosen.mark_point(size=120, filled=True, color=OKABE_ITO[5]).encode(x="minutes:Q", y="units:Q")
    label = chosen.mark_text(align="left", dx=8, dy=-10, fontSize=13, fontWeight="bold").encode(
        x="minutes:Q", y="units:Q", text="caption:N")
    return (steps + point + label).add_params(minutes).properties(width=460, height=240)
