"""The "Can we share this?" scenario explorer: which rules apply, and the likely answer.

A scenario is four choices: the kind of information, who would receive it, why, and the
survivor's release (consent) status. The rules live in ``data/reference/sharing_rules.csv``,
one row per rule, each with its source, confidence and date last verified.

How the table is read (why it looks like this):

- Every row says which scenarios it matches: a ``;``-separated list of option keys per
  choice, or ``*`` for all of them.
- Rows with an ``answer`` are *deciding* rows. The matching deciding row with the lowest
  ``priority`` gives the answer, so the order of the rows is the course's reading of how
  the rules combine (for example: a court order is considered before the release status;
  the VAWA, FVPSA and VOCA conditions are stricter than HIPAA, so they decide).
- Rows without an answer are *context*: other rules that apply to the scenario, shown
  with their sources. A context row that repeats the deciding row's citation is left out.
- The organization is assumed to receive VAWA, FVPSA or VOCA funds and to bill Medi-Cal.
  Without those funds, other rules decide: the explorer says so and does not guess.

The answers are the course's reading of sourced rules (ANALYSIS, not a cited rule): they
are educational, not legal advice.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from datetime import date

import altair as alt
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError

TABLE = "sharing_rules"

# The four choices the page offers: option key -> label a learner reads.
INFO_TYPES = {
    "identifying": "Personally identifying information (name, phone, date of birth, plan member ID)",
    "hashed_identifier": "An identifier that was hashed, encrypted or encoded",
    "location": "Where the survivor lives or stays (including a shelter address)",
    "medi_cal_service": "Medi-Cal service details tied to the survivor (dates, codes)",
    "counseling_communications": "What the survivor told a DV counselor or advocate",
    "aggregate": "Non-identifying aggregate counts, small counts hidden",
}
RECIPIENTS = {
    "managed_care_plan": "The survivor's Medi-Cal managed care plan",
    "health_provider": "A clinic or hospital treating the survivor",
    "community_partner": "A Community Supports or other community partner",
    "funder_or_hmis": "A funder, or a shared database such as HMIS",
    "court_or_government": "A court, law enforcement or another government agency",
}
PURPOSES = {
    "care_coordination": "Treatment, referral or care coordination",
    "payment": "Payment: eligibility checks, claims, invoices, audits",
    "reporting": "Reporting, evaluation or data collection",
    "court_order": "A court order requires it",
    "subpoena": "A subpoena arrived (no court order)",
    "mandated_report": "A law requires a report (for example child abuse)",
}
CONSENT_STATUSES = {
    "none": "No release",
    "valid": "A valid release for this recipient and purpose, in force",
    "not_valid": "A release that is not valid (not informed, not written, open-ended, or required for services)",
    "ended": "A release that expired or was withdrawn",
}
CHOICES = {
    "info_type": ("info_types", INFO_TYPES, "Information"),
    "recipient": ("recipients", RECIPIENTS, "Recipient"),
    "purpose": ("purposes", PURPOSES, "Purpose"),
    "consent": ("consent_statuses", CONSENT_STATUSES, "Release status"),
}
DEFAULT_SCENARIO = {"info_type": "identifying", "recipient": "managed_care_plan", "purpose": "payment", "consent": "none"}

# answer key -> (short label for tables and charts, the sentence a learner reads)
ANSWERS = {
    "no": ("No", "No. Do not share it."),
    "no_aggregate_only": ("Counts only", "No individual information. Share only non-identifying aggregate counts, with small counts hidden."),
    "yes_with_release": ("Yes, within the release", "Yes, within the release: only what it names, to the recipient it names, for its purpose, while it is in force."),
    "yes_aggregate": ("Yes, as counts", "Yes, as non-identifying aggregate counts with small counts hidden."),
    "only_what_is_ordered": ("Only what is ordered", "Only what the court order requires. Tell the survivor, and take steps to protect their privacy and safety."),
    "only_what_law_requires": ("Only what law requires", "Only what the reporting law requires, to the authority it names. Tell the survivor unless that would put them at risk."),
    "not_on_subpoena_alone": ("Not on a subpoena alone", "Not on a subpoena alone. Tell the survivor and get legal advice before responding."),
}
ANSWER_ORDER = list(ANSWERS)
ANSWER_COLOURS = dict(zip(ANSWER_ORDER, OKABE_ITO[:7]))
CONFIDENCE_VALUES = ("VERIFIED", "SECONDARY", "UNVERIFIED", "ILLUSTRATIVE")
COLUMNS = ["rule_id", "priority", "info_types", "recipients", "purposes", "consent_statuses", "answer",
           "law", "citation", "what_it_says", "our_reading", "source_url", "confidence", "last_verified", "note"]
ASSUMPTION = (
    "The explorer assumes the organization receives VAWA, FVPSA or VOCA funds and bills a Medi-Cal plan "
    "electronically, so that (in our reading) HIPAA covers its billed services. "
    "Without those funds other rules decide; emergencies and minors are not covered here. "
    "Educational, not legal advice: check with your organization's counsel."
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Rule:
    """One row of the rule table, as shown to a learner."""

    rule_id: str
    law: str
    citation: str
    what_it_says: str
    our_reading: str
    source_url: str
    confidence: str
    deciding: bool


@dataclass(frozen=True)
class SharingAnswer:
    """The explorer's answer for one scenario: the deciding rule first, then the others."""

    scenario: dict
    answer: str
    short: str
    sentence: str
    reading: str
    rules: tuple[Rule, ...]

    @property
    def citations(self) -> list[str]:
        return [rule.citation for rule in self.rules]


