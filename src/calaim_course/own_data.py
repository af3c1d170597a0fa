"""Use your own data: load an agency's CSV export safely, for aggregates only.

``load_export(path_or_bytes, table)`` reads one export (``members``, ``referrals`` or
``services``), checks every cell, and returns an ``OwnData`` holding a de-identified
copy: direct identifiers dropped, birth dates turned into age bands, ids replaced by
keyed hashes. If anything is wrong it raises ``ExportProblems`` (a ``CourseInputError``)
that lists every problem at once, by row and column, for example
``row 12, column units: got -3; expected 0 or more``.

What an export must look like (``EXPORT_COLUMNS`` documents it; the notebook
"Use your own data safely" prints it):

- A comma-separated file (CSV), UTF-8 text (a byte order mark is accepted), a header row
  with the column names below, spelled exactly, then one row per record.
- Dates written YYYY-MM-DD (for example 2025-07-03). The loader never guesses between
  month/day and day/month orders, so 07/03/2025 is refused with its row and column.
- Category columns use the course's values (the data dictionary lists them).
- At most ``MAX_BYTES`` (20 MB): a year of services of a large agency fits; a bigger file
  would be slow in a notebook, so filter it (one year, one program) before loading.
- Row numbers in messages are the ones a spreadsheet shows: the header is row 1, the
  first record row 2 (a cell with a line break inside quotes stays in its row).

What the loader does with the data:

- Direct identifier columns (names, phone, e-mail, address, Social Security and
  Medi-Cal numbers, plan member id, date of birth: ``IDENTIFIER_COLUMNS``) are dropped
  without being checked; the birth date is first turned into an age band at intake.
- Id columns (member, referral, service, staff, consent) are replaced by HMAC-SHA256
  keyed hashes (RFC 2104). The key comes from ``secrets.token_bytes`` when the first
  export is loaded and lives only in this Python session's memory: it is never written,
  printed or returned, so pseudonyms link tables loaded in the same session and nothing
  else. A keyed hash is still personally identifying information under VAWA (it is a
  stable code for one person): the pseudonymised rows must stay on the agency's computer.
- Unknown columns are dropped with a note (their values are never read).
- Cells that start with ``=``, ``+``, ``-`` or ``@`` (spreadsheet formulas, a known way
  to attack whoever opens a CSV in a spreadsheet) are refused, never run or kept; a
  number such as -3 in a number column is read as a number (and then checked).
- Messages never repeat the value of an identifying column (ids, birth date): they say
  which row and column to fix.

What it does not do: it writes nothing to disk, never shows a row, and shows counts only
through ``calaim_course.suppression`` (``OwnData.counts``). It does not make data safe to
share: clear a notebook's outputs before sharing it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import gc
import hashlib
import hmac
import io
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors as pandera_errors
from pandera.pandas import Check, Column, DataFrameSchema

from calaim_course.errors import CourseInputError
from calaim_course.privacy_pipeline import AGE_BANDS, AGE_BAND_LABELS, PSEUDONYM_HEX, PSEUDONYM_PREFIX
from calaim_course.schemas import SYNTHETIC_SCHEMAS
from calaim_course.suppression import SMALL_CELL_MAX, SUPPRESSED_LABEL, SuppressedTable, suppress_counts

TABLES = ("members", "referrals", "services")
MAX_BYTES = 20_000_000  # 20 MB: see the module docstring
MAX_CELL_CHARS = 500  # longer cells are not category or id values; csv also caps fields
MAX_PROBLEMS_LISTED = 100  # beyond this, the message groups the rest by column
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # CWE-1236 (formula injection): = + - @, plus tab and CR
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
UNDER_16 = "Under 16"
MISSING_LABEL = "(missing)"
TOTAL_NAME = "Total"  # the margins of a two-way count
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WHOLE_NUMBER = re.compile(r"^[+-]?\d{1,15}$")  # 15 digits: far above any real count
TRUE_WORDS = {"true", "t", "yes", "y", "1"}
FALSE_WORDS = {"false", "f", "no", "n", "0"}
EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "data" / "examples"

# Kinds of column, and what a cell of each kind must look like (used in messages).
EXPECTED = {
    "id": "an identifier (any text up to 64 characters)",
    "date": "a date written YYYY-MM-DD, for example 2025-07-03",
    "count": "a whole number",
    "flag": "true or false (yes/no and 1/0 are accepted too)",
    "category": "one of the course's values",
    "text": "text",
}


@dataclass(frozen=True)
class ExportColumn:
    """One column an export may (or must) have: its kind, its checks and its meaning."""

    name: str
    kind: str  # id, date, count, flag, category, text
    required: bool
    description: str
    values: tuple[str, ...] = ()  # allowed values of a category
    low: int | None = None  # counts: smallest allowed
    high: int | None = None  # counts: largest allowed
    unique: bool = False  # the table's key
    identifying: bool = False  # never echo its values in a message


def _from_schema(table: str, name: str, kind: str, required: bool = False, **kw) -> ExportColumn:
    """An export column that takes its description (and allowed values) from the
    synthetic schema, so the export format stays a documented subset of it."""
    column = SYNTHETIC_SCHEMAS[table].columns[name]
    if kind == "category" and "values" not in kw:
        kw["values"] = tuple(next(c.statistics["allowed_values"] for c in column.checks if c.name == "isin"))
    if kind == "id":
        kw.setdefault("identifying", True)
    return ExportColumn(name, kind, required, column.description, **kw)


def _spec(table: str, columns: list[ExportColumn]) -> dict[str, ExportColumn]:
    return {c.name: c for c in columns}


# The documented mapping: which columns of the synthetic schema an agency export must
# have (required) or may have (optional). Counts are widened for real data: a real
# export can record 0 units for a service that is not billed.
EXPORT_COLUMNS: dict[str, dict[str, ExportColumn]] = {
    "members": _spec("members", [
        _from_schema("members", "member_id", "id", True, unique=True),
        _from_schema("members", "birth_date", "date", True, identifying=True),
        _from_schema("members", "agency_intake_date", "date", True),
        _from_schema("members", "medi_cal_status", "category", True),
        _from_schema("members", "housing_status", "category", True),
        _from_schema("members", "gender_identity", "text"),
        _from_schema("members", "race_ethnicity", "text"),
        _from_schema("members", "preferred_language", "text"),
        _from_schema("members", "county", "text"),
        _from_schema("members", "plan_id", "text"),
        _from_schema("members", "household_size", "count", low=1, high=30),
        _from_schema("members", "ecm_eligible", "flag"),
        _from_schema("members", "synthetic", "flag"),
    ]),
    "referrals": _spec("referrals", [
        _from_schema("referrals", "referral_id", "id", True, unique=True),
        _from_schema("referrals", "member_id", "id", True),
        _from_schema("referrals", "direction", "category", True),
        _from_schema("referrals", "service_kind", "category", True),
        _from_schema("referrals", "referral_date", "date", True),
        _from_schema("referrals", "referring_org_id", "text"),
        _from_schema("referrals", "receiving_org_id", "text"),
        _from_schema("referrals", "plan_id", "text"),
        _from_schema("referrals", "cs_id", "text"),
        _from_schema("referrals", "consent_id", "id"),
        _from_schema("referrals", "outreach_initiated_date", "date"),
        _from_schema("referrals", "accepted_date", "date"),
        _from_schema("referrals", "declined_date", "date"),
        _from_schema("referrals", "loop_closed_date", "date"),
        _from_schema("referrals", "current_status", "text"),
        _from_schema("referrals", "closure_reason_id", "text"),
        _from_schema("referrals", "synthetic", "flag"),
    ]),
    "services": _spec("services", [
        _from_schema("services", "service_id", "id", True, unique=True),
        _from_schema("services", "member_id", "id", True),
        _from_schema("services", "service_date", "date", True),
        _from_schema("services", "program", "category", True),
        _from_schema("services", "units", "count", True, low=0),
        _from_schema("services", "staff_id", "id"),
        _from_schema("services", "referral_id", "id"),
        _from_schema("services", "consent_id", "id"),
        _from_schema("services", "cs_id", "text"),
        _from_schema("services", "hcpcs", "text"),
        _from_schema("services", "modifiers", "text"),
        _from_schema("services", "minutes", "count", low=0, high=1440),
        _from_schema("services", "place_of_service", "text"),
        _from_schema("services", "billable", "flag"),
        _from_schema("services", "synthetic", "flag"),
    ]),
}

# Rules between columns of one row (checked where both columns are in the export).
ORDER_RULES: dict[str, list[tuple[str, str]]] = {
    "members": [("birth_date", "agency_intake_date")],
    "referrals": [("referral_date", "outreach_initiated_date"), ("referral_date", "accepted_date"),
                  ("referral_date", "declined_date"), ("referral_date", "loop_closed_date")],
    "services": [],
}

# Direct identifiers: dropped on load, whatever the table. Names are compared after
# lower-casing and turning spaces and punctuation into "_" (so "First Name" matches).
IDENTIFIER_COLUMNS = frozenset({
    "first_name", "last_name", "middle_name", "name", "full_name", "preferred_name", "alias",
    "phone", "phone_number", "telephone", "mobile", "cell", "cell_phone", "home_phone",
    "email", "e_mail", "email_address",
    "address", "street", "street_address", "address_line_1", "address_line_2", "address1", "address2",
    "city", "zip", "zip_code", "zipcode", "postal_code",
    "ssn", "social_security_number", "cin", "medi_cal_id", "medi_cal_number", "client_index_number",
    "plan_member_id", "medicaid_id", "insurance_id", "drivers_license",
    "birth_date", "date_of_birth", "dob", "birthdate",
})

# The session key (see the module docstring): made on first use, kept in memory only.
_SESSION_KEY: bytearray | None = None


def _session_key() -> bytes:
    global _SESSION_KEY
    if _SESSION_KEY is None:
        _SESSION_KEY = bytearray(secrets.token_bytes(32))  # 32 bytes: RFC 2104, not shorter than SHA-256
    return bytes(_SESSION_KEY)


def forget_key() -> None:
    """Drop the session key: ids loaded after this get new, unlinkable pseudonyms."""
    global _SESSION_KEY
    if _SESSION_KEY is not None:
        _SESSION_KEY[:] = bytes(len(_SESSION_KEY))  # overwrite before letting it go
    _SESSION_KEY = None


def _pseudonyms(values: pd.Series) -> pd.Series:
    """HMAC-SHA256 of each id under the session key, shown as PSN- and 16 hex digits
    (the format of ``calaim_course.privacy_pipeline.pseudonym``). Each distinct id is
    hashed once (ids repeat: a member has many services)."""
    keyed = hmac.new(_session_key(), digestmod=hashlib.sha256)  # copied per id: the key is prepared once
    codes, distinct = pd.factorize(values)  # missing ids get code -1
    hashed = [None] * (len(distinct) + 1)
    for i, value in enumerate(distinct.tolist()):
        one = keyed.copy()
        one.update(value.encode("utf-8"))
        hashed[i] = PSEUDONYM_PREFIX + one.hexdigest()[:PSEUDONYM_HEX]
    hashed = np.array(hashed, dtype=object)
    return pd.Series(hashed[codes], index=values.index, dtype="str")  # code -1 picks the final None


# ------------------------------------------------------------------------ problems


@dataclass(frozen=True)
class Problem:
    """One thing to fix. ``row`` is the spreadsheet row (header = 1), None for the file."""

    where: str
    found: str
    expected: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: got {self.found}; expected {self.expected}"


class ExportProblems(CourseInputError):
    """Every problem found in an export, listed at once (nothing was loaded)."""

    def __init__(self, label: str, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        super().__init__(label, f"{n} problem" + ("" if n == 1 else "s"), "a file that passes every check")
        lines = [str(p) for p in self.problems[:MAX_PROBLEMS_LISTED]]
        rest = self.problems[MAX_PROBLEMS_LISTED:]
        if rest:
            groups: dict[tuple[str | None, str], list[Problem]] = {}
            for p in rest:
                groups.setdefault((p.column, p.expected), []).append(p)
            for (column, expected), items in groups.items():
                rows = [p.row for p in items if p.row is not None]
                span = f" (rows {min(rows):,} to {max(rows):,})" if rows else ""
                lines.append(f"{len(items):,} more in column {column or 'the file'}{span}: expected {expected}")
        self.lines = lines
        heading = f"{label}: {n:,} problem{'' if n == 1 else 's'} found; nothing was loaded. Fix these and load the file again:"
        self.args = (heading + "\n" + "\n".join(f"- {line}" for line in lines),)


def _shown(value: str, column: ExportColumn | None) -> str:
    """How a bad value appears in a message: never for identifying columns."""
    if column is not None and column.identifying:
        return "a value that is not valid (not shown: this column identifies a person)"
    text = value if len(value) <= 40 else value[:37] + "..."
    return repr(text)


# --------------------------------------------------------------------------- reading


def _read_bytes(source: object) -> tuple[bytes, str]:
    """The file's bytes and a short label (its name only, never its folder)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > MAX_BYTES:
            raise _too_large(len(data), "the uploaded file")
        return data, "the uploaded file"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        label = path.name or "the file"
        try:
            if not path.is_file():
                raise _fail(label, "file", "no such file", "an existing CSV file (check the file name and folder)")
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise _too_large(size, label)
            return path.read_bytes(), label
        except CourseInputError:
            raise
        except OSError as error:  # unreadable, permissions, name too long
            raise _fail(label, "file", f"a file that cannot be read ({error.strerror or 'no reason given'})",
                        "a CSV file this account can read") from None
        except ValueError:  # a NUL character in the name
            raise _fail("the file", "file", "a name the system cannot use", "a CSV file name") from None
    raise CourseInputError("file", type(source).__name__, "a file path or the file's bytes")


