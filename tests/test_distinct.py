"""per_distinct_value gives what transforming the whole column gives, row for row."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calaim_course.distinct import per_distinct_value


def _label(values: pd.Series) -> pd.Series:
    return values.astype("object").map(lambda v: f"<{v}>")


@pytest.mark.parametrize("values", [
    pd.Series(["b", "a", "b", None, "c", None], index=[5, 4, 3, 2, 1, 0], name="plan"),
    pd.Series(pd.Categorical(["x", "y", None, "x"], categories=["y", "x", "unused"]), name="status"),
    pd.Series(pd.to_datetime(["2026-01-02", None, "2026-01-02", "2025-12-31"]), name="birth_date"),
    pd.Series([3.0, np.nan, 3.0, 1.5], name="amount"),
    pd.Series([], dtype="object", name="empty"),
])
def test_matches_the_whole_column_transform(values):
    result = per_distinct_value(values, _label)
    expected = _label(values)
    pd.testing.assert_series_equal(result.astype("object"), expected.astype("object"))


def test_each_distinct_value_is_transformed_once():
    seen = []

    def record(values):
        seen.extend(values.tolist())
        return values.str.upper()

    values = pd.Series(["a", "b", "a", "a", "b"])
    assert per_distinct_value(values, record).tolist() == ["A", "B", "A", "A", "B"]
    assert sorted(seen) == ["a", "b"]


def test_missing_values_are_transformed_as_they_are():
    # str(None) is "None", str(nan) is "nan": a missing value must not change kind.
    values = pd.Series(["a", None, np.nan], dtype="object")
    assert per_distinct_value(values, lambda s: s.map(str)).tolist() == ["a", "None", "nan"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["DV", "shelter", "", "a_b"])), max_size=40))
def test_any_text_column(items):
    values = pd.Series(items, dtype="object")
    transform = lambda s: s.map(lambda v: None if v is None else v.replace("_", " ").upper())  # noqa: E731
    assert per_distinct_value(values, transform).tolist() == transform(values).tolist()
