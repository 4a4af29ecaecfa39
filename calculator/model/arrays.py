"""The model's functions take a number or an array and give back the same: one float for one
input (what a cell or a test expects), an array for an array."""
from __future__ import annotations

import numpy as np


def scalar_or_array(value):
    """A 0-d result as a Python float; an array as it is."""
    return float(value) if np.ndim(value) == 0 else value
