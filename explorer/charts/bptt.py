"""Backpropagation through time by hand: the size of each factor diag(f′(u_i)) W_hh, how their product
shrinks or grows, and any one of those matrices as a heatmap."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch

from core.gradients import Derivation

from .bands import banded
from .gradients import add_log_curve
from .style import (
    DIVERGING,
    ORANGE,
    SERIES,
    base_layout,
    fmt,
    fmt_log10,
    kinds,
    linear_ticks,
    log10_axis,
    log10_scale,
    special_markers,
)


def factor_norms(derivation: Derivation) -> go.Figure:
    """Bars: ‖diag(f′(u_i)) W_hh‖₂ of each factor i = t … s+1; line: the norm of the product so far."""
    d = derivation
    steps = np.array([f.step for f in d.factors])
    with np.errstate(divide="ignore", invalid="ignore"):
        bars = np.log10(np.array([f.norm for f in d.factors], dtype=float))
        running = np.log10(np.array([f.running_norm for f in d.factors], dtype=float))
    scale = log10_scale(bars, running, [0.0])  # 0 = 10⁰ = 1, where every bar starts
    hover_bar = [f"factor i = {i}: ‖diag(f′(u<sub>{i}</sub>)) W<sub>hh</sub>‖₂ = {fmt_log10(v)}"
                 for i, v in zip(steps, bars)]
    hover_run = [f"after factor i = {i}: ‖∂h<sub>{d.t}</sub>/∂h<sub>{i - 1}</sub>‖₂ = {fmt_log10(v)}"
                 for i, v in zip(steps, running)]
    ok = np.isfinite(bars)
    fig = go.Figure(go.Bar(
        x=steps[ok], y=bars[ok], name="one factor ‖diag(f′(u<sub>i</sub>)) W<sub>hh</sub>‖₂", marker={"color": ORANGE},
        hovertext=np.array(hover_bar, dtype=object)[ok], hovertemplate="%{hovertext}<extra></extra>",
    ))
    fig.add_traces(special_markers(steps, bars, scale, hover=hover_bar, color=ORANGE, name="one factor"))
    add_log_curve(fig, steps, running, scale, name=f"running product ‖∂h<sub>{d.t}</sub>/∂h<sub>i−1</sub>‖₂",
                  color=SERIES[0], hover=hover_run)
    log10_axis(fig, scale, title="spectral norm (log scale; bars start at 1)")
    fig.update_xaxes(title=f"factor i, in the order multiplied: t = {d.t} first, s + 1 = {d.s + 1} last",
                     autorange="reversed")
    return base_layout(fig, f"∂h<sub>{d.t}</sub>/∂h<sub>{d.s}</sub> as a product of {len(d.factors)} factors: "
                            "each one's size, and the product's", height=460,
                       subtitle=f"A bar above 1 stretches, below 1 shrinks. By hand vs autograd: largest "
                                f"difference {fmt(d.max_abs_diff, 3)}.")


def matrix_heatmap(matrix, *, title: str) -> go.Figure:
    """One H×H matrix (a factor or a product of factors), rows and columns as in the maths, 0 in the middle."""
    M = matrix.detach().double().numpy() if isinstance(matrix, torch.Tensor) else np.asarray(matrix, float)
    finite = M[np.isfinite(M)]
    peak = float(np.abs(finite).max()) if finite.size and np.abs(finite).max() > 0 else 1.0
    ticks = linear_ticks(-peak, peak, max_ticks=5)
    bands = banded(M, lo=-peak, hi=peak, scale=DIVERGING, ticks=(ticks, [fmt(t, 3) for t in ticks]), log=False)
    rows, cols = M.shape
    text = np.vectorize(fmt, otypes=[object])(M)
    fig = go.Figure(go.Heatmap(
        z=bands.z, x=np.arange(cols), y=np.arange(rows), colorscale=bands.colorscale, zmin=bands.zmin,
        zmax=bands.zmax, colorbar=bands.colorbar("entry"), customdata=text,
        hovertemplate="row %{y}, column %{x}<br>entry %{customdata}<extra></extra>",
    ))
    fig.update_xaxes(title="column j", constrain="domain")
    fig.update_yaxes(title="row i", autorange="reversed", scaleanchor="x")
    bad = int((kinds(M) != "ok").sum())
    return base_layout(fig, title, height=420,
                       subtitle=f"{bad} entries are inf or NaN (their own colours)." if bad else None)
