"""Closed Loop Referrals (CLR): the status model, the referral funnel and open-referral aging.

What the sources say (see the fact base and ``data/reference``):

- The Referral Status values (Pending, Outreach Initiated, Accepted, Declined, Referral
  Loop Closed) come from one plan's public summary of the DHCS CLR guidance: SECONDARY.
- "Services Received" is a value of the separate "Reason for Referral Loop Closure"
  element (DHCS CLR FAQ): VERIFIED. The other closure reasons are ILLUSTRATIVE.
- No source we reviewed publishes which status may follow which, nor any number of days
  for closing a loop.

So the transition rules below are the course's ILLUSTRATIVE model of a typical
referral's path, kept in one data structure (``ILLUSTRATIVE_TRANSITIONS``) so a reader
can see all of it at once. Nothing here is a DHCS rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
    SuppressedTable,
    suppress_counts,
    suppress_for_display,
    suppression_note,
)
from calaim_course.suppression import _complete as _complete_suppression  # the rules on a bare array

PENDING = "Pending"
OUTREACH = "Outreach Initiated"
ACCEPTED = "Accepted"
DECLINED = "Declined"
CLOSED = "Referral Loop Closed"

# The course's ILLUSTRATIVE model (not a DHCS rule): current status -> {allowed next
# status: the event that moves a referral there}. A closed loop is final: a new need
# starts a new referral.
ILLUSTRATIVE_TRANSITIONS: dict[str, dict[str, str]] = {
    PENDING: {
        OUTREACH: "The provider starts trying to reach the member",
        ACCEPTED: "The member and provider agree to start the service",
        DECLINED: "The referral is declined",
        CLOSED: "The loop is closed before outreach (for example, the member is not eligible)",
    },
    OUTREACH: {
        ACCEPTED: "The member and provider agree to start the service",
        DECLINED: "The referral is declined",
        CLOSED: "The loop is closed without service (for example, the member could not be reached)",
    },
    ACCEPTED: {
        CLOSED: "The loop is closed, usually because the provider reports services received",
    },
    DECLINED: {
        CLOSED: "The loop is closed with a reason, so everyone knows the referral ended",
    },
    CLOSED: {},
}
START_STATUS = PENDING
MODEL_LABEL = (
    "Illustrative model: the course's own picture of a typical referral's path. "
    "No source reviewed publishes transition rules for these statuses."
)
DATE_FORMAT = "%m/%d/%Y"  # "Date of Referral Status Update" is MM/DD/YYYY (plan summary)


# ------------------------------------------------------------------ reference values


def referral_statuses() -> list[str]:
    """The Referral Status values, in the course's illustrative order (SECONDARY)."""
    table = load_reference("clr_referral_statuses").sort_values("sequence", kind="stable")
    return table["status"].tolist()


def closure_reasons() -> pd.DataFrame:
    """Reasons for Referral Loop Closure: "Services Received" VERIFIED, others ILLUSTRATIVE."""
    return load_reference("clr_closure_reasons")


def closure_reason_names() -> list[str]:
    return closure_reasons()["reason"].tolist()


def _service_reasons() -> set[str]:
    """Closure reasons that say services were rendered or begun."""
    table = closure_reasons()
    rendered = table["services_rendered"].astype(str).str.lower().isin(["true", "1", "yes"])
    return set(table.loc[rendered, "reason"])


def transitions_table() -> pd.DataFrame:
    """The illustrative model as a table a learner can read (one row per allowed move)."""
    rows = []
    for status in referral_statuses():
        moves = ILLUSTRATIVE_TRANSITIONS[status]
        if not moves:
            rows.append({"From status": status, "To status": "(none: the loop is closed)",
                         "What happens": "A new need starts a new referral"})
        for target, event in moves.items():
            rows.append({"From status": status, "To status": target, "What happens": event})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ the state machine


def _check_status(value: object, field_name: str) -> str:
    statuses = referral_statuses()
    if not isinstance(value, str) or value.strip() not in statuses:
        raise CourseInputError(field_name, value, "one of " + ", ".join(statuses))
    return value.strip()


def allowed_next(status: str) -> list[str]:
    """Statuses the illustrative model allows after ``status`` (in the reference order)."""
    status = _check_status(status, "Current status")
    order = referral_statuses()
    return sorted(ILLUSTRATIVE_TRANSITIONS[status], key=order.index)


def _allowed_text(status: str) -> str:
    allowed = allowed_next(status)
    if not allowed:
        return f"no change: in the course's illustrative model a loop that is {status!r} is final"
    return f"one of the moves the course's illustrative model allows from {status!r}: " + ", ".join(allowed)


def next_status(current: str, new: str) -> str:
    """Check one move against the illustrative model; return the new status or raise."""
    current = _check_status(current, "Current status")
    new = _check_status(new, "Next status")
    if new not in ILLUSTRATIVE_TRANSITIONS[current]:
        raise CourseInputError(
            "Next status", new, _allowed_text(current),
            hint="A new need after a closed loop starts a new referral." if current == CLOSED else None,
        )
    return new


