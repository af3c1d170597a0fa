"""Community Supports explorer: the pre-approved services and Transitional Rent, by kind.

Reads ``data/reference/community_supports.csv``. What its rows rest on:

- Service names: the spring 2025 Community Supports Policy Guide names, as restated by
  plans and a consultant's summary (SECONDARY). Two were renamed in 2025: "Assisted
  Living Facility (ALF) Transitions" and "Community or Home Transition Services"; the
  table keeps the former names so a reader can match older plan pages.
- Codes: one plan's public reporting code citing the DHCS coding document (SECONDARY).
- Transitional Rent: mandatory for every plan from January 1, 2026 for eligible members
  of the behavioral health Population of Focus (DHCS Stakeholder News, January 5, 2026:
  VERIFIED).
- The "relevance to survivors" notes are the course's own analysis, labelled so.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

import pandas as pd

from calaim_course.errors import CourseInputError
from calaim_course.reference import load_reference

ALL = "all"
# Plain-language labels for the table's ``kind`` values, in the order a DV agency meets them.
KIND_LABELS = {
    "housing": "Housing",
    "respite": "Respite and recuperative care",
    "day_habilitation": "Day habilitation",
    "food": "Food",
    "home": "Care and changes at home",
    "transitions": "Moving out of a facility",
    "sobering": "Sobering centers",
    "asthma": "Asthma",
}
# Descriptive link text for the sources the table cites (descriptive links, never a bare URL).
SOURCE_NAMES = {
    "docs.google.com": "Summary of the 2025 policy guide (slides, April 2025)",
    "www.dhcs.ca.gov": "DHCS",
}
KNOWN_PAGES = {
    "https://www.dhcs.ca.gov/formsandpubs/publications/oc/Pages/010526-Stakeholder-News.aspx":
        "DHCS Stakeholder News, January 5, 2026",
}
# HCPCS Level II codes are a letter and four digits; a modifier is two letters or digits.
_CODE = re.compile(r"^([A-Z]\d{4})(?:\s*\+?\s*([A-Z0-9]{2}))?$")


def load_community_supports() -> pd.DataFrame:
    """The Community Supports reference table, in the order of its ``number`` column."""
    return load_reference("community_supports").sort_values("number").reset_index(drop=True)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, str(kind).replace("_", " ").capitalize())


def kind_options(table: pd.DataFrame | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs for a drop-down: all kinds first, then each kind in the table."""
    table = load_community_supports() if table is None else table
    present = list(dict.fromkeys(table["kind"]))
    ordered = [k for k in KIND_LABELS if k in present] + [k for k in present if k not in KIND_LABELS]
    return [("All kinds", ALL)] + [(kind_label(k), k) for k in ordered]


