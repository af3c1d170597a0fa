"""The data explorer: the numbers an agency reports, for any period, plan and program.

Over the whole synthetic world (fictional data only), a learner picks a period (a
quarter or a range of months), a plan and a program (ECM, one Community Support, all of
them, or CHW services) and sees: members served, new ECM enrollments, Community Supports
services, referrals made and closed within N days (N is the learner's choice: no DHCS
day count for closing a loop was found), claims paid, the amount paid and the median
days from sending a claim to its payment.

>>> from calaim_course.synthetic import load_world
>>> cube = build_cube(load_world())                        # once per world
>>> view = explore(cube, "2026 Q1", "2026 Q1", days="14")  # every change: a cheap query
>>> view.measures["members_served"].display()               # a count, or "suppressed"
'106'

Why a cube. An update must take well under 100 ms even with a million members, so
nothing touches the raw rows after ``build_cube``:

- Counts that add up (services, claims, referrals, new enrollments) are stored by
  program group x plan x month, with running totals over the months, so any month range
  is one subtraction. Referral and payment days are stored as histograms (one bin per
  day), so "closed within N days" and the median are a cumulative sum away.
- Distinct members cannot be added across months (a member served in January and
  February is one member). ``RangeDistinct`` keeps, for every group, plan and every
  one of the 78 month ranges of a 12-month year, how many distinct members had an
  event in the range, by threshold: built once from a member-by-month array of each
  group (the smallest or largest value per member and month).

Suppression (CalHHS Data De-identification Guidelines, section 4.4; see
``calaim_course.suppression``): every count of people is hidden from 1 to 10, with
complementary suppression; counts of services, referrals and claims are hidden too when
they belong to 1 to 10 members (the DDG asks to suppress financial data tied to fewer
than 11 members), and so are the dollars, shares and medians computed on a hidden
count. Each number is suppressed together with its split by plan (plans do not share
members, so the plans add up to "All plans"), and claims paid together with their
months, so switching the plan filter or reading the chart cannot reveal a hidden number
by subtraction. Comparing overlapping periods still can (January to March minus
January to February): that is why a real agency publishes a fixed set of tables, not a
query tool. Every number here is synthetic.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

import altair as alt
import numpy as np
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError
from calaim_course.inputs import parse_whole_days
from calaim_course.reference import load_reference
from calaim_course.suppression import (
    DDG_NAME,
    SMALL_CELL_MAX,
    SUPPRESSED_LABEL,
    suppress_counts,
)

__all__ = [
    "ALL_PLANS", "ALL_PROGRAMS", "MEASURES", "ChartTemplates", "ExplorerCube", "ExplorerView", "Filters", "RangeDistinct",
    "build_cube", "claims_chart", "default_cube", "explore", "make_filters", "members_chart", "parse_days",
    "parse_month",
]

ALL_PLANS = "all"
ALL_PROGRAMS = "all"
ALL_CS = "cs"
TOTAL = "Total"
NOT_APPLICABLE = "not applicable"
PARTNERS_ONLY = " (referrals to partners only)"
DEFAULT_DAYS = 14  # a starting value only: no DHCS day count for closing a loop was found
MAX_DAYS = 3650
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]
SYNTHETIC_NOTE = ("All data are synthetic: Cedar Lantern Survivor Services, its plans and its members are "
                  "fictional.")
MONEY_NOTE = "Dollar amounts are illustrative: invented charges, not real rates."
DAYS_NOTE = ("N is your own working choice: no DHCS day count for closing a referral loop was found in the "
             "sources this course reviewed.")

# The measures, in the order an agency report lists them: key -> (label, how it is counted).
MEASURES: dict[str, tuple[str, str]] = {
    "members_served": ("Members served",
                       "Distinct members with at least one ECM, Community Supports or CHW service in the period "
                       "(advocacy is left out: it is not billed to Medi-Cal and its records stay in the agency)."),
    "ecm_enrollments": ("New ECM enrollments",
                        "Members whose first ECM service (the start of ECM) falls in the period."),
    "cs_services": ("Community Supports services",
                    "Community Supports encounters the agency delivered in the period."),
    "referrals_made": ("Referrals made",
                       "ECM and Community Supports referrals (to the agency or from it to partners) dated in the "
                       "period."),
    "referrals_closed": ("Referrals closed within {n} days",
                         "Referrals made in the period whose loop was closed (for any reason) within {n} days of "
                         "the referral date, as of June 30, 2026."),
    "share_closed": ("Share closed within {n} days",
                     "Referrals closed within {n} days, as a percent of the referrals made."),
    "claims_paid": ("Claims paid",
                    "Claims for services in the period that were paid in full or in part by November 30, 2026."),
    "amount_paid": ("Amount paid (illustrative dollars)", "Dollars paid on those claims."),
    "median_days_to_payment": ("Median days to payment",
                               "Half of the paid claims were paid within this many days of being sent."),
}

_QUARTER = re.compile(r"^(?:(\d{4})\s*[-_ /]?\s*Q([1-4])|Q([1-4])\s*[-_ /]?\s*(\d{4}))$", re.IGNORECASE)
_NUMERIC_MONTH = re.compile(r"^(\d{4})\s*[-/. ]\s*(\d{1,2})$")
_NAMED_MONTH = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")


def month_label(month: pd.Period) -> str:
    """'January 2026'."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def period_label(start: pd.Period, end: pd.Period) -> str:
    """'January 2026' or 'July 2025 to June 2026'."""
    return month_label(start) if start == end else f"{month_label(start)} to {month_label(end)}"


def month_code(month: pd.Period) -> str:
    """'2026-01'."""
    return f"{month.year}-{month.month:02d}"


# --------------------------------------------------------------------------- inputs
def parse_month(text: object, field_name: str, months: list[pd.Period], end: bool = False) -> pd.Period:
    """A month typed as 2026-01, 'January 2026' or 'Jan 2026', or a quarter like 2026 Q1.

    A quarter stands for its first month in a "from" box and its last month in a "to"
    box (``end``). The month must be one the data covers.
    """
    expected = "a month written like 2026-01 or January 2026, or a quarter like 2026 Q1"
    if not isinstance(text, str) or not text.strip():
        raise CourseInputError(field_name, text, expected, hint="The period cannot be empty.")
    cleaned = " ".join(text.strip().split())
    month = None
    if match := _QUARTER.match(cleaned):
        year = int(match.group(1) or match.group(4))
        quarter = int(match.group(2) or match.group(3))
        month = pd.Period(year=year, month=3 * quarter if end else 3 * quarter - 2, freq="M")
    elif match := _NUMERIC_MONTH.match(cleaned):
        if 1 <= int(match.group(2)) <= 12:
            month = pd.Period(year=int(match.group(1)), month=int(match.group(2)), freq="M")
    elif match := _NAMED_MONTH.match(cleaned):
        name = match.group(1).casefold()
        found = [i for i, full in enumerate(MONTH_NAMES, start=1)
                 if len(name) >= 3 and full.casefold().startswith(name)]
        if len(found) == 1:
            month = pd.Period(year=int(match.group(2)), month=found[0], freq="M")
    if month is None:
        raise CourseInputError(field_name, text, expected)
    if month not in months:
        raise CourseInputError(field_name, text, f"a month from {month_label(months[0])} to {month_label(months[-1])}",
                               hint="Those are the months the synthetic data covers.")
    return month


