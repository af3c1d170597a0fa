"""A readiness self-assessment for CalAIM work, and the resources that fit its gaps.

The questions (``data/reference/readiness_questions.csv``) are grouped in six domains:
governance and contracting, staffing and supervision, billing and claims, data and
reporting, confidentiality and consent, and technology. Each question names the rule that
makes it matter, with its source and confidence; the two that are only the course's
suggestion say so (``basis``).

Each answer is on a 0-3 scale: 0 not started, 1 planning, 2 partly in place, 3 in place.
A domain's score is its points as a percentage of the points possible (3 per question).
A domain is a **gap** when its answers average below 2 ("partly in place"): the course
picks that line because below it most of the domain's work has not started yet.

The resources (``data/reference/support_resources.csv``) are course sections and sourced
programs and guidance, each tagged with the domains it helps and its status today. PATH
CITED is listed as closed (Round 4, November 2025, was the final round); the Technical
Assistance Marketplace and Collaborative Planning and Implementation are listed with their
names only, because the course could not confirm what they offer now.
"""

from __future__ import annotations

import functools

import math
import re
from dataclasses import dataclass
from typing import Mapping

import altair as alt
import numpy as np
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError
from calaim_course.inputs import percent_one_decimal

QUESTIONS_TABLE = "readiness_questions"
RESOURCES_TABLE = "support_resources"

# Display order of the domains and their labels.
DOMAINS = {
    "governance_contracting": "Governance and contracting",
    "staffing_supervision": "Staffing and supervision",
    "billing_claims": "Billing and claims",
    "data_reporting": "Data and reporting",
    "confidentiality_consent": "Confidentiality and consent",
    "technology": "Technology",
}
SCALE = {0: "Not started", 1: "Planning", 2: "Partly in place", 3: "In place"}
MAX_ANSWER = max(SCALE)
GAP_AVERAGE = 2  # a domain whose answers average below this is a gap
GAP_SCORE = round(100 * GAP_AVERAGE / MAX_ANSWER, 1)  # the same line on the 0-100 score: 66.7
EXPECTED_ANSWER = "0, 1, 2 or 3 (0 not started, 1 planning, 2 partly in place, 3 in place)"
STATUS_ORDER = ["open", "ask", "unconfirmed", "closed"]  # what a reader can use first
STATUS_LABELS = {"open": "Open", "ask": "Ask", "unconfirmed": "Unconfirmed", "closed": "Closed"}
# Status colours (Okabe-Ito): bluish green for on track, vermillion for a gap.
STATUS_COLOURS = {"Gap: below the line": OKABE_ITO[5], "On track": OKABE_ITO[2]}

# Example answers of the course's fictional agency, Cedar Lantern Survivor Services: it is
# contracted with two plans (strong governance) but its billing and systems are still being
# built. Invented for practice, like the rest of the synthetic world.
EXAMPLE_AGENCY = "Cedar Lantern Survivor Services (fictional)"
EXAMPLE_ANSWERS = {
    "gov_plans": 3, "gov_services": 3, "gov_contract": 3, "gov_npi": 3,
    "staff_roles": 2, "staff_chw": 3, "staff_dvc": 3, "staff_supervision": 1,
    "bill_format": 2, "bill_codes": 1, "bill_filing": 2, "bill_budget": 2,
    "data_rtf": 1, "data_clr": 2, "data_aggregate": 3, "data_hmis": 3,
    "conf_release": 3, "conf_hipaa": 2, "conf_baa": 3, "conf_hashing": 1,
    "tech_security": 2, "tech_roles": 1, "tech_audit": 1, "tech_consent": 1,
}

_SCALE_BY_LABEL = {label.lower(): number for number, label in SCALE.items()}
_NUMBER_FIRST = re.compile(r"^\s*([+-]?[0-9]+(?:\.[0-9]+)?)\s*(?:[-:.)]\s*)?(.*)$")


# ------------------------------------------------------------------------------ tables


def questions() -> pd.DataFrame:
    """The questions in domain order, indexed by ``question_id`` (a fresh copy each call)."""
    return _questions().copy()