# ------------------------------------------------------------------------------ table


def _split(value: str) -> set[str] | None:
    """``*`` -> None (any option); otherwise the set of option keys."""
    value = value.strip()
    return None if value == "*" else {part.strip() for part in value.split(";") if part.strip()}


def validate_rules(table: pd.DataFrame) -> pd.DataFrame:
    """Check the rule table; raise CourseInputError naming the row and column at fault."""
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise CourseInputError(f"{TABLE}.csv columns", ", ".join(missing), "every column of the rule table")
    table = table[COLUMNS].fillna("").astype(str)
    if table["rule_id"].duplicated().any():
        dup = table.loc[table["rule_id"].duplicated(), "rule_id"].iloc[0]
        raise CourseInputError(f"{TABLE}.csv rule_id", dup, "each rule_id once")
    for number, row in enumerate(table.itertuples(index=False), start=2):  # 2: the header is line 1
        where = f"{TABLE}.csv line {number} ({row.rule_id})"
        if not row.priority.isdigit():
            raise CourseInputError(f"{where}, priority", row.priority, "a whole number")
        for _choice, (column, options, _label) in CHOICES.items():
            keys = _split(getattr(row, column))
            if keys is not None and (not keys or keys - set(options)):
                raise CourseInputError(f"{where}, {column}", getattr(row, column),
                                       "'*' or option keys from " + ", ".join(options))
        if row.answer and row.answer not in ANSWERS:
            raise CourseInputError(f"{where}, answer", row.answer, "empty or one of " + ", ".join(ANSWERS))
        if not row.source_url.startswith("https://"):
            raise CourseInputError(f"{where}, source_url", row.source_url, "a web address starting with https://")
        if row.confidence not in CONFIDENCE_VALUES or row.confidence in ("UNVERIFIED", "ILLUSTRATIVE"):
            # A rule shown to learners must come from a source the course could read.
            raise CourseInputError(f"{where}, confidence", row.confidence, "VERIFIED or SECONDARY")
        if not _DATE.match(row.last_verified):
            raise CourseInputError(f"{where}, last_verified", row.last_verified, "a date written YYYY-MM-DD")
        try:
            date.fromisoformat(row.last_verified)
        except ValueError:
            raise CourseInputError(f"{where}, last_verified", row.last_verified, "a real calendar date") from None
        for column in ("law", "citation", "what_it_says"):
            if not getattr(row, column).strip():
                raise CourseInputError(f"{where}, {column}", "", "some text")
    table = table.copy()
    table["priority"] = table["priority"].astype(int)
    if table["priority"].duplicated().any():
        dup = table.loc[table["priority"].duplicated(), "rule_id"].iloc[0]
        raise CourseInputError(f"{TABLE}.csv priority of {dup}", "a priority another row has", "a unique priority")
    return table.sort_values("priority").reset_index(drop=True)


def load_rules() -> pd.DataFrame:
    """The rule table, checked, sorted by priority.

    Uses the shared reference loader once the table's schema is registered; until then it
    reads the CSV itself. Either way ``validate_rules`` checks what the explorer relies on.
    """
    from calaim_course import reference
    from calaim_course.schemas import REFERENCE_SCHEMAS

    if TABLE in REFERENCE_SCHEMAS:
        frame = reference.load_reference(TABLE)
        frame["last_verified"] = pd.to_datetime(frame["last_verified"]).dt.strftime("%Y-%m-%d")
    else:
        frame = pd.read_csv(reference.REFERENCE_DIR / f"{TABLE}.csv", dtype=str, keep_default_na=False)
    return validate_rules(frame)


