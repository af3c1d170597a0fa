"""The revenue cycle of the synthetic agency: claims by status, denials, days to payment
and accounts-receivable aging, with small-cell suppression tied to members.

Counts of claims are not counts of people, but a table of claims can still point at a
person: a cell with 14 claims may be one survivor's 14 months of housing help. The
CalHHS Data De-Identification Guidelines (DDG, section 4.4) ask to suppress "financial
data tied to fewer than 11 members or services" as well as small counts. So every cell
here is hidden when the claims (or lines) in it belong to 1 to 10 distinct members,
whatever the number of claims; the dollar amounts of a hidden cell are hidden with it;
then complementary suppression hides more cells so that no hidden one can be worked out
from the totals (``calaim_course.suppression``, which the member rule feeds through
``already_suppressed``). Medians and percentages follow the same rule.

Each table is protected on its own. Combining several filtered views (for example all
plans minus one plan) can still reveal a hidden cell: suppress linked tables together
before publishing them.

Every dollar amount is ILLUSTRATIVE: charges come from the invented
``illustrative_rates`` table, not from real rates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from calaim_course.errors import CourseInputError
from calaim_course.reference import load_reference
from calaim_course.suppression import (
    SMALL_CELL_MAX, SUPPRESSED_LABEL, SuppressedTable, suppress_counts, suppression_note,
)

ALL_PLANS, ALL_PROGRAMS, ALL_WAYS = "All plans", "All programs", "All ways of sending"
TOTAL = "Total"
PROGRAM_LABELS = {"ecm": "ECM", "community_supports": "Community Supports", "chw": "CHW"}
SUBMISSION_LABELS = {"837P": "837P (electronic)", "CMS-1500": "CMS-1500 (paper)", "invoice": "Invoice"}
# Aging counts days since the claim was sent, as of the data date.
AGING_BUCKETS = [(0, 30, "0-30 days"), (31, 60, "31-60 days"), (61, 90, "61-90 days"),
                 (91, 120, "91-120 days"), (121, None, "Over 120 days")]
PAYMENT_BINS = [(0, 15, "0-15 days"), (16, 30, "16-30 days"), (31, 45, "31-45 days"),
                (46, 60, "46-60 days"), (61, None, "Over 60 days")]
# AB 3275 (Ch. 763, Stats. 2024): 30 calendar days to pay, contest or deny a complete
# claim received on or after this date (fact base section 8, SECONDARY).
AB3275_START = pd.Timestamp("2026-01-01")
AB3275_DAYS = 30
MONEY_NOTE = "Dollar amounts are ILLUSTRATIVE: invented charges, not real rates."
VIEWS = ["Claims by status", "Denial reasons", "Days to payment", "Accounts receivable aging"]


def status_label(status: str) -> str:
    return str(status).replace("_", " ").capitalize()


def status_order() -> list[str]:
    """Claim statuses in the reference table's order, as labels."""
    return [status_label(s) for s in load_reference("claim_statuses")["status"]]


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class RevenueData:
    """Claims and lines ready for the views. ``as_of`` is the data date."""

    claims: pd.DataFrame
    lines: pd.DataFrame
    as_of: pd.Timestamp
    filters: tuple[str, str, str] = (ALL_PLANS, ALL_PROGRAMS, ALL_WAYS)


def _bucket(days: pd.Series, buckets) -> pd.Series:
    """Label each number of days with its bucket (missing days stay missing)."""
    edges = [low - 0.5 for low, _, _ in buckets] + [np.inf]
    labels = [label for _, _, label in buckets]
    return pd.cut(days, bins=edges, labels=labels).astype(object)