@functools.lru_cache(maxsize=1)
def _questions() -> pd.DataFrame:
    # Built once: every answer change used to rebuild it from the CSV about 24 times.
    from calaim_course.reference import load_reference

    table = load_reference(QUESTIONS_TABLE)
    unknown = sorted(set(table["domain"]) - set(DOMAINS))
    if unknown:
        raise CourseInputError("readiness_questions.csv domain", unknown[0], "one of " + ", ".join(DOMAINS))
    table["order"] = table["order"].astype(int)
    table["domain_label"] = table["domain"].map(DOMAINS)
    table["_domain_order"] = table["domain"].map(list(DOMAINS).index)
    table = table.sort_values(["_domain_order", "order"], kind="stable").drop(columns="_domain_order")
    return table.set_index("question_id", drop=False)


@functools.lru_cache(maxsize=1)
def _question_texts() -> dict[str, str]:
    """Each question's text by question id, in domain order (the cached table is read, never changed)."""
    table = _questions()
    return dict(zip(table["question_id"], table["question"]))


@functools.lru_cache(maxsize=1)
def _question_columns() -> dict[str, np.ndarray]:
    """The columns ``assess`` lists, as arrays in the table's order (read only; ``assess`` takes rows from them)."""
    table = _questions()
    return {column: table[column].to_numpy() for column in ("question_id", "domain", "domain_label", "question", "why")}


@functools.lru_cache(maxsize=1)
def _question_ids_by_domain() -> dict[str, list[str]]:
    """The question ids of each domain, in the table's order."""
    table = _questions()
    return {domain: table.loc[table["domain"] == domain, "question_id"].tolist() for domain in DOMAINS}


def resources() -> pd.DataFrame:
    """The support resources, each with its list of domains (``domain_list``), a fresh copy."""
    return _resources().copy()


@functools.lru_cache(maxsize=1)
def _resources() -> pd.DataFrame:
    from calaim_course.reference import load_reference

    table = load_reference(RESOURCES_TABLE)
    table["domain_list"] = table["domains"].str.split(";")
    for row in table.itertuples(index=False):  # a few dozen rows: checking each is cheap
        stray = [d for d in row.domain_list if d not in DOMAINS]
        if stray:
            raise CourseInputError(f"support_resources.csv domains of {row.resource_id}", stray[0],
                                   "domains from " + ", ".join(DOMAINS))
        if row.status not in STATUS_LABELS:
            raise CourseInputError(f"support_resources.csv status of {row.resource_id}", row.status,
                                   "one of " + ", ".join(STATUS_LABELS))
    return table.set_index("resource_id", drop=False)


# ------------------------------------------------------------------------------ answers


def _question_field(question_id: str, text: str) -> str:
    short = text if len(text) <= 70 else text[:67].rstrip() + "..."
    return f'Answer to question {question_id} ("{short}")'


def parse_answer(question_id: str, value: object) -> int:
    """One answer as a whole number from 0 to 3.

    Accepts 0-3 as a number or as text ("2"), a scale label ("Partly in place"), or both
    ("2 Partly in place", as the widget's list offers them). Anything else raises
    ``CourseInputError`` naming the question.
    """
    texts = _question_texts()
    if question_id not in texts:
        raise CourseInputError("Question", question_id, "a question id from readiness_questions.csv, such as gov_plans")
    field = _question_field(question_id, texts[question_id])
    labels = _SCALE_BY_LABEL
    if isinstance(value, bool) or value is None:
        raise CourseInputError(field, value, EXPECTED_ANSWER)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not (math.isfinite(value) and value.is_integer()):
            raise CourseInputError(field, value, EXPECTED_ANSWER)
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise CourseInputError(field, value, EXPECTED_ANSWER, "The answer is empty.")
        match = _NUMBER_FIRST.match(text)
        if match:
            try:
                as_float = float(match.group(1))
            except ValueError:  # pragma: no cover - the pattern only matches numbers
                raise CourseInputError(field, value, EXPECTED_ANSWER) from None
            if not as_float.is_integer():
                raise CourseInputError(field, value, EXPECTED_ANSWER)
            number = int(as_float)
            rest = match.group(2).strip().lower()
            # "2 Partly in place" is fine; "2 In place" contradicts itself.
            if rest and labels.get(rest) != number:
                raise CourseInputError(field, value, EXPECTED_ANSWER, "The number and the words do not match.")
        elif text.lower() in labels:
            number = labels[text.lower()]
        else:
            raise CourseInputError(field, value, EXPECTED_ANSWER)
    else:
        raise CourseInputError(field, value, EXPECTED_ANSWER)
    if number not in SCALE:
        raise CourseInputError(field, value, EXPECTED_ANSWER)
    return number


