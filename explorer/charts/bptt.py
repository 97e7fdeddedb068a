"""Backpropagation through time by hand: the size of each factor diag(f′(u_i)) W_hh, how their product
shrinks or grows, and any one of those matrices as a heatmap."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import torch
from plotly.subplots import make_subplots

from core.gradients import Derivation

from .bands import banded
from .style import (
    DIVERGING,
    GREY,
    ORANGE,
    SERIES,
    base_layout,
    fmt,
    fmt_log10,
    kinds,
    linear_ticks,
    log10_axis,
    log10_scale,
    log_curve,
)


def factor_norms(derivation: Derivation) -> go.Figure:
    """Top: the norm of the product so far, on a log axis; bottom: ‖diag(f′(u_i)) W_hh‖₂ of each factor
    i = t … s+1 as bars against the line 1, so that a product of factors near 1 can still be seen to fade."""
    d = derivation
    S = "(h, c)" if d.state == "hc" else "h"
    one = "diag(f′(u<sub>i</sub>)) W<sub>hh</sub>" if d.factors[0].fprime is not None else \
        f"∂{S}<sub>i</sub>/∂{S}<sub>i−1</sub>"
    steps = np.array([f.step for f in d.factors])
    norms = np.array([f.norm for f in d.factors], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        running = np.log10(np.array([f.running_norm for f in d.factors], dtype=float))
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.08)
    scale = log10_scale(running)
    hover_run = [f"after factor i = {i}: ‖∂{S}<sub>{d.t}</sub>/∂{S}<sub>{i - 1}</sub>‖₂ = {fmt_log10(v)}"
                 for i, v in zip(steps, running)]
    for tr in log_curve(steps, running, scale, name=f"running product ‖∂{S}<sub>{d.t}</sub>/∂{S}<sub>i−1</sub>‖₂",
                        color=SERIES[0], hover=hover_run):
        fig.add_trace(tr, row=1, col=1)
    log10_axis(fig, scale, title="product so far (log scale)", axis="yaxis")
    odd = kinds(norms) != "ok"
    fig.add_trace(go.Bar(
        x=steps, y=np.where(odd, 0.0, norms), name=f"one factor ‖{one}‖₂",
        marker={"color": ORANGE}, text=[fmt(v) if bad else "" for v, bad in zip(norms, odd)], textposition="outside",
        customdata=[fmt(v) for v in norms], cliponaxis=False,
        hovertemplate=f"factor i = %{{x}}: ‖{one}‖₂ = %{{customdata}}<extra></extra>",
    ), row=2, col=1)
    fig.add_hline(y=1, line={"color": GREY, "dash": "dash"}, row=2, col=1)
    fig.update_yaxes(title="one factor", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(autorange="reversed")
    fig.update_xaxes(title=f"factor i, in the order multiplied: t = {d.t} first, s + 1 = {d.s + 1} last", row=2, col=1)
    return base_layout(fig, f"∂{S}<sub>{d.t}</sub>/∂{S}<sub>{d.s}</sub> as a product of {len(d.factors)} factors: "
                            "each one's size, and the product's", height=540,
                       subtitle=f"Dashed line: a factor of size 1. By hand vs autograd: largest difference "
                                f"{fmt(d.max_abs_diff, 3)}.")


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
    fig.update_yaxes(title="row i", autorange="reversed", scaleanchor="x", constrain="domain")
    bad = int((kinds(M) != "ok").sum())
    return base_layout(fig, title, height=420,
                       subtitle=f"{bad} entries are inf or NaN (their own colours)." if bad else None)
