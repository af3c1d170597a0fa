"""A weighted scorecard for records, case-management and billing systems.

The requirements (``data/reference/system_requirements.csv``) are what a system must do
for a DV organization that delivers Medi-Cal services: HIPAA safeguards, a business
associate agreement, claims or invoices, the Return Transmission File, role-based
access that keeps DV advocacy records apart, an audit log, consent tracking and
aggregate reporting. Each row names the rule behind it, with its source and confidence.

The three systems (``data/reference/fictional_systems.csv``) are invented for practice,
with obviously fictional names. They are not real products and not reviews of any.

Scoring: each requirement gets a weight from 0 (ignore) to 5 (must-have). A system earns
the weight in full where it meets the requirement, half where it partly meets it and
nothing where it misses it; its score is the points earned as a percentage of the
points possible. Ties share a rank. A missed requirement weighted 5 is called out,
because a high total can hide a gap that rules the system out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

import altair as alt
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError
from calaim_course.inputs import percent_one_decimal

SUPPORT_POINTS = {"full": 1.0, "partial": 0.5, "none": 0.0}
SUPPORT_LABELS = {"full": "Meets", "partial": "Partly meets", "none": "Misses"}
# Okabe-Ito bluish green, orange and vermillion; each cell also carries its label in text.
SUPPORT_COLOURS = {"Meets": OKABE_ITO[2], "Partly meets": OKABE_ITO[1], "Misses": OKABE_ITO[5]}
MIN_WEIGHT, MAX_WEIGHT = 0, 5
MUST_HAVE_WEIGHT = MAX_WEIGHT
REQUIREMENTS_TABLE = "system_requirements"
SYSTEMS_TABLE = "fictional_systems"
FICTIONAL_NOTE = (
    "The three systems are invented for practice; their names are fictional and they are not "
    "real products or reviews of any. Ask real vendors the questions below and check their answers."
)
_WHOLE = re.compile(r"^\+?\d+$")


# ------------------------------------------------------------------------------ tables


def _table(name: str, columns: list[str]) -> pd.DataFrame:
    """A reference table through the shared loader when its schema is registered.

    Until the lead adds the schema, read the CSV directly and check the columns the
    scorecard needs, so a broken file still fails loudly.
    """
    from calaim_course import reference
    from calaim_course.schemas import REFERENCE_SCHEMAS

    if name in REFERENCE_SCHEMAS:
        return reference.load_reference(name)
    frame = pd.read_csv(reference.REFERENCE_DIR / f"{name}.csv", dtype=str, keep_default_na=False)
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise CourseInputError(f"{name}.csv", ", ".join(missing), "these columns to be present")
    return frame


def requirements() -> pd.DataFrame:
    """The requirements, in file order, indexed by ``requirement_id``."""
    table = _table(REQUIREMENTS_TABLE, ["requirement_id", "requirement", "what_it_does", "rule",
                                        "default_weight", "vendor_question", "source_url", "confidence"])
    table = table.copy()
    table["default_weight"] = table["default_weight"].astype(int)
    return table.set_index("requirement_id", drop=False)


def systems() -> pd.DataFrame:
    """One row per fictional system and requirement: its support level and a detail."""
    table = _table(SYSTEMS_TABLE, ["system", "description", "requirement_id", "support", "detail"]).copy()
    unknown = sorted(set(table["support"]) - set(SUPPORT_POINTS))
    if unknown:
        raise CourseInputError("fictional_systems.csv support", unknown[0], "one of " + ", ".join(SUPPORT_POINTS))
    return table


def system_names() -> list[str]:
    return list(dict.fromkeys(systems()["system"]))


def default_weights() -> dict[str, int]:
    return requirements()["default_weight"].to_dict()


# ------------------------------------------------------------------------------ weights


def parse_weight(requirement: str, value: object) -> int:
    """One weight, a whole number from 0 to 5 (text such as "4" is fine)."""
    expected = f"a whole number from {MIN_WEIGHT} (ignore) to {MAX_WEIGHT} (must-have)"
    if isinstance(value, bool) or value is None:
        raise CourseInputError(f"Weight for {requirement}", value, expected)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _WHOLE.match(value.strip()):
        number = int(value.strip())
    else:
        raise CourseInputError(f"Weight for {requirement}", value, expected)
    if not MIN_WEIGHT <= number <= MAX_WEIGHT:
        raise CourseInputError(f"Weight for {requirement}", value, expected)
    return number


def parse_weights(weights: Mapping[str, object] | None = None) -> dict[str, int]:
    """Weights for every requirement: the given ones checked, the others at their default.

    Raises ``CourseInputError`` for an unknown requirement, a bad weight, or all zeros.
    """
    table = requirements()
    weights = {} if weights is None else weights
    if not isinstance(weights, Mapping):
        raise CourseInputError("Weights", weights, "a mapping from requirement to weight")
    unknown = [key for key in weights if key not in table.index]
    if unknown:
        raise CourseInputError("Requirement", unknown[0], "one of " + ", ".join(table.index))
    out = {}
    for requirement_id, row in table.iterrows():  # 8 rows
        value = weights.get(requirement_id, row["default_weight"])
        out[requirement_id] = parse_weight(row["requirement"], value)
    if not any(out.values()):
        raise CourseInputError("Weights", "all 0", "at least one requirement with a weight above 0",
                               "With every weight at 0 there is nothing to compare.")
    return out


# ------------------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class Scorecard:
    """The systems ranked under one set of weights."""

    weights: dict[str, int]
    ranking: pd.DataFrame  # rank, system, score, misses, partly, must_haves_missed
    detail: pd.DataFrame  # system, requirement_id, requirement, support, weight, points

    @property
    def leader(self) -> str:
        return str(self.ranking.iloc[0]["system"])

    def row(self, system: str) -> pd.Series:
        return self.ranking.set_index("system").loc[system]


def score(weights: Mapping[str, object] | None = None) -> Scorecard:
    """Rank the fictional systems under ``weights`` (missing weights take their defaults)."""
    checked = parse_weights(weights)
    table = requirements()
    detail = systems().merge(table[["requirement_id", "requirement"]].reset_index(drop=True), on="requirement_id", how="left",
                             validate="many_to_one")
    if detail["requirement"].isna().any():
        stray = detail.loc[detail["requirement"].isna(), "requirement_id"].iloc[0]
        raise CourseInputError("fictional_systems.csv requirement_id", stray, "a requirement listed in system_requirements.csv")
    detail["weight"] = detail["requirement_id"].map(checked)
    detail["points"] = detail["support"].map(SUPPORT_POINTS) * detail["weight"]
    possible = sum(checked.values())
    order = {requirement_id: i for i, requirement_id in enumerate(table.index)}
    detail = detail.assign(_order=detail["requirement_id"].map(order)).sort_values(["system", "_order"])
    rows = []
    for system, group in detail.groupby("system", sort=False):
        counted = group[group["weight"] > 0]  # a weight of 0 means "ignore this requirement"
        rows.append({
            "system": system,
            "score": percent_one_decimal(group["points"].sum(), possible),
            "misses": list(counted.loc[counted["support"] == "none", "requirement"]),
            "partly": list(counted.loc[counted["support"] == "partial", "requirement"]),
            "must_haves_missed": list(counted.loc[(counted["support"] == "none")
                                                  & (counted["weight"] >= MUST_HAVE_WEIGHT), "requirement"]),
        })
    ranking = pd.DataFrame(rows).sort_values(["score", "system"], ascending=[False, True], kind="stable")
    ranking.insert(0, "rank", ranking["score"].rank(method="min", ascending=False).astype(int))
    return Scorecard(checked, ranking.reset_index(drop=True), detail.drop(columns="_order").reset_index(drop=True))


def ranking_table(card: Scorecard) -> pd.DataFrame:
    """The ranking as text columns, ready to show in a table."""
    def listed(items: list[str]) -> str:
        return "; ".join(items) if items else "none"

    return pd.DataFrame({
        "Rank": card.ranking["rank"],
        "System (fictional)": card.ranking["system"],
        "Score (out of 100)": card.ranking["score"].map(lambda s: f"{s:.1f}"),
        "Misses": card.ranking["misses"].map(listed),
        "Partly meets": card.ranking["partly"].map(listed),
        "Must-haves missed (weight 5)": card.ranking["must_haves_missed"].map(listed),
    })


def vendor_questions(card: Scorecard, system: str | None = None) -> pd.DataFrame:
    """Questions to ask about the requirements ``system`` misses or partly meets (all if None)."""
    table = requirements()
    if system is None:
        wanted = list(table.index)
    else:
        if system not in set(card.ranking["system"]):
            raise CourseInputError("System", system, "one of " + ", ".join(card.ranking["system"]))
        gaps = card.detail[(card.detail["system"] == system) & (card.detail["support"] != "full")
                           & (card.detail["weight"] > 0)]
        wanted = list(gaps["requirement_id"])
    chosen = table.loc[wanted]
    return pd.DataFrame({"Requirement": chosen["requirement"].to_numpy(),
                         "Question to ask": chosen["vendor_question"].to_numpy()})


def finding(card: Scorecard) -> str:
    """The main finding, computed from the scorecard."""
    top = card.ranking.iloc[0]
    tied = card.ranking[card.ranking["score"] == top["score"]]["system"].tolist()
    if len(tied) > 1:
        first = f"{' and '.join(tied)} tie for first place with {top['score']:.1f} out of 100."
    else:
        first = f"{top['system']} ranks first with {top['score']:.1f} out of 100."
    complete = card.ranking[(card.ranking["misses"].map(len) == 0)
                            & (card.ranking["partly"].map(len) == 0)]["system"].tolist()
    if complete:
        verb = "meets" if len(complete) == 1 else "meet"
        second = f" {' and '.join(complete)} {verb} every requirement you weighted in full."
    else:
        second = " No system meets every requirement you weighted in full"
        if top["must_haves_missed"]:
            second += f"; the leader misses a must-have: {'; '.join(top['must_haves_missed'])}."
        elif top["misses"]:
            second += f"; the leader misses: {'; '.join(top['misses'])}."
        else:
            second += f"; the leader partly meets: {'; '.join(top['partly'])}."
    return first + second


# ------------------------------------------------------------------------------ chart


def _param_name(requirement_id: str) -> str:
    return "w_" + requirement_id


def weight_expression(requirement_ids: list[str]) -> str:
    """A Vega expression that gives each row the weight of its requirement's slider."""
    expression = "0"
    for requirement_id in reversed(requirement_ids):
        expression = f"datum.requirement_id === '{requirement_id}' ? {_param_name(requirement_id)} : ({expression})"
    return expression


