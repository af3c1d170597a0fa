"""The synthetic world: one fictional DV agency's linked data, generated with numpy.

Cedar Lantern Survivor Services, a fictional domestic violence agency in fictional Alder
County, California, is contracted with two fictional Medi-Cal managed care plans
(Redwood Health Plan and Golden Poppy Health). It serves survivors through advocacy,
Enhanced Care Management (ECM), housing Community Supports and Community Health Worker
(CHW) services, and bills the plans. Every person, organization and number is made up.

>>> world = generate_world(seed=2026, scale=300)      # scale = number of members
>>> sorted(world.tables())[:3]
['audits', 'claim_lines', 'claims']

Design (why it looks like this):

- Vectorised: every table is built from whole numpy arrays (``np.repeat`` for one-to-many
  links, cumulative sums for offsets); Python loops run over tables, columns or
  categories, never over rows, so a million members take well under a minute.
- Deterministic: one ``numpy.random.SeedSequence`` per seed, one child stream per table,
  fixed column order, rows sorted by key, fixed CSV formats (``write_world``).
- Codes come only from ``data/reference/`` (``calaim_course.reference``); rows marked
  UNVERIFIED there are never used.
- Every distribution below is an assumption for teaching, listed in ``ASSUMPTIONS`` and
  printed in the data dictionary. None is a statistic about real survivors.
- The ordering rules hold by construction and are re-checked by ``integrity_problems``:
  no service before intake, no billed service without a plan and a release in force,
  no claim line without a service, Closed Loop Referral dates in order.

Command line: ``python -m calaim_course.synthetic --scale N --seed S --out DIR``.
"""

from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from calaim_course.errors import CourseInputError
from calaim_course.npi import make_npis
from calaim_course.reference import cs_code_lines, load_reference, usable_for_synthetic
from calaim_course.schemas import DATE, SYNTHETIC_SCHEMAS, coerce_dates, read_csv_kwargs

SYNTHETIC_DIR = Path(__file__).resolve().parents[2] / "data" / "synthetic"
DEFAULT_SEED = 2026
DEFAULT_SCALE = 300
MAX_SCALE = 5_000_000

# The world's calendar: one state fiscal year of services, claims followed to the end
# of November 2026 (the last full month before the course's review date).
START = np.datetime64("2025-07-01", "D")
AS_OF = np.datetime64("2026-06-30", "D")          # services and referral statuses
CLAIMS_AS_OF = np.datetime64("2026-11-30", "D")   # claim decisions and payments
AUDIT_START = np.datetime64("2026-07-01", "D")
NO_DATE = np.iinfo(np.int64).min                   # sentinel for "no date" in day arrays

COUNTY = "Alder County (fictional)"
AGENCY = "SYN-ORG-001"
PLANS = ["SYN-ORG-002", "SYN-ORG-003"]
# The agency's NPI is CMS's own published worked example (1234567893, fact 4.6): a
# valid check digit that is clearly a textbook number.
AGENCY_NPI_BASE = 123456789

ORGANIZATIONS = [
    # org_id, name, org_type, phone suffix, e-mail
    (AGENCY, "Cedar Lantern Survivor Services (fictional)", "dv_agency", 10, "billing@cedarlantern.example.org"),
    ("SYN-ORG-002", "Redwood Health Plan (fictional)", "managed_care_plan", 20, "providers@redwood.example.org"),
    ("SYN-ORG-003", "Golden Poppy Health (fictional)", "managed_care_plan", 30, "providers@goldenpoppy.example.org"),
    ("SYN-ORG-004", "Alder Valley Community Clinic (fictional)", "clinic", 40, "referrals@aldervalley.example.org"),
    ("SYN-ORG-005", "Alder County General Hospital (fictional)", "hospital", 50, "socialwork@aldergeneral.example.org"),
    ("SYN-ORG-006", "Alder County Social Services (fictional)", "county_agency", 60, "intake@alderss.example.org"),
    ("SYN-ORG-007", "Manzanita Meals Collective (fictional)", "community_provider", 70, "orders@manzanita.example.org"),
    ("SYN-ORG-008", "Willowbend Recuperative Care (fictional)", "community_provider", 80, "intake@willowbend.example.org"),
    ("SYN-ORG-009", "Foxglove Respite Partners (fictional)", "community_provider", 90, "intake@foxglove.example.org"),
]
# Community Supports the agency provides itself (inbound referrals) and the partners it
# refers members to for the others (outbound referrals).
AGENCY_CS = ["housing_navigation", "housing_tenancy", "housing_deposits", "transitional_rent"]
OUTBOUND_CS = {
    "medically_tailored_meals": ("SYN-ORG-007", 0.08),
    "recuperative_care": ("SYN-ORG-008", 0.03),
    "short_term_post_hospitalization_housing": ("SYN-ORG-008", 0.02),
    "respite_services": ("SYN-ORG-009", 0.02),
    "day_habilitation": ("SYN-ORG-009", 0.03),
}

ORG_IDS = [o[0] for o in ORGANIZATIONS]
# Integer codes used inside the generator; strings are attached when the tables are built.
PROGRAMS = ["ecm", "community_supports", "chw", "advocacy"]
DIRECTIONS = ["inbound", "outbound"]
CONSENT_TYPES = ["release_to_plan", "release_to_referral_partner"]
SUBMISSION_TYPES = ["837P", "CMS-1500", "invoice"]
LINE_STATES = ["paid", "denied", "pending"]
REFERRAL_STATUSES = ["Pending", "Outreach Initiated", "Accepted", "Declined", "Referral Loop Closed"]
CLOSURE_REASONS = ["services_received", "member_declined", "unable_to_reach", "not_eligible", "provider_capacity"]
CS_IDS = load_reference("community_supports")["cs_id"].tolist()
POS_CODES = load_reference("places_of_service")["pos_code"].tolist()

# Fixed synthetic name lists: invented, nature-word names so nobody mistakes them for
# real people.
FIRST_NAMES = [
    "Aster", "Briar", "Cedar", "Dahlia", "Elm", "Fern", "Garnet", "Hazel", "Iris", "Juniper",
    "Kestrel", "Linden", "Marigold", "Nettle", "Oriole", "Poppy", "Quill", "Rowan", "Sage",
    "Tansy", "Umber", "Violet", "Willow", "Yarrow", "Zinnia", "Alder", "Birch", "Clover",
    "Dove", "Ember", "Finch", "Heath", "Ivy", "Jasper", "Laurel", "Maple", "Nova", "Olive",
    "Pine", "Reed", "Sorrel", "Thistle", "Wren", "Azalea", "Bramble", "Cypress", "Indigo", "Lark",
]
LAST_NAMES = [
    "Fernhollow", "Quailbrook", "Sagemeadow", "Thistledown", "Willowmere", "Cobblestream",
    "Ambergrove", "Brackenridge", "Cloverfield", "Dovecote", "Elderbank", "Foxmeadow",
    "Glimmerdale", "Hollowpine", "Ivyvale", "Juniperwood", "Kestrelmoor", "Larkspur",
    "Mossglen", "Nettlecombe", "Oakhaven", "Pebbleford", "Quarrybrook", "Reedmarsh",
    "Stonebriar", "Tamarack", "Underwood", "Vervain", "Wrenfield", "Yewdale", "Zephyrhill",
    "Ashgrove", "Bluebell", "Cedarcrest", "Daisyridge", "Emberlyn", "Fieldfare", "Goldthorn",
    "Heronsgate", "Inglemoor", "Jadebrook", "Kingfisher", "Lindenhall", "Meadowlark",
    "Northbrook", "Orchardley", "Primrose", "Rushwater",
]

# Distribution assumptions (illustrative, for teaching). Each entry is printed in the
# data dictionary; change a number here and the page changes with it.
GENDER_WEIGHTS = {"Female": 0.86, "Male": 0.08, "Transgender woman": 0.015, "Transgender man": 0.008,
                  "Nonbinary": 0.017, "Another gender identity": 0.005, "Declined to state": 0.015}
RACE_WEIGHTS = {"Hispanic or Latino": 0.45, "White": 0.20, "Black": 0.12, "Asian": 0.09,
                "American Indian or Alaska Native": 0.02, "Pacific Islander": 0.01,
                "Multiracial": 0.05, "Other": 0.03, "Unknown or declined": 0.03}
LANGUAGE_WEIGHTS = {"English": 0.62, "Spanish": 0.28, "Vietnamese": 0.02, "Chinese": 0.02, "Tagalog": 0.015,
                    "Korean": 0.01, "Arabic": 0.01, "Other": 0.015, "Unknown or declined": 0.01}
HOUSING_WEIGHTS = {"stably_housed": 0.25, "at_risk_within_30_days": 0.20, "fleeing_dv_in_shelter": 0.35,
                   "homeless_sheltered": 0.10, "homeless_unsheltered": 0.10}
STATUS_WEIGHTS = {"full_scope": 0.88, "application_pending": 0.08, "restricted_scope": 0.04}
STAFF_PER_300 = {"advocate": 6, "chw": 3, "ecm_lead_care_manager": 4, "billing": 2, "supervisor": 2}
REFERRAL_OUTCOMES = {"accepted": 0.72, "declined": 0.10, "unable_to_reach": 0.10, "not_eligible": 0.04,
                     "provider_capacity": 0.04}
DIAGNOSIS_WEIGHTS = {"Z91.410": 0.70, "Z69.11": 0.20, "Z69.81": 0.10}
CLAIM_OUTCOMES = {"paid": 0.82, "partially_paid": 0.06, "denied": 0.07, "rejected": 0.03, "in_review": 0.02}
AUDIT_ELEMENT_RATES = {"doc_consent_on_file": 0.97, "doc_date_time_duration": 0.92, "doc_nature_of_service": 0.95,
                       "doc_care_plan": 0.88, "doc_diagnosis_code": 0.96, "doc_staff_signature": 0.94}

