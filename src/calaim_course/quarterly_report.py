"""Quarterly report builder: members served in a quarter, broken down, small cells hidden.

A report counts the synthetic agency's members who received an ECM, Community Supports or
Community Health Worker (CHW) service in one calendar quarter, broken down by plan,
service, ECM Population of Focus, age group, language, gender identity, race or
ethnicity, or housing situation, and optionally split by plan or by service line. Every
count is a count of people, so the table goes through ``calaim_course.suppression``
(counts 1 to 10 hidden, then complementary suppression) before anyone sees it, and the
export holds only that suppressed table.

Advocacy sessions are left out on purpose: advocacy is not billed to Medi-Cal here, and
advocacy records stay inside the agency.

>>> from calaim_course.synthetic import load_world
>>> data = report_data(load_world())
>>> report = build_report(data, "2026 Q2", "plan")
>>> report.to_csv().splitlines()[0]
'Plan,Members served'
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.distinct import per_distinct_value
from calaim_course.errors import CourseInputError
from calaim_course.reference import load_reference
from calaim_course.suppression import (
    SMALL_CELL_MAX,
    SUPPRESSED_LABEL,
    SuppressedTable,
    suppress_counts,
    suppression_note,
)

TOTAL = "Total"
MEMBERS_SERVED = "Members served"
PROGRAM_LABELS = {"ecm": "ECM", "community_supports": "Community Supports", "chw": "CHW services"}
BREAKDOWNS = {
    "plan": "Plan",
    "service": "Service",
    "population_of_focus": "ECM Population of Focus",
    "age_group": "Age group at intake",
    "preferred_language": "Preferred language",
    "gender_identity": "Gender identity",
    "race_ethnicity": "Race or ethnicity",
    "housing_status": "Housing situation at intake",
}
SPLITS = {"none": "No split (one column)", "plan": "Split by plan", "service_line": "Split by service line"}
# Breakdowns where a member can fall in more than one row: no total row.
OVERLAPPING = {"service", "population_of_focus"}
AGE_GROUPS = [(0, 20, "Under 21"), (21, 34, "21 to 34"), (35, 54, "35 to 54"), (55, 200, "55 and over")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
_QUARTER = re.compile(r"^\s*(?:(\d{4})\s*[-_ /]?\s*Q([1-4])|Q([1-4])\s*[-_ /]?\s*(\d{4}))\s*$", re.IGNORECASE)
CHART_DEFAULT_BREAKDOWN = "housing_status"
SYNTHETIC_NOTE = "Synthetic data: Cedar Lantern Survivor Services and its plans are fictional."
COMPLEMENTARY_SENTENCE = (
    "Complementary suppression: where a row or column has a known total, hiding one small count is not enough, "
    "because subtracting the shown counts from the total would reveal it, so at least one more count in that "
    "row or column is hidden too."
)

__all__ = ["BREAKDOWNS", "SPLITS", "QuarterlyReport", "ReportData", "build_report", "chart_data",
           "parse_quarter", "prepare_counts", "quarter_label", "report_chart", "report_data", "chart_finding"]


# --------------------------------------------------------------------------- quarters


def quarter_label(quarter: pd.Period) -> str:
    """'2026 Q2 (April to June 2026)'."""
    first = MONTHS[(quarter.quarter - 1) * 3]
    last = MONTHS[(quarter.quarter - 1) * 3 + 2]
    return f"{quarter.year} Q{quarter.quarter} ({first} to {last} {quarter.year})"


def _short(quarter: pd.Period) -> str:
    return f"{quarter.year} Q{quarter.quarter}"


def parse_quarter(text: object, available: list[pd.Period] | None = None) -> pd.Period:
    """A calendar quarter typed by a learner: '2026 Q2', '2026-Q2', '2026Q2' or 'Q2 2026'.

    With ``available``, the quarter must be one of them (quarters outside the data get
    a message listing the ones that have data).
    """
    expected = "a calendar quarter written like 2026 Q2 (year, then Q and 1 to 4)"
    match = _QUARTER.match(text) if isinstance(text, str) else None
    if not match:
        raise CourseInputError("Quarter", text, expected)
    year = int(match.group(1) or match.group(4))
    number = int(match.group(2) or match.group(3))
    quarter = pd.Period(year=year, quarter=number, freq="Q")
    if available is not None and quarter not in available:
        names = [_short(q) for q in available]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        raise CourseInputError(
            "Quarter", text, f"a quarter with data: {listed}",
            hint=f"The synthetic agency's services run from {quarter_label(available[0]).split('(')[1].split(' to ')[0]} "
                 f"{available[0].year} to {quarter_label(available[-1]).split(' to ')[1].rstrip(')')}.",
        )
    return quarter


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class ReportData:
    """One row per service event (member, quarter, service) with the member's attributes.

    Built once from the synthetic world (``report_data``); never shown as it is.
    """

    events: pd.DataFrame
    categories: dict[str, list[str]]
    quarters: list[pd.Period]
    # Counts and the codes they are made from, computed once (``_member_counts``). Safe
    # because a ReportData is read-only once made: nothing changes ``events``.
    _cache: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)


def _age_group(age: pd.Series) -> pd.Series:
    bins = [-1] + [high for _, high, _ in AGE_GROUPS]
    return pd.cut(age, bins=bins, labels=[label for _, _, label in AGE_GROUPS]).astype("object")


def _readable(value: str) -> str:
    text = str(value).replace("_", " ")
    text = text.replace("dv", "domestic violence")
    return text[:1].upper() + text[1:]


def _pof_label(name: str, age_group: str) -> str:
    """Population of Focus names differ by age group in DHCS reporting: say which group."""
    return f"{name} ({'adults' if age_group == 'adult' else 'under 21'})"


def _first_of_each_service(billed: pd.DataFrame) -> np.ndarray:
    """Positions of the first row of each (member, quarter, program, Community Support).

    Every column of a report event is a function of these four, so later rows repeat
    an event already there: dropping them first leaves the same events, in the same
    order, from far fewer rows.
    """
    key = pd.DataFrame({
        "member": pd.factorize(billed["member_id"])[0],
        "quarter": billed["service_date"].dt.to_period("Q").array.asi8,
        "program": pd.factorize(billed["program"])[0],
        "cs": pd.factorize(billed["cs_id"])[0],
    })
    return np.flatnonzero(~key.duplicated().to_numpy())


def report_data(world) -> ReportData:
    """Prepare the service events of the world's ECM, Community Supports and CHW services."""
    services = world.services
    members = world.members
    organizations = world.organizations
    billed = services[["member_id", "program", "cs_id", "service_date"]]  # the columns used
    billed = billed[billed["program"].isin(list(PROGRAM_LABELS))]
    billed = billed.iloc[_first_of_each_service(billed)]
    plan_names = dict(zip(organizations["org_id"].astype("object"),
                          organizations["name"].astype("object").str.replace(" (fictional)", "", regex=False)))
    cs_names = dict(zip(*load_reference("community_supports")[["cs_id", "name"]].T.to_numpy()))
    attributes = ["plan_id", "age", "preferred_language", "gender_identity", "race_ethnicity", "housing_status",
                  "ecm_pof_ids"]
    m = members[attributes].set_index(members["member_id"].astype("object"))
    member_ids = billed["member_id"].astype("object").to_numpy()
    # Each event's member (m.loc, found by position when the IDs are unique and all known).
    at = m.index.get_indexer(member_ids) if m.index.is_unique else None
    person = m.iloc[at] if at is not None and (at >= 0).all() else m.loc[member_ids]
    program = billed["program"].astype("object").to_numpy()
    cs = billed["cs_id"].astype("object").to_numpy()
    service = np.where(program == "community_supports", pd.Series(cs).map(cs_names).to_numpy(),
                       pd.Series(program).map(PROGRAM_LABELS).to_numpy())
    events = pd.DataFrame({
        "member_id": member_ids,
        "quarter": billed["service_date"].dt.to_period("Q").array,
        "service_line": pd.Series(program).map(PROGRAM_LABELS).to_numpy(),
        "service": service,
        "plan": per_distinct_value(person["plan_id"], lambda s: s.astype("object").map(plan_names)).to_numpy(),
        "age_group": _age_group(person["age"]).to_numpy(),
        "preferred_language": person["preferred_language"].astype("object").to_numpy(),
        "gender_identity": person["gender_identity"].astype("object").to_numpy(),
        "race_ethnicity": person["race_ethnicity"].astype("object").to_numpy(),
        "housing_status": per_distinct_value(person["housing_status"],
                                             lambda s: s.astype("object").map(_readable)).to_numpy(),
        "pof_ids": person["ecm_pof_ids"].astype("object").to_numpy(),
    }).drop_duplicates(ignore_index=True)

    pof = load_reference("ecm_populations_of_focus")
    demographic = load_reference("demographic_categories").sort_values(["category_type", "sort_order"])
    agency_cs = [cs_names[c] for c in ["housing_navigation", "housing_tenancy", "housing_deposits", "transitional_rent"]]
    housing = [_readable(v) for v in ["stably_housed", "at_risk_within_30_days", "fleeing_dv_in_shelter",
                                      "homeless_sheltered", "homeless_unsheltered"]]
    categories = {
        "plan": [plan_names[p] for p in organizations.loc[organizations["org_type"] == "managed_care_plan", "org_id"]],
        "service": ["ECM", *agency_cs, "CHW services"],
        "population_of_focus": [_pof_label(r.name, r.age_group) for r in pof.itertuples()],
        "age_group": [label for _, _, label in AGE_GROUPS],
        "housing_status": housing,
        "service_line": list(PROGRAM_LABELS.values()),
        **{kind: demographic.loc[demographic["category_type"] == kind, "value"].tolist()
           for kind in ("preferred_language", "gender_identity", "race_ethnicity")},
    }
    # Every value in the data must have a row, so nothing is silently dropped.
    for key in [k for k in categories if k in events.columns]:
        unknown = sorted(set(events[key].dropna().unique()) - set(categories[key]))
        if unknown:
            raise CourseInputError(f"report categories for {key}", unknown, "values listed in the reference tables")
    pof_names = {r.pof_id: _pof_label(r.name, r.age_group) for r in pof.itertuples()}
    # The names of each distinct set of IDs, worked out once (events with the same IDs
    # share one list; nothing changes these lists). Code -1: no IDs, the final [].
    codes, distinct = pd.factorize(events["pof_ids"])
    names = [[pof_names[i] for i in ids.split(";")] if isinstance(ids, str) else [] for ids in distinct] + [[]]
    events["pof_names"] = [names[code] for code in codes.tolist()]
    quarters = pd.period_range(events["quarter"].min(), events["quarter"].max(), freq="Q").tolist()
    return ReportData(events=events.drop(columns="pof_ids"), categories=categories, quarters=quarters)