def chart_frame() -> pd.DataFrame:
    """The systems' support for each requirement, with the points a full weight would give."""
    table = requirements()
    frame = systems().merge(table[["requirement_id", "requirement"]].reset_index(drop=True), on="requirement_id")
    frame["support_label"] = frame["support"].map(SUPPORT_LABELS)
    frame["support_points"] = frame["support"].map(SUPPORT_POINTS)
    return frame[["system", "requirement_id", "requirement", "support_label", "support_points", "detail"]]


def scorecard_chart(weights: Mapping[str, object] | None = None) -> alt.VConcatChart:
    """Scores by system (top) and what each system meets (bottom), with weight sliders.

    The sliders below the chart change the weights in the page itself, without Python:
    the chart recomputes the same score as ``score`` (points earned as a percentage of
    the points possible, half points for "partly meets").
    """
    checked = parse_weights(weights)
    table = requirements()
    ids = list(table.index)
    frame = chart_frame()
    params = [
        alt.param(name=_param_name(requirement_id), value=checked[requirement_id],
                  bind=alt.binding_range(min=MIN_WEIGHT, max=MAX_WEIGHT, step=1,
                                         name=f"Weight: {table.loc[requirement_id, 'requirement']} "))
        for requirement_id in ids
    ]
    order = system_names()
    scores = (
        alt.Chart(frame)
        .transform_calculate(weight=weight_expression(ids))
        .transform_calculate(points="datum.weight * datum.support_points")
        .transform_aggregate(earned="sum(points)", possible="sum(weight)", groupby=["system"])
        .transform_calculate(score="datum.possible > 0 ? round(1000 * datum.earned / datum.possible) / 10 : 0")
    )
    y_system = alt.Y("system:N", title="System (fictional)", sort=alt.EncodingSortField("score", order="descending"))
    bars = scores.mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X("score:Q", title="Weighted score (out of 100)", scale=alt.Scale(domain=[0, 100])),
        y=y_system, tooltip=[alt.Tooltip("system:N", title="System"), alt.Tooltip("score:Q", title="Score")],
    )
    labels = scores.mark_text(align="left", dx=4, fontSize=12).encode(
        x="score:Q", y=y_system, text=alt.Text("score:Q", format=".1f"))
    top = alt.layer(bars, labels).add_params(*params).properties(
        width=540, height=110, title=alt.Title("Weighted score by system",
                                               subtitle="Move the weight sliders below the chart to re-rank the systems."))
    colour = alt.Color("support_label:N", title="Support",
                       scale=alt.Scale(domain=list(SUPPORT_COLOURS), range=list(SUPPORT_COLOURS.values())),
                       legend=alt.Legend(orient="bottom"))
    grid_base = alt.Chart(frame).encode(
        x=alt.X("system:N", title=None, sort=order, axis=alt.Axis(labelAngle=0, orient="top", labelLimit=200)),
        y=alt.Y("requirement:N", title=None, sort=list(table["requirement"]), axis=alt.Axis(labelLimit=320)),
    )
    cells = grid_base.mark_rect(stroke="#FFFFFF", strokeWidth=2).encode(
        color=colour,
        tooltip=[alt.Tooltip("system:N", title="System"), alt.Tooltip("requirement:N", title="Requirement"),
                 alt.Tooltip("support_label:N", title="Support"), alt.Tooltip("detail:N", title="Detail")],
    )
    words = grid_base.mark_text(fontSize=12, color="#000000").encode(text="support_label:N")
    grid = alt.layer(cells, words).properties(
        width=540, height=8 * 30, title=alt.Title("What each fictional system meets"))
    return alt.vconcat(top, grid, spacing=30).resolve_scale(color="independent")