ASSUMPTIONS = [
    "Calendar: agency intake dates are spread evenly over July 1, 2025 to June 30, 2026; services and referral statuses run to June 30, 2026; claim decisions and payments to November 30, 2026.",
    "Scale: the scale is the number of members. Staff grow with it: per 300 members, "
    + ", ".join(f"{n} {r.replace('_', ' ')}" for r, n in STAFF_PER_300.items()) + " (at least one of each).",
    "Age at intake: 3% aged 16-20, 85% aged 21-54, 12% aged 55-80.",
    "Gender identity: " + ", ".join(f"{k} {v:.1%}" for k, v in GENDER_WEIGHTS.items()) + ".",
    "Race or ethnicity: " + ", ".join(f"{k} {v:.0%}" for k, v in RACE_WEIGHTS.items()) + ".",
    "Preferred language: " + ", ".join(f"{k} {v:.1%}" for k, v in LANGUAGE_WEIGHTS.items()) + ".",
    "Medi-Cal status: " + ", ".join(f"{k.replace('_', ' ')} {v:.0%}" for k, v in STATUS_WEIGHTS.items())
    + ". Only full-scope members are in a plan: 60% Redwood Health Plan, 40% Golden Poppy Health. 80% were enrolled before intake (up to 4 years), 20% enrolled 10-60 days after it.",
    "Housing at intake: " + ", ".join(f"{k.replace('_', ' ')} {v:.0%}" for k, v in HOUSING_WEIGHTS.items())
    + ". Everyone not stably housed counts as homeless for the ECM rule (one plan's definition includes fleeing domestic violence and losing housing within 30 days); 40% of them are homeless with family.",
    "Household income: percent of the poverty level drawn from a log-normal distribution with median 60% (most members under 138%); household size 1 plus a Poisson count (mean 0.6; 2 plus a Poisson count with mean 1.2 for families).",
    "Health use before intake: emergency department visits in 12 months negative binomial with mean 1.3; unplanned stays mean 0.35; the 6-month counts are a 55% binomial thinning of the 12-month counts.",
    "Other ECM attributes: serious mental health or substance use 35%; transitioning from incarceration 3%; long-term care risk 10% at 55 and over (1% under); nursing facility resident 2% at 60 and over; pregnant or postpartum 12% of women aged 16-45; CCS 2% and child welfare 15% of members under 21.",
    "ECM Populations of Focus are computed from the reference table's rules (screen_populations_of_focus), never typed into the generator.",
    "Releases: 85% of plan members sign a release to their plan 0-10 days after intake (or after plan enrollment, if later); 70% run 365 days and 30% run 182 days; 6% are revoked 60 days or more after signing. No billed service happens outside a release in force.",
    "Referrals: 75% of ECM-eligible members with a release are referred for ECM (70% by their plan, 30% by the clinic, hospital or county); housing Community Supports go to members experiencing homelessness (navigation 55%, tenancy 20%, deposits 25%) and Transitional Rent to 30% of those with serious mental health or substance use needs, not before July 1, 2025 (Redwood) or January 1, 2026 (Golden Poppy). Outbound referrals to partner providers: "
    + ", ".join(f"{k.replace('_', ' ')} {v[1]:.0%}" for k, v in OUTBOUND_CS.items()) + ", each with its own release to the named partner.",
    "Closed-loop outcomes: " + ", ".join(f"{k.replace('_', ' ')} {v:.0%}" for k, v in REFERRAL_OUTCOMES.items())
    + ". Outreach starts 1-7 days after the referral; acceptance or refusal 0-10 days later; an accepted loop closes as Services Received on the first service, 0-7 days after acceptance; unreached members' loops close 30-60 days after outreach began (no DHCS timeline was found: this gap is invented). Statuses after June 30, 2026 are not yet reached.",
    "ECM: after acceptance, 3-10 months of encounters at 2-4 a month (first on the loop-closure date), ended by the release's end or June 30, 2026; billed as G9012 with U2 (in person, 60%) or U2+GQ (phone or video, 40%), one unit per encounter; only the VERIFIED or SECONDARY combinations in ecm_codes are used.",
    "Community Supports the agency delivers: navigation and tenancy 1-3 encounters a month for 2-6 months (code chosen evenly among the listed combinations); one Housing Deposits payment; Transitional Rent one unit a month for 1-6 months (the first listed combination). Which combination means what was not read in the DHCS document, so the choice is illustrative.",
    "CHW: 35% of plan members who are not ECM-eligible get a licensed provider's recommendation 5-60 days after intake; those with a release get 2-8 sessions within 180 days, never alongside ECM; 98960 (85%) or 98961 (15%), 30, 60 or 90 minutes, one unit per 30 minutes. G0019 and G0022 are not used.",
    "Advocacy: every member gets 1 plus a Poisson(4) count of advocacy sessions from intake on; advocacy is never billed and needs no release.",
    "Places of service: in-person ECM 50% office (11), 25% home (12), 15% other (99), 10% shelter (04); phone or video 80% home telehealth (10), 20% other telehealth (02).",
    "Claims: one claim per member, plan, program (or Community Support) and month; Redwood gets electronic 837P claims; Golden Poppy gets Community Supports on a monthly invoice and other services 75% as 837P, 25% on paper CMS-1500. Sent 3-45 days after the month ends; decided 10-45 days after that.",
    "Claim outcomes: " + ", ".join(f"{k.replace('_', ' ')} {v:.0%}" for k, v in CLAIM_OUTCOMES.items())
    + "; a paid line is paid at its full charge; partial payment denies about a third of the lines (at least one). Payments are grouped into one remittance per plan per Friday.",
    "Diagnoses: first diagnosis " + ", ".join(f"{k} {v:.0%}" for k, v in DIAGNOSIS_WEIGHTS.items())
    + "; 10% of claims add a second, different code. Z59 codes are UNVERIFIED and never used.",
    "Charges come from the illustrative_rates reference table (invented, not real rates).",
    "Audits: each plan reviews 4% of billed services (at least one per plan with billed services) between July 1 and November 30, 2026; each element is found with these rates: "
    + ", ".join(f"{k.replace('doc_', '').replace('_', ' ')} {v:.0%}" for k, v in AUDIT_ELEMENT_RATES.items()) + ".",
]


# --------------------------------------------------------------------------- the World
@dataclass(frozen=True)
class World:
    """The synthetic world's linked tables (pandas DataFrames), in dependency order."""

    organizations: pd.DataFrame
    staff: pd.DataFrame
    members: pd.DataFrame
    consents: pd.DataFrame
    referrals: pd.DataFrame
    services: pd.DataFrame
    claims: pd.DataFrame
    claim_lines: pd.DataFrame
    invoices: pd.DataFrame
    remittances: pd.DataFrame
    audits: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Table name -> DataFrame, in dependency order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def row_count(self) -> int:
        return sum(len(df) for df in self.tables().values())


TABLE_NAMES = [f.name for f in fields(World)]


# --------------------------------------------------------------------------- helpers
def _days(value) -> int:
    return int(np.datetime64(value, "D").astype(np.int64))


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pd.api.extensions.ExtensionArray:
    """Zero-padded ids like SYN-M-0000001 for an integer array, without a per-row loop.

    The characters are written straight into a UTF-32 buffer that numpy views as
    fixed-width strings (much faster than formatting or casting bytes to text).
    """
    numbers = np.asarray(numbers, dtype=np.int64)
    head = np.array([ord(c) for c in prefix], dtype=np.uint32)
    buf = np.empty((len(numbers), len(head) + width), dtype=np.uint32)
    buf[:, : len(head)] = head
    rest = numbers.copy()
    for position in range(width - 1, -1, -1):  # loop over digit positions, not rows
        buf[:, len(head) + position] = rest % 10 + 48
        rest //= 10
    text = buf.view(f"U{buf.shape[1]}").ravel()
    return pd.array(text.astype(object), dtype="str")


def _pick(values, codes) -> pd.Categorical:
    """A categorical column ``values[codes]``; a code of -1 gives a missing value.

    Categorical columns keep a million-member world small and fast: each distinct
    string is stored once.
    """
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=pd.Index(list(values), dtype="str"))


def _choice(rng: np.random.Generator, weights: dict, n: int) -> np.ndarray:
    probabilities = np.array(list(weights.values()), dtype=float)
    return rng.choice(len(weights), size=n, p=probabilities / probabilities.sum())


def _dates(days: np.ndarray) -> np.ndarray:
    """Day numbers to datetime64 values; the NO_DATE sentinel becomes NaT."""
    days = np.asarray(days, dtype=np.int64)
    out = days.astype("datetime64[D]").astype(DATE)
    out[days == NO_DATE] = np.datetime64("NaT")
    return out


