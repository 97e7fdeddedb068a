"""Pascanu, Mikolov & Bengio (2013) recomputed: the measured gradient factor per step against ‖W_hh‖₂ beside
the bound γ‖W_hh‖₂, and training with and without gradient-norm clipping."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.reproductions.pascanu2013 import geometric_means

from .style import (
    BLUE,
    GREY,
    ORANGE,
    SKY,
    VERMILLION,
    base_layout,
    esc,
    fmt,
    fmt_log10,
    log10_axis,
    log10_scale,
    log_curve,
)

NORM_AXIS = "‖W<sub>hh</sub>‖₂, the largest singular value (log scale)"
RATE_AXIS = "gradient factor per step back (log scale)"


def _log10(values) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log10(np.asarray(values, dtype=float))


def decay_vs_norm(sweep: pd.DataFrame, activation: str, *, height: int = 460) -> go.Figure:
    """Measured factor per step (each seed, and their geometric mean) and the bound γ‖W_hh‖₂, against ‖W_hh‖₂.

    sweep: core.reproductions.pascanu2013.sweep's rows (spectral_norm, target_norm, seed, rate, bound_rate,
    gamma, regime); only `activation`'s rows are drawn. Shaded: where the bound forces vanishing (left of
    1/γ) and where the measured gradient grows (above 1).
    """
    d = sweep[sweep["activation"] == activation].sort_values(["target_norm", "seed"])
    gamma = float(d["gamma"].iloc[0])
    x, y = _log10(d["spectral_norm"]), _log10(d["rate"])
    mean = geometric_means(d)
    xs = log10_scale(x)
    ys = log10_scale(y, _log10(mean["bound"]), [0.0])
    fig = go.Figure()
    critical = math.log10(1 / gamma)
    # Left of 1/γ the theorem forbids growth, so the two shaded regions never meet.
    fig.add_shape(type="rect", x0=xs.range[0], x1=critical, y0=ys.range[0], y1=ys.range[1], fillcolor=SKY,
                  opacity=0.18, line_width=0, layer="below")
    fig.add_shape(type="rect", x0=critical, x1=xs.range[1], y0=0, y1=ys.range[1], fillcolor=VERMILLION,
                  opacity=0.1, line_width=0, layer="below")
    fig.add_annotation(x=xs.range[0], y=ys.range[1], xanchor="left", yanchor="top", showarrow=False, align="left",
                       text=f"vanishing guaranteed:<br>‖W<sub>hh</sub>‖₂ < 1/γ = {1 / gamma:g}")
    fig.add_annotation(x=xs.range[1], y=ys.range[1], xanchor="right", yanchor="top", showarrow=False,
                       text="exploding: measured factor > 1")
    fig.add_vline(x=critical, line={"color": GREY, "dash": "dot"})
    fig.add_hline(y=0, line={"color": GREY, "width": 1})

    bound_hover = [f"‖W<sub>hh</sub>‖₂ = {fmt(n)}<br>bound γ‖W<sub>hh</sub>‖₂ = {fmt(b)}: no gradient can grow faster"
                   for n, b in zip(mean["norm"], mean["bound"])]
    fig.add_traces(log_curve(_log10(mean["norm"]), _log10(mean["bound"]), ys, name=f"bound γ‖W<sub>hh</sub>‖₂ "
                             f"(γ = {gamma:g})", color=VERMILLION, dash="dash", hover=bound_hover))
    seed_hover = [f"seed {s}: ‖W<sub>hh</sub>‖₂ = {fmt(n)}<br>measured ×{fmt(r)} per step back "
                  f"(bound {fmt(b)})<br>{reg}"
                  for s, n, r, b, reg in zip(d["seed"], d["spectral_norm"], d["rate"], d["bound_rate"], d["regime"])]
    seeds = log_curve(x, y, ys, name="one network (seed)", color=GREY, hover=seed_hover)
    seeds[0].update(mode="markers", marker={"size": 6, "opacity": 0.6})
    fig.add_traces(seeds)
    mean_hover = [f"‖W<sub>hh</sub>‖₂ = {fmt(n)}: ×{fmt(10 ** v)} per step back, geometric mean of {k} seeds"
                  if math.isfinite(v) else f"‖W<sub>hh</sub>‖₂ = {fmt(n)}: no finite mean"
                  for n, v, k in zip(mean["norm"], mean["log10_rate"], mean["seeds"])]
    fig.add_traces(log_curve(_log10(mean["norm"]), mean["log10_rate"], ys, name="measured (geometric mean)",
                             color=BLUE, hover=mean_hover))
    log10_axis(fig, xs, title=NORM_AXIS, axis="xaxis")
    log10_axis(fig, ys, title=RATE_AXIS)
    return base_layout(fig, f"{activation}: how fast ‖∂h<sub>T</sub>/∂h<sub>T−k</sub>‖₂ changes per step back",
                       height, subtitle="Below the dashed bound always; below 1 (vanishing) wherever the shading "
                                        "on the left says it must be.")


def clipping_curves(history: pd.DataFrame, *, height: int = 440) -> go.Figure:
    """Training loss (left) and gradient norms (right), per step, for each run; log scales with NaN/inf marked.

    history: core.reproductions.pascanu2013.clipping's rows (run, step, train_loss, grad_norm before clipping,
    applied_norm the optimizer used, threshold, prior_loss: the best loss without reading the input). Step 0
    (before any update) is left out.
    """
    h = history[history["step"] >= 1]
    prior = float(h["prior_loss"].iloc[0])
    loss_scale = log10_scale(_log10(h["train_loss"]), [math.log10(prior)])
    norm_scale = log10_scale(_log10(h["grad_norm"]), _log10(h["applied_norm"]))
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.14,
                        subplot_titles=("Training loss (cross-entropy, nats)", "Gradient norm ‖g‖"))
    colors = (VERMILLION, BLUE, ORANGE)
    for i, (run, g) in enumerate(h.groupby("run", sort=False)):
        color = colors[i % len(colors)]
        loss = _log10(g["train_loss"])
        hover = [f"{run}, step {s}<br>loss {fmt_log10(v)}" for s, v in zip(g["step"], loss)]
        for n, trace in enumerate(log_curve(g["step"], loss, loss_scale, name=f"{run}: loss", color=color,
                                            hover=hover)):
            # one legend entry per run (its colour); the line styles get their own two entries below
            trace.update(legendgroup=str(run), showlegend=n == 0, name=esc(str(run)) if n == 0 else trace.name)
            fig.add_trace(trace, 1, 1)
        for what, col, dash in (("before clipping", "grad_norm", None), ("applied", "applied_norm", "dot")):
            v = _log10(g[col])
            hover = [f"{run}, step {s}<br>‖g‖ {what}: {fmt_log10(n)}" for s, n in zip(g["step"], v)]
            for trace in log_curve(g["step"], v, norm_scale, name=f"{run}: ‖g‖ {what}", color=color, dash=dash,
                                   hover=hover):
                trace.update(legendgroup=str(run), showlegend=False)
                fig.add_trace(trace, 1, 2)
    for what, dash in (("‖g‖ before clipping", None), ("‖g‖ applied", "dot")):
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=what, hoverinfo="skip",
                                 line={"color": GREY, "dash": dash}), 1, 2)
    fig.add_hline(y=math.log10(prior), line={"color": GREY, "dash": "dash"}, row=1, col=1,
                  annotation_text=f"{prior:.3g}: answer frequencies only", annotation_position="top left")
    for theta in h["threshold"].dropna().unique():
        fig.add_hline(y=math.log10(theta), line={"color": GREY, "dash": "dash"}, row=1, col=2,
                      annotation_text=f"θ = {theta:g}", annotation_position="bottom right")
    log10_axis(fig, loss_scale, title="loss (log scale)", axis="yaxis")
    log10_axis(fig, norm_scale, title="‖g‖ (log scale)", axis="yaxis2")
    fig.update_xaxes(title_text="optimizer step")
    return base_layout(fig, "Training an exploding network with and without clipping", height,
                       subtitle="Same network, same batches; the only difference is Algorithm 1's rescaling.")
