"""National Provider Identifier (NPI) check digits.

An NPI is 9 digits plus a check digit. CMS's "Requirements for NPI Check Digit" uses the
Luhn (mod 10, "double-add-double") formula computed as if the number had the prefix
80840 (80 = health applications, 840 = United States); without the prefix, add the
constant 24. CMS's worked example: 123456789 gives check digit 3, so 1234567893 is valid.
(Fact base 4.6, SECONDARY: CMS text through copies, computation re-run.)

python-stdnum has no US NPI module (checked: stdnum.us has atin, ein, itin, ptin, rtn,
ssn, tin), so this module is the course's own; the tests cross-check it against
``stdnum.luhn`` with the 80840 prefix.
"""

from __future__ import annotations

import numpy as np

from calaim_course.errors import CourseInputError

PREFIX = "80840"


def npi_check_digit(first_nine: str) -> str:
    """The check digit for the first 9 digits of an NPI, as a one-character string."""
    if not (isinstance(first_nine, str) and len(first_nine) == 9 and first_nine.isdigit()):
        raise CourseInputError("first_nine", first_nine, "a string of exactly 9 digits")
    total = 24  # the constant that stands for the 80840 prefix
    # Double every other digit starting from the rightmost of the nine.
    for position, char in enumerate(reversed(first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit  # sum of the product's digits
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_npi(npi: str) -> bool:
    """Whether ``npi`` is 10 digits whose last digit is the right check digit."""
    if not (isinstance(npi, str) and len(npi) == 10 and npi.isdigit()):
        return False
    return npi_check_digit(npi[:9]) == npi[9]


def npi_check_digits_array(first_nine: np.ndarray) -> np.ndarray:
    """Vectorised check digits for an integer array of 9-digit numbers."""
    values = np.asarray(first_nine, dtype=np.int64)
    total = np.full(values.shape, 24, dtype=np.int64)
    rest = values.copy()
    for position in range(9):  # loop over digit positions, not rows
        digit = rest % 10
        rest //= 10
        if position % 2 == 0:
            digit = digit * 2
            digit = np.where(digit > 9, digit - 9, digit)
        total += digit
    return (10 - total % 10) % 10


def make_npis(first_nine: np.ndarray) -> list[str]:
    """10-digit NPI strings (first 9 digits + check digit) for 9-digit integers."""
    values = np.asarray(first_nine, dtype=np.int64)
    digits = npi_check_digits_array(values)
    return [f"{v:09d}{d}" for v, d in zip(values.tolist(), digits.tolist())]


def is_valid_npi_array(npis) -> np.ndarray:
    """Vectorised ``is_valid_npi`` for a sequence of strings (missing values count as valid
    so nullable columns can use it; format is checked separately)."""
    out = []
    for value in npis:
        out.append(True if not isinstance(value, str) else is_valid_npi(value))
    return np.array(out, dtype=bool)
