"""The CalAIM timeline: dated events from the fact base, drawn as an Altair chart.

The table ``data/reference/calaim_timeline.csv`` holds one row per dated event, each with
its source, its confidence (VERIFIED or SECONDARY: the course never charts an UNVERIFIED
date) and the date it was last checked. The chart has a drop-down list bound to a Vega-Lite
parameter, so a reader filters it by initiative in the web page, without Python.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import altair as alt
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError

TIMELINE_CSV = Path(__file__).resolve().parents[2] / "data" / "reference" / "calaim_timeline.csv"
COLUMNS = ["date", "event", "initiative", "source_url", "confidence", "last_verified", "note"]
REQUIRED = COLUMNS[:-1]
ALLOWED_CONFIDENCE = ("VERIFIED", "SECONDARY")
ALL = "All initiatives"
REVIEW_DATE = dt.date(2026, 12, 3)  # the date this section was last reviewed
WAIVER_END_EVENT = "The CalAIM Section 1115 and 1915(b) waivers end unless renewed"


# ------------------------------------------------------------------------------ data


def _row_name(index: int) -> str:
    return f"calaim_timeline row {index + 2}"  # +2: the header is line 1, rows start at 2


def validate_timeline(frame: pd.DataFrame) -> pd.DataFrame:
    """Check the timeline table and return it sorted by date, with ``date`` as a datetime.

    Raises ``CourseInputError`` naming the row (as a line of the CSV) and column for a
    missing column or value, a date that is not YYYY-MM-DD, a confidence other than
    VERIFIED or SECONDARY, or a source that is not an https address.
    """
    if not isinstance(frame, pd.DataFrame):
        raise CourseInputError("timeline", type(frame).__name__, "a pandas DataFrame")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise CourseInputError("calaim_timeline columns", ", ".join(missing) + " missing",
                               "the columns " + ", ".join(COLUMNS))
    if frame.empty:
        raise CourseInputError("calaim_timeline", "no rows", "at least one dated event")
    out = frame.reset_index(drop=True).copy()
    for i, row in out.iterrows():  # a few dozen rows: a loop gives the clearest messages
        for column in REQUIRED:
            value = row[column]
            if value is None or (not isinstance(value, (str, pd.Timestamp, dt.date)) and pd.isna(value)) \
                    or (isinstance(value, str) and not value.strip()):
                raise CourseInputError(f"{_row_name(i)}, column {column}", value, "a value")
        for column in ("date", "last_verified"):
            value = row[column]
            if isinstance(value, (pd.Timestamp, dt.date)):
                continue
            try:
                dt.date.fromisoformat(str(value).strip())
            except ValueError:
                raise CourseInputError(f"{_row_name(i)}, column {column}", value,
                                       "a date written YYYY-MM-DD, for example 2026-12-31") from None
        if row["confidence"] not in ALLOWED_CONFIDENCE:
            raise CourseInputError(f"{_row_name(i)}, column confidence", row["confidence"],
                                   "VERIFIED or SECONDARY", "UNVERIFIED dates are never charted as fact.")
        if not str(row["source_url"]).startswith("https://"):
            raise CourseInputError(f"{_row_name(i)}, column source_url", row["source_url"],
                                   "a web address starting with https://")
    out["date"] = pd.to_datetime(out["date"].astype(str).str.slice(0, 10), format="%Y-%m-%d")
    out["last_verified"] = pd.to_datetime(out["last_verified"].astype(str).str.slice(0, 10), format="%Y-%m-%d")
    if "note" not in out:
        out["note"] = ""
    out["note"] = out["note"].fillna("").astype(str)
    return out.sort_values(["date", "initiative"], kind="stable").reset_index(drop=True)


def load_timeline() -> pd.DataFrame:
    """The timeline table, checked and sorted by date.

    Read through ``load_reference`` (pandera-validated) once the table has a schema in
    ``calaim_course.schemas``; until then, straight from the CSV. Either way the section's
    own rules (``validate_timeline``) apply.
    """
    from calaim_course.schemas import REFERENCE_SCHEMAS

    if "calaim_timeline" in REFERENCE_SCHEMAS:
        from calaim_course.reference import load_reference

        frame = load_reference("calaim_timeline")
    else:
        frame = pd.read_csv(TIMELINE_CSV, dtype=str, keep_default_na=False)
    return validate_timeline(frame)


def initiatives(timeline: pd.DataFrame) -> list[str]:
    """Initiatives in the order of their first event."""
    return list(dict.fromkeys(timeline.sort_values("date", kind="stable")["initiative"]))


def filter_timeline(timeline: pd.DataFrame, initiative: str = ALL) -> pd.DataFrame:
    """Rows of one initiative (or all). Raises ``CourseInputError`` for an unknown one."""
    if initiative == ALL:
        return timeline
    known = initiatives(timeline)
    if initiative not in known:
        raise CourseInputError("Initiative", initiative, "one of " + ", ".join([ALL, *known]))
    return timeline[timeline["initiative"] == initiative].reset_index(drop=True)


def _long_date(value: pd.Timestamp) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def parse_date(value: object) -> dt.date:
    """A date typed by a learner, as YYYY-MM-DD, between 2019 and 2035."""
    expected = "a date written YYYY-MM-DD between 2019-01-01 and 2035-12-31, for example 2026-01-15"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise CourseInputError("Date", value, expected, "Type a date, for example 2026-01-15.")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise CourseInputError("Date", value, expected, "Write the year, month and day with dashes: 2026-01-15.")
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise CourseInputError("Date", value, expected, "That day is not in the calendar.") from None
    else:
        raise CourseInputError("Date", value, expected)
    if not dt.date(2019, 1, 1) <= day <= dt.date(2035, 12, 31):
        raise CourseInputError("Date", value, expected)
    return day


def as_of(timeline: pd.DataFrame, day: object, initiative: str = ALL) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events on or before ``day`` (newest first) and events after it (soonest first)."""
    when = pd.Timestamp(parse_date(day))
    rows = filter_timeline(timeline, initiative)
    past = rows[rows["date"] <= when].sort_values("date", ascending=False, kind="stable")
    upcoming = rows[rows["date"] > when].sort_values("date", kind="stable")
    return past.reset_index(drop=True), upcoming.reset_index(drop=True)