# --------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class QuarterlyReport:
    """A suppressed report: safe to show and to export. Holds no hidden count."""

    quarter: pd.Period
    breakdown: str
    split: str
    result: SuppressedTable

    @property
    def row_label(self) -> str:
        return BREAKDOWNS[self.breakdown]

    @property
    def overlapping(self) -> bool:
        return self.breakdown in OVERLAPPING or self.split == "service_line"

    def display(self) -> pd.DataFrame:
        """The table as text: counts with separators, hidden cells as 'suppressed'."""
        shown = self.result.shown
        table = shown.apply(lambda col: col.map(lambda v: SUPPRESSED_LABEL if pd.isna(v) else f"{int(v):,}").astype(object))
        table.index.name = self.row_label
        table.columns.name = None
        return table.reset_index()

    def caption(self) -> str:
        who = ("Members who received ECM in " if self.breakdown == "population_of_focus"
               else "Members who received an ECM, Community Supports or CHW service in ")
        split = "" if self.split == "none" else f", {SPLITS[self.split].lower()}"
        return f"{who}{quarter_label(self.quarter)}, by {self.row_label.lower()}{split}"

    def note(self) -> str:
        """What is hidden and why, including complementary suppression, in plain words."""
        parts = [suppression_note(self.result)]
        if self.result.n_complementary:
            parts.append(COMPLEMENTARY_SENTENCE)
        if self.breakdown in OVERLAPPING:
            parts.append("A member can be in more than one row, so the rows do not add up and no total row is shown.")
        if self.split == "service_line":
            parts.append("A member can receive more than one kind of service, so no total column is shown.")
        return " ".join(parts)

    def to_csv(self) -> str:
        """The suppressed aggregate table as CSV text (no member-level data, no hidden count)."""
        buffer = io.StringIO()
        self.display().to_csv(buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        return buffer.getvalue()

    def file_name(self) -> str:
        return f"cedar-lantern-{self.quarter.year}-q{self.quarter.quarter}-{self.breakdown.replace('_', '-')}.csv"


def _choose(value: object, options: dict[str, str], field: str) -> str:
    """Accept an option's key or its label."""
    if isinstance(value, str):
        if value in options:
            return value
        for key, label in options.items():
            if value.strip().casefold() == label.casefold():
                return key
    raise CourseInputError(field, value, "one of " + ", ".join(options.values()))


def _cached(data: ReportData, key: tuple, compute):
    """``compute()``, kept in ``data`` under ``key`` the first time (see ``ReportData._cache``)."""
    if key not in data._cache:
        data._cache[key] = compute()
    return data._cache[key]


def _codes(data: ReportData, column: str) -> tuple[np.ndarray, pd.Index]:
    """An events column as integer codes (-1: missing) and its distinct values."""
    return _cached(data, ("codes", column), lambda: pd.factorize(data.events[column]))


def _ecm_populations(data: ReportData) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """ECM events, one entry per Population of Focus: event position, population code, populations."""
    def compute():
        ecm = np.flatnonzero((data.events["service_line"] == PROGRAM_LABELS["ecm"]).to_numpy(dtype=bool))
        names = data.events["pof_names"].iloc[ecm].reset_index(drop=True).explode().dropna()
        codes, distinct = pd.factorize(names)
        return ecm[names.index.to_numpy(dtype=np.int64)], codes, distinct
    return _cached(data, ("population_of_focus",), compute)


def _quarter_events(data: ReportData, period: pd.Period, by_population: bool) -> tuple[np.ndarray, np.ndarray]:
    """The events in ``period``: their positions, and their Population of Focus codes.

    With ``by_population``, ECM events only, once per Population of Focus (as exploding
    their lists would give them); otherwise every event, and codes of -1. Ordered by
    member, so that the codes built from them are nearly sorted (``_distinct``).
    """
    def compute():
        in_quarter = (data.events["quarter"] == period).to_numpy(dtype=bool)
        if by_population:
            event, population, _ = _ecm_populations(data)
            keep = in_quarter[event]
            event, population = event[keep], population[keep]
        else:
            event = np.flatnonzero(in_quarter)
            population = np.full(len(event), -1)
        order = np.argsort(_codes(data, "member_id")[0][event], kind="stable")
        return event[order], population[order]
    return _cached(data, ("quarter", period, by_population), compute)


def _distinct(codes: list[np.ndarray], sizes: list[int]) -> list[np.ndarray]:
    """The distinct rows of the code columns (like drop_duplicates; -1 is a value too)."""
    combined = np.zeros(len(codes[0]), dtype=np.int64)
    for column, size in zip(codes, sizes):
        combined = combined * (size + 1) + (column + 1)
    # Sorting, then comparing neighbours: a stable sort is quick on the nearly sorted codes
    # (members in order), much quicker than np.unique.
    combined = np.sort(combined, kind="stable")
    first = np.ones(len(combined), dtype=bool)
    first[1:] = combined[1:] != combined[:-1]
    combined = combined[first]
    out = []
    for size in reversed(sizes):
        out.append(combined % (size + 1) - 1)
        combined = combined // (size + 1)
    return out[::-1]


def _member_counts(data: ReportData, period: pd.Period, key: str, split_key: str) -> pd.DataFrame:
    """Members served in ``period`` by ``key`` (rows) and ``split_key`` (columns), with totals.

    Computed once per (quarter, breakdown, split) and kept in ``data``; a copy is returned.
    The same counts as dropping duplicate (member, row, column) triples from the events
    and cross-tabulating them (the tests compare the two), done on integer codes.
    """
    def compute() -> pd.DataFrame:
        if key == "population_of_focus":
            event, row = _quarter_events(data, period, by_population=True)
            rows = _ecm_populations(data)[2]
        else:
            event = _quarter_events(data, period, by_population=False)[0]
            codes, rows = _codes(data, key)
            row = codes[event]
        member_codes, members = _codes(data, "member_id")
        member = member_codes[event]
        if split_key == "none":
            column, columns_seen = np.zeros(len(event), dtype=np.int64), pd.Index([MEMBERS_SERVED])
        else:
            codes, columns_seen = _codes(data, split_key)
            column = codes[event]
        n_rows, n_columns = len(rows), len(columns_seen)
        # people: each member once per (row, column), as events.drop_duplicates() would leave them.
        member, row, column = _distinct([member, row, column], [len(members), n_rows, n_columns])

        columns = [MEMBERS_SERVED] if split_key == "none" else data.categories[split_key]
        both = (row >= 0) & (column >= 0)  # a cross-tabulation leaves out missing values
        table = np.bincount(row[both] * n_columns + column[both], minlength=n_rows * n_columns)
        counts = (pd.DataFrame(table.reshape(n_rows, n_columns), index=rows, columns=columns_seen)
                  if len(member) else pd.DataFrame())
        counts = counts.reindex(index=data.categories[key], columns=columns, fill_value=0).astype("int64")
        if split_key == "plan":  # every served member has exactly one plan
            _, per_row = _distinct([member, row], [len(members), n_rows])
            per_row = per_row[per_row >= 0]
            counts[TOTAL] = pd.Series(np.bincount(per_row, minlength=n_rows), index=rows).reindex(counts.index, fill_value=0)
        if key not in OVERLAPPING:
            _, per_column = _distinct([member, column], [len(members), n_columns])
            per_column = per_column[per_column >= 0]
            total = pd.Series(np.bincount(per_column, minlength=n_columns), index=columns_seen).reindex(columns, fill_value=0)
            if TOTAL in counts.columns:
                total[TOTAL] = len(_distinct([member[member >= 0]], [len(members)])[0])
            counts.loc[TOTAL] = total.astype("int64")
        counts.index.name = None
        counts.columns.name = None
        return counts

    return _cached(data, ("counts", period, key, split_key), compute).copy()


def prepare_counts(data: ReportData) -> None:
    """Count every quarter, breakdown and split once, so that reports then come from memory."""
    for quarter in data.quarters:
        for key in BREAKDOWNS:
            for split_key in SPLITS:
                if _split_allowed(key, split_key):
                    _member_counts(data, quarter, key, split_key)


def _split_allowed(key: str, split_key: str) -> bool:
    """Whether ``build_report`` takes this split: not by plan twice, and not by service line
    when each row already belongs to one line (a service, or a Population of Focus: ECM)."""
    return not ((split_key == "plan" and key == "plan")
                or (split_key == "service_line" and key in ("service", "population_of_focus")))


def build_report(data: ReportData, quarter: object, breakdown: object, split: object = "none") -> QuarterlyReport:
    """Members served in ``quarter`` by ``breakdown`` (and ``split``), suppressed.

    Raises ``CourseInputError`` for a quarter written wrongly or without data, an unknown
    breakdown or split, or a split that repeats the breakdown.
    """
    period = parse_quarter(quarter, data.quarters)
    key = _choose(breakdown, BREAKDOWNS, "Breakdown")
    split_key = _choose(split, SPLITS, "Split")
    if not _split_allowed(key, split_key):
        if split_key == "plan":  # then the breakdown is by plan too
            expected = "no split, or a split by service line, when the breakdown is already by plan"
        else:
            expected = f"no split, or a split by plan, when the breakdown is by {BREAKDOWNS[key].lower()}"
        raise CourseInputError(
            "Split", SPLITS[split_key], expected,
            hint="Populations of Focus are counted for ECM members only." if key == "population_of_focus" else None,
        )

    counts = _member_counts(data, period, key, split_key)
    # Every total a reader can know is in the table itself (a Total row or column where
    # the rows or columns do not overlap), so totals the table leaves out are not known.
    result = suppress_counts(counts, margins=None, implicit_totals=False)
    return QuarterlyReport(quarter=period, breakdown=key, split=split_key, result=result)


# --------------------------------------------------------------------------- chart


def chart_data(data: ReportData) -> pd.DataFrame:
    """Every quarter and breakdown (no split), suppressed, in long form for the chart."""
    rows = []
    for quarter in data.quarters:
        for key, label in BREAKDOWNS.items():
            report = build_report(data, _short(quarter), key)
            long = report.result.to_long()
            for order, (category, count, hidden) in enumerate(zip(long.iloc[:, 0], long["count"], long["suppressed"])):
                rows.append({"quarter": _short(quarter), "breakdown": label, "category": str(category),
                             "order": order, "members": None if pd.isna(count) else int(count),
                             "suppressed": bool(hidden)})
    out = pd.DataFrame(rows)
    out["members"] = out["members"].astype("Int64")
    return out


def chart_finding(data: ReportData) -> str:
    """The chart's main finding: the change in members served, and how much the finest breakdown hides."""
    totals = []
    for quarter in data.quarters:
        shown = build_report(data, _short(quarter), "plan").result.shown
        totals.append((quarter, shown.loc[TOTAL, MEMBERS_SERVED]))
    first, last = totals[0], totals[-1]
    latest = build_report(data, _short(last[0]), "preferred_language").result
    cells_without_totals = latest.to_long()
    cells, hidden = len(cells_without_totals), int(cells_without_totals["suppressed"].sum())
    if pd.isna(first[1]) or pd.isna(last[1]):
        change = "The number of members served is hidden in at least one quarter."
    else:
        verb = "rose" if last[1] > first[1] else "fell" if last[1] < first[1] else "stayed"
        change = (f"Members served with ECM, Community Supports or CHW services {verb} from {int(first[1]):,} in "
                  f"{_short(first[0])} to {int(last[1]):,} in {_short(last[0])}.")
    return (f"{change} Broken down by preferred language, {hidden} of the {cells} counts for {_short(last[0])} are "
            f"hidden: the finer the breakdown, the more small counts a report has to hide.")


def report_chart(long: pd.DataFrame) -> alt.LayerChart:
    """Bars of members served by category, with a quarter menu and a breakdown menu that work in the page.

    Hidden (suppressed) counts get no bar; the word "suppressed" marks their row.
    """
    quarters = list(dict.fromkeys(long["quarter"]))
    breakdowns = list(dict.fromkeys(long["breakdown"]))
    pick_quarter = alt.param(name="report_quarter", value=quarters[-1],
                             bind=alt.binding_select(options=quarters, name="Quarter: "))
    pick_breakdown = alt.param(name="report_breakdown", value=BREAKDOWNS[CHART_DEFAULT_BREAKDOWN],
                               bind=alt.binding_select(options=breakdowns, name="Breakdown: "))
    data = long.assign(members=long["members"].astype("float64"))
    base = alt.Chart(data).transform_filter(
        (alt.datum.quarter == pick_quarter) & (alt.datum.breakdown == pick_breakdown)
    ).encode(y=alt.Y("category:N", sort=alt.EncodingSortField(field="order", op="min", order="ascending"), title=None,
                 axis=alt.Axis(labelLimit=340)))
    bars = base.transform_filter("!datum.suppressed").mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X("members:Q", title="Members served in the quarter"),
        tooltip=[alt.Tooltip("quarter:N", title="Quarter"), alt.Tooltip("category:N", title="Group"),
                 alt.Tooltip("members:Q", title="Members served")],
    )
    hidden = base.transform_filter("datum.suppressed").mark_text(
        align="left", dx=4, color="#555555", fontStyle="italic", text=f"suppressed (1 to {SMALL_CELL_MAX}, or could be worked out)",
    ).encode(x=alt.datum(0))
    values = base.transform_filter("!datum.suppressed").mark_text(align="left", dx=4, color="#222222").encode(
        x=alt.X("members:Q"), text=alt.Text("members:Q", format=","),
    )
    return alt.layer(bars, values, hidden).add_params(pick_quarter, pick_breakdown).properties(
        width=440, height=alt.Step(22),
        title=alt.Title("Members served in a quarter, by group",
                        subtitle=["ECM, Community Supports and CHW services; counts from 1 to 10 hidden, and more where needed.",
                                  SYNTHETIC_NOTE]),
    )