def chart_description(card: Scorecard) -> str:
    """A text description of ``scorecard_chart`` at the card's weights, for screen readers."""
    scores = "; ".join(f"{row.system}, {row.score:.1f}" for row in card.ranking.itertuples(index=False))
    parts = [
        f"Top: a horizontal bar for each fictional system's weighted score out of 100, highest first: {scores}.",
        "Bottom: a grid with one row per requirement and one column per system; each cell says Meets, "
        "Partly meets or Misses, in words and in colour.",
    ]
    for row in card.ranking.sort_values("system", kind="stable").itertuples(index=False):
        gaps = []
        if row.misses:
            gaps.append("misses " + "; ".join(row.misses))
        if row.partly:
            gaps.append("partly meets " + "; ".join(row.partly))
        parts.append(f"{row.system} " + (" and ".join(gaps) if gaps else "meets every weighted requirement") + ".")
    parts.append(f"Below the chart, {len(card.weights)} sliders set the weights from {MIN_WEIGHT} to {MAX_WEIGHT}.")
    return " ".join(parts)


__all__ = [
    "SUPPORT_POINTS", "SUPPORT_LABELS", "MUST_HAVE_WEIGHT", "FICTIONAL_NOTE", "Scorecard",
    "requirements", "systems", "system_names", "default_weights", "parse_weight", "parse_weights",
    "score", "ranking_table", "vendor_questions", "finding", "weight_expression", "chart_frame",
    "scorecard_chart", "chart_description",
]
