"""Consent tracker: the synthetic agency's releases of information, by recipient and status.

Every release in the synthetic world names one recipient (a plan or a Community Supports
partner), a signing date and an end date, and may have been withdrawn (revoked). On a
given date each release is in exactly one status:

- **Revoked**: the survivor withdrew it on or before that date (before it expired);
- **Expired**: its end date has passed (the release covers days before ``expires_date``,
  the same convention the synthetic generator uses for billing);
- **Expiring soon**: in force, and its end date is at most N days away;
- **Active**: in force, with more than N days left.

Releases signed after the date are not counted. The default date is the last signing
date in the data, so the page is the same on every run (never "today").

Every count shown is small-cell suppressed (``calaim_course.suppression``): counts of 1
to 10 releases are hidden, with complementary suppression, because each release stands
for one survivor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import altair as alt
import numpy as np
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError
from calaim_course.suppression import (
    SUPPRESSED_LABEL,
    SuppressedTable,
    suppress_counts,
    suppress_for_display,
    suppression_note,
)

STATUSES = ["Active", "Expiring soon", "Expired", "Revoked"]
STATUS_COLOURS = dict(zip(STATUSES, [OKABE_ITO[2], OKABE_ITO[1], OKABE_ITO[4], OKABE_ITO[5]]))
DEFAULT_DAYS = 30
MAX_DAYS = 365  # a release in this data runs at most a year, so a longer window adds nothing
_WHOLE = re.compile(r"^\s*\+?\d+\s*$")
_ISO = re.compile(r"^\s*\d{4}-\d{2}-\d{2}\s*$")


def reference_date(consents: pd.DataFrame) -> pd.Timestamp:
    """The tracker's default date: the last day a release was signed in the data."""
    if consents.empty:
        raise CourseInputError("consents", "an empty table", "at least one release")
    return pd.Timestamp(consents["signed_date"].max()).normalize()


def parse_days(value: object) -> int:
    """The look-ahead window in days: a whole number from 1 to MAX_DAYS (text or int)."""
    if isinstance(value, bool):
        raise CourseInputError("Expiring within (days)", value, f"a whole number of days from 1 to {MAX_DAYS}")
    if isinstance(value, (int, np.integer)):
        days = int(value)
    elif isinstance(value, str) and _WHOLE.match(value):
        days = int(value.strip().lstrip("+"))
    else:
        raise CourseInputError("Expiring within (days)", value, f"a whole number of days from 1 to {MAX_DAYS}",
                               hint="Type digits only, for example 30.")
    if not 1 <= days <= MAX_DAYS:
        raise CourseInputError("Expiring within (days)", value, f"a whole number of days from 1 to {MAX_DAYS}")
    return days


