"""Data completeness checker for the member file: which required fields are missing.

The list of required fields, with why each is required and how to fix a gap, is the
reference table ``required_member_fields`` (every row cites its source or says it is
the course's suggestion). The checker counts, for each field, the members for whom the
field is required and empty, overall and by the staff member who recorded the intake.
Every count is a count of people, so every table goes through
``calaim_course.suppression`` (counts 1 to 10 hidden, with complementary suppression).

The synthetic member file is complete by design: the generator leaves a field empty only
where it does not apply (no plan, no Population of Focus). So the course practises on a
**documented, deterministic copy with gaps planted** by ``plant_gaps``: each required
field is emptied for a small share of members (``PRACTICE_GAP_RATES``), at twice that
rate for the intakes of the most recently hired intake staff member and at 0.8 times it
for the others (the story: a new advocate not yet trained on the intake form). The same
seed always plants the same gaps. These rates are invented for practice, not statistics.

>>> from calaim_course.synthetic import load_world
>>> world = load_world()
>>> practice = practice_member_file(world)
>>> result = check_completeness(practice, intake_staff(world.services), world.staff)
>>> result.field_table().columns[:3].tolist()
['Field', 'Required for', 'Missing']
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from calaim_course.charts import OKABE_ITO

from calaim_course.errors import CourseInputError
from calaim_course.reference import load_reference
from calaim_course.schemas import ID_PATTERNS
from calaim_course.suppression import (
    SUPPRESSED_LABEL,
    SuppressedTable,
    suppress_counts,
    suppress_statistics,
    suppression_note,
)

REFERENCE_NAME = "required_member_fields"
TOTAL = "Total"
NO_INTAKE_STAFF = "No intake recorded"
COMPLETE = "No required field missing"
WITH_GAP = "At least one missing"

# When a field is required. Why a small fixed vocabulary: the reference table stays
# readable, and every condition is tested here.
CONDITIONS = {
    "always": "every member",
    "full_scope": "members with full-scope Medi-Cal (in this synthetic world, every one is in a plan)",
}

# Practice copy: share of members whose field is emptied (invented for practice).
PRACTICE_SEED = 3
PRACTICE_GAP_RATES = {
    "first_name": 0.005,
    "last_name": 0.005,
    "birth_date": 0.03,
    "agency_intake_date": 0.01,
    "medi_cal_status": 0.02,
    "plan_id": 0.03,
    "plan_member_id": 0.07,
    "plan_enrollment_date": 0.06,
    "housing_status": 0.05,
    "race_ethnicity": 0.08,
    "preferred_language": 0.06,
    "gender_identity": 0.05,
}
NEWEST_STAFF_FACTOR = 2.0   # the most recently hired intake staff member: twice the base rates
OTHER_STAFF_FACTOR = 0.8
MEMBER_ID_PATTERN = re.compile(ID_PATTERNS["member"])

__all__ = [
    "CONDITIONS", "Completeness", "PRACTICE_GAP_RATES", "PRACTICE_SEED", "check_completeness",
    "completeness_chart", "first_record_with_gaps", "intake_staff", "missing_mask", "plant_gaps", "practice_member_file",
    "RecordChecker", "record_gaps", "required_fields", "staff_names",
]


# --------------------------------------------------------------------------- inputs


def required_fields() -> pd.DataFrame:
    """The reference table of required fields, in display order, checked for sense."""
    rules = load_reference(REFERENCE_NAME)
    bad = sorted(set(rules["required_when"]) - set(CONDITIONS))
    if bad:
        raise CourseInputError(f"{REFERENCE_NAME}.required_when", bad, "one of " + ", ".join(CONDITIONS))
    rules["order"] = rules["order"].astype(int)
    return rules.sort_values("order").reset_index(drop=True)


def _check_members(members: object, rules: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(members, pd.DataFrame):
        raise CourseInputError("members", type(members).__name__, "a table (pandas DataFrame) of members")
    if members.empty:
        raise CourseInputError("members", "an empty table", "at least one member")
    needed = ["member_id", *rules["field"]]
    missing = [c for c in needed if c not in members.columns]
    if missing:
        raise CourseInputError("members columns", missing, "a member file with the columns " + ", ".join(needed))
    if members["member_id"].isna().any():
        row = int(np.flatnonzero(members["member_id"].isna().to_numpy())[0]) + 1
        raise CourseInputError(f"row {row}, member_id", "an empty value", "a member ID on every row")
    if not members["member_id"].is_unique:
        dup = members.loc[members["member_id"].duplicated(), "member_id"].iloc[0]
        raise CourseInputError("member_id", f"{dup!r} more than once", "each member once")
    return members


def _is_empty(series: pd.Series) -> np.ndarray:
    """Missing values and blank text both count as empty (exports often hold '' or spaces)."""
    empty = series.isna().to_numpy(dtype=bool)
    dtype = series.dtype
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return empty  # these hold no text, so nothing is blank
    # Test each distinct value once: a category, or a value found by factorize (-1: missing).
    if isinstance(dtype, pd.CategoricalDtype):
        codes, values = series.cat.codes.to_numpy(), series.cat.categories
    else:
        codes, values = pd.factorize(series.astype("object"))
    blank_value = np.array([isinstance(v, str) and not v.strip() for v in values] + [False], dtype=bool)
    return empty | blank_value[codes]  # code -1 picks the final False


def _applies(members: pd.DataFrame, condition: str) -> np.ndarray:
    if condition == "always":
        return np.ones(len(members), dtype=bool)
    # An empty Medi-Cal status leaves the condition unknown: that gap is counted on
    # medi_cal_status itself, and the plan fields are checked once it is fixed.
    status = members["medi_cal_status"].astype("object")
    return (status == "full_scope").to_numpy(dtype=bool)


def required_mask(members: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """True where the field is required for the member (one column per field)."""
    rules = required_fields() if rules is None else rules
    members = _check_members(members, rules)
    return pd.DataFrame({row.field: _applies(members, row.required_when) for row in rules.itertuples()},
                        index=members.index)


def missing_mask(members: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """True where a field is required for the member and empty (one column per field)."""
    rules = required_fields() if rules is None else rules
    return _missing(members, rules, required_mask(members, rules))


def _missing(members: pd.DataFrame, rules: pd.DataFrame, required: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({field: required[field].to_numpy() & _is_empty(members[field]) for field in rules["field"]},
                        index=members.index)


def intake_staff(services: pd.DataFrame) -> pd.Series:
    """member_id -> staff_id of the member's first recorded service (their intake).

    In the synthetic world every member's first service is an advocacy session on the
    intake date, delivered by an advocate: that advocate recorded the intake.
    """
    needed = {"member_id", "staff_id", "service_date", "service_id"}
    if not isinstance(services, pd.DataFrame) or needed - set(services.columns):
        raise CourseInputError("services", "a table without " + ", ".join(sorted(needed)),
                               "the services table with member_id, staff_id, service_date and service_id")
    # The first row of each member in (member_id, service_date, service_id) order (a stable
    # sort) is found without sorting the whole table: only rows on a member's earliest
    # date can come first (a member without dates or without an ID keeps all rows, as
    # the sort puts missing values last), and only members with several such rows need
    # the sort. One row per member is left, so a sort by member gives the same order.
    services = services[["member_id", "staff_id", "service_date", "service_id"]]  # the columns used, not copies of all
    earliest = services.groupby("member_id", observed=True, sort=False)["service_date"].transform("min")
    candidates = services[(services["service_date"] == earliest).to_numpy() | earliest.isna().to_numpy()]
    tied = candidates["member_id"].duplicated(keep=False).to_numpy()
    first_of_tied = candidates[tied].sort_values(["member_id", "service_date", "service_id"]).drop_duplicates("member_id")
    first = pd.concat([candidates[~tied], first_of_tied]).sort_values("member_id", kind="stable")
    return pd.Series(first["staff_id"].astype("object").to_numpy(), index=first["member_id"].astype("object").to_numpy(),
                     name="staff_id")


def staff_names(staff: pd.DataFrame) -> dict[str, str]:
    """staff_id -> "First Last" (with the ID added when two people share a name)."""
    names = (staff["first_name"].astype(str) + " " + staff["last_name"].astype(str)).to_numpy()
    ids = staff["staff_id"].astype(str).to_numpy()
    counts = pd.Series(names).value_counts().to_dict()  # a dict: one quick look-up per person
    return {i: (n if counts[n] == 1 else f"{n} ({i})") for i, n in zip(ids, names)}


# --------------------------------------------------------------------------- practice copy


def plant_gaps(members: pd.DataFrame, intake: pd.Series, staff: pd.DataFrame, seed: int = PRACTICE_SEED) -> pd.DataFrame:
    """A copy of ``members`` with realistic gaps planted, the same every time for a seed.

    Each field in ``PRACTICE_GAP_RATES`` is emptied with its rate, times
    ``NEWEST_STAFF_FACTOR`` for members whose intake the most recently hired intake staff
    member recorded, and times ``OTHER_STAFF_FACTOR`` for the others. The original is
    not changed.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2**32:
        raise CourseInputError("seed", seed, "a whole number from 0 to 4294967295")
    rules = required_fields()
    _check_members(members, rules)
    out = members.copy()
    staff_of = members["member_id"].astype("object").map(intake)
    hired = staff.set_index(staff["staff_id"].astype("object"))["hire_date"]
    intake_ids = [s for s in pd.unique(staff_of.dropna()) if s in hired.index]
    newest = max(intake_ids, key=lambda s: (hired[s], s)) if intake_ids else None
    factor = np.where(staff_of.to_numpy() == newest, NEWEST_STAFF_FACTOR, OTHER_STAFF_FACTOR)
    rng = np.random.default_rng(int(seed))
    draws = rng.random((len(out), len(PRACTICE_GAP_RATES)))  # one draw per member and field, fixed order
    for j, (field, rate) in enumerate(PRACTICE_GAP_RATES.items()):
        empty = draws[:, j] < np.minimum(rate * factor, 1.0)
        column = out[field]
        if isinstance(column.dtype, pd.CategoricalDtype) or pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[field] = column.mask(empty)
        else:
            out[field] = column.astype("object").mask(empty, None).astype(column.dtype)
    return out


