"""How many earlier tokens reach a prediction at all: the count a gradient-by-distance table stands for."""

from __future__ import annotations

import pandas as pd

NO_PATH = "zero"  # an exact zero: no path from that token to the prediction (beyond a fixed window, say)
UNKNOWN = "nan"  # an overflowed network's NaN says nothing either way


def reach_counts(frame: pd.DataFrame) -> tuple[int, int]:
    """(tokens whose gradient is non-zero, tokens whose gradient is NaN) in a table of gradient_vs_distance.

    A gradient too small for float64 (status "underflow") or one that overflowed to inf still reaches: the path
    exists. Only an exact zero has none, and a NaN cannot be counted either way, so it is reported apart."""
    status = frame["status"]
    unknown = int((status == UNKNOWN).sum())
    return int(len(frame) - unknown - (status == NO_PATH).sum()), unknown