def _long_date(day: pd.Timestamp) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def prepare(world=None, as_of=None) -> RevenueData:
    """Claims and lines with plan names, programs, reasons, days and buckets.

    ``world`` defaults to the committed synthetic data; ``as_of`` to the date the
    synthetic claims were followed to (``synthetic.CLAIMS_AS_OF``).
    """
    from calaim_course import synthetic

    if world is None:
        world = synthetic.load_world()
    as_of = pd.Timestamp(synthetic.CLAIMS_AS_OF if as_of is None else as_of)
    plans = world.organizations.set_index("org_id")["name"].astype(str)
    reasons = load_reference("denial_reasons").set_index("denial_reason_id")["reason"]
    program = (world.claim_lines[["claim_id", "line_number", "service_id"]]
               .merge(world.services[["service_id", "program"]], on="service_id")
               .sort_values(["claim_id", "line_number"]))
    program["program"] = program["program"].astype(str).map(PROGRAM_LABELS)
    claim_program = program.groupby("claim_id")["program"].first()

    c = world.claims
    claims = pd.DataFrame({
        "claim_id": c["claim_id"].astype(str),
        "member_id": c["member_id"].astype(str),
        "plan": c["plan_id"].astype(str).map(plans),
        "program": c["claim_id"].astype(str).map(claim_program),
        "submission": c["submission_type"].astype(str).map(SUBMISSION_LABELS),
        "status": c["status"].astype(str).map(status_label),
        "denial_reason": c["denial_reason_id"].astype(object).map(reasons),
        "submitted_date": c["submitted_date"],
        "paid_date": c["paid_date"],
        "charged_usd": c["total_charge_usd"].astype(float),
        "paid_usd": c["paid_amount_usd"].astype(float),
    })
    claims["days_to_payment"] = (claims["paid_date"] - claims["submitted_date"]).dt.days
    claims["payment_bin"] = _bucket(claims["days_to_payment"], PAYMENT_BINS).where(claims["paid_date"].notna())

    l = world.claim_lines
    lines = pd.DataFrame({
        "claim_id": l["claim_id"].astype(str),
        "line_status": l["line_status"].astype(str),
        "denial_reason": l["denial_reason_id"].astype(object).map(reasons),
        "charged_usd": l["charge_usd"].astype(float),
    }).merge(claims[["claim_id", "member_id", "plan", "program", "submission"]], on="claim_id")
    return RevenueData(claims.reset_index(drop=True), lines.reset_index(drop=True), as_of)


def filter_options(data: RevenueData) -> dict[str, list[str]]:
    """The values each filter accepts (the first is "all")."""
    return {
        "plan": [ALL_PLANS, *sorted(data.claims["plan"].dropna().unique())],
        "program": [ALL_PROGRAMS, *[p for p in PROGRAM_LABELS.values() if p in set(data.claims["program"])]],
        "submission": [ALL_WAYS, *[s for s in SUBMISSION_LABELS.values() if s in set(data.claims["submission"])]],
    }


def filter_data(data: RevenueData, plan: str = ALL_PLANS, program: str = ALL_PROGRAMS,
                submission: str = ALL_WAYS) -> RevenueData:
    """The claims of one plan, program and way of sending (raises CourseInputError for others)."""
    options = filter_options(data)
    claims, lines = data.claims, data.lines
    for name, value, column in (("plan", plan, "plan"), ("program", program, "program"),
                                ("submission", submission, "submission")):
        if value not in options[name]:
            raise CourseInputError(name, value, "one of " + ", ".join(options[name]))
        if value != options[name][0]:
            claims = claims[claims[column] == value]
            lines = lines[lines[column] == value]
    return replace(data, claims=claims, lines=lines, filters=(plan, program, submission))