def check_closure_reason(current: str, new: str, reason: str | None) -> str | None:
    """A move to "Referral Loop Closed" needs a closure reason; other moves take none.

    In the illustrative model, a reason that says services were rendered ("Services
    Received") needs the referral to have been Accepted first.
    """
    reason = reason.strip() if isinstance(reason, str) else reason
    if new != CLOSED:
        if reason:
            raise CourseInputError(
                "Reason for Referral Loop Closure", reason,
                f"no reason: a reason is recorded only when the status becomes {CLOSED!r}",
            )
        return None
    names = closure_reason_names()
    if reason not in names:
        raise CourseInputError("Reason for Referral Loop Closure", reason, "one of " + ", ".join(names))
    if reason in _service_reasons() and current != ACCEPTED:
        raise CourseInputError(
            "Reason for Referral Loop Closure", reason,
            f"a reason without services, because the referral was never {ACCEPTED!r} "
            "(in the course's illustrative model)",
        )
    return reason


def parse_status_date(text: object) -> dt.date:
    """A "Date of Referral Status Update" typed as MM/DD/YYYY."""
    if isinstance(text, dt.date):
        return text
    if not isinstance(text, str) or not text.strip():
        raise CourseInputError("Date of status update", text, "a date written MM/DD/YYYY, for example 07/15/2026")
    try:
        return dt.datetime.strptime(text.strip(), DATE_FORMAT).date()
    except ValueError:
        raise CourseInputError(
            "Date of status update", text, "a real date written MM/DD/YYYY, for example 07/15/2026"
        ) from None


@dataclass(frozen=True)
class StatusUpdate:
    status: str
    date: dt.date
    closure_reason: str | None = None


@dataclass(frozen=True)
class ReferralHistory:
    """One referral's status updates, oldest first. Immutable: ``apply`` returns a new one."""

    updates: tuple[StatusUpdate, ...] = field(default_factory=tuple)

    @classmethod
    def start(cls, date: object) -> "ReferralHistory":
        return cls((StatusUpdate(START_STATUS, parse_status_date(date)),))

    @property
    def status(self) -> str:
        return self.updates[-1].status

    def apply(self, new: str, date: object, closure_reason: str | None = None) -> "ReferralHistory":
        """Move to ``new`` on ``date``; raise CourseInputError if the move is not allowed."""
        new = next_status(self.status, new)
        when = parse_status_date(date)
        last = self.updates[-1].date
        if when < last:
            raise CourseInputError(
                "Date of status update", when.strftime(DATE_FORMAT),
                f"a date on or after the last update, {last.strftime(DATE_FORMAT)}",
            )
        reason = check_closure_reason(self.status, new, closure_reason)
        return ReferralHistory(self.updates + (StatusUpdate(new, when, reason),))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "Step": range(1, len(self.updates) + 1),
                "Referral Status": [u.status for u in self.updates],
                "Date of Referral Status Update": [u.date.strftime(DATE_FORMAT) for u in self.updates],
                "Reason for Referral Loop Closure": [u.closure_reason or "" for u in self.updates],
            }
        )


def check_path(statuses: list[str]) -> None:
    """Check a whole sequence of statuses against the model (used on the synthetic data)."""
    if not statuses:
        raise CourseInputError("status history", "an empty list", f"a history starting with {START_STATUS!r}")
    if statuses[0] != START_STATUS:
        raise CourseInputError("first status", statuses[0], repr(START_STATUS))
    for current, new in zip(statuses, statuses[1:]):
        next_status(current, new)


# ------------------------------------------------------------------ the synthetic data

# Where the referrals table keeps the date each status was reached.
STATUS_DATE_COLUMNS: dict[str, str] = {
    PENDING: "referral_date",
    OUTREACH: "outreach_initiated_date",
    ACCEPTED: "accepted_date",
    DECLINED: "declined_date",
    CLOSED: "loop_closed_date",
}
ALL = "All"
ECM_LABEL = "Enhanced Care Management"
FILTERS = ("service", "plan", "month")


def scope_table() -> pd.DataFrame:
    """Community Supports and whether Closed Loop Referral rules cover referrals to them."""
    supports = load_reference("community_supports")
    return pd.DataFrame({
        "Community Support": supports["name"],
        "Covered by Closed Loop Referrals": supports["in_closed_loop_scope"].map({True: "Yes", False: "No"}),
    })


def statuses_table() -> pd.DataFrame:
    """The Referral Status values with their meaning and confidence, for reading."""
    table = load_reference("clr_referral_statuses").sort_values("sequence", kind="stable")
    return table.rename(columns={"status": "Referral Status", "meaning": "What it means",
                                 "confidence": "Confidence"})[["Referral Status", "What it means", "Confidence"]]