def practice_member_file(world, seed: int = PRACTICE_SEED) -> pd.DataFrame:
    """The course's practice copy of the synthetic member file, with gaps planted."""
    return plant_gaps(world.members, intake_staff(world.services), world.staff, seed=seed)


# --------------------------------------------------------------------------- the check


@dataclass(frozen=True)
class Completeness:
    """Suppressed completeness counts. Every count is a count of members.

    ``rules``: the required-fields table. ``required``: members for whom each field is
    required (Series, suppressed). ``by_staff``: members missing each field (columns,
    field labels) by intake staff member (rows), with a ``Total`` row: the agency-wide
    counts. ``summary``: members with no gap and with at least one gap, by staff member,
    with totals.
    """

    rules: pd.DataFrame
    required: SuppressedTable
    by_staff: SuppressedTable
    summary: SuppressedTable
    # The finding, once computed: it reads only the tables above, which never change.
    _cache: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def staff(self) -> list[str]:
        return [label for label in self.by_staff.shown.index if label != TOTAL]

    def _missing_total(self) -> pd.Series:
        return self.by_staff.shown.loc[TOTAL]

    def field_table(self) -> pd.DataFrame:
        """One row per required field: who needs it, members missing it, the share, why and how to fix."""
        labels = self.rules["label"].tolist()
        required = self.required.shown.reindex(labels)
        missing = self._missing_total().reindex(labels)
        share = [
            "" if (pd.isna(m) or pd.isna(r) or r == 0) else f"{m / r:.0%}"
            for m, r in zip(missing, required)
        ]
        return pd.DataFrame({
            "Field": labels,
            "Required for": [CONDITIONS[c] for c in self.rules["required_when"]],
            "Missing": [_fmt(v) for v in missing],
            "Share missing": [s if s else ("" if pd.isna(r) else SUPPRESSED_LABEL) for s, r in zip(share, required)],
            "Why it is required": self.rules["why"].tolist(),
            "How to fix a gap": self.rules["how_to_fix"].tolist(),
            "Basis": [_basis(b, c) for b, c in zip(self.rules["basis"], self.rules["confidence"])],
        })

    def summary_table(self) -> pd.DataFrame:
        """Members by intake staff member: complete, with a gap, total, and the share with a gap."""
        shown = self.summary.shown
        share = suppress_statistics(
            (shown[WITH_GAP].astype("Float64") / shown[TOTAL].astype("Float64")).to_frame(WITH_GAP).astype("float64"),
            self.summary, denominator="row",
        )[WITH_GAP]
        out = shown.rename_axis(None).reset_index().rename(columns={"index": "Staff member who recorded the intake"})
        for column in (COMPLETE, WITH_GAP, TOTAL):
            out[column] = [_fmt(v) for v in shown[column]]
        out["Share with a gap"] = [SUPPRESSED_LABEL if pd.isna(v) else f"{v:.0%}" for v in share]
        return out

    def staff_detail(self, label: str) -> pd.DataFrame:
        """One staff member's members missing each field, with how to fix the fields that have gaps."""
        if label not in self.staff:
            raise CourseInputError("Staff member", label, "one of " + ", ".join(self.staff))
        row = self.by_staff.shown.loc[label]
        hidden = self.by_staff.mask.loc[label]
        fixes = dict(zip(self.rules["label"], self.rules["how_to_fix"]))
        # A hidden count is never zero (zeros are always shown), so listing its fix
        # reveals nothing the table does not already show.
        return pd.DataFrame({
            "Field": list(row.index),
            "Members missing it": [_fmt(v) for v in row],
            "How to fix a gap": ["" if (not h and v == 0) else fixes[f] for f, v, h in zip(row.index, row, hidden)],
        })

    def note(self) -> str:
        """What the tables hide and why, in plain words."""
        return (f"By field and staff member: {suppression_note(self.by_staff)} "
                f"Staff summary: {suppression_note(self.summary)}")

    def finding(self) -> str:
        """The main finding, computed from the shown (never the hidden) counts."""
        if "finding" not in self._cache:
            self._cache["finding"] = self._compute_finding()
        return self._cache["finding"]

    def _compute_finding(self) -> str:
        missing = self._missing_total().reindex(self.rules["label"])
        shown = missing.dropna()
        if shown.empty and self.by_staff.mask.loc[TOTAL].any():
            return "Every count of missing fields is small enough to be hidden."
        if shown.empty or shown.max() == 0:
            return "No required field is missing for any member: the file is complete."
        worst = shown.astype(int).idxmax()
        required = self.required.shown.get(worst)
        of = " members" if pd.isna(required) else f" of the {int(required):,} members who need it"
        sentence = f"The field missing most often is {worst.lower()}: {int(shown[worst]):,}{of}."
        table = self.summary_table()
        table = table[(table["Staff member who recorded the intake"] != TOTAL) & (table["Share with a gap"] != SUPPRESSED_LABEL)]
        if len(table) >= 2:
            shares = table["Share with a gap"].str.rstrip("%").astype(int)
            top = table.loc[shares.idxmax()]
            sentence += (f" Among staff members, {top['Staff member who recorded the intake']} has the highest share of "
                         f"intakes with a gap ({top['Share with a gap']}).")
        return sentence


