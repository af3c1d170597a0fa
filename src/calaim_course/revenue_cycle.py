"""The revenue cycle of the synthetic agency: claims by status, denials, days to payment
and accounts-receivable aging, with small-cell suppression tied to members.

Counts of claims are not counts of people, but a table of claims can still point at a
person: a cell with 14 claims may be one survivor's 14 months of housing help. The
CalHHS Data De-Identification Guidelines (DDG, section 4.4) ask to suppress "financial
data tied to fewer than 11 members or services" as well as small counts. So every cell
here is hidden when the claims (or lines) in it belong to 1 to 10 distinct members,
whatever the number of claims; the dollar amounts of a hidden cell are hidden with it;
then complementary suppression hides more cells so that no hidden one can be worked out
from the totals (``calaim_course.suppression``, which the member rule feeds through
``already_suppressed``). Medians and percentages follow the same rule.

Each table is protected on its own. Combining several filtered views (for example all
plans minus one plan) can still reveal a hidden cell: suppress linked tables together
before publishing them.

Every dollar amount is ILLUSTRATIVE: charges come from the invented
``illustrative_rates`` table, not from real rates.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from calaim_course.distinct import per_distinct_value
from calaim_course.errors import CourseInputError
from calaim_course.reference import load_reference
from calaim_course.suppression import (
    SMALL_CELL_MAX, SUPPRESSED_LABEL, SuppressedTable, suppress_counts, suppression_note,
)

ALL_PLANS, ALL_PROGRAMS, ALL_WAYS = "All plans", "All programs", "All ways of sending"
TOTAL = "Total"
PROGRAM_LABELS = {"ecm": "ECM", "community_supports": "Community Supports", "chw": "CHW"}
SUBMISSION_LABELS = {"837P": "837P (electronic)", "CMS-1500": "CMS-1500 (paper)", "invoice": "Invoice"}
# Aging counts days since the claim was sent, as of the data date.
AGING_BUCKETS = [(0, 30, "0-30 days"), (31, 60, "31-60 days"), (61, 90, "61-90 days"),
                 (91, 120, "91-120 days"), (121, None, "Over 120 days")]
PAYMENT_BINS = [(0, 15, "0-15 days"), (16, 30, "16-30 days"), (31, 45, "31-45 days"),
                (46, 60, "46-60 days"), (61, None, "Over 60 days")]
# AB 3275 (Ch. 763, Stats. 2024): 30 calendar days to pay, contest or deny a complete
# claim received on or after this date (fact base section 8, SECONDARY).
AB3275_START = pd.Timestamp("2026-01-01")
AB3275_DAYS = 30
MONEY_NOTE = "Dollar amounts are ILLUSTRATIVE: invented charges, not real rates."
VIEWS = ["Claims by status", "Denial reasons", "Days to payment", "Accounts receivable aging"]


def status_label(status: str) -> str:
    return str(status).replace("_", " ").capitalize()


def status_order() -> list[str]:
    """Claim statuses in the reference table's order, as labels."""
    return [status_label(s) for s in load_reference("claim_statuses")["status"]]


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class RevenueData:
    """Claims and lines ready for the views. ``as_of`` is the data date."""

    claims: pd.DataFrame
    lines: pd.DataFrame
    as_of: pd.Timestamp
    filters: tuple[str, str, str] = (ALL_PLANS, ALL_PROGRAMS, ALL_WAYS)


def _bucket(days: pd.Series, buckets) -> pd.Series:
    """Label each number of days with its bucket (missing days stay missing)."""
    edges = [low - 0.5 for low, _, _ in buckets] + [np.inf]
    labels = [label for _, _, label in buckets]
    return pd.cut(days, bins=edges, labels=labels).astype(object)


def _long_date(day: pd.Timestamp) -> str:
    return f"{day:%B} {day.day}, {day.year}"


# Matching millions of ids. One hash table of millions of entries turns every probe into
# a slow trip to memory, so the work grows faster than the data (a merge of the claim
# lines with the services took 37 times longer for 10 times the members). Here text is
# matched through integer hashes, each match is checked on the text itself, and large
# jobs are cut into parts by the hashes' top bits, each part's table small enough to
# stay in the processor's cache.
_PART_SIZE = 1 << 16