def parse_days(text: object) -> int:
    """N for "closed within N days": a whole number of days from 0 to 3650."""
    return parse_whole_days(text, "Closed within (days)", MAX_DAYS, example=DEFAULT_DAYS)


@dataclass(frozen=True)
class Filters:
    """A validated choice: months ``start`` to ``end``, a plan key, a program key and N days."""

    start: pd.Period
    end: pd.Period
    plan: str = ALL_PLANS
    program: str = ALL_PROGRAMS
    days: int = DEFAULT_DAYS


def _choose(value: object, options: dict[str, str], field_name: str) -> str:
    if isinstance(value, str) and value in options:
        return value
    for key, label in options.items():  # a label works too
        if value == label:
            return key
    raise CourseInputError(field_name, value, "one of: " + "; ".join(options.values()))


# --------------------------------------------------------------------------- distinct members
class RangeDistinct:
    """Distinct members with an event in a month range, by group, plan and threshold.

    For each event: the member (0..n-1), its month (0..M-1), a group, the member's plan
    and a small whole-number value (0 for plain presence). ``count(g, a, b, v)`` gives,
    per plan, how many distinct members of group ``g`` had at least one event in months
    ``a`` to ``b`` whose value is at most ``v`` (``how="min"``), or whose every event in
    the range has a value at most ``v`` (``how="max"``). ``present`` counts members with
    any event in the range.

    Built once: for each group, a member-by-month array of the smallest (largest) value,
    then for each start month a running minimum (maximum) over the end months, and a
    histogram per range. Two shortcuts keep a million members to seconds: members with
    events in a single month are counted from a plain histogram, and plain presence is
    counted by each member's set of months (``_by_month_sets``). Memory: groups x plans
    x ranges x values counts, whatever the number of members.
    """

    def __init__(self, member, month, group, plan, *, n_members: int, n_groups: int, n_plans: int,
                 n_months: int, value=None, n_values: int = 1, how: str = "min"):
        if how not in ("min", "max"):
            raise ValueError(how)
        member, month, group, plan = (np.asarray(x, dtype=np.int64) for x in (member, month, group, plan))
        if len(member) and (value is not None) and (np.min(value) < 0 or np.max(value) >= n_values):
            raise ValueError("values must be from 0 to n_values - 1")
        value = np.zeros(len(member), dtype=np.int64) if value is None else np.asarray(value, dtype=np.int64)
        self.n_values, self.how, self.n_months = n_values, how, n_months
        self.range_index = np.full((n_months, n_months), -1, dtype=np.int64)
        pairs = [(a, b) for a in range(n_months) for b in range(a, n_months)]
        for r, (a, b) in enumerate(pairs):
            self.range_index[a, b] = r
        cum = np.zeros((n_groups, n_plans, len(pairs), n_values), dtype=np.int64)
        width = n_values + 1  # one extra bin for "no event in the range"
        order = np.argsort(group, kind="stable")
        bounds = np.searchsorted(group[order], np.arange(n_groups + 1))
        seen = np.zeros(n_members, dtype=bool)
        for g in range(n_groups):
            rows = order[bounds[g]:bounds[g + 1]]
            if rows.size == 0:
                continue
            # Relabel this group's members 0..k-1 without sorting (why: a million members).
            seen[:] = False
            seen[member[rows]] = True
            relabel = np.cumsum(seen) - 1
            k = int(relabel[-1]) + 1
            local = relabel[member[rows]]
            member_plan = np.zeros(k, dtype=np.int64)
            member_plan[local] = plan[rows]
            offset = member_plan * width
            cell = local * n_months + month[rows]  # flat member-by-month position (1-D ufunc.at is faster)
            if how == "min":  # absent = n_values (the last bin)
                dense = np.full(k * n_months, n_values, dtype=np.int32)
                if n_values == 1:
                    dense[cell] = 0  # presence only: every event has value 0
                else:
                    np.minimum.at(dense, cell, value[rows].astype(np.int32))
                step = np.minimum
            else:  # shift values up by one so that absent = 0 (the first bin)
                dense = np.zeros(k * n_months, dtype=np.int32)
                np.maximum.at(dense, cell, value[rows].astype(np.int32) + 1)
                step = np.maximum
            dense = dense.reshape(k, n_months)
            absent = n_values if how == "min" else 0
            present = dense != absent
            if n_values == 1 and n_months <= 16:
                cum[g] = self._by_month_sets(present, member_plan, n_plans, pairs)[:, :, None]
                continue
            # Members with events in one month only (most referrals) need no running minimum:
            # a histogram by plan, month and value, summed over the range's months, counts them.
            single = present.sum(axis=1) == 1
            month_of = present[single].argmax(axis=1)
            value_of = dense[single, month_of]
            value_of = value_of if how == "min" else value_of - 1
            flat = (member_plan[single] * n_months + month_of) * n_values + value_of
            by_month = np.bincount(flat, minlength=n_plans * n_months * n_values).reshape(n_plans, n_months, n_values)
            by_month = np.concatenate([np.zeros((n_plans, 1, n_values), dtype=np.int64), np.cumsum(by_month, axis=1)], axis=1)
            many = dense[~single]
            offset = member_plan[~single] * width
            for a in range(n_months):
                current = many[:, a].copy()
                for b in range(a, n_months):
                    if b > a:
                        step(current, many[:, b], out=current)
                    hist = np.bincount(offset + current, minlength=n_plans * width).reshape(n_plans, width)
                    hist = hist[:, :n_values] if how == "min" else hist[:, 1:]
                    hist = hist + by_month[:, b + 1] - by_month[:, a]
                    cum[g, :, self.range_index[a, b]] = np.cumsum(hist, axis=1)
        self.cum = cum

    @staticmethod
    def _by_month_sets(present: np.ndarray, member_plan: np.ndarray, n_plans: int, pairs) -> np.ndarray:
        """Presence only: members per plan and range, from each member's set of months as a bit mask.

        Why: a 12-month year has only 4,096 possible sets, so counting members by set once
        and then summing the sets that touch each range is far cheaper than a pass over
        every member for each of the 78 ranges.
        """
        n_months = present.shape[1]
        masks = present.astype(np.int64) @ (1 << np.arange(n_months, dtype=np.int64))
        by_set = np.bincount(member_plan * (1 << n_months) + masks,
                             minlength=n_plans * (1 << n_months)).reshape(n_plans, 1 << n_months)
        sets = np.arange(1 << n_months, dtype=np.int64)
        out = np.zeros((n_plans, len(pairs)), dtype=np.int64)
        for r, (a, b) in enumerate(pairs):
            wanted = ((1 << (b + 1)) - 1) ^ ((1 << a) - 1)  # the months a..b as bits
            out[:, r] = by_set[:, (sets & wanted) != 0].sum(axis=1)
        return out

    def count(self, group: int, a: int, b: int, upto: int) -> np.ndarray:
        """Per plan: members with min (or max) value at most ``upto`` in months a..b."""
        upto = min(max(int(upto), 0), self.n_values - 1)
        return self.cum[group, :, self.range_index[a, b], upto]

    def present(self, group: int, a: int, b: int) -> np.ndarray:
        """Per plan: members with any event in months a..b."""
        return self.cum[group, :, self.range_index[a, b], self.n_values - 1]

    def each_month(self, group: int, a: int, b: int) -> np.ndarray:
        """Members with any event, for each single month a..b (rows) and plan (columns)."""
        single = self.range_index[np.arange(a, b + 1), np.arange(a, b + 1)]
        return self.cum[group][:, single, self.n_values - 1].T