def parse_code(text: object) -> tuple[str, str | None] | None:
    """A HCPCS code (optionally with a modifier) from a learner's text; None if empty.

    Accepts "h0044", "H0044+U2", "H0044 U2". Raises ``CourseInputError`` otherwise.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise CourseInputError("Code", text, "a HCPCS code such as H0044, or H0044+U2 with a modifier")
    cleaned = text.strip().upper()
    if not cleaned:
        return None
    match = _CODE.match(cleaned)
    if not match:
        raise CourseInputError(
            "Code", text, "a HCPCS code: one letter and four digits, such as H0044, optionally with a modifier (H0044+U2)",
        )
    return match.group(1), match.group(2)


def _codes(row: pd.Series) -> list[str]:
    value = row["hcpcs_codes"]
    if not isinstance(value, str) or not value.strip():
        return []
    return [part.strip() for part in value.split(";") if part.strip()]


def _matches_code(row: pd.Series, code: tuple[str, str | None]) -> bool:
    base, modifier = code
    for entry in _codes(row):
        entry_base, _, entry_modifier = entry.partition("+")
        if entry_base == base and (modifier is None or entry_modifier == modifier):
            return True
    return False


def filter_supports(table: pd.DataFrame, kind: str = ALL, code: object = None) -> pd.DataFrame:
    """Rows of ``table`` of this ``kind`` (or all) that use ``code`` (if given)."""
    kinds = set(table["kind"])
    if kind != ALL and kind not in kinds:
        raise CourseInputError("Kind", kind, "one of: " + ", ".join([ALL, *sorted(kinds)]))
    rows = table if kind == ALL else table[table["kind"] == kind]
    parsed = parse_code(code)
    if parsed is not None:
        rows = rows[rows.apply(_matches_code, axis=1, code=parsed)]
    return rows


def source_name(url: str) -> str:
    """Descriptive text for a source link."""
    if url in KNOWN_PAGES:
        return KNOWN_PAGES[url]
    host = urlparse(url).netloc
    return SOURCE_NAMES.get(host, host)


def _name_cell(row: pd.Series) -> str:
    former = row.get("former_name")
    if isinstance(former, str) and former.strip():
        return f"{row['name']} (formerly {former})"
    return str(row["name"])


def display_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The columns a learner reads: name, kind, codes with their confidence, relevance, source."""
    return pd.DataFrame(
        {
            "#": rows["number"].astype(int).to_numpy(),
            "Community Support": [_name_cell(r) for _, r in rows.iterrows()],
            "Kind": [kind_label(k) for k in rows["kind"]],
            "Codes (HCPCS + modifier)": [", ".join(_codes(r)) or "none recorded" for _, r in rows.iterrows()],
            "Codes: how sure": rows["codes_confidence"].astype(str).to_numpy(),
            "Why it can matter to survivors": rows["survivor_relevance_analysis"].astype(str).to_numpy(),
            "Source": rows["source_url"].to_numpy(),
        }
    )


def table_html(display: pd.DataFrame, caption: str) -> str:
    """An accessible HTML table; the Source column becomes descriptive links."""
    from calaim_course.widgets.common import html_table

    shown = display.copy()
    urls = list(shown["Source"])
    # Placeholders keep html_table's escaping; each is replaced by a link afterwards.
    shown["Source"] = [f"@@source{i}@@" for i in range(len(urls))]
    out = html_table(shown, caption)
    for i, url in enumerate(urls):
        link = f'<a href="{html.escape(url, quote=True)}">{html.escape(source_name(url))}</a>'
        out = out.replace(f"@@source{i}@@", link, 1)
    return out


def finding(table: pd.DataFrame) -> str:
    """One sentence with what the table shows, computed from it."""
    housing = table[table["kind"] == "housing"]
    total = len(table)
    shared = {}
    for _, row in table.iterrows():
        for entry in _codes(row):
            shared.setdefault(entry.partition("+")[0], set()).add(row["name"])
    most_base, most_names = max(shared.items(), key=lambda item: (len(item[1]), item[0]))
    return (
        f"{len(housing)} of the {total} Community Supports in the course's table are housing "
        f"supports, and the same base code can mean different services: {most_base} appears in "
        f"{len(most_names)} of them, told apart only by its modifier."
    )


def summary_for(rows: pd.DataFrame, kind: str, code: object) -> str:
    """A sentence describing the filtered rows (for screen readers and the default view)."""
    what = "all kinds" if kind == ALL else f"kind \u201c{kind_label(kind)}\u201d"
    parsed = parse_code(code)
    with_code = ""
    if parsed is not None:
        with_code = f" using code {parsed[0]}" + (f" with modifier {parsed[1]}" if parsed[1] else "")
    n = len(rows)
    if n == 0:
        return f"No Community Support of {what}{with_code} is in the course's table."
    names = "; ".join(rows["name"])
    noun = "Community Support" if n == 1 else "Community Supports"
    return f"{n} {noun} of {what}{with_code}: {names}."


# ------------------------------------------------- the synthetic agency's Community Supports

TOTAL = "Total"