def closure_reasons_table() -> pd.DataFrame:
    table = closure_reasons()
    return pd.DataFrame({
        "Reason for Referral Loop Closure": table["reason"],
        "Services given": table["services_rendered"].map({True: "Yes", False: "No"}),
        "Confidence": table["confidence"],
    })


def _per_distinct_row(table: pd.DataFrame, make) -> pd.DataFrame:
    """``make(table)``, worked out once for each distinct row of ``table`` and spread back.

    For work on a few id columns that would otherwise handle a million rows one value at a
    time: the referrals have only a few hundred distinct combinations. ``make`` returns a
    frame with a row for each row it is given; each result column keeps the type ``make``
    gave it.
    """
    # Number the distinct rows, one column at a time (missing values are values too).
    group = np.zeros(len(table), dtype=np.int64)
    for column in table.columns:
        codes, values = pd.factorize(table[column], use_na_sentinel=False)
        group, _ = pd.factorize(group * len(values) + codes)  # renumbered, so the numbers stay small
    # factorize numbers rows in order of first appearance, so the largest number so far
    # grows exactly at the first row of each group: those rows, in group order.
    first = np.flatnonzero(np.diff(np.maximum.accumulate(group), prepend=-1) > 0)
    distinct = make(table.iloc[first])
    return pd.DataFrame({column: pd.Series(distinct[column].to_numpy()[group], index=table.index,
                                           dtype=distinct[column].dtype)
                         for column in distinct.columns})


def _month_text(dates: pd.Series) -> pd.Series:
    """``dates.dt.strftime("%Y-%m")``, formatting each distinct date once.

    A million referrals fall on a few hundred days, and formatting every date one by one
    took seconds.
    """
    codes, days = pd.factorize(dates)  # a missing date gets code -1
    text = np.append(days.strftime("%Y-%m").to_numpy(dtype=object), np.nan)  # [-1]: stays missing
    return pd.Series(text[codes], index=dates.index, dtype=dates.iloc[:0].dt.strftime("%Y-%m").dtype)


def prepare_referrals(referrals: pd.DataFrame, organizations: pd.DataFrame) -> pd.DataFrame:
    """The referrals with readable ``service``, ``plan``, ``month`` and ``closure_reason`` columns."""
    needed = {"plan_id", "service_kind", "cs_id", "closure_reason_id", *STATUS_DATE_COLUMNS.values()}
    missing = sorted(needed - set(referrals.columns))
    if missing:
        raise CourseInputError("referrals", f"a table without {', '.join(missing)}", "the synthetic referrals table")
    names = dict(zip(organizations["org_id"], organizations["name"]))
    cs_names = dict(zip(*load_reference("community_supports")[["cs_id", "name"]].T.values))
    reasons = dict(zip(*closure_reasons()[["reason_id", "reason"]].T.values))

    def readable(ids: pd.DataFrame) -> pd.DataFrame:
        # Plain objects: the loaded data may use categorical columns, which refuse new labels.
        text = {column: ids[column].astype(object).where(ids[column].notna(), None) for column in ids.columns}
        return pd.DataFrame({
            "service": text["cs_id"].map(cs_names).where(text["service_kind"] != "ecm", ECM_LABEL),
            "plan": text["plan_id"].map(names),
            "closure_reason": text["closure_reason_id"].map(reasons),
        })

    labels = _per_distinct_row(referrals[["plan_id", "service_kind", "cs_id", "closure_reason_id"]], readable)
    # A shallow copy is enough: pandas copies on write, so the new columns never reach ``referrals``.
    frame = referrals.copy(deep=False)
    frame["service"] = labels["service"]
    frame["plan"] = labels["plan"]
    frame["month"] = _month_text(frame["referral_date"])
    frame["closure_reason"] = labels["closure_reason"]
    for column in ("service", "plan"):
        if frame[column].isna().any():
            raise CourseInputError(f"referrals column {column}", "a value with no name", "ids found in the reference tables")
    return frame


def status_path(row: pd.Series) -> list[str]:
    """The statuses one referral went through, in order of date (then the reference order)."""
    order = referral_statuses()
    reached = [(row[column], order.index(status)) for status, column in STATUS_DATE_COLUMNS.items()
               if pd.notna(row[column])]
    statuses = {order.index(s): s for s in STATUS_DATE_COLUMNS}
    return [statuses[rank] for _, rank in sorted(reached)]


def reference_date(frame: pd.DataFrame) -> dt.date:
    """The data's own "as of" date: the latest status update in it (never today's date)."""
    latest = pd.Series([frame[column].max() for column in STATUS_DATE_COLUMNS.values()]).max()
    if pd.isna(latest):
        raise CourseInputError("referrals", "a table with no dates", "at least one referral")
    return pd.Timestamp(latest).date()


def _in_filter_order(name: str, values) -> list[str]:
    """A filter's values in the order offered: services with Enhanced Care Management first."""
    if name == "service":
        return sorted(values, key=lambda s: (s != ECM_LABEL, s))
    return sorted(values)