def parse_answers(answers: Mapping[str, object] | None) -> dict[str, int]:
    """Every question's answer, checked. Each question must be answered once."""
    if answers is None:
        answers = {}
    if not isinstance(answers, Mapping):
        raise CourseInputError("Answers", answers, "a mapping from question id to an answer from 0 to 3")
    texts = _question_texts()
    unknown = [key for key in answers if key not in texts]
    if unknown:
        raise CourseInputError("Question", unknown[0], "a question id from readiness_questions.csv, such as gov_plans")
    checked = {}
    for question_id, text in texts.items():  # two dozen questions, in the table's order
        if question_id not in answers:
            raise CourseInputError(_question_field(question_id, text), "no answer", EXPECTED_ANSWER)
        checked[question_id] = parse_answer(question_id, answers[question_id])
    return checked


# ------------------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class Assessment:
    """Scores by domain for one set of answers, and what to work on."""

    answers: dict[str, int]
    domains: pd.DataFrame  # domain, label, questions, points, possible, score, gap
    to_work_on: pd.DataFrame  # question_id, domain, domain_label, question, answer, answer_label, why

    @property
    def gaps(self) -> list[str]:
        """Gap domains, weakest first (ties in the course's domain order)."""
        frame = self.domains
        gaps = [(domain, score) for domain, score, gap in zip(frame["domain"], frame["score"], frame["gap"]) if gap]
        return [domain for domain, _ in sorted(gaps, key=lambda pair: pair[1])]  # sorted() is stable

    @property
    def overall(self) -> float:
        return percent_one_decimal(int(self.domains["points"].sum()), int(self.domains["possible"].sum()))

    def score(self, domain: str) -> float:
        return float(self.domains.set_index("domain").loc[domain, "score"])


def assess(answers: Mapping[str, object] | None = None) -> Assessment:
    """Score ``answers`` (the example agency's answers when None) by domain."""
    checked = parse_answers(EXAMPLE_ANSWERS if answers is None else answers)
    rows = []
    for domain, label in DOMAINS.items():
        ids = _question_ids_by_domain()[domain]
        points, count = sum(checked[question_id] for question_id in ids), len(ids)
        possible = MAX_ANSWER * count
        rows.append({
            "domain": domain, "label": label, "questions": count, "points": points, "possible": possible,
            "score": percent_one_decimal(points, possible),
            # compare whole numbers (points < 2 x questions), not rounded percentages
            "gap": points < GAP_AVERAGE * count,
        })
    columns = _question_columns()
    answer = np.array([checked[question_id] for question_id in columns["question_id"]], dtype="int64")
    low = np.flatnonzero(answer < GAP_AVERAGE)
    to_work_on = pd.DataFrame({
        "question_id": columns["question_id"][low], "domain": columns["domain"][low],
        "domain_label": columns["domain_label"][low], "question": columns["question"][low],
        "answer": answer[low], "answer_label": np.array([SCALE[a] for a in answer[low]], dtype=object),
        "why": columns["why"][low],
    })
    return Assessment(checked, pd.DataFrame(rows), to_work_on)


def matching_resources(assessment: Assessment) -> pd.DataFrame:
    """Resources that fit the assessment's gap domains; usable ones first, closed ones last.

    Columns: resource_id, name, kind, fits (gap domain labels), status, status_note,
    what_it_offers, how_to_use, source_url, confidence. Empty when there is no gap.
    """
    return _resources_for_gaps(tuple(assessment.gaps)).copy()


@functools.lru_cache(maxsize=256)
def _resources_for_gaps(gaps: tuple[str, ...]) -> pd.DataFrame:
    """``matching_resources`` for gap domains ``gaps`` (weakest first). Cached on that tuple:
    the result depends only on it and on the resource table, which is read once. Callers copy."""
    table = _resources()
    columns = ["resource_id", "name", "kind", "fits", "status", "status_note", "what_it_offers", "how_to_use",
               "source_url", "confidence"]
    if not gaps:
        return pd.DataFrame(columns=columns)
    rank = {domain: i for i, domain in enumerate(gaps)}
    rows = []
    for row in table.itertuples(index=False):
        fits = [d for d in gaps if d in row.domain_list]
        if fits:
            rows.append({"resource_id": row.resource_id, "name": row.name, "kind": row.kind,
                         "fits": "; ".join(DOMAINS[d] for d in fits), "status": row.status,
                         "status_note": row.status_note, "what_it_offers": row.what_it_offers,
                         "how_to_use": row.how_to_use, "source_url": row.source_url, "confidence": row.confidence,
                         "_status": STATUS_ORDER.index(row.status), "_weakest": min(rank[d] for d in fits)})
    frame = pd.DataFrame(rows).sort_values(["_status", "_weakest"], kind="stable")
    return frame[columns].reset_index(drop=True)


