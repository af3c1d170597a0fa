"""Audit sample picker: draw charts for a documentation review and score them.

The population is the synthetic world's chart reviews (``audits``): billed services
whose charts were checked for six documentation elements. The picker treats those
charts as the whole population and asks what a smaller review would have found:

- a sample size, a stratification (none, by plan, or by service) and a seed give the
  sampled charts, deterministically (the same three inputs always give the same charts);
- **proportional allocation**: each stratum gets ``n * N_h / N`` charts. That quota is
  rarely a whole number, so the course uses the **largest-remainder rule**: every
  stratum first gets the whole part of its quota, then the charts still to place go one
  each to the strata with the largest fractional parts (ties: the larger stratum first,
  then the order strata are listed in). The counts then add up to exactly ``n`` and no
  stratum gets more charts than it has. A stratum whose quota is below 1 may get none:
  the result says so, and its charts are then not represented in the estimate;
- the **compliance score** is the share of required documentation elements found
  (elements present divided by charts times 6). With strata, each stratum's score is weighted by
  its share of the population, which corrects the small distortion rounding causes.

Charts are service records, not people. Counts of *members* (people) in each stratum
go through ``calaim_course.suppression`` (counts 1 to 10 hidden), and the percentages
computed on hidden counts are hidden too.

Bad inputs (a size that is not a whole number, 0 or less, or larger than the
population; an unknown stratification; a seed that is not a whole number) raise
``CourseInputError`` with a message naming the field.

>>> population = chart_population()
>>> sample = draw_sample(population, "20", "service", "2026")
>>> int(sample.allocation["Charts sampled"].sum())
20
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd

from calaim_course.charts import OKABE_ITO
from calaim_course.errors import CourseInputError
from calaim_course.suppression import (
    SUPPRESSED_LABEL,
    suppress_counts,
    suppress_for_display,
    suppress_statistics,
    suppression_note,
)

DEFAULT_SIZE = 20
DEFAULT_SEED = 2026
MAX_SEED = 2**32 - 1

# The six documentation elements in the synthetic audits table, in the table's order.
# Why these: the course's illustrative checklist. DHCS requires CHWs to record the date,
# time, duration and nature of the service, and a diagnosis code for 98960-98962 (DHCS
# CHW Billing FAQ); the others are the course's assumptions for teaching.
ELEMENTS = {
    "doc_consent_on_file": "Release covering the plan on file",
    "doc_date_time_duration": "Date, time and duration recorded",
    "doc_nature_of_service": "Nature of the service recorded",
    "doc_care_plan": "Current care plan in the chart",
    "doc_diagnosis_code": "Diagnosis code recorded",
    "doc_staff_signature": "Note signed by the staff member",
}
STRATIFICATIONS = {
    "none": "No strata (simple random sample)",
    "plan": "By plan",
    "service": "By service (ECM, Community Supports, CHW)",
}
DESIGNS = {"none": "No strata", "plan": "By plan", "service": "By service"}  # short names for charts
SERVICE_LABELS = {"ecm": "ECM", "community_supports": "Community Supports", "chw": "CHW"}
ALL_CHARTS = "All charts"
TOTAL = "Total"

SYNTHETIC_NOTE = ("Synthetic data: Cedar Lantern Survivor Services and both plans are fictional; "
                  "the documentation findings are invented for teaching.")


# --------------------------------------------------------------------------- population
@dataclass(frozen=True)
class Strata:
    """One stratification of a population, worked out once so that each draw only picks rows.

    ``labels``: the stratum of each chart (``ChartPopulation.stratum_labels``); ``order``:
    the strata in their fixed order (``ChartPopulation.strata``); ``rows``: for each stratum
    in that order, the row positions of its charts, ascending; ``sizes``: charts per stratum;
    ``members``: distinct members (people) per stratum.
    """

    labels: pd.Series
    order: tuple[str, ...]
    rows: tuple[np.ndarray, ...]
    sizes: tuple[int, ...]
    members: tuple[int, ...]

    def size_series(self) -> pd.Series:
        """Charts per stratum, indexed by stratum name (a new Series: callers may rename its index)."""
        return pd.Series(self.sizes, index=pd.Index(list(self.order), name="Stratum"), dtype="int64", name="count")


@dataclass(frozen=True)
class ChartPopulation:
    """The charts a review can sample from: one row per billed service that was reviewed.

    Columns: ``audit_id``, ``service_id``, ``member_id``, ``plan`` (plan name),
    ``service`` (ECM, Community Supports or CHW), ``audit_date``, the six element flags,
    ``elements_present`` and ``elements_missing``. Rows sorted by ``audit_id``.
    The charts table is read-only once the population is built: the strata and totals
    below are computed on first use and kept.
    """

    charts: pd.DataFrame
    # Strata (key: the stratification) and population totals (key: their name), computed on
    # first use. Safe because nothing changes ``charts`` after the population is built.
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _cached(self, key, compute):
        """``compute()`` the first time ``key`` is asked for, the kept value after that."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def size(self) -> int:
        return len(self.charts)

    def stratum_labels(self, stratification: str) -> pd.Series:
        """The stratum of each chart (one label for every chart when there are no strata)."""
        if stratification == "none":
            return pd.Series(ALL_CHARTS, index=self.charts.index, name="Stratum")
        column = {"plan": "plan", "service": "service"}[stratification]
        return self.charts[column].rename("Stratum")

    def strata(self, stratification: str) -> list[str]:
        """Stratum names in a fixed order: plans alphabetically, services in program order."""
        return list(self.stratified(stratification).order)

    def stratified(self, stratification: str) -> Strata:
        """The population's strata for ``stratification`` ("none", "plan" or "service"), kept after the first call."""
        return self._cached(("strata", stratification), lambda: self._compute_strata(stratification))

    def _compute_strata(self, stratification: str) -> Strata:
        labels = self.stratum_labels(stratification)
        codes, distinct = pd.factorize(labels, use_na_sentinel=False)  # one pass: each chart's label number
        distinct = distinct.tolist()
        if stratification == "service":
            order = [s for s in SERVICE_LABELS.values() if s in distinct]
        else:
            order = sorted(distinct)
        # The stratum of each chart as its position in ``order`` (-1: in no listed stratum).
        place = {stratum: i for i, stratum in enumerate(order)}
        stratum = np.array([place.get(label, -1) for label in distinct], dtype="int64")[codes]
        # One stable sort by stratum gives every stratum's rows in ascending order.
        by_stratum = np.argsort(stratum, kind="stable")
        ends = np.cumsum(np.bincount(stratum[stratum >= 0], minlength=len(order)))
        start = int((stratum < 0).sum())  # charts in no listed stratum sort first
        rows = tuple(np.split(by_stratum[start:], ends[:-1])) if order else ()
        return Strata(labels, tuple(order), rows, tuple(len(r) for r in rows),
                      tuple(self._distinct_members(r) for r in rows))

    def _member_codes(self) -> tuple[np.ndarray, int]:
        """Each chart's member as a number (-1 when missing), and how many distinct members there are."""
        def compute():
            codes, members = pd.factorize(self.charts["member_id"])
            return codes, len(members)
        return self._cached("member codes", compute)

    def _distinct_members(self, rows: np.ndarray) -> int:
        """Distinct members among the charts at ``rows`` (what ``nunique`` counts: missing IDs left out)."""
        codes, count = self._member_codes()
        seen = np.zeros(count, dtype=bool)
        chosen = codes[rows]
        seen[chosen[chosen >= 0]] = True
        return int(seen.sum())

    def prepare(self) -> ChartPopulation:
        """Work out every stratification and total now (a widget does this when it is built,
        so that no control change pays for it). Returns the population."""
        for stratification in STRATIFICATIONS:
            self.stratified(stratification)
        self.member_count()
        self._element_means()
        self.compliance()
        return self

    def member_count(self) -> int:
        """Distinct members (people) with a reviewed chart."""
        return self._cached("member_count", lambda: self._member_codes()[1])

    def _element_means(self) -> pd.Series:
        return self._cached("element_means", lambda: self.charts[list(ELEMENTS)].mean())

    def element_rates(self) -> pd.Series:
        """Share of charts (0 to 1) with each element present, over the whole population."""
        return self._element_means().rename(index=ELEMENTS)

    def compliance(self) -> float:
        """Share of all required elements present in every chart of the population (0 to 1)."""
        return self._cached("compliance", lambda: float(
            self.charts["elements_present"].sum() / (len(ELEMENTS) * self.size)))