def _fail(label: str, where: str, found: str, expected: str) -> "ExportProblems":
    """A problem with the whole file, in the same format as the row problems."""
    return ExportProblems(label, [Problem(where, found, expected)])


def _too_large(size: int, label: str) -> "ExportProblems":
    return _fail(label, "file", f"{size:,} bytes",
                 f"at most {MAX_BYTES:,} bytes (20 MB): export a smaller part (for example one year or one "
                 "program) and load each part")


def _decode(data: bytes, label: str) -> tuple[str, list[str]]:
    notes = []
    if not data.strip():
        raise _fail(label, "file", "an empty file", "a CSV export with a header row and at least one data row")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail(label, "file", "UTF-16 text",
                    "UTF-8 text (in the spreadsheet program, save as 'CSV UTF-8 (comma delimited)')")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append("The file starts with a byte order mark (BOM); it was removed.")
    if b"\x00" in data:
        raise _fail(label, "file", "binary data (a NUL byte)",
                    "a CSV text file (export the table as CSV, not as a spreadsheet workbook)")
    try:
        return data.decode("utf-8"), notes
    except UnicodeDecodeError:
        pass
    problems = []
    for number, line in enumerate(data.split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = line[error.start]
            problems.append(Problem(f"line {number:,}", f"a byte that is not UTF-8 text (0x{byte:02X})",
                                    "UTF-8 text (save as 'CSV UTF-8' in the spreadsheet program)"))
    raise ExportProblems(label, problems)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _parse_rows(text: str, label: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as error:
        raise _fail(label, f"row {len(rows) + 1:,}", f"text the CSV reader cannot read ({error})",
                    "fields separated by commas; check for a quote mark that is opened and never closed") from None
    return rows


def _header(header: list[str], table: str, label: str) -> tuple[dict[int, str], list[str], list[str], list[Problem]]:
    """Map header positions to known columns. Returns (kept, dropped identifiers,
    dropped unknown, problems)."""
    spec = EXPORT_COLUMNS[table]
    names = [h.strip() for h in header]
    if len(names) == 1:
        for delimiter, word in ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")):
            if delimiter in names[0]:
                raise _fail(label, "header", f"a single column: the names look separated by {word}",
                            "column names separated by commas (export the file again as 'CSV (comma delimited)')")
    problems, kept, identifiers, unknown = [], {}, [], []
    seen: dict[str, int] = {}
    for position, name in enumerate(names):
        if name in seen:
            problems.append(Problem("header", f"the column {name!r} twice (columns {seen[name] + 1} and {position + 1})",
                                    "each column name once", row=1, column=name))
            continue
        seen[name] = position
        if name in spec:
            kept[position] = name
        elif _norm(name) in IDENTIFIER_COLUMNS:
            identifiers.append(name)
        else:
            unknown.append(name or f"(unnamed column {position + 1})")
    for other in TABLES:
        required = [n for n, c in EXPORT_COLUMNS[other].items() if c.required]
        if other != table and all(n in seen for n in required) and not all(
                n in seen for n, c in spec.items() if c.required):
            problems.append(Problem("header", f"the columns of a {other} export",
                                    f"a {table} export (choose the table that matches the file)", row=1))
    for name, column in spec.items():
        if not column.required or name in seen:
            continue
        similar = [h for h in names if _norm(h) == name]
        similar = similar or difflib.get_close_matches(name, [h for h in unknown], n=1, cutoff=0.6)
        hint = f" (the file has {similar[0]!r}: rename it to {name})" if similar else ""
        problems.append(Problem(f"header, column {name}", "no such column" + hint,
                                f"a column named {name} ({column.description.rstrip('.')})", row=1, column=name))
    return kept, identifiers, unknown, problems


# ------------------------------------------------------------------------- cells


# Problems a cell can have, in the order a column's problems are listed:
# (found, from the cell's stripped text; expected).
_TOO_LONG = (lambda v: f"a cell of {len(v):,} characters", f"at most {MAX_CELL_CHARS} characters")
_FORMULA = (lambda v: f"a spreadsheet formula (a cell starting with {v[0]!r}); it was not run",
            "a plain value: type the value itself, or leave the cell empty if there is none")
_LONG_ID = (lambda v: "an identifier longer than 64 characters", EXPECTED["id"])
_NOT_ISO = (None, "a date written YYYY-MM-DD, for example 2025-07-03 (other orders such as 07/03/2025 are not guessed)")
_NOT_REAL = (None, "a real calendar date written YYYY-MM-DD")
_OUTSIDE = (None, f"a date from {FIRST_DATE:%Y} to {LAST_DATE:%Y}")
_NOT_NUMBER = (None, "a whole number (digits only, no commas or decimals)")
_NOT_FLAG = (None, EXPECTED["flag"])
_CELL_PROBLEMS = {
    "id": [_TOO_LONG, _FORMULA, _LONG_ID], "text": [_TOO_LONG, _FORMULA], "category": [_TOO_LONG, _FORMULA],
    "date": [_TOO_LONG, _FORMULA, _NOT_ISO, _NOT_REAL, _OUTSIDE], "count": [_TOO_LONG, _FORMULA, _NOT_NUMBER],
    "flag": [_TOO_LONG, _FORMULA, _NOT_FLAG],
}


def _found(problem: tuple, value: str, column: ExportColumn) -> str:
    found = problem[0]
    if found is not None:
        return found(value)
    if problem is _NOT_REAL and not column.identifying:
        return f"{value!r}, which is not a real date"
    return _shown(value, column)


def _grid_codes(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The grid of cells as integer codes (rows x columns) and the distinct texts.

    One pass over the whole grid in the order the reader made the cells (the order
    they lie in memory) is about three times quicker on a large file than one pass per
    column, which jumps from row to row."""
    codes, texts = pd.factorize(cells.ravel())
    return codes.reshape(cells.shape), np.asarray(texts, dtype=object)


def _column_codes(grid: np.ndarray, texts: np.ndarray, position: int) -> tuple[np.ndarray, np.ndarray]:
    """One column's codes, numbered among its own distinct texts, and those texts."""
    column = grid[:, position]
    used = np.zeros(len(texts), dtype=bool)
    used[column] = True
    renumber = np.cumsum(used) - 1
    return renumber[column], texts[used]


def _parse_column(codes: np.ndarray, distinct: np.ndarray, column: ExportColumn, rows: np.ndarray,
                  problems: list[Problem]) -> pd.Series:
    """Typed values for one column; cells that cannot be read become missing and a problem.

    ``codes``: each row's position in ``distinct``, the column's distinct texts (see
    ``_column_codes``). Every check depends only on the cell's text, so each distinct
    text is checked once and its outcome spread back to its rows: a column of 100,000
    cells usually holds a few hundred distinct dates or categories. Problems come out
    by kind, then by row (``load_export`` sorts all problems by row and column)."""
    texts = np.array([value.strip() for value in distinct], dtype=object)
    n = len(texts)

    def each(test) -> np.ndarray:  # test(text) for every distinct text, as booleans
        return np.fromiter(map(test, texts), dtype=bool, count=n)

    kinds = _CELL_PROBLEMS[column.kind]
    # problem[k]: index into ``kinds`` of the problem of distinct text k, -1 for none.
    problem = np.full(n, -1, dtype=np.int64)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    problem[lengths > MAX_CELL_CHARS] = kinds.index(_TOO_LONG)
    # Still to check: cells with text (an empty cell is missing; the schema checks required columns).
    unchecked = (lengths > 0) & (lengths <= MAX_CELL_CHARS)
    formula = each(lambda text: text.startswith(FORMULA_STARTS))
    if column.kind == "count":  # a number such as -3 is read as a number
        number = each(lambda text: WHOLE_NUMBER.match(text) is not None)
        formula &= ~number
    problem[unchecked & formula] = kinds.index(_FORMULA)
    unchecked &= ~formula

    if column.kind in ("id", "text", "category"):
        if column.kind == "id":
            problem[unchecked & (lengths > 64)] = kinds.index(_LONG_ID)
            unchecked &= lengths <= 64
        kept = texts.copy()
        kept[~unchecked] = None  # missing
        values = pd.Series(kept[codes], dtype="str")
    elif column.kind == "date":
        iso = unchecked & each(lambda text: ISO_DATE.match(text) is not None)
        problem[unchecked & ~iso] = kinds.index(_NOT_ISO)
        dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
        if iso.any():
            parsed = pd.to_datetime(pd.Series(texts[iso], dtype="str"), format="%Y-%m-%d", errors="coerce")
            inside = parsed.between(pd.Timestamp(FIRST_DATE), pd.Timestamp(LAST_DATE)).to_numpy()
            parsed = parsed.astype("datetime64[us]").to_numpy()
            real = ~np.isnat(parsed)
            at = np.flatnonzero(iso)
            problem[at[~real]] = kinds.index(_NOT_REAL)
            problem[at[real & ~inside]] = kinds.index(_OUTSIDE)
            dates[at[real & inside]] = parsed[real & inside]
        values = pd.Series(dates[codes], dtype="datetime64[us]")
    elif column.kind == "count":
        problem[unchecked & ~number] = kinds.index(_NOT_NUMBER)
        read = unchecked & number
        numbers = np.zeros(n, dtype=np.int64)
        numbers[read] = [int(text) for text in texts[read]]
        values = pd.Series(pd.arrays.IntegerArray(numbers[codes], ~read[codes]), dtype="Int64")
    elif column.kind == "flag":
        lower = np.array([text.lower() for text in texts], dtype=object)
        yes = unchecked & np.fromiter((word in TRUE_WORDS for word in lower), dtype=bool, count=n)
        no = unchecked & np.fromiter((word in FALSE_WORDS for word in lower), dtype=bool, count=n)
        problem[unchecked & ~yes & ~no] = kinds.index(_NOT_FLAG)
        values = pd.Series(pd.arrays.BooleanArray(yes[codes], ~(yes | no)[codes]), dtype="boolean")
    else:
        raise AssertionError(column.kind)  # every kind is handled above

    if (problem >= 0).any():
        row_problem = problem[codes]
        for index, kind in enumerate(kinds):
            for i in np.flatnonzero(row_problem == index):
                row = int(rows[i])
                problems.append(Problem(f"row {row:,}, column {column.name}", _found(kind, texts[codes[i]], column),
                                        kind[1], row=row, column=column.name))

    return values


def _dtype(kind: str) -> str:
    return {"id": "str", "text": "str", "category": "str", "date": "datetime64[us]",
            "count": "Int64", "flag": "boolean"}[kind]


def _range_text(column: ExportColumn) -> str:
    if column.high is None:
        return f"{column.low} or more"
    return f"{column.low} to {column.high:,}"


def export_schema(table: str, present: list[str] | None = None) -> DataFrameSchema:
    """The pandera schema of an export (after the cells are read), for the columns present."""
    spec = EXPORT_COLUMNS[_check_table(table)]
    present = list(spec) if present is None else present
    columns = {}
    for name in present:
        c = spec[name]
        checks = []
        if c.kind == "category":
            checks.append(Check.isin(list(c.values), error="one of " + ", ".join(c.values)))
        if c.kind == "count" and c.low is not None:
            checks.append(Check.ge(c.low, error=_range_text(c)) if c.high is None
                          else Check.in_range(c.low, c.high, error=_range_text(c)))
        columns[name] = Column(_dtype(c.kind), checks=checks, nullable=not c.required, unique=c.unique,
                               description=c.description)
    frame_checks = []
    for first, second in ORDER_RULES[table]:
        if first in present and second in present:
            frame_checks.append(Check(
                lambda df, a=first, b=second: df[a].isna() | df[b].isna() | (df[a] <= df[b]),
                error=f"{first} on or before {second}", name=f"{first}<={second}"))
    return DataFrameSchema(columns, checks=frame_checks, name=f"{table} export", strict=True, coerce=False)


def _rows_that_may_fail(frame: pd.DataFrame, table: str) -> np.ndarray:
    """Rows that may fail the export schema: every row pandera would report, and maybe
    a few more. A valid file skips pandera, which takes about a second per 100,000 rows."""
    spec = EXPORT_COLUMNS[table]
    suspect = np.zeros(len(frame), dtype=bool)
    for name in frame.columns:
        column, values = spec[name], frame[name]
        if str(values.dtype) != _dtype(column.kind):
            return np.ones(len(frame), dtype=bool)  # never expected: let pandera look at every row
        missing = values.isna().to_numpy()
        if column.required:
            suspect |= missing
        if column.unique:
            suspect |= values.duplicated(keep=False).to_numpy()  # every copy (pandera lists them all)
        if column.kind == "category":
            suspect |= ~missing & ~values.isin(column.values).to_numpy()
        if column.kind == "count" and column.low is not None:
            outside = values.lt(column.low) if column.high is None else values.lt(column.low) | values.gt(column.high)
            suspect |= outside.fillna(False).to_numpy(dtype=bool)
    for first, second in ORDER_RULES[table]:
        if first in frame and second in frame:
            a, b = frame[first], frame[second]
            suspect |= ~(a.isna() | b.isna() | (a <= b)).to_numpy()
    return suspect


def _schema_problems_of_suspect_rows(frame: pd.DataFrame, table: str, rows: np.ndarray,
                                     cell_problems: list[Problem]) -> list[Problem]:
    """``_schema_problems`` run on the rows that may fail only. Its checks look at one row
    at a time, except uniqueness, and every copy of a repeated id is among those rows:
    so the failure cases, in the same order, are those of the whole frame."""
    suspect = np.flatnonzero(_rows_that_may_fail(frame, table))
    if not len(suspect):
        return []
    # Cells that already have a problem (from reading them) are not reported twice.
    already = {(int(np.searchsorted(rows, p.row)), p.column) for p in cell_problems}
    return _schema_problems(frame.iloc[suspect], table, pd.Series(rows, dtype="int64"), already)


def _schema_problems(frame: pd.DataFrame, table: str, rows: pd.Series, already: set[tuple[int, str]]) -> list[Problem]:
    """pandera's lazy validation, turned into one Problem per failing cell."""
    spec = EXPORT_COLUMNS[table]
    try:
        export_schema(table, list(frame.columns)).validate(frame, lazy=True)
        return []
    except pandera_errors.SchemaErrors as errors:
        cases = errors.failure_cases
    problems, frame_rules = [], set()
    duplicates: dict[tuple[str, str], list[int]] = {}
    for case in cases.itertuples(index=False):
        index = case.index
        if index is None or pd.isna(index):
            problems.append(Problem(f"column {case.column}", str(case.failure_case), str(case.check), column=case.column))
            continue
        index = int(index)
        row = int(rows.iat[index])
        if case.schema_context == "DataFrameSchema":
            if (index, case.check) in frame_rules:
                continue
            frame_rules.add((index, case.check))
            first, second = str(case.check).split(" on or before ")
            problems.append(Problem(f"row {row:,}, columns {first} and {second}", f"{first} after {second}",
                                    str(case.check), row=row, column=first))
            continue
        column = spec[case.column]
        if (index, column.name) in already:
            continue
        if case.check == "field_uniqueness":
            duplicates.setdefault((column.name, str(case.failure_case)), []).append(row)
        elif case.check == "not_nullable":
            problems.append(Problem(f"row {row:,}, column {column.name}", "an empty cell",
                                    EXPECTED[column.kind] if column.kind != "category" else "one of " + ", ".join(column.values),
                                    row=row, column=column.name))
        else:
            value = case.failure_case
            found = str(value) if column.kind == "count" else _shown(str(value), column)
            problems.append(Problem(f"row {row:,}, column {column.name}", found, str(case.check), row=row, column=column.name))
    for (name, _value), dup_rows in duplicates.items():
        dup_rows = sorted(dup_rows)
        listed = ", ".join(f"{r:,}" for r in dup_rows[:-1]) + f" and {dup_rows[-1]:,}"
        problems.append(Problem(f"rows {listed}, column {name}", f"the same {name} {len(dup_rows)} times"
                                + (" (not shown: it identifies a person)" if spec[name].identifying else ""),
                                f"each {name} once (one row per record)", row=dup_rows[0], column=name))
    return problems


# ------------------------------------------------------------------------- result


def _check_table(table: object) -> str:
    if table not in TABLES:
        raise CourseInputError("table", table, "one of " + ", ".join(TABLES))
    return table  # type: ignore[return-value]


def safe_count(n: int) -> str:
    """A count of records for a sentence: hidden when it is 1 to 10 (small-cell rule)."""
    return SUPPRESSED_LABEL if 1 <= n <= SMALL_CELL_MAX else f"{n:,}"


def _age_band(age: pd.Series) -> pd.Series:
    """Age bands of ``calaim_course.privacy_pipeline`` plus 'Under 16' and missing."""
    labels = [UNDER_16, *AGE_BAND_LABELS]
    bins = [-1, AGE_BANDS[0][0] - 1] + [high for _low, high in AGE_BANDS[:-1]] + [10_000]
    banded = pd.cut(age.astype("float64"), bins=bins, labels=labels, right=True)
    return banded.cat.add_categories([MISSING_LABEL]).fillna(MISSING_LABEL)


@dataclass(frozen=True, repr=False, eq=False)
class OwnData:
    """A loaded export, de-identified. ``frame`` has one row per record: keep it on the
    agency's computer, never display it in a notebook you may share. Show ``counts``."""

    table: str
    frame: pd.DataFrame
    identifiers_dropped: tuple[str, ...]
    unknown_dropped: tuple[str, ...]
    pseudonymised: tuple[str, ...]
    notes: tuple[str, ...]
    synthetic: bool
    source: str = field(default="")

    @property
    def n_records(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:  # counts only, never a row
        return (f"OwnData(table={self.table!r}, records={safe_count(self.n_records)}, "
                f"columns kept={self.frame.shape[1]}, identifier columns dropped={len(self.identifiers_dropped)}, "
                f"unknown columns dropped={len(self.unknown_dropped)}, ids pseudonymised={len(self.pseudonymised)}, "
                f"synthetic={self.synthetic})")

    __str__ = __repr__

    def _repr_html_(self) -> str:
        import html
        return f"<p><code>{html.escape(repr(self))}</code></p>"

    def count_columns(self) -> list[str]:
        """Columns a count can be broken down by (never an id or a pseudonym)."""
        spec = EXPORT_COLUMNS[self.table]
        out = []
        for name in self.frame.columns:
            column = spec.get(name)
            if name.endswith("_month") or name == "age_band":
                out.append(name)
            elif column is not None and column.kind in ("category", "text", "flag") and name != "synthetic":
                out.append(name)
        return out

    def _labels(self, name: str) -> pd.Series:
        return _label_text(self.frame[name])

    def _label_codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        """``_labels(name)`` as a code per record into a list of distinct labels. The
        labels are worked out once per distinct value, not once per record."""
        codes, distinct = pd.factorize(self.frame[name])  # a missing value gets code -1
        texts = list(_label_text(pd.Series(distinct)))
        if (codes < 0).any():
            texts.append(MISSING_LABEL)  # code -1 picks this last label
        # Two values can share a label (a cell that says "(missing)" and an empty one).
        label_codes, labels = pd.factorize(np.array(texts, dtype=object))
        return label_codes[codes], list(labels)

    def counts(self, by: str, and_by: str | None = None) -> SuppressedTable:
        """Records counted by one column (or a crosstab of two), small cells suppressed."""
        options = self.count_columns()
        for name, value in (("by", by), ("and_by", and_by)):
            if value is None and name == "and_by":
                continue
            if value not in options:
                raise CourseInputError(name, value, "one of " + ", ".join(options))
        if and_by == by:
            raise CourseInputError("and_by", and_by, "a column other than the first one")
        if len(self.frame) == 0:
            raise CourseInputError("data", "no records", "at least one record")
        # The table pd.crosstab / value_counts would build from ``_labels``, counted
        # with numpy on integer codes (crosstab took most of an update at 100,000 rows).
        first, first_labels = self._label_codes(by)
        _refuse_total_label(by, first_labels)
        if and_by is None:
            series = pd.Series(np.bincount(first, minlength=len(first_labels)),
                               index=pd.Index(first_labels, dtype="str", name=by), name="records").sort_index()
            return suppress_counts(series)
        second, second_labels = self._label_codes(and_by)
        _refuse_total_label(and_by, second_labels)
        cells = np.bincount(first * len(second_labels) + second, minlength=len(first_labels) * len(second_labels))
        cells = cells.reshape(len(first_labels), len(second_labels))
        # Sorted like crosstab sorts them (the labels are distinct strings).
        row_order = sorted(range(len(first_labels)), key=first_labels.__getitem__)
        column_order = sorted(range(len(second_labels)), key=second_labels.__getitem__)
        cells = cells[np.ix_(row_order, column_order)]
        with_totals = np.zeros((cells.shape[0] + 1, cells.shape[1] + 1), dtype=np.int64)
        with_totals[:-1, :-1] = cells
        with_totals[:-1, -1] = cells.sum(axis=1)
        with_totals[-1, :] = with_totals[:-1, :].sum(axis=0)
        table = pd.DataFrame(
            with_totals,
            index=pd.Index([first_labels[i] for i in row_order] + [TOTAL_NAME], dtype="str", name=by),
            columns=pd.Index([second_labels[j] for j in column_order] + [TOTAL_NAME], dtype="str", name=and_by))
        return suppress_counts(table)


def _refuse_total_label(column: str, labels: list[str]) -> None:
    """A value spelled like the totals row would be mistaken for it (and its count
    checked as a total): ask for it to be renamed instead of guessing."""
    if TOTAL_NAME in labels:
        raise CourseInputError(column, TOTAL_NAME,
                               f"values other than {TOTAL_NAME!r}, which names the totals row of a count",
                               hint=f"Rename that value in your file (for example to '{TOTAL_NAME} (value)') "
                                    "and choose the file again.")


def _label_text(values: pd.Series) -> pd.Series:
    """Values as count labels: yes/no for flags, MISSING_LABEL for a missing value."""
    if str(values.dtype) == "boolean":
        values = values.map({True: "yes", False: "no"}, na_action="ignore")
    return values.astype("object").where(values.notna(), MISSING_LABEL).astype(str)


def _months(frame: pd.DataFrame, spec: dict[str, ExportColumn]) -> pd.DataFrame:
    """A YYYY-MM column for each date column, for counts by month (dates are dropped)."""
    for name in [c for c in frame.columns if spec.get(c) and spec[c].kind == "date"]:
        dates = frame[name].to_numpy(dtype="datetime64[us]")
        # Dates are checked to lie in 1900-2100, so numpy's ISO text is YYYY-MM.
        months = np.datetime_as_string(dates.astype("datetime64[M]"), unit="M").astype(object)
        months[np.isnat(dates)] = None
        frame[name.removesuffix("_date") + "_month"] = pd.Series(months, index=frame.index, dtype="str")
    return frame


@contextlib.contextmanager
def _without_cycle_collection():
    """Pause Python's cycle collector, then restore it as it was.

    Why: reading a file makes a list of cells per row (over a million small objects for a
    14 MB export) and no reference cycles, yet each pass of the collector walks them all,
    so the parse grew faster than the file (about half of it, at 100,000 rows, was the
    collector). Memory is still freed by reference counting."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_export(source: object, table: str) -> OwnData:
    """Read, check and de-identify one agency export (see the module docstring).

    ``source``: a path or the file's bytes (from an upload). ``table``: "members",
    "referrals" or "services". Raises ``CourseInputError`` (``ExportProblems`` when
    the file has problems in its rows, listing all of them).
    """
    table = _check_table(table)
    with _without_cycle_collection():
        return _load_export(source, table)


def _load_export(source: object, table: str) -> OwnData:
    spec = EXPORT_COLUMNS[table]
    data, label = _read_bytes(source)
    text, notes = _decode(data, label)
    rows = _parse_rows(text, label)
    # Skip rows that are entirely empty (blank lines, often at the end of a file).
    # Row numbers count from 1 (the spreadsheet's numbers).
    numbers = [number for number, row in enumerate(rows, 1) if any(map(str.strip, row))]
    if not numbers:
        raise _fail(label, "file", "an empty file", "a CSV export with a header row and at least one data row")
    header, body = rows[numbers[0] - 1], numbers[1:]
    kept, identifiers, unknown, problems = _header(header, table, label)
    if not body:
        problems.append(Problem("file", "a header row and no data rows", "at least one data row", row=None))
        raise ExportProblems(label, problems)
    width = len(header)
    good = []  # numbers of the rows with one cell per column
    for number in body:
        count = len(rows[number - 1])
        if count != width:
            problems.append(Problem(f"row {number:,}", f"{count} cells", f"{width} (one per column in the header)",
                                    row=number))
        else:
            good.append(number)
    # The cells as a grid (rows x columns, every row has ``width`` cells), read by column.
    cells = np.array([rows[number - 1] for number in good], dtype=object) if good else np.empty((0, width), object)
    row_numbers = np.array(good, dtype=np.int64)
    grid, texts = _grid_codes(cells)
    cell_problems: list[Problem] = []
    frame = pd.DataFrame({name: _parse_column(*_column_codes(grid, texts, position), spec[name], row_numbers,
                                              cell_problems)
                          for position, name in kept.items()}, index=pd.RangeIndex(len(good)))
    problems += cell_problems
    if len(frame):
        problems += _schema_problems_of_suspect_rows(frame, table, row_numbers, cell_problems)
    if problems:
        column_order = {name: i for i, name in enumerate(spec)}
        problems.sort(key=lambda p: (p.row or 0, column_order.get(p.column, -1)))
        raise ExportProblems(label, problems)

    # De-identify: age band, drop direct identifiers, pseudonymise ids.
    if "birth_date" in frame:
        age = frame["agency_intake_date"].dt.year - frame["birth_date"].dt.year - (
            (frame["agency_intake_date"].dt.month * 100 + frame["agency_intake_date"].dt.day)
            < (frame["birth_date"].dt.month * 100 + frame["birth_date"].dt.day)).astype("int64")
        frame.insert(0, "age_band", _age_band(age))
        frame = frame.drop(columns="birth_date")
        identifiers = ["birth_date (kept as an age band at intake)", *identifiers]
    frame = _months(frame, spec)
    ids = [name for name in frame.columns if spec.get(name) and spec[name].kind == "id"]
    for name in ids:
        frame[name] = _pseudonyms(frame[name])
    synthetic = bool("synthetic" in frame and frame["synthetic"].fillna(False).all())
    if identifiers:
        notes.append("Dropped direct identifier columns (their values were never kept): " + ", ".join(identifiers) + ".")
    if unknown:
        notes.append("Dropped columns the course does not use (their values were never read): " + ", ".join(unknown) + ".")
    if ids:
        notes.append("Replaced ids by keyed hashes (HMAC-SHA256, key kept in memory only): " + ", ".join(ids) + ".")
    return OwnData(table=table, frame=frame, identifiers_dropped=tuple(identifiers), unknown_dropped=tuple(unknown),
                   pseudonymised=tuple(ids), notes=tuple(notes), synthetic=synthetic, source=label)


def columns_table(table: str) -> pd.DataFrame:
    """The export format of one table, for people: column, required, what to put in it."""
    spec = EXPORT_COLUMNS[_check_table(table)]
    rows = []
    for c in spec.values():
        expected = ("one of: " + ", ".join(c.values)) if c.kind == "category" else EXPECTED[c.kind]
        if c.kind == "count" and c.low is not None:
            expected = f"a whole number, {_range_text(c)}"
        rows.append({"column": c.name, "required": "yes" if c.required else "no",
                     "what to put in it": expected, "meaning": c.description})
    return pd.DataFrame(rows)


def example_path(table: str = "members") -> Path:
    """The committed synthetic export of a table (``data/examples``)."""
    return EXAMPLES_DIR / f"synthetic-agency-export-{_check_table(table)}.csv"


# Columns of the committed synthetic examples: the export format plus some direct
# identifiers, so the demonstration shows them being dropped.
EXAMPLE_EXTRA = {"members": ["plan_member_id", "first_name", "last_name", "phone", "email"], "referrals": [], "services": []}


def write_examples(world=None, out_dir: str | Path | None = None) -> list[Path]:
    """Write the synthetic export examples from the synthetic world (all rows synthetic)."""
    from calaim_course.synthetic import load_world

    world = world if world is not None else load_world()
    out = Path(out_dir) if out_dir is not None else EXAMPLES_DIR
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in TABLES:
        frame = getattr(world, table)
        columns = [c for c in frame.columns if c in EXPORT_COLUMNS[table] or c in EXAMPLE_EXTRA[table]]
        path = out / f"synthetic-agency-export-{table}.csv"
        frame[columns].to_csv(path, index=False, lineterminator="\n", date_format="%Y-%m-%d", encoding="utf-8")
        paths.append(path)
    return paths


__all__ = ["EXPORT_COLUMNS", "ExportProblems", "IDENTIFIER_COLUMNS", "MAX_BYTES", "OwnData", "Problem", "TABLES",
           "columns_table", "example_path", "export_schema", "forget_key", "load_export", "safe_count",
           "write_examples"]


if __name__ == "__main__":  # python -m calaim_course.own_data: regenerate data/examples
    for written in write_examples():
        print(written.name)
