"""HMIS, a comparable database and a health information exchange, compared question by question.

The comparison lives in ``data/reference/data_systems_comparison.csv``: one row per
question and system, each with its source (``source_url``, ``confidence``,
``last_verified``) and a ``basis`` column. ``basis`` is "sourced" when the cell says
what its source says, or "ANALYSIS" when it is the course's own reasoning built on that
source (policy options above all). The page marks ANALYSIS cells so a reader never takes
them for a sourced position.
"""

from __future__ import annotations

import html
import re

import pandas as pd

from calaim_course.errors import CourseInputError
from calaim_course.reference import load_reference

TABLE = "data_systems_comparison"
SYSTEMS: dict[str, str] = {
    "hmis": "HMIS",
    "comparable_database": "Comparable database",
    "hie": "Health information exchange",
}
SYSTEM_LONG: dict[str, str] = {
    "hmis": "Homeless Management Information System (HMIS)",
    "comparable_database": "Comparable database (victim service providers)",
    "hie": "Health information exchange (in California, the Data Exchange Framework)",
}
BASES = ("sourced", "ANALYSIS")
ALL_TOPICS = "All topics"
BASIS_ORDER = ["Sourced (verified)", "Sourced (secondary)", "Course analysis"]
MAX_SEARCH = 60
_WORDS = re.compile(r"^[\w\s'’,.?()-]*$")


def load_comparison() -> pd.DataFrame:
    """The comparison table, validated, in question order."""
    table = load_reference(TABLE)
    table["order"] = table["order"].astype(int)
    return table.sort_values(["order", "system"], key=lambda col: col.map(_system_rank) if col.name == "system" else col
                             ).reset_index(drop=True)


def _system_rank(system: str) -> int:
    return list(SYSTEMS).index(system) if system in SYSTEMS else len(SYSTEMS)


def topics(table: pd.DataFrame) -> list[str]:
    """Topics in the order they first appear, after "All topics"."""
    return [ALL_TOPICS, *dict.fromkeys(table["topic"])]


def check_systems(systems: object) -> tuple[str, ...]:
    """The systems to show: one or more keys of ``SYSTEMS``, in the fixed order."""
    expected = "one or more of " + ", ".join(SYSTEMS)
    if isinstance(systems, str):
        systems = [s.strip() for s in systems.split(",") if s.strip()]
    if not isinstance(systems, (list, tuple, set, frozenset)):
        raise CourseInputError("Systems to compare", type(systems).__name__, expected)
    if not systems:
        raise CourseInputError("Systems to compare", "none", "at least one system", hint="Tick at least one box.")
    for system in systems:
        if system not in SYSTEMS:
            raise CourseInputError("Systems to compare", system, expected)
    return tuple(s for s in SYSTEMS if s in systems)


def check_search(text: object) -> str:
    """Search words: plain text up to 60 characters (empty means no search)."""
    if not isinstance(text, str):
        raise CourseInputError("Search the questions", type(text).__name__, "text")
    cleaned = " ".join(text.split())
    if len(cleaned) > MAX_SEARCH:
        raise CourseInputError("Search the questions", f"{len(cleaned)} characters",
                               f"at most {MAX_SEARCH} characters", hint="Try one or two words, for example consent.")
    if not _WORDS.match(cleaned):
        raise CourseInputError("Search the questions", cleaned, "letters, numbers and spaces",
                               hint="Leave out symbols such as * or <.")
    return cleaned


def filter_comparison(table: pd.DataFrame, topic: str = ALL_TOPICS, search: object = "",
                      systems: object = tuple(SYSTEMS)) -> pd.DataFrame:
    """Rows for the chosen topic, search words and systems (long form, question order).

    The search matches every word (case-insensitive) against the question and the
    answers. No match raises ``CourseInputError`` so the page keeps its previous view
    and says what to try.
    """
    chosen = check_systems(systems)
    words = check_search(search)
    valid_topics = topics(table)
    if topic not in valid_topics:
        raise CourseInputError("Topic", topic, "one of " + ", ".join(valid_topics))
    rows = table[table["system"].isin(chosen)]
    if topic != ALL_TOPICS:
        rows = rows[rows["topic"] == topic]
    if words:
        text = (table["question"] + " " + table["answer"]).str.casefold()
        by_question = text.groupby(table["question_id"]).agg(" ".join)
        hits = by_question.index[[all(w.casefold() in t for w in words.split()) for t in by_question]]
        rows = rows[rows["question_id"].isin(hits)]
    if rows.empty:
        where = f" in the topic {topic!r}" if topic != ALL_TOPICS else ""
        raise CourseInputError("Search the questions", words, f"words found in a question or answer{where}",
                               hint="Try consent, hashing, funds or linking, or clear the search.")
    return rows.reset_index(drop=True)


