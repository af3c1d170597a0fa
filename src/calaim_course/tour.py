"""Examples for the section template ("how a section works").

Each piece shows one convention every section follows: a chart with a client-side
selection (Altair), a Plotly chart, and a widget that validates its input.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import plotly.express as px

from calaim_course.charts import OKABE_ITO

ROOT = Path(__file__).resolve().parents[2]
UPTAKE_CSV = ROOT / "data" / "reference" / "calaim_uptake.csv"
UPTAKE_SOURCE = "Legislative Analyst's Office, March 6, 2025"


def load_uptake() -> pd.DataFrame:
    """Share of Medi-Cal managed care members who used ECM and Community Supports."""
    return pd.read_csv(UPTAKE_CSV)


def uptake_finding(uptake: pd.DataFrame) -> str:
    """One sentence with the chart's main finding, computed from the table."""
    by = uptake.pivot(index="program", columns="year", values="percent_of_mcp_members")
    first, last = by.columns.min(), by.columns.max()
    ecm, cs = by.loc["Enhanced Care Management"], by.loc["Community Supports"]
    return (
        f"From {first} to {last}, the share of managed care members who used Enhanced Care "
        f"Management grew from {ecm[first]}% to {ecm[last]}%, and Community Supports from "
        f"{cs[first]}% to {cs[last]}% ({UPTAKE_SOURCE})."
    )


def uptake_altair(uptake: pd.DataFrame) -> alt.Chart:
    """Bars by year; click a legend entry to highlight one program (no Python needed)."""
    # A named parameter keeps the stored output the same on every run.
    pick = alt.selection_point(name="pick_program", fields=["program"], bind="legend")
    return (
        alt.Chart(uptake, title=alt.Title(
            "Few managed care members used ECM or Community Supports",
            subtitle=f"Percent of Medi-Cal managed care members. Source: {UPTAKE_SOURCE}.",
        ))
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year"),
            xOffset="program:N",
            y=alt.Y("percent_of_mcp_members:Q", title="Percent of plan members"),
            color=alt.Color("program:N", title="Program (click to highlight)",
                            sort=list(dict.fromkeys(uptake["program"])),
                            scale=alt.Scale(domain=list(dict.fromkeys(uptake["program"])),
                                            range=OKABE_ITO[:2])),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
            tooltip=["program", "year", "percent_of_mcp_members"],
        )
        .add_params(pick)
        .properties(width=420, height=260)
    )


def uptake_plotly(uptake: pd.DataFrame):
    """The same table as a Plotly chart (hover for values, click the legend to hide)."""
    figure = px.bar(
        uptake, x="year", y="percent_of_mcp_members", color="program", barmode="group",
        color_discrete_sequence=OKABE_ITO,
        labels={"year": "Year", "percent_of_mcp_members": "Percent of plan members",
                "program": "Program"},
        title=f"ECM and Community Supports use, 2022 and 2024 ({UPTAKE_SOURCE})",
    )
    figure.update_xaxes(type="category")
    figure.update_layout(height=420, margin={"t": 60, "l": 60, "r": 20, "b": 50})
    return figure


MAX_GROUPS = 12


def parse_counts(text: str) -> pd.Series:
    """Counts typed as "42, 7, 15" -> a Series labelled Group A, Group B, ...

    Raises CourseInputError naming the entry that is not a whole number of 0 or more.
    """
    from calaim_course.errors import CourseInputError

    if not isinstance(text, str) or not text.strip():
        raise CourseInputError("Counts", text, "counts separated by commas, for example 42, 7, 15")
    parts = [part.strip() for part in text.split(",")]
    if len(parts) > MAX_GROUPS:
        raise CourseInputError("Counts", f"{len(parts)} entries", f"at most {MAX_GROUPS} counts")
    counts = []
    for position, part in enumerate(parts, start=1):
        if not part.isdigit():
            raise CourseInputError(
                f"Count {position}", part, "a whole number of people, 0 or more",
                hint="Separate counts with commas.",
            )
        counts.append(int(part))
    labels = [f"Group {chr(ord('A') + i)}" for i in range(len(counts))]
    return pd.Series(counts, index=pd.Index(labels, name="Group"), name="People")


def suppression_demo_table(text: str) -> tuple[pd.DataFrame, str]:
    """What a reader would see for the typed counts, and the sentence that explains it."""
    from calaim_course.suppression import suppress_counts, suppress_for_display, suppression_note

    counts = parse_counts(text)
    result = suppress_counts(counts)
    shown = suppress_for_display(result)
    table = pd.DataFrame({
        "Group": counts.index,
        "Count typed": counts.to_numpy(),
        "What a reader sees": shown.iloc[:, 0].to_numpy() if shown.ndim == 2 else shown.to_numpy(),
    })
    return table, suppression_note(result)