# --------------------------------------------------------------------------- protection
@dataclass(frozen=True)
class ProtectedTable:
    """Counts with member-based suppression, and dollar columns hidden in the same cells.

    ``result``: the SuppressedTable of the counts (claims or lines). ``member_rule``:
    True where a cell was hidden because its claims belong to 1 to 10 members.
    ``money``: dollar columns (float, NaN where hidden), same labels as the counts.
    ``unit``: what is counted ("claims" or "lines").
    """

    result: SuppressedTable
    member_rule: pd.Series | pd.DataFrame
    money: dict[str, pd.Series]
    unit: str = "claims"

    @property
    def n_member_rule(self) -> int:
        return int(np.asarray(self.member_rule).sum())

    def note(self) -> str:
        """What was hidden and why, in plain words."""
        if self.result.n_suppressed == 0:
            return (f"No cell is hidden: every cell's {self.unit} belong to at least {SMALL_CELL_MAX + 1} "
                    "members (CalHHS Data De-identification Guidelines).")
        parts = []
        if self.n_member_rule:
            cells = "cell is" if self.n_member_rule == 1 else "cells are"
            parts.append(f"{self.n_member_rule} {cells} hidden because the {self.unit} in them belong to 1 to "
                         f"{SMALL_CELL_MAX} members, and their dollar amounts with them (the DDG asks to suppress "
                         f"financial data tied to fewer than {SMALL_CELL_MAX + 1} members)")
        extra = self.result.n_suppressed - self.n_member_rule
        if extra:
            parts.append(f"{extra} more {'is' if extra == 1 else 'are'} hidden so no hidden cell can be worked out from the totals")
        sentence = "; ".join(parts)
        note = sentence[0].upper() + sentence[1:] + f". Hidden cells show as \"{SUPPRESSED_LABEL}\"."
        if self.result.unresolved:
            note += " " + suppression_note(self.result).split(". ", 1)[-1]
        return note

    def display(self, count_label: str) -> pd.DataFrame:
        """A table of strings: the counts and dollar columns, hidden cells labelled."""
        shown = self.result.shown
        frame = pd.DataFrame({count_label: [SUPPRESSED_LABEL if v is pd.NA else f"{int(v):,}" for v in shown]},
                             index=shown.index)
        for name, values in self.money.items():
            frame[name] = [SUPPRESSED_LABEL if pd.isna(v) else f"${v:,.2f}" for v in values]
        return frame


def protect(frame: pd.DataFrame, by: str, order: list[str], money: dict[str, str] | None = None,
            unit: str = "claims", total: bool = True) -> ProtectedTable:
    """Counts of rows of ``frame`` by ``by`` (in ``order``), protected by the member rule.

    ``money`` maps a display name to a column of ``frame`` summed per cell. With
    ``total`` a Total entry is added last (it is a count too, so it can be hidden).
    """
    grouped = frame.groupby(by, observed=True)
    counts = grouped.size().reindex(order, fill_value=0).astype("int64")
    members = grouped["member_id"].nunique().reindex(order, fill_value=0).astype("int64")
    sums = {name: grouped[column].sum().reindex(order, fill_value=0.0) for name, column in (money or {}).items()}
    if total:
        counts.loc[TOTAL] = int(counts.sum())
        members.loc[TOTAL] = int(frame["member_id"].nunique())
        for name, column in (money or {}).items():
            sums[name].loc[TOTAL] = float(frame[column].sum())
    counts.name = unit
    member_rule = (members >= 1) & (members <= SMALL_CELL_MAX)
    result = suppress_counts(counts, margins=total, already_suppressed=member_rule)
    hidden = result.mask
    money_shown = {name: values.astype(float).round(2).mask(hidden) for name, values in sums.items()}
    return ProtectedTable(result, member_rule, money_shown, unit)


