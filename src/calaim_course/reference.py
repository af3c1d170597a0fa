"""Reference tables: the sourced facts the course computes with.

Each file in ``data/reference/`` is one concern (poverty guidelines, ECM Populations of
Focus, Community Supports and their codes, CHW codes, Closed Loop Referral statuses...).
Every row carries ``source_url``, ``confidence`` and ``last_verified``. Codes live only
here: the synthetic generator and the notebooks read them from these tables, so no code
is typed twice.

>>> from calaim_course.reference import load_reference
>>> load_reference("fpl").query("year == 2026 and household_size == 1")["poverty_guideline_usd"].item()
15960
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import pandas as pd

from calaim_course.errors import CourseInputError
from calaim_course.schemas import REFERENCE_SCHEMAS, coerce_dates, generic_reference_schema, read_csv_kwargs

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"


def list_reference() -> list[str]:
    """Names of the reference tables (the CSV files in data/reference/), sorted."""
    return sorted(p.stem for p in REFERENCE_DIR.glob("*.csv"))


def reference_schema(name: str):
    """The table's own schema, or a generic one (source columns required) for a new file."""
    if name in REFERENCE_SCHEMAS:
        return REFERENCE_SCHEMAS[name]
    header = pd.read_csv(REFERENCE_DIR / f"{name}.csv", nrows=0).columns.tolist()
    return generic_reference_schema(name, header)


@functools.lru_cache(maxsize=None)
def _load(name: str) -> pd.DataFrame:
    schema = reference_schema(name)
    path = REFERENCE_DIR / f"{name}.csv"
    frame = pd.read_csv(path, **read_csv_kwargs(schema))
    return schema.validate(coerce_dates(frame, schema))


def load_reference(name: str) -> pd.DataFrame:
    """One reference table, validated with its pandera schema.

    Loaded once per process; a copy is returned, so callers may change it freely.
    Raises ``CourseInputError`` for an unknown name, listing the valid ones.
    """
    if name not in list_reference():
        raise CourseInputError("reference table", name, "one of " + ", ".join(list_reference()))
    return _load(name).copy()


def poverty_guideline(year: int, household_size: int) -> int:
    """Yearly 100% poverty guideline in dollars (48 states and DC), any household size."""
    table = load_reference("fpl")
    years = sorted(table["year"].unique().tolist())
    if year not in years:
        raise CourseInputError("year", year, "one of " + ", ".join(map(str, years)))
    if not isinstance(household_size, (int,)) or isinstance(household_size, bool) or household_size < 1:
        raise CourseInputError("household size", household_size, "a whole number of people, 1 or more")
    rows = table[table["year"] == year].set_index("household_size")
    if household_size <= 8:
        return int(rows.loc[household_size, "poverty_guideline_usd"])
    return int(rows.loc[8, "poverty_guideline_usd"] + (household_size - 8) * rows.loc[8, "increment_per_extra_person_usd"])


def monthly_income_limit(year: int, household_size: int, percent_fpl: int) -> int:
    """Monthly income limit in dollars at ``percent_fpl`` of the poverty guideline.

    Uses the county rounding method in fact 1.19a: round the monthly 100% figure up to a
    whole dollar, multiply by the percent, round up again. It reproduces LA County's
    2024 138% chart; values it computes for 2025-2026 are not published figures, so
    check them against the county or DHCS chart before acting on them.
    """
    if not isinstance(percent_fpl, int) or isinstance(percent_fpl, bool) or not 1 <= percent_fpl <= 1000:
        raise CourseInputError("percent of the poverty level", percent_fpl, "a whole number from 1 to 1000")
    monthly_100 = math.ceil(poverty_guideline(year, household_size) / 12)
    return -(-monthly_100 * percent_fpl // 100)  # integer ceiling, no float rounding


def cs_code_lines() -> pd.DataFrame:
    """Community Supports codes in long form: one row per code and modifier combination.

    Columns: cs_id, cs_name, hcpcs, modifiers ('+'-joined), codes_confidence.
    """
    supports = load_reference("community_supports")
    rows = []
    for record in supports.itertuples(index=False):  # 15 rows: a loop is fine here
        for item in record.hcpcs_codes.split(";"):
            code, _, modifiers = item.partition("+")
            rows.append((record.cs_id, record.name, code, modifiers or None, record.codes_confidence))
    return pd.DataFrame(rows, columns=["cs_id", "cs_name", "hcpcs", "modifiers", "codes_confidence"]).astype(
        {"cs_id": "str", "cs_name": "str", "hcpcs": "str", "modifiers": "str", "codes_confidence": "str"})


def usable_for_synthetic(table: pd.DataFrame) -> pd.DataFrame:
    """Rows the synthetic data may use: VERIFIED or SECONDARY only (never UNVERIFIED)."""
    return table[table["confidence"].isin(["VERIFIED", "SECONDARY"])]


__all__ = ["load_reference", "list_reference", "reference_schema", "poverty_guideline", "monthly_income_limit",
           "cs_code_lines", "usable_for_synthetic", "REFERENCE_DIR"]
