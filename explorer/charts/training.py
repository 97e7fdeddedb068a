"""Training, as it happens: the loss curves, and how the gradient's reach back through time changes as the
network learns (one curve per recorded step, light to dark)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from .gradients import DISTANCE_AXIS
from .style import BLUE, ORANGE, SEQUENTIAL, VERMILLION, base_layout, fmt_log10, log10_axis, log10_scale, log_curve


def training_curves(history: pd.DataFrame, height: int = 380) -> go.Figure:
    """Training loss (every step, thin) and validation loss, beside the validation perplexity or accuracy.

    history: one row per step with step, train_loss, grad_norm, clipped, and valid_loss plus valid_perplexity
    (language modelling) or valid_accuracy (scored tasks) on the steps where validation ran.
    """
    metric = "valid_accuracy" if "valid_accuracy" in history else "valid_perplexity"
    right_title = "validation accuracy" if metric == "valid_accuracy" else "validation perplexity"
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.12,
                        subplot_titles=("Loss (cross-entropy, nats per token)", right_title.capitalize()))
    fig.add_trace(go.Scatter(x=history["step"], y=history["train_loss"], mode="lines", name="training loss",
                             line={"color": BLUE, "width": 1},
                             hovertemplate="step %{x}<br>training loss %{y:.4f}<extra></extra>"), 1, 1)
    valid = history.dropna(subset=["valid_loss"]) if "valid_loss" in history else history.iloc[:0]
    fig.add_trace(go.Scatter(x=valid["step"], y=valid["valid_loss"], mode="lines+markers", name="validation loss",
                             line={"color": ORANGE, "width": 2},
                             hovertemplate="step %{x}<br>validation loss %{y:.4f}<extra></extra>"), 1, 1)
    if metric in valid:
        fmt_y = "%{y:.1%}" if metric == "valid_accuracy" else "%{y:.2f}"
        fig.add_trace(go.Scatter(x=valid["step"], y=valid[metric], mode="lines+markers", name=right_title,
                                 line={"color": ORANGE, "width": 2}, showlegend=False,
                                 hovertemplate=f"step %{{x}}<br>{right_title} {fmt_y}<extra></extra>"), 1, 2)
    clipped = history[history["clipped"].astype(bool)] if "clipped" in history else history.iloc[:0]
    if len(clipped):
        fig.add_trace(go.Scatter(x=clipped["step"], y=clipped["train_loss"], mode="markers", name="gradient clipped",
                                 marker={"color": VERMILLION, "size": 5, "symbol": "x"},
                                 hovertemplate="step %{x}: the gradient was rescaled to the threshold"
                                               "<extra></extra>"), 1, 1)
    fig.update_xaxes(title_text="optimizer step")
    fig.update_yaxes(title_text="nats per token", row=1, col=1)
    fig.update_yaxes(title_text=right_title, row=1, col=2)
    if metric == "valid_perplexity":
        fig.update_yaxes(type="log", row=1, col=2)
    else:
        fig.update_yaxes(tickformat=".0%", range=[0, 1.02], row=1, col=2)
    return base_layout(fig, "Learning curves", height)


def probe_curves(probes: pd.DataFrame, height: int = 380) -> go.Figure:
    """‖∂L/∂h_s‖ against distance k, one curve per recorded training step, early light and late dark.

    probes: step, distance, grad_norm (log10_grad_norm too when the norms span beyond float64).
    """
    logs = probes["log10_grad_norm"] if "log10_grad_norm" in probes else np.log10(probes["grad_norm"].astype(float))
    probes = probes.assign(log10=np.asarray(logs, dtype=float))
    scale = log10_scale(probes["log10"])
    steps = sorted(probes["step"].unique())
    colours = sample_colorscale(SEQUENTIAL, np.linspace(0.85, 0.0, len(steps))) if steps else []
    fig = go.Figure()
    for step, colour in zip(steps, colours):
        d = probes[probes["step"] == step].sort_values("distance")
        hover = [f"step {step}<br>k = {k}<br>‖∂L/∂h<sub>s</sub>‖ = {fmt_log10(v)}"
                 for k, v in zip(d["distance"], d["log10"])]
        fig.add_traces(log_curve(d["distance"], d["log10"], scale, name=f"step {step}", color=colour, hover=hover))
    log10_axis(fig, scale, title="‖∂L/∂h<sub>s</sub>‖, gradient norm (log scale)")
    fig.update_xaxes(title=DISTANCE_AXIS, autorange="reversed")
    return base_layout(fig, "How far back the gradient reaches, as training goes on", height,
                       subtitle="Measured on one fixed validation passage; darker curves come later in training.")
