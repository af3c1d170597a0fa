"""Build in-house or partner with a hub or administrator: a monthly margin model.

What the model does (section 5, "Infrastructure and administrative support options"):

- Payments from the plan are ``caseload x rate per member per month``.
- **Build in-house**: the organization pays its care and supervision staff, its own
  billing, data and compliance staff, and its own systems and services (a records
  system, a clearinghouse, security), plus costs that are the same either way.
- **Partner with a hub or administrator**: the partner keeps a percentage of the
  payments as its fee and does the billing, data exchange and systems work; the
  organization still pays its care staff, some staff time to work with the partner,
  and the costs that are the same either way.
- The monthly margin is payments minus costs. The **break-even caseload** is the
  smallest whole number of members whose margin is zero or more; the **crossover** is
  the smallest caseload at which building in-house leaves at least as much as
  partnering.

Why every money amount is ILLUSTRATIVE: the fact base found no source for what building
internal capacity or paying a hub costs, and no source for ECM or Community Supports
rates that the course could teach as fact (plans negotiate them in each contract). The
defaults are round numbers chosen by the course so the arithmetic is easy to follow; the
learner replaces them with their own.

Simplifications, said out loud in the page: staffing stays at the typed level across the
chart's caseload range (more members would need more staff in practice, so the model
reports members per care staff); service delivery costs the same under both options;
payments arrive in the month of service (real claims take weeks to pay).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import altair as alt
import numpy as np
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError

BUILD = "Build in-house"
PARTNER = "Partner with a hub or administrator"
OPTIONS = (BUILD, PARTNER)
OPTION_COLOURS = {BUILD: OKABE_ITO[0], PARTNER: OKABE_ITO[1]}
OPTION_WORDS = {BUILD: "building in-house", PARTNER: "partnering with a hub or administrator"}
MONTHS_PER_YEAR = 12
# Past this caseload the model says "not within reach" instead of giving a number.
BREAK_EVEN_LIMIT = 1_000_000

ILLUSTRATIVE_NOTE = (
    "Every dollar amount and percentage here is an ILLUSTRATIVE assumption chosen by the "
    "course, not a Medi-Cal rate, a plan rate or a real hub's fee: replace them with your "
    "own figures. Educational, not financial, legal or billing advice."
)
SIMPLIFICATIONS = (
    "Staffing stays at the numbers you typed at every caseload on the chart; in practice "
    "more members need more staff, so check the members per care staff.",
    "Care staff cost the same under both options: the partner handles administration, "
    "not the services themselves.",
    "Payments arrive in the month of service; real claims and invoices take weeks to pay, "
    "so you also need cash to cover the gap.",
)


@dataclass(frozen=True)
class InputField:
    """One input of the model: its label (used in messages), kind, limits and default."""

    key: str
    label: str
    kind: str  # "whole", "decimal", "money" or "percent"
    minimum: float
    maximum: float
    default: str
    hint: str


INPUT_FIELDS = (
    InputField("caseload", "Caseload (members in an average month)", "whole", 0, 100_000, "60",
               "Count members enrolled with you in an average month, for example 60."),
    InputField("rate_pmpm", "Illustrative rate per member per month ($)", "money", 0, 100_000, "400",
               "Your contract sets the real rate; the default is an illustration."),
    InputField("care_staff_fte", "Care and supervision staff (full-time equivalents)", "decimal", 0, 1_000, "2",
               "Full-time equivalents: 1.5 means one full-time and one half-time person."),
    InputField("care_staff_cost", "Yearly cost per care staff member ($, salary and benefits)", "money", 0,
               1_000_000, "70000", "A yearly amount, for example 70000."),
    InputField("admin_staff_fte", "In-house billing, data and compliance staff (full-time equivalents)",
               "decimal", 0, 1_000, "1.5", "Staff you would hire or assign to build in-house."),
    InputField("admin_staff_cost", "Yearly cost per administrative staff member ($)", "money", 0, 1_000_000,
               "80000", "A yearly amount, for example 80000."),
    InputField("systems_monthly", "In-house systems and services per month ($)", "money", 0, 10_000_000, "1500",
               "Records and billing software, a clearinghouse, security reviews, per month."),
    InputField("shared_monthly", "Other monthly costs under both options ($)", "money", 0, 10_000_000, "1000",
               "Costs that do not depend on the choice, such as space or the advocacy records system."),
    InputField("partner_fee_percent", "Hub or administrator fee (% of payments)", "percent", 0, 100, "15",
               "A percentage from 0 to 100, for example 15."),
    InputField("partner_staff_fte", "Staff time still needed when partnering (full-time equivalents)",
               "decimal", 0, 1_000, "0.25", "Time to work with the partner and oversee confidentiality."),
)
FIELDS_BY_KEY = {field.key: field for field in INPUT_FIELDS}
DEFAULTS = {field.key: field.default for field in INPUT_FIELDS}

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_DECIMALS = {"whole": 0, "decimal": 2, "money": 2, "percent": 2}


@dataclass(frozen=True)
class CostInputs:
    """The model's inputs, already checked (build one with ``parse_inputs``)."""

    caseload: int
    rate_pmpm: float
    care_staff_fte: float
    care_staff_cost: float
    admin_staff_fte: float
    admin_staff_cost: float
    systems_monthly: float
    shared_monthly: float
    partner_fee_percent: float
    partner_staff_fte: float

    # Monthly amounts that do not change with the caseload ("fixed" for the chart).
    @property
    def care_monthly(self) -> float:
        return self.care_staff_fte * self.care_staff_cost / MONTHS_PER_YEAR

    @property
    def admin_monthly(self) -> float:
        return self.admin_staff_fte * self.admin_staff_cost / MONTHS_PER_YEAR

    @property
    def partner_staff_monthly(self) -> float:
        return self.partner_staff_fte * self.admin_staff_cost / MONTHS_PER_YEAR

    def fixed_costs(self, option: str) -> float:
        """Monthly costs that stay the same whatever the caseload, for one option."""
        common = self.care_monthly + self.shared_monthly
        if option == BUILD:
            return common + self.admin_monthly + self.systems_monthly
        if option == PARTNER:
            return common + self.partner_staff_monthly
        raise CourseInputError("option", option, f"{BUILD!r} or {PARTNER!r}")

    def net_rate(self, option: str) -> float:
        """What the organization keeps from one member's monthly payment, for one option."""
        if option == BUILD:
            return self.rate_pmpm
        if option == PARTNER:
            return self.rate_pmpm * (1 - self.partner_fee_percent / 100)
        raise CourseInputError("option", option, f"{BUILD!r} or {PARTNER!r}")