# --------------------------------------------------------------------------- the cube
def _month_numbers(dates: pd.Series, first: pd.Period) -> np.ndarray:
    months = dates.to_numpy().astype("datetime64[M]").astype(np.int64)
    return months - (first.year - 1970) * 12 - (first.month - 1)


def _positions(values: pd.Series, index) -> np.ndarray:
    """Position of each value in ``index`` (-1 when missing or not listed).

    Why: the synthetic tables keep repeated ids as categoricals, so only the distinct
    values are looked up (a million members, not eleven million service rows).
    """
    index = pd.Index(index)
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = values.cat.categories.astype(str)
        if len(categories) == len(index) and (categories == index.astype(str)).all():
            return values.cat.codes.to_numpy(dtype=np.int64)  # same order: the codes are the positions
        lookup = np.append(index.get_indexer(categories), -1)
        return lookup[values.cat.codes.to_numpy(dtype=np.int64)]  # code -1 (missing) takes the last entry
    return index.get_indexer(values.astype(str))


def _prefix(counts: np.ndarray) -> np.ndarray:
    """Running totals over the month axis (axis 2), with a leading zero."""
    shape = list(counts.shape)
    shape[2] += 1
    out = np.zeros(shape, dtype=counts.dtype)
    out[:, :, 1:] = np.cumsum(counts, axis=2)
    return out


@dataclass(frozen=True)
class MonthlyServed:
    """Members served in each single month (rows) by plan and Total (columns), suppressed:
    ``values`` (NaN where hidden) and ``hidden``."""

    values: np.ndarray
    hidden: np.ndarray


@dataclass
class ExplorerCube:
    """Everything a view needs, pre-aggregated once per world. Build with ``build_cube``."""

    months: list[pd.Period]
    plans: dict[str, str]                 # plan_id -> name
    programs: dict[str, str]              # program key -> label (the filter's options)
    groups: list[str]                     # group keys, in array order
    delivered: list[str]                  # program keys the agency delivers (for the drill-down)
    cs_services: np.ndarray               # [G, P, M+1] running totals
    ecm_starts: np.ndarray                # [P, M+1]
    referrals: np.ndarray                 # [G, P, M+1, V] running totals by days-to-close bin
    claims_paid: np.ndarray               # [G, P, M+1]
    amount_paid: np.ndarray               # [G, P, M+1]
    payment_days: np.ndarray              # [G, P, M+1, D]
    served: RangeDistinct
    referred_min: RangeDistinct
    referred_max: RangeDistinct
    paid_members: RangeDistinct
    referral_cap: int                     # largest days-to-close bin; the next bin is "still open"
    monthly_served: dict[str, "MonthlyServed"] = field(default_factory=dict)
    scale: int = 0

    @property
    def plan_ids(self) -> list[str]:
        return list(self.plans)

    def group(self, program: str) -> int:
        return self.groups.index(program)

    def plan_options(self) -> dict[str, str]:
        return {ALL_PLANS: "All plans", **self.plans}

    def quarter_options(self) -> dict[str, tuple[pd.Period, pd.Period]]:
        """Label -> (first month, last month): the whole span, then each quarter with data."""
        out = {f"Whole period ({period_label(self.months[0], self.months[-1])})": (self.months[0], self.months[-1])}
        for quarter in sorted({m.asfreq("Q") for m in self.months}):
            inside = [m for m in self.months if m.asfreq("Q") == quarter]
            out[f"{quarter.year} Q{quarter.quarter} ({period_label(inside[0], inside[-1])})"] = (inside[0], inside[-1])
        return out

    def view(self, filters: Filters) -> "ExplorerView":
        return _view(self, filters)


