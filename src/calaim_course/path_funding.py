"""PATH CITED rounds: how much DHCS awarded, to how many organizations, and the average award.

The figures come from ``data/reference/path_cited_rounds.csv``, one row per round, each
with its source and confidence. Round 1's dollar total and its number of awards were not
found in any source the course reached, so they stay blank: the table holds instead the
139 organizations that DHCS says completed Round 1 projects (a different count, kept
apart in the ``organizations_basis`` column). The average award per organization is
computed only where both the amount and the number of awarded organizations are known.

Totals across rounds count **awards**, not distinct organizations: the releases count
organizations per round, and the course cannot tell whether one organization won in more
than one round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import altair as alt
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError

TABLE = "path_cited_rounds"
AWARDED = "awarded"
# What each figure is, and how sure the course is of it: the chart colours bars by this.
FIGURE_KINDS = {
    "Awards, DHCS news release (verified)": OKABE_ITO[0],
    "Awards, county association bulletin (secondary)": OKABE_ITO[1],
    "Completed projects, not awards (DHCS, verified)": OKABE_ITO[3],
}
ROUNDS_EXPECTED = "'all', one round number, a range such as 2-4, or numbers separated by commas such as 2, 4"
_RANGE = re.compile(r"^([0-9]+)-([0-9]+)$")  # ASCII digits only


# ------------------------------------------------------------------------------ table


def _to_bool(series: pd.Series) -> pd.Series:
    mapping = {"true": True, "false": False}
    values = series.astype(str).str.strip().str.lower()
    bad = sorted(set(values) - set(mapping))
    if bad:
        raise CourseInputError(f"{TABLE}.csv {series.name}", bad[0], "True or False")
    return values.map(mapping).astype(bool)


def rounds() -> pd.DataFrame:
    """The rounds with typed columns and the computed average award per organization.

    Columns: round (int), announced, amount_usd (float, NaN when not found),
    amount_confidence, organizations (Int64), organizations_basis, final_round,
    post_toolkit, average_award_usd (NaN unless both amount and awards are known),
    figure_kind, source_url, confidence, note.
    """
    from calaim_course.reference import load_reference

    table = load_reference(TABLE)
    frame = pd.DataFrame({
        "round": pd.to_numeric(table["round"]).astype(int),
        "announced": table["announced"].astype(str),
        "amount_usd": pd.to_numeric(table["amount_usd"]).astype(float),
        "amount_confidence": table["amount_confidence"].astype(str),
        "organizations": pd.to_numeric(table["organizations"]).astype("Int64"),
        "organizations_basis": table["organizations_basis"].astype(str),
        "final_round": _to_bool(table["final_round"]),
        "post_toolkit": _to_bool(table["post_toolkit"]),
        "source_url": table["source_url"].astype(str),
        "confidence": table["confidence"].astype(str),
        "note": table["note"].astype(str),
    })
    awarded = frame["organizations_basis"] == AWARDED
    # An average needs the amount and the number of awards of the same round.
    frame["average_award_usd"] = (frame["amount_usd"] / frame["organizations"].astype(float)).where(awarded)
    frame["figure_kind"] = [
        "Completed projects, not awards (DHCS, verified)" if basis != AWARDED
        else ("Awards, DHCS news release (verified)" if confidence == "VERIFIED"
              else "Awards, county association bulletin (secondary)")
        for basis, confidence in zip(frame["organizations_basis"], frame["confidence"])
    ]
    return frame.sort_values("round").reset_index(drop=True)


def round_numbers() -> list[int]:
    return rounds()["round"].tolist()


# ------------------------------------------------------------------------------ input


def parse_rounds(text: object) -> list[int]:
    """Which rounds to include, from text such as "all", "3", "2-4" or "2, 4" (sorted, unique)."""
    known = round_numbers()
    expected = f"{ROUNDS_EXPECTED} (rounds {known[0]} to {known[-1]})"
    if not isinstance(text, str):
        if isinstance(text, int) and not isinstance(text, bool):
            text = str(text)
        else:
            raise CourseInputError("Rounds to include", text, expected)
    cleaned = text.strip().lower()
    if cleaned in ("all", "*"):
        return known
    if not cleaned:
        raise CourseInputError("Rounds to include", text, expected, "The box is empty.")
    chosen: set[int] = set()
    # "2 to 4" and "2 - 4" become "2-4"; then commas, semicolons and spaces separate parts.
    cleaned = re.sub(r"\s*(?:-|\bto\b)\s*", "-", cleaned)
    for part in re.split(r"[,;\s]+", cleaned):
        if not part:
            continue
        span = _RANGE.match(part)
        if span:
            first, last = int(span.group(1)), int(span.group(2))
            if first > last:
                raise CourseInputError("Rounds to include", text, expected, f"The range {part} runs backwards.")
            numbers = range(first, last + 1)
        elif re.fullmatch(r"[0-9]+", part):
            numbers = [int(part)]
        else:
            raise CourseInputError("Rounds to include", text, expected)
        for number in numbers:
            if number not in known:
                raise CourseInputError("Rounds to include", text, expected, f"There is no round {number}.")
            chosen.add(number)
    if not chosen:
        raise CourseInputError("Rounds to include", text, expected)
    return sorted(chosen)


# ------------------------------------------------------------------------------ summary


@dataclass(frozen=True)
class Summary:
    """The chosen rounds and their totals (awards, not distinct organizations)."""

    chosen: list[int]
    table: pd.DataFrame  # the chosen rows of ``rounds()``
    total_usd: float  # rounds with a known amount and number of awards only
    awards: int  # same rounds
    average_usd: float | None  # total / awards, None when no round has both
    counted: list[int]  # rounds whose amount and awards are both known
    left_out: list[int]  # chosen rounds without a known amount


def summarize(chosen: object = "all") -> Summary:
    """Totals for ``chosen`` rounds (text as in ``parse_rounds``, or a list of round numbers)."""
    if isinstance(chosen, (list, tuple)):
        chosen = ", ".join(str(c) for c in chosen)
    numbers = parse_rounds(chosen)
    table = rounds()
    picked = table[table["round"].isin(numbers)].reset_index(drop=True)
    full = picked[picked["average_award_usd"].notna()]
    total = float(full["amount_usd"].sum())
    awards = int(full["organizations"].sum())
    return Summary(
        chosen=numbers, table=picked, total_usd=total, awards=awards,
        average_usd=(total / awards) if awards else None,
        counted=full["round"].tolist(), left_out=picked.loc[picked["average_award_usd"].isna(), "round"].tolist(),
    )


def money(amount: float | None, digits: int = 1) -> str:
    """Dollars in millions for reading: 146600000 -> "$146.6 million"; None/NaN -> "not found"."""
    if amount is None or pd.isna(amount):
        return "not found"
    return f"${amount / 1e6:,.{digits}f} million"


def rounds_text(numbers: list[int]) -> str:
    if not numbers:
        return "no round"
    if len(numbers) == 1:
        return f"Round {numbers[0]}"
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 2:
        return f"Rounds {numbers[0]} to {numbers[-1]}"
    return "Rounds " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def display_table(summary: Summary) -> pd.DataFrame:
    """The chosen rounds as text columns, ready to show."""
    frame = summary.table

    def organizations(row) -> str:
        if pd.isna(row.organizations):
            return "not found"
        return f"{int(row.organizations):,}" + ("" if row.organizations_basis == AWARDED else f" ({row.organizations_basis})")

    return pd.DataFrame({
        "Round": frame["round"].map(lambda r: f"Round {r}" + (" (final)" if frame.loc[frame["round"] == r, "final_round"].item() else "")),
        "Announced": frame["announced"],
        "Amount awarded": [money(a) + ("" if c != "SECONDARY" or pd.isna(a) else " (secondary source)")
                           for a, c in zip(frame["amount_usd"], frame["amount_confidence"])],
        "Organizations": [organizations(row) for row in frame.itertuples(index=False)],
        "Average award per organization (computed)": frame["average_award_usd"].map(lambda a: money(a, 2)),
        "How sure": frame["confidence"],
    })


def finding(summary: Summary) -> str:
    """The main finding for the chosen rounds, computed from the table."""
    parts = []
    if summary.counted:
        which = ", the rounds with published totals," if summary.left_out else ""
        parts.append(f"{rounds_text(summary.counted)}{which} awarded {money(summary.total_usd)} "
                     f"in {summary.awards:,} awards, an average of {money(summary.average_usd, 2)} per award.")
        full = summary.table[summary.table["average_award_usd"].notna()]
        if len(full) > 1:
            high = full.loc[full["average_award_usd"].idxmax()]
            low = full.loc[full["average_award_usd"].idxmin()]
            parts.append(f"The average award per organization was highest in Round {high['round']} "
                         f"({money(high['average_award_usd'], 2)}) and lowest in Round {low['round']} "
                         f"({money(low['average_award_usd'], 2)}).")
    if summary.left_out:
        parts.append(f"{rounds_text(summary.left_out)} {'has' if len(summary.left_out) == 1 else 'have'} no published "
                     "dollar total the course could find, so "
                     f"{'it is' if len(summary.left_out) == 1 else 'they are'} left out of the totals.")
    return " ".join(parts)


# ------------------------------------------------------------------------------ chart


def chart_frame() -> pd.DataFrame:
    """Rounds in long form: one row per round and measure, with a text for missing values."""
    frame = rounds()
    measures = {  # key: (panel title, axis title, values)
        "amount_million": ("Amount awarded", "Million dollars", frame["amount_usd"] / 1e6),
        "organizations": ("Organizations", "Organizations", frame["organizations"].astype(float)),
        "average_million": ("Average award per organization", "Million dollars per organization",
                            frame["average_award_usd"] / 1e6),
    }
    rows = []
    for key, (title, axis_title, values) in measures.items():
        for record, value in zip(frame.itertuples(index=False), values):
            missing = pd.isna(value)
            rows.append({
                "measure": key, "measure_title": title, "axis_title": axis_title, "round": record.round,
                "round_label": f"Round {record.round}",
                "value": None if missing else round(float(value), 3),
                "value_text": "not found" if missing else (
                    f"{value:,.0f}" if key == "organizations" else f"{value:,.2f}" if key == "average_million"
                    else f"{value:,.1f}"),
                "figure_kind": record.figure_kind, "announced": record.announced,
            })
    return pd.DataFrame(rows)


def funding_chart() -> alt.HConcatChart:
    """Three bar charts by round (amount, organizations, average award), one legend.

    Clicking a kind of figure in the legend highlights its bars in all three panels (a
    client-side selection named ``pick_figure``: it works in the static book).
    """
    frame = chart_frame()
    pick = alt.selection_point(name="pick_figure", fields=["figure_kind"], bind="legend")
    colour = alt.Color("figure_kind:N", title="What the figure is",
                       scale=alt.Scale(domain=list(FIGURE_KINDS), range=list(FIGURE_KINDS.values())),
                       legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=420))
    panels = []
    for key in ["amount_million", "organizations", "average_million"]:
        part = frame[frame["measure"] == key]
        title, axis_title = part["measure_title"].iloc[0], part["axis_title"].iloc[0]
        base = alt.Chart(part).encode(x=alt.X("round:O", title="CITED round", axis=alt.Axis(labelAngle=0)))
        bars = base.mark_bar().encode(
            y=alt.Y("value:Q", title=axis_title),
            color=colour,
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
            tooltip=[alt.Tooltip("round_label:N", title="Round"), alt.Tooltip("value_text:N", title=title),
                     alt.Tooltip("figure_kind:N", title="What the figure is"),
                     alt.Tooltip("announced:N", title="Announced")],
        )
        labels = base.mark_text(dy=-6, fontSize=11).encode(
            y=alt.Y("label_at:Q"), text="value_text:N"
        ).transform_calculate(label_at="datum.value === null ? 0 : datum.value")
        layer = alt.layer(bars, labels).properties(width=190, height=220, title=alt.Title(title, fontSize=13))
        if key == "amount_million":
            layer = layer.add_params(pick)
        panels.append(layer)
    return alt.hconcat(*panels, spacing=28).properties(
        title=alt.Title("PATH CITED awards by round",
                        subtitle=["Click a kind of figure in the legend to highlight its bars; click it again to show all.",
                                  "Round 1: no published dollar total found; 139 is a count of completed projects."]))


def chart_description() -> str:
    """A text description of ``funding_chart``, for screen readers (built from the table)."""
    frame = rounds()
    parts = ["Three bar charts side by side, one bar per CITED round."]
    for record in frame.itertuples(index=False):
        organizations = "not found" if pd.isna(record.organizations) else f"{int(record.organizations):,}"
        if not pd.isna(record.organizations) and record.organizations_basis != AWARDED:
            organizations += f" ({record.organizations_basis}, not awards)"
        parts.append(f"Round {record.round}: amount {money(record.amount_usd)}; organizations {organizations}; "
                     f"average award {money(record.average_award_usd, 2)}.")
    parts.append("Bar colours show what each figure is and how sure the course is of it; "
                 "the legend highlights one kind at a time.")
    return " ".join(parts)


__all__ = ["TABLE", "FIGURE_KINDS", "Summary", "rounds", "round_numbers", "parse_rounds", "summarize", "money",
           "rounds_text", "display_table", "finding", "chart_frame", "funding_chart", "chart_description"]
