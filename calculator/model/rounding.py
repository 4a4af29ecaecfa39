"""Rounding that matches Excel's ROUND: half away from zero, on the decimal value shown.

Python's ``round`` rounds half to even (``round(2.675, 2) == 2.67`` because 2.675 is stored as
2.67499999...). Excel rounds 2.675 to 2.68: it treats the number as the decimal a user sees.
We snap the scaled value to 9 decimals first to absorb that representation error, then round
half away from zero. Values stay unrounded everywhere else; round only where a figure is shown
or compared to the cent.
"""
from __future__ import annotations

import numpy as np

from calculator.model.arrays import scalar_or_array


def excel_round(value, digits: int = 2):
    """Round like Excel's ``ROUND(value, digits)``: half away from zero.

    Parameters
    ----------
    value : float or array_like
    digits : int, number of decimals (may be negative, as in Excel)

    Returns
    -------
    float or ndarray, same shape as ``value``; NaN stays NaN.

    Notes
    -----
    ``ROUND(x, d) = sign(x) * floor(|x| * 10**d + 0.5) / 10**d``, with ``|x| * 10**d`` first
    snapped to 9 decimals so that 2.675 (stored as 2.67499999999999982236431605997495353221893310546875)
    rounds to 2.68 as Excel shows it.

    Examples
    --------
    >>> float(excel_round(2.675, 2)), float(excel_round(-0.5, 0)), float(excel_round(1234.5, -1))
    (2.68, -1.0, 1230.0)
    """
    array = np.asarray(value, dtype=float)
    scale = 10.0 ** digits
    scaled = np.round(np.abs(array) * scale, 9)
    rounded = np.sign(array) * np.floor(scaled + 0.5) / scale
    # -0.0 reads oddly in a cell; a rounded zero is zero.
    rounded = np.where(rounded == 0, 0.0, rounded)
    return scalar_or_array(rounded)


def round_cents(value):
    """Money to the cent, Excel style."""
    return excel_round(value, 2)