def _fmt(value) -> str:
    return SUPPRESSED_LABEL if pd.isna(value) else f"{int(value):,}"


def _basis(basis: str, confidence: str) -> str:
    return "Course suggestion" if basis == "course suggestion" else f"Sourced ({confidence.lower()} source)"


def check_completeness(members: pd.DataFrame, intake: pd.Series, staff: pd.DataFrame) -> Completeness:
    """Count members missing each required field, overall and by intake staff member, suppressed.

    ``intake``: member_id -> staff_id (``intake_staff``); ``staff``: the staff table,
    for names. Raises ``CourseInputError`` for a member file without the needed columns.
    """
    rules = required_fields()
    required = required_mask(members, rules)
    missing = _missing(members, rules, required)
    labels = dict(zip(rules["field"], rules["label"]))
    names = staff_names(staff)
    staff_id = members["member_id"].astype("object").map(intake)
    who = staff_id.map(names).fillna(NO_INTAKE_STAFF).to_numpy(dtype=object)

    # Members counted per staff member with integer codes: one code per staff member
    # (every one who recorded an intake, and NO_INTAKE_STAFF), found once for both tables.
    code, staff_seen = pd.factorize(who)
    people = pd.Index(staff_seen)

    def per_staff(selected: np.ndarray) -> np.ndarray:
        return np.bincount(code[selected], minlength=len(people))

    by_staff = pd.DataFrame(np.column_stack([per_staff(missing[field].to_numpy()) for field in rules["field"]]),
                            index=people, columns=[labels[field] for field in rules["field"]]).astype("int64")
    order = sorted(by_staff.index, key=lambda n: (n == NO_INTAKE_STAFF, n))
    by_staff = by_staff.loc[order]
    by_staff.loc[TOTAL] = by_staff.sum()
    any_gap = missing.any(axis=1).to_numpy()
    summary = pd.DataFrame({COMPLETE: per_staff(~any_gap), WITH_GAP: per_staff(any_gap)}, index=people).astype("int64")
    summary = summary.loc[order]
    summary[TOTAL] = summary.sum(axis=1)
    summary.loc[TOTAL] = summary.sum()
    summary.columns.name = None
    summary.index.name = None
    req = required.rename(columns=labels).sum().astype("int64").rename("members")

    return Completeness(
        rules=rules,
        required=suppress_counts(req, margins=False, implicit_totals=False),
        # Row sums (gaps per staff member, across fields) are published nowhere, so
        # only the Total row constrains the hiding.
        by_staff=suppress_counts(by_staff, margins=None, implicit_totals=False),
        summary=suppress_counts(summary, margins=True),
    )