SERVICE_ID_PREFIX = "SYN-SVC-"


def _audited_service_rows(service_ids: pd.Series, audited: pd.Series) -> np.ndarray | None:
    """Row positions in ``service_ids`` of the ``audited`` service IDs; None when the shortcut does not apply.

    Why: a merge sorted every service ID (ten million at 1M members) to find the few
    audited ones. Synthetic service IDs count up from 1 in table order (SYN-SVC-000000001
    is row 0), so the number in each audited ID gives its row; each guessed row is checked
    against the whole ID. ``service_id`` is the services table's primary key (unique by its schema).
    None (use the merge) when an audited ID is missing, repeated or not at its row.
    """
    # Any ID not of that form gets a wrong or no row here, and the check below catches it.
    start = len(SERVICE_ID_PREFIX)
    try:
        rows = np.array([int(service_id[start:]) for service_id in audited.tolist()], dtype="int64") - 1
    except (TypeError, ValueError, OverflowError):  # not text, no number, or a number too large
        return None
    if ((rows < 0) | (rows >= len(service_ids))).any():
        return None
    if not (service_ids.take(rows).to_numpy(dtype=object) == audited.to_numpy(dtype=object)).all():
        return None
    in_order = np.sort(rows)
    if (in_order[1:] == in_order[:-1]).any():  # the same service audited twice: the merge's one-to-one check
        return None
    return rows


