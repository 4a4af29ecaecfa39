"""Excel-style ROUND: half away from zero (domain.md, "The default model")."""
import math

import numpy as np
import pytest

from calculator.model.rounding import excel_round, round_cents


@pytest.mark.parametrize("value, digits, expected", [
    (2.5, 0, 3.0),       # Python's round(2.5) gives 2 (half to even); Excel gives 3
    (-2.5, 0, -3.0),     # away from zero, not up: -3
    (0.5, 0, 1.0),       # round(0.5) is 0 in Python
    (1.5, 0, 2.0),
    (1.005, 2, 1.01),    # 1.005 is stored as 1.00499999999999989...; Excel shows 1.01
    (2.675, 2, 2.68),    # stored as 2.67499999999999982...; Excel shows 2.68
    (-1.005, 2, -1.01),
    (1.004, 2, 1.00),    # below the half: down
    (1234.5, -1, 1230.0),  # 1234.5 / 10 = 123.45 -> 123 -> 1230
    (1235.0, -1, 1240.0),  # 123.5 -> 124 -> 1240
])
def test_excel_round_half_away_from_zero(value, digits, expected):
    assert excel_round(value, digits) == expected


def test_python_round_would_differ_on_halves():
    # the reason the function exists: Python rounds 2.5 to 2 and 1.005 to 1.0
    assert round(2.5) == 2 and excel_round(2.5, 0) == 3
    assert round(1.005, 2) == 1.0 and excel_round(1.005, 2) == 1.01


def test_round_cents_on_a_freight_price():
    # Shumao 750 g: 750 g x $2.10 / 1000 g = $1.575 -> half a cent -> $1.58
    assert round_cents(750 * 2.10 / 1000) == 1.58
    # economy 750 g: 4.15 / 1.37 = 3.02919... -> $3.03
    assert round_cents(4.15 / 1.37) == 3.03


def test_vectorised_over_arrays_keeps_shape_and_nan():
    values = np.array([[2.5, -2.5, 1.005], [2.675, np.nan, 0.0]])
    got = excel_round(values, 2)
    assert isinstance(got, np.ndarray) and got.shape == (2, 3)
    # row 1 at 2 places: 2.50, -2.50, 1.01; row 2: 2.68, NaN, 0.00
    np.testing.assert_array_equal(got, [[2.5, -2.5, 1.01], [2.68, np.nan, 0.0]])
    whole = excel_round(np.array([0.5, 1.5, 2.5, -0.5, -1.5]), 0)
    np.testing.assert_array_equal(whole, [1.0, 2.0, 3.0, -1.0, -2.0])
    # equal to the scalar function element by element
    cents = round_cents(np.array([1.005, 2.675, -1.005, 3.3927007]))
    assert list(cents) == [round_cents(x) for x in (1.005, 2.675, -1.005, 3.3927007)]


def test_scalar_in_scalar_out_and_no_negative_zero():
    assert isinstance(excel_round(2.5, 0), float)
    # -0.001 to the cent is 0.00, shown as 0.00 not -0.00
    result = excel_round(-0.001, 2)
    assert result == 0 and math.copysign(1.0, result) == 1.0
