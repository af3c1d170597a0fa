"""The synthetic agency's members by Medi-Cal status and managed care plan, suppressed.

Every count goes through ``calaim_course.suppression`` before anything is shown: counts
from 1 to 10 are hidden, with complementary suppression so none can be worked out from
the totals. The chart draws only the shown counts and says how many were hidden; a click
on a legend entry highlights one Medi-Cal status in the page, without Python.
"""

from __future__ import annotations

import html

import altair as alt
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

# Medi-Cal status at intake, in the order a reader meets them, with plain labels.
STATUS_LABELS = {
    "full_scope": "Full scope",
    "restricted_scope": "Restricted scope (pregnancy and emergency services only)",
    "application_pending": "Application pending",
}
NO_PLAN = "No plan"
TOTAL = "Total"
STATUS_AXIS = "Medi-Cal status at intake"
PLAN_AXIS = "Managed care plan"


def _plan_names(organizations: pd.DataFrame) -> dict[str, str]:
    plans = organizations[organizations["org_type"] == "managed_care_plan"].sort_values("org_id")
    return dict(zip(plans["org_id"], plans["name"]))


def status_by_plan(members: pd.DataFrame, organizations: pd.DataFrame) -> pd.DataFrame:
    """Raw counts: rows are Medi-Cal statuses, columns the plans and "No plan", with totals.

    Every status and plan appears, with 0 where nobody is counted. Raises
    ``CourseInputError`` for a missing column, an unknown status or an unknown plan.
    """
    for name, frame, columns in (("members", members, ("medi_cal_status", "plan_id")),
                                 ("organizations", organizations, ("org_id", "name", "org_type"))):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise CourseInputError(f"{name} columns", ", ".join(missing) + " missing", "the synthetic world's columns")
    unknown = sorted(set(members["medi_cal_status"].dropna()) - set(STATUS_LABELS))
    if unknown or members["medi_cal_status"].isna().any():
        raise CourseInputError("members column medi_cal_status", unknown[0] if unknown else "an empty value",
                               "one of " + ", ".join(STATUS_LABELS))
    plans = _plan_names(organizations)
    strays = sorted(set(members["plan_id"].dropna()) - set(plans))
    if strays:
        raise CourseInputError("members column plan_id", strays[0], "a managed care plan in organizations, or empty")
    status = pd.Categorical(members["medi_cal_status"].astype("object").map(STATUS_LABELS), categories=list(STATUS_LABELS.values()))
    plan = pd.Categorical(members["plan_id"].astype("object").map(plans).fillna(NO_PLAN), categories=[*plans.values(), NO_PLAN])
    table = pd.crosstab(status, plan, dropna=False).astype("int64")
    table.index.name, table.columns.name = STATUS_AXIS, PLAN_AXIS
    table.index, table.columns = table.index.astype(str), table.columns.astype(str)
    table[TOTAL] = table.sum(axis=1)
    table.loc[TOTAL] = table.sum(axis=0)
    return table


def suppressed_status_by_plan(members: pd.DataFrame, organizations: pd.DataFrame) -> SuppressedTable:
    """``status_by_plan`` after small-cell and complementary suppression."""
    return suppress_counts(status_by_plan(members, organizations), margins=True)


def display_table(result: SuppressedTable) -> pd.DataFrame:
    """The suppressed counts as text, with the status as a column (for ``html_table``)."""
    return suppress_for_display(result).reset_index()


def table_html(result: SuppressedTable) -> str:
    """The suppressed table with its caption and the note saying what was hidden."""
    from calaim_course.widgets.common import html_table

    return html_table(display_table(result), "Members by Medi-Cal status at intake and managed care plan "
                      "(synthetic data, small counts suppressed)") + (
        f'<p class="course-figure-note">{html.escape(suppression_note(result))}</p>'
    )


# --------------------------------------------------------------------------- finding