def chart_population(world=None) -> ChartPopulation:
    """The reviewed charts of the synthetic world (``load_world()`` when none is given)."""
    if world is None:
        from calaim_course.synthetic import load_world

        world = load_world()
    audits = world.audits.copy()
    for column in ("plan_id", "member_id", "staff_id"):
        audits[column] = audits[column].astype("str")
    names = world.organizations.set_index(world.organizations["org_id"].astype("str"))["name"].astype("str")
    names = names.str.replace(" (fictional)", "", regex=False)  # on the few organizations, not on every chart
    rows = _audited_service_rows(world.services["service_id"], audits["service_id"])
    if rows is None:
        services = world.services[["service_id", "program"]].astype({"program": "str"})
        charts = audits.merge(services, on="service_id", how="left", validate="one_to_one")
    else:  # the same table as the one-to-one left merge: audits in order, each with its service's program
        charts = audits.reset_index(drop=True)
        charts["program"] = world.services["program"].take(rows).astype("str").reset_index(drop=True)
    charts["plan"] = charts["plan_id"].map(names)
    charts["service"] = charts["program"].map(SERVICE_LABELS)
    if charts["service"].isna().any():  # only billed ECM, Community Supports and CHW are audited
        raise CourseInputError("audits table", "a reviewed service that is not ECM, Community Supports or CHW",
                               "billed services only")
    flags = charts[list(ELEMENTS)].astype(bool)
    charts[list(ELEMENTS)] = flags
    charts["elements_present"] = flags.sum(axis=1).astype(int)
    charts["elements_missing"] = len(ELEMENTS) - charts["elements_present"]
    keep = ["audit_id", "service_id", "member_id", "plan", "service", "audit_date", *ELEMENTS,
            "elements_present", "elements_missing"]
    charts = charts[keep]
    audit_ids = pd.Index(charts["audit_id"])
    if not (audit_ids.is_monotonic_increasing and audit_ids.is_unique):  # usually already in order: no sort needed
        charts = charts.sort_values("audit_id")
    return ChartPopulation(charts.reset_index(drop=True))


# --------------------------------------------------------------------------- inputs
_WHOLE = re.compile(r"[+-]?\d+")