# ------------------------------------------------------------------------------ inputs


def _expected(field: InputField) -> str:
    if field.kind == "whole":
        return f"a whole number from {field.minimum:,.0f} to {field.maximum:,.0f}"
    if field.kind == "percent":
        return f"a percentage from {field.minimum:,.0f} to {field.maximum:,.0f}"
    if field.kind == "money":
        return f"an amount in dollars from {field.minimum:,.0f} to {field.maximum:,.0f}"
    return f"a number from {field.minimum:,.0f} to {field.maximum:,.0f}, with at most 2 decimals"


def parse_value(key: str, value: object) -> float | int:
    """One input from a widget's text (or a number), checked against its field's limits.

    Accepts "1,500", "$1,500.50" for money and "15" or "15%" for a percentage. Raises
    ``CourseInputError`` naming the field for text that is not a number, a negative
    number, too many decimals, a value past the field's limits, or a fee over 100%.
    """
    if key not in FIELDS_BY_KEY:
        raise CourseInputError("input", key, "one of " + ", ".join(FIELDS_BY_KEY))
    field = FIELDS_BY_KEY[key]
    expected = _expected(field)
    if isinstance(value, bool) or value is None:
        raise CourseInputError(field.label, value, expected, field.hint)
    if isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace(" ", "")
        if field.kind == "money":  # "$1,500" and "-$1,500" (the sign is checked below)
            text = re.sub(r"^([+-]?)\$", r"\1", text)
        if field.kind == "percent" and text.endswith("%"):
            text = text[:-1]
        if not text:
            raise CourseInputError(field.label, value, expected, "The box is empty.")
    else:
        raise CourseInputError(field.label, value, expected, field.hint)
    if not _NUMBER.match(text):
        raise CourseInputError(field.label, value, expected, "Use digits only" + (
            ", without a percent sign in the middle." if field.kind == "percent" else "."))
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above rules this out
        raise CourseInputError(field.label, value, expected) from None
    if number < 0:
        raise CourseInputError(field.label, value, expected, "It cannot be negative.")
    if field.kind == "percent" and number > 100:
        raise CourseInputError(field.label, value, expected,
                               "A fee over 100% would take more than the whole payment.")
    if number > Decimal(str(field.maximum)) or number < Decimal(str(field.minimum)):
        raise CourseInputError(field.label, value, expected)
    places = -number.normalize().as_tuple().exponent if number != 0 else 0
    if places > _DECIMALS[field.kind]:
        if field.kind == "whole":
            raise CourseInputError(field.label, value, expected, "Members are counted in whole numbers.")
        raise CourseInputError(field.label, value, expected, "Use at most 2 decimals.")
    return int(number) if field.kind == "whole" else float(number)