def enrollment_finding(result: SuppressedTable) -> str:
    """The main finding in a few short sentences, using only counts that are shown."""
    shown = result.shown
    total = shown.loc[TOTAL, TOTAL]
    if total is pd.NA:
        return "The totals are hidden by small-cell suppression, so no overall finding is shown."
    plan_columns = [c for c in shown.columns if c not in (NO_PLAN, TOTAL)]
    parts = [f"Of the agency's {int(total):,} fictional members"]
    full = shown.loc[STATUS_LABELS["full_scope"], TOTAL]
    parts.append(f", {int(full):,} ({int(full) / int(total):.0%}) had full-scope Medi-Cal at intake."
                 if full is not pd.NA else ": the full-scope count is hidden.")
    in_plan = [shown.loc[TOTAL, c] for c in plan_columns]
    if all(v is not pd.NA for v in in_plan):
        biggest = plan_columns[max(range(len(in_plan)), key=lambda k: int(in_plan[k]))]
        parts.append(f" In all, {sum(int(v) for v in in_plan):,} were enrolled in one of the "
                     f"{len(plan_columns)} plans, most of them in {biggest}.")
    no_plan = shown.loc[TOTAL, NO_PLAN]
    if no_plan is not pd.NA:
        parts.append(f" The remaining {int(no_plan):,} had no plan yet")
        if shown.loc[STATUS_LABELS["full_scope"], NO_PLAN] is not pd.NA \
                and int(shown.loc[STATUS_LABELS["full_scope"], NO_PLAN]) == 0:
            parts.append(": all of them had restricted-scope coverage or an application pending")
        parts.append(".")
    sentence = "".join(parts)
    if result.n_suppressed:
        sentence += f" {result.n_suppressed} cells are hidden by small-cell suppression."
    return sentence


# ------------------------------------------------------------------------------ chart


def enrollment_chart(result: SuppressedTable) -> alt.Chart:
    """Stacked bars of members by plan and status; click a status in the legend to highlight it.

    Hidden (suppressed) cells are left out of the bars; the subtitle says how many.
    """
    long = result.to_long()
    long = long.rename(columns={STATUS_AXIS: "status", PLAN_AXIS: "plan"})
    shown = long[~long["suppressed"] & (long["count"] > 0)].copy()
    shown["count"] = shown["count"].astype("int64")
    statuses = list(STATUS_LABELS.values())
    plans = [c for c in result.shown.columns if c != TOTAL]
    hidden = int(long["suppressed"].sum())
    note = (f"{hidden} small or linked counts are hidden and not drawn (counts from 1 to 10 are suppressed)."
            if hidden else "No counts are hidden.")
    pick = alt.selection_point(fields=["status"], bind="legend")
    return (
        alt.Chart(shown, title=alt.Title(
            "Members by managed care plan and Medi-Cal status (fictional agency)",
            subtitle=[note, "Click a status in the legend to highlight it; click it again to show all."],
        ))
        .mark_bar()
        .encode(
            y=alt.Y("plan:N", title=PLAN_AXIS, sort=plans, axis=alt.Axis(labelLimit=320)),
            x=alt.X("count:Q", title="Members (synthetic data)", stack="zero"),
            color=alt.Color("status:N", title=STATUS_AXIS + " (click to highlight)", sort=statuses,
                            scale=alt.Scale(domain=statuses, range=OKABE_ITO[: len(statuses)]),
                            legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=480, titleLimit=480)),
            order=alt.Order("status_order:Q"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
            tooltip=[alt.Tooltip("plan:N", title="Plan"), alt.Tooltip("status:N", title="Status"),
                     alt.Tooltip("count:Q", title="Members")],
        )
        .transform_calculate(status_order=f"indexof({statuses!r}, datum.status)")
        .add_params(pick)
        .properties(width=480, height=150)
    )


__all__ = [
    "NO_PLAN", "STATUS_LABELS", "SUPPRESSED_LABEL", "TOTAL", "display_table", "table_html", "enrollment_chart",
    "enrollment_finding", "status_by_plan", "suppressed_status_by_plan", "suppression_note",
]