def _uniform_days(rng, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A random whole day in [low, high] for each pair (high >= low)."""
    low = np.asarray(low, dtype=np.int64)
    span = np.asarray(high, dtype=np.int64) - low + 1
    return low + (rng.random(len(low)) * span).astype(np.int64)


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For one-to-many links: parent index of each child row and its position (0, 1, ...)."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    position = np.arange(len(parent)) - np.repeat(starts, counts)
    return parent, position


def _phones(rng, n: int) -> pd.api.extensions.ExtensionArray:
    return _pick([f"555-01{k:02d}" for k in range(100)], rng.integers(0, 100, n))


def _month_end(days: np.ndarray) -> np.ndarray:
    months = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[M]")
    return ((months + 1).astype("datetime64[D]") - 1).astype(np.int64)


# --------------------------------------------------------------------------- screener
def screen_populations_of_focus(members: pd.DataFrame) -> pd.DataFrame:
    """Which ECM Populations of Focus each member meets, from the reference rules.

    ``members`` needs the columns the rules use: age, homeless, homeless_with_family,
    ed_visits_6m/12m, unplanned_stays_6m/12m, smh_or_sud, transitioning_from_incarceration,
    ltc_risk, nf_resident, pregnant_or_postpartum, race_ethnicity, ccs_enrolled,
    child_welfare_involved. Returns one boolean column per pof_id, same index.
    Educational screening only: eligibility is decided by the member's plan.
    """
    rules = load_reference("ecm_populations_of_focus")
    needed = {"age", "race_ethnicity", "pregnant_or_postpartum"}
    for rule in rules.itertuples(index=False):  # one pass per rule (16 rules), not per member
        if rule.criterion == "utilization":
            needed |= {f"ed_visits_{int(rule.window_months)}m", f"unplanned_stays_{int(rule.window_months)}m"}
        elif rule.criterion != "birth_equity":
            needed.add(rule.criterion)
    missing = sorted(needed - set(members.columns))
    if missing:
        raise CourseInputError("members columns", missing, "all of " + ", ".join(sorted(needed)))
    age = members["age"].to_numpy()
    result = {}
    for rule in rules.itertuples(index=False):
        in_age = age >= rule.age_min
        if not pd.isna(rule.age_max):
            in_age &= age <= rule.age_max
        if rule.criterion == "utilization":
            window = int(rule.window_months)
            meets = (members[f"ed_visits_{window}m"].to_numpy() >= rule.ed_visits_min) | (
                members[f"unplanned_stays_{window}m"].to_numpy() >= rule.unplanned_stays_min)
        elif rule.criterion == "birth_equity":
            groups = rule.race_ethnicity_in.split(";")
            meets = members["pregnant_or_postpartum"].to_numpy(dtype=bool) & members["race_ethnicity"].isin(groups).to_numpy()
        else:
            meets = members[rule.criterion].to_numpy(dtype=bool)
        result[rule.pof_id] = in_age & meets
    return pd.DataFrame(result, index=members.index)


# --------------------------------------------------------------------------- tables
class _Ref:
    """The reference data the generator needs, loaded once per call."""

    def __init__(self):
        self.fpl = load_reference("fpl")
        self.ecm_codes = usable_for_synthetic(load_reference("ecm_codes"))
        self.cs_codes = cs_code_lines()
        self.cs = load_reference("community_supports").set_index("cs_id")
        self.chw = load_reference("chw_codes").set_index("code")
        self.icd = usable_for_synthetic(load_reference("icd10_codes")).set_index("code")
        self.pos = load_reference("places_of_service").set_index("pos_code")
        self.rates = load_reference("illustrative_rates").set_index("rate_key")
        self.statuses = load_reference("clr_referral_statuses").set_index("status")
        self.reasons = load_reference("clr_closure_reasons").set_index("reason_id")
        self.claim_statuses = load_reference("claim_statuses").set_index("status")
        self.denials = load_reference("denial_reasons").set_index("denial_reason_id")
        categories = load_reference("demographic_categories")
        for name, weights in (("gender_identity", GENDER_WEIGHTS), ("race_ethnicity", RACE_WEIGHTS),
                              ("preferred_language", LANGUAGE_WEIGHTS)):
            allowed = set(categories.loc[categories["category_type"] == name, "value"])
            if set(weights) != allowed:  # the generator's weights must cover the reference list
                raise CourseInputError(f"{name} weights", sorted(weights), "the values in demographic_categories")
        # Every vocabulary the generator codes against must exist in the reference tables.
        for values, table, column in ((REFERRAL_STATUSES, self.statuses, None), (CLOSURE_REASONS, self.reasons, None),
                                      (list(CLAIM_OUTCOMES), self.claim_statuses, None)):
            missing = sorted(set(values) - set(table.index))
            if missing:
                raise CourseInputError("generator vocabulary", missing, "values present in the reference tables")
        self.denial_ids = self.denials.index.tolist()
        ecm_rows = self.ecm_codes[self.ecm_codes["row_type"] == "combination"]
        chw_codes = self.chw.index.tolist()
        self.hcpcs_vocab = sorted(set(ecm_rows["hcpcs"]) | set(self.cs_codes["hcpcs"]) | set(chw_codes))
        self.mod_vocab = sorted(set(ecm_rows["modifiers"].dropna()) | set(self.cs_codes["modifiers"].dropna()))
        self.cs_combos = {
            cs: [(self.hcpcs_vocab.index(h), self.mod_vocab.index(m) if isinstance(m, str) else -1)
                 for h, m in zip(group["hcpcs"], group["modifiers"])]
            for cs, group in self.cs_codes.groupby("cs_id", sort=False)}
        # Charge ranges by billing stream (program, then 4 + Community Support code).
        keys = PROGRAMS + CS_IDS
        self.rate_min = np.array([self.rates["charge_min_usd"].get(k, np.nan) for k in keys])
        self.rate_max = np.array([self.rates["charge_max_usd"].get(k, np.nan) for k in keys])
        for code in [*DIAGNOSIS_WEIGHTS]:
            if code not in self.icd.index:
                raise CourseInputError("diagnosis code", code, "a VERIFIED or SECONDARY code in icd10_codes")
        for combination in ("G9012_U2", "G9012_U2_GQ"):
            if combination not in set(self.ecm_codes["code_id"]):
                raise CourseInputError("ECM code", combination, "a VERIFIED or SECONDARY row in ecm_codes")

    def ecm_combo(self, code_id: str) -> tuple[int, int]:
        """(hcpcs code, modifier code) of an ECM combination row."""
        row = self.ecm_codes.set_index("code_id").loc[code_id]
        return self.hcpcs_vocab.index(row["hcpcs"]), self.mod_vocab.index(row["modifiers"])

    def poverty_table(self) -> np.ndarray:
        """guideline[year - 2025, size] for sizes 0..12 (index 0 unused)."""
        out = np.zeros((2, 13), dtype=np.int64)
        for i, year in enumerate((2025, 2026)):
            rows = self.fpl[self.fpl["year"] == year].set_index("household_size")
            for size in range(1, 13):
                base = min(size, 8)
                out[i, size] = rows.loc[base, "poverty_guideline_usd"] + max(0, size - 8) * rows.loc[8, "increment_per_extra_person_usd"]
        return out


def _organizations(ref: _Ref) -> pd.DataFrame:
    npi = make_npis(np.array([AGENCY_NPI_BASE]))[0]
    return pd.DataFrame({
        "org_id": pd.array([o[0] for o in ORGANIZATIONS], dtype="str"),
        "name": pd.array([o[1] for o in ORGANIZATIONS], dtype="str"),
        "org_type": pd.array([o[2] for o in ORGANIZATIONS], dtype="str"),
        "county": pd.array([COUNTY] * len(ORGANIZATIONS), dtype="str"),
        "npi": pd.array([npi if o[0] == AGENCY else None for o in ORGANIZATIONS], dtype="str"),
        "phone": pd.array([f"555-01{o[3]:02d}" for o in ORGANIZATIONS], dtype="str"),
        "email": pd.array([o[4] for o in ORGANIZATIONS], dtype="str"),
        "synthetic": True,
    })


def _staff(rng, scale: int) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    counts = {role: max(1, round(n * scale / DEFAULT_SCALE)) for role, n in STAFF_PER_300.items()}
    roles = np.repeat(np.arange(len(counts)), list(counts.values()))
    n = len(roles)
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    number = np.arange(1, n + 1)
    licensed = (roles == list(counts).index("supervisor")) & (rng.random(n) < 0.5)
    hire = _uniform_days(rng, np.full(n, _days("2014-01-06")), np.full(n, _days("2025-06-02")))
    emails = pd.array(
        np.char.add(np.char.add(np.char.add(np.char.lower(np.array(FIRST_NAMES)[first]), "."),
                                np.char.lower(np.array(LAST_NAMES)[last])),
                    np.char.add(np.char.add(".", np.char.zfill(number.astype(str), 6)), "@example.org")),
        dtype="str")
    frame = pd.DataFrame({
        "staff_id": _ids("SYN-STF-", number, 6),
        "first_name": _pick(FIRST_NAMES, first),
        "last_name": _pick(LAST_NAMES, last),
        "role": _pick(list(counts), roles),
        "licensed": licensed,
        "hire_date": _dates(hire),
        "phone": _phones(rng, n),
        "email": emails,
        "synthetic": True,
    })
    by_role = {role: np.flatnonzero(roles == i) for i, role in enumerate(counts)}
    return frame, by_role


def _members(rng, n: int, ref: _Ref) -> tuple[pd.DataFrame, dict]:
    start, end = _days(START), _days(AS_OF)
    intake = _uniform_days(rng, np.full(n, start), np.full(n, end))
    band = rng.choice(3, size=n, p=[0.03, 0.85, 0.12])
    age = np.select([band == 0, band == 1], [rng.integers(16, 21, n), rng.integers(21, 55, n)], rng.integers(55, 81, n))
    birth = intake - age * 365 - age // 4 - rng.integers(1, 365, n)
    # Recompute age from the dates so it is exact.
    intake_dt, birth_dt = intake.astype("datetime64[D]"), birth.astype("datetime64[D]")
    years = intake_dt.astype("datetime64[Y]").astype(int) - birth_dt.astype("datetime64[Y]").astype(int)
    had_birthday = (intake_dt - intake_dt.astype("datetime64[Y]")) >= (birth_dt - birth_dt.astype("datetime64[Y]"))
    age = years - (~had_birthday).astype(int)

    gender = _choice(rng, GENDER_WEIGHTS, n)
    race = _choice(rng, RACE_WEIGHTS, n)
    language = _choice(rng, LANGUAGE_WEIGHTS, n)
    status = _choice(rng, STATUS_WEIGHTS, n)
    full = status == list(STATUS_WEIGHTS).index("full_scope")
    plan = np.where(full, np.where(rng.random(n) < 0.6, 0, 1), -1)
    has_plan = plan >= 0
    before = rng.random(n) < 0.8
    enrolled = np.where(before, intake - rng.integers(0, 4 * 365, n), intake + rng.integers(10, 61, n))
    enrolled = np.where(has_plan, enrolled, NO_DATE)

    housing = _choice(rng, HOUSING_WEIGHTS, n)
    homeless = housing != list(HOUSING_WEIGHTS).index("stably_housed")
    family = homeless & (rng.random(n) < 0.4)
    household = np.where(family, 2 + rng.poisson(1.2, n), 1 + rng.poisson(0.6, n))
    household = np.minimum(household, 12)
    year_index = (intake_dt.astype("datetime64[Y]").astype(int) + 1970 - 2025).clip(0, 1)
    guideline = ref.poverty_table()[year_index, household]
    pct_draw = np.exp(rng.normal(np.log(60), 0.55, n))
    income = np.round(guideline * pct_draw / 100).astype(np.int64)
    percent = income * 100 // guideline

    ed12 = rng.negative_binomial(0.8, 0.8 / (0.8 + 1.3), n)
    stays12 = rng.negative_binomial(0.5, 0.5 / (0.5 + 0.35), n)
    ed6 = rng.binomial(ed12, 0.55)
    stays6 = rng.binomial(stays12, 0.55)
    female = gender == list(GENDER_WEIGHTS).index("Female")
    under21 = age < 21
    cols = {
        "age": age, "homeless": homeless, "homeless_with_family": family,
        "ed_visits_6m": ed6, "ed_visits_12m": ed12, "unplanned_stays_6m": stays6, "unplanned_stays_12m": stays12,
        "smh_or_sud": rng.random(n) < 0.35,
        "transitioning_from_incarceration": rng.random(n) < 0.03,
        "ltc_risk": rng.random(n) < np.where(age >= 55, 0.10, 0.01),
        "nf_resident": (age >= 60) & (rng.random(n) < 0.02),
        "pregnant_or_postpartum": female & (age >= 16) & (age <= 45) & (rng.random(n) < 0.12),
        "ccs_enrolled": under21 & (rng.random(n) < 0.02),
        "child_welfare_involved": under21 & (rng.random(n) < 0.15),
    }
    screen_input = pd.DataFrame({**cols, "race_ethnicity": _pick(list(RACE_WEIGHTS), race)})
    pof = screen_populations_of_focus(screen_input)
    # Join the met pof_ids per member without a row loop: encode each member's set as a
    # bit mask, then build the joined string once per distinct mask.
    bits = pof.to_numpy(dtype=np.int64) << np.arange(pof.shape[1], dtype=np.int64)
    mask = bits.sum(axis=1)
    unique_masks, inverse = np.unique(mask, return_inverse=True)
    labels = [";".join(pof.columns[[(m >> k) & 1 == 1 for k in range(pof.shape[1])]]) or None for m in unique_masks.tolist()]
    named = [label for label in labels if label is not None]
    remap = np.array([named.index(label) if label is not None else -1 for label in labels], dtype=np.int64)
    pof_text = _pick(named, remap[inverse])
    eligible = (mask > 0) & has_plan & full

    chw_rec = np.where(has_plan & ~eligible & (rng.random(n) < 0.35), intake + rng.integers(5, 61, n), NO_DATE)
    chw_rec = np.where(chw_rec > end, NO_DATE, chw_rec)
    shelter = housing == list(HOUSING_WEIGHTS).index("fleeing_dv_in_shelter")
    number = np.arange(1, n + 1)
    frame = pd.DataFrame({
        "member_id": _ids("SYN-M-", number, 7),
        "plan_member_id": pd.array(np.where(has_plan, _ids("SYNP-", number, 8).to_numpy(dtype=object), None), dtype="str"),
        "first_name": _pick(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), n)),
        "last_name": _pick(LAST_NAMES, rng.integers(0, len(LAST_NAMES), n)),
        "birth_date": _dates(birth),
        "age": age.astype(np.int64),
        "gender_identity": _pick(list(GENDER_WEIGHTS), gender),
        "race_ethnicity": screen_input["race_ethnicity"].array,
        "preferred_language": _pick(list(LANGUAGE_WEIGHTS), language),
        "county": _pick([COUNTY], np.zeros(n, dtype=np.int64)),
        "plan_id": _pick(PLANS, plan),
        "medi_cal_status": _pick(list(STATUS_WEIGHTS), status),
        "plan_enrollment_date": _dates(enrolled),
        "agency_intake_date": _dates(intake),
        "housing_status": _pick(list(HOUSING_WEIGHTS), housing),
        "household_size": household.astype(np.int64),
        "annual_income_usd": income,
        "percent_fpl": percent.astype(np.int64),
        **{k: (v.astype(np.int64) if v.dtype.kind in "iu" else v) for k, v in cols.items() if k != "age"},
        "ecm_pof_ids": pof_text,
        "ecm_eligible": eligible,
        "chw_recommended_date": _dates(chw_rec),
        "confidential_communications_request": rng.random(n) < 0.30,
        "safe_at_home": rng.random(n) < np.where(shelter, 0.25, 0.05),
        "phone": _phones(rng, n),
        "email": pd.array(np.char.add(np.char.add("m", np.char.zfill(number.astype(str), 7)), "@example.org"), dtype="str"),
        "synthetic": True,
    })
    # Keep the schema's column order.
    frame = frame[list(SYNTHETIC_SCHEMAS["members"].columns)]
    raw = {"intake": intake, "plan": plan, "enrolled": enrolled, "eligible": eligible, "homeless": homeless,
           "smh": cols["smh_or_sud"], "stays12": stays12, "chw_rec": chw_rec}
    return frame, raw


def _consents(rng, raw: dict) -> dict:
    """Releases to the member's plan (one per consenting plan member)."""
    n = len(raw["plan"])
    signs = (raw["plan"] >= 0) & (rng.random(n) < 0.85)
    member = np.flatnonzero(signs)
    signed = np.maximum(raw["intake"][member], raw["enrolled"][member]) + rng.integers(0, 11, len(member))
    keep = signed <= _days(AS_OF)
    member, signed = member[keep], signed[keep]
    duration = np.where(rng.random(len(member)) < 0.7, 365, 182)
    expires = signed + duration
    revoked = np.where(rng.random(len(member)) < 0.06,
                       signed + 60 + (rng.random(len(member)) * (duration - 60)).astype(np.int64), NO_DATE)
    end = np.where(revoked != NO_DATE, np.minimum(revoked, expires), expires)
    return {"member": member, "recipient": ORG_IDS.index(PLANS[0]) + raw["plan"][member],
            "signed": signed, "expires": expires, "revoked": revoked, "end": end}


def _referrals(rng, raw: dict, consent: dict) -> dict:
    """Inbound ECM and Community Supports referrals and outbound partner referrals.

    Organizations, Community Supports and directions are integer codes here (indexes
    into ORG_IDS, ref.cs_ids and DIRECTIONS); strings are attached at the end.
    """
    as_of = _days(AS_OF)
    c_member = consent["member"]
    plan = raw["plan"][c_member]
    nc = len(c_member)
    agency, clinic = ORG_IDS.index(AGENCY), ORG_IDS.index("SYN-ORG-004")
    plan_org = ORG_IDS.index(PLANS[0]) + plan
    parts = []  # (consent rows, cs code, direction, referring org codes, receiving org code)

    def add(mask, cs, direction, referring, receiving):
        rows = np.flatnonzero(mask)
        parts.append((rows, cs, direction, referring[rows] if isinstance(referring, np.ndarray) else np.full(len(rows), referring), receiving))

    # ECM: 70% referred by the plan, 30% by the clinic, hospital or county agency.
    ecm_from = np.where(rng.random(nc) < 0.7, plan_org, clinic + rng.integers(0, 3, nc))
    add(raw["eligible"][c_member] & (rng.random(nc) < 0.75), -1, 0, ecm_from, agency)
    homeless = raw["homeless"][c_member]
    for cs, share in (("housing_navigation", 0.55), ("housing_tenancy", 0.20), ("housing_deposits", 0.25)):
        add(homeless & (rng.random(nc) < share), CS_IDS.index(cs), 0, plan_org, agency)
    add(homeless & raw["smh"][c_member] & (rng.random(nc) < 0.30), CS_IDS.index("transitional_rent"), 0, plan_org, agency)
    for cs, (org, share) in OUTBOUND_CS.items():
        extra = raw["stays12"][c_member] > 0 if cs == "short_term_post_hospitalization_housing" else np.ones(nc, dtype=bool)
        add(extra & (rng.random(nc) < share), CS_IDS.index(cs), 1, agency, ORG_IDS.index(org))

    sizes = [len(p[0]) for p in parts]
    rows = np.concatenate([p[0] for p in parts])
    cs = np.repeat([p[1] for p in parts], sizes).astype(np.int64)
    direction = np.repeat([p[2] for p in parts], sizes).astype(np.int64)
    referring = np.concatenate([p[3] for p in parts]).astype(np.int64)
    receiving = np.repeat([p[4] for p in parts], sizes).astype(np.int64)
    m_plan = plan[rows]

    # Referral date: within 30 days of the release and well inside it; Transitional Rent
    # not before it was available at the member's plan.
    referral = consent["signed"][rows] + rng.integers(0, 31, len(rows))
    tr_start = np.where(m_plan == 0, _days("2025-07-01"), _days("2026-01-01"))
    referral = np.where(cs == CS_IDS.index("transitional_rent"), np.maximum(referral, tr_start), referral)
    keep = (referral <= as_of) & (referral < consent["end"][rows] - 60)
    rows, cs, direction, referring, receiving, referral, m_plan = (
        a[keep] for a in (rows, cs, direction, referring, receiving, referral, m_plan))
    r = len(rows)
    outcome = _choice(rng, REFERRAL_OUTCOMES, r)
    acc, dec, unr, inel, cap = (outcome == i for i in range(len(REFERRAL_OUTCOMES)))
    outreach = np.where(cap, NO_DATE, referral + rng.integers(1, 8, r))
    accepted = np.where(acc, outreach + rng.integers(0, 11, r), NO_DATE)
    declined = np.where(dec | inel, outreach + rng.integers(0, 11, r), np.where(cap, referral + rng.integers(1, 6, r), NO_DATE))
    closed = np.select([acc, dec | inel | cap, unr],
                       [accepted + rng.integers(0, 8, r), declined + rng.integers(0, 6, r), outreach + rng.integers(30, 61, r)], NO_DATE)
    reason = np.select([acc, dec, unr, inel, cap], [0, 1, 2, 3, 4], -1)  # order of CLOSURE_REASONS
    for arr in (outreach, accepted, declined, closed):  # statuses after the data date are not reached yet
        arr[arr > as_of] = NO_DATE
    reason = np.where(closed == NO_DATE, -1, reason)
    status = np.select([closed != NO_DATE, accepted != NO_DATE, declined != NO_DATE, outreach != NO_DATE], [4, 2, 3, 1], 0)
    return {"consent_row": rows, "member": c_member[rows], "plan": m_plan, "cs": cs, "direction": direction,
            "referring": referring, "receiving": receiving, "referral": referral, "outreach": outreach,
            "accepted": accepted, "declined": declined, "closed": closed, "reason": reason, "status": status,
            "consent_end": consent["end"][rows]}


def _episode_services(rng, start: np.ndarray, end: np.ndarray, per_month_low: float, per_month_high: float) -> tuple[np.ndarray, np.ndarray]:
    """Encounter dates for episodes [start, end]: parent index and date of each encounter."""
    months = np.maximum(end - start, 0) / 30.4
    rate = per_month_low + rng.random(len(start)) * (per_month_high - per_month_low)
    count = np.maximum(1, np.round(months * rate)).astype(np.int64)
    parent, position = _expand(count)
    dates = _uniform_days(rng, start[parent], end[parent])
    dates = np.where(position == 0, start[parent], dates)  # the first encounter opens the episode
    return parent, dates


def _services(rng, raw: dict, consent: dict, ref_: dict, staff_by_role: dict, ref: _Ref) -> dict:
    """All encounters as integer-coded arrays (codes index PROGRAMS, CS_IDS, ref vocabularies)."""
    as_of = _days(AS_OF)
    blocks = []

    def block(member, role, dates, program, cs, hcpcs, mods, minutes, units, pos, billable, referral, consent_row):
        k = len(member)
        pool = staff_by_role[role]
        blocks.append({
            "member": member, "staff": pool[rng.integers(0, len(pool), k)], "date": dates,
            "program": np.full(k, PROGRAMS.index(program)), "cs": np.full(k, cs), "hcpcs": hcpcs, "mods": mods,
            "minutes": minutes.astype(np.int64), "units": units.astype(np.int64), "pos": pos,
            "billable": np.full(k, billable), "referral": referral, "consent_row": consent_row})

    pos_code = {code: POS_CODES.index(code) for code in POS_CODES}

    def in_person_pos(k):
        return np.array([pos_code[c] for c in ("11", "12", "99", "04")])[rng.choice(4, size=k, p=[0.5, 0.25, 0.15, 0.10])]

    def phone_pos(k):
        return np.where(rng.random(k) < 0.8, pos_code["10"], pos_code["02"])

    # Accepted inbound referrals whose loop closed: the first service is on the closure date.
    served = (ref_["direction"] == 0) & (ref_["accepted"] != NO_DATE) & (ref_["closed"] != NO_DATE)
    ecm_ref = np.flatnonzero(served & (ref_["cs"] < 0))
    first = ref_["closed"][ecm_ref]
    stop = np.minimum(np.minimum(first + rng.integers(90, 305, len(ecm_ref)), ref_["consent_end"][ecm_ref] - 1), as_of)
    parent, dates = _episode_services(rng, first, np.maximum(stop, first), 2, 4)
    k = len(parent)
    phone = rng.random(k) < 0.4
    person, by_phone = ref.ecm_combo("G9012_U2"), ref.ecm_combo("G9012_U2_GQ")
    idx = ecm_ref[parent]
    block(ref_["member"][idx], "ecm_lead_care_manager", dates, "ecm", -1,
          np.where(phone, by_phone[0], person[0]), np.where(phone, by_phone[1], person[1]),
          rng.integers(15, 91, k), np.ones(k), np.where(phone, phone_pos(k), in_person_pos(k)), True, idx,
          ref_["consent_row"][idx])
    ecm_members = np.unique(ref_["member"][ecm_ref])

    for cs in AGENCY_CS:
        code = CS_IDS.index(cs)
        rows = np.flatnonzero(served & (ref_["cs"] == code))
        combos = ref.cs_combos[cs]  # list of (hcpcs code, modifier code)
        first = ref_["closed"][rows]
        limit = np.minimum(ref_["consent_end"][rows] - 1, as_of)
        if cs in ("housing_navigation", "housing_tenancy"):
            stop = np.minimum(first + rng.integers(60, 183, len(rows)), limit)
            parent, dates = _episode_services(rng, first, np.maximum(stop, first), 1, 3)
            pick = rng.integers(0, len(combos), len(parent))
            minutes = rng.integers(30, 121, len(parent))
        elif cs == "housing_deposits":
            parent, dates = np.arange(len(rows)), first
            pick = np.zeros(len(rows), dtype=np.int64)
            minutes = rng.integers(30, 91, len(rows))
        else:  # transitional_rent: one unit a month, up to six months
            parent, position = _expand(rng.integers(1, 7, len(rows)))
            dates = first[parent] + position * 30
            keep = dates <= limit[parent]
            parent, dates = parent[keep], dates[keep]
            pick = np.zeros(len(parent), dtype=np.int64)
            minutes = rng.integers(15, 46, len(parent))
        combo = np.array(combos, dtype=np.int64).reshape(-1, 2)
        idx = rows[parent]
        kk = len(idx)
        block(ref_["member"][idx], "advocate", dates, "community_supports", code, combo[pick, 0], combo[pick, 1],
              minutes, np.ones(kk), in_person_pos(kk), True, idx, ref_["consent_row"][idx])

    # CHW: recommended members with a release, not in ECM, within 180 days of the recommendation.
    c_member = consent["member"]
    rec = raw["chw_rec"][c_member]
    crow = np.flatnonzero((rec != NO_DATE) & ~np.isin(c_member, ecm_members))
    begin = np.maximum(rec[crow], consent["signed"][crow])
    stop = np.minimum(np.minimum(begin + 180, consent["end"][crow] - 1), as_of)
    ok = stop >= begin
    crow, begin, stop = crow[ok], begin[ok], stop[ok]
    parent, position = _expand(rng.integers(2, 9, len(crow)))
    dates = np.where(position == 0, begin[parent], _uniform_days(rng, begin[parent], stop[parent]))
    k = len(parent)
    group = rng.random(k) < 0.15
    minutes = np.array([30, 60, 90])[rng.choice(3, size=k, p=[0.5, 0.35, 0.15])]
    unit_minutes = int(ref.chw.loc["98960", "minutes_per_unit"])
    pos = np.array([pos_code[c] for c in ("11", "12", "99")])[rng.choice(3, size=k, p=[0.6, 0.2, 0.2])]
    block(c_member[crow][parent], "chw", dates, "chw", -1,
          np.where(group, ref.hcpcs_vocab.index("98961"), ref.hcpcs_vocab.index("98960")), np.full(k, -1),
          minutes, minutes // unit_minutes, pos, True, np.full(k, -1), crow[parent])

    # Advocacy for everyone, from intake on; never billed, so no release is needed.
    n = len(raw["intake"])
    parent, position = _expand(1 + rng.poisson(4, n))
    intake = raw["intake"][parent]
    dates = np.where(position == 0, intake, _uniform_days(rng, intake, np.full(len(parent), as_of)))
    k = len(parent)
    pos = np.array([pos_code[c] for c in ("11", "04", "12", "10", "02")])[rng.choice(5, size=k, p=[0.45, 0.25, 0.1, 0.15, 0.05])]
    block(parent, "advocate", dates, "advocacy", -1, np.full(k, -1), np.full(k, -1), rng.integers(15, 121, k),
          np.ones(k), pos, False, np.full(k, -1), np.full(k, -1))

    out = {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}
    # Sort by member, date, program with one packed integer key (faster than lexsort):
    # days since START fit in 11 bits and the program in 2.
    key = (out["member"] << 13) | ((out["date"] - _days(START)) << 2) | out["program"]
    order = np.argsort(key, kind="stable")
    return {name: value[order] for name, value in out.items()}


def _claims(rng, raw: dict, svc: dict, ref: _Ref) -> dict:
    billed = np.flatnonzero(svc["billable"])
    member = svc["member"][billed]
    plan = raw["plan"][member]
    # Billing stream: the program, or 4 + the Community Support's code.
    stream = np.where(svc["program"][billed] == PROGRAMS.index("community_supports"), len(PROGRAMS) + svc["cs"][billed], svc["program"][billed])
    month = svc["date"][billed].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    # One claim per (member, plan, stream, month): sort, then mark where the key changes.
    # Packed sort key: member, month (4 bits), stream (5 bits), day (11 bits).
    month_index = month - int(np.datetime64(START, "M").astype(np.int64))
    key = (member << 20) | (month_index << 16) | (stream << 11) | (svc["date"][billed] - _days(START))
    order = np.argsort(key, kind="stable")
    billed, member, plan, stream, month = billed[order], member[order], plan[order], stream[order], month[order]
    key_change = np.ones(len(billed), dtype=bool)
    key_change[1:] = (member[1:] != member[:-1]) | (month[1:] != month[:-1]) | (stream[1:] != stream[:-1])
    claim_of_line = np.cumsum(key_change) - 1
    starts = np.flatnonzero(key_change)
    n_claims = len(starts)
    line_number = np.arange(len(billed)) - (starts[claim_of_line] if n_claims else 0) + 1

    c_member, c_plan, c_stream, c_month = member[starts], plan[starts], stream[starts], month[starts]
    dates = svc["date"][billed]
    service_from = np.minimum.reduceat(dates, starts) if n_claims else dates[:0]
    service_to = np.maximum.reduceat(dates, starts) if n_claims else dates[:0]
    month_end = _month_end(service_from)
    agency_cs = np.array([len(PROGRAMS) + CS_IDS.index(cs) for cs in AGENCY_CS])
    is_cs = np.isin(c_stream, agency_cs)
    sub = {name: i for i, name in enumerate(SUBMISSION_TYPES)}
    submission = np.where(c_plan == 0, sub["837P"],
                          np.where(is_cs, sub["invoice"], np.where(rng.random(n_claims) < 0.75, sub["837P"], sub["CMS-1500"])))
    submitted = month_end + rng.integers(3, 46, n_claims)

    # Invoices: one per plan and service month for invoice-route claims.
    inv_mask = submission == sub["invoice"]
    inv_keys, inv_index = np.unique((c_plan * 100_000 + c_month)[inv_mask], return_inverse=True)
    invoice_of_claim = np.full(n_claims, -1)
    invoice_of_claim[inv_mask] = inv_index
    inv_month_start = (inv_keys % 100_000).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    inv_submitted = _month_end(inv_month_start) + rng.integers(5, 21, len(inv_keys))
    submitted[inv_mask] = inv_submitted[invoice_of_claim[inv_mask]]

    # Charges from the illustrative rates, looked up by stream.
    units = svc["units"][billed]
    per_unit = np.round(ref.rate_min[stream] + rng.random(len(billed)) * (ref.rate_max[stream] - ref.rate_min[stream]), 0)
    charge = np.round(per_unit * units, 2).astype(float)

    outcomes = list(CLAIM_OUTCOMES)
    outcome = _choice(rng, CLAIM_OUTCOMES, n_claims)
    decided = submitted + rng.integers(10, 46, n_claims)
    outcome = np.where(decided > _days(CLAIMS_AS_OF), outcomes.index("in_review"), outcome)
    line_count = np.bincount(claim_of_line, minlength=n_claims)
    # A one-line claim cannot be partly paid.
    outcome = np.where((outcome == outcomes.index("partially_paid")) & (line_count == 1), outcomes.index("paid"), outcome)
    denial_codes = {d: i for i, d in enumerate(ref.denial_ids)}
    claim_denials = np.array([denial_codes[d] for d in ("not_eligible_on_date", "not_authorized", "duplicate", "timely_filing")])
    reject_reasons = np.array([denial_codes[d] for d in ("npi_not_on_file", "invalid_diagnosis")])
    denial = np.select([outcome == outcomes.index("denied"), outcome == outcomes.index("rejected")],
                       [claim_denials[rng.integers(0, 4, n_claims)], reject_reasons[rng.integers(0, 2, n_claims)]], -1)

    # Line decisions: a partly paid claim pays its first line and denies its last.
    l_outcome = outcome[claim_of_line]
    partial = l_outcome == outcomes.index("partially_paid")
    deny_line = partial & (rng.random(len(billed)) < 1 / 3)
    deny_line |= partial & (line_number == line_count[claim_of_line])
    deny_line &= ~(partial & (line_number == 1))
    line_state = np.select([(l_outcome == outcomes.index("paid")) | (partial & ~deny_line), l_outcome == outcomes.index("in_review")],
                           [LINE_STATES.index("paid"), LINE_STATES.index("pending")], LINE_STATES.index("denied"))
    line_denials = np.array([denial_codes[d] for d in ("invalid_modifier", "units_exceeded")])
    line_reason = np.where(deny_line, line_denials[rng.integers(0, 2, len(billed))], -1)
    paid_line = np.where(line_state == LINE_STATES.index("paid"), charge, 0.0).astype(float)
    total_charge = np.bincount(claim_of_line, weights=charge, minlength=n_claims).astype(float)
    total_paid = np.bincount(claim_of_line, weights=paid_line, minlength=n_claims).astype(float)
    paid = np.isin(outcome, [outcomes.index("paid"), outcomes.index("partially_paid")])
    # Payment runs on Fridays: the next Friday on or after the decision (day 1 = 1970-01-02, a Friday).
    friday = decided + (7 - (decided - 1) % 7) % 7
    friday = np.where(friday > _days(CLAIMS_AS_OF), decided, friday)
    paid_date = np.where(paid, friday, NO_DATE)
    rem_keys, rem_index = np.unique((c_plan * 1_000_000 + np.where(paid, paid_date, 0))[paid], return_inverse=True)
    remittance_of_claim = np.full(n_claims, -1)
    remittance_of_claim[paid] = rem_index

    n_dx = len(DIAGNOSIS_WEIGHTS)
    dx_a = _choice(rng, DIAGNOSIS_WEIGHTS, n_claims)
    dx_b = np.where(rng.random(n_claims) < 0.10, (dx_a + 1 + rng.integers(0, n_dx - 1, n_claims)) % n_dx, -1)
    return {
        "n": n_claims, "member": c_member, "plan": c_plan, "submission": submission, "invoice": invoice_of_claim,
        "remittance": remittance_of_claim, "from": service_from, "to": service_to, "dx_a": dx_a, "dx_b": dx_b,
        "line_count": line_count, "charge": total_charge, "submitted": submitted, "outcome": outcome, "denial": denial,
        "paid": total_paid, "paid_date": paid_date,
        "line_claim": claim_of_line, "line_number": line_number, "line_service": billed, "line_charge": charge,
        "line_state": line_state, "line_reason": line_reason, "line_paid": paid_line, "line_units": units,
        "inv_keys": inv_keys, "inv_submitted": inv_submitted, "rem_keys": rem_keys,
    }


def _fk(parent: "pd.CategoricalDtype | pd.api.extensions.ExtensionArray", codes) -> pd.Categorical:
    """A foreign-key column: categorical over the parent's ids (codes; -1 = missing).

    Pass a ``CategoricalDtype`` built once per parent table: checking a million
    categories for uniqueness is the slow part, so it is done once.
    """
    dtype = parent if isinstance(parent, pd.CategoricalDtype) else _key_dtype(parent)
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), dtype=dtype)