def parse_inputs(**raw: object) -> CostInputs:
    """All inputs, from text or numbers; missing ones take the illustrative defaults.

    Raises ``CourseInputError`` for an unknown name, any bad value (see ``parse_value``)
    and for a caseload with no care staff (nobody would serve the members).
    """
    unknown = sorted(set(raw) - set(FIELDS_BY_KEY))
    if unknown:
        raise CourseInputError("input", unknown[0], "one of " + ", ".join(FIELDS_BY_KEY))
    values = {key: parse_value(key, raw.get(key, DEFAULTS[key])) for key in FIELDS_BY_KEY}
    if values["caseload"] > 0 and values["care_staff_fte"] == 0:
        raise CourseInputError(
            FIELDS_BY_KEY["care_staff_fte"].label, raw.get("care_staff_fte", DEFAULTS["care_staff_fte"]),
            "more than 0 when the caseload is more than 0",
            f"A caseload of {values['caseload']:,} members needs someone to serve them.",
        )
    return CostInputs(**values)


# ------------------------------------------------------------------------------- model


def _margin_values(inputs: CostInputs, option: str, loads: np.ndarray) -> np.ndarray:
    """The one line of arithmetic behind the chart, the break-even and the crossover.

    Rounding to the cent (and turning -0.0 into 0.0) keeps them in step: each member
    adds the same net amount, so the margin never falls as the caseload grows.
    """
    return np.round(loads * inputs.net_rate(option) - inputs.fixed_costs(option), 2) + 0.0


def margins(inputs: CostInputs, caseloads) -> pd.DataFrame:
    """Monthly margin of both options at each caseload (vectorised, for the chart).

    Columns: ``caseload``, ``option``, ``margin`` (dollars, rounded to the cent), in
    long form: one row per caseload and option. Staffing stays as typed.
    """
    loads = np.asarray(caseloads, dtype=float)
    if loads.ndim != 1 or not np.all(np.isfinite(loads)) or np.any(loads < 0):
        raise CourseInputError("caseloads", caseloads, "a list of caseloads, each 0 or more")
    frames = [pd.DataFrame({"caseload": loads, "option": option, "margin": _margin_values(inputs, option, loads)})
              for option in OPTIONS]
    out = pd.concat(frames, ignore_index=True)
    out["caseload"] = out["caseload"].astype(int) if np.all(loads == np.floor(loads)) else out["caseload"]
    return out


def margin_at(inputs: CostInputs, option: str, caseload: int) -> float:
    """Monthly margin of one option at one caseload (the same arithmetic as ``margins``)."""
    if option not in OPTIONS:
        raise CourseInputError("option", option, f"{BUILD!r} or {PARTNER!r}")
    return float(_margin_values(inputs, option, np.array([float(caseload)]))[0])


def _smallest_caseload(ok, limit: int = BREAK_EVEN_LIMIT) -> int | None:
    """Smallest whole caseload n in [0, limit] with ok(n) true; ok must never turn false again."""
    if ok(0):
        return 0
    if not ok(limit):
        return None
    low, high = 0, limit  # ok(low) is false, ok(high) is true
    while high - low > 1:
        middle = (low + high) // 2
        if ok(middle):
            high = middle
        else:
            low = middle
    return high


