"""Small-cell suppression: hand-worked examples and property tests.

Rules (CalHHS Data De-identification Guidelines, section 4.4,
https://kb.data.chhs.ca.gov/ddg/4.-statistical-de-identification/4.4-statistical-masking):
counts 1-10 hidden, zeros shown, complementary suppression, and one more cell when the
hidden values of a row or column add up to less than 11 or are all 3 or less.

The property tests attack every result the way a reader could: by solving rows and
columns one at a time from the totals (``peel_attack``), and by any combination of
rows and columns (``linear_attack``, written independently of the module's own check).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calaim_course.errors import CourseInputError
from calaim_course.suppression import (
    SMALL_CELL_MAX,
    SUPPRESSED_LABEL,
    SuppressedTable,
    suppress_counts,
    suppress_for_display,
    suppress_statistics,
    suppression_note,
)

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def with_margins(interior: pd.DataFrame, rows: bool = True, columns: bool = True) -> pd.DataFrame:
    table = interior.copy()
    if columns:
        table["Total"] = table.sum(axis=1)
    if rows:
        table.loc["Total"] = table.sum(axis=0)
    return table


def hidden_labels(result: SuppressedTable) -> set:
    mask = result.mask
    if isinstance(mask, pd.Series):
        return set(mask.index[mask.to_numpy()])
    return {(r, c) for r in mask.index for c in mask.columns if mask.loc[r, c]}


# ------------------------------------------------------------------ hand-worked, 1-D


def test_series_without_total_hides_small_count_and_smallest_other():
    # 5 is hidden (1-10). The total of members is treated as known (stated elsewhere),
    # so one more count is hidden: the smallest non-zero one, 40. The zero stays shown.
    counts = pd.Series([5, 40, 120, 0], index=["a", "b", "c", "d"], name="members")
    result = suppress_counts(counts)
    assert hidden_labels(result) == {"a", "b"}
    assert result.shown["c"] == 120 and result.shown["d"] == 0
    assert result.n_primary == 1 and result.n_complementary == 1
    assert suppress_for_display(result)["members"].tolist() == [SUPPRESSED_LABEL, SUPPRESSED_LABEL, "120", "0"]


def test_series_with_total_keeps_total_shown():
    counts = pd.Series([5, 40, 120, 0, 165], index=["a", "b", "c", "d", "Total"])
    result = suppress_counts(counts)
    assert result.has_total_row
    assert hidden_labels(result) == {"a", "b"}
    assert result.shown["Total"] == 165


def test_primary_only_when_complementary_off():
    result = suppress_counts(pd.Series([5, 40, 120]), complementary=False)
    assert hidden_labels(result) == {0}


def test_boundaries_1_to_10_hidden_0_and_11_shown():
    counts = pd.Series([0, 1, 10, 11, 500])
    result = suppress_counts(counts, complementary=False)
    assert result.primary.tolist() == [False, True, True, False, False]
    assert SMALL_CELL_MAX == 10


def test_ddg_extra_rule_sum_below_11_hides_one_more():
    # 2 and 3 are hidden; together they add up to 5 (< 11), and a reader knowing the
    # total could compute that sum, so the DDG asks for one more: 40 (smallest shown).
    result = suppress_counts(pd.Series([2, 3, 40, 100]))
    assert hidden_labels(result) == {0, 1, 2}
    assert hidden_labels(suppress_counts(pd.Series([2, 3, 40, 100]), complementary=False)) == {0, 1}


def test_ddg_extra_rule_all_hidden_values_3_or_less():
    # Four 3s add up to 12 (>= 11) but every hidden value is <= 3: hide one more (50).
    counts = pd.Series([3, 3, 3, 3, 50, 62], index=["a", "b", "c", "d", "e", "Total"])
    result = suppress_counts(counts)
    assert hidden_labels(result) == {"a", "b", "c", "d", "e"}
    assert result.shown["Total"] == 62


def test_lone_count_next_to_zeros_is_reported_unresolved():
    # Nothing else to hide: the note must warn rather than pretend it is protected.
    result = suppress_counts(pd.Series([5, 0, 0], index=["a", "b", "c"]))
    assert hidden_labels(result) == {"a"}
    assert result.unresolved == (("series", None),)
    assert "could not be fully protected" in suppression_note(result)


def test_small_total_is_hidden_with_its_only_count():
    counts = pd.Series([5, 0, 0, 5], index=["a", "b", "c", "Total"])
    result = suppress_counts(counts)
    assert hidden_labels(result) == {"a", "Total"}
    assert result.unresolved == ()


# ------------------------------------------------------------------ hand-worked, 2-D


def test_crosstab_rows_then_columns():
    interior = pd.DataFrame(
        {"x": [3, 20, 50], "y": [40, 2, 60], "z": [30, 30, 7]}, index=["p", "q", "r"]
    )
    result = suppress_counts(with_margins(interior))
    # Primary: (p,x)=3, (q,y)=2, (r,z)=7. Rows first: p hides z=30 (smallest of 40, 30),
    # q hides x=20, r hides x=50. Then column y has one hidden cell: it hides (p,y)=40.
    expected = {("p", "x"), ("q", "y"), ("r", "z"), ("p", "z"), ("q", "x"), ("r", "x"), ("p", "y")}
    assert hidden_labels(result) == expected
    assert result.n_primary == 3 and result.n_complementary == 4
    assert result.shown.loc["Total"].tolist() == [73, 102, 67, 242]
    assert suppression_note(result) == (
        "3 cells with counts from 1 to 10 are hidden, and 4 more are hidden so the hidden "
        "counts cannot be worked out from the totals (CalHHS Data De-identification "
        'Guidelines). Hidden cells show as "suppressed".'
    )


def test_crosstab_ddg_extra_rule():
    interior = pd.DataFrame(
        {"x": [2, 30, 30], "y": [3, 30, 30], "z": [40, 30, 30]}, index=["a", "b", "c"]
    )
    result = suppress_counts(with_margins(interior))
    # Row a: 2 + 3 = 5 < 11, so (a,z)=40 too. Each column then has one hidden cell and
    # hides its smallest shown cell, ties to the first row: b.
    expected = {("a", "x"), ("a", "y"), ("a", "z"), ("b", "x"), ("b", "y"), ("b", "z")}
    assert hidden_labels(result) == expected
    assert result.shown.loc["c"].tolist() == [30, 30, 30, 90]


def test_total_hidden_when_it_is_the_only_way():
    table = pd.DataFrame(
        {"x": [5, 20, 25], "y": [0, 30, 30], "Total": [5, 50, 55]}, index=["a", "b", "Total"]
    )
    result = suppress_counts(table)
    # Column y has one hidden cell (b,y) and only a zero beside it: its total is hidden.
    # That starts a chain through the totals; the zero and the grand total stay shown.
    shown = suppress_for_display(result)
    assert shown.loc["a", "y"] == "0"
    assert shown.loc["Total", "Total"] == "55"
    assert result.n_suppressed == 7
    assert result.n_complementary_totals == 3
    assert "including 3 totals" in suppression_note(result)


def test_exact_check_catches_a_cell_linking_two_groups():
    # Found by search: after the row-and-column rule, the hidden 3 at (s, z) links two
    # separate groups of hidden cells, so rows p and s minus columns x and y give it
    # exactly. The exact check also hides (p, z) = 12, which closes the gap.
    interior = pd.DataFrame(
        [[12, 8, 12, 15], [30, 60, 1, 20], [30, 30, 8, 5], [1, 8, 3, 100]],
        index=["p", "q", "r", "s"], columns=["x", "y", "z", "w"],
    )
    table = with_margins(interior, rows=True, columns=False)
    result = suppress_counts(table)
    assert ("s", "z") in hidden_labels(result)
    assert ("p", "z") in hidden_labels(result)
    assert linear_attack(table.to_numpy(), result.mask.to_numpy(), True, False, True) == set()


def test_frame_with_pandas_crosstab_margins_named_all():
    rng = np.random.default_rng(7)
    data = pd.DataFrame({"plan": rng.choice(["A", "B", "C"], 200), "service": rng.choice(["ECM", "CS"], 200)})
    table = pd.crosstab(data["plan"], data["service"], margins=True)
    result = suppress_counts(table)
    assert result.has_total_row and result.has_total_column
    assert not result.mask.to_numpy().any()  # every count here is well above 10
    assert suppression_note(result).startswith("No counts are hidden")


def test_already_suppressed_cells_are_kept_and_completed():
    counts = pd.Series([50, 40, 120, 210], index=["a", "b", "c", "Total"])
    asked = pd.Series([False, False, True, False], index=counts.index)
    result = suppress_counts(counts, already_suppressed=asked)
    assert hidden_labels(result) == {"b", "c"}
    assert result.n_requested == 1
    assert "to match a related table" in suppression_note(result)


def test_to_long_for_charts():
    interior = pd.DataFrame({"x": [3, 20], "y": [40, 50]}, index=["p", "q"])
    interior.index.name, interior.columns.name = "plan", "service"
    long = suppress_counts(with_margins(interior)).to_long()
    assert list(long.columns) == ["plan", "service", "count", "suppressed"]
    assert len(long) == 4  # totals left out
    hidden = long[long["suppressed"]]
    assert hidden["count"].isna().all()
    assert set(zip(hidden["plan"], hidden["service"])) == {("p", "x"), ("q", "x"), ("p", "y"), ("q", "y")}


def test_repr_does_not_show_hidden_values():
    result = suppress_counts(pd.Series([7, 40, 120], index=["a", "b", "c"]))
    text = repr(result)
    assert "7" not in text.replace("SuppressedTable", "") and "40" not in text
    assert "120" in text


# ---------------------------------------------------------------- derived statistics


def test_statistics_on_hidden_cells_are_blanked():
    interior = pd.DataFrame({"x": [3, 20, 50], "y": [40, 25, 60]}, index=["p", "q", "r"])
    table = with_margins(interior)
    result = suppress_counts(table)
    percent = table.div(table["Total"], axis=0) * 100
    blanked = suppress_statistics(percent, result)
    assert blanked.isna().to_numpy().tolist() == result.mask.to_numpy().tolist()
    assert blanked.loc["r", "y"] == pytest.approx(100 * 60 / 110)


def test_statistics_with_hidden_denominator_are_blanked():
    # Row a's total (5) is hidden; a shown row percentage would reveal it.
    table = pd.DataFrame(
        {"x": [5, 20, 25], "y": [0, 30, 30], "Total": [5, 50, 55]}, index=["a", "b", "Total"]
    )
    result = suppress_counts(table)
    percent = table.div(table["Total"], axis=0) * 100
    blanked = suppress_statistics(percent, result, denominator="row")
    assert blanked.loc["a"].isna().all()


def test_statistics_subset_of_labels_and_series():
    result = suppress_counts(pd.Series([5, 40, 120, 165], index=["a", "b", "c", "Total"]))
    means = pd.Series([1.5, 2.0], index=["a", "c"], name="visits per member")
    out = suppress_statistics(means, result)
    assert math.isnan(out["a"]) and out["c"] == 2.0 and out.name == "visits per member"


@pytest.mark.parametrize(
    "stats, denominator, field",
    [
        (pd.Series([1.0], index=["zzz"]), None, "stats rows"),
        (pd.Series(["high"], index=["a"]), None, "stats"),
        (pd.Series([1.0], index=["a"]), "row", "denominator"),
        (pd.DataFrame({"count": [1.0]}, index=["a"]), None, "stats"),
    ],
)
def test_statistics_bad_input(stats, denominator, field):
    result = suppress_counts(pd.Series([5, 40, 120], index=["a", "b", "c"]))
    with pytest.raises(CourseInputError) as error:
        suppress_statistics(stats, result, denominator=denominator)
    assert error.value.field == field


# --------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "table, field, expected_words",
    [
        (pd.Series([5, -1, 20], index=["a", "b", "c"]), "entry 'b'", "0 or more"),
        (pd.Series([5, 2.5, 20], index=["a", "b", "c"]), "entry 'b'", "whole number"),
        (pd.Series([5, np.nan, 20], index=["a", "b", "c"]), "entry 'b'", "use 0 for none"),
        (pd.Series([5, np.inf, 20], index=["a", "b", "c"]), "entry 'b'", "finite"),
        (pd.Series([5, None, 20], index=["a", "b", "c"], dtype="Int64"), "entry 'b'", "use 0"),
        (pd.Series(["5", "x"]), "table", "whole-number counts"),
        (pd.Series([True, False]), "table", "whole-number counts"),
        (pd.Series([], dtype="int64"), "table", "at least one count"),
        (pd.Series([5, 6, 12], index=["a", "b", "Total"]), "entry 'Total'", "11"),
        (pd.DataFrame({"x": [1, 2], "y": ["a", "b"]}), "column 'y'", "whole-number"),
        (pd.DataFrame({"x": [1, 2]}, index=["a", "a"]), "row labels", "each row label once"),
        (
            pd.DataFrame({"x": [20, 30, 50], "Total": [20, 31, 51]}, index=["a", "b", "Total"]),
            "row 'b', column 'Total'", "30",
        ),
        (
            pd.DataFrame({"x": [20, 30, 51], "Total": [20, 30, 51]}, index=["a", "b", "Total"]),
            "row 'Total', column 'x'", "50",
        ),
        ([1, 2, 3], "table", "pandas"),
        (pd.Series([10**16]), "entry 0", "at most"),
    ],
)
def test_bad_tables_name_the_cell_and_what_is_expected(table, field, expected_words):
    with pytest.raises(CourseInputError) as error:
        suppress_counts(table)
    assert error.value.field == field
    assert expected_words in str(error.value)


@pytest.mark.parametrize(
    "options, field",
    [
        ({"complementary": "yes"}, "complementary"),
        ({"margins": "auto"}, "margins"),
        ({"implicit_totals": 1}, "implicit_totals"),
        ({"already_suppressed": [True, False, False]}, "already_suppressed"),
        ({"already_suppressed": np.array([True, False])}, "already_suppressed"),
    ],
)
def test_bad_options(options, field):
    with pytest.raises(CourseInputError) as error:
        suppress_counts(pd.Series([5, 40, 120]), **options)
    assert error.value.field == field


def test_asking_to_hide_a_zero_is_refused():
    with pytest.raises(CourseInputError, match="zeros left shown"):
        suppress_counts(pd.Series([0, 40, 120]), already_suppressed=np.array([True, False, False]))


def test_suppressing_a_result_again_is_refused():
    result = suppress_counts(pd.Series([5, 40, 120]))
    with pytest.raises(CourseInputError, match="original counts"):
        suppress_counts(result)
    # The shown table has gaps, which are not counts.
    with pytest.raises(CourseInputError):
        suppress_counts(result.shown)


def test_note_needs_a_result():
    with pytest.raises(CourseInputError):
        suppression_note(pd.Series([1, 2]))


# ------------------------------------------------------------------------- attackers


def known_lines(values: np.ndarray, total_row: bool, total_col: bool, implicit: bool):
    """Yield (cells, total_cell or None, true sum) for each row and column with a known total."""
    n_rows, n_cols = values.shape
    part_cols = list(range(n_cols - 1 if total_col else n_cols))
    part_rows = list(range(n_rows - 1 if total_row else n_rows))
    for i in range(n_rows):
        if total_col or (implicit and len(part_cols) >= 2):
            yield [(i, j) for j in part_cols], ((i, n_cols - 1) if total_col else None)
    for j in range(n_cols):
        if total_row or (implicit and len(part_rows) >= 2):
            yield [(i, j) for i in part_rows], ((n_rows - 1, j) if total_row else None)


def peel_attack(values, mask, total_row, total_col, implicit) -> dict:
    """Solve hidden cells one row or column at a time, reusing what was solved."""
    known = {(i, j): int(values[i, j]) for i, j in zip(*np.nonzero(~mask))}
    solved = {}
    lines = list(known_lines(values, total_row, total_col, implicit))
    progress = True
    while progress:
        progress = False
        for parts, total in lines:
            # An implicit total is what the reader knows from elsewhere: the true sum.
            line_total = known.get(total) if total else sum(int(values[c]) for c in parts)
            unknown = [c for c in parts if c not in known]
            if line_total is None and len(unknown) == 0:
                known[total] = solved[total] = sum(known[c] for c in parts)
                progress = True
            elif line_total is not None and len(unknown) == 1:
                cell = unknown[0]
                known[cell] = solved[cell] = line_total - sum(known[c] for c in parts if c != cell)
                progress = True
    for cell, value in solved.items():  # the attacker's arithmetic is right
        assert value == values[cell]
    return solved


def solvable(mask, lines) -> set:
    """Hidden cells that some combination of the known ``lines`` fixes (rank test).

    ``lines`` are (cells, total cell or None) pairs whose sums the reader knows.
    """
    hidden = [tuple(c) for c in np.argwhere(mask)]
    index = {cell: k for k, cell in enumerate(hidden)}
    rows = []
    for parts, total in lines:
        row = np.zeros(len(hidden))
        for cell in parts:
            if cell in index:
                row[index[cell]] = 1
        if total is not None and total in index:
            row[index[total]] = -1
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)
    found = set()
    for cell, k in index.items():
        probe = np.zeros(len(hidden))
        probe[k] = 1
        if np.linalg.matrix_rank(np.vstack([system, probe])) == rank:
            found.add(cell)
    return found


def linear_attack(values, mask, total_row, total_col, implicit) -> set:
    """Hidden cells fixed by some combination of rows and columns (rank test)."""
    return solvable(mask, known_lines(values, total_row, total_col, implicit))


# ------------------------------------------------------------------ property tests

COUNTS = st.one_of(st.just(0), st.integers(1, 3), st.integers(1, 10), st.integers(11, 60), st.integers(61, 500))


@st.composite
def count_tables(draw):
    """A Series or crosstab of counts, with many small values, optionally with totals."""
    if draw(st.booleans()):
        n = draw(st.integers(1, 7))
        interior = pd.DataFrame({"count": draw(st.lists(COUNTS, min_size=n, max_size=n))},
                                index=[f"r{i}" for i in range(n)])
        table = with_margins(interior, rows=draw(st.booleans()), columns=False)["count"]
        return table
    n_rows, n_cols = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    cells = draw(st.lists(st.lists(COUNTS, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows))
    interior = pd.DataFrame(cells, index=[f"r{i}" for i in range(n_rows)], columns=[f"c{j}" for j in range(n_cols)])
    return with_margins(interior, rows=draw(st.booleans()), columns=draw(st.booleans()))


def as_grid(result: SuppressedTable, table) -> tuple[np.ndarray, np.ndarray, bool, bool]:
    values = table.to_numpy().reshape(len(table), -1).astype(np.int64)
    mask = np.asarray(result.mask).reshape(values.shape)
    return values, mask, result.has_total_row, result.has_total_column


@PROPERTY_SETTINGS
@given(count_tables())
def test_property_no_small_count_shown_and_zeros_never_hidden(table):
    result = suppress_counts(table)
    values, mask, _, _ = as_grid(result, table)
    assert not (~mask & (values >= 1) & (values <= 10)).any()
    assert not (mask & (values == 0)).any()
    shown = np.asarray(result.shown.astype("float64")).reshape(values.shape)
    assert np.array_equal(np.isnan(shown), mask)
    assert np.array_equal(shown[~mask], values[~mask])  # shown counts are unchanged
    display = np.asarray(suppress_for_display(result)).reshape(values.shape)
    assert ((display == SUPPRESSED_LABEL) == mask).all()


@PROPERTY_SETTINGS
@given(count_tables())
def test_property_no_hidden_cell_can_be_worked_out(table):
    result = suppress_counts(table)
    values, mask, total_row, total_col = as_grid(result, table)
    lines = list(known_lines(values, total_row, total_col, True))
    # Rows and columns whose total is known: 0 or at least 2 hidden cells (the total
    # included), unless the result reports that row or column as unresolved.
    # A cell the exact check could not protect only ever follows from a row or column
    # that could not be protected (its value then leaks through other totals).
    axes = {axis for axis, _ in result.unresolved}
    assert "cell" not in axes or axes - {"cell"}, result.unresolved
    for parts, total in lines:
        members = parts + ([total] if total else [])
        n_hidden = sum(mask[c] for c in members)
        if n_hidden == 1:
            assert result.unresolved, f"one hidden cell alone in {members}"
            # Unresolved only when nothing else in the line could be hidden.
            assert all(mask[c] or values[c] == 0 for c in parts)
            assert total is None or mask[total]
    if not result.unresolved:
        assert peel_attack(values, mask, total_row, total_col, True) == {}
        assert linear_attack(values, mask, total_row, total_col, True) == set()


@PROPERTY_SETTINGS
@given(count_tables())
def test_property_ddg_extra_rule(table):
    result = suppress_counts(table)
    if result.unresolved:
        return
    values, mask, total_row, total_col = as_grid(result, table)
    for parts, total in known_lines(values, total_row, total_col, True):
        if total is not None and mask[total]:
            continue  # the sum of the hidden cells cannot be computed from this line
        hidden = [int(values[c]) for c in parts if mask[c]]
        if hidden:
            assert sum(hidden) >= 11 and max(hidden) > 3, (parts, hidden)


@PROPERTY_SETTINGS
@given(count_tables())
def test_property_idempotent_and_deterministic(table):
    once = suppress_counts(table)
    again = suppress_counts(table, already_suppressed=once.mask)
    assert np.array_equal(np.asarray(once.mask), np.asarray(again.mask))
    assert np.array_equal(np.asarray(suppress_counts(table).mask), np.asarray(once.mask))
    # Everything hidden the first time is taken as asked for; nothing new is added.
    assert again.n_requested == once.n_complementary and again.n_complementary == 0


@PROPERTY_SETTINGS
@given(count_tables())
def test_property_primary_only_hides_exactly_1_to_10(table):
    result = suppress_counts(table, complementary=False)
    values = table.to_numpy().reshape(len(table), -1)
    mask = np.asarray(result.mask).reshape(values.shape)
    assert np.array_equal(mask, (values >= 1) & (values <= 10))


ANY_VALUE = st.one_of(
    st.integers(-5, 60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=3),
    st.none(),
    st.booleans(),
    st.just(10**20),
)


@st.composite
def messy_tables(draw):
    n_rows, n_cols = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    cells = [[draw(ANY_VALUE) for _ in range(n_cols)] for _ in range(n_rows)]
    labels = st.sampled_from(["a", "b", "Total", "All", 0, 1])
    index = [draw(labels) for _ in range(n_rows)]
    columns = [draw(labels) for _ in range(n_cols)]
    frame = pd.DataFrame(cells, index=index, columns=columns) if n_cols else pd.DataFrame(index=index)
    kind = draw(st.sampled_from(["frame", "series", "numeric"]))
    if kind == "series" and n_cols:
        return frame.iloc[:, 0]
    if kind == "numeric":
        return frame.apply(pd.to_numeric, errors="coerce")
    return frame


@PROPERTY_SETTINGS
@given(messy_tables(), st.sampled_from([None, True, False]))
def test_property_any_input_gives_result_or_course_error(table, margins):
    try:
        result = suppress_counts(table, margins=margins)
    except CourseInputError as error:
        assert error.field and error.expected
        return
    values = table.to_numpy().reshape(len(table), -1).astype(np.int64)
    mask = np.asarray(result.mask).reshape(values.shape)
    assert not (~mask & (values >= 1) & (values <= 10)).any()
    assert isinstance(suppression_note(result), str)


def test_note_warns_when_complementary_suppression_is_off():
    result = suppress_counts(pd.Series([5, 40, 120]), complementary=False)
    assert "not for sharing" in suppression_note(result)
    assert "not for sharing" not in suppression_note(suppress_counts(pd.Series([5, 40, 120])))
