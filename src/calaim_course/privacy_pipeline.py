"""A privacy pipeline on synthetic data: raw, pseudonymised, aggregated, suppressed.

Each step shows what it removed and how easy it still is to pick one person out:

1. **Raw**: the synthetic agency's member list with names, birth dates, phone numbers
   and e-mail addresses (all fictional), plus the quasi-identifiers.
2. **Pseudonymised**: direct identifiers removed; the member ID replaced by a keyed hash
   (HMAC-SHA256, RFC 2104); birth date generalised to an age band.
3. **Aggregated**: one count per combination of the chosen quasi-identifiers; no row
   per person any more.
4. **Suppressed**: counts from 1 to 10 hidden, with complementary suppression, by
   ``calaim_course.suppression`` (CalHHS Data De-identification Guidelines, 4.4).

Risk is measured with k-anonymity: records that share the same values of every chosen
quasi-identifier form an equivalence class; k is the size of the smallest class, and a
record alone in its class (class size 1) is unique. ASPE (HHS) describes k-anonymity as
making sure no combination of characteristics is shared by fewer than k people:
https://aspe.hhs.gov/report/minimizing-disclosure-risk-hhs-open-data-initiatives/2-restricted-data-public-access

Why a keyed hash is not enough (the course's teaching point): VAWA bars disclosing
personally identifying information "regardless of whether the information has been
encoded, encrypted, hashed, or otherwise protected" (34 U.S.C. 12291(b)(2)). A keyed
hash is a stable code for one person: whoever holds the key can recompute it, and the
same key gives the same code in every file, so files can be linked. It is a security
measure, never a substitute for the survivor's consent.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import random
import re
import secrets
from dataclasses import dataclass
from typing import Iterable

import altair as alt
import numpy as np
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.distinct import per_distinct_value
from calaim_course.errors import CourseInputError
from calaim_course.suppression import (
    SMALL_CELL_MAX,
    SuppressedTable,
    suppress_counts,
    suppress_for_display,
    suppression_note,
)

# The quasi-identifiers a learner may keep: column -> label shown in the page.
QUASI_IDENTIFIERS: dict[str, str] = {
    "age_band": "Age band",
    "area": "Area (fictional ZIP-like code)",
    "language": "Preferred language",
    "plan": "Health plan",
}
# Short names for prose and chart labels.
QUASI_SHORT: dict[str, str] = {"age_band": "age band", "area": "area", "language": "language", "plan": "plan"}
# The widget's starting view: two quasi-identifiers, so the suppressed step shows some
# counts and hides others. The chart shows every combination at once.
DEFAULT_QUASI_IDENTIFIERS: tuple[str, ...] = ("age_band", "plan")
DIRECT_IDENTIFIERS: dict[str, str] = {
    "member_id": "Member ID",
    "first_name": "First name",
    "last_name": "Last name",
    "birth_date": "Birth date",
    "phone": "Phone",
    "email": "E-mail",
}
SENSITIVE = "housing_status"  # what a re-identification would reveal about a survivor
SENSITIVE_LABEL = "Housing at intake"
PSEUDONYM_LABEL = "Pseudonym (keyed hash)"

AGE_BANDS = [(16, 24), (25, 34), (35, 44), (45, 54), (55, 64), (65, 120)]
AGE_BAND_LABELS = [f"{low}-{high}" if high < 120 else f"{low}+" for low, high in AGE_BANDS]

# Fictional, ZIP-like areas: "AZ" for Alder zone (real ZIP codes have no letters).
# Uneven weights on purpose: real areas differ in size, and small areas make people
# stand out. The weights are an assumption for teaching, not data about any place.
AREAS = [f"AZ-{n:02d}" for n in range(1, 9)]
AREA_WEIGHTS = [0.28, 0.22, 0.16, 0.12, 0.09, 0.07, 0.04, 0.02]

NO_PLAN = "No plan"
K_THRESHOLD = SMALL_CELL_MAX + 1  # the DDG's small-count line (11), used here as a yardstick for k

# Keys. RFC 2104 section 3: keys shorter than the hash output (32 bytes for SHA-256)
# are strongly discouraged.
MIN_KEY_BYTES = 32
DEMO_KEY_SEED = 2026
_SEED_TEXT = re.compile(r"^\s*\d{1,9}\s*$")
PSEUDONYM_PREFIX = "PSN-"
PSEUDONYM_HEX = 16  # hex digits shown: enough to be unique here, short enough to read
PREVIEW_ROWS = 5
PREVIEW_CELLS = 12

ASPE_K_URL = "https://aspe.hhs.gov/report/minimizing-disclosure-risk-hhs-open-data-initiatives/2-restricted-data-public-access"
VAWA_URL = "https://lfportal.everettwa.gov/WebLink/0/doc/1475677/Page21.aspx"
RFC2104_URL = "https://www.ietf.org/rfc/rfc2104"


# ------------------------------------------------------------------------------- keys


def demo_key(seed: object = DEMO_KEY_SEED) -> bytes:
    """A 32-byte key made in memory from a seed, so the stored page is the same every run.

    For the demonstration only. Real use needs a secret random key (``random_key()``,
    from the operating system's secure random source), kept apart from the data and
    never derived from a number anyone could guess. This key is never written anywhere.
    """
    number = parse_seed(seed)
    return random.Random(number).randbytes(MIN_KEY_BYTES)  # not secret: a teaching key


def random_key() -> bytes:
    """A fresh secret key, as real use needs (``secrets``, not ``random``); kept only in memory."""
    return secrets.token_bytes(MIN_KEY_BYTES)


def parse_seed(value: object) -> int:
    """The demo key's number: a whole number from 0 to 999,999,999 (text or int)."""
    expected = "a whole number from 0 to 999999999"
    if isinstance(value, bool):
        raise CourseInputError("Demo key number", value, expected)
    if isinstance(value, (int, np.integer)):
        if 0 <= int(value) <= 999_999_999:
            return int(value)
        raise CourseInputError("Demo key number", value, expected)
    if isinstance(value, str) and _SEED_TEXT.match(value):
        return int(value.strip())
    raise CourseInputError("Demo key number", value, expected, hint="Use digits only, for example 2026.")


def _check_key(key: object) -> bytes:
    if not isinstance(key, (bytes, bytearray)):
        raise CourseInputError("key", type(key).__name__, f"bytes (at least {MIN_KEY_BYTES} of them)")
    if len(key) < MIN_KEY_BYTES:
        raise CourseInputError("key", f"{len(key)} bytes", f"at least {MIN_KEY_BYTES} bytes (RFC 2104: not shorter than the hash)")
    return bytes(key)


def _check_identifier(identifier: object) -> None:
    if not isinstance(identifier, str) or not identifier.strip():
        raise CourseInputError("identifier", identifier, "non-empty text, such as a member ID")


def pseudonym(identifier: str, key: bytes) -> str:
    """The keyed hash of one identifier, shortened for display: ``PSN-`` and 16 hex digits.

    HMAC-SHA256 of the identifier's UTF-8 text. The same key always gives the same
    pseudonym (so records can be linked); another key gives another one.
    """
    key = _check_key(key)
    _check_identifier(identifier)
    digest = hmac.new(key, identifier.encode("utf-8"), hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX]


def pseudonymise(identifiers: Iterable[str], key: bytes) -> list[str]:
    """``pseudonym`` for each identifier, in order."""
    key = _check_key(key)
    return [pseudonym(identifier, key) for identifier in identifiers]


# ------------------------------------------------------------------ the synthetic table


def age_band(ages: pd.Series) -> pd.Series:
    """Ages generalised to bands (16-24, ..., 65+), as an ordered categorical."""
    bins = [AGE_BANDS[0][0] - 1] + [high for _low, high in AGE_BANDS]
    return pd.cut(ages, bins=bins, labels=AGE_BAND_LABELS, ordered=True)


def fictional_area(member_ids: Iterable[str]) -> list[str]:
    """A fictional ZIP-like area for each member, fixed by the member ID alone.

    Why a hash and not a random draw: the area stays the same for a member whatever the
    order or size of the table. SHA-256 here only spreads IDs over areas; it is not a
    security measure.
    """
    cumulative = np.cumsum(AREA_WEIGHTS)
    # tolist(): iterating a pandas text column element by element is slow at a million rows.
    ids = member_ids.tolist() if isinstance(member_ids, (pd.Series, pd.Index)) else list(member_ids)
    # SHA-256 of "alder-area:" + the ID; copying the hash of the prefix is quicker than
    # hashing it again for each of a million IDs.
    prefix = hashlib.sha256(b"alder-area:")
    first_bytes = []
    for member_id in ids:
        digest = prefix.copy()
        digest.update(f"{member_id}".encode())
        first_bytes.append(digest.digest()[:8])
    # The first 8 bytes of each digest, read as one big-endian integer, as a share of 2**64.
    # The numpy division rounds exactly like int.from_bytes(...) / 2**64 (both round to
    # nearest, and dividing by a power of two is exact).
    u = np.frombuffer(b"".join(first_bytes), dtype=">u8").astype(np.float64) / 2**64
    index = np.minimum(np.searchsorted(cumulative, u, side="right"), len(AREAS) - 1)
    return np.asarray(AREAS, dtype=object)[index].tolist()


def raw_table(members: pd.DataFrame | None = None, organizations: pd.DataFrame | None = None) -> pd.DataFrame:
    """The raw step: the synthetic members with direct identifiers, quasi-identifiers and housing.

    Uses ``calaim_course.synthetic.load_world()`` when no table is given. Every value is
    fictional (names from a synthetic list, 555-01xx phones, example.org e-mail).
    """
    if members is None or organizations is None:
        from calaim_course.synthetic import load_world

        world = load_world()
        members = world.members if members is None else members
        organizations = world.organizations if organizations is None else organizations
    needed = ["member_id", "first_name", "last_name", "birth_date", "phone", "email", "age",
              "preferred_language", "plan_id", SENSITIVE]
    missing = [c for c in needed if c not in members.columns]
    if missing:
        raise CourseInputError("members table", f"no column {missing[0]!r}", "the synthetic members table")
    plan_names = dict(zip(organizations["org_id"].astype(str), organizations["name"].astype(str)))
    plan = members["plan_id"].astype("string").map(plan_names, na_action="ignore").fillna(NO_PLAN)
    table = pd.DataFrame({
        "member_id": members["member_id"].astype(str),
        "first_name": members["first_name"].astype(str),
        "last_name": members["last_name"].astype(str),
        "birth_date": per_distinct_value(pd.to_datetime(members["birth_date"]),
                                          lambda dates: dates.dt.strftime("%Y-%m-%d")),
        "phone": members["phone"].astype(str),
        "email": members["email"].astype(str),
        "age_band": age_band(members["age"]).astype(str),
        "area": fictional_area(members["member_id"].astype(str)),
        "language": members["preferred_language"].astype(str),
        "plan": plan.astype(str),
        SENSITIVE: per_distinct_value(members[SENSITIVE].astype(str),
                                       lambda text: text.str.replace("_", " ").str.replace("dv", "DV")),
    })
    return table.reset_index(drop=True)


# ------------------------------------------------------------------------ k-anonymity


def check_quasi_identifiers(choice: object) -> tuple[str, ...]:
    """The chosen quasi-identifiers, in the course's fixed order.

    ``choice``: names from ``QUASI_IDENTIFIERS`` as a list, tuple or set, or as text
    separated by commas. At least one, each known, none twice.
    """
    field_name = "Quasi-identifiers to keep"
    names = ", ".join(QUASI_IDENTIFIERS)
    if isinstance(choice, str):
        items = [part.strip() for part in choice.split(",")]
    elif isinstance(choice, (list, tuple, set, frozenset)):
        items = list(choice)
    else:
        raise CourseInputError(field_name, type(choice).__name__, f"a list of names from {names}")
    if not items or items == [""]:
        raise CourseInputError(field_name, "none", "at least one of age band, area, language, plan",
                               hint="Tick at least one box.")
    seen = set()
    for item in items:
        if not isinstance(item, str) or item not in QUASI_IDENTIFIERS:
            raise CourseInputError(field_name, item, f"one of {names}")
        if item in seen:
            raise CourseInputError(field_name, f"{item!r} twice", "each quasi-identifier once")
        seen.add(item)
    return tuple(q for q in QUASI_IDENTIFIERS if q in seen)


@dataclass(frozen=True)
class KAnonymity:
    """Re-identification risk of a record-level table for chosen quasi-identifiers.

    ``k``: size of the smallest equivalence class (records sharing every chosen value).
    ``n_unique``: records alone in their class. ``n_classes``: number of classes.
    """

    quasi_identifiers: tuple[str, ...]
    k: int
    n_records: int
    n_classes: int
    n_unique: int

    @property
    def share_unique(self) -> float:
        return self.n_unique / self.n_records

    @property
    def meets_threshold(self) -> bool:
        return self.k >= K_THRESHOLD


def class_sizes(table: pd.DataFrame, quasi_identifiers: object) -> pd.Series:
    """Number of records in each equivalence class (non-empty classes only)."""
    chosen = check_quasi_identifiers(quasi_identifiers)
    if not isinstance(table, pd.DataFrame):
        raise CourseInputError("table", type(table).__name__, "a pandas DataFrame of records")
    missing = [q for q in chosen if q not in table.columns]
    if missing:
        raise CourseInputError("table", f"no column {missing[0]!r}", "a column for every chosen quasi-identifier")
    if table.empty:
        raise CourseInputError("table", "no records", "at least one record")
    values = table[list(chosen)].astype(str)
    return values.groupby(list(chosen), observed=True, sort=True).size()


def k_anonymity(table: pd.DataFrame, quasi_identifiers: object) -> KAnonymity:
    """k (the smallest class size), unique records and classes for these quasi-identifiers."""
    sizes = class_sizes(table, quasi_identifiers)
    return _risk_of(check_quasi_identifiers(quasi_identifiers), sizes)


def _risk_of(chosen: tuple[str, ...], sizes: pd.Series) -> KAnonymity:
    return KAnonymity(
        quasi_identifiers=chosen,
        k=int(sizes.min()),
        n_records=int(sizes.sum()),
        n_classes=int(sizes.size),
        n_unique=int((sizes == 1).sum()),
    )


def _class_sizes_from(all_sizes: pd.Series, chosen: tuple[str, ...]) -> pd.Series:
    """``class_sizes`` for ``chosen``, from the class sizes over all four quasi-identifiers.

    Why it is the same: a class for fewer quasi-identifiers is the union of the classes
    that share its values, so its size is their sum; grouping sorts the values as
    ``class_sizes`` does, and only non-empty classes exist in ``all_sizes``.
    """
    return all_sizes.groupby(level=list(chosen), sort=True).sum()


def qi_label(quasi_identifiers: Iterable[str]) -> str:
    """Short label of a combination, for example "age band + plan"."""
    return " + ".join(QUASI_SHORT[q] for q in quasi_identifiers)


# --------------------------------------------------------------------------- pipeline


@dataclass(frozen=True)
class Step:
    """One step of the pipeline: a preview, what it removed, and the risk left."""

    key: str
    title: str
    preview: pd.DataFrame
    removed: list[str]
    risk: str
    k: int | None
    n_unique: int | None
    n_rows: int
    note: str = ""


@dataclass(frozen=True)
class PipelineResult:
    quasi_identifiers: tuple[str, ...]
    steps: list[Step]
    risk: KAnonymity
    aggregated: pd.Series
    suppressed: SuppressedTable
    key_label: str = ""

    @property
    def smallest_shown(self) -> int | None:
        shown = self.suppressed.shown.dropna()
        shown = shown[shown > 0]
        return int(shown.min()) if len(shown) else None


def _display_columns(frame: pd.DataFrame) -> pd.DataFrame:
    labels = {**DIRECT_IDENTIFIERS, **QUASI_IDENTIFIERS, SENSITIVE: SENSITIVE_LABEL, "pseudonym": PSEUDONYM_LABEL}
    return frame.rename(columns=labels)


def size_band(counts: pd.Series) -> pd.Series:
    """Counts as risk bands: "1 (unique)", "2 to 10", "11 or more" (never the exact small count)."""
    return pd.Series(
        np.select([counts == 1, counts <= SMALL_CELL_MAX], ["1 (unique)", f"2 to {SMALL_CELL_MAX}"],
                  f"{K_THRESHOLD} or more"),
        index=counts.index, dtype=object,
    )


def aggregate(table: pd.DataFrame, quasi_identifiers: object) -> pd.Series:
    """Counts of records per combination of the quasi-identifiers (the aggregated step)."""
    chosen = check_quasi_identifiers(quasi_identifiers)
    sizes = class_sizes(table, chosen).rename("count")
    return sizes


@dataclass(frozen=True)
class RawSummary:
    """What ``run_pipeline`` needs from a whole raw table, worked out once by ``summarise_raw``.

    ``class_sizes``: records per combination of all four quasi-identifiers (a few
    thousand numbers even for a million members); every other choice of
    quasi-identifiers is a sum over it.
    """

    n_records: int
    class_sizes: pd.Series


def _check_raw(raw: object) -> None:
    if not isinstance(raw, pd.DataFrame):
        raise CourseInputError("table", type(raw).__name__, "the raw synthetic table (raw_table())")
    needed = [*DIRECT_IDENTIFIERS, *QUASI_IDENTIFIERS, SENSITIVE]
    missing = [c for c in needed if c not in raw.columns]
    if missing:
        raise CourseInputError("table", f"no column {missing[0]!r}", "the raw synthetic table (raw_table())")


def summarise_raw(raw: pd.DataFrame) -> RawSummary:
    """Check a raw table (from ``raw_table``) and count its classes, once for every later run.

    Raises the same messages, in the same order, as ``run_pipeline`` gives for a bad
    table: not a table, a missing column, no records, a member ID that is not text.
    """
    _check_raw(raw)
    sizes = class_sizes(raw, tuple(QUASI_IDENTIFIERS))  # says "no records" for an empty table
    # Every member ID must be one that could be pseudonymised, as when all were hashed.
    for identifier in raw["member_id"].tolist():
        _check_identifier(identifier)
    return RawSummary(n_records=len(raw), class_sizes=sizes)


def run_pipeline(raw: pd.DataFrame, quasi_identifiers: object, key: bytes, key_label: str = "",
                 summary: RawSummary | None = None) -> PipelineResult:
    """Run the four steps on ``raw`` (from ``raw_table``) with the chosen quasi-identifiers.

    ``summary``: ``summarise_raw(raw)`` of this same, unchanged table, so that a widget
    counts the table once instead of at every change; made here when not given.
    """
    chosen = check_quasi_identifiers(quasi_identifiers)
    key = _check_key(key)
    _check_raw(raw)
    if summary is None:
        summary = summarise_raw(raw)
    n = len(raw)
    if summary.n_records != n:
        raise ValueError("summary is not of this raw table: use summarise_raw(raw)")
    counts = _class_sizes_from(summary.class_sizes, chosen)
    risk = _risk_of(chosen, counts)
    dropped_qis = [QUASI_SHORT[q] for q in QUASI_IDENTIFIERS if q not in chosen]
    risk_text = (f"k = {risk.k} for {qi_label(chosen)}; {risk.n_unique} of {n} records "
                 f"({risk.share_unique:.0%}) are unique")

    first_rows = raw.head(PREVIEW_ROWS)  # all that the previews show of the records
    raw_view = first_rows[[*DIRECT_IDENTIFIERS, *chosen, SENSITIVE]]
    step_raw = Step(
        "raw", "1. Raw: the agency's own record",
        _display_columns(raw_view), [],
        "Every record names its person: the name, birth date, phone and e-mail identify them directly. "
        f"Even without those, {risk_text}.",
        k=1, n_unique=n, n_rows=n,
        note="Nothing removed yet. These people are fictional; a real table like this never leaves the agency.",
    )

    # Only the previewed rows are hashed: no other pseudonym is shown or kept, and
    # summarise_raw has checked that every member ID could be hashed.
    pseudo = first_rows[[*chosen, SENSITIVE]].copy()
    pseudo.insert(0, "pseudonym", pseudonymise(first_rows["member_id"], key))
    step_pseudo = Step(
        "pseudonymised", "2. Pseudonymised: direct identifiers replaced",
        _display_columns(pseudo.head(PREVIEW_ROWS)),
        ["name", "birth date (kept only as an age band)", "phone", "e-mail",
         "member ID (replaced by a keyed hash)"] + [f"{label} (you left it out)" for label in dropped_qis],
        f"Still one row per person. {risk_text}. "
        + (f"Anyone who knows a survivor's {qi_label(chosen)} can find the row of a survivor who is unique, "
           "and read their housing situation."
           if risk.n_unique else
           f"No record is unique, but knowing a survivor's {qi_label(chosen)} narrows them down to as few as "
           f"{risk.k} rows; if those rows share a housing situation, it is revealed."),
        k=risk.k, n_unique=risk.n_unique, n_rows=n,
        note="The keyed hash is still personally identifying information under VAWA, and it is not consent: "
             "the same key gives the same pseudonym in every file, and whoever holds the key can recompute it.",
    )

    counts = counts.rename("count")  # as aggregate(raw, chosen)
    # The exact counts are not shown at this step (the course shows no count from 1 to
    # 10 anywhere): each count is shown as a size band, which is what the risk is about.
    agg_view = counts.reset_index()
    agg_view["count"] = size_band(agg_view["count"])
    agg_view = agg_view.rename(columns={"count": "Group size"})
    small = int(((counts >= 1) & (counts <= SMALL_CELL_MAX)).sum())
    step_agg = Step(
        "aggregated", "3. Aggregated: one count per combination",
        _display_columns(agg_view.head(PREVIEW_CELLS)),
        ["pseudonym (no row per person any more)", f"{SENSITIVE_LABEL.lower()} (not counted here)"],
        f"{counts.size} counts; {small} of them are from 1 to {SMALL_CELL_MAX}, and "
        f"{int((counts == 1).sum())} are 1. The smallest count is k. A count of 1 is one survivor.",
        k=int(counts.min()), n_unique=int((counts == 1).sum()), n_rows=int(counts.size),
        note="Group sizes are shown as bands here: exact counts from 1 to 10 are never shown in this course.",
    )

    # Why a Series: one count per combination, with the grand total treated as known
    # (implicit_totals=True), so one hidden count cannot be worked out by subtraction.
    result = suppress_counts(counts.rename("count"))
    sup_view = suppress_for_display(result).rename(columns={"count": "Count"}).reset_index()
    shown_counts = result.shown.dropna()
    smallest = int(shown_counts.min()) if len(shown_counts) else None
    step_sup = Step(
        "suppressed", "4. Suppressed: small counts hidden",
        _display_columns(sup_view.head(PREVIEW_CELLS)),
        [f"{result.n_primary} counts from 1 to {SMALL_CELL_MAX}",
         (f"{result.n_complementary} more counts (complementary suppression)" if result.n_complementary
          else "no more counts needed (complementary suppression)")],
        (f"The smallest count shown is {smallest}: no shown count describes fewer than {K_THRESHOLD} people. "
         if smallest is not None else "Every count is hidden: this grouping is too fine to publish. ")
        + f"{result.n_suppressed} of {counts.size} counts are hidden.",
        k=smallest, n_unique=0, n_rows=int(counts.size),
        note=suppression_note(result),
    )
    return PipelineResult(chosen, [step_raw, step_pseudo, step_agg, step_sup], risk, counts, result, key_label)


def summary_table(result: PipelineResult) -> pd.DataFrame:
    """One row per step: what it removed and the risk measure, for the page."""
    rows = []
    for step in result.steps:
        rows.append({
            "Step": step.title,
            "Removed": "; ".join(step.removed) if step.removed else "nothing",
            "Smallest group (k)": "no group: names shown" if step.key == "raw"
            else ("all hidden" if step.k is None else f"{step.k:,}"),
            "Records or counts of 1": f"{step.n_unique:,}" if step.n_unique is not None else "",
        })
    return pd.DataFrame(rows)


def pipeline_html(result: PipelineResult) -> str:
    """The four steps as accessible HTML: a summary table, then each step's preview."""
    from calaim_course.widgets.common import html_table

    chosen = qi_label(result.quasi_identifiers)
    parts = [
        f"<p><strong>Quasi-identifiers kept:</strong> {html.escape(chosen)}. "
        f"<strong>k = {result.risk.k}</strong>; {result.risk.n_unique} of {result.risk.n_records} records "
        f"({result.risk.share_unique:.0%}) are unique"
        + (f"; k reaches {K_THRESHOLD}." if result.risk.meets_threshold else f"; k is below {K_THRESHOLD}.")
        + "</p>",
        html_table(summary_table(result), "What each step removed, and the risk left (synthetic data)"),
    ]
    if result.key_label:
        parts.append(f"<p><em>{html.escape(result.key_label)}</em></p>")
    for step in result.steps:
        more = step.n_rows - len(step.preview)
        caption = step.title + (f" (first {len(step.preview)} of {step.n_rows:,} rows)" if more > 0 else "")
        parts.append(
            f'<p class="course-step"><strong>{html.escape(step.title)}</strong></p>'
            f"<p><strong>Removed:</strong> {html.escape('; '.join(step.removed) if step.removed else 'nothing')}.<br>"
            f"<strong>Risk left:</strong> {html.escape(step.risk)}</p>"
            + html_table(step.preview, caption)
            + (f"<p><em>{html.escape(step.note)}</em></p>" if step.note else "")
        )
    return "\n".join(parts)


# ----------------------------------------------------------- every combination, charted


def combination_risks(raw: pd.DataFrame) -> pd.DataFrame:
    """k and the share of unique records for every non-empty combination of quasi-identifiers."""
    rows = []
    names = tuple(QUASI_IDENTIFIERS)
    all_sizes = class_sizes(raw, names)  # one pass over the records; each combination sums it
    for size in range(1, len(names) + 1):
        for combo in itertools.combinations(names, size):  # 15 combinations
            risk = _risk_of(combo, _class_sizes_from(all_sizes, combo))
            rows.append({
                "combination": _sentence_case(qi_label(combo)),
                "n_quasi_identifiers": size,
                "k": risk.k,
                "share_unique": round(risk.share_unique, 4),
                "percent_unique": round(100 * risk.share_unique, 1),
                "meets_threshold": "k of 11 or more" if risk.meets_threshold else "k below 11",
            })
    return pd.DataFrame(rows)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def risk_finding(risks: pd.DataFrame) -> str:
    """The chart's main finding, computed from the table."""
    full = risks.loc[risks["n_quasi_identifiers"].idxmax()]
    safe = risks[risks["k"] >= K_THRESHOLD]
    text = (f"With all four quasi-identifiers, {full['percent_unique']:.0f}% of the synthetic records are unique "
            f"(k = {int(full['k'])}).")
    if len(safe):
        names = sorted(safe["combination"])
        text += (f" Only {len(safe)} of {len(risks)} combinations reach k of {K_THRESHOLD} or more: "
                 + "; ".join(names) + ".")
    else:
        text += f" No combination reaches k of {K_THRESHOLD}."
    singles = risks[risks["n_quasi_identifiers"] == 1]
    smallest = singles.loc[singles["k"].idxmin()]
    if smallest["k"] < K_THRESHOLD:
        text += (f" Even one detail can make a group small: {smallest['combination'].lower()} alone gives "
                 f"k = {int(smallest['k'])}.")
    return text


def risk_chart(risks: pd.DataFrame) -> alt.Chart:
    """Bar chart: percent of unique records for each combination, coloured by whether k reaches 11.

    Click a legend entry to highlight the combinations that reach (or miss) k of 11.
    """
    pick = alt.selection_point(name="pick_k_status", fields=["meets_threshold"], bind="legend")
    order = risks.sort_values(["n_quasi_identifiers", "percent_unique"])["combination"].tolist()
    return (
        alt.Chart(risks, title=alt.Title(
            "More quasi-identifiers, more people who stand out",
            subtitle="Share of synthetic records that are unique, for each combination kept"))
        .mark_bar()
        .encode(
            x=alt.X("percent_unique:Q", title="Records that are unique (%)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("combination:N", title="Quasi-identifiers kept", sort=order),
            color=alt.Color("meets_threshold:N", title="Smallest group",
                            scale=alt.Scale(domain=["k of 11 or more", "k below 11"],
                                            range=[OKABE_ITO[2], OKABE_ITO[5]])),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
            tooltip=[alt.Tooltip("combination:N", title="Kept"),
                     alt.Tooltip("percent_unique:Q", title="Unique (%)"),
                     alt.Tooltip("k:Q", title="k (smallest group)")],
        )
        .add_params(pick)
        .properties(width=440, height=alt.Step(22))
    )


def risk_description(risks: pd.DataFrame) -> str:
    """Text description of the chart for screen readers (computed)."""
    none_unique = risks.loc[risks["percent_unique"] == 0, "combination"].tolist()
    highest = risks.loc[risks["percent_unique"].idxmax()]
    zero_text = (f"{len(none_unique)} combinations have no unique records ({'; '.join(none_unique)})"
                 if none_unique else "every combination has some unique records")
    return (
        f"*Text description:* a horizontal bar chart with one bar for each of the {len(risks)} combinations of "
        "the four quasi-identifiers (age band, area, language, plan). Bar length is the percent of the synthetic "
        f"records that are unique. {zero_text[0].upper()}{zero_text[1:]}; the longest bar is "
        f"{highest['combination']} ({highest['percent_unique']:.0f}%). Green bars reach k of 11 or more; "
        "vermillion bars do not."
    )