class RecordChecker:
    """``record_gaps`` for one member file, as often as needed: the file is checked and indexed once.

    For a widget where a learner types one member ID after another. The member file
    must not be changed while the checker is in use.
    """

    def __init__(self, members: pd.DataFrame):
        self.rules = required_fields()
        self.members = _check_members(members, self.rules)
        self._ids = members["member_id"].astype("object")
        self._positions = pd.Index(self._ids)  # unique (checked above): ID -> row position

    def gaps(self, member_id: object) -> pd.DataFrame:
        """The required fields missing from one member's record (see ``record_gaps``)."""
        text = member_id.strip().upper() if isinstance(member_id, str) else member_id
        if not isinstance(text, str) or not MEMBER_ID_PATTERN.match(text):
            raise CourseInputError("Member ID", member_id, "a synthetic member ID like SYN-M-0000012 (SYN-M- and 7 digits)")
        position = int(self._positions.get_indexer([text])[0])
        if position < 0:
            raise CourseInputError("Member ID", member_id, "a member ID in the file",
                                   hint=f"IDs run from {self._ids.min()} to {self._ids.max()}.")
        label = self.members.index[position]
        gaps = missing_mask(self.members.loc[[label]], self.rules).iloc[0]
        chosen = self.rules[self.rules["field"].map(gaps).to_numpy(dtype=bool)]
        return pd.DataFrame({
            "Field": chosen["label"].to_numpy(),
            "Why it is required": chosen["why"].to_numpy(),
            "How to fix it": chosen["how_to_fix"].to_numpy(),
        })


