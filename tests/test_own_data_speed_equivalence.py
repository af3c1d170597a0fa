"""The fast "use your own data" loader and counts give exactly what the straightforward
versions gave.

The fast loader checks each distinct cell text once (not each cell), runs pandera only on
the rows a quick pre-check says may fail, hashes each distinct id once, and counts with
numpy instead of ``pd.crosstab``. The reference functions below are the straightforward
versions (every cell through pandas string methods, pandera on every row, one HMAC
object per id, crosstab). Each test compares everything a learner can see: the whole
message (every problem, in order, with the first-100 rule), or the loaded frame, its
notes, and the suppressed counts.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calaim_course import own_data as od
from calaim_course.errors import CourseInputError
from calaim_course.own_data import ExportProblems, OwnData, Problem
from calaim_course.suppression import suppress_counts, suppress_for_display, suppression_note
from calaim_course.widgets.own_data import counts_html

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "own_data"
FIXTURE_FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix == ".csv")


# ---------------------------------------------------------- the straightforward versions


def reference_parse_column(raw, column, rows, problems):
    text = raw.str.strip()
    present = text.ne("")
    bad = pd.Series(False, index=raw.index)

    def report(mask, found, expected):
        for i in mask[mask].index:
            value = text.at[i]
            problems.append(Problem(f"row {rows.at[i]:,}, column {column.name}",
                                    found(value) if callable(found) else found, expected,
                                    row=int(rows.at[i]), column=column.name))
        bad.loc[mask] = True

    too_long = present & text.str.len().gt(od.MAX_CELL_CHARS)
    report(too_long, lambda v: f"a cell of {len(v):,} characters", f"at most {od.MAX_CELL_CHARS} characters")
    ok = present & ~too_long
    if column.kind == "count":
        number = ok & text.str.match(od.WHOLE_NUMBER.pattern)
        formula = ok & ~number & text.str.startswith(od.FORMULA_STARTS)
    else:
        number = pd.Series(False, index=raw.index)
        formula = ok & text.str.startswith(od.FORMULA_STARTS)
    report(formula, lambda v: f"a spreadsheet formula (a cell starting with {v[0]!r}); it was not run",
           "a plain value: type the value itself, or leave the cell empty if there is none")
    ok = ok & ~formula
    if column.kind in ("id", "text", "category"):
        if column.kind == "id":
            long_id = ok & text.str.len().gt(64)
            report(long_id, "an identifier longer than 64 characters", od.EXPECTED["id"])
            ok = ok & ~long_id
        return text.where(ok).astype("str")
    if column.kind == "date":
        iso = ok & text.str.match(od.ISO_DATE.pattern)
        report(ok & ~iso, lambda v: od._shown(v, column), "a date written YYYY-MM-DD, for example 2025-07-03 "
               "(other orders such as 07/03/2025 are not guessed)")
        parsed = pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce")
        not_real = iso & parsed.isna()
        report(not_real, lambda v: (od._shown(v, column) if column.identifying else f"{v!r}, which is not a real date"),
               "a real calendar date written YYYY-MM-DD")
        outside = iso & parsed.notna() & ~parsed.between(pd.Timestamp(od.FIRST_DATE), pd.Timestamp(od.LAST_DATE))
        report(outside, lambda v: od._shown(v, column), f"a date from {od.FIRST_DATE:%Y} to {od.LAST_DATE:%Y}")
        return parsed.where(iso & ~not_real & ~outside).astype("datetime64[us]")
    if column.kind == "count":
        report(ok & ~number, lambda v: od._shown(v, column), "a whole number (digits only, no commas or decimals)")
        return pd.Series(pd.array([int(v) if n else pd.NA for v, n in zip(text, number)], dtype="Int64"),
                         index=raw.index)
    lower = text.str.lower()
    yes, no = ok & lower.isin(od.TRUE_WORDS), ok & lower.isin(od.FALSE_WORDS)
    report(ok & ~yes & ~no, lambda v: od._shown(v, column), od.EXPECTED["flag"])
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    out[yes] = True
    out[no] = False
    return out


def reference_pseudonyms(values):
    key = od._session_key()
    return pd.Series([od.PSEUDONYM_PREFIX + hmac.new(key, v.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
                      if isinstance(v, str) else pd.NA for v in values], index=values.index, dtype="str")


def reference_load_export(source, table):
    table = od._check_table(table)
    spec = od.EXPORT_COLUMNS[table]
    data, label = od._read_bytes(source)
    text, notes = od._decode(data, label)
    rows = od._parse_rows(text, label)
    kept_rows = [(n, r) for n, r in zip(range(1, len(rows) + 1), rows) if any(cell.strip() for cell in r)]
    if not kept_rows:
        raise od._fail(label, "file", "an empty file", "a CSV export with a header row and at least one data row")
    (_, header), body = kept_rows[0], kept_rows[1:]
    kept, identifiers, unknown, problems = od._header(header, table, label)
    if not body:
        problems.append(Problem("file", "a header row and no data rows", "at least one data row", row=None))
        raise ExportProblems(label, problems)
    width = len(header)
    good = []
    for number, row in body:
        if len(row) != width:
            problems.append(Problem(f"row {number:,}", f"{len(row)} cells", f"{width} (one per column in the header)",
                                    row=number))
        else:
            good.append((number, row))
    positions = list(kept)
    raw = pd.DataFrame([[row[p] for p in positions] for _, row in good], columns=[kept[p] for p in positions],
                       dtype="str") if good else pd.DataFrame({kept[p]: pd.Series(dtype="str") for p in positions})
    row_numbers = pd.Series([n for n, _ in good], dtype="int64")
    cell_problems = []
    frame = pd.DataFrame({name: reference_parse_column(raw[name], spec[name], row_numbers, cell_problems)
                          for name in raw.columns}, index=raw.index)
    position_of = {int(n): i for i, n in enumerate(row_numbers)}
    already = {(position_of[p.row], p.column) for p in cell_problems}
    problems += cell_problems
    problems += od._schema_problems(frame, table, row_numbers, already) if len(frame) else []
    if problems:
        problems.sort(key=lambda p: (p.row or 0, list(spec).index(p.column) if p.column in spec else -1))
        raise ExportProblems(label, problems)
    if "birth_date" in frame:
        age = frame["agency_intake_date"].dt.year - frame["birth_date"].dt.year - (
            (frame["agency_intake_date"].dt.month * 100 + frame["agency_intake_date"].dt.day)
            < (frame["birth_date"].dt.month * 100 + frame["birth_date"].dt.day)).astype("int64")
        frame.insert(0, "age_band", od._age_band(age))
        frame = frame.drop(columns="birth_date")
        identifiers = ["birth_date (kept as an age band at intake)", *identifiers]
    for name in [c for c in frame.columns if spec.get(c) and spec[c].kind == "date"]:
        frame[name.removesuffix("_date") + "_month"] = frame[name].dt.strftime("%Y-%m").astype("str")
    ids = [name for name in frame.columns if spec.get(name) and spec[name].kind == "id"]
    for name in ids:
        frame[name] = reference_pseudonyms(frame[name])
    synthetic = bool("synthetic" in frame and frame["synthetic"].fillna(False).all())
    if identifiers:
        notes.append("Dropped direct identifier columns (their values were never kept): " + ", ".join(identifiers) + ".")
    if unknown:
        notes.append("Dropped columns the course does not use (their values were never read): " + ", ".join(unknown) + ".")
    if ids:
        notes.append("Replaced ids by keyed hashes (HMAC-SHA256, key kept in memory only): " + ", ".join(ids) + ".")
    return OwnData(table=table, frame=frame, identifiers_dropped=tuple(identifiers), unknown_dropped=tuple(unknown),
                   pseudonymised=tuple(ids), notes=tuple(notes), synthetic=synthetic, source=label)


def reference_counts(data, by, and_by=None):
    first = data._labels(by).rename(by)
    if and_by is None:
        series = first.value_counts().sort_index()
        series.index.name = by
        return suppress_counts(series.rename("records"))
    return suppress_counts(pd.crosstab(first, data._labels(and_by).rename(and_by), margins=True, margins_name="Total"))


# ------------------------------------------------------------------------- comparing


def outcome(load, source, table):
    """What a learner sees from one load: the message and problems, or the data."""
    try:
        data = load(source, table)
    except CourseInputError as error:
        problems = [(p.where, p.found, p.expected, p.row, p.column) for p in getattr(error, "problems", [])]
        return ("refused", type(error).__name__, str(error), getattr(error, "lines", None), problems)
    return ("loaded", data)


def assert_same_outcome(source, table):
    fast, slow = outcome(od.load_export, source, table), outcome(reference_load_export, source, table)
    assert fast[0] == slow[0], (fast, slow)
    if fast[0] == "refused":
        assert fast == slow
        return fast
    a, b = fast[1], slow[1]
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    assert list(a.frame.dtypes.astype(str)) == list(b.frame.dtypes.astype(str))
    assert a.frame.equals(b.frame)
    for name in ("table", "identifiers_dropped", "unknown_dropped", "pseudonymised", "notes", "synthetic", "source"):
        assert getattr(a, name) == getattr(b, name), name
    assert repr(a) == repr(b)
    return fast


def assert_same_counts(data, by, and_by=None):
    columns = [by] if and_by is None else [by, and_by]
    if any((data._labels(column) == "Total").any() for column in columns):
        # The original gave pandas' margins error (or a confusing one); now a clear message.
        with pytest.raises(CourseInputError, match="names the totals row"):
            data.counts(by, and_by)
        return
    slow = reference_counts(data, by, and_by)
    fast = data.counts(by, and_by)
    if slow.is_series:
        pd.testing.assert_series_equal(fast.shown, slow.shown, check_exact=True)
        assert fast.shown.index.dtype == slow.shown.index.dtype
    else:
        pd.testing.assert_frame_equal(fast.shown, slow.shown, check_exact=True)
        assert fast.shown.index.dtype == slow.shown.index.dtype
        assert fast.shown.columns.dtype == slow.shown.columns.dtype
    assert fast.shown.equals(slow.shown)
    assert np.array_equal(np.asarray(fast.mask), np.asarray(slow.mask))
    assert suppress_for_display(fast).equals(suppress_for_display(slow))
    assert suppression_note(fast) == suppression_note(slow)


def all_counts_agree(data):
    columns = data.count_columns()
    for by in columns:
        assert_same_counts(data, by)
        for and_by in columns:
            if and_by != by:
                assert_same_counts(data, by, and_by)


# ------------------------------------------------------------------------------ tests


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("table", od.TABLES)
def test_every_fixture_gets_the_same_message_or_data(path, table):
    assert_same_outcome(path, table)


@pytest.mark.parametrize("table", od.TABLES)
def test_the_course_examples_load_the_same_and_count_the_same(table):
    result = assert_same_outcome(od.example_path(table), table)
    assert result[0] == "loaded"
    all_counts_agree(result[1])


def test_counts_html_matches_the_reference_table(monkeypatch):
    data = od.load_export(od.example_path("members"), "members")
    pairs = (("age_band", None), ("housing_status", "age_band"), ("agency_intake_month", "ecm_eligible"))
    fast = [counts_html(data, by, and_by) for by, and_by in pairs]
    monkeypatch.setattr(OwnData, "counts", reference_counts)
    assert fast == [counts_html(data, by, and_by) for by, and_by in pairs]


# Cell values that exercise every check (and ones that look alike but are fine).
ODD_CELLS = [
    "", " ", "  padded  ", "=SUM(A1)", "+1", "-3", "-", "@home", "0", "007", "+12", "1,000", "1.5", "١٢",
    "9" * 15, "9" * 16, "2025-02-30", "2025-13-01", "1899-12-31", "2101-01-01", "1900-01-01", "2100-12-31",
    "07/03/2025", "2025-7-3", "٢٠٢٥-٠١-٠١", "0000-01-01", "0001-01-01", "9999-12-31", "1000-02-29", "2262-04-12",
    "yes", "No", "TRUE", "f", "maybe", "x" * 65, "y" * 501, "Total", "(missing)", "full_scope", "Full scope", "ecm",
    "Ünïcödé", "a\nb", "nan", "None",
]


def _corrupted(path: Path, seed: int, rate: float) -> bytes:
    """The example file with some cells, rows and lines spoiled at random."""
    rng = random.Random(seed)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    for i in range(len(frame)):
        for column in frame.columns:
            if rng.random() < rate:
                frame.iat[i, frame.columns.get_loc(column)] = rng.choice(
                    ODD_CELLS + [frame.iat[rng.randrange(len(frame)), frame.columns.get_loc(column)]])
    text = frame.to_csv(index=False, lineterminator="\n")
    out = text.splitlines()
    for _ in range(rng.randrange(4)):  # blank lines, ragged rows, a copied row (duplicate ids)
        at = rng.randrange(1, len(out))
        out.insert(at, rng.choice(["", ",,,", " ", out[at] + ",extra", out[at].rsplit(",", 1)[0], out[at]]))
    return ("\n".join(out) + "\n").encode("utf-8")


@pytest.mark.parametrize("seed", range(24))
def test_randomly_spoiled_exports_get_the_same_messages(seed):
    table = od.TABLES[seed % 3]
    path = od.example_path(table)
    rate = [0.0005, 0.003, 0.02, 0.2][seed % 4]
    content = _corrupted(path, seed, rate)
    if table == "services":  # keep the test quick: the first 600 services
        content = b"\n".join(content.split(b"\n")[:600]) + b"\n"
    result = assert_same_outcome(content, table)
    if result[0] == "loaded":
        all_counts_agree(result[1])


def test_more_than_100_problems_are_grouped_the_same_way():
    content = _corrupted(od.example_path("members"), 99, 0.3)
    result = assert_same_outcome(content, "members")
    assert result[0] == "refused" and len(result[4]) > od.MAX_PROBLEMS_LISTED
    assert any(" more in column " in line for line in result[3])


def test_duplicates_and_order_rules_found_by_the_quick_check_match_pandera():
    lines = od.example_path("referrals").read_bytes().split(b"\n")
    header, rows = lines[0], [r for r in lines[1:] if r]
    # Repeat referral ids far apart and make dates run backwards in a few rows.
    spoiled = rows[:] + [rows[5], rows[200], rows[5]]
    spoiled[10] = spoiled[10].replace(b"2025", b"2031", 1)
    content = b"\n".join([header, *spoiled]) + b"\n"
    result = assert_same_outcome(content, "referrals")
    assert result[0] == "refused" and "the same referral_id" in result[2]


def test_counts_agree_on_missing_values_flags_and_a_missing_label():
    frame = pd.DataFrame({
        "member_id": pd.Series(["PSN-1", "PSN-2", "PSN-3", "PSN-4", "PSN-5"], dtype="str"),
        "county": pd.Series(["Alameda", None, "(missing)", "Alameda", "Butte"], dtype="str"),
        "ecm_eligible": pd.array([True, None, False, True, True], dtype="boolean"),
        "housing_status": pd.Series(["housed", "housed", "unhoused", None, "housed"], dtype="str"),
    })
    data = OwnData("members", frame, (), (), ("member_id",), (), False)
    all_counts_agree(data)
    one_value = OwnData("members", frame.assign(county="Alameda"), (), (), ("member_id",), (), False)
    all_counts_agree(one_value)
    clash = OwnData("members", frame.assign(county=["Total", "a", "b", "c", "d"]), (), (), ("member_id",), (), False)
    all_counts_agree(clash)  # a clear message instead of crosstab's error


def test_a_file_with_one_suspect_row_reports_only_that_row():
    lines = od.example_path("members").read_bytes().split(b"\n")
    lines[150] = lines[150].replace(b"full_scope", b"Full scope", 1)
    result = assert_same_outcome(b"\n".join(lines), "members")
    assert result[0] == "refused" and "1 problem found" in result[2]


# Odd values that are still valid, by kind of column: these files load.
HARMLESS = {"text": ["", " Total ", "(missing)", "Ünïcödé", "nan", "  padded  "],
            "flag": ["", "yes", "No", "TRUE", "f", " 1 "], "count": ["", "007", "+12", " 3 "],
            "category": [], "date": [""], "id": []}


@pytest.mark.parametrize("seed", range(6))
def test_odd_but_valid_values_load_and_count_the_same(seed):
    table = od.TABLES[seed % 3]
    rng = random.Random(seed)
    frame = pd.read_csv(od.example_path(table), dtype=str, keep_default_na=False)
    if table == "services":
        frame = frame.head(600)
    for name in frame.columns:
        column = od.EXPORT_COLUMNS[table].get(name)
        if column is None or column.required or not HARMLESS[column.kind]:
            continue
        for i in range(len(frame)):
            if rng.random() < 0.3:
                frame.iat[i, frame.columns.get_loc(name)] = rng.choice(HARMLESS[column.kind])
    content = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    result = assert_same_outcome(content, table)
    assert result[0] == "loaded", result[2]
    all_counts_agree(result[1])


# Any small messy export (header from known and unknown names, odd cells, ragged rows,
# quotes, line breaks, CRLF, BOM): same message or same data as the reference.
CELL = st.one_of(
    st.sampled_from(["", " ", "0", "-3", "+5", "=1+1", "@x", "2025-07-03", "07/03/2025", "2025-02-30", "2024-13-01",
                     "1850-01-01", "true", "no", "maybe", "full_scope", "ecm", "inbound", "stably_housed",
                     "SYN-M-0000001", "SYN-M-0000002", '"', "a,b", "line\nbreak", "Total", "(missing)", "x" * 70]),
    st.text(max_size=8),
)


def valid_cell(table, name, i):
    column = od.EXPORT_COLUMNS[table].get(name)
    if column is None:
        return st.text(max_size=6)
    optional = [] if column.required else [""]
    if column.kind == "id":
        return st.sampled_from([f"SYN-{i}", f" SYN-{i} "] + ([] if column.unique else ["SYN-0"]) + optional)
    if column.kind == "date":  # birth and referral dates come first (the order rules)
        first = {"birth_date": ["1990-03-14", "1900-01-01"], "referral_date": ["2024-01-02", " 2024-02-29 "]}
        return st.sampled_from(first.get(name, ["2025-07-03", "2026-01-31", "2100-12-31"]) + optional)
    if column.kind == "category":
        return st.sampled_from(list(column.values) + optional)
    if column.kind == "count":
        return st.sampled_from(["1", "03", "+2", "12"] + optional)
    if column.kind == "flag":
        return st.sampled_from(["true", "No", "1", "f", "Y"] + optional)
    return st.sampled_from(["", "Total", "(missing)", "Alder County (fictional)", "b", "nan"])


@st.composite
def messy_exports(draw):
    table = draw(st.sampled_from(od.TABLES))
    required = [n for n, c in od.EXPORT_COLUMNS[table].items() if c.required]
    known = list(od.EXPORT_COLUMNS[table]) + ["first_name", "phone", "notes", ""]
    if draw(st.booleans()):  # every required column, and some others
        header = required + draw(st.lists(st.sampled_from([n for n in known if n not in required]), max_size=6,
                                          unique=True))
    else:
        header = draw(st.lists(st.sampled_from(known), min_size=1, max_size=8))
    n_rows = draw(st.integers(0, 8))
    spoil = draw(st.sampled_from([0.0, 0.05, 0.5]))  # share of odd cells (0: the file may well load)
    rows = [[draw(CELL) if draw(st.floats(0, 1)) < spoil else draw(valid_cell(table, name, i)) for name in header]
            + ([draw(CELL)] if draw(st.integers(0, 19)) == 0 else []) for i in range(n_rows)]
    out = io.StringIO()
    csv.writer(out, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([header, *rows])
    prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    return table, prefix + out.getvalue().encode("utf-8", errors="replace")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_exports())
def test_any_messy_export_gets_the_same_message_or_data(export):
    table, content = export
    result = assert_same_outcome(content, table)
    if result[0] == "loaded":
        all_counts_agree(result[1])