def _n_parts(n: int) -> int:
    """How many parts (a power of two, at most 256) keep ``n`` hashes per part small."""
    return 1 << min(8, max(0, (n - 1) // _PART_SIZE).bit_length())


def _grouped(groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """An order of rows by their group (0 to 255, kept in order within a group) and each group's bounds."""
    order = np.argsort(groups.astype(np.uint8), kind="stable")  # a linear radix sort for 8-bit keys
    return order, np.r_[0, np.cumsum(np.bincount(groups, minlength=n_groups))]


def _parts(hashes: np.ndarray, n_parts: int) -> tuple[np.ndarray, np.ndarray]:
    """An order of ``hashes`` grouped by their top bits, and where each group starts and ends."""
    bits = n_parts.bit_length() - 1
    if bits == 0:
        return np.arange(len(hashes)), np.array([0, len(hashes)])
    return _grouped((hashes.view(np.uint64) >> np.uint64(64 - bits)).astype(np.uint8), n_parts)


def _all_text(values: np.ndarray) -> bool:
    return values.dtype == object and pd.api.types.infer_dtype(values, skipna=False) == "string"


def _text_hashes(values: np.ndarray) -> np.ndarray | None:
    """Python's hash of each value when all are text (None otherwise)."""
    if not _all_text(values):
        return None
    return np.fromiter(map(hash, values), dtype=np.int64, count=len(values))


def _hash_positions(key_hashes: np.ndarray, value_hashes: np.ndarray) -> np.ndarray | None:
    """Where each key hash is among the value hashes (-1 if absent); None if values share a hash."""
    n_parts = _n_parts(len(value_hashes))
    value_order, value_bounds = _parts(value_hashes, n_parts)
    key_order, key_bounds = _parts(key_hashes, n_parts)
    found = np.full(len(key_hashes), -1, dtype=np.int64)
    for part in range(n_parts):
        values = value_order[value_bounds[part]:value_bounds[part + 1]]
        keys = key_order[key_bounds[part]:key_bounds[part + 1]]
        table = pd.Index(value_hashes[values])
        if not table.is_unique:
            return None
        if len(values) and len(keys):
            where = table.get_indexer(key_hashes[keys])
            found[keys] = np.where(where >= 0, values[np.maximum(where, 0)], -1)
    return found


def _text_positions(keys: np.ndarray, values: np.ndarray) -> np.ndarray | None:
    """Where each of ``keys`` is in ``values`` (-1 if nowhere), compared as values.

    None when ``values`` holds a value twice. Text goes through checked hashes (see
    above); anything else, or a hash shared by two texts, through a plain look-up.
    """
    key_hashes, value_hashes = _text_hashes(keys), _text_hashes(values)
    if key_hashes is not None and value_hashes is not None:
        found = _hash_positions(key_hashes, value_hashes)
        if found is not None:
            hit = found >= 0
            if bool((values[found[hit]] == keys[hit]).all()):
                return found
    table = pd.Index(values)
    return table.get_indexer(keys) if table.is_unique else None


def _program_by_name(world, labels: pd.Series, n_names: int, line_names: np.ndarray) -> np.ndarray:
    """The program label of each claim name: its first line (by line number) with a labelled program.

    ``labels``: each service's program label (missing for programs that are not billed);
    ``line_names``: each line's position among the names of claims (-1 for none). The
    same as merging lines with services, sorting by claim and line number and taking
    each claim's first non-missing label, with look-ups instead of a merge.
    """
    services, lines = world.services, world.claim_lines
    labelled = np.flatnonzero(labels.notna().to_numpy())
    service_ids = services["service_id"].to_numpy(dtype=object)[labelled]
    line_service_ids = lines["service_id"].to_numpy(dtype=object)
    line_service = _text_positions(line_service_ids, service_ids)
    if line_service is None:  # a service listed twice: its first labelled row comes first
        firsts = np.flatnonzero(~pd.Series(service_ids).duplicated().to_numpy())
        found = _text_positions(line_service_ids, service_ids[firsts])
        line_service = np.where(found >= 0, firsts[np.maximum(found, 0)], -1)
    service_labels = labels.to_numpy(dtype=object)[labelled]

    rows = np.flatnonzero((line_service >= 0) & (line_names >= 0))
    # A stable sort by claim, then line number: ties keep the lines' order, as the merge
    # did. Lines usually come in that order already, which a linear check sees.
    names, numbers = line_names[rows], lines["line_number"].to_numpy()[rows]
    step, number_step = np.diff(names), np.diff(numbers)
    if not np.all((step > 0) | ((step == 0) & (number_step >= 0))):
        rows = rows[np.lexsort((numbers, names))]
    sorted_names = line_names[rows]
    first = np.r_[True, sorted_names[1:] != sorted_names[:-1]] if len(rows) else np.zeros(0, dtype=bool)
    label_by_name = np.full(n_names, np.nan, dtype=object)
    label_by_name[sorted_names[first]] = service_labels[line_service[rows[first]]]
    return label_by_name


def prepare(world=None, as_of=None) -> RevenueData:
    """Claims and lines with plan names, programs, reasons, days and buckets.

    ``world`` defaults to the committed synthetic data; ``as_of`` to the date the
    synthetic claims were followed to (``synthetic.CLAIMS_AS_OF``).
    """
    from calaim_course import synthetic

    if world is None:
        world = synthetic.load_world()
    as_of = pd.Timestamp(synthetic.CLAIMS_AS_OF if as_of is None else as_of)
    plans = world.organizations.set_index("org_id")["name"].astype(str)
    reasons = load_reference("denial_reasons").set_index("denial_reason_id")["reason"]

    c, l = world.claims, world.claim_lines
    claim_ids = c["claim_id"].astype(str)
    claim_id_values = claim_ids.to_numpy(dtype=object)
    # Lines name their claim; each distinct name is matched once with the claims. The
    # program follows the names as they are, the lines' columns the names as text.
    if isinstance(l["claim_id"].dtype, pd.CategoricalDtype):
        line_names, names = l["claim_id"].cat.codes.to_numpy(), l["claim_id"].cat.categories
    else:
        line_names, names = pd.factorize(l["claim_id"])
    names_as_they_are = pd.Series(names).to_numpy(dtype=object)
    names_are_text = _all_text(names_as_they_are)
    if (names_are_text and len(names_as_they_are) == len(claim_id_values)
            and bool((names_as_they_are == claim_id_values).all())):
        claim_of_name = np.arange(len(claim_id_values))  # the usual case: the same ids in the same order
    else:
        names_as_text = names_as_they_are if names_are_text else pd.Series(names).astype(str).to_numpy(dtype=object)
        claim_of_name = _text_positions(names_as_text, claim_id_values)  # None if a claim id repeats
    if claim_of_name is not None and names_are_text:
        name_of_claim = np.full(len(claim_id_values), -1, dtype=np.int64)
        matched = claim_of_name >= 0
        name_of_claim[claim_of_name[matched]] = np.flatnonzero(matched)
    else:
        name_of_claim = pd.Index(names).get_indexer(claim_id_values)
    labels = per_distinct_value(world.services["program"], lambda s: s.astype(str).map(PROGRAM_LABELS))
    label_by_name = _program_by_name(world, labels, len(names), line_names)

    claims = pd.DataFrame({
        "claim_id": claim_ids,
        "member_id": per_distinct_value(c["member_id"], lambda s: s.astype(str)),
        "plan": per_distinct_value(c["plan_id"], lambda s: s.astype(str).map(plans)),
        "program": pd.Series(np.where(name_of_claim >= 0, label_by_name[np.maximum(name_of_claim, 0)], np.nan),
                             index=c.index, dtype=labels.dtype),
        "submission": per_distinct_value(c["submission_type"], lambda s: s.astype(str).map(SUBMISSION_LABELS)),
        "status": per_distinct_value(c["status"], lambda s: s.astype(str).map(status_label)),
        "denial_reason": per_distinct_value(c["denial_reason_id"], lambda s: s.astype(object).map(reasons)),
        "submitted_date": c["submitted_date"],
        "paid_date": c["paid_date"],
        "charged_usd": c["total_charge_usd"].astype(float),
        "paid_usd": c["paid_amount_usd"].astype(float),
    })
    claims["days_to_payment"] = (claims["paid_date"] - claims["submitted_date"]).dt.days
    claims["payment_bin"] = _bucket(claims["days_to_payment"], PAYMENT_BINS).where(claims["paid_date"].notna())

    lines = pd.DataFrame({
        "claim_id": per_distinct_value(l["claim_id"], lambda s: s.astype(str)),
        "line_status": per_distinct_value(l["line_status"], lambda s: s.astype(str)),
        "denial_reason": per_distinct_value(l["denial_reason_id"], lambda s: s.astype(object).map(reasons)),
        "charged_usd": l["charge_usd"].astype(float),
    })
    claim_columns = claims[["claim_id", "member_id", "plan", "program", "submission"]]
    if claim_of_name is not None and not claim_ids.isna().any():
        # An inner merge on a unique key, as a look-up: lines of unknown claims (or with
        # no claim id) drop out and the lines keep their order.
        where = np.where(line_names >= 0, claim_of_name[line_names], -1)
        kept = where >= 0
        lines = pd.concat([lines[kept].reset_index(drop=True),
                           claim_columns.drop(columns="claim_id").take(where[kept]).reset_index(drop=True)], axis=1)
    else:
        lines = lines.merge(claim_columns, on="claim_id")
    return RevenueData(claims.reset_index(drop=True), lines.reset_index(drop=True), as_of)


def filter_options(data: RevenueData) -> dict[str, list[str]]:
    """The values each filter accepts (the first is "all")."""
    return {
        "plan": [ALL_PLANS, *sorted(data.claims["plan"].dropna().unique())],
        "program": [ALL_PROGRAMS, *[p for p in PROGRAM_LABELS.values() if p in set(data.claims["program"].unique())]],
        "submission": [ALL_WAYS, *[s for s in SUBMISSION_LABELS.values() if s in set(data.claims["submission"].unique())]],
    }


def filter_data(data: RevenueData, plan: str = ALL_PLANS, program: str = ALL_PROGRAMS,
                submission: str = ALL_WAYS) -> RevenueData:
    """The claims of one plan, program and way of sending (raises CourseInputError for others)."""
    options = filter_options(data)
    claims, lines = data.claims, data.lines
    for name, value, column in (("plan", plan, "plan"), ("program", program, "program"),
                                ("submission", submission, "submission")):
        if value not in options[name]:
            raise CourseInputError(name, value, "one of " + ", ".join(options[name]))
        if value != options[name][0]:
            claims = claims[claims[column] == value]
            lines = lines[lines[column] == value]
    return replace(data, claims=claims, lines=lines, filters=(plan, program, submission))


# --------------------------------------------------------------------------- protection
@dataclass(frozen=True)
class ProtectedTable:
    """Counts with member-based suppression, and dollar columns hidden in the same cells.

    ``result``: the SuppressedTable of the counts (claims or lines). ``member_rule``:
    True where a cell was hidden because its claims belong to 1 to 10 members.
    ``money``: dollar columns (float, NaN where hidden), same labels as the counts.
    ``unit``: what is counted ("claims" or "lines").
    """

    result: SuppressedTable
    member_rule: pd.Series | pd.DataFrame
    money: dict[str, pd.Series]
    unit: str = "claims"

    @property
    def n_member_rule(self) -> int:
        return int(np.asarray(self.member_rule).sum())

    def note(self) -> str:
        """What was hidden and why, in plain words."""
        if self.result.n_suppressed == 0:
            return (f"No cell is hidden: every cell's {self.unit} belong to at least {SMALL_CELL_MAX + 1} "
                    "members (CalHHS Data De-identification Guidelines).")
        parts = []
        if self.n_member_rule:
            cells = "cell is" if self.n_member_rule == 1 else "cells are"
            parts.append(f"{self.n_member_rule} {cells} hidden because the {self.unit} in them belong to 1 to "
                         f"{SMALL_CELL_MAX} members, and their dollar amounts with them (the DDG asks to suppress "
                         f"financial data tied to fewer than {SMALL_CELL_MAX + 1} members)")
        extra = self.result.n_suppressed - self.n_member_rule
        if extra:
            parts.append(f"{extra} more {'is' if extra == 1 else 'are'} hidden so no hidden cell can be worked out from the totals")
        sentence = "; ".join(parts)
        note = sentence[0].upper() + sentence[1:] + f". Hidden cells show as \"{SUPPRESSED_LABEL}\"."
        if self.result.unresolved:
            note += " " + suppression_note(self.result).split(". ", 1)[-1]
        return note

    def display(self, count_label: str) -> pd.DataFrame:
        """A table of strings: the counts and dollar columns, hidden cells labelled."""
        shown = self.result.shown
        frame = pd.DataFrame({count_label: [SUPPRESSED_LABEL if v is pd.NA else f"{int(v):,}" for v in shown]},
                             index=shown.index)
        for name, values in self.money.items():
            frame[name] = [SUPPRESSED_LABEL if pd.isna(v) else f"${v:,.2f}" for v in values]
        return frame


def _protect_counts(by: str, order: list[str], counts, members, sums: dict[str, tuple[str, np.ndarray]],
                    unit: str = "claims", total: bool = True) -> ProtectedTable:
    """The member rule and complementary suppression for counts made already: ``protect``
    counts a frame, ``RevenueCube`` counts every filter choice at once.

    ``counts`` and ``members`` give, for each entry of ``order`` (then the total, last,
    when ``total``), the rows and the distinct members; ``sums`` maps a display name to
    (the column summed, its dollars per entry).
    """
    index = pd.Index([*order, TOTAL] if total else list(order), name=by)
    counts = pd.Series(np.asarray(counts, dtype="int64"), index=index, name=unit)
    members = pd.Series(np.asarray(members, dtype="int64"), index=index, name="member_id")
    member_rule = (members >= 1) & (members <= SMALL_CELL_MAX)
    result = suppress_counts(counts, margins=total, already_suppressed=member_rule)
    money = {name: pd.Series(np.asarray(values, dtype=float), index=index, name=column).round(2).mask(result.mask)
             for name, (column, values) in sums.items()}
    return ProtectedTable(result, member_rule, money, unit)


def protect(frame: pd.DataFrame, by: str, order: list[str], money: dict[str, str] | None = None,
            unit: str = "claims", total: bool = True) -> ProtectedTable:
    """Counts of rows of ``frame`` by ``by`` (in ``order``), protected by the member rule.

    ``money`` maps a display name to a column of ``frame`` summed per cell. With
    ``total`` a Total entry is added last (it is a count too, so it can be hidden).
    """
    grouped = frame.groupby(by, observed=True)
    counts = grouped.size().reindex(order, fill_value=0).astype("int64")
    members = grouped["member_id"].nunique().reindex(order, fill_value=0).astype("int64")
    sums = {name: grouped[column].sum().reindex(order, fill_value=0.0) for name, column in (money or {}).items()}
    if total:
        counts.loc[TOTAL] = int(counts.sum())
        members.loc[TOTAL] = int(frame["member_id"].nunique())
        for name, column in (money or {}).items():
            sums[name].loc[TOTAL] = float(frame[column].sum())
    return _protect_counts(by, order, counts.to_numpy(), members.to_numpy(),
                           {name: (column, sums[name].to_numpy(dtype=float)) for name, column in (money or {}).items()},
                           unit=unit, total=total)


def protect_crosstab(frame: pd.DataFrame, rows: str, columns: str, row_order: list[str],
                     column_order: list[str], value: str | None = None) -> tuple[SuppressedTable, pd.DataFrame]:
    """A rows x columns table of claim counts with totals, protected by the member rule.

    Returns the SuppressedTable and, when ``value`` names a dollar column, its sums per
    cell hidden in the same cells (NaN), with the same labels and totals.
    """
    counts = pd.crosstab(frame[rows], frame[columns]).reindex(index=row_order, columns=column_order, fill_value=0)
    members = (frame.groupby([rows, columns], observed=True)["member_id"].nunique().unstack(fill_value=0)
               .reindex(index=row_order, columns=column_order, fill_value=0))
    counts[TOTAL] = counts.sum(axis=1)
    counts.loc[TOTAL] = counts.sum(axis=0)
    members[TOTAL] = frame.groupby(rows, observed=True)["member_id"].nunique().reindex(row_order, fill_value=0)
    members.loc[TOTAL] = (frame.groupby(columns, observed=True)["member_id"].nunique()
                          .reindex(column_order, fill_value=0).tolist() + [frame["member_id"].nunique()])
    member_rule = (members >= 1) & (members <= SMALL_CELL_MAX)
    result = suppress_counts(counts.astype("int64"), margins=True, already_suppressed=member_rule)
    sums = pd.DataFrame(np.nan, index=counts.index, columns=counts.columns)
    if value is not None:
        table = frame.pivot_table(index=rows, columns=columns, values=value, aggfunc="sum", fill_value=0.0,
                                  observed=True).reindex(index=row_order, columns=column_order, fill_value=0.0)
        table[TOTAL] = table.sum(axis=1)
        table.loc[TOTAL] = table.sum(axis=0)
        sums = table.astype(float).round(2).mask(result.mask)
    return result, sums


# --------------------------------------------------------------------------- the views
@dataclass(frozen=True)
class View:
    """One dashboard view: a display table, its caption, the hiding note and a finding."""

    name: str
    table: pd.DataFrame
    caption: str
    note: str
    finding: str


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


STATUS_MONEY = {"Charged": "charged_usd", "Paid": "paid_usd"}
AGING_ORDER = [label for _, _, label in AGING_BUCKETS]
PAYMENT_ORDER = [label for _, _, label in PAYMENT_BINS]


def claims_by_status(data: RevenueData) -> View:
    return _status_view(protect(data.claims, "status", status_order(), STATUS_MONEY))


def _status_view(protected: ProtectedTable) -> View:
    table = protected.display("Claims").reset_index(names="Status")
    shown = protected.result.shown.drop(TOTAL)
    total = protected.result.shown[TOTAL]
    visible = shown.dropna()
    if total is pd.NA or visible.empty:
        finding = "Too few members in this selection to describe the statuses without revealing someone."
    else:
        top = visible.astype(int).idxmax()
        finding = (f"{top} is the most common status: {int(visible[top]):,} of {int(total):,} claims "
                   f"({_share(int(visible[top]), int(total))}).")
    return View("Claims by status", table, "Claims by status, with charged and paid amounts (illustrative dollars)",
                protected.note() + " " + MONEY_NOTE, finding)


@functools.lru_cache(maxsize=None)
def _denial_reference() -> tuple[dict[str, tuple[str, ...]], tuple[tuple[str, str], ...]]:
    """Reasons per level ("claim", "line") in the reference table's order, and what to check
    for each reason (the reference tables are fixed while the course runs)."""
    reasons = load_reference("denial_reasons")
    orders = {level: tuple(reasons.loc[reasons["applies_to"] == level, "reason"]) for level in ("claim", "line")}
    return orders, tuple(zip(reasons["reason"], reasons["what_to_check"]))


def _reason_order(level: str) -> list[str]:
    """Denial reasons that apply to a claim or to a line, in the reference table's order."""
    return list(_denial_reference()[0][level])


def denial_reasons(data: RevenueData) -> View:
    """Claim-level reasons (counted in claims) and line-level reasons (counted in lines)."""
    parts = []
    for level, frame, unit in (("claim", data.claims, "claims"), ("line", data.lines, "lines")):
        denied = frame[frame["denial_reason"].notna()]
        parts.append(protect(denied, "denial_reason", _reason_order(level), {"Charged": "charged_usd"},
                             unit=unit, total=False))
    return _denial_view(*parts)


def _denial_view(claim_reasons: ProtectedTable, line_reasons: ProtectedTable) -> View:
    what_to_check = pd.Series(dict(_denial_reference()[1]))
    parts = []
    for level, protected in (("claim", claim_reasons), ("line", line_reasons)):
        table = protected.display("Count").reset_index(names="Reason")
        table.insert(1, "Counted in", protected.unit)
        table["What to check"] = what_to_check.loc[_reason_order(level)].tolist()
        parts.append((table, protected))
    table = pd.concat([t for t, _ in parts], ignore_index=True)
    notes = " ".join(f"{'Claim' if p.unit == 'claims' else 'Line'} reasons: {p.note()}" for _, p in parts)
    shown = [(row["Reason"], int(row["Count"].replace(",", ""))) for _, row in table.iterrows()
             if row["Count"] != SUPPRESSED_LABEL and row["Count"] != "0"]
    if shown:
        reason, count = max(shown, key=lambda item: item[1])
        finding = f"The most frequent shown reason is \"{reason}\" ({count:,}). Each reason points at something billing staff can check before sending."
    else:
        finding = "No denial reason can be shown for this selection without revealing someone (or there are none)."
    return View("Denial reasons", table, "Denial and rejection reasons, with what to check (illustrative dollars)",
                notes + " " + MONEY_NOTE, finding)


@dataclass(frozen=True)
class PaymentFacts:
    """What the days-to-payment finding says about the paid claims of a selection.

    ``members``: distinct members with a paid claim; ``median_days``: median days from
    sending to payment (NaN if none); ``recent``/``recent_members``: paid claims sent
    on or after January 1, 2026 and their members; ``late``/``late_members``: those
    of them paid after ``AB3275_DAYS`` days.
    """

    members: int
    median_days: float
    recent: int
    recent_members: int
    late: int
    late_members: int


def payment_facts(paid: pd.DataFrame) -> PaymentFacts:
    """The facts about paid claims (rows of ``data.claims`` with a paid date)."""
    recent = paid[paid["submitted_date"] >= AB3275_START]
    late = recent[recent["days_to_payment"] > AB3275_DAYS]
    return PaymentFacts(int(paid["member_id"].nunique()), float(paid["days_to_payment"].median()), len(recent),
                        int(recent["member_id"].nunique()), len(late), int(late["member_id"].nunique()))


def _paid_claims(data: RevenueData) -> pd.DataFrame:
    """The paid claims, with only the columns the payment tables and findings read."""
    claims = data.claims
    return claims.loc[claims["paid_date"].notna(),
                      ["member_id", "submitted_date", "paid_usd", "days_to_payment", "payment_bin"]]


def days_to_payment(data: RevenueData) -> View:
    paid = _paid_claims(data)
    protected = protect(paid, "payment_bin", PAYMENT_ORDER, {"Paid": "paid_usd"})
    return _payment_view(protected, payment_facts(paid))


def _payment_view(protected: ProtectedTable, facts: PaymentFacts) -> View:
    table = protected.display("Claims paid").reset_index(names="Days from sending to payment")
    if facts.members <= SMALL_CELL_MAX:
        finding = "Too few members in this selection to show payment times without revealing someone."
    else:
        finding = f"Half of the paid claims were paid within {facts.median_days:.0f} days of being sent."
        if facts.recent_members > SMALL_CELL_MAX and (facts.late == 0 or facts.late_members > SMALL_CELL_MAX):
            finding += (f" Of the paid claims sent on or after January 1, 2026, {_share(facts.late, facts.recent)} "
                        f"were paid more than {AB3275_DAYS} calendar days after they were sent.")
    return View("Days to payment", table, "Paid claims by days from sending to payment (illustrative dollars)",
                protected.note() + " " + MONEY_NOTE, finding)


def parse_as_of(value: object, data: RevenueData) -> pd.Timestamp:
    """An aging date typed as YYYY-MM-DD, between the first claim and the data date."""
    first = data.claims["submitted_date"].min() if len(data.claims) else data.as_of
    return _aging_date(value, first, data.as_of)


def _aging_date(value: object, first: pd.Timestamp, as_of: pd.Timestamp) -> pd.Timestamp:
    """``parse_as_of`` for a selection whose first claim was sent on ``first``."""
    from calaim_course.claims import parse_date

    day = value if isinstance(value, pd.Timestamp) else parse_date(value)
    expected = f"a date as YYYY-MM-DD from {first:%Y-%m-%d} to {as_of:%Y-%m-%d} (the data date)"
    if day is None:
        raise CourseInputError("aging date", value, expected)
    day = pd.Timestamp(day)
    if not first <= day <= as_of:
        raise CourseInputError("aging date", f"{day:%Y-%m-%d}", expected)
    return day


def open_claims_at(claims: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Claims sent by ``as_of`` and not paid in full on that day, with what was outstanding.

    Outstanding is the charge minus what was paid by that day: a claim paid later was
    fully outstanding; a denied or rejected claim stays outstanding until it is fixed,
    appealed or written off (the synthetic data has no write-offs).
    """
    sent = claims[claims["submitted_date"] <= as_of]
    paid_by_then = sent["paid_usd"].where(sent["paid_date"].notna() & (sent["paid_date"] <= as_of), 0.0)
    out = sent.assign(outstanding_usd=(sent["charged_usd"] - paid_by_then).round(2),
                      age_days=(as_of - sent["submitted_date"]).dt.days)
    out = out[out["outstanding_usd"] > 0]
    return out.assign(aging_bucket=_bucket(out["age_days"], AGING_BUCKETS))


def ar_aging(data: RevenueData, as_of: object = None) -> View:
    day = data.as_of if as_of is None else parse_as_of(as_of, data)
    columns = ["member_id", "submitted_date", "paid_date", "charged_usd", "paid_usd"]
    open_claims = open_claims_at(data.claims[columns], day)
    return _aging_view(protect(open_claims, "aging_bucket", AGING_ORDER, {"Outstanding": "outstanding_usd"}), day)


def _aging_view(protected: ProtectedTable, day: pd.Timestamp) -> View:
    table = protected.display("Claims").reset_index(names="Days since sent")
    money = protected.money["Outstanding"]
    total = money.get(TOTAL)
    visible = money.drop(TOTAL).dropna()
    if total is None or pd.isna(total) or visible.empty or total == 0:
        finding = "Nothing outstanding can be shown for this selection without revealing someone (or nothing is outstanding)."
    else:
        older = [label for _, _, label in AGING_BUCKETS[2:]]
        finding = f"${total:,.2f} was outstanding on {_long_date(day)} (illustrative dollars)"
        if money[older].isna().any():
            finding += "; some buckets older than 60 days are hidden, so their share cannot be shown."
        else:
            finding += f"; {_share(money[older].sum(), total)} of it had been waiting more than 60 days."
    return View("Accounts receivable aging",
                table, f"Unpaid amounts by days since the claim was sent, on {_long_date(day)} (illustrative dollars)",
                protected.note() + " Outstanding means charged minus paid, on claims sent but not paid in full that day: "
                "awaiting a decision, denied or rejected and not yet fixed, or partly paid. " + MONEY_NOTE, finding)


def by_submission(data: RevenueData) -> View:
    """Claims by the way they were sent (837P, paper CMS-1500, invoice)."""
    order = [label for label in SUBMISSION_LABELS.values()]
    protected = protect(data.claims, "submission", order, {"Charged": "charged_usd"})
    table = protected.display("Claims").reset_index(names="Sent as")
    shown = protected.result.shown
    if shown[TOTAL] is pd.NA or shown.drop(TOTAL).isna().any():
        finding = "Some ways of sending are hidden for this selection."
    else:
        top = shown.drop(TOTAL).astype(int).idxmax()
        finding = f"Most claims went as {top}: {int(shown[top]):,} of {int(shown[TOTAL]):,} ({_share(int(shown[top]), int(shown[TOTAL]))})."
    return View("Claims by way of sending", table, "Synthetic claims by the way they were sent (illustrative dollars)",
                protected.note() + " " + MONEY_NOTE, finding)


VIEW_FUNCTIONS = {"Claims by status": claims_by_status, "Denial reasons": denial_reasons,
                  "Days to payment": days_to_payment, "Accounts receivable aging": ar_aging}


def view(data: RevenueData, name: str, as_of: object = None) -> View:
    """One of ``VIEWS`` for the (filtered) data; ``as_of`` is the aging date (aging only)."""
    if name not in VIEW_FUNCTIONS:
        raise CourseInputError("view", name, "one of " + ", ".join(VIEWS))
    if name == "Accounts receivable aging":
        return ar_aging(data, as_of)
    return VIEW_FUNCTIONS[name](data)


# --------------------------------------------------------------------------- dashboard cube
# The dashboard answers each control change from counts made once, when it is built:
# per filter choice (plan x program x way of sending, each possibly "all") and per
# table cell, the rows, the distinct members and the dollar sums. Distinct members do
# not add up across cells (one member can have claims in several), so they are counted
# for every choice directly. The aging table depends on a typed date: for it the claims
# are kept as sorted arrays and counted for the chosen date (a few vectorised passes).
FILTERS = ("plan", "program", "submission")


def _cents(values: pd.Series) -> np.ndarray | None:
    """Dollars as whole cents (missing as 0), or None when they are not whole cents.

    Sums of whole cents in integers, rounded to cents, equal pandas' float sums rounded
    to cents while the float error stays far below half a cent: hence the size limit.
    """
    dollars = values.to_numpy(dtype=float)
    known = ~np.isnan(dollars)
    cents = np.round(dollars[known] * 100)
    if np.any(np.abs(dollars[known] * 100 - cents) > 1e-6) or np.abs(dollars[known]).sum() >= 1e11:
        return None
    out = np.zeros(len(dollars), dtype=np.int64)
    out[known] = cents.astype(np.int64)
    return out


class _Choices:
    """Every filter choice, numbered, and which rows each one holds.

    A choice is a triple of positions in the ``filter_options`` lists (0 = "all"). Each
    row of the data sits in one *cell*: the triple of its own values' positions, with 0
    for a value that is not among the options (missing), which only "all" includes.
    Choices and cells share one numbering. ``contains[choice, cell]`` says whether a
    cell's rows belong to a choice; ``patterns`` gives, for each way of setting some
    filters to "all", the one choice of that form each cell belongs to (-1 for none).
    """

    def __init__(self, options: dict[str, list[str]]):
        self.options = options
        self.shape = tuple(len(options[name]) for name in FILTERS)
        triples = np.indices(self.shape).reshape(len(FILTERS), -1)
        self.n = triples.shape[1]
        self.contains = np.all((triples[:, :, None] == 0) | (triples[:, :, None] == triples[:, None, :]), axis=0)
        self.patterns = []
        for rolled in itertools.product([False, True], repeat=len(FILTERS)):
            rolled = np.array(rolled)[:, None]
            target = np.ravel_multi_index(np.where(rolled, 0, triples), self.shape)
            self.patterns.append(np.where(np.all(rolled | (triples != 0), axis=0), target, -1))

    def cells(self, frame: pd.DataFrame) -> np.ndarray:
        """The cell of each row of ``frame`` (a claims or lines frame)."""
        positions = []
        for name in FILTERS:
            known = {value: i for i, value in reversed(list(enumerate(self.options[name]))) if i > 0}
            codes, uniques = pd.factorize(frame[name])
            lookup = np.array([known.get(value, 0) for value in uniques] + [0], dtype=np.int64)
            positions.append(lookup[codes])  # code -1 (missing) reads the last entry, 0
        return np.ravel_multi_index(positions, self.shape) if len(frame) else np.zeros(0, dtype=np.int64)

    def choice(self, plan: str, program: str, submission: str) -> int:
        """The number of a choice; raises CourseInputError as ``filter_data`` does."""
        positions = []
        for name, value in zip(FILTERS, (plan, program, submission)):
            if value not in self.options[name]:
                raise CourseInputError(name, value, "one of " + ", ".join(self.options[name]))
            positions.append(0 if value == self.options[name][0] else self.options[name].index(value))
        return int(np.ravel_multi_index(positions, self.shape))


@dataclass(frozen=True)
class _Rollup:
    """Rows counted per choice and category (column 0: rows in no listed category).

    ``counts``, ``members`` (distinct) and each of ``cents`` (dollar sums in cents) are
    [choice, 1 + category] arrays; ``total_members`` counts a choice's distinct members
    over all its rows.
    """

    counts: np.ndarray
    members: np.ndarray
    total_members: np.ndarray
    cents: dict[str, np.ndarray]


def _rollup(choices: _Choices, cells: np.ndarray, categories: np.ndarray, n_categories: int,
            members: np.ndarray | None = None, cents: dict[str, np.ndarray] | None = None) -> _Rollup:
    """Count rows per choice and category. ``categories``: 0 for none, else 1 + position.

    ``members``: integer member codes (-1 for missing, which distinct counts skip, as
    ``nunique`` does); None skips the distinct counts.
    """
    width = n_categories + 1
    slots = cells * width + categories
    contains = choices.contains.astype(np.int64)
    per_cell = np.bincount(slots, minlength=choices.n * width).reshape(choices.n, width)
    sums = {name: contains @ np.bincount(slots, weights=values, minlength=choices.n * width)
            .round().astype(np.int64).reshape(choices.n, width) for name, values in (cents or {}).items()}
    distinct = np.zeros(choices.n * width, dtype=np.int64)
    total_members = np.zeros(choices.n, dtype=np.int64)
    known = members >= 0 if members is not None else np.zeros(0, dtype=bool)
    if known.any():
        n_members = int(members.max()) + 1
        keys = slots[known] * n_members + members[known]
        # Members are cut into blocks of consecutive codes, small enough for the hash
        # tables to stay in cache (see _parts): a member's rows all fall in one block,
        # so distinct counts simply add up over blocks.
        n_parts = _n_parts(len(keys))
        order, bounds = _grouped(members[known] * n_parts // n_members, n_parts)
        for part in range(n_parts):
            # Distinct (cell, category, member) first: every choice is a union of cells.
            triples = pd.unique(keys[order[bounds[part]:bounds[part + 1]]])
            slot_of, member_of = np.divmod(triples, n_members)
            cell_of, category_of = np.divmod(slot_of, width)
            for to_choice in choices.patterns:  # each choice is of exactly one pattern
                choice = to_choice[cell_of]
                kept = choice >= 0
                choice, category, member = choice[kept], category_of[kept], member_of[kept]
                pairs = pd.unique((choice * width + category) * n_members + member)
                distinct += np.bincount(pairs // n_members, minlength=choices.n * width)
                pairs = pd.unique(choice * n_members + member)
                total_members += np.bincount(pairs // n_members, minlength=choices.n)
    return _Rollup(contains @ per_cell, distinct.reshape(choices.n, width), total_members, sums)


def _category_codes(values: pd.Series, order: list) -> np.ndarray:
    """0 for values not in ``order`` (or missing), else 1 + their position in it."""
    codes, uniques = pd.factorize(values)
    position = {value: i + 1 for i, value in reversed(list(enumerate(order)))}
    lookup = np.array([position.get(value, 0) for value in uniques] + [0], dtype=np.int64)
    return lookup[codes]


def _ns(dates: pd.Series) -> np.ndarray:
    """Dates as int64 nanoseconds, missing ones as the largest int64 (never reached)."""
    values = dates.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return np.where(dates.isna().to_numpy(), np.iinfo(np.int64).max, values)


class RevenueCube:
    """The dashboard's tables for every filter choice, counted once from ``data``.

    ``view(plan, program, submission, name, as_of)`` returns exactly what
    ``view(filter_data(data, plan, program, submission), name, as_of)`` returns, with
    the same messages for bad input, in a few milliseconds. When dollar amounts are not
    whole cents (never in the course's data) it computes from ``data`` that way instead.
    """

    def __init__(self, data: RevenueData):
        self.data = data
        self.choices = _Choices(filter_options(data))
        # Answers already given, by (choice number, view, aging day or None). Safe: the
        # counts below are made once from ``data`` and never change.
        self._answer = functools.lru_cache(maxsize=512)(self._compute)
        claims, lines = data.claims, data.lines
        self.first_sent = claims["submitted_date"].min() if len(claims) else data.as_of
        amounts = {"charged": _cents(claims["charged_usd"]), "paid": _cents(claims["paid_usd"]),
                   "line": _cents(lines["charged_usd"])}
        self.exact = all(values is not None for values in amounts.values())
        if not self.exact:
            return
        choices = self.choices
        cells = choices.cells(claims)
        members = pd.factorize(claims["member_id"])[0]

        self.status_order = status_order()
        self.status = _rollup(choices, cells, _category_codes(claims["status"], self.status_order),
                              len(self.status_order), members, {"charged_usd": amounts["charged"], "paid_usd": amounts["paid"]})
        denied = claims["denial_reason"].notna().to_numpy()
        claim_reasons = _reason_order("claim")
        self.claim_reasons = _rollup(choices, cells[denied], _category_codes(claims["denial_reason"][denied], claim_reasons),
                                     len(claim_reasons), members[denied], {"charged_usd": amounts["charged"][denied]})
        denied_lines = lines[lines["denial_reason"].notna()]
        line_reasons = _reason_order("line")
        self.line_reasons = _rollup(
            choices, choices.cells(denied_lines), _category_codes(denied_lines["denial_reason"], line_reasons),
            len(line_reasons), pd.factorize(denied_lines["member_id"])[0],
            {"charged_usd": amounts["line"][lines["denial_reason"].notna().to_numpy()]})

        paid = claims["paid_date"].notna().to_numpy()
        self.payment = _rollup(choices, cells[paid], _category_codes(claims["payment_bin"][paid], PAYMENT_ORDER),
                               len(PAYMENT_ORDER), members[paid], {"paid_usd": amounts["paid"][paid]})
        days = claims["days_to_payment"].to_numpy(dtype=float)
        timed = paid & ~np.isnan(days)
        self.day_values, day_codes = np.unique(days[timed], return_inverse=True)
        self.payment_days = _rollup(choices, cells[timed], day_codes.reshape(-1) + 1, len(self.day_values))
        recent = paid & (claims["submitted_date"] >= AB3275_START).to_numpy()
        self.recent = _rollup(choices, cells[recent], (days[recent] > AB3275_DAYS).astype(np.int64), 1, members[recent])

        # Aging: claims that can be open on some day, by member then date sent, so that
        # for any day a member's claims in one age bucket sit next to each other.
        charged, paid_usd = claims["charged_usd"], claims["paid_usd"]
        unpaid_out, paid_out = charged.round(2), (charged - paid_usd).round(2)  # as open_claims_at rounds
        sent_ns, paid_ns = _ns(claims["submitted_date"]), _ns(claims["paid_date"])
        unpaid_open, paid_open = (unpaid_out > 0).to_numpy(), (paid_out > 0).to_numpy()
        keep = np.flatnonzero((unpaid_open | paid_open) & (sent_ns != np.iinfo(np.int64).max))
        keep = keep[np.lexsort((sent_ns[keep], members[keep]))]
        self.open_rows = {
            "cell": cells[keep], "member": members[keep], "sent": sent_ns[keep], "paid": paid_ns[keep],
            "unpaid_open": unpaid_open[keep], "paid_open": paid_open[keep],
            "unpaid_cents": _cents(unpaid_out.iloc[keep]), "paid_cents": _cents(paid_out.iloc[keep]),
        }
        self.exact = self.open_rows["unpaid_cents"] is not None and self.open_rows["paid_cents"] is not None
        # The first date sent per choice, for the aging date's check (as parse_as_of).
        rows = np.bincount(cells, minlength=choices.n)
        earliest = np.full(choices.n, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(earliest, cells, sent_ns)
        self.rows = choices.contains.astype(np.int64) @ rows
        self.earliest = np.where(choices.contains, earliest[None, :], np.iinfo(np.int64).max).min(axis=1)

    # ------------------------------------------------------------------ answers
    def view(self, plan: str, program: str, submission: str, name: str, as_of: object = None) -> View:
        """``view(filter_data(data, plan, program, submission), name, as_of)``, from the counts.

        The aging date is checked against all the claims even on other views (a typing
        error shows at once), then against the chosen claims on the aging view.
        """
        choice = self.choices.choice(plan, program, submission)
        if as_of is not None:
            _aging_date(as_of, self.first_sent, self.data.as_of)
        if name not in VIEW_FUNCTIONS:
            raise CourseInputError("view", name, "one of " + ", ".join(VIEWS))
        if not self.exact:
            return view(filter_data(self.data, plan, program, submission), name, as_of)
        day = None
        if name == "Accounts receivable aging":
            day = self.data.as_of if as_of is None else _aging_date(as_of, self._first_sent(choice), self.data.as_of)
        shown = self._answer(choice, name, day)
        return replace(shown, table=shown.table.copy())  # the cached table stays as computed

    def _compute(self, choice: int, name: str, day: pd.Timestamp | None) -> View:
        """One view for a choice (and the aging day): cached by ``_answer``."""
        if name == "Claims by status":
            return _status_view(self._protected(self.status, choice, "status", self.status_order, STATUS_MONEY))
        if name == "Denial reasons":
            return _denial_view(
                self._protected(self.claim_reasons, choice, "denial_reason", _reason_order("claim"),
                                {"Charged": "charged_usd"}, total=False),
                self._protected(self.line_reasons, choice, "denial_reason", _reason_order("line"),
                                {"Charged": "charged_usd"}, unit="lines", total=False))
        if name == "Days to payment":
            return _payment_view(self._protected(self.payment, choice, "payment_bin", PAYMENT_ORDER, {"Paid": "paid_usd"}),
                                 self._payment_facts(choice))
        return _aging_view(self._aging(choice, day), day)

    @staticmethod
    def _protected(rollup: _Rollup, choice: int, by: str, order: list[str], money: dict[str, str],
                   unit: str = "claims", total: bool = True) -> ProtectedTable:
        counts, members = rollup.counts[choice], rollup.members[choice]
        sums = {name: (column, rollup.cents[column][choice] / 100) for name, column in money.items()}
        if total:
            counts = np.r_[counts[1:], counts[1:].sum()]
            members = np.r_[members[1:], rollup.total_members[choice]]
            sums = {name: (column, np.r_[values[1:], rollup.cents[column][choice].sum() / 100])
                    for name, (column, values) in sums.items()}
        else:
            counts, members = counts[1:], members[1:]
            sums = {name: (column, values[1:]) for name, (column, values) in sums.items()}
        return _protect_counts(by, order, counts, members, sums, unit=unit, total=total)

    def _payment_facts(self, choice: int) -> PaymentFacts:
        histogram = self.payment_days.counts[choice, 1:]
        n = int(histogram.sum())
        if n:
            # The median as pandas gives it: the middle value, or the mean of the two middle ones.
            ends = np.cumsum(histogram)
            low, high = self.day_values[np.searchsorted(ends, [(n - 1) // 2 + 1, n // 2 + 1])]
            median = float((low + high) / 2)
        else:
            median = float("nan")
        recent = self.recent
        return PaymentFacts(int(self.payment.total_members[choice]), median, int(recent.counts[choice].sum()),
                            int(recent.total_members[choice]), int(recent.counts[choice, 1]),
                            int(recent.members[choice, 1]))

    def _first_sent(self, choice: int) -> pd.Timestamp:
        if not self.rows[choice]:
            return self.data.as_of
        if self.earliest[choice] == np.iinfo(np.int64).max:
            return pd.NaT
        return pd.Timestamp(self.earliest[choice], unit="ns")

    def _aging(self, choice: int, day: pd.Timestamp) -> ProtectedTable:
        """The aging table on ``day``: the claims open then, by days since sent (as ``open_claims_at``)."""
        rows = self.open_rows
        when = np.datetime64(day, "ns").astype(np.int64)
        paid_by_then = rows["paid"] <= when
        is_open = (self.choices.contains[choice][rows["cell"]] & (rows["sent"] <= when)
                   & np.where(paid_by_then, rows["paid_open"], rows["unpaid_open"]))
        picked = np.flatnonzero(is_open)
        age_days = (when - rows["sent"][picked]) // 86_400_000_000_000
        lows = np.array([low for low, _, _ in AGING_BUCKETS])
        bucket = np.searchsorted(lows, age_days, side="right") - 1
        cents = np.where(paid_by_then[picked], rows["paid_cents"][picked], rows["unpaid_cents"][picked])
        n_buckets = len(AGING_BUCKETS)
        counts = np.bincount(bucket, minlength=n_buckets)
        sums = np.bincount(bucket, weights=cents, minlength=n_buckets)
        # Rows are sorted by member, then date sent: within a member, buckets only go
        # down, so each (member, bucket) pair is one run, and each member one run.
        member = rows["member"][picked]
        new_member = np.r_[True, member[1:] != member[:-1]] & (member >= 0) if len(member) else np.zeros(0, bool)
        new_pair = new_member | (np.r_[True, bucket[1:] != bucket[:-1]] & (member >= 0)) if len(member) else new_member
        members = np.bincount(bucket[new_pair], minlength=n_buckets)
        return _protect_counts("aging_bucket", AGING_ORDER, np.r_[counts, counts.sum()],
                               np.r_[members, new_member.sum()],
                               {"Outstanding": ("outstanding_usd", np.r_[sums, cents.sum()] / 100)})


# --------------------------------------------------------------------------- chart data
def status_by_plan(data: RevenueData) -> tuple[pd.DataFrame, SuppressedTable]:
    """Long table for the status chart: status, plan (with "All plans"), claims, suppressed."""
    plans = filter_options(data)["plan"][1:]
    result, _ = protect_crosstab(data.claims, "status", "plan", status_order(), plans)
    long = result.to_long(include_totals=True)
    long = long[long["status"] != TOTAL].rename(columns={"count": "claims"})
    long["plan"] = long["plan"].replace({TOTAL: ALL_PLANS})
    return long.reset_index(drop=True), result


def aging_by_plan(data: RevenueData, as_of: object = None) -> tuple[pd.DataFrame, SuppressedTable]:
    """Long table for the aging chart: bucket, plan, outstanding dollars (NaN if hidden), suppressed."""
    plans = filter_options(data)["plan"][1:]
    day = data.as_of if as_of is None else parse_as_of(as_of, data)
    open_claims = open_claims_at(data.claims, day)
    order = [label for _, _, label in AGING_BUCKETS]
    result, sums = protect_crosstab(open_claims, "aging_bucket", "plan", order, plans, value="outstanding_usd")
    long = result.to_long()
    long = long.rename(columns={"count": "claims"})
    long["outstanding_usd"] = [sums.loc[b, p] for b, p in zip(long["aging_bucket"], long["plan"])]
    return long.reset_index(drop=True), result


__all__ = ["RevenueData", "ProtectedTable", "View", "VIEWS", "RevenueCube", "PaymentFacts", "payment_facts",
           "prepare", "filter_data", "filter_options",
           "protect", "protect_crosstab", "view", "claims_by_status", "denial_reasons", "days_to_payment",
           "ar_aging", "by_submission", "open_claims_at", "parse_as_of", "status_by_plan", "aging_by_plan", "AGING_BUCKETS", "PAYMENT_BINS", "ALL_PLANS",
           "ALL_PROGRAMS", "ALL_WAYS"]


# --------------------------------------------------------------------------- charts
def _chart_frame(long: pd.DataFrame, value: str) -> pd.DataFrame:
    """Plain JSON-friendly columns: hidden values become None, and a label column says so."""
    out = long.copy()
    out[value] = [None if pd.isna(v) else float(v) for v in out[value]]
    out["suppressed"] = out["suppressed"].astype(bool)
    for column in out.columns:
        if out[column].dtype == object and column not in (value,):
            out[column] = out[column].astype(str)
    return out


def status_chart(data: RevenueData):
    """Bars of claims by status; a drop-down below the chart picks the plan (works offline)."""
    import altair as alt

    from calaim_course.charts import OKABE_ITO, SUPPRESSED_COLOUR

    long, _ = status_by_plan(data)
    frame = _chart_frame(long, "claims")
    plans = filter_options(data)["plan"]
    pick = alt.param(name="rc_status_plan", value=ALL_PLANS,
                     bind=alt.binding_select(options=plans, name="Plan: "))
    order = status_order()
    base = alt.Chart(frame).transform_filter(alt.datum.plan == pick)
    y = alt.Y("status:N", sort=order, title="Claim status")
    bars = base.transform_filter("!datum.suppressed").mark_bar(color=OKABE_ITO[0]).encode(
        x=alt.X("claims:Q", title="Claims (count)"), y=y,
        tooltip=[alt.Tooltip("status:N", title="Status"), alt.Tooltip("plan:N", title="Plan"),
                 alt.Tooltip("claims:Q", title="Claims", format=",")])
    labels = base.transform_filter("!datum.suppressed").mark_text(align="left", dx=4).encode(
        x="claims:Q", y=y, text=alt.Text("claims:Q", format=","))
    hidden = base.transform_filter("datum.suppressed").mark_text(align="left", dx=4, color=SUPPRESSED_COLOUR,
                                                                   fontStyle="italic").encode(
        x=alt.datum(0), y=y, text=alt.value("suppressed (fewer than 11 members)"))
    return (bars + labels + hidden).add_params(pick).properties(
        title=alt.Title("Synthetic claims by status", subtitle="Choose a plan in the list below the chart"),
        width=460, height=220)


def aging_chart(data: RevenueData, as_of: object = None):
    """Grouped bars of outstanding dollars by days since sent and plan; click the legend to highlight a plan."""
    import altair as alt

    from calaim_course.charts import OKABE_ITO, SUPPRESSED_COLOUR

    day = data.as_of if as_of is None else parse_as_of(as_of, data)
    long, _ = aging_by_plan(data, day)
    frame = _chart_frame(long.drop(columns=["claims"]), "outstanding_usd")
    order = [label for _, _, label in AGING_BUCKETS]
    plans = filter_options(data)["plan"][1:]
    pick = alt.selection_point(name="rc_aging_plan", fields=["plan"], bind="legend")
    x = alt.X("aging_bucket:N", sort=order, title="Days since the claim was sent", axis=alt.Axis(labelAngle=0))
    colour = alt.Color("plan:N", title="Plan", scale=alt.Scale(domain=plans, range=OKABE_ITO[:len(plans)]),
                       legend=alt.Legend(labelLimit=320))
    base = alt.Chart(frame)
    bars = base.transform_filter("!datum.suppressed").mark_bar().encode(
        x=x, xOffset=alt.XOffset("plan:N", sort=plans), y=alt.Y("outstanding_usd:Q", title="Outstanding (illustrative US dollars)"),
        color=colour, opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("aging_bucket:N", title="Days since sent"), alt.Tooltip("plan:N", title="Plan"),
                 alt.Tooltip("outstanding_usd:Q", title="Outstanding ($)", format=",.2f")]).add_params(pick)
    hidden = base.transform_filter("datum.suppressed").mark_text(angle=270, align="left", dx=0, dy=0, baseline="middle",
                                                                   color=SUPPRESSED_COLOUR, fontStyle="italic").encode(
        x=x, xOffset=alt.XOffset("plan:N", sort=plans), y=alt.datum(0), text=alt.value("suppressed"))
    return (bars + hidden).properties(
        title=alt.Title(f"Unpaid claims by age on {_long_date(day)} (synthetic, illustrative dollars)",
                        subtitle="Click a plan in the legend to highlight it; grey text marks hidden cells"),
        width=460, height=260)


def payment_by_period(data: RevenueData) -> tuple[pd.DataFrame, SuppressedTable]:
    """Long table: payment bin, period sent (before 2026 or from 2026), claims, suppressed."""
    paid = data.claims[data.claims["paid_date"].notna()].copy()
    paid["period"] = np.where(paid["submitted_date"] >= AB3275_START, "Sent in 2026", "Sent before 2026")
    order = [label for _, _, label in PAYMENT_BINS]
    result, _ = protect_crosstab(paid, "payment_bin", "period", order, ["Sent before 2026", "Sent in 2026"])
    long = result.to_long().rename(columns={"count": "claims"})
    return long.reset_index(drop=True), result


def payment_chart(data: RevenueData):
    """Bars of paid claims by days from sending to payment, one colour per period sent."""
    import altair as alt

    from calaim_course.charts import OKABE_ITO, SUPPRESSED_COLOUR

    long, _ = payment_by_period(data)
    frame = _chart_frame(long, "claims")
    order = [label for _, _, label in PAYMENT_BINS]
    periods = ["Sent before 2026", "Sent in 2026"]
    pick = alt.selection_point(name="rc_payment_period", fields=["period"], bind="legend")
    x = alt.X("payment_bin:N", sort=order, title="Days from sending to payment", axis=alt.Axis(labelAngle=0))
    base = alt.Chart(frame)
    bars = base.transform_filter("!datum.suppressed").mark_bar().encode(
        x=x, xOffset=alt.XOffset("period:N", sort=periods), y=alt.Y("claims:Q", title="Paid claims (count)"),
        color=alt.Color("period:N", title="When sent", scale=alt.Scale(domain=periods, range=[OKABE_ITO[1], OKABE_ITO[0]])),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
        tooltip=[alt.Tooltip("payment_bin:N", title="Days to payment"), alt.Tooltip("period:N", title="When sent"),
                 alt.Tooltip("claims:Q", title="Claims", format=",")]).add_params(pick)
    hidden = base.transform_filter("datum.suppressed").mark_text(angle=270, align="left", baseline="middle",
                                                                   color=SUPPRESSED_COLOUR, fontStyle="italic").encode(
        x=x, xOffset=alt.XOffset("period:N", sort=periods), y=alt.datum(0), text=alt.value("suppressed"))
    return (bars + hidden).properties(
        title=alt.Title("How long the plans took to pay (synthetic claims)",
                        subtitle="The 30-day line falls between the 16-30 and 31-45 day bars; click the legend to highlight"),
        width=460, height=260)


def late_share(data: RevenueData) -> tuple[int, int] | None:
    """(late, all) paid claims sent in 2026 and paid after 30 calendar days; None if too few members."""
    paid = data.claims[data.claims["paid_date"].notna() & (data.claims["submitted_date"] >= AB3275_START)]
    late = paid[paid["days_to_payment"] > AB3275_DAYS]
    if paid["member_id"].nunique() <= SMALL_CELL_MAX or 0 < late["member_id"].nunique() <= SMALL_CELL_MAX:
        return None
    return len(late), len(paid)


def payment_period_finding(data: RevenueData) -> str:
    """Share of paid claims paid after 30 calendar days, for claims sent before 2026 and in 2026."""
    paid = _paid_claims(data)
    parts = []
    for label, frame in (("sent before 2026", paid[paid["submitted_date"] < AB3275_START]),
                         ("sent in 2026", paid[paid["submitted_date"] >= AB3275_START])):
        late = frame[frame["days_to_payment"] > AB3275_DAYS]
        if frame["member_id"].nunique() <= SMALL_CELL_MAX or 0 < late["member_id"].nunique() <= SMALL_CELL_MAX:
            parts.append(f"the share for claims {label} is hidden (too few members)")
        else:
            parts.append(f"{_share(len(late), len(frame))} of the paid claims {label}")
    return (f"Paid more than {AB3275_DAYS} calendar days after sending: {parts[0]}, and {parts[1]}. "
            "For claims received from January 1, 2026, AB 3275 allows 30 calendar days for a complete claim.")