# ------------------------------------------------------------------------------ deciding


def check_scenario(info_type: object, recipient: object, purpose: object, consent: object) -> dict:
    """The scenario as a dict of option keys; CourseInputError names an unknown choice."""
    scenario = {"info_type": info_type, "recipient": recipient, "purpose": purpose, "consent": consent}
    for choice, value in scenario.items():
        _column, options, label = CHOICES[choice]
        if not isinstance(value, str) or value not in options:
            raise CourseInputError(label, value, "one of " + ", ".join(options))
    return scenario


def _matches(row, scenario: dict) -> bool:
    for choice, (column, _options, _label) in CHOICES.items():
        keys = _split(getattr(row, column))
        if keys is not None and scenario[choice] not in keys:
            return False
    return True


def decide(info_type: str, recipient: str, purpose: str, consent: str,
           rules: pd.DataFrame | None = None) -> SharingAnswer:
    """The likely answer for a scenario and every rule that applies, with sources.

    Raises CourseInputError for an option the page does not offer. A scenario that no
    deciding row covers is a gap in the rule table (a bug): LookupError.
    """
    scenario = check_scenario(info_type, recipient, purpose, consent)
    table = load_rules() if rules is None else rules
    matching = [row for row in table.itertuples(index=False) if _matches(row, scenario)]
    deciding = [row for row in matching if row.answer]
    if not deciding:
        raise LookupError(f"the sharing rule table has no deciding row for {scenario}")
    chosen = deciding[0]  # rows are sorted by priority
    shown = [chosen] + [row for row in matching if not row.answer and row.citation != chosen.citation]
    rules_out = tuple(
        Rule(row.rule_id, row.law, row.citation, row.what_it_says, row.our_reading, row.source_url,
             row.confidence, row is chosen)
        for row in shown
    )
    short, sentence = ANSWERS[chosen.answer]
    return SharingAnswer(scenario, chosen.answer, short, sentence, chosen.our_reading, rules_out)


def all_scenarios() -> list[dict]:
    """Every combination of the options the page offers."""
    return [
        dict(zip(CHOICES, combo))
        for combo in itertools.product(INFO_TYPES, RECIPIENTS, PURPOSES, CONSENT_STATUSES)
    ]