def _key_dtype(ids) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(pd.Index(ids, dtype="str"))


def _frames(rng, raw, consent, ref_, svc, clm, ref: _Ref, staff_frame, organizations, member_frame) -> World:
    member_ids = _key_dtype(member_frame["member_id"].array)
    staff_ids = _key_dtype(staff_frame["staff_id"].array)

    # Consents: plan releases plus one release per outbound referral.
    out_rows = np.flatnonzero(ref_["direction"] == 1)
    n_plan = len(consent["member"])
    c_member = np.concatenate([consent["member"], ref_["member"][out_rows]])
    c_type = np.concatenate([np.zeros(n_plan, dtype=np.int64), np.ones(len(out_rows), dtype=np.int64)])
    c_recipient = np.concatenate([consent["recipient"], ref_["receiving"][out_rows]])
    c_signed = np.concatenate([consent["signed"], ref_["referral"][out_rows]])
    c_expires = np.concatenate([consent["expires"], ref_["referral"][out_rows] + 182])
    c_revoked = np.concatenate([consent["revoked"], np.full(len(out_rows), NO_DATE)])
    order = np.lexsort((c_type, c_signed, c_member))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))  # consent row -> its position in the table
    consent_ids = _ids("SYN-CON-", np.arange(1, len(order) + 1), 8)
    consent_dtype = _key_dtype(consent_ids)
    purposes = ["Share referral, claim and data-file information with my health plan",
                "Share referral information with the named Community Supports provider"]
    consents = pd.DataFrame({
        "consent_id": consent_ids,
        "member_id": _fk(member_ids, c_member[order]),
        "consent_type": _pick(CONSENT_TYPES, c_type[order]),
        "recipient_org_id": _pick(ORG_IDS, c_recipient[order]),
        "purpose": _pick(purposes, c_type[order]),
        "informed": True, "written": True,
        "signed_date": _dates(c_signed[order]), "expires_date": _dates(c_expires[order]),
        "revoked_date": _dates(c_revoked[order]), "synthetic": True,
    })
    plan_consent_pos = rank[:n_plan]  # position of each plan release in the consents table

    # Referrals, sorted by date then member.
    r = len(ref_["member"])
    r_order = np.lexsort((ref_["member"], ref_["referral"]))
    r_rank = np.empty(r, dtype=np.int64)
    r_rank[r_order] = np.arange(r)
    referral_ids = _ids("SYN-REF-", np.arange(1, r + 1), 8)
    r_consent = np.where(ref_["direction"] == 0, plan_consent_pos[ref_["consent_row"]] if n_plan else -1, -1)
    r_consent[out_rows] = rank[n_plan:]
    o = r_order
    referrals = pd.DataFrame({
        "referral_id": referral_ids,
        "member_id": _fk(member_ids, ref_["member"][o]),
        "direction": _pick(DIRECTIONS, ref_["direction"][o]),
        "referring_org_id": _pick(ORG_IDS, ref_["referring"][o]),
        "receiving_org_id": _pick(ORG_IDS, ref_["receiving"][o]),
        "plan_id": _pick(PLANS, ref_["plan"][o]),
        "service_kind": _pick(["ecm", "community_support"], (ref_["cs"][o] >= 0).astype(np.int64)),
        "cs_id": _pick(CS_IDS, ref_["cs"][o]),
        "consent_id": _fk(consent_dtype, r_consent[o]),
        "referral_date": _dates(ref_["referral"][o]),
        "outreach_initiated_date": _dates(ref_["outreach"][o]),
        "accepted_date": _dates(ref_["accepted"][o]),
        "declined_date": _dates(ref_["declined"][o]),
        "loop_closed_date": _dates(ref_["closed"][o]),
        "current_status": _pick(REFERRAL_STATUSES, ref_["status"][o]),
        "closure_reason_id": _pick(CLOSURE_REASONS, ref_["reason"][o]),
        "synthetic": True,
    })

    # Services (already sorted by member, date, program).
    s = len(svc["member"])
    service_ids = _ids("SYN-SVC-", np.arange(1, s + 1), 9)
    services = pd.DataFrame({
        "service_id": service_ids,
        "member_id": _fk(member_ids, svc["member"]),
        "staff_id": _fk(staff_ids, svc["staff"]),
        "referral_id": _fk(referral_ids, np.where(svc["referral"] >= 0, r_rank[np.maximum(svc["referral"], 0)] if r else -1, -1)),
        "consent_id": _fk(consent_dtype, np.where(svc["consent_row"] >= 0, plan_consent_pos[np.maximum(svc["consent_row"], 0)] if n_plan else -1, -1)),
        "service_date": _dates(svc["date"]),
        "program": _pick(PROGRAMS, svc["program"]),
        "cs_id": _pick(CS_IDS, svc["cs"]),
        "hcpcs": _pick(ref.hcpcs_vocab, svc["hcpcs"]),
        "modifiers": _pick(ref.mod_vocab, svc["mods"]),
        "minutes": svc["minutes"], "units": svc["units"],
        "place_of_service": _pick(POS_CODES, svc["pos"]),
        "billable": svc["billable"].astype(bool),
        "synthetic": True,
    })

    # Claims, lines, invoices, remittances.
    n = clm["n"]
    claim_ids = _ids("SYN-CLM-", np.arange(1, n + 1), 8)
    claim_dtype = _key_dtype(claim_ids)
    invoice_ids = _ids("SYN-INV-", np.arange(1, len(clm["inv_keys"]) + 1), 6)
    remit_ids = _ids("SYN-RA-", np.arange(1, len(clm["rem_keys"]) + 1), 6)
    npi = organizations.loc[organizations["org_id"] == AGENCY, "npi"].item()
    dx = list(DIAGNOSIS_WEIGHTS)
    claims = pd.DataFrame({
        "claim_id": claim_ids,
        "member_id": _fk(member_ids, clm["member"]),
        "plan_id": _pick(PLANS, clm["plan"]),
        "billing_org_id": _pick([AGENCY], np.zeros(n, dtype=np.int64)),
        "billing_npi": _pick([npi], np.zeros(n, dtype=np.int64)),
        "submission_type": _pick(SUBMISSION_TYPES, clm["submission"]),
        "invoice_id": _fk(invoice_ids, clm["invoice"]),
        "remittance_id": _fk(remit_ids, clm["remittance"]),
        "service_from": _dates(clm["from"]), "service_to": _dates(clm["to"]),
        "diagnosis_a": _pick(dx, clm["dx_a"]), "diagnosis_b": _pick(dx, clm["dx_b"]),
        "line_count": clm["line_count"].astype(np.int64),
        "total_charge_usd": np.round(clm["charge"], 2),
        "submitted_date": _dates(clm["submitted"]),
        "status": _pick(list(CLAIM_OUTCOMES), clm["outcome"]),
        "denial_reason_id": _pick(ref.denial_ids, clm["denial"]),
        "paid_amount_usd": np.round(clm["paid"], 2),
        "paid_date": _dates(clm["paid_date"]),
        "synthetic": True,
    })
    ls = clm["line_service"]
    claim_lines = pd.DataFrame({
        "claim_id": _fk(claim_dtype, clm["line_claim"]),
        "line_number": clm["line_number"].astype(np.int64),
        "service_id": pd.array(service_ids.to_numpy(dtype=object)[ls], dtype="str"),
        "service_date": _dates(svc["date"][ls]),
        "place_of_service": _pick(POS_CODES, svc["pos"][ls]),
        "hcpcs": _pick(ref.hcpcs_vocab, svc["hcpcs"][ls]),
        "modifiers": _pick(ref.mod_vocab, svc["mods"][ls]),
        "diagnosis_pointer": _pick(["A", "AB"], (clm["dx_b"][clm["line_claim"]] >= 0).astype(np.int64)),
        "charge_usd": np.round(clm["line_charge"], 2),
        "units": clm["line_units"].astype(np.int64),
        "line_status": _pick(LINE_STATES, clm["line_state"]),
        "denial_reason_id": _pick(ref.denial_ids, clm["line_reason"]),
        "paid_usd": np.round(clm["line_paid"], 2),
        "synthetic": True,
    })
    inv = clm["invoice"]
    has_inv = inv >= 0
    k = len(clm["inv_keys"])
    inv_start = (clm["inv_keys"] % 100_000).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    invoices = pd.DataFrame({
        "invoice_id": invoice_ids,
        "plan_id": _pick(PLANS, (clm["inv_keys"] // 100_000).astype(np.int64)),
        "billing_org_id": _pick([AGENCY], np.zeros(k, dtype=np.int64)),
        "period_start": _dates(inv_start),
        "period_end": _dates(_month_end(inv_start)),
        "submitted_date": _dates(clm["inv_submitted"]),
        "claim_count": np.bincount(inv[has_inv], minlength=k).astype(np.int64),
        "total_charge_usd": np.round(np.bincount(inv[has_inv], weights=clm["charge"][has_inv], minlength=k), 2).astype(float),
        "total_paid_usd": np.round(np.bincount(inv[has_inv], weights=clm["paid"][has_inv], minlength=k), 2).astype(float),
        "synthetic": True,
    })
    rem = clm["remittance"]
    has_rem = rem >= 0
    q = len(clm["rem_keys"])
    remittances = pd.DataFrame({
        "remittance_id": remit_ids,
        "plan_id": _pick(PLANS, (clm["rem_keys"] // 1_000_000).astype(np.int64)),
        "payment_date": _dates(clm["rem_keys"] % 1_000_000),
        "eft_trace_number": _ids("SYN-EFT-", np.arange(1, q + 1) * 7919 % 100_000_000, 8),
        "claim_count": np.bincount(rem[has_rem], minlength=q).astype(np.int64),
        "total_paid_usd": np.round(np.bincount(rem[has_rem], weights=clm["paid"][has_rem], minlength=q), 2).astype(float),
        "synthetic": True,
    })

    # Audits: each plan samples 4% of its billed lines (at least one).
    line_plan = clm["plan"][clm["line_claim"]]
    chosen = []
    for plan in range(len(PLANS)):  # two plans
        pool = np.flatnonzero(line_plan == plan)
        if len(pool):
            chosen.append(np.sort(rng.choice(pool, size=max(1, int(round(0.04 * len(pool)))), replace=False)))
    chosen = np.concatenate(chosen) if chosen else np.array([], dtype=np.int64)
    a = len(chosen)
    elements = {name: rng.random(a) < rate for name, rate in AUDIT_ELEMENT_RATES.items()}
    missing = np.zeros(a, dtype=np.int64)
    for present in elements.values():  # six elements
        missing += ~present
    svc_rows = ls[chosen]
    audit_day = _uniform_days(rng, np.maximum(clm["submitted"][clm["line_claim"][chosen]], _days(AUDIT_START)),
                              np.full(a, _days(CLAIMS_AS_OF)))
    audits = pd.DataFrame({
        "audit_id": _ids("SYN-AUD-", np.arange(1, a + 1), 7),
        "plan_id": _pick(PLANS, line_plan[chosen]),
        "audit_date": _dates(audit_day),
        "service_id": pd.array(service_ids.to_numpy(dtype=object)[svc_rows], dtype="str"),
        "member_id": _fk(member_ids, svc["member"][svc_rows]),
        "staff_id": _fk(staff_ids, svc["staff"][svc_rows]),
        **elements,
        "elements_missing": missing,
        "finding": _pick(["no_findings", "corrective_action_plan"], (missing > 0).astype(np.int64)),
        "synthetic": True,
    })
    return World(organizations, staff_frame, member_frame, consents, referrals, services, claims, claim_lines,
                 invoices, remittances, audits)


# --------------------------------------------------------------------------- public API
def _check_args(seed, scale) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise CourseInputError("seed", seed, "a whole number 0 or more")
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or not 1 <= scale <= MAX_SCALE:
        raise CourseInputError("scale", scale, f"a whole number of members from 1 to {MAX_SCALE:,}")


def generate_world(seed: int = DEFAULT_SEED, scale: int = DEFAULT_SCALE, progress: bool = False) -> World:
    """Generate the linked synthetic tables for ``scale`` members, deterministically.

    The same seed and scale always give the same tables (and byte-identical CSVs from
    ``write_world``). ``progress`` shows a tqdm bar, one step per table.
    """
    _check_args(seed, scale)
    from tqdm.auto import tqdm

    streams = [np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(int(seed)).spawn(8)]
    bar = tqdm(total=7, desc="generating", unit="table", disable=not progress)

    def step(label):
        bar.set_postfix_str(label)
        bar.update(1)

    ref = _Ref()
    organizations = _organizations(ref)
    staff, staff_by_role = _staff(streams[0], int(scale))
    step("staff")
    members, raw = _members(streams[1], int(scale), ref)
    step("members")
    consent = _consents(streams[2], raw)
    step("consents")
    referrals = _referrals(streams[3], raw, consent)
    step("referrals")
    services = _services(streams[4], raw, consent, referrals, staff_by_role, ref)
    step("services")
    claims = _claims(streams[5], raw, services, ref)
    step("claims")
    world = _frames(streams[6], raw, consent, referrals, services, claims, ref, staff, organizations, members)
    world = World(**{name: _conform(frame, name) for name, frame in world.tables().items()})
    step("tables")
    bar.close()
    return world


def _conform(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Give small leftover text columns the schema's text dtype (category or str)."""
    for column, spec in SYNTHETIC_SCHEMAS[name].columns.items():
        wanted = str(spec.dtype)
        is_category = isinstance(frame[column].dtype, pd.CategoricalDtype)
        if wanted == "category" and not is_category:
            frame[column] = frame[column].astype("category")
        elif wanted.startswith("str") and is_category:
            frame[column] = frame[column].astype("str")
    return frame


def validate_world(world: World) -> World:
    """Validate every table with its schema; raises pandera's SchemaError on failure."""
    return World(**{name: SYNTHETIC_SCHEMAS[name].validate(df) for name, df in world.tables().items()})


def write_world(world: World, out_dir: str | Path, progress: bool = False) -> list[Path]:
    """Write one CSV per table, deterministically (schema column order, rows as
    generated, dates YYYY-MM-DD, money with 2 decimals, LF line endings, UTF-8)."""
    from tqdm.auto import tqdm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in tqdm(world.tables().items(), desc="writing", unit="table", disable=not progress):
        path = out / f"{name}.csv"
        frame[list(SYNTHETIC_SCHEMAS[name].columns)].to_csv(
            path, index=False, lineterminator="\n", float_format="%.2f", date_format="%Y-%m-%d", encoding="utf-8")
        paths.append(path)
    return paths


def load_world(directory: str | Path | None = None) -> World:
    """Read the committed synthetic CSVs (or another directory's), validated.

    Read and validated once per process for each state of the files (see
    ``_read_world``); every call returns its own copies, so callers may change them.
    """
    base = Path(directory) if directory is not None else SYNTHETIC_DIR
    files = []
    for name in TABLE_NAMES:
        path = base / f"{name}.csv"
        try:
            found = path.stat()
        except FileNotFoundError:
            raise CourseInputError("synthetic data file", str(path.name), f"a file {name}.csv in the data folder",
                                   hint="Run `make data` to generate it.") from None
        files.append((name, found.st_mtime_ns, found.st_size))
    world = _read_world(base.resolve(), tuple(files))
    return World(**{name: frame.copy() for name, frame in world.tables().items()})


@functools.lru_cache(maxsize=2)  # the course's folder and one other: bounded memory
def _read_world(base: Path, files: tuple[tuple[str, int, int], ...]) -> World:
    """The validated tables of ``base``. ``files`` (name, modification time in ns, size
    of each CSV) is part of the cache key, so a file that is rewritten is read again.
    Only ``load_world`` calls this, and it hands out deep copies: the cached frames are
    never given to a caller, so nobody can change them."""
    tables = {}
    for name, _, _ in files:
        schema = SYNTHETIC_SCHEMAS[name]
        frame = pd.read_csv(base / f"{name}.csv", **read_csv_kwargs(schema))
        tables[name] = schema.validate(coerce_dates(frame, schema))
    return World(**tables)


# --------------------------------------------------------------------------- integrity
def integrity_problems(world: World) -> list[str]:
    """Referential-integrity and ordering problems in a world (empty list when sound)."""
    problems: list[str] = []
    # Compare as plain text: categoricals with different categories cannot be compared.
    t = {name: frame.apply(lambda col: col.astype("str") if isinstance(col.dtype, pd.CategoricalDtype) else col)
         for name, frame in world.tables().items()}
    orgs, members, consents, referrals = t["organizations"], t["members"], t["consents"], t["referrals"]
    services, claims, lines, staff = t["services"], t["claims"], t["claim_lines"], t["staff"]

    def must(condition, message):
        bad = int((~np.asarray(condition, dtype=bool)).sum())
        if bad:
            problems.append(f"{message}: {bad} row(s)")

    plan_ids = set(orgs.loc[orgs["org_type"] == "managed_care_plan", "org_id"])
    org_ids = set(orgs["org_id"])
    must(members["plan_id"].isna() | members["plan_id"].isin(plan_ids), "members.plan_id not a plan")
    for table, column, target in [
        (consents, "member_id", members["member_id"]), (consents, "recipient_org_id", orgs["org_id"]),
        (referrals, "member_id", members["member_id"]), (referrals, "referring_org_id", orgs["org_id"]),
        (referrals, "receiving_org_id", orgs["org_id"]), (services, "member_id", members["member_id"]),
        (services, "staff_id", staff["staff_id"]), (claims, "member_id", members["member_id"]),
        (lines, "claim_id", claims["claim_id"]), (lines, "service_id", services["service_id"]),
        (t["audits"], "service_id", lines["service_id"]),
    ]:
        must(table[column].isin(set(target)), f"{column} not found")
    for table, column, target in [(referrals, "consent_id", consents), (services, "consent_id", consents),
                                  (services, "referral_id", referrals), (claims, "invoice_id", t["invoices"]),
                                  (claims, "remittance_id", t["remittances"])]:
        key = target.columns[0]
        must(table[column].isna() | table[column].isin(set(target[key])), f"{column} not found")
    must(referrals["plan_id"].isin(plan_ids), "referrals.plan_id not a plan")
    must(orgs["org_id"].isin(org_ids), "org ids")

    # Reference codes.
    cs_ids = set(load_reference("community_supports")["cs_id"])
    must(referrals["cs_id"].isna() | referrals["cs_id"].isin(cs_ids), "referrals.cs_id not in community_supports")
    must(referrals["current_status"].isin(set(load_reference("clr_referral_statuses")["status"])), "unknown referral status")
    must(referrals["closure_reason_id"].isna() | referrals["closure_reason_id"].isin(set(load_reference("clr_closure_reasons")["reason_id"])), "unknown closure reason")
    must(claims["status"].isin(set(load_reference("claim_statuses")["status"])), "unknown claim status")
    denial_ids = set(load_reference("denial_reasons")["denial_reason_id"])
    must(claims["denial_reason_id"].isna() | claims["denial_reason_id"].isin(denial_ids), "unknown claim denial reason")
    must(lines["denial_reason_id"].isna() | lines["denial_reason_id"].isin(denial_ids), "unknown line denial reason")
    icd = set(usable_for_synthetic(load_reference("icd10_codes"))["code"])
    must(claims["diagnosis_a"].isin(icd) & (claims["diagnosis_b"].isna() | claims["diagnosis_b"].isin(icd)), "diagnosis not a usable icd10 code")
    must(services["place_of_service"].isin(set(load_reference("places_of_service")["pos_code"])), "unknown place of service")
    ecm = usable_for_synthetic(load_reference("ecm_codes"))
    ecm = ecm[ecm["row_type"] == "combination"]
    allowed = set(zip(ecm["hcpcs"], ecm["modifiers"]))
    allowed |= set(zip(cs_code_lines()["hcpcs"], cs_code_lines()["modifiers"]))
    allowed |= {(code, None) for code in load_reference("chw_codes")["code"]}
    pairs = list(zip(services["hcpcs"].astype(object).where(services["hcpcs"].notna(), None),
                     services["modifiers"].astype(object).where(services["modifiers"].notna(), None)))
    coded = services["program"] != "advocacy"
    must(~coded | pd.Series([p in allowed for p in pairs], index=services.index), "service code not in the reference tables")

    # Ordering and consent rules.
    s = services.merge(members[["member_id", "agency_intake_date", "plan_id", "plan_enrollment_date", "chw_recommended_date"]], on="member_id", how="left")
    must(s["service_date"] >= s["agency_intake_date"], "service before agency intake")
    billed = s[s["billable"]]
    must(billed["plan_id"].notna() & (billed["service_date"] >= billed["plan_enrollment_date"]), "billed service before plan enrollment")
    bc = billed.merge(consents, on="consent_id", how="left", suffixes=("", "_consent"))
    end = bc["revoked_date"].fillna(bc["expires_date"]).where(bc["revoked_date"].isna() | (bc["revoked_date"] < bc["expires_date"]), bc["expires_date"])
    must((bc["member_id_consent"] == bc["member_id"]) & (bc["consent_type"] == "release_to_plan")
         & (bc["recipient_org_id"] == bc["plan_id"]) & (bc["signed_date"] <= bc["service_date"]) & (bc["service_date"] < end),
         "billed service without a release to the member's plan in force")
    chw = s[s["program"] == "chw"]
    must(chw["chw_recommended_date"].notna() & (chw["service_date"] >= chw["chw_recommended_date"]), "CHW service before a recommendation")
    ecm_members = set(s.loc[s["program"] == "ecm", "member_id"])
    must(~chw["member_id"].isin(ecm_members), "CHW services for a member in ECM")
    sr = services.dropna(subset=["referral_id"]).merge(referrals, on="referral_id", suffixes=("", "_ref"))
    must((sr["member_id"] == sr["member_id_ref"]) & sr["accepted_date"].notna() & (sr["service_date"] >= sr["accepted_date"]), "service before its referral was accepted")
    stf = services.merge(staff[["staff_id", "role", "hire_date"]], on="staff_id")
    expected_role = stf["program"].map({"ecm": "ecm_lead_care_manager", "chw": "chw", "community_supports": "advocate", "advocacy": "advocate"})
    must((stf["role"] == expected_role) & (stf["hire_date"] <= stf["service_date"]), "service by a staff member in the wrong role or before hire")
    out = referrals[referrals["direction"] == "outbound"].merge(consents, on="consent_id", suffixes=("", "_consent"))
    must((out["recipient_org_id"] == out["receiving_org_id"]) & (out["signed_date"] <= out["referral_date"]), "outbound referral without a release to the partner")
    must(len(out) == (referrals["direction"] == "outbound").sum(), "outbound referral consent missing")

    # Claims.
    ls = lines.merge(services[["service_id", "member_id", "service_date", "billable", "hcpcs"]], on="service_id", suffixes=("", "_svc"))
    ls = ls.merge(claims[["claim_id", "member_id", "service_from", "service_to", "submitted_date"]], on="claim_id", suffixes=("", "_claim"))
    must(ls["billable"], "claim line for a service that is not billable")
    must((ls["member_id"] == ls["member_id_claim"]) & (ls["service_date"] == ls["service_date_svc"]) & (ls["hcpcs"] == ls["hcpcs_svc"]), "claim line does not match its service")
    must((ls["service_date"] >= ls["service_from"]) & (ls["service_date"] <= ls["service_to"]), "line date outside the claim's dates")
    must(ls["service_date"] < ls["submitted_date"], "claim sent before the service")
    agg = lines.groupby("claim_id").agg(n=("line_number", "size"), charge=("charge_usd", "sum"), paid=("paid_usd", "sum"))
    c = claims.set_index("claim_id").join(agg)
    must(c["n"] == c["line_count"], "line_count differs from the lines")
    must((c["charge"] - c["total_charge_usd"]).abs() < 0.01, "total charge differs from the lines")
    must((c["paid"] - c["paid_amount_usd"]).abs() < 0.01, "paid amount differs from the lines")
    must(claims["billing_npi"].isin(set(orgs["npi"].dropna())), "billing NPI is not the agency's")
    rem = claims.dropna(subset=["remittance_id"]).groupby("remittance_id")["paid_amount_usd"].sum()
    r = t["remittances"].set_index("remittance_id")
    must((r["total_paid_usd"] - rem.reindex(r.index).fillna(0)).abs() < 0.01, "remittance total differs from its claims")
    must(claims["status"].isin(["paid", "partially_paid"]) == claims["remittance_id"].notna(), "remittance set exactly for paid claims")
    return problems


# --------------------------------------------------------------------------- CLI
def _positive_int(name: str, low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected a whole number from {low:,} to {high:,}, got {value:,}")
        return value
    parse.__name__ = name
    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m calaim_course.synthetic",
        description="Generate the course's synthetic world (fictional data only) and write one CSV per table.")
    parser.add_argument("--scale", type=_positive_int("scale", 1, MAX_SCALE), default=DEFAULT_SCALE,
                        help=f"number of members (default {DEFAULT_SCALE})")
    parser.add_argument("--seed", type=_positive_int("seed", 0, 2**32 - 1), default=DEFAULT_SEED,
                        help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", required=True, help="folder to write the CSV files into")
    parser.add_argument("--validate", action="store_true", help="check every table against its schema before writing")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        parser.error(f"argument --out: {args.out!r} exists and is not a folder")
    progress = args.scale >= 10_000
    world = generate_world(seed=args.seed, scale=args.scale, progress=progress)
    if args.validate:
        world = validate_world(world)
    paths = write_world(world, out, progress=progress)
    print(f"Wrote {len(paths)} tables ({world.row_count():,} rows) for {args.scale:,} synthetic members to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