def filter_options(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Values a learner can filter by: "All" first, then each value in the data."""
    return {name: [ALL, *_in_filter_order(name, frame[name].unique())] for name in FILTERS}


def month_label(month: str) -> str:
    """"2026-07" as "July 2026"."""
    return month if month == ALL else dt.datetime.strptime(month, "%Y-%m").strftime("%B %Y")


def _check_filters(options: dict[str, list[str]], choice: dict[str, str]) -> dict[str, str]:
    for name in FILTERS:
        value = choice.get(name, ALL)
        if value not in options[name]:
            raise CourseInputError(name.capitalize(), value, "one of " + ", ".join(options[name]))
    return {name: choice.get(name, ALL) for name in FILTERS}


@dataclass(frozen=True)
class Funnel:
    """Referrals reaching each status for one choice of filters, safe to show."""

    counts: pd.Series  # Int64, <NA> where hidden; index: statuses
    hidden: pd.Series  # bool
    filters: dict[str, str]

    @property
    def n_hidden(self) -> int:
        return int(self.hidden.sum())

    def display(self) -> pd.DataFrame:
        shown = self.counts.map(lambda v: SUPPRESSED_LABEL if v is pd.NA else f"{int(v):,}")
        return pd.DataFrame({"Referral Status": self.counts.index, "Referrals that reached it": shown.to_numpy()})

    def note(self) -> str:
        if self.n_hidden == 0:
            return f"No counts are hidden: none is between 1 and {SMALL_CELL_MAX} ({DDG_NAME})."
        return (
            f"{self.n_hidden} of {len(self.counts)} counts are hidden (shown as \"{SUPPRESSED_LABEL}\"): counts "
            f"from 1 to {SMALL_CELL_MAX}, and counts that could be worked out by subtracting one view "
            f"from another, for example one plan from all plans ({DDG_NAME})."
        )


def suppress_line(counts: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """The cells to hide in one line of the funnel cube, as ``suppress_counts`` decides.

    ``counts``: statuses (rows) by one filter's values then "All" (the last column, the
    line's total). ``hidden``: cells already hidden. The same as
    ``suppress_counts(table, implicit_totals=False, already_suppressed=hidden).mask`` on
    that table labelled, but it calls the suppression rules on the numbers directly:
    labelling and checking a table for each of the cube's hundreds of lines took seconds.
    A test checks the two agree on every line of the course's cube.
    """
    counts = np.asarray(counts, dtype=np.int64)
    primary = (counts >= 1) & (counts <= SMALL_CELL_MAX)
    has_total = counts.shape[1] >= 2  # the "All" column is detected as a total only with a value before it
    mask, _ = _complete_suppression(counts, primary | hidden, False, has_total, False)
    return mask


class FunnelCube:
    """Referrals reaching each status, for every combination of service, plan and month.

    Why a cube: a learner can switch filters freely, so a small count hidden in one view
    could be worked out from others ("all plans" minus "the other plan"). Every line of
    the cube (one filter varying, with its "All" total) is suppressed together, and hidden
    cells are fed back into the other lines until nothing changes (CalHHS DDG
    complementary suppression). Built once; every view is then a lookup.
    """

    def __init__(self, frame: pd.DataFrame):
        # One pass over each filter column gives its values (the options, as ``filter_options``
        # gives them) and each referral's value as a number.
        found = {name: pd.factorize(frame[name], use_na_sentinel=False) for name in FILTERS}
        self.options = {name: [ALL, *_in_filter_order(name, values)] for name, (_, values) in found.items()}
        self.statuses = referral_statuses()
        axes = [self.options[name][1:] for name in FILTERS]  # without "All"
        sizes = [len(values) for values in axes]
        base = np.zeros((len(self.statuses), *sizes), dtype=np.int64)
        # Each referral's cell (service, plan, month) as one number: its value's place on each axis.
        positions = [pd.Index(axis).get_indexer(found[name][1])[found[name][0]] for name, axis in zip(FILTERS, axes)]
        cell = np.ravel_multi_index(positions, sizes) if len(frame) else np.zeros(0, dtype=np.int64)
        for k, status in enumerate(self.statuses):
            reached = frame[STATUS_DATE_COLUMNS[status]].notna().to_numpy()
            base[k] = np.bincount(cell[reached], minlength=base[k].size).reshape(sizes)
        # Append an "All" slot (the total) at the end of each filter axis.
        full = np.zeros((len(self.statuses), *(n + 1 for n in sizes)), dtype=np.int64)
        full[:, : sizes[0], : sizes[1], : sizes[2]] = base
        for axis, n in enumerate(sizes, start=1):
            index = [slice(None)] * 4
            index[axis] = n
            part = [slice(None)] * 4
            part[axis] = slice(0, n)
            full[tuple(index)] = full[tuple(part)].sum(axis=axis)
        self.counts = full
        self.hidden = self._suppress(full)

    def _suppress(self, full: np.ndarray) -> np.ndarray:
        mask = (full >= 1) & (full <= SMALL_CELL_MAX)
        # Line answers already worked out, keyed by the line (axis, i, j) and its hidden
        # cells before: a line's counts never change, so the same key gives the same answer.
        # Later passes mostly revisit lines that did not change.
        answers: dict[tuple[int, int, int, bytes], np.ndarray] = {}
        changed = True
        while changed:  # each pass only adds hidden cells, so this ends
            changed = False
            for axis in (1, 2, 3):
                others = [a for a in (1, 2, 3) if a != axis]
                for i in range(full.shape[others[0]]):
                    for j in range(full.shape[others[1]]):
                        index = [slice(None)] * 4
                        index[others[0]], index[others[1]] = i, j
                        index = tuple(index)
                        before = mask[index]
                        if not before.any():
                            continue  # nothing hidden on this line: nothing to protect
                        key = (axis, i, j, before.tobytes())
                        if key not in answers:
                            answers[key] = suppress_line(full[index], before)
                        after = answers[key]
                        if (after != before).any():
                            mask[index] = after
                            changed = True
        return mask

    def view(self, service: str = ALL, plan: str = ALL, month: str = ALL) -> Funnel:
        choice = _check_filters(self.options, {"service": service, "plan": plan, "month": month})
        where = tuple(self.options[name].index(choice[name]) - 1 for name in FILTERS)  # "All" -> -1
        values = self.counts[(slice(None), *where)]
        hidden = self.hidden[(slice(None), *where)]
        counts = pd.Series(pd.array(values.tolist(), dtype="Int64"), index=pd.Index(self.statuses, name="Referral Status"),
                           name="referrals")
        counts[hidden] = pd.NA
        return Funnel(counts=counts, hidden=pd.Series(hidden, index=counts.index), filters=choice)


def funnel(frame: pd.DataFrame, service: str = ALL, plan: str = ALL, month: str = ALL) -> Funnel:
    """How many referrals reached each status, for the chosen service, plan and month."""
    return FunnelCube(frame).view(service=service, plan=plan, month=month)


def funnel_finding(result: Funnel) -> str:
    """One sentence with the funnel's main finding, computed from the shown counts."""
    counts = result.counts
    total, closed = counts[PENDING], counts[CLOSED]
    if total is pd.NA or closed is pd.NA:
        return "Some counts in this view are small and hidden, so no share is given."
    if total == 0:
        return "No referrals match these filters."
    share = round(100 * closed / total)
    sentence = f"Of {total:,} referrals in this view, {closed:,} ({share}%) reached \"{CLOSED}\""
    if closed == total:
        return sentence + "."
    return sentence + "; the others were still open on the data's date."


def funnel_description(cube: FunnelCube) -> str:
    """A text description of the funnel chart's default view, for screen readers."""
    result = cube.view()
    parts = [f"{status}: {'suppressed' if value is pd.NA else f'{int(value):,}'}"
             for status, value in result.counts.items()]
    return ("Text description: a horizontal bar chart with one bar per Referral Status, for all plans. "
            "Referrals that reached each status: " + "; ".join(parts) + ". A menu above the chart switches "
            "to one plan; rows whose count is hidden show the word \"suppressed\" instead of a bar.")


def funnel_chart_data(cube: FunnelCube) -> pd.DataFrame:
    """Funnels for all plans and each plan (all services and months), for a chart."""
    rows = []
    for plan in cube.options["plan"]:
        result = cube.view(plan=plan)
        label = "All plans" if plan == ALL else plan
        for rank, status in enumerate(result.counts.index):
            value = result.counts[status]
            rows.append({"plan": label, "status": status, "order": rank,
                         "referrals": None if value is pd.NA else int(value),
                         "suppressed": bool(result.hidden[status])})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ open-referral aging

MAX_THRESHOLD_DAYS = 3650


def parse_threshold(text: object) -> int:
    """Days open, typed by a learner: a whole number from 0 to 3650."""
    return parse_whole_days(text, "Days open", MAX_THRESHOLD_DAYS, example=45)


STILL_OPEN = "Still open"


def _loop_days(frame: pd.DataFrame, as_of: dt.date) -> tuple[pd.Series, pd.Series, pd.Series]:
    """For the referrals made by ``as_of``: whether made (a mask over ``frame``), then days open and closed-by-then."""
    as_of_ts = pd.Timestamp(as_of)
    made = frame["referral_date"] <= as_of_ts
    closed_date = frame.loc[made, "loop_closed_date"]
    closed = closed_date.notna() & (closed_date <= as_of_ts)
    end = closed_date.where(closed, as_of_ts)
    days = (end - frame.loc[made, "referral_date"]).dt.days.astype("int64")
    return made, days, closed


def days_open(frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Referrals made by ``as_of``, with ``days_open`` and ``outcome``.

    ``days_open``: days from the referral to the loop's closure, or to ``as_of`` if the
    loop was still open then. ``outcome``: "Still open", or "Closed: <closure reason>".
    """
    made, days, closed = _loop_days(frame, as_of)
    out = frame[made].copy()
    out["days_open"] = days
    out["outcome"] = ("Closed: " + out["closure_reason"].astype(str)).where(closed, STILL_OPEN)
    return out


OTHER_CLOSURE = "Closed: another reason"
SERVICES_RECEIVED_GROUP = "Closed: Services Received"
# Rows of the aging table. Closure reasons other than Services Received are grouped: the
# groups stay large enough to show, and the table does not single out any reason.
AGING_ROWS = [STILL_OPEN, SERVICES_RECEIVED_GROUP, OTHER_CLOSURE]


@dataclass(frozen=True)
class Aging:
    """Referrals split at a days-open threshold, by how they stood on the data's date."""

    threshold: int
    as_of: dt.date
    table: pd.DataFrame  # display strings
    result: SuppressedTable

    @property
    def past_column(self) -> str:
        return f"Open more than {self.threshold} days"

    @property
    def total_past(self):
        """Referrals whose loop was open longer than the threshold (``<NA>`` if hidden)."""
        return self.result.shown.loc["Total", self.past_column]

    @property
    def open_past(self):
        """Referrals still open and open longer than the threshold (``<NA>`` if hidden)."""
        return self.result.shown.loc[STILL_OPEN, self.past_column]

    def note(self) -> str:
        return suppression_note(self.result)


@dataclass(frozen=True)
class LoopDays:
    """How many days each referral's loop was open on ``as_of``, sorted within each row of
    the aging table (``AGING_ROWS``).

    Built once for a date (one pass over the referrals); counting the loops open more
    than any threshold is then a binary search in each row, whatever the data's size.
    """

    as_of: dt.date
    sorted_days: dict[str, np.ndarray]  # row of AGING_ROWS -> days open, ascending

    def split(self, label: str, days: int) -> tuple[int, int]:
        """Loops of row ``label`` open ``days`` or fewer, and open more than ``days``."""
        values = self.sorted_days[label]
        within = int(np.searchsorted(values, days, side="right"))
        return within, len(values) - within


def loop_days(frame: pd.DataFrame, as_of: dt.date | None = None) -> LoopDays:
    """The days each loop was open on ``as_of`` (default: the data's own date), ready for ``aging``."""
    as_of = as_of or reference_date(frame)
    made, days, closed = _loop_days(frame, as_of)
    # The outcome "Closed: <reason>" is SERVICES_RECEIVED_GROUP exactly when the reason is what follows "Closed: ".
    services = frame.loc[made, "closure_reason"].astype(str) == SERVICES_RECEIVED_GROUP.removeprefix("Closed: ")
    rows = {STILL_OPEN: ~closed, SERVICES_RECEIVED_GROUP: closed & services, OTHER_CLOSURE: closed & ~services}
    return LoopDays(as_of, {label: np.sort(days[rows[label]].to_numpy()) for label in AGING_ROWS})


def aging(frame: pd.DataFrame, threshold: object, as_of: dt.date | None = None,
          loops: LoopDays | None = None) -> Aging:
    """Referrals whose loop was open ``threshold`` days or fewer versus more, by outcome (suppressed).

    The threshold is the learner's own working choice: no DHCS day count for closing a
    loop was found in the sources reviewed. ``loops``: ``loop_days(frame, as_of)`` made
    once (a widget reuses it for every threshold); without it, it is made here.
    """
    days = parse_threshold(threshold)
    if loops is None:
        loops = loop_days(frame, as_of or reference_date(frame))
    as_of = loops.as_of
    within, past = f"Open {days} days or fewer", f"Open more than {days} days"
    counts = pd.DataFrame(0, index=pd.Index([*AGING_ROWS, "Total"], name=f"On {long_date(as_of)}"),
                          columns=[within, past, "Total"], dtype="int64")
    for label in AGING_ROWS:
        counts.loc[label, within], counts.loc[label, past] = loops.split(label, days)
    counts["Total"] = counts[within] + counts[past]
    counts.loc["Total"] = counts.loc[AGING_ROWS].sum()
    result = suppress_counts(counts)
    return Aging(days, as_of, suppress_for_display(result), result)


def long_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def aging_finding(result: Aging) -> str:
    """One or two sentences with the main finding, from the shown (suppressed) counts."""
    when, days = long_date(result.as_of), result.threshold
    total, still = result.total_past, result.open_past
    if total is pd.NA:
        return (f"On {when}, the number of referrals open more than {days} days is hidden, "
                "so that small counts cannot be worked out from it.")
    first = (f"On {when}, {total:,} referrals had a loop open more than {days} days "
             "(to its closure, or to that date if still open)")
    if still is pd.NA:
        return first + "; how many of them were still open is hidden."
    return first + f"; {still:,} of them were still open."


DAY_BANDS = [(0, 7, "1 week or less"), (8, 14, "1 to 2 weeks"), (15, None, "More than 2 weeks")]


OTHER_GROUP = "Closed another way, or still open"


def days_open_bands(frame: pd.DataFrame, as_of: dt.date | None = None,
                    loops: LoopDays | None = None) -> SuppressedTable:
    """Referrals by how long the loop was open (rows, in weeks) and outcome (two columns).

    Week bands are for display only; they are not deadlines. ``loops``: as for ``aging``.
    """
    if loops is None:
        loops = loop_days(frame, as_of or reference_date(frame))
    # Loops open at most each band's last day, per outcome column; a band is the difference.
    upper = [high for _, high, _ in DAY_BANDS[:-1]]
    columns = {SERVICES_RECEIVED_GROUP: [SERVICES_RECEIVED_GROUP], OTHER_GROUP: [STILL_OPEN, OTHER_CLOSURE]}
    counts = {}
    for column, rows in columns.items():
        up_to = [sum(loops.split(row, high)[0] for row in rows) for high in upper]
        everyone = sum(len(loops.sorted_days[row]) for row in rows)
        counts[column] = np.diff([0, *up_to, everyone])
    labels = [label for _, _, label in DAY_BANDS]
    table = pd.DataFrame(counts, index=pd.Index(labels, name="days_open"), dtype="int64")
    table.columns.name = "outcome"
    return suppress_counts(table)


def bands_finding(result: SuppressedTable) -> str:
    """Where the loops closed as Services Received fall (computed from the shown counts)."""
    column = result.shown[SERVICES_RECEIVED_GROUP]
    if column.isna().any() and column.dropna().sum() == 0:
        return "The counts are small and hidden."
    top = column.astype("Float64").idxmax()
    sentence = f"The largest group of loops closed as Services Received had been open {top.lower()}."
    tail = []  # bands at the long end where no loop closed as Services Received
    for (low, _, label), value in zip(reversed(DAY_BANDS), reversed(column.tolist())):
        if value is pd.NA or value != 0:
            break
        tail.append(low)
    if tail:
        sentence += f" None of them had been open more than {min(tail) - 1} days."
    return sentence


# ------------------------------------------------------------------ charts

SYNTHETIC_NOTE = "Synthetic data: Cedar Lantern Survivor Services, a fictional agency."


def funnel_chart(cube: FunnelCube, as_of: dt.date) -> alt.LayerChart:
    """Horizontal bars of referrals reaching each status, with a plan menu that works in the page.

    Hidden (suppressed) counts get no bar; the word "suppressed" marks their row.
    """
    data = funnel_chart_data(cube)
    plans = data["plan"].drop_duplicates().tolist()
    months = cube.options["month"][1:]
    pick = alt.param(name="plan_choice", value=plans[0],
                     bind=alt.binding_select(options=plans, name="Plan: "))
    order = referral_statuses()
    base = alt.Chart(data).transform_filter(alt.datum.plan == pick).encode(
        y=alt.Y("status:N", sort=order, title="Referral Status"),
    )
    bars = base.transform_filter("!datum.suppressed").mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X("referrals:Q", title="Referrals that reached the status"),
        tooltip=[alt.Tooltip("plan:N", title="Plan"), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("referrals:Q", title="Referrals")],
    )
    hidden = base.transform_filter("datum.suppressed").mark_text(
        align="left", dx=4, color="#555555", fontStyle="italic", text="suppressed (1 to 10, or could be worked out)",
    ).encode(x=alt.datum(0))
    return alt.layer(bars, hidden).add_params(pick).properties(
        width=460, height=200,
        title=alt.Title("How far referrals got in the Closed Loop Referral statuses",
                        subtitle=[f"Referrals made {month_label(months[0])} to {month_label(months[-1])}, "
                                  f"statuses as of {long_date(as_of)}.",
                                  SYNTHETIC_NOTE]),
    )


def days_open_chart(result: SuppressedTable, as_of: dt.date) -> alt.LayerChart:
    """Grouped bars: referrals by weeks open and outcome; hidden cells have no bar and say so."""
    data = result.to_long()
    data["count"] = data["count"].astype("Float64")
    data["label"] = data["count"].map(lambda v: "" if pd.isna(v) else f"{int(v)}")
    pick = alt.selection_point(fields=["outcome"], bind="legend")
    order = [label for _, _, label in DAY_BANDS]
    base = alt.Chart(data).encode(
        x=alt.X("days_open:N", sort=order, title="How long the loop was open", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("outcome:N", sort=[SERVICES_RECEIVED_GROUP, OTHER_GROUP]),
    )
    bars = base.transform_filter("!datum.suppressed").mark_bar().encode(
        y=alt.Y("count:Q", title="Referrals"),
        color=alt.Color("outcome:N", title="Outcome (click to highlight)",
                        scale=alt.Scale(domain=[SERVICES_RECEIVED_GROUP, OTHER_GROUP], range=OKABE_ITO[:2]),
                        legend=alt.Legend(labelLimit=320, titleLimit=320, orient="bottom", direction="vertical")),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("days_open:N", title="Open"), alt.Tooltip("outcome:N", title="Outcome"),
                 alt.Tooltip("count:Q", title="Referrals")],
    ).add_params(pick)
    hidden = base.transform_filter("datum.suppressed").mark_text(
        text="suppressed", angle=270, align="left", dx=-4, color="#555555", fontStyle="italic",
    ).encode(y=alt.datum(0))
    return alt.layer(bars, hidden).properties(
        width=460, height=260,
        title=alt.Title("How long each referral's loop stayed open",
                        subtitle=[f"Days from referral to closure, or to {long_date(as_of)} if still open. "
                                  "Week bands are for display, not deadlines.", SYNTHETIC_NOTE]),
    )


def bands_description(result: SuppressedTable) -> str:
    """A text description of the days-open chart, for screen readers."""
    parts = []
    for band, row in result.shown.iterrows():
        short = {SERVICES_RECEIVED_GROUP: "closed as Services Received", OTHER_GROUP: "other outcomes"}
        cells = [f"{short[outcome]} {'suppressed' if v is pd.NA else int(v)}" for outcome, v in row.items()]
        parts.append(f"{band}: " + ", ".join(cells))
    return ("Text description: a grouped bar chart with two bars for each band of time the loop was open. "
            + "; ".join(parts) + ".")


# ------------------------------------------------------------------ the notebook's data


@dataclass(frozen=True)
class CourseReferrals:
    """Everything the section's charts and widgets need, built once."""

    frame: pd.DataFrame
    as_of: dt.date
    cube: FunnelCube
    consents: pd.DataFrame


def load_course_data(world=None) -> CourseReferrals:
    """The synthetic agency's referrals, ready for the section (``world`` defaults to the committed data)."""
    if world is None:
        from calaim_course.synthetic import load_world

        world = load_world()
    frame = prepare_referrals(world.referrals, world.organizations)
    return CourseReferrals(frame, reference_date(frame), FunnelCube(frame), world.consents)


def _with_releases(frame: pd.DataFrame, consents: pd.DataFrame) -> pd.DataFrame:
    """The referrals with the columns of the release each one names (``consent_id``).

    What ``frame.merge(consents, on="consent_id", how="left", suffixes=("", "_consent"))``
    gives for the columns ``release_check`` reads. When each release id is there once (as
    in the synthetic data), each referral's release is looked up by position instead:
    merging the whole tables took seconds for a million members.
    """
    columns = ["signed_date", "expires_date", "revoked_date", "recipient_org_id"]
    ids = pd.Index(consents["consent_id"])
    if not ids.is_unique or set(columns) & set(frame.columns):  # several matches, or name clashes: merge
        return frame.merge(consents, on="consent_id", how="left", suffixes=("", "_consent"))
    at = ids.get_indexer(frame["consent_id"])  # -1: no such release
    found = {column: pd.api.extensions.take(consents[column].array, at, allow_fill=True) for column in columns}
    return frame.assign(**{column: pd.Series(values, index=frame.index) for column, values in found.items()})


def release_check(data: CourseReferrals) -> str:
    """Whether every referral is linked to a release in force on the referral date (counts suppressed)."""
    frame = _with_releases(data.frame, data.consents)
    in_force = (
        frame["signed_date"].le(frame["referral_date"])
        & frame["expires_date"].ge(frame["referral_date"])
        & (frame["revoked_date"].isna() | frame["revoked_date"].gt(frame["referral_date"]))
    ).fillna(False).astype(bool)

    def right_party(parties: pd.DataFrame) -> pd.DataFrame:
        parties = parties.astype(object)  # categorical columns refuse mixing
        # Inbound: the agency reports back to the member's plan (Return Transmission File), so
        # the release must name the plan. Outbound: it must name the receiving organization.
        named = parties["plan_id"].where(parties["direction"] == "inbound", parties["receiving_org_id"])
        return pd.DataFrame({"right_party": parties["recipient_org_id"] == named})

    parties = frame[["direction", "plan_id", "receiving_org_id", "recipient_org_id"]]
    ok = in_force & _per_distinct_row(parties, right_party)["right_party"]
    table = pd.crosstab(frame["direction"].astype(object), ok).reindex(columns=[True, False], fill_value=0)
    table.columns = ["with a release in force", "without"]
    shown = suppress_counts(table.astype("int64")).shown
    outbound, inbound = shown.loc["outbound"], shown.loc["inbound"]

    def say(value) -> str:
        return "a small, hidden number of" if value is pd.NA else f"{int(value):,}"

    return (
        f"In the synthetic agency's data, {say(inbound['with a release in force'])} inbound referrals and "
        f"{say(outbound['with a release in force'])} outbound referrals were linked to a signed, time-limited release "
        f"in force on the referral date and naming the right recipient (the member's plan for inbound "
        f"referrals, the receiving organization for outbound ones); "
        f"{say(inbound['without'])} inbound and {say(outbound['without'])} outbound referrals were not."
    )