def break_even(inputs: CostInputs, option: str) -> int | None:
    """Smallest caseload whose monthly margin is zero or more; None if beyond reach.

    None means no caseload up to ``BREAK_EVEN_LIMIT`` covers the costs, for example
    when the fee takes the whole payment. The margin never falls as the caseload grows
    (each member adds the same net amount, never a negative one), so a search works.
    """
    return _smallest_caseload(lambda n: margin_at(inputs, option, n) >= 0)


def crossover(inputs: CostInputs) -> int | None:
    """Smallest caseload at which building in-house leaves at least as much as partnering.

    None when partnering stays ahead at every caseload up to ``BREAK_EVEN_LIMIT`` (for
    example with a 0% fee and extra in-house costs). Building in-house gains the fee on
    every member, so once it is ahead it stays ahead.
    """
    def build_ahead(n: int) -> bool:
        return margin_at(inputs, BUILD, n) >= margin_at(inputs, PARTNER, n)

    return _smallest_caseload(build_ahead)


@dataclass(frozen=True)
class OptionResult:
    """Monthly figures for one option at the typed caseload."""

    option: str
    payments: float
    fee: float
    care_staff: float
    admin_staff: float
    systems: float
    shared: float
    break_even: int | None

    @property
    def costs(self) -> float:
        return self.fee + self.care_staff + self.admin_staff + self.systems + self.shared

    @property
    def margin(self) -> float:
        return round(self.payments - self.costs, 2) + 0.0


@dataclass(frozen=True)
class CostComparison:
    """Both options at the typed caseload, their break-even caseloads and the crossover."""

    inputs: CostInputs
    build: OptionResult
    partner: OptionResult
    crossover: int | None

    @property
    def better(self) -> str | None:
        """The option with the larger margin at the typed caseload (None if equal)."""
        if self.build.margin > self.partner.margin:
            return BUILD
        if self.partner.margin > self.build.margin:
            return PARTNER
        return None

    def members_per_care_staff(self, caseload: int | None = None) -> float | None:
        load = self.inputs.caseload if caseload is None else caseload
        if self.inputs.care_staff_fte == 0:
            return None
        return load / self.inputs.care_staff_fte

    def as_frame(self) -> pd.DataFrame:
        """The monthly statement of both options, as text ready to show."""
        rows = [
            ("Payments from the plan", "payments", 1),
            ("Hub or administrator fee", "fee", -1),
            ("Care and supervision staff", "care_staff", -1),
            ("Billing, data and compliance staff", "admin_staff", -1),
            ("Systems and services", "systems", -1),
            ("Other costs under both options", "shared", -1),
        ]
        table = {"Each month": [label for label, _, _ in rows] + ["Margin (payments minus costs)"]}
        for result in (self.build, self.partner):
            column = [money(sign * getattr(result, attribute)) for _, attribute, sign in rows]
            table[result.option] = column + [money(result.margin)]
        return pd.DataFrame(table)


def money(amount: float) -> str:
    """Dollars for display: $1,234 or -$1,234 (rounded to the dollar)."""
    rounded = round(amount)
    return ("-" if rounded < 0 else "") + f"${abs(rounded):,.0f}"


def compare(inputs: CostInputs | None = None, **raw: object) -> CostComparison:
    """Both options at the typed caseload. Pass ``CostInputs`` or raw values (text is fine)."""
    if inputs is None:
        inputs = parse_inputs(**raw)
    elif raw:
        raise CourseInputError("inputs", sorted(raw), "either a CostInputs or raw values, not both")
    results = {}
    for option in OPTIONS:
        is_build = option == BUILD
        payments = inputs.caseload * inputs.rate_pmpm
        results[option] = OptionResult(
            option=option,
            payments=payments,
            fee=0.0 if is_build else payments * inputs.partner_fee_percent / 100,
            care_staff=inputs.care_monthly,
            admin_staff=inputs.admin_monthly if is_build else inputs.partner_staff_monthly,
            systems=inputs.systems_monthly if is_build else 0.0,
            shared=inputs.shared_monthly,
            break_even=break_even(inputs, option),
        )
    return CostComparison(inputs, results[BUILD], results[PARTNER], crossover(inputs))


# ------------------------------------------------------------------------ words, chart


def _members(n: int) -> str:
    return f"{n:,} member" + ("" if n == 1 else "s")


