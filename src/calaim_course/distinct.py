"""Column work done once per distinct value.

A million rows usually hold a few thousand distinct dates, ids or labels, and text
formatting or a dictionary look-up costs far more per row than spreading a result back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def per_distinct_value(values: pd.Series, transform) -> pd.Series:
    """``transform(values)``, worked out once per distinct value and spread to every row.

    The same result as transforming the whole column, for a ``transform`` that works
    value by value (a row's result depends on that row's value only). The distinct
    values keep the column's dtype. Missing values are transformed as they are, row by
    row (``factorize`` would turn a ``None`` into NaN, and ``str(None)`` is not
    ``str(nan)``); a column usually has few of them.
    """
    codes, uniques = pd.factorize(values)  # missing values get the code -1
    done = transform(pd.Series(uniques, dtype=values.dtype)).reset_index(drop=True)
    missing = codes < 0
    if missing.any():
        codes = codes.copy()
        codes[missing] = len(done) + np.arange(int(missing.sum()))
        done = pd.concat([done, transform(values[missing]).reset_index(drop=True)], ignore_index=True)
    return pd.Series(done.array.take(codes), index=values.index, name=values.name)


__all__ = ["per_distinct_value"]