def _cell_html(row) -> str:
    mark = ('<strong>Course analysis (a policy option or reasoning, not a sourced position).</strong> '
            if row.basis == "ANALYSIS" else "")
    link_text = "Source it builds on" if row.basis == "ANALYSIS" else "Source"
    return (
        f"{mark}{html.escape(row.answer)}<br>"
        f'<small><a href="{html.escape(row.source_url)}">{link_text}</a> '
        f"({html.escape(row.confidence.lower())}; checked {row.last_verified:%Y-%m-%d}). "
        f"{html.escape(row.note)}</small>"
    )


def comparison_html(rows: pd.DataFrame) -> str:
    """The filtered comparison as an accessible HTML table: one row per question, one column per system."""
    systems = [s for s in SYSTEMS if s in set(rows["system"])]
    head = "".join(f'<th scope="col">{html.escape(SYSTEM_LONG[s])}</th>' for s in systems)
    body = []
    for _qid, group in rows.groupby("question_id", sort=False):
        cells = {row.system: _cell_html(row) for row in group.itertuples(index=False)}
        first = group.iloc[0]
        body.append(
            f'<tr><th scope="row">{html.escape(first["question"])}<br><small>{html.escape(first["topic"])}</small></th>'
            + "".join(f"<td>{cells.get(s, '')}</td>" for s in systems) + "</tr>"
        )
    n_questions = rows["question_id"].nunique()
    n_analysis = int((rows["basis"] == "ANALYSIS").sum())
    caption = (f"{n_questions} question{'s' if n_questions != 1 else ''} compared; "
               f"{n_analysis} of {len(rows)} answers are course analysis")
    return (
        f'<table class="course-table course-comparison"><caption>{html.escape(caption)}</caption>'
        f'<thead><tr><th scope="col">Question</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def basis_counts(table: pd.DataFrame) -> pd.DataFrame:
    """How many answers are sourced (by confidence) or course analysis, per system (not people: no suppression needed)."""
    label = table["basis"].where(table["basis"] == "ANALYSIS", "Sourced (" + table["confidence"].str.lower() + ")")
    label = label.replace({"ANALYSIS": "Course analysis"})
    counts = pd.crosstab(table["system"].map(SYSTEMS), label)
    columns = [c for c in BASIS_ORDER if c in counts.columns]
    return counts.reindex(index=[SYSTEMS[s] for s in SYSTEMS], columns=columns).fillna(0).astype(int)


def comparison_finding(table: pd.DataFrame) -> str:
    """A sentence summarising the comparison, computed from the table."""
    n_questions = table["question_id"].nunique()
    analysis = table[table["basis"] == "ANALYSIS"]
    policy = int(analysis["question"].str.contains("policy option").sum())
    verified = int((table["basis"].eq("sourced") & table["confidence"].eq("VERIFIED")).sum())
    return (
        f"The table compares the three systems on {n_questions} questions: {verified} of {len(table)} answers "
        f"rest on verified sources, and {len(analysis)} are the course's own analysis "
        f"({policy} of them policy options)."
    )


def basis_chart(table: pd.DataFrame):
    """Stacked bars: for each system, how many answers are sourced (by confidence) or course analysis."""
    import altair as alt

    from calaim_course.charts import OKABE_ITO

    counts = basis_counts(table)
    long = counts.reset_index().melt(id_vars="system", var_name="basis", value_name="answers")
    order = BASIS_ORDER
    pick = alt.selection_point(name="pick_basis", fields=["basis"], bind="legend")
    return (
        alt.Chart(long, title=alt.Title("Where each answer comes from",
                                        subtitle="Answers in the comparison table, by system and basis"))
        .mark_bar()
        .encode(
            x=alt.X("answers:Q", title="Answers (questions)", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("system:N", title="System", sort=list(SYSTEMS.values())),
            color=alt.Color("basis:N", title="Basis", sort=order,
                            scale=alt.Scale(domain=order, range=[OKABE_ITO[0], OKABE_ITO[4], OKABE_ITO[1]])),
            order=alt.Order("basis_rank:Q"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
            tooltip=[alt.Tooltip("system:N", title="System"), alt.Tooltip("basis:N", title="Basis"),
                     alt.Tooltip("answers:Q", title="Answers")],
        )
        .transform_calculate(basis_rank=f"indexof({order!r}, datum.basis)")
        .add_params(pick)
        .properties(width=420, height=alt.Step(36))
    )


def basis_description(table: pd.DataFrame) -> str:
    """Text description of ``basis_chart`` for screen readers (computed)."""
    counts = basis_counts(table)
    parts = []
    for system, row in counts.iterrows():
        pieces = ", ".join(f"{int(v)} {k.lower()}" for k, v in row.items() if v)
        parts.append(f"{system}: {pieces}")
    return ("*Text description:* a stacked bar chart with one bar per system; each bar splits the system's "
            "answers by where they come from. " + "; ".join(parts) + ".")