def record_gaps(members: pd.DataFrame, member_id: object) -> pd.DataFrame:
    """The required fields missing from one member's record, with how to fix each.

    ``member_id`` is typed by a learner: it must look like ``SYN-M-0000001`` and be in
    the file. An empty result means the record is complete. To check many records of
    the same file, build a ``RecordChecker`` once.
    """
    return RecordChecker(members).gaps(member_id)


def first_record_with_gaps(members: pd.DataFrame, at_least: int = 2) -> str | None:
    """The first member ID (in ID order) missing at least ``at_least`` required fields, for a default view."""
    gaps = missing_mask(members).sum(axis=1)
    ids = members["member_id"].astype("object")[gaps >= at_least]
    return None if ids.empty else str(ids.min())


def completeness_chart(result: Completeness) -> alt.LayerChart:
    """Bars of members missing each required field; hidden counts get no bar and say so."""
    labels = result.rules["label"].tolist()
    missing = result._missing_total().reindex(labels)
    basis = ["Course suggestion" if b == "course suggestion" else "Sourced" for b in result.rules["basis"]]
    data = pd.DataFrame({
        "field": labels,
        "members": [None if pd.isna(v) else float(v) for v in missing],
        "suppressed": [bool(pd.isna(v)) for v in missing],
        "basis": basis,
    })
    base = alt.Chart(data).encode(y=alt.Y("field:N", sort=labels, title="Required field", axis=alt.Axis(labelLimit=260)))
    bars = base.transform_filter("!datum.suppressed").mark_bar().encode(
        x=alt.X("members:Q", title="Members missing the field"),
        color=alt.Color("basis:N", title="Why it is required", scale=alt.Scale(range=OKABE_ITO[:3])),
        tooltip=[alt.Tooltip("field:N", title="Field"), alt.Tooltip("members:Q", title="Members missing it"),
                 alt.Tooltip("basis:N", title="Basis")],
    )
    hidden = base.transform_filter("datum.suppressed").mark_text(
        align="left", dx=4, color="#555555", fontStyle="italic", text="suppressed (1 to 10, or could be worked out)",
    ).encode(x=alt.datum(0))
    values = base.transform_filter("!datum.suppressed").mark_text(align="left", dx=4, color="#222222").encode(
        x=alt.X("members:Q"), text=alt.Text("members:Q", format=","),
    )
    return alt.layer(bars, values, hidden).properties(
        width=420, height=alt.Step(22),
        title=alt.Title("Members missing each required field",
                        subtitle=["The practice copy of the synthetic member file, with gaps planted on purpose.",
                                  "Synthetic data: every person is fictional."]),
    )
