"""Small-cell suppression for every count about people that the course shows.

The rules follow the CalHHS Data De-Identification Guidelines (DDG), section 4.4,
"Statistical masking":
https://kb.data.chhs.ca.gov/ddg/4.-statistical-de-identification/4.4-statistical-masking

1. Primary suppression: hide every count from 1 to 10 (the DDG says "less than 11,
   excluding 0"). Zeros are always shown. Totals are counts too, so a total from 1 to
   10 is hidden as well.
2. Complementary suppression: hide more cells so that no hidden cell can be worked out
   from the totals. In every row and every column whose total is known, the number of
   hidden cells (the total included) is 0 or at least 2.
3. The DDG's extra rule: in a row or column whose total is shown, if the hidden values
   add up to less than 11, or every hidden value is 3 or less, hide one more cell.
4. Statistics (percentages, rates, means) computed on a hidden cell are hidden too
   (``suppress_statistics``).

Design choices (documented here because they change what a learner sees):

- Complementary cells are chosen deterministically: the smallest non-zero shown cell of
  the row or column that needs one, ties broken by position (first row, then first
  column). A zero is never hidden.
- After the row-and-column rule, an exact check looks for hidden cells that can still be
  worked out by combining several rows and columns (for example one hidden cell that
  links two separate groups of hidden cells: adding and subtracting their rows and
  columns isolates it). For each one, the smallest shown cell that prevents it is hidden
  too, and the rules run again until nothing changes. The check covers exact recovery;
  it does not compute how narrow a range a reader could place a hidden count in beyond
  what the DDG extra rule already covers.
- A total is hidden only when it is the only way: the row or column has no shown
  non-zero cell left to hide.
- Totals that the table does not show are treated as known to the reader
  (``implicit_totals=True``): the number of members is usually stated in the text or in
  another chart. Set it to False only when no total of these counts is published.
- When a row or column cannot be protected (a hidden count whose only neighbours are
  zeros and whose total is not in the table), the result lists it in ``unresolved`` and
  ``suppression_note`` says so: do not publish that total anywhere.
- The display marker is one label for every hidden cell, whatever the reason, so a reader
  cannot tell a small count from a complementary one (a "<11" label would be false for
  complementary cells and would point at the small ones).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from calaim_course.errors import CourseInputError

SMALL_CELL_MAX = 10  # counts 1..10 are hidden (DDG: "less than 11, excluding 0")
SUPPRESSED_LABEL = "suppressed"
DDG_NAME = "CalHHS Data De-identification Guidelines"
DDG_URL = "https://kb.data.chhs.ca.gov/ddg/4.-statistical-de-identification/4.4-statistical-masking"
# DDG extra rule thresholds: hidden values in a line must add up to at least 11, and
# at least one of them must be above 3.
_EXTRA_RULE_MIN_SUM = SMALL_CELL_MAX + 1
_EXTRA_RULE_MAX_SMALL = 3
# Larger numbers are not counts of people (and floats lose whole-number precision).
MAX_COUNT = 10**15
TOTAL_LABELS = frozenset({"total", "totals", "all", "grand total"})

__all__ = [
    "DDG_URL",
    "MAX_COUNT",
    "SMALL_CELL_MAX",
    "SUPPRESSED_LABEL",
    "SuppressedTable",
    "suppress_counts",
    "suppress_for_display",
    "suppress_statistics",
    "suppression_note",
]


@dataclass(frozen=True)
class SuppressedTable:
    """The result of ``suppress_counts``: safe to show, with the hiding explained.

    ``shown``: the counts with hidden cells as ``<NA>`` (nullable ``Int64``), same shape
    and labels as the input (a Series stays a Series). ``mask``: True where hidden, for
    any reason. ``primary``: True where hidden because the count is 1 to 10.
    ``requested``: True where hidden because the caller asked (``already_suppressed``).
    ``has_total_row`` / ``has_total_column``: whether the last row / column is a total
    (a Series' total is its last entry, reported as ``has_total_row``).
    ``unresolved``: what could not be protected, as ``("row" | "column", label)``,
    ``("series", name)`` or ``("cell", (row, column))``; empty when all is protected.
    ``complementary``: False when only primary suppression was applied (teaching only).
    """

    shown: pd.DataFrame | pd.Series
    mask: pd.DataFrame | pd.Series
    primary: pd.DataFrame | pd.Series
    requested: pd.DataFrame | pd.Series
    has_total_row: bool
    has_total_column: bool
    unresolved: tuple[tuple[str, object], ...] = ()
    complementary: bool = True

    @property
    def is_series(self) -> bool:
        return isinstance(self.shown, pd.Series)

    def _total_mask(self) -> np.ndarray:
        """True for the cells that are totals (margins)."""
        mask = np.zeros(self.mask.shape, dtype=bool)
        if self.has_total_row:
            mask[-1, ...] = True
        if self.has_total_column and not self.is_series:
            mask[:, -1] = True
        return mask

    @property
    def n_primary(self) -> int:
        """Cells hidden because their count is 1 to 10."""
        return int(np.asarray(self.primary).sum())

    @property
    def n_complementary(self) -> int:
        """Cells with a count of 11 or more hidden so the small ones cannot be worked out."""
        extra = np.asarray(self.mask) & ~np.asarray(self.primary) & ~np.asarray(self.requested)
        return int(extra.sum())

    @property
    def n_complementary_totals(self) -> int:
        """How many of the complementary cells are totals."""
        extra = np.asarray(self.mask) & ~np.asarray(self.primary) & ~np.asarray(self.requested)
        return int((extra & self._total_mask()).sum())

    @property
    def n_requested(self) -> int:
        """Cells of 11 or more hidden because the caller asked (to match another table)."""
        return int((np.asarray(self.requested) & ~np.asarray(self.primary)).sum())

    @property
    def n_suppressed(self) -> int:
        return int(np.asarray(self.mask).sum())

    def to_long(self, include_totals: bool = False) -> pd.DataFrame:
        """One row per cell, for charts: label column(s), ``count`` (<NA> if hidden), ``suppressed``.

        Charts either drop the rows where ``suppressed`` is True or draw them grey, and
        say so (``suppression_note``). Totals are left out unless ``include_totals``.
        """
        keep = np.ones(self.mask.shape, dtype=bool) if include_totals else ~self._total_mask()
        if self.is_series:
            name = self.shown.index.name or "category"
            out = pd.DataFrame({
                name: self.shown.index,
                "count": self.shown.array,
                "suppressed": self.mask.to_numpy(),
            })
            return out[keep].reset_index(drop=True)
        row_name = self.shown.index.name or "row"
        col_name = self.shown.columns.name or "column"
        n_rows, n_cols = self.shown.shape
        out = pd.DataFrame({
            row_name: np.repeat(np.asarray(self.shown.index, dtype=object), n_cols),
            col_name: np.tile(np.asarray(self.shown.columns, dtype=object), n_rows),
            "count": pd.array(
                [self.shown.iat[i, j] for i in range(n_rows) for j in range(n_cols)], dtype="Int64"
            ),
            "suppressed": self.mask.to_numpy().ravel(),
        })
        return out[keep.ravel()].reset_index(drop=True)

    def __repr__(self) -> str:  # show only what is safe to show
        return f"SuppressedTable({self.n_suppressed} hidden)\n{suppress_for_display(self)}"


# --------------------------------------------------------------------------- validation


def _cell_name(table: pd.DataFrame, i: int, j: int, is_series: bool) -> str:
    if is_series:
        return f"entry {table.index[i]!r}"
    return f"row {table.index[i]!r}, column {table.columns[j]!r}"


def _is_total_label(label: object) -> bool:
    return isinstance(label, str) and label.strip().casefold() in TOTAL_LABELS


def _validate_counts(table: object) -> tuple[pd.DataFrame, np.ndarray, bool]:
    """Check the table is whole-number counts; return it as a frame, its int64 values, is_series."""
    if isinstance(table, SuppressedTable):
        raise CourseInputError(
            "table", "a table that is already suppressed",
            "the original counts (suppress once, then reuse the result)",
        )
    if not isinstance(table, (pd.Series, pd.DataFrame)):
        raise CourseInputError(
            "table", type(table).__name__, "a pandas Series or DataFrame of counts"
        )
    is_series = isinstance(table, pd.Series)
    frame = table.to_frame(name=table.name if table.name is not None else "count") if is_series else table
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise CourseInputError("table", "an empty table", "at least one count")
    if not frame.index.is_unique:
        dup = frame.index[frame.index.duplicated()][0]
        raise CourseInputError("row labels", f"{dup!r} more than once", "each row label once")
    if not frame.columns.is_unique:
        dup = frame.columns[frame.columns.duplicated()][0]
        raise CourseInputError("column labels", f"{dup!r} more than once", "each column label once")
    columns = []
    for j, column in enumerate(frame.columns):
        series = frame.iloc[:, j]
        dtype = series.dtype
        where = "table" if is_series else f"column {column!r}"
        if (
            not pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_complex_dtype(dtype)
        ):
            raise CourseInputError(where, f"values of type {dtype}", "whole-number counts (numbers, not text or true/false)")
        columns.append(series.to_numpy(dtype="float64", na_value=np.nan))
    values = np.column_stack(columns)
    checks = (
        (np.isnan(values), "a missing value", "a count; use 0 for none"),
        (~np.isfinite(values), "an infinite value", "a finite count"),
        (values < 0, "a negative number", "a count of 0 or more"),
        (values != np.floor(values), "a fraction", "a whole number"),
        (values > MAX_COUNT, "a number that is too large", f"a count of at most {MAX_COUNT:,}"),
    )
    for bad, what, expected in checks:
        if bad.any():
            i, j = map(int, np.argwhere(bad)[0])
            raise CourseInputError(_cell_name(frame, i, j, is_series), f"{what} ({values[i, j]!r})", expected)
    # Floats are exact below MAX_COUNT (< 2**53), so this conversion loses nothing.
    return frame, values.astype(np.int64), is_series


def _detect_margins(frame: pd.DataFrame, margins: bool | None, is_series: bool) -> tuple[bool, bool]:
    if margins is None:
        total_row = frame.shape[0] >= 2 and _is_total_label(frame.index[-1])
        total_col = (not is_series) and frame.shape[1] >= 2 and _is_total_label(frame.columns[-1])
        return total_row, total_col
    if is_series:
        if margins and frame.shape[0] < 2:
            raise CourseInputError("margins", True, "a series with at least one count before its total")
        return bool(margins), False
    if margins and (frame.shape[0] < 2 or frame.shape[1] < 2):
        raise CourseInputError(
            "margins", True, "a table with at least one row and one column before the totals"
        )
    return bool(margins), bool(margins)


def _check_totals(frame: pd.DataFrame, values: np.ndarray, total_row: bool, total_col: bool, is_series: bool) -> None:
    """Totals must equal the sum of the cells they total (the totals row included)."""
    if total_col:
        sums = values[:, :-1].sum(axis=1)
        bad = np.flatnonzero(sums != values[:, -1])
        if bad.size:
            i = int(bad[0])
            raise CourseInputError(
                _cell_name(frame, i, values.shape[1] - 1, is_series), int(values[i, -1]),
                f"the sum of the row's other cells, {int(sums[i])}",
            )
    if total_row:
        sums = values[:-1, :].sum(axis=0)
        bad = np.flatnonzero(sums != values[-1, :])
        if bad.size:
            j = int(bad[0])
            raise CourseInputError(
                _cell_name(frame, values.shape[0] - 1, j, is_series), int(values[-1, j]),
                "the sum of the entries above it, " + str(int(sums[j])) if not is_series
                else f"the sum of the other entries, {int(sums[j])}",
            )


def _validate_requested(already_suppressed: object, frame: pd.DataFrame, values: np.ndarray, is_series: bool) -> np.ndarray:
    if already_suppressed is None:
        return np.zeros(values.shape, dtype=bool)
    if isinstance(already_suppressed, SuppressedTable):
        already_suppressed = already_suppressed.mask
    if isinstance(already_suppressed, pd.Series):
        if not is_series or not already_suppressed.index.equals(frame.index):
            raise CourseInputError("already_suppressed", "labels that differ from the table's", "a mask with the table's labels")
        arr = already_suppressed.to_numpy().reshape(-1, 1)
    elif isinstance(already_suppressed, pd.DataFrame):
        if is_series or not (already_suppressed.index.equals(frame.index) and already_suppressed.columns.equals(frame.columns)):
            raise CourseInputError("already_suppressed", "labels that differ from the table's", "a mask with the table's labels")
        arr = already_suppressed.to_numpy()
    elif isinstance(already_suppressed, np.ndarray):
        arr = already_suppressed.reshape(-1, 1) if already_suppressed.ndim == 1 else already_suppressed
    else:
        raise CourseInputError("already_suppressed", type(already_suppressed).__name__, "a True/False mask shaped like the table, or None")
    if arr.shape != values.shape or arr.dtype != bool:
        raise CourseInputError(
            "already_suppressed", f"shape {arr.shape}, type {arr.dtype}",
            f"a True/False mask of shape {values.shape}",
        )
    zero = arr & (values == 0)
    if zero.any():
        i, j = map(int, np.argwhere(zero)[0])
        raise CourseInputError(
            f"already_suppressed, {_cell_name(frame, i, j, is_series)}", "a zero marked to hide",
            "zeros left shown (the DDG never suppresses a zero)",
        )
    return arr.copy()


# ------------------------------------------------------------------------------ the rules


def _lines_needing_more(values: np.ndarray, mask: np.ndarray, has_total: bool, implicit: bool) -> np.ndarray:
    """For each row of ``values`` (a line), True if it needs one more hidden cell.

    The last column is the line's total when ``has_total``; otherwise the total is
    implicit (known to the reader when ``implicit`` and the line has 2+ cells).
    """
    parts = values[:, :-1] if has_total else values
    hidden_parts = mask[:, :-1] if has_total else mask
    n_parts = parts.shape[1]
    if has_total:
        constrained = np.ones(values.shape[0], dtype=bool)
        total_hidden = mask[:, -1]
    else:
        constrained = np.full(values.shape[0], implicit and n_parts >= 2)
        total_hidden = np.zeros(values.shape[0], dtype=bool)
    k = hidden_parts.sum(axis=1)
    hidden_values = np.where(hidden_parts, parts, 0)
    hidden_sum = hidden_values.sum(axis=1)
    hidden_max = hidden_values.max(axis=1)
    # Rule 2: exactly one unknown in a line with a known total can be solved.
    lone = (k + total_hidden) == 1
    # Rule 3 (DDG extra rule) applies where the total is known, so the sum of the hidden
    # cells can be computed as total minus shown cells.
    weak = ~total_hidden & (k >= 1) & (
        (hidden_sum < _EXTRA_RULE_MIN_SUM) | (hidden_max <= _EXTRA_RULE_MAX_SMALL)
    )
    return constrained & (lone | weak)


def _pick_cell(values: np.ndarray, mask: np.ndarray, has_total: bool) -> int | None:
    """Index in the line of the complementary cell: smallest shown non-zero part, else the total."""
    n_parts = values.size - 1 if has_total else values.size
    parts = values[:n_parts]
    candidates = ~mask[:n_parts] & (parts > 0)
    if candidates.any():
        # argmin returns the first position among ties: deterministic.
        return int(np.argmin(np.where(candidates, parts, np.iinfo(np.int64).max)))
    if has_total and not mask[-1] and values[-1] > 0:
        return values.size - 1  # the only way left: hide the total
    return None


def _complete_lines(
    values: np.ndarray, mask: np.ndarray, total_row: bool, total_col: bool, implicit: bool,
    stuck_rows: np.ndarray, stuck_cols: np.ndarray,
) -> None:
    """Add complementary cells (in place) until no row or column needs more; rows first.

    Each step fixes the first row that needs a cell, or when none does, the first column.
    Hiding cell (i, j) changes only row i and column j, so only their needs are worked
    out again (a table with thousands of rows then takes thousands of small steps, not
    thousands of passes over the whole table).
    """
    rows_need = _lines_needing_more(values, mask, total_col, implicit)
    cols_need = _lines_needing_more(values.T, mask.T, total_row, implicit)

    def hide(i: int, j: int) -> None:
        mask[i, j] = True
        rows_need[i] = _lines_needing_more(values[i : i + 1], mask[i : i + 1], total_col, implicit)[0]
        cols_need[j] = _lines_needing_more(values.T[j : j + 1], mask.T[j : j + 1], total_row, implicit)[0]

    # Each step hides one cell or marks one line stuck, so this ends within cells + lines.
    while True:
        rows = rows_need & ~stuck_rows
        if rows.any():
            i = int(np.argmax(rows))
            j = _pick_cell(values[i], mask[i], total_col)
            if j is None:
                stuck_rows[i] = True
            else:
                hide(i, j)
            continue
        cols = cols_need & ~stuck_cols
        if cols.any():
            j = int(np.argmax(cols))
            i = _pick_cell(values[:, j], mask[:, j], total_row)
            if i is None:
                stuck_cols[j] = True
            else:
                hide(i, j)
            continue
        return


def _equation_ends(
    rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], total_row: bool, total_col: bool, implicit: bool,
) -> tuple[np.ndarray, np.ndarray, int]:
    """The hidden cells at ``rows``, ``cols`` as edges of a graph whose vertices are the known sums.

    The reader knows one sum per row (and per column) with a known total: the row's
    hidden parts minus its hidden total equal a number the reader can compute. Vertex i
    stands for row i's sum, vertex n_rows + j for column j's, and the last vertex,
    n_rows + n_cols, for "no known sum". A hidden cell is an edge between the two sums
    it appears in, or from its one sum to the last vertex, or a loop on the last vertex
    when it appears in none. Returns both ends of each edge and the number of vertices.
    """
    n_rows, n_cols = shape
    none = n_rows + n_cols
    # Whether a line's sum is known depends only on the table's shape and totals (a line
    # without hidden cells is a vertex without edges, which changes nothing).
    row_sums_known = total_col or (implicit and n_cols >= 2)
    col_sums_known = total_row or (implicit and n_rows >= 2)
    row_end = rows if row_sums_known else np.full(len(rows), none)
    col_end = n_rows + cols if col_sums_known else np.full(len(cols), none)
    return np.asarray(row_end, dtype=np.int64), np.asarray(col_end, dtype=np.int64), none + 1


def _bridges(ends_a: np.ndarray, ends_b: np.ndarray, n_vertices: int) -> np.ndarray:
    """True for each edge (ends_a[k], ends_b[k]) that lies on no cycle (Tarjan's bridge search).

    Parallel edges and loops are allowed: an edge is skipped only as the very edge the
    search came in by, so two parallel edges form a cycle. Iterative, so any size works.
    """
    n_edges = len(ends_a)
    ends = np.concatenate([ends_a, ends_b])
    order = np.argsort(ends, kind="stable")
    first = np.searchsorted(ends[order], np.arange(n_vertices + 1)).tolist()
    neighbour = np.concatenate([ends_b, ends_a])[order].tolist()
    edge_of = np.concatenate([np.arange(n_edges), np.arange(n_edges)])[order].tolist()
    found = [-1] * n_vertices  # discovery time
    low = [0] * n_vertices     # earliest discovery time reachable without the edge in
    bridge = [False] * n_edges
    clock = 0
    for root in range(n_vertices):
        if found[root] != -1 or first[root] == first[root + 1]:
            continue
        found[root] = low[root] = clock
        clock += 1
        path = [root]           # vertices on the search path
        came_by = [-1]          # the edge each one was reached by
        next_at = [first[root]]  # its next adjacency position to look at
        while path:
            x = path[-1]
            at = next_at[-1]
            if at < first[x + 1]:
                next_at[-1] = at + 1
                y, edge = neighbour[at], edge_of[at]
                if edge == came_by[-1]:
                    continue
                if found[y] == -1:
                    found[y] = low[y] = clock
                    clock += 1
                    path.append(y)
                    came_by.append(edge)
                    next_at.append(first[y])
                elif found[y] < low[x]:
                    low[x] = found[y]
                continue
            path.pop()
            edge = came_by.pop()
            next_at.pop()
            if path:
                parent = path[-1]
                if low[x] < low[parent]:
                    low[parent] = low[x]
                if low[x] > found[parent]:
                    bridge[edge] = True
    return np.array(bridge, dtype=bool)


def _components(ends_a: np.ndarray, ends_b: np.ndarray, n_vertices: int) -> np.ndarray:
    """A label for each vertex: equal labels exactly when joined by a path (union-find)."""
    parent = list(range(n_vertices))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(ends_a.tolist(), ends_b.tolist()):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    return np.array([root(x) for x in range(n_vertices)], dtype=np.int64)


def _determined(mask: np.ndarray, total_row: bool, total_col: bool, implicit: bool) -> np.ndarray:
    """True for each hidden cell (row-major) whose exact value follows from the known totals.

    A hidden cell is determined exactly when every solution of the known sums
    (``_equation_ends``) gives it the same value: when its unit vector lies in the row
    space of those equations. Each hidden cell appears in at most two of them, its row's
    and its column's, with a coefficient of +1, or -1 where it is that line's total.
    Multiplying by -1 the equations of the total row and of every column but the total
    column, and the unknowns of the total row and of the total column (the grand total
    twice), changes no cell's being determined, and leaves every cell that is in two
    equations with +1 in its row's and -1 in its column's: the incidence matrix of a
    directed graph (one vertex per known sum, one edge per hidden cell, and a vertex for
    "no known sum" whose equation is left out). The row space of an incidence matrix is
    made of the vectors orthogonal to every cycle, so a cell is determined exactly when
    its edge lies on no cycle: when it is a bridge. This is exact, with no rounding, and
    its time grows with the number of hidden cells, where a singular value
    decomposition's grows with its cube.
    """
    rows, cols = np.nonzero(mask)  # row-major order, like the rest of the rules
    ends_a, ends_b, n_vertices = _equation_ends(rows, cols, mask.shape, total_row, total_col, implicit)
    return _bridges(ends_a, ends_b, n_vertices)


def _protect_cell(
    values: np.ndarray, mask: np.ndarray, target: tuple[int, int],
    total_row: bool, total_col: bool, implicit: bool,
) -> tuple[int, int] | None:
    """The smallest shown non-zero cell whose hiding stops ``target`` being worked out.

    ``target`` is determined, so its edge is a bridge (``_determined``): without it, its
    two ends fall in two separate parts of the graph. Hiding another cell adds its edge;
    the target is then no longer determined exactly when that edge joins those two
    parts (the target then lies on a cycle). So every candidate is checked at once.
    """
    shown = np.argwhere(~mask & (values > 0))
    # Smallest value first, then position: deterministic, and hides as little as possible.
    order = np.lexsort((shown[:, 1], shown[:, 0], values[~mask & (values > 0)]))
    shown = shown[order]
    rows, cols = np.nonzero(mask)
    ends_a, ends_b, n_vertices = _equation_ends(rows, cols, mask.shape, total_row, total_col, implicit)
    position = int(mask[: target[0]].sum() + mask[target[0], : target[1]].sum())
    others = np.arange(len(rows)) != position
    part = _components(ends_a[others], ends_b[others], n_vertices)
    side_a, side_b = part[ends_a[position]], part[ends_b[position]]
    new_a, new_b = _equation_ends(shown[:, 0], shown[:, 1], mask.shape, total_row, total_col, implicit)[:2]
    joins = ((part[new_a] == side_a) & (part[new_b] == side_b)) | ((part[new_a] == side_b) & (part[new_b] == side_a))
    if side_a == side_b:  # never for a determined target; kept so any call stays correct
        joins[:] = True
    if not joins.any():
        return None
    i, j = shown[int(np.argmax(joins))]
    return int(i), int(j)


def _complete(
    values: np.ndarray, mask: np.ndarray, total_row: bool, total_col: bool, implicit: bool,
) -> tuple[np.ndarray, list[tuple[str, object]]]:
    """Complementary suppression, iterated until stable.

    Step 1, the DDG rule on each row and column (``_complete_lines``). Step 2, an exact
    check: a hidden cell can also be worked out by combining several rows and columns
    (for example a single hidden cell linking two separate groups of hidden cells); if
    one can, hide the smallest cell that prevents it, and go back to step 1.
    """
    mask = mask.copy()
    stuck_rows = np.zeros(values.shape[0], dtype=bool)
    stuck_cols = np.zeros(values.shape[1], dtype=bool)
    stuck_cells: set[tuple[int, int]] = set()
    while True:
        _complete_lines(values, mask, total_row, total_col, implicit, stuck_rows, stuck_cols)
        hidden = np.argwhere(mask)
        determined = _determined(mask, total_row, total_col, implicit)
        targets = [
            (int(i), int(j)) for (i, j), d in zip(hidden, determined)
            if d and not stuck_rows[i] and not stuck_cols[j] and (int(i), int(j)) not in stuck_cells
        ]
        if not targets:
            break
        fix = _protect_cell(values, mask, targets[0], total_row, total_col, implicit)
        if fix is None:
            stuck_cells.add(targets[0])
        else:
            mask[fix] = True
    unresolved: list[tuple[str, object]] = [("row", int(i)) for i in np.flatnonzero(stuck_rows)]
    unresolved += [("column", int(j)) for j in np.flatnonzero(stuck_cols)]
    unresolved += [("cell", cell) for cell in sorted(stuck_cells)]
    return mask, unresolved


def suppress_counts(
    table: pd.DataFrame | pd.Series,
    *,
    complementary: bool = True,
    margins: bool | None = None,
    implicit_totals: bool = True,
    already_suppressed: pd.DataFrame | pd.Series | np.ndarray | SuppressedTable | None = None,
) -> SuppressedTable:
    """Hide counts from 1 to 10, then hide more cells so none can be worked out.

    ``table``: a Series of counts (optionally ending with its total) or a crosstab
    (optionally with a totals row last and/or a totals column last, as
    ``pandas.crosstab(..., margins=True)`` makes).
    ``margins``: None detects totals by label ("Total", "All"); True says the last row
    and column (or the Series' last entry) are totals; False says there are none.
    ``complementary``: False applies primary suppression only (not safe to publish
    where totals are known; for teaching the difference).
    ``implicit_totals``: treat totals the table does not show as known to the reader.
    ``already_suppressed``: cells to hide as well (for example to match a linked table).

    Raises ``CourseInputError`` for anything that is not a table of whole-number counts,
    or whose totals do not add up.
    """
    for name, flag in (("complementary", complementary), ("implicit_totals", implicit_totals)):
        if not isinstance(flag, (bool, np.bool_)):
            raise CourseInputError(name, flag, "True or False")
    if margins is not None and not isinstance(margins, (bool, np.bool_)):
        raise CourseInputError("margins", margins, "True, False or None (detect a 'Total' or 'All' label)")
    frame, values, is_series = _validate_counts(table)
    total_row, total_col = _detect_margins(frame, margins, is_series)
    _check_totals(frame, values, total_row, total_col, is_series)
    requested = _validate_requested(already_suppressed, frame, values, is_series)

    primary = (values >= 1) & (values <= SMALL_CELL_MAX)
    mask = primary | requested
    unresolved_idx: list[tuple[str, int]] = []
    if complementary:
        mask, unresolved_idx = _complete(values, mask, total_row, total_col, bool(implicit_totals))
    labels = {
        "row": lambda k: frame.index[k],
        "column": lambda k: frame.columns[k],
        "cell": lambda k: (frame.index[k[0]], frame.columns[k[1]]),
    }
    unresolved = tuple((axis, labels[axis](k)) for axis, k in unresolved_idx)
    if is_series:  # a Series is one column, so its only line is the whole series
        unresolved = (("series", table.name),) if unresolved else ()

    shown = pd.DataFrame(
        {j: pd.array(np.where(mask[:, j], None, values[:, j]).tolist(), dtype="Int64")
         for j in range(values.shape[1])},
        index=frame.index,
    )
    shown.columns = frame.columns

    def shaped(arr: np.ndarray) -> pd.DataFrame | pd.Series:
        df = pd.DataFrame(arr, index=frame.index, columns=frame.columns)
        return df.iloc[:, 0].rename(table.name) if is_series else df

    return SuppressedTable(
        shown=shown.iloc[:, 0].rename(table.name) if is_series else shown,
        mask=shaped(mask),
        primary=shaped(primary),
        requested=shaped(requested),
        has_total_row=total_row,
        has_total_column=total_col,
        unresolved=unresolved,
        complementary=bool(complementary),
    )


# ----------------------------------------------------------------------------- display


def suppress_for_display(table: pd.DataFrame | pd.Series | SuppressedTable, **options) -> pd.DataFrame:
    """A table of strings for people to read: counts with thousands separators, hidden cells as ``SUPPRESSED_LABEL``.

    Pass raw counts (``options`` go to ``suppress_counts``) or a ``SuppressedTable``.
    A Series becomes a one-column DataFrame.
    """
    result = table if isinstance(table, SuppressedTable) else suppress_counts(table, **options)
    if result.is_series:
        shown = result.shown.to_frame(name="count" if result.shown.name is None else result.shown.name)
    else:
        shown = result.shown
    return shown.apply(
        lambda column: column.map(lambda v: SUPPRESSED_LABEL if v is pd.NA else f"{int(v):,}").astype(object)
    )


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def suppression_note(result: SuppressedTable) -> str:
    """A plain-language sentence (or two) saying what was hidden and why."""
    if not isinstance(result, SuppressedTable):
        raise CourseInputError("result", type(result).__name__, "the result of suppress_counts")
    source = f"({DDG_NAME})"
    if result.n_suppressed == 0:
        return f"No counts are hidden: none is between 1 and {SMALL_CELL_MAX} {source}."
    parts = []
    if result.n_primary:
        verb = "is" if result.n_primary == 1 else "are"
        parts.append(
            f"{_plural(result.n_primary, 'cell', 'cells')} with counts from 1 to {SMALL_CELL_MAX} {verb} hidden"
        )
    if result.n_complementary:
        totals = result.n_complementary_totals
        including = f" (including {_plural(totals, 'total', 'totals')})" if totals else ""
        verb = "is" if result.n_complementary == 1 else "are"
        count = (
            f"{result.n_complementary} more" if result.n_primary
            else _plural(result.n_complementary, "cell", "cells")
        )
        parts.append(
            f"{count}{including} {verb} hidden so the hidden counts cannot be worked out from the totals"
        )
    if result.n_requested:
        verb = "is" if result.n_requested == 1 else "are"
        parts.append(f"{result.n_requested} more {verb} hidden to match a related table")
    sentence = ", and ".join(parts) if len(parts) <= 2 else ", ".join(parts[:-1]) + ", and " + parts[-1]
    note = f"{sentence[0].upper()}{sentence[1:]} {source}. Hidden cells show as \"{SUPPRESSED_LABEL}\"."
    if not result.complementary:
        note += (
            " Only counts from 1 to 10 were hidden, so some may be worked out from the"
            " totals: this version is for learning, not for sharing."
        )
    if result.unresolved:
        lines = [(axis, label) for axis, label in result.unresolved if axis != "cell"]
        cells = [label for axis, label in result.unresolved if axis == "cell"]
        if lines:
            names = ", ".join("the table" if axis == "series" else f"{axis} {label!r}" for axis, label in lines)
            note += (
                f" Warning: {names} could not be fully protected because there is no other"
                " non-zero count to hide; do not publish its total anywhere."
            )
        if cells:
            names = ", ".join(f"row {r!r}, column {c!r}" for r, c in cells)
            note += (
                f" Warning: the hidden count in {names} could still be worked out from the"
                " totals; do not publish this table."
            )
    return note


# ------------------------------------------------------------------------- statistics


def suppress_statistics(
    stats: pd.DataFrame | pd.Series,
    result: SuppressedTable,
    *,
    denominator: str | None = None,
) -> pd.DataFrame | pd.Series:
    """Blank (NaN) the percentages, rates or means computed on hidden cells (DDG 4.4).

    ``stats`` has the same labels as the counts (all of them or a subset, for example
    without the totals). ``denominator``: "row", "column" or "total" when the statistic
    divides by that total; a shown percentage of a hidden total would reveal the total,
    so those are blanked too. For a Series use None or "total".
    """
    if not isinstance(result, SuppressedTable):
        raise CourseInputError("result", type(result).__name__, "the result of suppress_counts")
    allowed = (None, "total") if result.is_series else (None, "row", "column", "total")
    if denominator not in allowed:
        raise CourseInputError("denominator", denominator, " or ".join(repr(a) for a in allowed))
    if result.is_series != isinstance(stats, pd.Series) or not isinstance(stats, (pd.Series, pd.DataFrame)):
        kind = "Series" if result.is_series else "DataFrame"
        raise CourseInputError("stats", type(stats).__name__, f"a pandas {kind} like the counts")
    # Work on 2-D frames with the counts' column labels (a Series is one column).
    mask = result.mask.to_frame() if result.is_series else result.mask
    frame = stats.to_frame(name=mask.columns[0]) if result.is_series else stats
    if not frame.index.is_unique or len(frame.index.difference(mask.index)):
        found = list(frame.index.difference(mask.index)[:3]) or "repeated labels"
        raise CourseInputError("stats rows", found, "labels found in the counts table, each once")
    if not frame.columns.is_unique or len(frame.columns.difference(mask.columns)):
        found = list(frame.columns.difference(mask.columns)[:3]) or "repeated labels"
        raise CourseInputError("stats columns", found, "labels found in the counts table, each once")
    for j, column in enumerate(frame.columns):
        dtype = frame.iloc[:, j].dtype
        if (
            not pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_bool_dtype(dtype)
            or pd.api.types.is_complex_dtype(dtype)
        ):
            where = "stats" if result.is_series else f"stats column {column!r}"
            raise CourseInputError(where, f"values of type {dtype}", "numbers")

    hide = mask.to_numpy().copy()
    # A shown statistic whose denominator is a hidden total would reveal that total.
    if denominator == "row" and result.has_total_column:
        hide |= hide[:, [-1]]
    elif denominator == "column" and result.has_total_row:
        hide |= hide[[-1], :]
    elif denominator == "total" and result.has_total_row and (result.has_total_column or result.is_series):
        hide |= hide[-1, -1]
    hide_frame = pd.DataFrame(hide, index=mask.index, columns=mask.columns).loc[frame.index, frame.columns]
    out = frame.astype("float64").mask(hide_frame.to_numpy())
    return out.iloc[:, 0].rename(stats.name) if result.is_series else out