def build_cube(world) -> ExplorerCube:
    """Pre-aggregate a synthetic world for the explorer (once per world; seconds at 1M members)."""
    from calaim_course import synthetic

    months = list(pd.period_range(pd.Timestamp(synthetic.START), pd.Timestamp(synthetic.AS_OF), freq="M"))
    first, n_months = months[0], len(months)
    orgs = world.organizations
    plan_rows = orgs[orgs["org_type"].astype(str) == "managed_care_plan"]
    plans = dict(zip(plan_rows["org_id"].astype(str), plan_rows["name"].astype(str)))
    plan_ids = list(plans)
    n_plans = len(plan_ids)

    members = world.members
    member_index = pd.Index(members["member_id"].astype(str))
    member_plan = _positions(members["plan_id"], plan_ids)

    # Programs: ECM, each Community Support that appears in the data (reference order), CHW.
    cs_reference = load_reference("community_supports")
    cs_names = dict(zip(cs_reference["cs_id"], cs_reference["name"]))
    services = world.services
    keep = _positions(services["program"], ["advocacy"]) != 0
    services = services[keep]
    delivered_cs = {str(c) for c in services["cs_id"].dropna().unique()}
    referred_cs = {str(c) for c in world.referrals["cs_id"].dropna().unique()}
    cs_ids = [c for c in cs_reference["cs_id"] if c in delivered_cs | referred_cs]
    groups = [ALL_PROGRAMS, "ecm", ALL_CS, *(f"cs:{c}" for c in cs_ids), "chw"]
    programs = {ALL_PROGRAMS: "All programs", "ecm": "ECM (Enhanced Care Management)",
                ALL_CS: "All Community Supports"}
    for c in cs_ids:
        suffix = "" if c in delivered_cs else PARTNERS_ONLY
        programs[f"cs:{c}"] = f"Community Supports: {cs_names[c]}{suffix}"
    programs["chw"] = "CHW (Community Health Worker) services"
    delivered = ["ecm", *(f"cs:{c}" for c in cs_ids if c in delivered_cs), "chw"]
    n_groups = len(groups)
    group_of = {key: i for i, key in enumerate(groups)}
    cs_all, everything = group_of[ALL_CS], group_of[ALL_PROGRAMS]

    cs_slots = [g.removeprefix("cs:") if g.startswith("cs:") else f"(group {g})" for g in groups]

    def primary_group(program: pd.Series, cs_id: pd.Series) -> np.ndarray:
        """Group number of each row: ECM, CHW, or the row's Community Support (-1: none of these)."""
        is_cs = _positions(program, ["community_supports"]) == 0
        return np.where(is_cs, _positions(cs_id, cs_slots), _positions(program, groups))

    def expand(arrays: dict[str, np.ndarray], primary: np.ndarray) -> dict[str, np.ndarray]:
        """Each event counts in its own group, in "All programs" and (Community Supports) in "All Community Supports"."""
        is_cs = (primary != group_of["ecm"]) & (primary != group_of["chw"])
        parts = {name: [values, values, values[is_cs]] for name, values in arrays.items()}
        out = {name: np.concatenate(chunks) for name, chunks in parts.items()}
        out["group"] = np.concatenate([primary, np.full(len(primary), everything), np.full(int(is_cs.sum()), cs_all)])
        return out

    def events(member_ids: pd.Series, dates: pd.Series, primary: np.ndarray, only=None, **extra) -> dict[str, np.ndarray]:
        """Events of members with a plan, in the calendar, expanded to their groups (``only``: a row mask)."""
        member = _positions(member_ids, member_index)
        plan = member_plan[member]
        month = _month_numbers(dates, first)
        ok = (member >= 0) & (plan >= 0) & (month >= 0) & (month < n_months) & (primary >= 0)
        if only is not None:
            ok &= np.asarray(only, dtype=bool)
        base = {"member": member[ok], "plan": plan[ok], "month": month[ok],
                **{k: np.asarray(v)[ok] for k, v in extra.items()}}
        return expand(base, primary[ok])

    def cube(ev: dict[str, np.ndarray], weights=None, bins: np.ndarray | None = None, n_bins: int = 1) -> np.ndarray:
        flat = (ev["group"] * n_plans + ev["plan"]) * n_months + ev["month"]
        if bins is not None:
            flat = flat * n_bins + bins
        size = n_groups * n_plans * n_months * n_bins
        counts = np.bincount(flat, weights=weights, minlength=size)
        shape = (n_groups, n_plans, n_months, n_bins) if bins is not None else (n_groups, n_plans, n_months)
        return counts.reshape(shape)

    common = {"n_members": len(member_index), "n_groups": n_groups, "n_plans": n_plans, "n_months": n_months}

    # Services (ECM, Community Supports, CHW): members served and Community Supports encounters.
    svc_group = primary_group(services["program"], services["cs_id"])
    svc = events(services["member_id"], services["service_date"], svc_group)
    served = RangeDistinct(svc["member"], svc["month"], svc["group"], svc["plan"], **common)
    del svc
    cs_ev = events(services["member_id"], services["service_date"], svc_group,
                   only=_positions(services["program"], ["community_supports"]) == 0)
    cs_services = _prefix(cube(cs_ev).astype(np.int64))
    del cs_ev

    # New ECM enrollments: each member once, in the month of their first ECM service.
    ecm = services[_positions(services["program"], ["ecm"]) == 0]
    ecm_member = _positions(ecm["member_id"], member_index)
    ecm_month = _month_numbers(ecm["service_date"], first)
    first_month = pd.Series(ecm_month).groupby(ecm_member).min()
    start_plan = member_plan[first_month.index.to_numpy()]
    ok = start_plan >= 0
    ecm_counts = np.bincount(start_plan[ok] * n_months + first_month.to_numpy()[ok],
                             minlength=n_plans * n_months).reshape(n_plans, n_months)
    ecm_starts = np.zeros((n_plans, n_months + 1), dtype=np.int64)
    ecm_starts[:, 1:] = np.cumsum(ecm_counts, axis=1)

    # Referrals: days from the referral to the loop's closure (the last bin: still open).
    ref = world.referrals
    closed_days = (ref["loop_closed_date"] - ref["referral_date"]).dt.days
    cap = int(max(closed_days.max(skipna=True) if closed_days.notna().any() else 0, 1))
    days = closed_days.fillna(cap + 1).to_numpy(dtype=np.int64).clip(0, cap + 1)
    is_ecm = _positions(ref["service_kind"], ["ecm"]) == 0
    ref_group = np.where(is_ecm, group_of["ecm"], _positions(ref["cs_id"], cs_slots))
    rv = events(ref["member_id"], ref["referral_date"], ref_group, days=days)
    referrals = cube(rv, bins=rv["days"], n_bins=cap + 2).astype(np.int64)
    referrals = np.concatenate([np.zeros_like(referrals[:, :, :1]), np.cumsum(referrals, axis=2)], axis=2)
    referred_min = RangeDistinct(rv["member"], rv["month"], rv["group"], rv["plan"], value=rv["days"],
                                 n_values=cap + 2, how="min", **common)
    referred_max = RangeDistinct(rv["member"], rv["month"], rv["group"], rv["plan"], value=rv["days"],
                                 n_values=cap + 2, how="max", **common)

    # Paid claims, by month of service: the program comes from the claim's first line.
    claims = world.claims
    is_paid = claims["paid_date"].notna().to_numpy() & (_positions(claims["status"], ["paid", "partially_paid"]) >= 0)
    paid = claims[is_paid]
    claim_group = _claim_groups(world.claim_lines, claims["claim_id"], group_of)[is_paid]
    pay_days = (paid["paid_date"] - paid["submitted_date"]).dt.days.to_numpy(dtype=np.int64).clip(0)
    n_pay = int(pay_days.max()) + 1 if len(pay_days) else 1
    cv = events(paid["member_id"], paid["service_from"], claim_group, days=pay_days,
                usd=paid["paid_amount_usd"].to_numpy(dtype=float))
    claims_paid = _prefix(cube(cv).astype(np.int64))
    amount_paid = _prefix(cube(cv, weights=cv["usd"]))
    payment_days = cube(cv, bins=cv["days"], n_bins=n_pay).astype(np.int64)
    payment_days = np.concatenate([np.zeros_like(payment_days[:, :, :1]), np.cumsum(payment_days, axis=2)], axis=2)
    paid_members = RangeDistinct(cv["member"], cv["month"], cv["group"], cv["plan"], **common)

    result = ExplorerCube(months, plans, programs, groups, delivered, cs_services, ecm_starts, referrals,
                          claims_paid, amount_paid, payment_days, served, referred_min, referred_max, paid_members,
                          cap, scale=len(member_index))
    # Members served in each single month, suppressed once per program with its split by plan.
    for key in groups:
        g = group_of[key]
        table = pd.DataFrame([served.present(g, m, m) for m in range(n_months)], index=[month_code(m) for m in months],
                             columns=plan_ids)
        table[TOTAL] = table.sum(axis=1)
        # Distinct counts do not add up over months, so no total over months is implied.
        suppressed = suppress_counts(table.astype(np.int64), implicit_totals=False)
        result.monthly_served[key] = MonthlyServed(suppressed.shown.to_numpy(dtype="float64", na_value=np.nan),
                                                   suppressed.mask.to_numpy())
    return result