def members_served(services: pd.DataFrame, members: pd.DataFrame, plan_names: dict[str, str],
                   table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Distinct members who received each Community Support, by plan, with a Total column.

    Only the supports the synthetic agency delivered appear (rows in reference order).
    """
    table = load_community_supports() if table is None else table
    delivered = services[services["program"] == "community_supports"][["member_id", "cs_id"]].drop_duplicates()
    plans = members.set_index("member_id")["plan_id"].map(lambda p: plan_names.get(p, p))
    delivered = delivered.assign(plan=delivered["member_id"].map(plans))
    counts = pd.crosstab(delivered["cs_id"], delivered["plan"])
    names = table.set_index("cs_id")["name"]
    order = [cs_id for cs_id in table["cs_id"] if cs_id in counts.index]
    counts = counts.loc[order].rename(index=names)
    counts[TOTAL] = counts.sum(axis=1)
    counts.index.name = "Community Support"
    counts.columns.name = "Plan"
    return counts.astype("int64")


def suppressed_members_served(counts: pd.DataFrame):
    """Suppress once for every plan together. Columns are not totals of anything (a member
    can receive several supports), so only the Total column counts as a total."""
    from calaim_course.suppression import suppress_counts

    return suppress_counts(counts, implicit_totals=False)


def service_period(services: pd.DataFrame) -> str:
    """The months the services cover, in words, for example "July 2025 to June 2026"."""
    dates = pd.to_datetime(services["service_date"])
    first, last = dates.min(), dates.max()
    return f"{first:%B %Y} to {last:%B %Y}"


def members_served_finding(result, period: str) -> str:
    """The chart's main finding, from the shown (suppressed) counts."""
    totals = result.shown[TOTAL].dropna()
    if totals.empty:
        return "Every count is hidden by small-cell suppression."
    top = totals.astype("int64").idxmax()
    hidden = int(result.mask[TOTAL].sum())
    text = (f"Of the Community Supports the fictional agency delivered from {period}, "
            f"{top} reached the most members ({int(totals[top]):,} across both plans)")
    if hidden:
        text += (f"; the total for {hidden} support{' is' if hidden == 1 else 's are'} hidden "
                 "to protect small counts")
    return text + "."


def members_served_chart(result, period: str):
    """Grouped bars by plan (click a legend entry to highlight a plan); hidden counts say so."""
    import altair as alt

    from calaim_course.charts import OKABE_ITO

    long = result.to_long(include_totals=False)
    long["value"] = long["count"].astype("float64").fillna(0.0)
    long["label"] = [("suppressed" if s else f"{int(c):,}") for c, s in zip(long["count"], long["suppressed"])]
    plans = [p for p in result.shown.columns if p != TOTAL]
    pick = alt.selection_point(fields=["Plan"], bind="legend")
    base = alt.Chart(long, title=alt.Title(
        "Members who received each Community Support from the fictional agency",
        subtitle=[f"Synthetic data, {period}, by plan. Counts from 1 to 10 are hidden (no bar, labelled).",
                  "Click a plan in the legend to highlight it."],
    )).encode(
        y=alt.Y("Community Support:N", sort=list(result.shown.index), title=None, axis=alt.Axis(labelLimit=300)),
        yOffset=alt.YOffset("Plan:N", sort=plans),
    )
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title="Members"),
        color=alt.Color("Plan:N", sort=plans, scale=alt.Scale(domain=plans, range=OKABE_ITO[: len(plans)]),
                        title="Plan (click to highlight)", legend=alt.Legend(orient="bottom", labelLimit=300)),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("Community Support:N"), alt.Tooltip("Plan:N"), alt.Tooltip("label:N", title="Members")],
    ).add_params(pick)
    labels = base.mark_text(align="left", dx=4, fontSize=11, color="#333333").encode(x="value:Q", text="label:N")
    return (bars + labels).properties(width=320, height=alt.Step(14))