def _whole_number(value: object, field: str, expected: str) -> int:
    """A whole number from an int or a string of digits; anything else is a CourseInputError."""
    if isinstance(value, bool):
        raise CourseInputError(field, value, expected)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip().replace(",", "")):
        return int(value.strip().replace(",", ""))
    hint = None
    if isinstance(value, float) or (isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d*\.\d+\s*", value)):
        hint = "Charts are counted whole: leave out the decimal part."
    raise CourseInputError(field, value, expected, hint)


def parse_sample_size(value: object, population_size: int) -> int:
    """The number of charts to review: a whole number from 1 to the population size."""
    expected = f"a whole number of charts from 1 to {population_size}"
    size = _whole_number(value, "Sample size", expected)
    if size < 1:
        raise CourseInputError("Sample size", value, expected, "A review needs at least one chart.")
    if size > population_size:
        raise CourseInputError(
            "Sample size", value, expected,
            f"The population has only {population_size} charts; a sample cannot be larger than it.")
    return size


def parse_seed(value: object) -> int:
    """The random seed: a whole number from 0 to 4294967295 (the same seed, the same sample)."""
    expected = f"a whole number from 0 to {MAX_SEED}"
    seed = _whole_number(value, "Seed", expected)
    if not 0 <= seed <= MAX_SEED:
        raise CourseInputError("Seed", value, expected)
    return seed


def parse_stratification(value: object) -> str:
    options = ", ".join(repr(k) for k in STRATIFICATIONS)
    if not isinstance(value, str) or value.strip().lower() not in STRATIFICATIONS:
        raise CourseInputError("Stratification", value, f"one of {options}")
    return value.strip().lower()


# --------------------------------------------------------------------------- allocation
def allocate(stratum_sizes: pd.Series, n: int) -> pd.DataFrame:
    """Proportional allocation of ``n`` charts to strata, rounded by largest remainder.

    ``stratum_sizes``: charts per stratum (index = stratum names, in the order to list
    them). Returns one row per stratum: ``Charts in population``, ``Share of charts``
    (0 to 1), ``Exact quota`` (n x share), ``Whole part``, ``Extra chart`` (0 or 1,
    from the largest remainders) and ``Charts sampled``.
    """
    sizes = pd.Series(stratum_sizes, dtype="int64")
    total = int(sizes.sum())
    if total <= 0 or (sizes < 0).any():
        raise CourseInputError("strata", sizes.to_dict(), "charts in at least one stratum, none negative")
    if not 0 <= n <= total:
        raise CourseInputError("Sample size", n, f"a whole number from 0 to {total}")
    quota = sizes * n / total
    # Integer arithmetic for the whole parts and remainders, so 20 * 51 / 81 never rounds oddly.
    whole = (sizes * n) // total
    remainder = (sizes * n) % total
    left = n - int(whole.sum())
    remainders, counts = remainder.to_numpy(), sizes.to_numpy()
    order = sorted(range(len(sizes)), key=lambda i: (-int(remainders[i]), -int(counts[i]), i))
    extra = np.zeros(len(sizes), dtype="int64")
    extra[order[:left]] = 1
    extra = pd.Series(extra, index=sizes.index)
    return pd.DataFrame({
        "Charts in population": sizes,
        "Share of charts": sizes / total,
        "Exact quota": quota,
        "Whole part": whole,
        "Extra chart": extra,
        "Charts sampled": whole + extra,
    })


# --------------------------------------------------------------------------- the sample
@dataclass(frozen=True)
class AuditSample:
    """A drawn sample: its inputs, the allocation, the sampled charts and their scores."""

    population: ChartPopulation
    size: int
    stratification: str
    seed: int
    allocation: pd.DataFrame      # from ``allocate``, one row per stratum
    charts: pd.DataFrame          # the sampled rows of ``population.charts``, by audit_id
    strata_of_sample: pd.Series   # stratum of each sampled chart

    # ---- scores
    def stratum_scores(self) -> pd.DataFrame:
        """Per stratum: charts sampled, elements present and checked, and the stratum's score."""
        strata = self.allocation.index
        position = strata.get_indexer(self.strata_of_sample)  # every sampled chart is in a listed stratum
        charts = np.bincount(position, minlength=len(strata)).astype("int64")
        present = np.zeros(len(strata), dtype="int64")
        np.add.at(present, position, self.charts["elements_present"].to_numpy(dtype="int64"))
        checked = charts * len(ELEMENTS)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(checked > 0, present / np.clip(checked, 1, None), np.nan)
        return pd.DataFrame({"charts": charts, "present": present, "checked": checked, "score": score}, index=strata)

    def plain_score(self) -> float:
        """Elements present / elements checked over the whole sample (0 to 1)."""
        return float(self.charts["elements_present"].sum() / (len(ELEMENTS) * self.size))

    def weighted_score(self) -> float:
        """Each sampled stratum's score weighted by its share of the population (0 to 1).

        Strata with no sampled chart cannot be estimated; the weights of the others are
        rescaled to add up to 1 (``unrepresented`` names the strata left out).
        """
        scores = self.stratum_scores()
        sampled = scores["charts"] > 0
        weights = self.allocation.loc[sampled, "Share of charts"]
        return float((scores.loc[sampled, "score"] * weights).sum() / weights.sum())

    def fully_documented_share(self) -> float:
        """Share of sampled charts with all six elements (0 to 1)."""
        return float((self.charts["elements_missing"] == 0).mean())

    def unrepresented(self) -> list[str]:
        return [s for s, k in self.allocation["Charts sampled"].items() if k == 0]

    # ---- tables for people to read
    def members_by_stratum(self) -> pd.Series:
        """Distinct members (people) whose charts are in each stratum of the population."""
        strata = self.population.stratified(self.stratification)
        members = dict(zip(strata.order, strata.members))
        counts = pd.Series({s: members[s] for s in self.allocation.index}, dtype="int64")
        counts.index.name = "Stratum"
        return counts.rename("Members")

    def _members_shown(self) -> tuple[np.ndarray, list[str], str]:
        """Members per stratum as shown: the suppressed counts, their percentages and the note.

        They depend only on the population and the strata, never on the size or the seed,
        so the population keeps them (key: the stratification and its strata).
        """
        def compute():
            members = self.members_by_stratum()
            hidden = suppress_counts(members)
            # Percent of all reviewed members in this stratum (a member can be in two strata).
            share = suppress_statistics(members / self.population.member_count() * 100, hidden)
            return (suppress_for_display(hidden).iloc[:, 0].to_numpy(),
                    [SUPPRESSED_LABEL if pd.isna(v) else f"{v:.0f}%" for v in share], suppression_note(hidden))

        counts, shares, note = self.population._cached(
            ("members shown", self.stratification, tuple(self.allocation.index)), compute)
        return counts.copy(), list(shares), note

    def allocation_display(self) -> pd.DataFrame:
        """The allocation with its rounding, and members per stratum small-cell suppressed."""
        alloc = self.allocation
        members_shown, shares_shown, _ = self._members_shown()
        return pd.DataFrame({
            "Stratum": alloc.index,
            "Charts in population": alloc["Charts in population"].map("{:,}".format).to_numpy(),
            "Share of charts": alloc["Share of charts"].map(lambda v: f"{v:.1%}").to_numpy(),
            "Exact quota": alloc["Exact quota"].map(lambda v: f"{v:.2f}").to_numpy(),
            "Whole part": alloc["Whole part"].astype(str).to_numpy(),
            "Extra chart (largest remainder)": alloc["Extra chart"].map({0: "no", 1: "yes"}).to_numpy(),
            "Charts sampled": alloc["Charts sampled"].astype(str).to_numpy(),
            "Members (people) in stratum": members_shown,
            "Members as % of all reviewed": shares_shown,
        })

    def member_suppression_note(self) -> str:
        return self._members_shown()[2]

    def element_table(self) -> pd.DataFrame:
        """Per element: found and missing in the sample, the sample rate, and the rate in all charts."""
        present = self.charts[list(ELEMENTS)].sum()
        population_rate = self.population._element_means()
        return pd.DataFrame({
            "Documentation element": [ELEMENTS[e] for e in ELEMENTS],
            "Found in sample": [int(present[e]) for e in ELEMENTS],
            "Missing in sample": [self.size - int(present[e]) for e in ELEMENTS],
            "Found (% of sampled charts)": [f"{present[e] / self.size:.0%}" for e in ELEMENTS],
            f"Found (% of all {self.population.size} charts)": [f"{population_rate[e]:.0%}" for e in ELEMENTS],
        })

    def chart_table(self) -> pd.DataFrame:
        """The sampled charts: which service to pull, and each element found or missing.

        Why no member column: the reviewer pulls charts by service ID; the list itself
        does not need to name anyone (minimum necessary).
        """
        rows = self.charts
        table = pd.DataFrame({
            "Audit record": rows["audit_id"].to_numpy(),
            "Service to pull": rows["service_id"].to_numpy(),
            "Stratum": self.strata_of_sample.to_numpy(),
            "Plan": rows["plan"].to_numpy(),
            "Service": rows["service"].to_numpy(),
        })
        for element, label in ELEMENTS.items():
            table[label] = np.where(rows[element].to_numpy(), "found", "MISSING")
        table["Elements missing"] = rows["elements_missing"].to_numpy()
        return table.drop(columns="Stratum")  # the plan and service columns already say it

    # ---- sentences
    def summary(self) -> str:
        how = {"none": "a simple random sample", "plan": "stratified by plan",
               "service": "stratified by service"}[self.stratification]
        text = (f"{self.size} of {self.population.size} charts drawn ({how}, seed {self.seed}). "
                f"Compliance score: {self.plain_score():.1%} of required documentation elements found "
                f"({int(self.charts['elements_present'].sum())} of {self.size * len(ELEMENTS)}).")
        if self.stratification != "none":
            text += f" Weighted by each stratum's share of the charts: {self.weighted_score():.1%}."
            if self.unrepresented():
                text += f" ({', '.join(self.unrepresented())}: no chart in this sample, so not in the score.)"
        text += (f" Charts with all six elements: {self.fully_documented_share():.0%}. "
                 f"For comparison, all {self.population.size} charts score {self.population.compliance():.1%}: "
                 "a real reviewer does not know this number, which is why a sample is only an estimate.")
        return text

    def rounding_note(self) -> str:
        if self.stratification == "none":
            return "No strata: every chart has the same chance of being drawn, and no rounding is needed."
        alloc = self.allocation
        whole = int(alloc["Whole part"].sum())
        extras = [s for s, e in alloc["Extra chart"].items() if e]
        text = (f"Each stratum's exact quota is {self.size} times its share of the charts. The whole parts add up to "
                f"{whole}; ")
        if extras:
            left = self.size - whole
            text += (f"the {'chart' if left == 1 else f'{left} charts'} left "
                     f"{'goes to the stratum' if left == 1 else 'go one each to the strata'} with the largest "
                     f"fractional part{'' if left == 1 else 's'}: {', '.join(extras)}.")
        else:
            text += "no chart is left to place."
        missing = self.unrepresented()
        if missing:
            one = len(missing) == 1
            text += (f" {' and '.join(missing)} got no chart: {'its quota was' if one else 'their quotas were'} "
                     f"below 1 and {'its fractional part was' if one else 'their fractional parts were'} not "
                     f"among the largest, so this sample says nothing about {'it' if one else 'them'}. Review "
                     f"{'it' if one else 'them'} separately, or raise the sample size.")
        return text


def _choose(rows_by_stratum: tuple[np.ndarray, ...], counts: list[int], seed: int) -> np.ndarray:
    """Row positions of the sample: ``counts[i]`` charts drawn without replacement from the
    rows ``rows_by_stratum[i]`` (ascending), strata in their fixed order, so a seed always
    gives the same charts."""
    rng = np.random.default_rng(seed)
    picked = []
    for rows, k in zip(rows_by_stratum, counts):
        picked.append(rows[np.sort(rng.choice(len(rows), size=k, replace=False))] if k else rows[:0])
    return np.sort(np.concatenate(picked))


def draw_sample(population: ChartPopulation, size: object = DEFAULT_SIZE, stratification: object = "none",
                seed: object = DEFAULT_SEED) -> AuditSample:
    """Draw an audit sample. Inputs may be typed text; every bad one raises CourseInputError."""
    strat = parse_stratification(stratification)
    n = parse_sample_size(size, population.size)
    seed_value = parse_seed(seed)
    strata = population.stratified(strat)
    allocation = allocate(strata.size_series(), n)
    allocation.index.name = "Stratum"
    chosen = _choose(strata.rows, allocation["Charts sampled"].tolist(), seed_value)
    charts = population.charts.iloc[chosen].reset_index(drop=True)
    return AuditSample(population, n, strat, seed_value, allocation, charts,
                       strata.labels.iloc[chosen].reset_index(drop=True))


# --------------------------------------------------------------------------- charts
def element_rates_by_plan(population: ChartPopulation) -> pd.DataFrame:
    """Long table: plan, element, charts reviewed, share of charts with the element found (0 to 1)."""
    rows = []
    for plan, group in population.charts.groupby("plan", sort=True):
        for element, label in ELEMENTS.items():
            rows.append({"Plan": plan, "Element": label, "Charts reviewed": len(group),
                         "Found": float(group[element].mean())})
    return pd.DataFrame(rows)


def element_rates_finding(population: ChartPopulation) -> str:
    rates = element_rates_by_plan(population)
    overall = population.element_rates()
    lowest = overall.idxmin()
    worst = rates.loc[rates["Element"] == lowest].sort_values("Found").iloc[0]
    return (f"Across all {population.size} reviewed charts, the element most often missing is "
            f"\"{lowest.lower()}\" (found in {overall.min():.0%} of charts; {worst['Found']:.0%} for "
            f"{worst['Plan']}, the lower of the two plans). Every other element is found in at least "
            f"{overall.drop(lowest).min():.0%} of charts.")


def element_rates_description(population: ChartPopulation) -> str:
    """A text description of the element chart for screen readers, with every value."""
    rates = element_rates_by_plan(population)
    plans = []
    for plan, group in rates.groupby("Plan", sort=True):
        values = "; ".join(f"{row.Element.lower()} {row.Found:.0%}" for row in group.itertuples())
        plans.append(f"{plan} ({int(group['Charts reviewed'].iloc[0])} charts reviewed): {values}")
    return ("*Text description:* a horizontal bar chart with one pair of bars for each of the six documentation "
            "elements, one bar per fictional plan, showing the percent of that plan's reviewed charts in which "
            "the element was found. " + ". ".join(plans) + ". The percentages are of charts (service records), "
            "not of people.")


def element_rates_chart(population: ChartPopulation) -> alt.Chart:
    """Grouped bars: percent of charts with each element found, one colour per plan (legend selects)."""
    data = element_rates_by_plan(population)
    pick = alt.selection_point(name="pick_audit_plan", fields=["Plan"], bind="legend")
    return (
        alt.Chart(data, title=alt.Title("Documentation elements found in reviewed charts, by plan",
                                        subtitle="Synthetic chart reviews, July to November 2026. Click a plan in the legend."))
        .mark_bar()
        .encode(
            y=alt.Y("Element:N", title="Documentation element", sort=list(ELEMENTS.values()),
                    axis=alt.Axis(labelLimit=300)),
            yOffset=alt.YOffset("Plan:N"),
            x=alt.X("Found:Q", title="Charts with the element found (%)", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("Plan:N", title="Plan", scale=alt.Scale(range=OKABE_ITO[:2])),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.25)),
            tooltip=[alt.Tooltip("Plan:N"), alt.Tooltip("Element:N"),
                     alt.Tooltip("Found:Q", format=".0%", title="Found"),
                     alt.Tooltip("Charts reviewed:Q")],
        )
        .add_params(pick)
        .properties(width=460, height=300)
    )