def _claim_groups(lines: pd.DataFrame, claim_ids: pd.Series, group_of: dict[str, int]) -> np.ndarray:
    """Program group of each claim (``claim_ids``: every claim, in order), from its first line's billing code.

    Why codes: each code and modifier pair belongs to one program in the reference tables
    (ECM codes, CHW codes, each Community Support's codes), and looking up a few dozen
    distinct pairs is much faster than joining millions of lines to their services.
    """
    from calaim_course.reference import cs_code_lines

    pairs = {}
    for code in load_reference("ecm_codes")["hcpcs"].dropna():
        pairs[(code, None)] = group_of["ecm"]
    for code in load_reference("chw_codes")["code"]:
        pairs[(code, None)] = group_of["chw"]
    cs_lines = cs_code_lines()
    for cs_id, code, modifiers in zip(cs_lines["cs_id"], cs_lines["hcpcs"], cs_lines["modifiers"]):
        pairs[(code, modifiers if isinstance(modifiers, str) else None)] = group_of.get(f"cs:{cs_id}", -1)

    first = lines[lines["line_number"] == 1]
    hcpcs = pd.Categorical(first["hcpcs"])
    modifiers = pd.Categorical(first["modifiers"])
    combo = hcpcs.codes.astype(np.int64) * (len(modifiers.categories) + 1) + modifiers.codes.astype(np.int64) + 1
    distinct, inverse = np.unique(combo, return_inverse=True)
    groups = []
    for value in distinct:
        code = hcpcs.categories[value // (len(modifiers.categories) + 1)]
        m = value % (len(modifiers.categories) + 1) - 1
        modifier = None if m < 0 else modifiers.categories[m]
        # ECM and CHW groups depend on the code alone; Community Supports on code and modifier.
        groups.append(pairs.get((code, modifier), pairs.get((code, None), -1)))
    line_group = np.asarray(groups, dtype=np.int64)[inverse]
    out = np.full(len(claim_ids), -1, dtype=np.int64)
    position = _positions(first["claim_id"], claim_ids)  # the claim row of each first line
    out[position[position >= 0]] = line_group[position >= 0]
    return out


@lru_cache(maxsize=1)
def default_cube() -> ExplorerCube:
    """The cube of the committed synthetic world (built once per session)."""
    from calaim_course.synthetic import load_world

    return build_cube(load_world())


# --------------------------------------------------------------------------- a view
def make_filters(cube: ExplorerCube, start: object, end: object, plan: object = ALL_PLANS,
                 program: object = ALL_PROGRAMS, days: object = DEFAULT_DAYS) -> Filters:
    """Validate what a learner chose or typed; raises CourseInputError with a clear message."""
    first = parse_month(start, "From month", cube.months)
    last = parse_month(end, "To month", cube.months, end=True)
    if last < first:
        raise CourseInputError("To month", end, f"a month on or after the From month ({month_label(first)})",
                               hint="The period would be empty: the To month is before the From month.")
    return Filters(first, last, _choose(plan, cube.plan_options(), "Plan"),
                   _choose(program, cube.programs, "Program"), parse_days(days))


def explore(cube: ExplorerCube, start: object, end: object, plan: object = ALL_PLANS,
            program: object = ALL_PROGRAMS, days: object = DEFAULT_DAYS) -> "ExplorerView":
    """The numbers, tables and chart data for one choice of filters."""
    return cube.view(make_filters(cube, start, end, plan, program, days))


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    how: str
    value: float | int | None   # None when hidden or not applicable
    hidden: bool = False
    applicable: bool = True
    money: bool = False
    percent: bool = False

    def display(self) -> str:
        if not self.applicable:
            return NOT_APPLICABLE
        if self.hidden:
            return SUPPRESSED_LABEL
        if self.value is None:
            return "none"  # for example a median of no paid claims
        if self.money:
            return f"${self.value:,.2f}"
        if self.percent:
            return f"{self.value:.0f}%"
        if float(self.value) != int(self.value):  # a median can fall halfway between two days
            return f"{self.value:,.1f}"
        return f"{int(self.value):,}"

    def export(self) -> str:
        """Machine-readable: plain numbers, or a word."""
        if not self.applicable or self.hidden or self.value is None:
            return self.display()
        if self.money:
            return f"{self.value:.2f}"
        if self.percent:
            return f"{self.value:.1f}"
        return str(int(self.value)) if float(self.value) == int(self.value) else f"{self.value:.1f}"


@dataclass(frozen=True)
class ExplorerView:
    """The result of one query: measures, the chart tables and the notes, all suppressed."""

    filters: Filters
    plan_name: str
    program_name: str
    measures: dict[str, Measure]
    members_by_month: pd.DataFrame       # month, month_label, members, suppressed (selected program and plan)
    members_by_program: pd.DataFrame     # month, month_label, program, members, suppressed (selected plan)
    claims_by_month: pd.DataFrame        # month, month_label, plan, claims, suppressed (every plan)
    notes: tuple[str, ...]

    def value(self, key: str):
        return self.measures[key].value

    def table(self) -> pd.DataFrame:
        """The measures as strings, for display."""
        return pd.DataFrame({
            "Measure": [m.label for m in self.measures.values()],
            "Value": [m.display() for m in self.measures.values()],
            "How it is counted": [m.how for m in self.measures.values()],
        })

    def caption(self) -> str:
        return f"{period_label(self.filters.start, self.filters.end)}; {self.plan_name}; {self.program_name}"

    def file_name(self) -> str:
        f = self.filters
        plan = "all-plans" if f.plan == ALL_PLANS else f.plan.lower()
        program = f.program.replace("cs:", "cs-").replace("_", "-")
        return f"explorer-{month_code(f.start)}-to-{month_code(f.end)}-{plan}-{program}-n{f.days}.csv"

    def to_csv(self) -> str:
        """The aggregates only (never a row about a member), one value per line."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["table", "row", "column", "value"])
        f = self.filters
        for name, value in (("Period", period_label(f.start, f.end)), ("Plan", self.plan_name),
                            ("Program", self.program_name), ("N (days)", str(f.days))):
            writer.writerow(["filters", name, "", value])
        for m in self.measures.values():
            writer.writerow(["measures", m.label, self.plan_name, m.export()])
        for r in _records(self.members_by_month):
            writer.writerow(["members served by month", r["month"], self.program_name,
                             _export_count(r["members"], r["suppressed"])])
        for r in _records(self.members_by_program):
            writer.writerow(["members served by month and program", r["month"], r["program"],
                             _export_count(r["members"], r["suppressed"])])
        for r in _records(self.claims_by_month):
            writer.writerow(["claims paid by month of service", r["month"], r["plan"],
                             _export_count(r["claims"], r["suppressed"])])
        for note in self.notes:
            writer.writerow(["notes", "", "", note])
        return out.getvalue()

    def finding(self) -> str:
        """The main finding, computed from the shown numbers (never typed)."""
        f = self.filters
        period = f"In {month_label(f.start)}" if f.start == f.end else f"From {period_label(f.start, f.end)}"
        served = self.measures["members_served"]
        program = ("ECM, Community Supports or CHW services" if f.program == ALL_PROGRAMS
                   else _short_program(self.program_name))
        among = "" if f.plan == ALL_PLANS else f" among members of {self.plan_name}"
        parts = []
        if not served.applicable:
            parts.append(f"The agency does not deliver {program} itself: it refers members to partner "
                         "organizations, so only the referrals are counted.")
        elif served.hidden:
            parts.append(f"{period}, the number of members served with {program}{among} is hidden: it is from 1 to "
                         f"{SMALL_CELL_MAX}, or could be worked out from other numbers.")
        else:
            parts.append(f"{period}, the agency served {served.display()} members with {program}{among}.")
        months = self.members_by_month[~self.members_by_month["suppressed"]]
        if served.applicable and len(months) >= 2 and months["members"].max() > 0:
            top = months.loc[months["members"].astype(float).idxmax()]
            parts.append(f"The busiest month shown was {top['month_label']} ({int(top['members']):,} members).")
        share = self.measures["share_closed"]
        if share.applicable and not share.hidden and share.value is not None:
            parts.append(f"{share.display()} of the referrals made were closed within {self.filters.days} days.")
        median = self.measures["median_days_to_payment"]
        if not median.hidden and median.value is not None:
            parts.append(f"Half of the paid claims were paid within {median.display()} days of being sent.")
        return " ".join(parts)


def _export_count(value, hidden: bool) -> str:
    return SUPPRESSED_LABEL if hidden else str(int(value))


def _protect(values: np.ndarray, people: np.ndarray | None, rows: list[str], columns: list[str] | None = None,
             **options) -> tuple[np.ndarray, np.ndarray]:
    """Suppress a table of counts; returns (counts as floats, NaN where hidden; the hidden mask).

    ``values``: a 1-D series of counts whose last entry is its total, or a 2-D table
    (the options say which margins it has). ``people``: the distinct members behind each
    count, for counts of events (the member rule hides a cell tied to 1 to 10 members).
    Shortcut (why: most updates with many members): when no count is from 1 to 10 and
    the member rule flags nothing, suppression hides nothing, so it is not called.
    """
    values = np.asarray(values, dtype=np.int64)
    rule = None if people is None else (people >= 1) & (people <= SMALL_CELL_MAX)
    small = (values >= 1) & (values <= SMALL_CELL_MAX)
    if not small.any() and (rule is None or not rule.any()):
        return values.astype("float64"), np.zeros(values.shape, dtype=bool)
    if values.ndim == 1:
        table = pd.Series(values, index=rows)
        result = suppress_counts(table, margins=True, already_suppressed=rule, **options)
    else:
        table = pd.DataFrame(values, index=rows, columns=columns)
        mask = None if rule is None else pd.DataFrame(rule, index=rows, columns=columns)
        result = suppress_counts(table, already_suppressed=mask, **options)
    return result.shown.to_numpy(dtype="float64", na_value=np.nan), result.mask.to_numpy()


def _with_total(values: np.ndarray) -> np.ndarray:
    """Per-plan counts followed by their sum (plans do not share members, so distinct counts add up too)."""
    values = np.asarray(values, dtype=np.int64)
    return np.append(values, values.sum())


def _median_from_hist(hist: np.ndarray) -> float | None:
    """Median of whole-number values given a histogram (average of the middle two, like pandas)."""
    n = int(hist.sum())
    if n == 0:
        return None
    cum = np.cumsum(hist)
    low = int(np.searchsorted(cum, (n + 1) // 2))
    high = int(np.searchsorted(cum, n // 2 + 1))
    return (low + high) / 2


def _view(cube: ExplorerCube, f: Filters) -> ExplorerView:
    a, b = cube.months.index(f.start), cube.months.index(f.end)
    plan_ids = cube.plan_ids
    rows = [*plan_ids, TOTAL]
    col = len(plan_ids) if f.plan == ALL_PLANS else plan_ids.index(f.plan)  # position of the chosen plan (or Total)
    g = cube.group(f.program)
    is_cs = f.program == ALL_CS or f.program.startswith("cs:")
    cs_group = cube.group(ALL_CS) if f.program == ALL_PROGRAMS else g
    # Programs the agency only refers to partners for have no services or claims of its own.
    delivers = f.program in (ALL_PROGRAMS, ALL_CS) or f.program in cube.delivered
    label = {k: (lbl.format(n=f.days), how.format(n=f.days)) for k, (lbl, how) in MEASURES.items()}
    measures: dict[str, Measure] = {}

    def add(key, value=None, hidden=False, applicable=True, **kw):
        measures[key] = Measure(key, *label[key], value=value, hidden=hidden, applicable=applicable, **kw)

    def pick(shown: np.ndarray, hidden: np.ndarray, index) -> tuple[int | None, bool]:
        return (None, True) if hidden[index] else (int(shown[index]), False)

    # Members served (a count of people).
    if delivers:
        add("members_served", *pick(*_protect(_with_total(cube.served.present(g, a, b)), None, rows), col))
    else:
        add("members_served", applicable=False)

    # New ECM enrollments (people).
    if f.program in (ALL_PROGRAMS, "ecm"):
        starts = cube.ecm_starts[:, b + 1] - cube.ecm_starts[:, a]
        add("ecm_enrollments", *pick(*_protect(_with_total(starts), None, rows), col))
    else:
        add("ecm_enrollments", applicable=False)

    # Community Supports services (events: the member rule applies).
    if delivers and (f.program == ALL_PROGRAMS or is_cs):
        counts = cube.cs_services[cs_group, :, b + 1] - cube.cs_services[cs_group, :, a]
        people = _with_total(cube.served.present(cs_group, a, b))
        add("cs_services", *pick(*_protect(_with_total(counts), people, rows), col))
    else:
        add("cs_services", applicable=False)

    # Referrals made and closed within N days: one table (plans x closed, not closed, total).
    if f.program != "chw":
        hist = cube.referrals[g, :, b + 1] - cube.referrals[g, :, a]          # [plans, days bins]
        upto = min(f.days, cube.referral_cap)
        closed, total = hist[:, : upto + 1].sum(axis=1), hist.sum(axis=1)
        present = cube.referred_min.present(g, a, b)
        closed_people = cube.referred_min.count(g, a, b, upto)
        late_people = present - cube.referred_max.count(g, a, b, upto)
        values = np.column_stack([closed, total - closed, total])
        people = np.column_stack([closed_people, late_people, present])
        values = np.vstack([values, values.sum(axis=0)])
        people = np.vstack([people, people.sum(axis=0)])
        shown, hidden = _protect(values, people, rows, ["closed", "not_closed", TOTAL], margins=True)
        made, made_hidden = pick(shown, hidden, (col, 2))
        done, done_hidden = pick(shown, hidden, (col, 0))
        add("referrals_made", made, made_hidden)
        add("referrals_closed", done, done_hidden)
        if made_hidden or done_hidden:  # a share of a hidden count is hidden too
            add("share_closed", None, True, percent=True)
        else:
            add("share_closed", 100 * done / made if made else None, percent=True)
    else:
        for key in ("referrals_made", "referrals_closed", "share_closed"):
            add(key, applicable=False)

    # Claims paid, by month of service and plan, with totals: one suppressed table.
    n = b - a + 1
    month_rows = [month_code(m) for m in cube.months[a:b + 1]]
    counts = (cube.claims_paid[g, :, a + 1:b + 2] - cube.claims_paid[g, :, a:b + 1]).T       # [months, plans]
    people = cube.paid_members.each_month(g, a, b)                                              # [months, plans]
    counts = np.column_stack([counts, counts.sum(axis=1)])
    counts = np.vstack([counts, counts.sum(axis=0)])
    people = np.column_stack([people, people.sum(axis=1)])
    people = np.vstack([people, _with_total(cube.paid_members.present(g, a, b))])
    claims_shown, claims_hidden = _protect(counts, people, [*month_rows, TOTAL], rows, margins=True)
    if delivers:
        n_paid, paid_hidden = pick(claims_shown, claims_hidden, (n, col))
        add("claims_paid", n_paid, paid_hidden)
        chosen = slice(None) if f.plan == ALL_PLANS else col
        dollars = float(np.sum(cube.amount_paid[g, chosen, b + 1] - cube.amount_paid[g, chosen, a]))
        add("amount_paid", None if paid_hidden else round(dollars, 2), paid_hidden, money=True)
        pay = cube.payment_days[g, :, b + 1] - cube.payment_days[g, :, a]
        pay = pay.sum(axis=0) if f.plan == ALL_PLANS else pay[col]
        add("median_days_to_payment", None if paid_hidden else _median_from_hist(pay), paid_hidden)
    else:
        for key in ("claims_paid", "amount_paid", "median_days_to_payment"):
            add(key, applicable=False)

    # Chart tables (already suppressed), built from arrays (why: pandas row by row is slow).
    labels = [month_label(m) for m in cube.months[a:b + 1]]

    def monthly(key: str) -> tuple[np.ndarray, np.ndarray]:
        t = cube.monthly_served[key]
        return t.values[a:b + 1, col], t.hidden[a:b + 1, col]

    values, hidden = monthly(f.program)
    members_by_month = pd.DataFrame({"month": month_rows, "month_label": labels, "members": values,
                                     "suppressed": hidden})
    pairs = [monthly(key) for key in cube.delivered]
    members_by_program = pd.DataFrame({
        "month": month_rows * len(pairs), "month_label": labels * len(pairs),
        "program": np.repeat([_short_program(cube.programs[key]) for key in cube.delivered], n),
        "members": np.concatenate([v for v, _ in pairs]), "suppressed": np.concatenate([h for _, h in pairs])})
    claims_by_month = pd.DataFrame({
        "month": month_rows * len(plan_ids), "month_label": labels * len(plan_ids),
        "plan": np.repeat([cube.plans[p] for p in plan_ids], n),
        "claims": claims_shown[:n, : len(plan_ids)].T.ravel(), "suppressed": claims_hidden[:n, : len(plan_ids)].T.ravel()})

    notes = [
        f"Counts from 1 to {SMALL_CELL_MAX} are hidden, and so are counts of services, referrals and claims that "
        f"belong to 1 to {SMALL_CELL_MAX} members, with the dollars, shares and medians computed on them; more "
        f"numbers are hidden where a hidden one could be worked out from the totals ({DDG_NAME}). Hidden numbers "
        f"show as \"{SUPPRESSED_LABEL}\".",
        "Comparing overlapping periods can narrow a hidden number: share fixed tables, not a series of views.",
        DAYS_NOTE, MONEY_NOTE, SYNTHETIC_NOTE,
    ]
    return ExplorerView(f, cube.plan_options()[f.plan], cube.programs[f.program], measures, members_by_month,
                        members_by_program, claims_by_month, tuple(notes))


def _short_program(label: str) -> str:
    """'Community Supports: Housing Deposits' -> 'Housing Deposits'; 'ECM (...)' -> 'ECM'."""
    label = label.removeprefix("Community Supports: ").removesuffix(PARTNERS_ONLY)
    if label.startswith("CHW"):
        return "CHW services"
    return label.split(" (")[0] if label.startswith("ECM") else label


# --------------------------------------------------------------------------- charts
HIDDEN_TEXT = "suppressed"
DATASETS = {"members": "explorer_members_by_month", "programs": "explorer_members_by_program",
            "claims": "explorer_claims_by_month"}


def _column(series: pd.Series) -> list:
    """A column as plain Python values (NaN becomes None)."""
    values = series.to_numpy()
    if values.dtype.kind == "f":
        return [None if v != v else v for v in values.tolist()]  # v != v only for NaN
    return values.tolist()


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain JSON values (NaN becomes null), for a chart's named data set."""
    columns = list(frame.columns)
    return [dict(zip(columns, row)) for row in zip(*(_column(frame[c]) for c in columns))]


def _count_text(value, hidden: bool) -> str:
    return SUPPRESSED_LABEL if hidden else f"{int(value):,}"


def _month_axis() -> alt.X:
    return alt.X("month:O", title="Month of service", axis=alt.Axis(labelAngle=0, labelExpr="slice(datum.value, 2)"))


def members_chart(view: ExplorerView) -> alt.VConcatChart:
    """Members served each month (click a month) and, below, that month by program.

    The selection ``pick_month`` starts on the last month of the period and works in
    the static page too (no Python needed). Hidden counts get no bar and the word
    "suppressed".
    """
    last = view.members_by_month["month"].iloc[-1]
    pick_month = alt.selection_point(name="pick_month", fields=["month"], value=[{"month": last}],
                                     on="click", clear=False, toggle=False, empty=False)
    top_base = alt.Chart(alt.NamedData(name=DATASETS["members"])).encode(x=_month_axis())
    bars = top_base.transform_filter("!datum.suppressed").mark_bar(cursor="pointer").encode(
        y=alt.Y("members:Q", title="Members served"),
        color=alt.condition(pick_month, alt.value(OKABE_ITO[0]), alt.value(OKABE_ITO[4])),
        tooltip=[alt.Tooltip("month_label:N", title="Month"), alt.Tooltip("members:Q", title="Members served", format=",")],
    ).add_params(pick_month).properties(name="explorer_month_bars")
    hidden = top_base.transform_filter("datum.suppressed").mark_text(
        angle=270, align="left", dx=-4, color="#555555", fontStyle="italic", text=HIDDEN_TEXT).encode(y=alt.datum(0))
    top = alt.layer(bars, hidden).properties(
        width=520, height=220,
        title=alt.Title(f"Members served each month: {view.program_name}, {view.plan_name}",
                        subtitle=["Click a month to see it by program below. Hidden counts have no bar.",
                                  SYNTHETIC_NOTE]))
    order = list(dict.fromkeys(view.members_by_program["program"]))
    bottom_base = alt.Chart(alt.NamedData(name=DATASETS["programs"])).transform_filter(pick_month).encode(
        y=alt.Y("program:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)))
    shown = bottom_base.transform_filter("!datum.suppressed")
    program_bars = shown.mark_bar(color=OKABE_ITO[2]).encode(
        x=alt.X("members:Q", title="Members served in the month"),
        tooltip=[alt.Tooltip("month_label:N", title="Month"), alt.Tooltip("program:N", title="Program"),
                 alt.Tooltip("members:Q", title="Members served", format=",")])
    program_values = shown.mark_text(align="left", dx=4).encode(x=alt.X("members:Q"), text=alt.Text("members:Q", format=","))
    program_hidden = bottom_base.transform_filter("datum.suppressed").mark_text(
        align="left", dx=4, color="#555555", fontStyle="italic", text=HIDDEN_TEXT).encode(x=alt.datum(0))
    bottom = alt.layer(program_bars, program_values, program_hidden).properties(
        width=420, height=alt.Step(24),
        title=alt.Title("The month you picked, by program",
                        subtitle=[f"{view.plan_name}. A member can use more than one program."]))
    return alt.vconcat(top, bottom).resolve_scale(color="independent").properties(datasets={
        DATASETS["members"]: _records(view.members_by_month), DATASETS["programs"]: _records(view.members_by_program)})


def claims_chart(view: ExplorerView) -> alt.LayerChart:
    """Claims paid by month of service, stacked by plan; click a plan in the legend to highlight it."""
    data = view.claims_by_month
    plans = list(dict.fromkeys(data["plan"]))
    start = [{"plan": view.plan_name}] if view.filters.plan != ALL_PLANS else alt.Undefined
    pick_plan = alt.selection_point(name="pick_plan", fields=["plan"], bind="legend", value=start)
    base = alt.Chart(alt.NamedData(name=DATASETS["claims"])).encode(x=_month_axis())
    bars = base.transform_filter("!datum.suppressed").mark_bar().encode(
        y=alt.Y("claims:Q", title="Claims paid", stack="zero"),
        color=alt.Color("plan:N", title="Plan (click to highlight)", sort=plans,
                        scale=alt.Scale(domain=plans, range=OKABE_ITO[: len(plans)]), legend=alt.Legend(orient="bottom")),
        order=alt.Order("plan:N"),
        opacity=alt.condition(pick_plan, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("month_label:N", title="Month of service"), alt.Tooltip("plan:N", title="Plan"),
                 alt.Tooltip("claims:Q", title="Claims paid", format=",")],
    ).add_params(pick_plan).properties(name="explorer_claim_bars")
    hidden = base.transform_filter("datum.suppressed").mark_text(
        angle=270, align="left", dx=-4, color="#555555", fontStyle="italic", text=HIDDEN_TEXT).encode(
        y=alt.datum(0), detail="plan:N")
    return alt.layer(bars, hidden).properties(
        width=520, height=240, datasets={DATASETS["claims"]: _records(data)},
        title=alt.Title(f"Claims paid by month of service and plan: {view.program_name}",
                        subtitle=["Hidden counts have no bar. Paid by November 30, 2026.", SYNTHETIC_NOTE]))


_PROGRAM_TOKEN, _PLAN_TOKEN = "@@PROGRAM@@", "@@PLAN@@"


def _set_param(spec, name: str, value) -> None:
    """Set (or, with None, remove) the initial value of the selection ``name`` wherever it is."""
    if isinstance(spec, dict):
        if spec.get("name") == name and "select" in spec:
            if value is None:
                spec.pop("value", None)
            else:
                spec["value"] = value
        for child in spec.values():
            _set_param(child, name, value)
    elif isinstance(spec, list):
        for child in spec:
            _set_param(child, name, value)


class ChartTemplates:
    """The two charts as Vega-Lite specs built (and validated by Altair) once, then refilled.

    Why: building an Altair chart takes 50 to 200 ms, too slow for every change of a
    filter; swapping the data sets, titles and starting selections in the finished spec
    takes well under a millisecond. ``specs(view)`` equals what ``members_chart(view)``
    and ``claims_chart(view)`` give (the tests check that).
    """

    def __init__(self, view: ExplorerView):
        probe = replace(view, program_name=_PROGRAM_TOKEN, plan_name=_PLAN_TOKEN)
        self._text = {"members": json.dumps(members_chart(probe).to_dict()),
                      "claims": json.dumps(claims_chart(probe).to_dict())}

    def specs(self, view: ExplorerView) -> dict[str, dict]:
        out = {}
        for key, text in self._text.items():
            text = (text.replace(_PROGRAM_TOKEN, json.dumps(view.program_name)[1:-1])
                    .replace(_PLAN_TOKEN, json.dumps(view.plan_name)[1:-1]))
            out[key] = json.loads(text)
        members, claims = out["members"], out["claims"]
        members["datasets"] = {DATASETS["members"]: _records(view.members_by_month),
                               DATASETS["programs"]: _records(view.members_by_program)}
        _set_param(members, "pick_month", [{"month": view.members_by_month["month"].iloc[-1]}])
        claims["datasets"] = {DATASETS["claims"]: _records(view.claims_by_month)}
        _set_param(claims, "pick_plan", None if view.filters.plan == ALL_PLANS else [{"plan": view.plan_name}])
        return out

    def bundles(self, view: ExplorerView) -> dict[str, dict]:
        """Display bundles (the active Altair renderer's output) for each chart."""
        render = alt.renderers.get()
        return {key: render(spec) for key, spec in self.specs(view).items()}


def members_chart_description(view: ExplorerView) -> str:
    """A text version of the members chart (for screen readers and the printed page)."""
    by_month = view.members_by_month
    parts = [f"{name}: {_count_text(v, h)}" for name, v, h in
             zip(by_month["month_label"], _column(by_month["members"]), by_month["suppressed"])]
    last = by_month["month_label"].iloc[-1]
    month = _records(view.members_by_program[view.members_by_program["month_label"] == last])
    programs = [f"{r['program']} {_count_text(r['members'], r['suppressed'])}" for r in month]
    return (f"Bar chart of members served each month ({view.program_name}, {view.plan_name}): " + "; ".join(parts)
            + f". Below it, {last} by program: " + "; ".join(programs) + ".")


def claims_chart_description(view: ExplorerView) -> str:
    """A text version of the claims chart."""
    by_month: dict[str, list[str]] = {}
    for r in _records(view.claims_by_month):
        by_month.setdefault(r["month_label"], []).append(f"{r['plan']} {_count_text(r['claims'], r['suppressed'])}")
    rows = [f"{month}: {', '.join(values)}" for month, values in by_month.items()]
    return f"Stacked bar chart of claims paid by month of service ({view.program_name}): " + "; ".join(rows) + "."