def domain_table(assessment: Assessment) -> pd.DataFrame:
    """The domain scores as text columns, ready to show."""
    frame = assessment.domains
    return pd.DataFrame({
        "Domain": frame["label"],
        "Points": [f"{p} of {q}" for p, q in zip(frame["points"], frame["possible"])],
        "Score (out of 100)": frame["score"].map(lambda s: f"{s:.1f}"),
        "Status": frame["gap"].map({True: "Gap: below the line", False: "On track"}),
    })


def finding(assessment: Assessment) -> str:
    """The main finding, computed from the assessment."""
    frame = assessment.domains.set_index("domain")
    strongest = frame.sort_values("score", ascending=False, kind="stable").iloc[0]
    gaps = assessment.gaps
    line = f"the gap line ({GAP_AVERAGE}, partly in place, on average)"
    if not gaps:
        return (f"No domain is below {line}; the overall score is {assessment.overall:.1f} out of 100. "
                f"The strongest domain is {strongest['label'].lower()} ({strongest['score']:.1f}).")
    named = [f"{frame.loc[d, 'label'].lower()} ({frame.loc[d, 'score']:.1f} out of 100)" for d in gaps]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    verb = "is" if len(gaps) == 1 else "are"
    found = len(_resources_for_gaps(tuple(gaps)))
    sentence = f"{listed[0].upper()}{listed[1:]} {verb} below {line}; {found} resources fit"
    sentence += " it." if len(gaps) == 1 else " them."
    if strongest.name not in gaps:
        sentence += f" The strongest domain is {strongest['label'].lower()} ({strongest['score']:.1f})."
    return sentence


# ------------------------------------------------------------------------------ chart


def _param_name(question_id: str) -> str:
    return "q_" + question_id


def answer_expression(question_ids: list[str]) -> str:
    """A Vega expression giving each question row the value of its question's radio buttons."""
    expression = "null"
    for question_id in reversed(question_ids):
        expression = f"datum.question_id === '{question_id}' ? {_param_name(question_id)} : ({expression})"
    return expression


def chart_frame() -> pd.DataFrame:
    """One row per question and one row per resource and domain, for the chart's transforms."""
    table = questions()
    first = table.groupby("domain")["order"].transform("min")
    question_rows = pd.DataFrame({
        "kind": "question", "domain": table["domain"].to_numpy(), "domain_label": table["domain_label"].to_numpy(),
        "domain_order": table["domain"].map(list(DOMAINS).index).to_numpy(),
        "question_id": table["question_id"].to_numpy(), "first": (table["order"] == first).to_numpy(),
        "resource": None, "status_order": None,
    })
    resource_rows = []
    for row in resources().itertuples(index=False):
        label = f"{row.name} ({STATUS_LABELS[row.status].lower()})"
        for domain in row.domain_list:
            resource_rows.append({"kind": "resource", "domain": domain, "domain_label": DOMAINS[domain],
                                  "domain_order": list(DOMAINS).index(domain), "question_id": None, "first": False,
                                  "resource": label, "status_order": STATUS_ORDER.index(row.status)})
    return pd.concat([question_rows, pd.DataFrame(resource_rows)], ignore_index=True)


