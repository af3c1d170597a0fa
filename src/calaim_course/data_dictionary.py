"""The data dictionary page (book/data-dictionary.md), generated from the schemas.

``render_data_dictionary()`` returns the page as MyST Markdown: per table, each column's
type, meaning, an example value and the allowed values, plus the generator's
assumptions and the identifier formats. Examples come from the default synthetic world
(seed 2026, 300 members) and the reference tables, so the page changes exactly when
the data does. ``python -m calaim_course.data_dictionary`` writes the page; a test
fails when the committed page differs from what this module renders.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from calaim_course.reference import list_reference, load_reference, reference_schema
from calaim_course.schemas import ID_PATTERNS, SYNTHETIC_SCHEMAS
from calaim_course.synthetic import ASSUMPTIONS, DEFAULT_SCALE, DEFAULT_SEED, generate_world

PAGE = Path(__file__).resolve().parents[2] / "book" / "data-dictionary.md"
MAX_EXAMPLE = 60

_TYPES = {"bool": "yes/no", "int64": "whole number", "Int64": "whole number", "float64": "number",
          "category": "text", "str": "text", "string": "text"}


def type_label(column) -> str:
    dtype = str(column.dtype)
    label = "date" if dtype.startswith("datetime64") else _TYPES.get(dtype, "text" if dtype.startswith("str") else dtype)
    return label + (" (can be empty)" if column.nullable else "")


def _cell(text: str) -> str:
    """Make text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def example_value(series: pd.Series) -> str:
    values = series.dropna()
    if values.empty:
        return ""
    value = values.iloc[0]
    if isinstance(value, pd.Timestamp):
        text = value.strftime("%Y-%m-%d")
    elif isinstance(value, float):
        text = f"{value:.2f}"
    else:
        text = str(value)
    if len(text) > MAX_EXAMPLE:
        text = text[: MAX_EXAMPLE - 3].rstrip() + "..."
    return f"`{text}`" if text else ""


def allowed_values(column) -> str:
    parts = []
    for check in column.checks:
        stats = check.statistics or {}
        if check.name == "isin":
            parts.append(", ".join(f"`{v}`" for v in stats["allowed_values"]))
        elif check.name == "in_range":
            parts.append(f"{stats['min_value']} to {stats['max_value']}")
        elif check.name == "greater_than_or_equal_to":
            parts.append(f"{stats['min_value']} or more")
        elif check.name == "equal_to":
            parts.append(f"`{stats['value']}`")
        elif check.name == "str_matches":
            parts.append(f"pattern `{stats['pattern']}`")
        elif check.name == "valid_npi_check_digit":
            parts.append("valid NPI check digit")
    if column.unique:
        parts.append("unique")
    return "; ".join(parts)


def _table_section(name: str, schema, frame: pd.DataFrame) -> list[str]:
    key = ", ".join(f"`{k}`" for k in schema.metadata["key"]) or "entry"
    rows = f"Rows at the default scale: {len(frame):,}." if schema.metadata["kind"] == "synthetic" else f"Rows: {len(frame):,}."
    lines = [f"### {name}", "", schema.description, "",
             f"File: `{name}.csv`. One row per {key}. {rows}", "",
             "| Column | Type | Meaning | Example | Allowed values |", "|---|---|---|---|---|"]
    for column_name, column in schema.columns.items():
        lines.append("| " + " | ".join([
            f"`{column_name}`", type_label(column), _cell(column.description),
            _cell(example_value(frame[column_name])), _cell(allowed_values(column))]) + " |")
    lines.append("")
    return lines


def render_data_dictionary() -> str:
    """The data dictionary page as MyST Markdown (one H1, no skipped heading levels)."""
    world = generate_world(seed=DEFAULT_SEED, scale=DEFAULT_SCALE).tables()
    lines = [
        "# Data dictionary",
        "",
        "This page describes every table the course uses. It is generated from the course's schemas "
        "(`calaim_course.schemas`) by `python -m calaim_course.data_dictionary`: do not edit it by hand.",
        "",
        ":::{important}",
        "All people, organizations, identifiers, phone numbers and e-mail addresses in the synthetic tables are "
        "made up. Every synthetic file has a `synthetic` column that is always true. The numbers are for learning "
        "and are not statistics about real survivors, agencies or plans. This is educational material, "
        "not legal or billing advice.",
        ":::",
        "",
        "## Two kinds of tables",
        "",
        "- **Synthetic tables** (folder `data/synthetic/`): one fictional domestic violence agency, Cedar Lantern "
        "Survivor Services, in fictional Alder County, California. It works with two fictional Medi-Cal managed care "
        "plans, Redwood Health Plan and Golden Poppy Health. The tables link by their identifiers, so a referral in "
        "one section becomes a service and a claim in another.",
        "- **Reference tables** (folder `data/reference/`): sourced facts the course computes with, such as poverty "
        "guidelines, billing codes and Closed Loop Referral statuses. Every row has its source address, a confidence "
        "mark and the date it was last checked. The synthetic data takes every code from these tables and never uses "
        "a row marked UNVERIFIED.",
        "",
        f"To make the synthetic tables again (seed {DEFAULT_SEED}, {DEFAULT_SCALE} members), run `make data`, or "
        "`python -m calaim_course.synthetic --scale 300 --seed 2026 --out data/synthetic`. The same seed always gives "
        "the same files. In Python, `calaim_course.synthetic.load_world()` reads them and "
        "`calaim_course.reference.load_reference(name)` reads a reference table.",
        "",
        "## Identifier formats",
        "",
        "Every synthetic identifier starts with `SYN`, then a table tag and digits. No real system issues identifiers "
        "in this shape, and none looks like a Medi-Cal Client Index Number (8 digits and a letter) or a Social "
        "Security number. The agency's billing NPI is 1234567893, the worked example in CMS's check-digit "
        "instructions.",
        "",
        "| Identifier | Pattern |",
        "|---|---|",
        *[f"| {kind.replace('_', ' ')} | `{pattern}` |" for kind, pattern in ID_PATTERNS.items()],
        "",
        "Phone numbers use the 555-0100 to 555-0199 range, which is set aside for fiction. E-mail addresses end in "
        "example.org.",
        "",
        "## How the synthetic data was made",
        "",
        "These are the generator's assumptions. They are chosen to look plausible for a mid-size California "
        "domestic violence agency; none of them is a sourced statistic.",
        "",
        *[f"- {_cell(a)}" for a in ASSUMPTIONS],
        "",
        "## Synthetic tables",
        "",
    ]
    for name, schema in SYNTHETIC_SCHEMAS.items():
        lines += _table_section(name, schema, world[name])
    lines += [
        "## Reference tables",
        "",
        "Confidence marks: VERIFIED (read in an authoritative source), SECONDARY (read in a non-authoritative "
        "source, such as a plan's page: teach with care), UNVERIFIED (not confirmed: never taught as fact), "
        "ILLUSTRATIVE (invented for the synthetic data).",
        "",
    ]
    for name in list_reference():
        lines += _table_section(name, reference_schema(name), load_reference(name))
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m calaim_course.data_dictionary",
                                     description="Write the data dictionary page from the schemas.")
    parser.add_argument("--out", default=str(PAGE), help="file to write (default: book/data-dictionary.md)")
    args = parser.parse_args(argv)
    Path(args.out).write_text(render_data_dictionary(), encoding="utf-8", newline="\n")
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
