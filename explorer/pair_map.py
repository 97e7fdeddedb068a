"""The map of every pair of states, drawn in the browser (explorer/web/pair_map.js). Every cell's log10 norm is
sent once as a number, painted on a canvas and labelled on hover there. As a Plotly heatmap, the same map was
about half of what a new text cost the Gradients page (its figure built on the server, then laid out in the
browser); the canvas draws in a few milliseconds.

As on the app's Plotly heatmaps (explorer/charts/bands.py), the finite cells span the colour scale, and exact
zeros, overflows and NaNs each get a band of their own on the colour bar; a text longer than MAX_CELLS tokens
is shown in blocks, each cell its block's strongest pair.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from plotly.colors import sample_colorscale

from core.gradients.pairs import block_max, unreachable

from . import components
from .charts.style import SEQUENTIAL, SPECIAL_COLOR, SPECIAL_LABEL, kinds, log10_scale, pow10_ticks, thin_ticks
from .reach_strip import OVERFLOW, ZERO, reach_rows_of

STOPS = 11  # colours sampled from the sequential scale; the browser interpolates between them
MAX_CELLS = 200  # per side; longer texts are shown in blocks of positions


def map_data(log_norms, tokens, *, state: str = "h", presenter: bool = False) -> dict:
    """What the map draws. log_norms: natural-log norms, (T, T), [t, s], of the state named `state` ("h", or
    "(h, c)" for the LSTM). Each row carries only its cells that some path reaches (a contiguous run starting
    at `first`), coded as reach_strip codes them."""
    ln = log_norms.detach().double().numpy() if isinstance(log_norms, torch.Tensor) else np.asarray(log_norms, float)
    L = ln / math.log(10)
    T = L.shape[0]
    blank = unreachable(L)
    size = max(1, math.ceil(T / MAX_CELLS))
    if size > 1:
        L, blank, starts = block_max(L, blank, size)
    else:
        starts = np.arange(T)
    scale = log10_scale(L[~blank])
    first, rows = [], []
    for t in range(L.shape[0]):
        cells = np.flatnonzero(~blank[t])
        lo, hi = (int(cells[0]), int(cells[-1]) + 1) if cells.size else (0, 0)
        assert hi - lo == cells.size, "the cells reached from one state form one run"
        first.append(lo)
        rows.append(reach_rows_of(L[t, lo:hi], digits=5))  # the hover's four significant figures hold
    present = set(kinds(L[~blank]).tolist()) - {"ok"}
    if size == 1:
        tick_at, tick_text = thin_ticks(tokens)
        where = [f"“{tok}” ({p})" for p, tok in enumerate(map(str, tokens))]
    else:
        tick_at = list(range(0, len(starts), math.ceil(len(starts) / 12)))
        tick_text = [str(starts[i]) for i in tick_at]
        where = [f"positions {p}–{min(p + size, T) - 1}" for p in starts]
    bar_at, bar_text = pow10_ticks(scale.lo, scale.hi)
    samples = np.linspace(0, 1, STOPS)
    subtitle = (f"Row t: how much each earlier state s still moves {state}<sub>t</sub>. Blank: no path leads from s "
                "to t.")
    if size > 1:
        subtitle = f"{T} tokens, shown in blocks of {size}: each cell is the strongest pair in its block."
    return {
        "rows": rows, "first": first, "where": where, "ticks": [[int(a), b] for a, b in zip(tick_at, tick_text)],
        "lo": scale.lo, "hi": scale.hi, "bar": [[v, s] for v, s in zip(bar_at, bar_text)],
        "colors": sample_colorscale(SEQUENTIAL, list(samples)),
        "special": {k: {"color": SPECIAL_COLOR[k], "label": SPECIAL_LABEL[k]} for k in ("zero", "overflow", "nan")
                    if k in present},
        "zero": ZERO, "overflow": OVERFLOW,
        "bar_title": f"‖∂{state}<sub>t</sub>/∂{state}<sub>s</sub>‖",
        "quantity": f"‖∂{state}<sub>t</sub>/∂{state}<sub>s</sub>‖"
                    + ("" if size == 1 else f" (largest in a {size}×{size} block)"),
        "title": "How much each earlier state still moves each later one", "subtitle": subtitle,
        "x_title": "s (earlier state)", "y_title": "t (later state)",
        "font": 20 if presenter else 13, "height": 775 if presenter else 620,
    }


def show(data: dict, key: str) -> None:
    components.component("pair_map")(data=data, key=key)


def standalone_html(data: dict) -> str:
    return components.standalone_html("pair_map", data, "Every pair of states")
