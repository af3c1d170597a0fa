"""Search the data dictionary: every column of every table, by table, column or words.

The rows come from the same pandera schemas, type labels and allowed-value text as the
generated data dictionary page (``calaim_course.data_dictionary``), so the explorer and
the page always agree. Examples come from the committed synthetic files and the
reference tables.

>>> rows = dictionary_rows()
>>> search_dictionary(rows, "release", table="consents")["Column"].tolist()[:2]
['consent_type', 'recipient_org_id']
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from calaim_course import data_dictionary as dd
from calaim_course.errors import CourseInputError
from calaim_course.reference import list_reference, load_reference, reference_schema
from calaim_course.schemas import SYNTHETIC_SCHEMAS

ALL_TABLES = "All tables"
MAX_SEARCH = 80
COLUMNS = ["Table", "Kind", "Column", "Type", "Meaning", "Example", "Allowed values"]

__all__ = ["ALL_TABLES", "dictionary_rows", "search_dictionary", "table_description", "table_names"]


def _tables() -> list[tuple[str, str, object, pd.DataFrame]]:
    """(name, kind, schema, frame) for every synthetic and reference table."""
    from calaim_course.synthetic import load_world

    world = load_world().tables()
    out = [(name, "synthetic", schema, world[name]) for name, schema in SYNTHETIC_SCHEMAS.items()]
    out += [(name, "reference", reference_schema(name), load_reference(name)) for name in list_reference()]
    return out


@functools.lru_cache(maxsize=1)
def _rows_cached() -> pd.DataFrame:
    rows = []
    for name, kind, schema, frame in _tables():
        for column_name, column in schema.columns.items():
            example = dd.example_value(frame[column_name]).strip("`") if column_name in frame else ""
            rows.append({
                "Table": name, "Kind": kind, "Column": column_name, "Type": dd.type_label(column),
                "Meaning": column.description or "", "Example": example, "Allowed values": dd.allowed_values(column).replace("`", ""),
            })
    return pd.DataFrame(rows, columns=COLUMNS)


def dictionary_rows() -> pd.DataFrame:
    """One row per column of every table: table, kind, column, type, meaning, example, allowed values."""
    return _rows_cached().copy()


@functools.lru_cache(maxsize=1)
def _descriptions() -> dict[str, str]:
    return {name: schema.description or "" for name, _, schema, _ in _tables()}


def table_names() -> list[str]:
    """Synthetic tables first (in dependency order), then reference tables."""
    return list(_descriptions())


def table_description(table: str) -> str:
    """What one row of the table is, from its schema."""
    descriptions = _descriptions()
    if table not in descriptions:
        raise CourseInputError("Table", table, "one of " + ", ".join(descriptions))
    return descriptions[table]


def _words(text: object) -> list[str]:
    if not isinstance(text, str):
        raise CourseInputError("Search", text, "words to look for, as text")
    if len(text) > MAX_SEARCH:
        raise CourseInputError("Search", text[:20] + "...", f"at most {MAX_SEARCH} characters")
    words = re.findall(r"[\w.+-]+", text.casefold())
    if text.strip() and not words:
        raise CourseInputError("Search", text, "letters or numbers, for example: consent, plan_id or Closed Loop")
    return words


def search_dictionary(rows: pd.DataFrame, text: object = "", table: str = ALL_TABLES) -> pd.DataFrame:
    """Columns whose table name, column name, meaning or allowed values contain every word.

    Case does not matter; an underscore and a space match each other. An empty search
    lists every column (of the chosen table). No match raises ``CourseInputError``
    with a hint, so a widget keeps its last result.
    """
    words = _words(text)
    if table != ALL_TABLES:
        if table not in set(rows["Table"]):
            raise CourseInputError("Table", table, f"{ALL_TABLES} or one of " + ", ".join(dict.fromkeys(rows["Table"])))
        rows = rows[rows["Table"] == table]
    haystack = (rows["Table"] + " " + rows["Column"] + " " + rows["Column"].str.replace("_", " ") + " "
                + rows["Meaning"] + " " + rows["Allowed values"]).str.casefold()
    keep = pd.Series(True, index=rows.index)
    for word in words:
        keep &= haystack.str.contains(word.replace("_", " "), regex=False) | haystack.str.contains(word, regex=False)
    found = rows[keep].reset_index(drop=True)
    if found.empty:
        where = "any table" if table == ALL_TABLES else f"the {table} table"
        raise CourseInputError("Search", text, f"words found in {where}",
                               hint="Try one shorter word, or choose All tables.")
    return found