def as_of_summary(timeline: pd.DataFrame, day: object, initiative: str = ALL) -> list[str]:
    """Plain sentences: what had happened by ``day`` and what came next."""
    when = parse_date(day)
    past, upcoming = as_of(timeline, when, initiative)
    scope = "" if initiative == ALL else f" for {initiative}"
    on = _long_date(pd.Timestamp(when))
    out = [f"By {on}, {len(past)} of the {len(past) + len(upcoming)} events{scope} in the table had happened."]
    if len(past):
        last = past.iloc[0]
        out.append(f"The most recent: {last['event']} ({_long_date(last['date'])}).")
    if len(upcoming):
        nxt = upcoming.iloc[0]
        days = (nxt["date"].date() - when).days
        out.append(f"The next: {nxt['event']} ({_long_date(nxt['date'])}, "
                   f"{days:,} day{'s' if days != 1 else ''} later).")
    else:
        out.append("No later event is in the table.")
    waiver_end = timeline.loc[timeline["event"] == WAIVER_END_EVENT, "date"]
    next_is_end = len(upcoming) and upcoming.iloc[0]["event"] == WAIVER_END_EVENT
    if len(waiver_end) and not next_is_end:
        end = waiver_end.iloc[0].date()
        if when == end:
            out.append("The CalAIM waivers' approved period ends that day, unless renewed.")
        elif when < end:
            out.append(f"The CalAIM waivers were due to end {(end - when).days:,} days later, on "
                       f"{_long_date(pd.Timestamp(end))}, unless renewed.")
        else:
            out.append(f"The CalAIM waivers' approved period had ended on {_long_date(pd.Timestamp(end))}: "
                       "check DHCS for the renewal.")
    return out


def events_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows for a small HTML table: date, event, initiative, confidence."""
    return pd.DataFrame({
        "Date": rows["date"].dt.strftime("%Y-%m-%d"),
        "Event": rows["event"],
        "Initiative": rows["initiative"],
        "Confidence": rows["confidence"].str.lower(),
    })


# --------------------------------------------------------------------------- findings


def timeline_finding(timeline: pd.DataFrame, review_date: dt.date = REVIEW_DATE) -> str:
    """The chart's main finding in one sentence, computed from the table."""
    first = timeline.iloc[0]
    end = timeline[timeline["event"] == WAIVER_END_EVENT]
    if end.empty:
        raise CourseInputError("calaim_timeline", "no waiver-end row", f"a row with the event {WAIVER_END_EVENT!r}")
    end_date = end.iloc[0]["date"]
    years = (end_date - first["date"]).days / 365.25
    after_review = timeline[timeline["date"] > pd.Timestamp(review_date)]
    verified = int((timeline["confidence"] == "VERIFIED").sum())
    return (
        f"The table holds {len(timeline)} dated events, {verified} of them from authoritative "
        f"sources. About {years:.0f} years separate the first CalAIM proposal "
        f"({_long_date(first['date'])}) from the end of the CalAIM waivers "
        f"({_long_date(end_date)}), and {len(after_review)} of the events fall after this "
        f"section's review date ({_long_date(pd.Timestamp(review_date))})."
    )