def date_range(consents: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The dates the tracker accepts: first signing date to last end date in the data."""
    return (pd.Timestamp(consents["signed_date"].min()).normalize(),
            pd.Timestamp(consents["expires_date"].max()).normalize())


def parse_as_of(value: object, consents: pd.DataFrame) -> pd.Timestamp:
    """A date written YYYY-MM-DD (or a date object) inside the data's range."""
    first, last = date_range(consents)
    expected = f"a date written YYYY-MM-DD from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    if isinstance(value, pd.Timestamp):
        when = value.normalize()
    elif isinstance(value, date):
        when = pd.Timestamp(value)
    elif isinstance(value, str) and _ISO.match(value):
        try:
            when = pd.Timestamp(date.fromisoformat(value.strip()))
        except ValueError:
            raise CourseInputError("As of", value, expected, hint="That day does not exist in the calendar.") from None
    else:
        raise CourseInputError("As of", value, expected)
    if not first <= when <= last:
        raise CourseInputError("As of", value, expected, hint="Outside the dates in the synthetic data.")
    return when


def release_statuses(consents: pd.DataFrame, as_of: pd.Timestamp, days: int) -> pd.Series:
    """Each release's status on ``as_of`` (<NA> for releases signed later)."""
    signed = consents["signed_date"]
    expires = consents["expires_date"]
    revoked = consents["revoked_date"]
    revoked_by_then = revoked.notna() & (revoked <= as_of) & (revoked < expires)
    expired = ~revoked_by_then & (expires <= as_of)
    left = (expires - as_of).dt.days
    soon = ~revoked_by_then & ~expired & (left <= days)
    status = np.select([revoked_by_then, expired, soon], ["Revoked", "Expired", "Expiring soon"], default="Active")
    out = pd.Series(status, index=consents.index, dtype="object")
    out[signed > as_of] = pd.NA
    return out


class ReleaseCounter:
    """The releases as plain arrays, prepared once, so that counting them by recipient and
    status for any date and window is one vectorised pass (no table is copied or grouped).

    ``counts(as_of, days)`` gives exactly ``status_counts``: the statuses follow the rules
    of ``release_statuses`` (a test checks they agree).
    """

    def __init__(self, consents: pd.DataFrame, organizations: pd.DataFrame):
        names = organizations.set_index("org_id")["name"].astype(str)
        plans = set(organizations.loc[organizations["org_type"] == "managed_care_plan", "org_id"])
        recipient = consents["recipient_org_id"].astype(str)
        # Plans first, then the other recipients, each group in id order.
        self.recipients = sorted(recipient.unique(), key=lambda org: (org not in plans, org))
        self.labels = [names.get(org, org) for org in self.recipients]
        code = pd.Categorical(recipient, categories=self.recipients).codes.astype(np.int64)
        self.first_cell = code * (len(STATUSES) + 1)  # each recipient's cells: the statuses, then "not counted"
        self.signed = consents["signed_date"].to_numpy()
        self.expires = consents["expires_date"].to_numpy()
        revoked = consents["revoked_date"].to_numpy()
        # A withdrawal counts only if it came before the end date (NaT compares False).
        self.withdrawn_on = np.where(revoked < self.expires, revoked, np.datetime64("NaT"))

    def counts(self, as_of: pd.Timestamp, days: int) -> pd.DataFrame:
        """Releases by recipient (rows) and status (columns), with a Total row and column."""
        when = pd.Timestamp(as_of).to_datetime64()
        # Status positions in STATUSES: Active 0, Expiring soon 1, Expired 2, Revoked 3; 4: not counted.
        # Ending within the window, "(expires - as_of) in whole days, rounded down, <= days", is
        # "expires < as_of + days + 1 days". An expired release (expires <= as_of) ends within
        # it too, so it scores 1 + 1 = 2; one that ends later scores 0 (Active).
        status = (self.expires <= when).astype(np.int64)
        status += self.expires < when + np.timedelta64(days + 1, "D")
        status[self.withdrawn_on <= when] = 3
        status[self.signed > when] = 4  # signed later: not counted
        n_cells = len(STATUSES) + 1
        cells = np.bincount(self.first_cell + status, minlength=len(self.recipients) * n_cells)
        cells = cells.reshape(len(self.recipients), n_cells)[:, : len(STATUSES)]
        table = pd.DataFrame(cells)
        table.index = list(self.labels)
        table.index.name = "Recipient"
        table.columns = list(STATUSES)
        table.columns.name = "Status"
        table["Total"] = table.sum(axis=1)
        table.loc["Total"] = table.sum(axis=0)
        return table.astype("int64")


def status_counts(consents: pd.DataFrame, organizations: pd.DataFrame, as_of: pd.Timestamp,
                  days: int) -> pd.DataFrame:
    """Releases by recipient (rows) and status (columns), with a Total row and column."""
    return ReleaseCounter(consents, organizations).counts(as_of, days)


@dataclass(frozen=True)
class TrackerView:
    """What the tracker shows for one date and window: only suppressed numbers."""

    as_of: pd.Timestamp
    days: int
    suppressed: SuppressedTable
    display: pd.DataFrame
    note: str
    finding: str


def _fmt(value) -> str:
    return "a hidden number of" if pd.isna(value) else f"{int(value):,}"


def track(consents: pd.DataFrame, organizations: pd.DataFrame, as_of: object = None,
          days: object = DEFAULT_DAYS, counter: ReleaseCounter | None = None) -> TrackerView:
    """The tracker for a date (default: the reference date) and a look-ahead window.

    ``counter``: ``ReleaseCounter(consents, organizations)`` made once (the widget reuses it
    for every change); without it, it is made here.
    """
    window = parse_days(days)
    when = reference_date(consents) if as_of is None or as_of == "" else parse_as_of(as_of, consents)
    if counter is None:
        counter = ReleaseCounter(consents, organizations)
    counts = counter.counts(when, window)
    suppressed = suppress_counts(counts, margins=True)
    total = suppressed.shown.loc["Total"]
    in_force = (pd.NA if pd.isna(total["Active"]) or pd.isna(total["Expiring soon"])
                else int(total["Active"]) + int(total["Expiring soon"]))
    finding = (
        f"On {when:%B} {when.day}, {when.year}, {_fmt(in_force)} of {_fmt(total['Total'])} releases signed so far "
        f"are in force; {_fmt(total['Expiring soon'])} of them end within {window} days, "
        f"{_fmt(total['Expired'])} have expired and {_fmt(total['Revoked'])} were withdrawn by the survivor."
    )
    return TrackerView(when, window, suppressed, suppress_for_display(suppressed), suppression_note(suppressed), finding)


def tracker_chart(view: TrackerView) -> alt.Chart:
    """Stacked bars of releases by recipient and status; hidden counts are left out.

    Clicking a status in the legend highlights it (works in the static book).
    """
    long = view.suppressed.to_long()
    long = long[~long["suppressed"]].copy()
    long["count"] = long["count"].astype(int)
    pick = alt.selection_point(name="status_pick", fields=["Status"], bind="legend")
    order = {status: i for i, status in enumerate(STATUSES)}
    long["order"] = long["Status"].map(order)
    hidden = int(view.suppressed.mask.iloc[:-1, :-1].to_numpy().sum())
    subtitle = (f"As of {view.as_of:%Y-%m-%d}; 'expiring soon' means within {view.days} days. "
                f"{hidden} small or linked counts are hidden and left out of the bars; a row with no bar has all its counts hidden.")
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("Recipient:N", title="Recipient named on the release", sort=list(view.display.index[:-1]),
                    axis=alt.Axis(labelLimit=320)),
            x=alt.X("count:Q", title="Releases (count)", stack="zero"),
            color=alt.Color("Status:N", title="Status", scale=alt.Scale(domain=STATUSES, range=[STATUS_COLOURS[s] for s in STATUSES])),
            order=alt.Order("order:Q"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
            tooltip=[alt.Tooltip("Recipient:N"), alt.Tooltip("Status:N"), alt.Tooltip("count:Q", title="Releases")],
        )
        .add_params(pick)
        .properties(width=480, height=220,
                    title=alt.TitleParams("Releases of information by recipient and status (synthetic data)", subtitle=subtitle))
    )


def chart_description(view: TrackerView) -> str:
    """A text description of ``tracker_chart`` for screen readers, computed from the view."""
    recipients = list(view.display.index[:-1])
    inner = view.suppressed.mask.iloc[:-1, :-1]
    hidden = int(inner.to_numpy().sum())
    return (
        f"*Text description:* a horizontal stacked bar chart with one bar for each of the {len(recipients)} "
        f"organizations named on releases ({', '.join(recipients)}). Each bar is split into the four statuses "
        f"(active, expiring soon, expired and withdrawn), in that order from the left. {hidden} of the "
        f"{inner.size} recipient-and-status counts are hidden because they are small or could reveal a small "
        "count, and are left out of the bars; the table below the chart in the tracker shows which."
    )


__all__ = ["DEFAULT_DAYS", "chart_description", "MAX_DAYS", "ReleaseCounter", "STATUSES", "SUPPRESSED_LABEL", "TrackerView", "date_range", "parse_as_of",
           "parse_days", "reference_date", "release_statuses", "status_counts", "track", "tracker_chart"]
