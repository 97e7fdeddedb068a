"""The text coloured by reach (Distill-style): hover a word and the sentence recolours by how strongly each
earlier word still reaches that word's prediction; click it and it becomes the target.

Every row of the all-pairs map is sent once and sliced in the browser, so hovering needs no script rerun. The
colour scale is fixed (REACH_LO..REACH_HI on log10), the same for every text, model and target: a network at
the edge of stability (×0.99 per step) keeps its colour over the whole text where a vanishing one fades.
"""

from __future__ import annotations

import math

import numpy as np

from . import components

REACH_LO, REACH_HI = -8.0, 1.0  # log10 ends of the fixed colour scale
TICKS = (-8, -6, -4, -2, 0, 1)  # at most six labels, evenly spread: they never pile up
ZERO, OVERFLOW = -999.0, 999.0  # how an exact 0 and an inf travel in the JSON (NaN travels as null)


def _code(v: float) -> float | None:
    if math.isnan(v):
        return None
    if math.isinf(v):
        return OVERFLOW if v > 0 else ZERO
    return round(v, 2)


def reach_rows_of(values) -> list[float | None]:
    """One row of log10 values, coded for the JSON."""
    return [_code(float(v)) for v in values]


def reach_rows(log10_map: np.ndarray) -> list[list[float | None]]:
    """Row t: log10 ‖∂h_{t−1}/∂h_s‖ for s < t, the reach of word s into the prediction of word t (made from
    h_{t−1}); row 0 is empty (nothing predicts the first word). log10_map: (T, T), [t, s]."""
    L = np.asarray(log10_map, dtype=float)
    return [[]] + [reach_rows_of(L[t - 1, :t]) for t in range(1, L.shape[0])]


def reach_rows_by_target(log10_map: np.ndarray) -> list[list[float | None]]:
    """Row t: log10 of the reach of every word s < t into the prediction of word t, from a map already indexed by
    target, [t, s] (core.gradients.input_reach_map); row 0 is empty."""
    L = np.asarray(log10_map, dtype=float)
    return [[]] + [reach_rows_of(L[t, :t]) for t in range(1, L.shape[0])]


def char_level(tokens) -> bool:
    """Characters as tokens (spaces included): the strip then keeps each word on one line."""
    return len(tokens) > 1 and all(len(str(t)) == 1 for t in tokens) and " " in tokens


def strip_data(tokens, rows: dict[int, list] | list[list], *, target: int, cue: int | None, quantity: str,
               hover: bool) -> dict:
    """What the strip draws: rows[t] as reach_rows makes them (all of them when `hover`, else the target's)."""
    rows = dict(enumerate(rows)) if isinstance(rows, list) else rows
    return {"tokens": [str(t) for t in tokens], "rows": {str(t): r for t, r in rows.items()}, "target": target,
            "cue": cue, "quantity": quantity, "hover": hover, "chars": char_level(tokens),
            "lo": REACH_LO, "hi": REACH_HI, "ticks": list(TICKS), "zero": ZERO, "overflow": OVERFLOW}


def show(data: dict, key: str, on_pick) -> int | None:
    """Mount the strip; returns the position clicked in this run (None when none was)."""
    result = components.component("reach_strip")(data=data, key=key, on_pick_change=on_pick)
    return getattr(result, "pick", None)


def standalone_html(data: dict) -> str:
    return components.standalone_html("reach_strip", data, "Reach by word")