def protect_crosstab(frame: pd.DataFrame, rows: str, columns: str, row_order: list[str],
                     column_order: list[str], value: str | None = None) -> tuple[SuppressedTable, pd.DataFrame]:
    """A rows x columns table of claim counts with totals, protected by the member rule.

    Returns the SuppressedTable and, when ``value`` names a dollar column, its sums per
    cell hidden in the same cells (NaN), with the same labels and totals.
    """
    counts = pd.crosstab(frame[rows], frame[columns]).reindex(index=row_order, columns=column_order, fill_value=0)
    members = (frame.groupby([rows, columns], observed=True)["member_id"].nunique().unstack(fill_value=0)
               .reindex(index=row_order, columns=column_order, fill_value=0))
    counts[TOTAL] = counts.sum(axis=1)
    counts.loc[TOTAL] = counts.sum(axis=0)
    members[TOTAL] = frame.groupby(rows, observed=True)["member_id"].nunique().reindex(row_order, fill_value=0)
    members.loc[TOTAL] = (frame.groupby(columns, observed=True)["member_id"].nunique()
                          .reindex(column_order, fill_value=0).tolist() + [frame["member_id"].nunique()])
    member_rule = (members >= 1) & (members <= SMALL_CELL_MAX)
    result = suppress_counts(counts.astype("int64"), margins=True, already_suppressed=member_rule)
    sums = pd.DataFrame(np.nan, index=counts.index, columns=counts.columns)
    if value is not None:
        table = frame.pivot_table(index=rows, columns=columns, values=value, aggfunc="sum", fill_value=0.0,
                                  observed=True).reindex(index=row_order, columns=column_order, fill_value=0.0)
        table[TOTAL] = table.sum(axis=1)
        table.loc[TOTAL] = table.sum(axis=0)
        sums = table.astype(float).round(2).mask(result.mask)
    return result, sums


# --------------------------------------------------------------------------- the views
@dataclass(frozen=True)
class View:
    """One dashboard view: a display table, its caption, the hiding note and a finding."""

    name: str
    table: pd.DataFrame
    caption: str
    note: str
    finding: str


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def claims_by_status(data: RevenueData) -> View:
    claims = data.claims
    protected = protect(claims, "status", status_order(), {"Charged": "charged_usd", "Paid": "paid_usd"})
    table = protected.display("Claims").reset_index(names="Status")
    shown = protected.result.shown.drop(TOTAL)
    total = protected.result.shown[TOTAL]
    visible = shown.dropna()
    if total is pd.NA or visible.empty:
        finding = "Too few members in this selection to describe the statuses without revealing someone."
    else:
        top = visible.astype(int).idxmax()
        finding = (f"{top} is the most common status: {int(visible[top]):,} of {int(total):,} claims "
                   f"({_share(int(visible[top]), int(total))}).")
    return View("Claims by status", table, "Claims by status, with charged and paid amounts (illustrative dollars)",
                protected.note() + " " + MONEY_NOTE, finding)


def denial_reasons(data: RevenueData) -> View:
    """Claim-level reasons (counted in claims) and line-level reasons (counted in lines)."""
    reasons = load_reference("denial_reasons")
    parts = []
    for level, frame, unit in (("claim", data.claims, "claims"), ("line", data.lines, "lines")):
        order = reasons.loc[reasons["applies_to"] == level, "reason"].tolist()
        denied = frame[frame["denial_reason"].notna()]
        protected = protect(denied, "denial_reason", order, {"Charged": "charged_usd"}, unit=unit, total=False)
        table = protected.display("Count").reset_index(names="Reason")
        table.insert(1, "Counted in", unit)
        table["What to check"] = reasons.set_index("reason").loc[order, "what_to_check"].tolist()
        parts.append((table, protected))
    table = pd.concat([t for t, _ in parts], ignore_index=True)
    notes = " ".join(f"{'Claim' if p.unit == 'claims' else 'Line'} reasons: {p.note()}" for _, p in parts)
    shown = [(row["Reason"], int(row["Count"].replace(",", ""))) for _, row in table.iterrows()
             if row["Count"] != SUPPRESSED_LABEL and row["Count"] != "0"]
    if shown:
        reason, count = max(shown, key=lambda item: item[1])
        finding = f"The most frequent shown reason is \"{reason}\" ({count:,}). Each reason points at something billing staff can check before sending."
    else:
        finding = "No denial reason can be shown for this selection without revealing someone (or there are none)."
    return View("Denial reasons", table, "Denial and rejection reasons, with what to check (illustrative dollars)",
                notes + " " + MONEY_NOTE, finding)


