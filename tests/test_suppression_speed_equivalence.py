"""The faster complementary suppression gives the same answers as the old one.

``suppression._determined`` used to write every known row and column sum as an equation
and take a full singular value decomposition (time and memory growing with the cube of
the number of hidden cells: it could not run on the completeness tables at 1,000,000
members). It now finds the bridges of a graph (one vertex per known sum, one edge per
hidden cell), which is exact. ``_protect_cell`` used to try every candidate with a new
decomposition; it now checks them all at once. ``_complete_lines`` used to go over the
whole table again after every cell it hid; it now updates the one row and column that
changed. The old functions are kept here, word for word, as the reference; every
decision (which cells are determined, which cell is hidden to protect one, and the
whole suppressed table) must be the same on many random tables. Privacy depends on
this: a difference could show a count that can be worked out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calaim_course import suppression
from calaim_course.suppression import suppress_counts
from test_suppression import count_tables, linear_attack, with_margins

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------- the old algorithm (reference)


def reference_known_sums(mask: np.ndarray, total_row: bool, total_col: bool, implicit: bool) -> np.ndarray:
    flat = np.full(mask.shape, -1)
    flat[mask] = np.arange(int(mask.sum()))
    equations = []
    for m, f, has_total in ((mask, flat, total_col), (mask.T, flat.T, total_row)):
        n_parts = m.shape[1] - 1 if has_total else m.shape[1]
        if not has_total and not (implicit and n_parts >= 2):
            continue
        for line_mask, line_idx in zip(m, f):
            if not line_mask.any():
                continue
            eq = np.zeros(int(mask.sum()))
            eq[line_idx[:n_parts][line_mask[:n_parts]]] = 1.0
            if has_total and line_mask[-1]:
                eq[line_idx[-1]] = -1.0
            equations.append(eq)
    return np.array(equations).reshape(len(equations), int(mask.sum()))


def reference_determined(mask: np.ndarray, total_row: bool, total_col: bool, implicit: bool) -> np.ndarray:
    n = int(mask.sum())
    equations = reference_known_sums(mask, total_row, total_col, implicit)
    if n == 0 or equations.shape[0] == 0:
        return np.zeros(n, dtype=bool)
    _, singular, vt = np.linalg.svd(equations)
    rank = int((singular > 1e-9 * max(singular.max(), 1.0)).sum())
    null_space = vt[rank:]
    return np.linalg.norm(null_space, axis=0) < 1e-9 if null_space.size else np.ones(n, dtype=bool)


def reference_protect_cell(values, mask, target, total_row, total_col, implicit):
    shown = np.argwhere(~mask & (values > 0))
    order = np.lexsort((shown[:, 1], shown[:, 0], values[~mask & (values > 0)]))
    for i, j in shown[order]:
        trial = mask.copy()
        trial[i, j] = True
        position = int(trial[: target[0]].sum() + trial[target[0], : target[1]].sum())
        if not reference_determined(trial, total_row, total_col, implicit)[position]:
            return int(i), int(j)
    return None


def reference_complete_lines(values, mask, total_row, total_col, implicit, stuck_rows, stuck_cols):
    while True:
        rows = suppression._lines_needing_more(values, mask, total_col, implicit) & ~stuck_rows
        if rows.any():
            i = int(np.argmax(rows))
            j = suppression._pick_cell(values[i], mask[i], total_col)
            if j is None:
                stuck_rows[i] = True
            else:
                mask[i, j] = True
            continue
        cols = suppression._lines_needing_more(values.T, mask.T, total_row, implicit) & ~stuck_cols
        if cols.any():
            j = int(np.argmax(cols))
            i = suppression._pick_cell(values[:, j], mask[:, j], total_row)
            if i is None:
                stuck_cols[j] = True
            else:
                mask[i, j] = True
            continue
        return


def old_algorithm(patch):
    patch.setattr(suppression, "_determined", reference_determined)
    patch.setattr(suppression, "_protect_cell", reference_protect_cell)
    patch.setattr(suppression, "_complete_lines", reference_complete_lines)


def reference_suppress(table, **options):
    """suppress_counts run with the old row-and-column rule and the old exact check."""
    with pytest.MonkeyPatch.context() as patch:
        old_algorithm(patch)
        return suppress_counts(table, **options)


def assert_same_result(fast, slow):
    assert np.array_equal(np.asarray(fast.mask), np.asarray(slow.mask))
    assert np.array_equal(np.asarray(fast.primary), np.asarray(slow.primary))
    assert fast.unresolved == slow.unresolved
    assert (fast.has_total_row, fast.has_total_column) == (slow.has_total_row, slow.has_total_column)
    pd.testing.assert_frame_equal(suppression.suppress_for_display(fast), suppression.suppress_for_display(slow))
    assert suppression.suppression_note(fast) == suppression.suppression_note(slow)


# ------------------------------------------------------------- random masks


@st.composite
def masks(draw):
    """Any pattern of hidden cells, with whole rows or columns hidden now and then."""
    n_rows, n_cols = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    density = draw(st.sampled_from([0.1, 0.3, 0.5, 0.8, 1.0]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    mask = rng.random((n_rows, n_cols)) < density
    if draw(st.booleans()):
        mask[rng.integers(n_rows), :] = True
    if draw(st.booleans()):
        mask[:, rng.integers(n_cols)] = True
    return mask, draw(st.booleans()), draw(st.booleans()), draw(st.booleans())


@SETTINGS
@given(masks())
def test_determined_matches_the_decomposition(case):
    mask, total_row, total_col, implicit = case
    assert np.array_equal(suppression._determined(mask, total_row, total_col, implicit),
                          reference_determined(mask, total_row, total_col, implicit))


@SETTINGS
@given(masks(), st.data())
def test_protect_cell_matches_trying_every_candidate(case, data):
    mask, total_row, total_col, implicit = case
    values = np.asarray(data.draw(st.lists(st.sampled_from([0, 0, 1, 3, 7, 12, 12, 40, 200]),
                                           min_size=mask.size, max_size=mask.size))).reshape(mask.shape)
    values = np.where(mask & (values == 0), 5, values)  # a hidden cell is never zero
    determined = reference_determined(mask, total_row, total_col, implicit)
    for (i, j), d in zip(np.argwhere(mask), determined):
        if d:
            target = (int(i), int(j))
            assert (suppression._protect_cell(values, mask, target, total_row, total_col, implicit)
                    == reference_protect_cell(values, mask, target, total_row, total_col, implicit))


@SETTINGS
@given(masks(), st.data())
def test_row_and_column_rule_matches_full_passes(case, data):
    mask, total_row, total_col, implicit = case
    assume(not (total_row and mask.shape[0] < 2) and not (total_col and mask.shape[1] < 2))  # as suppress_counts checks
    values = np.asarray(data.draw(st.lists(st.sampled_from([0, 0, 1, 2, 3, 7, 12, 15, 40, 200]),
                                           min_size=mask.size, max_size=mask.size))).reshape(mask.shape)
    start = mask & (values > 0)
    stuck = [np.asarray(data.draw(st.lists(st.booleans(), min_size=n, max_size=n))) for n in mask.shape]
    fast = [start.copy(), stuck[0].copy(), stuck[1].copy()]
    slow = [start.copy(), stuck[0].copy(), stuck[1].copy()]
    suppression._complete_lines(values, fast[0], total_row, total_col, implicit, fast[1], fast[2])
    reference_complete_lines(values, slow[0], total_row, total_col, implicit, slow[1], slow[2])
    for a, b in zip(fast, slow):
        assert np.array_equal(a, b)


def test_random_larger_masks_match_and_cover_both_answers():
    """Bigger tables, long chains of hidden cells; both answers must occur often."""
    rng = np.random.default_rng(11)
    seen = np.zeros(2, dtype=int)
    for _ in range(300):
        shape = (int(rng.integers(1, 25)), int(rng.integers(1, 25)))
        mask = rng.random(shape) < rng.choice([0.03, 0.08, 0.15, 0.4, 0.9])
        flags = [bool(f) for f in rng.integers(0, 2, 3)]
        fast = suppression._determined(mask, *flags)
        assert np.array_equal(fast, reference_determined(mask, *flags)), (shape, flags)
        seen += [int((~fast).sum()), int(fast.sum())]
    assert seen.min() > 500, seen


def test_long_cycles_are_not_determined():
    """A staircase of hidden cells: one long cycle, where rounding would matter most."""
    n = 120
    mask = np.eye(n, dtype=bool) | np.eye(n, k=1, dtype=bool)
    mask[n - 1, 0] = True
    assert not suppression._determined(mask, False, False, True).any()
    assert not reference_determined(mask, False, False, True).any()
    mask[n - 1, 0] = False  # the chain is open: with both ends hanging, every cell is fixed
    assert suppression._determined(mask, False, False, True).all()
    assert reference_determined(mask, False, False, True).all()


@pytest.mark.parametrize("total_row, total_col, implicit", [
    (False, False, False), (False, False, True), (True, False, False), (False, True, True), (True, True, True),
])
def test_edge_cases_match(total_row, total_col, implicit):
    cases = [
        np.zeros((3, 3), dtype=bool),            # nothing hidden
        np.ones((1, 1), dtype=bool),             # one cell
        np.ones((1, 5), dtype=bool),             # one row, all hidden
        np.ones((5, 1), dtype=bool),             # one column, all hidden
        np.array([[True, False, False]]),        # a lone hidden cell in a single row
        np.array([[True], [False], [False]]),    # ... in a single column
        np.ones((4, 4), dtype=bool),             # everything hidden
        np.array([[1, 1, 0], [0, 0, 0], [0, 0, 0]], dtype=bool),
        np.array([[1, 0, 1], [0, 0, 0], [1, 0, 1]], dtype=bool),
    ]
    for mask in cases:
        assert np.array_equal(suppression._determined(mask, total_row, total_col, implicit),
                              reference_determined(mask, total_row, total_col, implicit)), mask


# ------------------------------------------------------------- whole tables


@SETTINGS
@given(count_tables(), st.booleans())
def test_suppress_counts_matches_the_old_check(table, implicit):
    assert_same_result(suppress_counts(table, implicit_totals=implicit), reference_suppress(table, implicit_totals=implicit))


COUNTS = st.one_of(st.just(0), st.integers(1, 3), st.integers(1, 10), st.integers(11, 40), st.integers(41, 300))


@st.composite
def bigger_tables(draw):
    """Up to 9 x 9 crosstabs with totals, zeros, small counts, and rows or columns of small counts."""
    n_rows, n_cols = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    cells = draw(st.lists(st.lists(COUNTS, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows))
    interior = pd.DataFrame(cells, index=[f"r{i}" for i in range(n_rows)], columns=[f"c{j}" for j in range(n_cols)])
    if draw(st.booleans()):
        interior.iloc[draw(st.integers(0, n_rows - 1)), :] = draw(st.integers(0, 10))  # a row of small counts or zeros
    if draw(st.booleans()):
        interior.iloc[:, draw(st.integers(0, n_cols - 1))] = draw(st.integers(1, 10))
    return with_margins(interior, rows=draw(st.booleans()), columns=draw(st.booleans()))


@SETTINGS
@given(bigger_tables(), st.booleans(), st.data())
def test_bigger_tables_match_the_old_check(table, implicit, data):
    assert_same_result(suppress_counts(table, implicit_totals=implicit), reference_suppress(table, implicit_totals=implicit))
    # Cells asked to be hidden (as when matching a linked table) go through the same check.
    values = table.to_numpy()
    requested = np.asarray(data.draw(st.lists(st.booleans(), min_size=values.size, max_size=values.size)))
    requested = requested.reshape(values.shape) & (values > 0)
    mask = pd.DataFrame(requested, index=table.index, columns=table.columns)
    assert_same_result(suppress_counts(table, already_suppressed=mask, implicit_totals=implicit),
                       reference_suppress(table, already_suppressed=mask, implicit_totals=implicit))


def test_a_cell_linking_two_groups_is_protected_the_same_way():
    # Hand-made: hiding 5 and its row/column partners leaves cell (r2, c2) linking two
    # blocks; the exact check must add the same extra cell as before.
    table = pd.DataFrame(
        [[5, 40, 0, 0], [40, 5, 0, 0], [0, 0, 6, 50], [0, 0, 50, 6], [0, 30, 0, 30]],
        index=[f"r{i}" for i in range(5)], columns=[f"c{j}" for j in range(4)],
    )
    for implicit in (True, False):
        for options in ({}, {"margins": False}):
            full = with_margins(table)
            fast = suppress_counts(full, implicit_totals=implicit, **options)
            assert_same_result(fast, reference_suppress(full, implicit_totals=implicit, **options))
    result = suppress_counts(with_margins(table))
    values = with_margins(table).to_numpy()
    assert linear_attack(values, result.mask.to_numpy(), True, True, True) == set()


def test_completeness_tables_of_the_course_world_match():
    """The tables that were too big for the old check at scale, on a 10,000-member world."""
    from calaim_course import data_quality as dq
    from calaim_course.synthetic import generate_world

    world = generate_world(scale=10_000)
    practice = dq.practice_member_file(world)
    intake = dq.intake_staff(world.services)
    fast = dq.check_completeness(practice, intake, world.staff)
    with pytest.MonkeyPatch.context() as patch:
        old_algorithm(patch)
        slow = dq.check_completeness(practice, intake, world.staff)
    assert fast.by_staff.n_suppressed > 1000  # big enough to matter
    for name in ("required", "by_staff", "summary"):
        assert_same_result(getattr(fast, name), getattr(slow, name))