def break_even_text(result: OptionResult) -> str:
    if result.break_even is None:
        return f"not within {BREAK_EVEN_LIMIT:,} members"
    return f"{_members(result.break_even)} a month"


def finding(comparison: CostComparison) -> str:
    """The main finding, computed from the comparison (one or two sentences)."""
    inputs = comparison.inputs
    gap = abs(comparison.build.margin - comparison.partner.margin)
    better = comparison.better
    if better is None:
        first = f"At {_members(inputs.caseload)} a month, both options leave the same margin ({money(comparison.build.margin)})."
    else:
        other = PARTNER if better == BUILD else BUILD
        first = (f"At {_members(inputs.caseload)} a month, {OPTION_WORDS[better]} leaves {money(gap)} more "
                 f"each month than {OPTION_WORDS[other]}.")
    second = (f" Building in-house breaks even at {break_even_text(comparison.build)}, partnering at "
              f"{break_even_text(comparison.partner)}")
    if comparison.crossover is None:
        second += f"; partnering stays ahead at every caseload up to {BREAK_EVEN_LIMIT:,}."
    elif comparison.crossover == 0:
        second += "; building in-house is ahead at every caseload."
    else:
        second += f"; building in-house is ahead from {_members(comparison.crossover)} a month."
    return first + second + " (Illustrative inputs.)"


def chart_upper(comparison: CostComparison) -> int:
    """A caseload range for the chart that shows the typed caseload and the marked points."""
    points = [comparison.inputs.caseload, comparison.build.break_even, comparison.partner.break_even,
              comparison.crossover]
    largest = max([p for p in points if p is not None and p <= 100_000] + [10])
    target = largest * 1.3
    step = 10 ** max(1, math.floor(math.log10(target)))
    return int(min(100_000, math.ceil(target / step) * step))


def chart_frame(comparison: CostComparison, points: int = 101) -> pd.DataFrame:
    """Margins over an even caseload range for the chart (whole members)."""
    upper = chart_upper(comparison)
    loads = np.unique(np.linspace(0, upper, points).round().astype(int))
    return margins(comparison.inputs, loads)


def marked_points(comparison: CostComparison) -> pd.DataFrame:
    """Points to mark on the chart: each break-even, and the crossover, with labels.

    Column ``kind`` is "break-even" or "crossover"; points past the chart's range are left out.
    """
    rows = []
    upper = chart_upper(comparison)
    for result in (comparison.build, comparison.partner):
        if result.break_even is not None and result.break_even <= upper:
            rows.append({"kind": "break-even", "option": result.option, "caseload": result.break_even,
                         "margin": margin_at(comparison.inputs, result.option, result.break_even),
                         "label": f"Break-even: {result.break_even:,}"})
    if comparison.crossover is not None and 0 < comparison.crossover <= upper:
        rows.append({"kind": "crossover", "option": BUILD, "caseload": comparison.crossover,
                     "margin": margin_at(comparison.inputs, BUILD, comparison.crossover),
                     "label": f"In-house ahead from {comparison.crossover:,}"})
    return pd.DataFrame(rows, columns=["kind", "option", "caseload", "margin", "label"])


# Where each point's label sits, so the two break-even labels do not overlap.
_LABEL_PLACES = {
    ("break-even", BUILD): {"align": "left", "dx": 9, "dy": 14},
    ("break-even", PARTNER): {"align": "right", "dx": -9, "dy": -12},
    ("crossover", BUILD): {"align": "right", "dx": -9, "dy": -12},
}


