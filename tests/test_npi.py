"""NPI check digits: CMS's worked example, and agreement with python-stdnum's Luhn."""

import numpy as np
import pytest
from hypothesis import given, strategies as st
from stdnum import luhn

from calaim_course.errors import CourseInputError
from calaim_course.npi import is_valid_npi, is_valid_npi_array, make_npis, npi_check_digit, npi_check_digits_array


def test_cms_published_example():
    assert npi_check_digit("123456789") == "3"
    assert is_valid_npi("1234567893")


@pytest.mark.parametrize("bad", ["1234567890", "1234567894", "123456789", "12345678931", "12345678a3", "", None, 1234567893])
def test_invalid_npis_are_rejected(bad):
    assert not is_valid_npi(bad)


@given(st.integers(min_value=0, max_value=999_999_999))
def test_check_digit_matches_stdnum_luhn_with_80840_prefix(base):
    nine = f"{base:09d}"
    assert npi_check_digit(nine) == luhn.calc_check_digit("80840" + nine)
    assert is_valid_npi(nine + luhn.calc_check_digit("80840" + nine))


def test_vectorised_check_digits_match_scalar():
    bases = np.random.default_rng(3).integers(0, 1_000_000_000, 500)
    digits = npi_check_digits_array(bases)
    assert [str(d) for d in digits] == [npi_check_digit(f"{b:09d}") for b in bases]
    assert all(is_valid_npi(n) for n in make_npis(bases))
    assert is_valid_npi_array(["1234567893", "1234567894", None]).tolist() == [True, False, True]


def test_bad_input_names_the_field():
    with pytest.raises(CourseInputError, match="first_nine"):
        npi_check_digit("12345")