def days_to_payment(data: RevenueData) -> View:
    paid = data.claims[data.claims["paid_date"].notna()]
    order = [label for _, _, label in PAYMENT_BINS]
    protected = protect(paid, "payment_bin", order, {"Paid": "paid_usd"})
    table = protected.display("Claims paid").reset_index(names="Days from sending to payment")
    members = paid["member_id"].nunique()
    if members <= SMALL_CELL_MAX:
        finding = "Too few members in this selection to show payment times without revealing someone."
    else:
        median = float(paid["days_to_payment"].median())
        finding = f"Half of the paid claims were paid within {median:.0f} days of being sent."
        recent = paid[paid["submitted_date"] >= AB3275_START]
        late = recent[recent["days_to_payment"] > AB3275_DAYS]
        if recent["member_id"].nunique() > SMALL_CELL_MAX and (late.empty or late["member_id"].nunique() > SMALL_CELL_MAX):
            finding += (f" Of the paid claims sent on or after January 1, 2026, {_share(len(late), len(recent))} "
                        f"were paid more than {AB3275_DAYS} calendar days after they were sent.")
    return View("Days to payment", table, "Paid claims by days from sending to payment (illustrative dollars)",
                protected.note() + " " + MONEY_NOTE, finding)


def parse_as_of(value: object, data: RevenueData) -> pd.Timestamp:
    """An aging date typed as YYYY-MM-DD, between the first claim and the data date."""
    from calaim_course.claims import parse_date

    first = data.claims["submitted_date"].min() if len(data.claims) else data.as_of
    day = value if isinstance(value, pd.Timestamp) else parse_date(value)
    expected = f"a date as YYYY-MM-DD from {first:%Y-%m-%d} to {data.as_of:%Y-%m-%d} (the data date)"
    if day is None:
        raise CourseInputError("aging date", value, expected)
    day = pd.Timestamp(day)
    if not first <= day <= data.as_of:
        raise CourseInputError("aging date", f"{day:%Y-%m-%d}", expected)
    return day


