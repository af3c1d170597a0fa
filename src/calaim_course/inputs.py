"""Reading what a learner types into a widget: one parser per kind of value, shared by
every widget so the same input gets the same answer everywhere."""

from __future__ import annotations

import math
import re

import numpy as np

from calaim_course.errors import CourseInputError

# ASCII digits only: str.isdigit() would accept "²" and then int() fails.
_WHOLE_NUMBER = re.compile(r"\s*-?[0-9][0-9,]*\s*")


def parse_whole_days(text: object, field: str, maximum: int, example: int) -> int:
    """A whole number of days from 0 to ``maximum``, typed or given as an int.

    Thousands separators are allowed ("1,000"); anything else raises CourseInputError
    naming ``field``.
    """
    expected = f"a whole number of days from 0 to {maximum}, for example {example}"
    if isinstance(text, bool):
        raise CourseInputError(field, text, expected)
    if isinstance(text, (int, np.integer)):
        value = int(text)
    elif isinstance(text, str) and _WHOLE_NUMBER.fullmatch(text):
        value = int(text.strip().replace(",", ""))
    else:
        raise CourseInputError(field, text, expected)
    if not 0 <= value <= maximum:
        raise CourseInputError(field, text, expected,
                               hint="A number of days cannot be negative." if value < 0 else None)
    return value


def percent_one_decimal(part: float, whole: float) -> float:
    """``part`` as a percentage of ``whole``, to one decimal, halves rounded up.

    The same rounding the in-page Vega charts use, so a chart and its table agree.
    """
    return math.floor(1000 * part / whole + 0.5) / 10