def answer_grid(rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per scenario: the option keys and labels, the answer and its main citation."""
    table = load_rules() if rules is None else rules
    records = []
    for scenario in all_scenarios():
        result = decide(**scenario, rules=table)
        records.append({
            **scenario,
            "information": _short_info(scenario["info_type"]),
            "recipient_label": RECIPIENTS[scenario["recipient"]],
            "purpose_label": _short_purpose(scenario["purpose"]),
            "consent_label": CONSENT_STATUSES[scenario["consent"]],
            "answer": result.answer,
            "answer_label": result.short,
            "main_rule": f"{result.rules[0].law}, {result.rules[0].citation}",
        })
    return pd.DataFrame.from_records(records)


SHORT_INFO = {
    "identifying": "Identifying information",
    "hashed_identifier": "Hashed identifier",
    "location": "Location",
    "medi_cal_service": "Medi-Cal service details",
    "counseling_communications": "Counseling communications",
    "aggregate": "Aggregate counts",
}
SHORT_PURPOSE = {
    "care_coordination": "Care coordination",
    "payment": "Payment",
    "reporting": "Reporting",
    "court_order": "Court order",
    "subpoena": "Subpoena only",
    "mandated_report": "Required report",
}


def _short_info(key: str) -> str:
    return SHORT_INFO[key]


def _short_purpose(key: str) -> str:
    return SHORT_PURPOSE[key]


def grid_finding(grid: pd.DataFrame, recipient: str = "managed_care_plan") -> str:
    """The chart's main finding, computed from the grid (never typed)."""
    rows = grid[(grid["recipient"] == recipient) & (grid["info_type"] != "aggregate")]
    care_pay = rows[rows["purpose"].isin(["care_coordination", "payment"])]
    without = care_pay[care_pay["consent"] != "valid"]
    shared_without = int((without["answer"] != "no").sum())
    with_release = care_pay[care_pay["consent"] == "valid"]
    return (
        f"For {RECIPIENTS[recipient][0].lower() + RECIPIENTS[recipient][1:]}, individual information for care "
        f"coordination or payment can be shared in {int((with_release['answer'] == 'yes_with_release').sum())} of "
        f"{len(with_release)} scenarios with a valid release and in {shared_without} of {len(without)} without one. "
        "Only a court order or a reporting law moves individual information without a release, and then only what it requires."
    )


def answer_chart(grid: pd.DataFrame) -> alt.Chart:
    """A grid of answers (information by purpose) with drop-downs for recipient and release.

    The drop-downs are Altair parameters, so they work in the static book without Python.
    Each cell shows its answer in words as well as colour.
    """
    recipient_options = list(RECIPIENTS.values())
    consent_options = list(CONSENT_STATUSES.values())
    pick_recipient = alt.param(
        name="recipient_pick", value=RECIPIENTS[DEFAULT_SCENARIO["recipient"]],
        bind=alt.binding_select(options=recipient_options, name="Recipient: "),
    )
    pick_consent = alt.param(
        name="consent_pick", value=CONSENT_STATUSES[DEFAULT_SCENARIO["consent"]],
        bind=alt.binding_select(options=consent_options, name="Release status: "),
    )
    data = grid[["information", "purpose_label", "recipient_label", "consent_label", "answer_label", "main_rule"]]
    labels = [ANSWERS[key][0] for key in ANSWER_ORDER]
    colours = [ANSWER_COLOURS[key] for key in ANSWER_ORDER]
    base = (
        alt.Chart(data)
        .transform_filter((alt.datum.recipient_label == pick_recipient) & (alt.datum.consent_label == pick_consent))
        .encode(
            x=alt.X("purpose_label:N", title="Purpose", sort=list(SHORT_PURPOSE.values()),
                    axis=alt.Axis(labelAngle=-30)),
            y=alt.Y("information:N", title="Information", sort=list(SHORT_INFO.values())),
        )
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("answer_label:N", title="Likely answer", scale=alt.Scale(domain=labels, range=colours),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=320)),
        tooltip=[alt.Tooltip("information:N", title="Information"), alt.Tooltip("purpose_label:N", title="Purpose"),
                 alt.Tooltip("answer_label:N", title="Likely answer"), alt.Tooltip("main_rule:N", title="Deciding rule")],
    )
    # White text on the dark blue, black on the other colours, for contrast.
    dark = [ANSWERS["no"][0]]
    text = base.mark_text(fontSize=10).encode(
        text="answer_label:N",
        color=alt.condition(alt.FieldOneOfPredicate(field="answer_label", oneOf=dark), alt.value("white"), alt.value("black")),
    )
    return (
        (cells + text)
        .add_params(pick_recipient, pick_consent)
        .properties(
            width=780, height=300,
            title=alt.TitleParams("Can we share this? The likely answer for each kind of information and purpose",
                                  subtitle="Choose a recipient and a release status below the chart. The course's reading of the rules; not legal advice."),
        )
    )


# ------------------------------------------------------------------------------ display


def answer_html(result: SharingAnswer) -> str:
    """The answer, the course's reading and the rules that apply, as accessible HTML."""
    esc = html.escape
    parts = [
        f'<div class="course-result" role="status"><p><strong>Likely answer:</strong> {esc(result.sentence)}</p>'
    ]
    if result.reading:
        parts.append(f"<p><em>In our reading</em> (the course's reasoning from the rules below, not a cited rule): "
                     f"{esc(result.reading)}</p>")
    parts.append("</div>")
    rows = []
    for rule in result.rules:
        role = "Decides the answer" if rule.deciding else "Also applies"
        reading = f"<br><em>In our reading:</em> {esc(rule.our_reading)}" if rule.our_reading and not rule.deciding else ""
        rows.append(
            f"<tr><td>{esc(role)}</td><td>{esc(rule.law)}<br><small>{esc(rule.citation)}</small></td>"
            f"<td>{esc(rule.what_it_says)}{reading}</td><td>{esc(rule.confidence)}</td>"
            f'<td><a href="{esc(rule.source_url, quote=True)}" target="_blank" rel="noopener">Source for {esc(rule.citation)}</a></td></tr>'
        )
    parts.append(
        '<table class="course-table"><caption>Rules that apply to this scenario, with their sources and how sure the course is</caption>'
        "<thead><tr><th>Role</th><th>Law</th><th>What it says</th><th>Confidence</th><th>Source</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    parts.append(f'<p class="course-figure-note">{esc(ASSUMPTION)}</p>')
    return "".join(parts)


__all__ = [
    "ANSWERS", "ASSUMPTION", "CHOICES", "CONSENT_STATUSES", "DEFAULT_SCENARIO", "INFO_TYPES", "PURPOSES",
    "RECIPIENTS", "Rule", "SharingAnswer", "all_scenarios", "answer_chart", "answer_grid", "answer_html",
    "check_scenario", "decide", "grid_finding", "load_rules", "validate_rules",
]