SPREAD_SIZES = (10, 20, 40)
SPREAD_DRAWS = 400


def sampling_spread(population: ChartPopulation, sizes=SPREAD_SIZES, draws: int = SPREAD_DRAWS,
                    seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """How much the score moves from one sample to the next, for each size and design.

    Draws ``draws`` samples per size and stratification with seeds ``seed``, ``seed + 1``,
    ... (exactly the samples ``draw_sample`` gives for those seeds) and returns, per size
    and design, the 5th and 95th percentiles of the score (the weighted score for
    stratified designs), its median, and the score of all charts.
    """
    rows = []
    truth = population.compliance()
    present = population.charts["elements_present"].to_numpy()
    for n in sizes:
        for strat, design in DESIGNS.items():
            strata = population.stratified(strat)
            labels, order = strata.labels.to_numpy(), strata.order
            alloc = allocate(pd.Series(strata.sizes, index=list(order)), n)
            counts = alloc["Charts sampled"].tolist()
            weights = alloc["Share of charts"].to_numpy()
            scores = np.empty(draws)
            for k in range(draws):
                chosen = _choose(strata.rows, counts, seed + k)
                per_stratum = np.array([present[chosen][labels[chosen] == s].mean() if c else np.nan
                                        for s, c in zip(order, counts)])
                used = ~np.isnan(per_stratum)
                scores[k] = (per_stratum[used] * weights[used]).sum() / weights[used].sum() / len(ELEMENTS)
            rows.append({"Sample size": n, "Design": design,
                         "Low (5th percentile)": float(np.percentile(scores, 5)),
                         "Median": float(np.median(scores)),
                         "High (95th percentile)": float(np.percentile(scores, 95)),
                         "All charts": truth})
    return pd.DataFrame(rows)


def sampling_spread_finding(spread: pd.DataFrame) -> str:
    simple = spread[spread["Design"] == DESIGNS["none"]].set_index("Sample size")
    small, large = simple.index.min(), simple.index.max()
    low, high = "Low (5th percentile)", "High (95th percentile)"
    text = (f"With {small} charts, 90% of simple random samples scored between "
            f"{simple.loc[small, low]:.1%} and {simple.loc[small, high]:.1%}; with {large} charts the range "
            f"narrows to {simple.loc[large, low]:.1%} to {simple.loc[large, high]:.1%}. "
            f"All the reviewed charts together score {simple['All charts'].iloc[0]:.1%}.")
    # Compare the designs at the middle size: does stratifying narrow the range here?
    middle = sorted(simple.index)[len(simple) // 2]
    at_middle = spread[spread["Sample size"] == middle].set_index("Design")
    widths = (at_middle[high] - at_middle[low]) * 100
    listed = "; ".join(f"{d.lower()} {w:.1f} points" for d, w in widths.items())
    if widths.drop(DESIGNS["none"]).min() < widths[DESIGNS["none"]] - 0.05:
        text += f" At {middle} charts, stratifying narrows the range (widths: {listed})."
    else:
        text += (f" At {middle} charts, stratifying does not narrow the range here (widths: {listed}): "
                 "its use in this data is making sure each group is seen.")
    return text


def sampling_spread_description(spread: pd.DataFrame) -> str:
    """A text description of the spread chart for screen readers, with every range."""
    parts = []
    for n, group in spread.groupby("Sample size", sort=True):
        ranges = "; ".join(f"{design.lower()}: {low:.1%} to {high:.1%}" for design, low, high in zip(
            group["Design"], group["Low (5th percentile)"], group["High (95th percentile)"]))
        parts.append(f"{n} charts ({ranges})")
    return ("*Text description:* horizontal bars, grouped by sample size, one bar per sampling design, each "
            f"spanning the middle 90% of the compliance scores of {SPREAD_DRAWS} random samples. "
            + ". ".join(parts) + f". A dashed line marks the score of all reviewed charts, "
            f"{spread['All charts'].iloc[0]:.1%}.")


def sampling_spread_chart(spread: pd.DataFrame) -> alt.LayerChart:
    """Range bars (5th to 95th percentile of the score) by sample size and design, with the true score."""
    pick = alt.selection_point(name="pick_audit_design", fields=["Design"], bind="legend")
    base = alt.Chart(spread)
    bars = (
        base.mark_bar(height=10)
        .encode(
            y=alt.Y("Sample size:O", title="Charts in the sample"),
            yOffset=alt.YOffset("Design:N", sort=list(DESIGNS.values())),
            x=alt.X("Low (5th percentile):Q", title="Compliance score of the sample (middle 90% of 400 draws)",
                    axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)),
            x2="High (95th percentile):Q",
            color=alt.Color("Design:N", title="Sampling design", sort=list(DESIGNS.values()),
                            scale=alt.Scale(range=OKABE_ITO[:3])),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.2)),
            tooltip=[alt.Tooltip("Design:N"), alt.Tooltip("Sample size:O"),
                     alt.Tooltip("Low (5th percentile):Q", format=".1%"),
                     alt.Tooltip("Median:Q", format=".1%"),
                     alt.Tooltip("High (95th percentile):Q", format=".1%")],
        )
        .add_params(pick)
    )
    truth = (
        alt.Chart(spread.head(1))
        .mark_rule(color="black", strokeDash=[4, 3])
        .encode(x="All charts:Q", tooltip=[alt.Tooltip("All charts:Q", format=".1%", title="All charts score")])
    )
    return alt.layer(bars, truth).properties(
        width=460, height=240,
        title=alt.Title("How far a sample's score can land from the score of all charts",
                        subtitle="Dashed line: the score of all reviewed charts. Click a design in the legend."),
    )