def open_claims_at(claims: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Claims sent by ``as_of`` and not paid in full on that day, with what was outstanding.

    Outstanding is the charge minus what was paid by that day: a claim paid later was
    fully outstanding; a denied or rejected claim stays outstanding until it is fixed,
    appealed or written off (the synthetic data has no write-offs).
    """
    sent = claims[claims["submitted_date"] <= as_of]
    paid_by_then = sent["paid_usd"].where(sent["paid_date"].notna() & (sent["paid_date"] <= as_of), 0.0)
    out = sent.assign(outstanding_usd=(sent["charged_usd"] - paid_by_then).round(2),
                      age_days=(as_of - sent["submitted_date"]).dt.days)
    out = out[out["outstanding_usd"] > 0]
    return out.assign(aging_bucket=_bucket(out["age_days"], AGING_BUCKETS))


def ar_aging(data: RevenueData, as_of: object = None) -> View:
    day = data.as_of if as_of is None else parse_as_of(as_of, data)
    open_claims = open_claims_at(data.claims, day)
    order = [label for _, _, label in AGING_BUCKETS]
    protected = protect(open_claims, "aging_bucket", order, {"Outstanding": "outstanding_usd"})
    table = protected.display("Claims").reset_index(names="Days since sent")
    money = protected.money["Outstanding"]
    total = money.get(TOTAL)
    visible = money.drop(TOTAL).dropna()
    if total is None or pd.isna(total) or visible.empty or total == 0:
        finding = "Nothing outstanding can be shown for this selection without revealing someone (or nothing is outstanding)."
    else:
        older = [label for _, _, label in AGING_BUCKETS[2:]]
        finding = f"${total:,.2f} was outstanding on {_long_date(day)} (illustrative dollars)"
        if money[older].isna().any():
            finding += "; some buckets older than 60 days are hidden, so their share cannot be shown."
        else:
            finding += f"; {_share(money[older].sum(), total)} of it had been waiting more than 60 days."
    return View("Accounts receivable aging",
                table, f"Unpaid amounts by days since the claim was sent, on {_long_date(day)} (illustrative dollars)",
                protected.note() + " Outstanding means charged minus paid, on claims sent but not paid in full that day: "
                "awaiting a decision, denied or rejected and not yet fixed, or partly paid. " + MONEY_NOTE, finding)


def by_submission(data: RevenueData) -> View:
    """Claims by the way they were sent (837P, paper CMS-1500, invoice)."""
    order = [label for label in SUBMISSION_LABELS.values()]
    protected = protect(data.claims, "submission", order, {"Charged": "charged_usd"})
    table = protected.display("Claims").reset_index(names="Sent as")
    shown = protected.result.shown
    if shown[TOTAL] is pd.NA or shown.drop(TOTAL).isna().any():
        finding = "Some ways of sending are hidden for this selection."
    else:
        top = shown.drop(TOTAL).astype(int).idxmax()
        finding = f"Most claims went as {top}: {int(shown[top]):,} of {int(shown[TOTAL]):,} ({_share(int(shown[top]), int(shown[TOTAL]))})."
    return View("Claims by way of sending", table, "Synthetic claims by the way they were sent (illustrative dollars)",
                protected.note() + " " + MONEY_NOTE, finding)


VIEW_FUNCTIONS = {"Claims by status": claims_by_status, "Denial reasons": denial_reasons,
                  "Days to payment": days_to_payment, "Accounts receivable aging": ar_aging}


def view(data: RevenueData, name: str, as_of: object = None) -> View:
    """One of ``VIEWS`` for the (filtered) data; ``as_of`` is the aging date (aging only)."""
    if name not in VIEW_FUNCTIONS:
        raise CourseInputError("view", name, "one of " + ", ".join(VIEWS))
    if name == "Accounts receivable aging":
        return ar_aging(data, as_of)
    return VIEW_FUNCTIONS[name](data)


# --------------------------------------------------------------------------- chart data
def status_by_plan(data: RevenueData) -> tuple[pd.DataFrame, SuppressedTable]:
    """Long table for the status chart: status, plan (with "All plans"), claims, suppressed."""
    plans = filter_options(data)["plan"][1:]
    result, _ = protect_crosstab(data.claims, "status", "plan", status_order(), plans)
    long = result.to_long(include_totals=True)
    long = long[long["status"] != TOTAL].rename(columns={"count": "claims"})
    long["plan"] = long["plan"].replace({TOTAL: ALL_PLANS})
    return long.reset_index(drop=True), result


def aging_by_plan(data: RevenueData, as_of: object = None) -> tuple[pd.DataFrame, SuppressedTable]:
    """Long table for the aging chart: bucket, plan, outstanding dollars (NaN if hidden), suppressed."""
    plans = filter_options(data)["plan"][1:]
    day = data.as_of if as_of is None else parse_as_of(as_of, data)
    open_claims = open_claims_at(data.claims, day)
    order = [label for _, _, label in AGING_BUCKETS]
    result, sums = protect_crosstab(open_claims, "aging_bucket", "plan", order, plans, value="outstanding_usd")
    long = result.to_long()
    long = long.rename(columns={"count": "claims"})
    long["outstanding_usd"] = [sums.loc[b, p] for b, p in zip(long["aging_bucket"], long["plan"])]
    return long.reset_index(drop=True), result


__all__ = ["RevenueData", "ProtectedTable", "View", "VIEWS", "prepare", "filter_data", "filter_options",
           "protect", "protect_crosstab", "view", "claims_by_status", "denial_reasons", "days_to_payment",
           "ar_aging", "by_submission", "open_claims_at", "parse_as_of", "status_by_plan", "aging_by_plan", "AGING_BUCKETS", "PAYMENT_BINS", "ALL_PLANS",
           "ALL_PROGRAMS", "ALL_WAYS"]


# --------------------------------------------------------------------------- charts
def _chart_frame(long: pd.DataFrame, value: str) -> pd.DataFrame:
    """Plain JSON-friendly columns: hidden values become None, and a label column says so."""
    out = long.copy()
    out[value] = [None if pd.isna(v) else float(v) for v in out[value]]
    out["suppressed"] = out["suppressed"].astype(bool)
    for column in out.columns:
        if out[column].dtype == object and column not in (value,):
            out[column] = out[column].astype(str)
    return out


def status_chart(data: RevenueData):
    """Bars of claims by status; a drop-down below the chart picks the plan (works offline)."""
    import altair as alt

    from calaim_course.charts import OKABE_ITO, SUPPRESSED_COLOUR

    long, _ = status_by_plan(data)
    frame = _chart_frame(long, "claims")
    plans = filter_options(data)["plan"]
    pick = alt.param(name="rc_status_plan", value=ALL_PLANS,
                     bind=alt.binding_select(options=plans, name="Plan: "))
    order = status_order()
    base = alt.Chart(frame).transform_filter(alt.datum.plan == pick)
    y = alt.Y("status:N", sort=order, title="Claim status")
    bars = base.transform_filter("!datum.suppressed").mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X("claims:Q", title="Claims (count)"), y=y,
        tooltip=[alt.Tooltip("status:N", title="Status"), alt.Tooltip("plan:N", title="Plan"),
                 alt.Tooltip("claims:Q", title="Claims", format=",")])
    labels = base.transform_filter("!datum.suppressed").mark_text(align="left", dx=4).encode(
        x="claims:Q", y=y, text=alt.Text("claims:Q", format=","))
    hidden = base.transform_filter("datum.suppressed").mark_text(align="left", dx=4, color=SUPPRESSED_COLOUR,
                                                                   fontStyle="italic").encode(
        x=alt.datum(0), y=y, text=alt.value("suppressed (fewer than 11 members)"))
    return (bars + labels + hidden).add_params(pick).properties(
        title=alt.Title("Synthetic claims by status", subtitle="Choose a plan in the list below the chart"),
        width=460, height=220)


def aging_chart(data: RevenueData, as_of: object = None):
    """Grouped bars of outstanding dollars by days since sent and plan; click the legend to highlight a plan."""
    import altair as alt

    from calaim_course.charts import OKABE_ITO, SUPPRESSED_COLOUR

    day = data.as_of if as_of is None else parse_as_of(as_of, data)
    long, _ = aging_by_plan(data, day)
    frame = _chart_frame(long.drop(columns=["claims"]), "outstanding_usd")
    order = [label for _, _, label in AGING_BUCKETS]
    plans = filter_options(data)["plan"][1:]
    pick = alt.selection_point(name="rc_aging_plan", fields=["plan"], bind="legend")
    x = alt.X("aging_bucket:N", sort=order, title="Days since the claim was sent", axis=alt.Axis(labelAngle=0))
    colour = alt.Color("plan:N", title="Plan", scale=alt.Scale(domain=plans, range=OKABE_ITO[:len(plans)]),
                       legend=alt.Legend(labelLimit=320))
    base = alt.Chart(frame)
    bars = base.transform_filter("!datum.suppressed").mark_bar().encode(
        x=x, xOffset=alt.XOffset("plan:N", sort=plans), y=alt.Y("outstanding_usd:Q", title="Outstanding (illustrative US dollars)"),
        color=colour, opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("aging_bucket:N", title="Days since sent"), alt.Tooltip("plan:N", title="Plan"),
                 alt.Tooltip("outstanding_usd:Q", title="Outstanding ($)", format=",.2f")]).add_params(pick)
    hidden = base.transform_filter("datum.suppressed").mark_text(angle=270, align="left", dx=0, dy=0, baseline="middle",
                                                                   color=SUPPRESSED_COLOUR, fontStyle="italic").encode(
        x=x, xOffset=alt.XOffset("plan:N", sort=plans), y=alt.datum(0), text=alt.value("suppressed"))
    return (bars + hidden).properties(
        title=alt.Title(f"Unpaid claims by age on {_long_date(day)} (synthetic, illustrative dollars)",
                        subtitle="Click a plan in the legend to highlight it; grey text marks hidden cells"),
        width=460, height=260)


def payment_by_period(data: RevenueData) -> tuple[pd.DataFrame, SuppressedTable]:
    """Long table: payment bin, period sent (before 2026 or from 2026), claims, suppressed."""
    paid = data.claims[data.claims["paid_date"].notna()].copy()
    paid["period"] = np.where(paid["submitted_date"] >= AB3275_START, "Sent in 2026", "Sent before 2026")
    order = [label for _, _, label in PAYMENT_BINS]
    result, _ = protect_crosstab(paid, "payment_bin", "period", order, ["Sent before 2026", "Sent in 2026"])
    long = result.to_long().rename(columns={"count": "claims"})
    return long.reset_index(drop=True), result


def payment_chart(data: RevenueData):
    """Bars of paid claims by days from sending to payment, one colour per period sent."""
    import altair as alt

    from calaim_course.charts import OKABE_ITO, SUPPRESSED_COLOUR

    long, _ = payment_by_period(data)
    frame = _chart_frame(long, "claims")
    order = [label for _, _, label in PAYMENT_BINS]
    periods = ["Sent before 2026", "Sent in 2026"]
    pick = alt.selection_point(name="rc_payment_period", fields=["period"], bind="legend")
    x = alt.X("payment_bin:N", sort=order, title="Days from sending to payment", axis=alt.Axis(labelAngle=0))
    base = alt.Chart(frame)
    bars = base.transform_filter("!datum.suppressed").mark_bar().encode(
        x=x, xOffset=alt.XOffset("period:N", sort=periods), y=alt.Y("claims:Q", title="Paid claims (count)"),
        color=alt.Color("period:N", title="When sent", scale=alt.Scale(domain=periods, range=[OKABE_ITO[1], OKABE_ITO[0]])),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("payment_bin:N", title="Days to payment"), alt.Tooltip("period:N", title="When sent"),
                 alt.Tooltip("claims:Q", title="Claims", format=",")]).add_params(pick)
    hidden = base.transform_filter("datum.suppressed").mark_text(angle=270, align="left", baseline="middle",
                                                                   color=SUPPRESSED_COLOUR, fontStyle="italic").encode(
        x=x, xOffset=alt.XOffset("period:N", sort=periods), y=alt.datum(0), text=alt.value("suppressed"))
    return (bars + hidden).properties(
        title=alt.Title("How long the plans took to pay (synthetic claims)",
                        subtitle="The 30-day line falls between the 16-30 and 31-45 day bars; click the legend to highlight"),
        width=460, height=260)


def late_share(data: RevenueData) -> tuple[int, int] | None:
    """(late, all) paid claims sent in 2026 and paid after 30 calendar days; None if too few members."""
    paid = data.claims[data.claims["paid_date"].notna() & (data.claims["submitted_date"] >= AB3275_START)]
    late = paid[paid["days_to_payment"] > AB3275_DAYS]
    if paid["member_id"].nunique() <= SMALL_CELL_MAX or 0 < late["member_id"].nunique() <= SMALL_CELL_MAX:
        return None
    return len(late), len(paid)


def payment_period_finding(data: RevenueData) -> str:
    """Share of paid claims paid after 30 calendar days, for claims sent before 2026 and in 2026."""
    paid = data.claims[data.claims["paid_date"].notna()]
    parts = []
    for label, frame in (("sent before 2026", paid[paid["submitted_date"] < AB3275_START]),
                         ("sent in 2026", paid[paid["submitted_date"] >= AB3275_START])):
        late = frame[frame["days_to_payment"] > AB3275_DAYS]
        if frame["member_id"].nunique() <= SMALL_CELL_MAX or 0 < late["member_id"].nunique() <= SMALL_CELL_MAX:
            parts.append(f"the share for claims {label} is hidden (too few members)")
        else:
            parts.append(f"{_share(len(late), len(frame))} of the paid claims {label}")
    return (f"Paid more than {AB3275_DAYS} calendar days after sending: {parts[0]}, and {parts[1]}. "
            "For claims received from January 1, 2026, AB 3275 allows 30 calendar days for a complete claim.")