def margin_chart(comparison: CostComparison) -> alt.LayerChart:
    """Margin by caseload for both options, break-even points marked, current caseload ruled.

    Click a legend entry to highlight one option (works in the static page).
    """
    lines = chart_frame(comparison)
    marks = marked_points(comparison)
    pick = alt.selection_point(fields=["option"], bind="legend")
    colour = alt.Color("option:N", title="Option (click to highlight)",
                       scale=alt.Scale(domain=list(OPTIONS), range=[OPTION_COLOURS[o] for o in OPTIONS]),
                       legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0, titleLimit=0))
    x = alt.X("caseload:Q", title="Caseload (members in an average month)", axis=alt.Axis(tickCount=8))
    y = alt.Y("margin:Q", title="Monthly margin (dollars, illustrative)", axis=alt.Axis(format="$,.0f"))
    dashes = alt.StrokeDash("option:N", legend=None,
                            scale=alt.Scale(domain=list(OPTIONS), range=[[1, 0], [6, 3]]))
    line_layer = alt.Chart(lines).mark_line(strokeWidth=3).encode(
        x=x, y=y, color=colour, strokeDash=dashes,
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2)),
        tooltip=[alt.Tooltip("option:N", title="Option"), alt.Tooltip("caseload:Q", title="Caseload"),
                 alt.Tooltip("margin:Q", title="Margin", format="$,.0f")],
    ).add_params(pick)
    zero = alt.Chart(pd.DataFrame({"margin": [0]})).mark_rule(color="#555555").encode(y="margin:Q")
    now = alt.Chart(pd.DataFrame({"caseload": [comparison.inputs.caseload],
                                  "label": [f"Your caseload: {comparison.inputs.caseload:,}"]}))
    now_rule = now.mark_rule(strokeDash=[2, 2], color="#000000").encode(x="caseload:Q")
    now_text = now.mark_text(align="left", dx=4, baseline="top", fontSize=12).encode(
        x="caseload:Q", y=alt.value(4), text="label:N")
    layers = [zero, line_layer, now_rule, now_text]
    for row in marks.itertuples(index=False):  # at most three points
        point = alt.Chart(pd.DataFrame([row._asdict()]))
        fill = OPTION_COLOURS[row.option] if row.kind == "break-even" else "#000000"
        layers.append(point.mark_point(size=150, filled=True, shape="diamond" if row.kind == "break-even" else "circle",
                                       color=fill, stroke="#000000").encode(
            x=x, y=y, tooltip=[alt.Tooltip("label:N", title="Point"), alt.Tooltip("option:N", title="Option")]))
        layers.append(point.mark_text(fontSize=12, fontWeight="bold", **_LABEL_PLACES[(row.kind, row.option)]).encode(
            x=x, y=y, text="label:N"))
    return alt.layer(*layers).properties(
        width=520, height=320,
        title=alt.Title("Monthly margin by caseload: build in-house or partner",
                        subtitle=["Illustrative inputs chosen by the course. Diamonds mark each option's break-even",
                                  "caseload; the black circle marks where building in-house pulls ahead."]),
    )


def _spoken(amount: float) -> str:
    """Money for a sentence a screen reader speaks: "a loss of $1,234" rather than "-$1,234"."""
    return f"a loss of {money(-amount)}" if round(amount) < 0 else money(amount)


def chart_description(comparison: CostComparison) -> str:
    """A text description of ``margin_chart`` for screen readers, computed from the same numbers."""
    inputs = comparison.inputs
    upper = chart_upper(comparison)
    parts = [
        f"A line chart with the caseload, from 0 to {upper:,} members a month, across the bottom and the "
        f"monthly margin in dollars up the side. A grey line marks a margin of zero."
    ]
    for option, style in ((BUILD, "solid blue"), (PARTNER, "dashed orange")):
        parts.append(
            f"The {style} line ({OPTION_WORDS[option]}) starts at {_spoken(margin_at(inputs, option, 0))} with no "
            f"members and rises by {money(inputs.net_rate(option))} with each member, reaching "
            f"{_spoken(margin_at(inputs, option, upper))} at {upper:,} members."
        )
    marks = marked_points(comparison)
    for row in marks.itertuples(index=False):
        if row.kind == "break-even":
            parts.append(f"A diamond marks {OPTION_WORDS[row.option]} breaking even at {row.caseload:,} members.")
        else:
            parts.append(f"A black circle marks {row.caseload:,} members, where building in-house pulls ahead.")
    parts.append(f"A dotted vertical line marks your caseload of {inputs.caseload:,}.")
    return " ".join(parts)


__all__ = [
    "BUILD", "PARTNER", "OPTIONS", "INPUT_FIELDS", "DEFAULTS", "ILLUSTRATIVE_NOTE", "SIMPLIFICATIONS",
    "CostInputs", "CostComparison", "OptionResult", "parse_value", "parse_inputs", "margins", "margin_at",
    "break_even", "crossover", "compare", "finding", "margin_chart", "chart_description", "chart_frame", "marked_points", "money",
]