def timeline_table_html(timeline: pd.DataFrame, collapsed: bool = False) -> str:
    """Every event as an accessible HTML table with its source linked (the chart's text version).

    ``collapsed`` wraps the table in a ``<details>`` element the reader opens.
    """
    rows = []
    for row in timeline.itertuples(index=False):
        note = f" <em>({html.escape(row.note)})</em>" if row.note else ""
        rows.append(
            "<tr>"
            f"<td>{row.date:%Y-%m-%d}</td>"
            f"<td>{html.escape(row.event)}{note}</td>"
            f"<td>{html.escape(row.initiative)}</td>"
            f"<td>{html.escape(row.confidence.lower())}</td>"
            f'<td><a href="{html.escape(row.source_url)}">source</a></td>'
            "</tr>"
        )
    table = (
        '<table class="course-table"><caption>CalAIM and Medi-Cal timeline: every event with its '
        "source and confidence (verified: an official source; secondary: another source)</caption>"
        "<thead><tr><th>Date</th><th>Event</th><th>Initiative</th><th>Confidence</th>"
        "<th>Source</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    if collapsed:
        return (f"<details><summary>Show all {len(timeline)} events as a table, with their sources "
                f"(the text version of the chart)</summary>{table}</details>")
    return table


# ------------------------------------------------------------------------------ chart


def _chart_data(timeline: pd.DataFrame) -> pd.DataFrame:
    data = timeline[["date", "event", "initiative", "confidence", "source_url", "note"]].copy()
    data["date_label"] = data["date"].map(_long_date)
    # Events of one initiative on the same day get separate lanes so none hides another.
    data["lane"] = data.groupby(["initiative", "date"]).cumcount().astype(str)
    data["date"] = data["date"].dt.strftime("%Y-%m-%d")
    return data


def timeline_chart(timeline: pd.DataFrame, review_date: dt.date = REVIEW_DATE) -> alt.LayerChart:
    """Events by date and initiative; a drop-down in the page filters by initiative."""
    names = initiatives(timeline)
    if len(names) > len(OKABE_ITO):
        raise CourseInputError("initiatives", len(names), f"at most {len(OKABE_ITO)} (one colour each)")
    pick = alt.param(
        name="initiative_pick", value=ALL,
        bind=alt.binding_select(options=[ALL, *names], name="Show: "),
    )
    start = timeline["date"].min() - pd.DateOffset(months=6)
    stop = timeline["date"].max() + pd.DateOffset(months=6)
    x_scale = alt.Scale(domain=[f"{start:%Y-%m-%d}", f"{stop:%Y-%m-%d}"])
    x = alt.X("date:T", title="Date", scale=x_scale, axis=alt.Axis(format="%Y", tickCount="year"))
    points = (
        alt.Chart(_chart_data(timeline))
        .transform_filter((pick == ALL) | (alt.datum.initiative == pick))
        .mark_point(size=140, filled=True, opacity=0.9, stroke="#000000", strokeWidth=0.6)
        .encode(
            x=x,
            y=alt.Y("initiative:N", title=None, sort=names, scale=alt.Scale(type="band", paddingInner=0.2)),
            yOffset=alt.YOffset("lane:N"),
            color=alt.Color("initiative:N", sort=names, legend=None,
                            scale=alt.Scale(domain=names, range=OKABE_ITO[: len(names)])),
            shape=alt.Shape("confidence:N", title="Source",
                            scale=alt.Scale(domain=list(ALLOWED_CONFIDENCE), range=["circle", "triangle-up"]),
                            legend=alt.Legend(labelExpr="datum.label == 'VERIFIED' ? 'verified (official)' : 'secondary'")),
            tooltip=[
                alt.Tooltip("date_label:N", title="Date"),
                alt.Tooltip("event:N", title="Event"),
                alt.Tooltip("initiative:N", title="Initiative"),
                alt.Tooltip("confidence:N", title="Confidence"),
                alt.Tooltip("note:N", title="Note"),
                alt.Tooltip("source_url:N", title="Source"),
            ],
        )
    )
    review = pd.DataFrame({"date": [review_date.isoformat()], "label": ["last reviewed"]})
    rule = alt.Chart(review).mark_rule(color="#000000", strokeDash=[4, 4]).encode(x=x)
    label = alt.Chart(review).mark_text(align="right", dx=-4, dy=-4, fontSize=11, baseline="bottom").encode(
        x=x, y=alt.value(0), text="label:N")
    return (
        alt.layer(rule, label, points)
        .add_params(pick)
        .properties(
            width=600, height=300,
            title=alt.Title(
                "CalAIM and Medi-Cal: from the 2019 proposal to the end of the waivers and beyond",
                subtitle=["Each mark is a dated event; hover for its source. Circles: official sources; "
                          "triangles: secondary sources.",
                          "Use the drop-down list under the chart to show one initiative."],
            ),
        )
    )


__all__ = [
    "ALL", "REVIEW_DATE", "as_of", "as_of_summary", "events_frame", "filter_timeline", "parse_date", "initiatives", "load_timeline", "timeline_chart",
    "timeline_finding", "timeline_table_html", "validate_timeline",
]