def readiness_chart(answers: Mapping[str, object] | None = None) -> alt.VConcatChart:
    """Scores by domain (top) and the resources that fit the gaps (bottom).

    One set of radio buttons per question sits below the chart: choosing answers there
    recomputes the scores and the resource list in the page itself, without Python, with
    the same rule as ``assess``.
    """
    checked = parse_answers(EXAMPLE_ANSWERS if answers is None else answers)
    table = questions()
    ids = list(table.index)
    params = [
        alt.param(name=_param_name(question_id), value=checked[question_id],
                  bind=alt.binding_radio(options=list(SCALE), labels=[f"{k} {v}" for k, v in SCALE.items()],
                                         name=f"{row['domain_label']}, {row['order']}: {row['question']} "))
        for question_id, row in table.iterrows()
    ]
    base = (
        alt.Chart(chart_frame())
        .transform_calculate(answer=answer_expression(ids), is_question="datum.kind === 'question' ? 1 : 0")
        .transform_joinaggregate(points="sum(answer)", count="sum(is_question)", groupby=["domain"])
        .transform_calculate(score=f"round(1000 * datum.points / ({MAX_ANSWER} * datum.count)) / 10",
                             gap=f"datum.points < {GAP_AVERAGE} * datum.count",
                             status=f"datum.points < {GAP_AVERAGE} * datum.count ? 'Gap: below the line' : 'On track'")
    )
    domains = base.transform_filter("datum.kind === 'question' && datum.first")
    y_domain = alt.Y("domain_label:N", title="Domain", sort=list(DOMAINS.values()), axis=alt.Axis(labelLimit=240))
    colour = alt.Color("status:N", title="Status",
                       scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
                       legend=alt.Legend(orient="bottom"))
    bars = domains.mark_bar().encode(
        x=alt.X("score:Q", title="Readiness score (out of 100)", scale=alt.Scale(domain=[0, 100])),
        y=y_domain, color=colour,
        tooltip=[alt.Tooltip("domain_label:N", title="Domain"), alt.Tooltip("score:Q", title="Score"),
                 alt.Tooltip("status:N", title="Status")],
    )
    labels = domains.mark_text(align="left", dx=4, fontSize=12).encode(
        x="score:Q", y=y_domain, text=alt.Text("score:Q", format=".1f"))
    line = alt.Chart(pd.DataFrame({"score": [GAP_SCORE]})).mark_rule(strokeDash=[4, 4], color="#000000").encode(
        x="score:Q")
    top = alt.layer(bars, labels, line).add_params(*params).properties(
        width=520, height=6 * 34,
        title=alt.Title("Readiness score by domain",
                        subtitle=[f"Dashed line: {GAP_AVERAGE} (partly in place) on average, {GAP_SCORE} out of 100.",
                                  "Choose answers with the buttons below the chart."]))
    fitting = (
        base.transform_filter("datum.kind === 'resource' && datum.gap")
        .transform_aggregate(weakest="min(score)", status_order="min(status_order)", groupby=["resource"])
    )
    listed = fitting.mark_text(align="left", fontSize=12, limit=600).encode(
        x=alt.value(0),
        y=alt.Y("resource:N", title=None, axis=None,
                sort=alt.EncodingSortField("status_order", order="ascending")),
        text="resource:N",
    )
    none_left = (
        domains.transform_calculate(is_gap="datum.gap ? 1 : 0")
        .transform_aggregate(gaps="sum(is_gap)")
        .transform_filter("datum.gaps === 0")
        .mark_text(align="left", fontSize=12)
        .encode(x=alt.value(0), y=alt.value(10),
                text=alt.value("No domain is below the line: no resources to suggest."))
    )
    bottom = alt.layer(listed, none_left).properties(
        width=520, height=alt.Step(20), view=alt.ViewBackground(stroke=None),
        title=alt.Title("Resources that fit the gaps", subtitle="Status in brackets; closed programs are listed last."))
    return alt.vconcat(top, bottom, spacing=24)


def chart_description(assessment: Assessment) -> str:
    """A text description of ``readiness_chart`` at the assessment's answers, for screen readers."""
    scores = "; ".join(f"{row.label}, {row.score:.1f}" + (" (gap)" if row.gap else "")
                       for row in assessment.domains.itertuples(index=False))
    found = matching_resources(assessment)
    parts = [f"Top: a horizontal bar for each domain's readiness score out of 100, with a dashed line at {GAP_SCORE}: "
             f"{scores}."]
    if found.empty:
        parts.append("Bottom: no domain is below the line, so no resources are listed.")
    else:
        items = "; ".join(f"{row.name} ({STATUS_LABELS[row.status].lower()})" for row in found.itertuples(index=False))
        parts.append(f"Bottom: the {len(found)} resources that fit the gap domains: {items}.")
    parts.append(f"Below the chart, {len(assessment.answers)} sets of radio buttons, one per question, "
                 "set each answer from 0 (not started) to 3 (in place).")
    return " ".join(parts)


__all__ = [
    "DOMAINS", "SCALE", "GAP_AVERAGE", "GAP_SCORE", "EXAMPLE_AGENCY", "EXAMPLE_ANSWERS", "Assessment",
    "questions", "resources", "parse_answer", "parse_answers", "assess", "matching_resources", "domain_table",
    "finding", "answer_expression", "chart_frame", "readiness_chart", "chart_description",
]
