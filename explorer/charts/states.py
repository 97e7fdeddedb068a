"""What the hidden state holds, token by token: every unit as a heatmap, its size and saturation over
time, and its path through a shared 2-D projection."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core import Trace
from core.gradients import safe_norm
from core.models.elman import GAMMA
from core.states import project, state_path

from .bands import banded
from .style import (
    DIVERGING,
    GREY,
    SEQUENTIAL,
    SERIES,
    SPECIAL_COLOR,
    base_layout,
    esc,
    fmt,
    fmt_log10,
    layer_label,
    linear_ticks,
    log10_axis,
    log10_scale,
    log_curve,
    pow10,
    thin_ticks,
)

KEY_NAMES = {
    "h": "hidden state h<sub>t</sub>", "u": "pre-activation u<sub>t</sub>", "fprime": "slope f′(u<sub>t</sub>)",
    "c": "cell state c<sub>t</sub>", "i": "input gate i<sub>t</sub>", "f": "forget gate f<sub>t</sub>",
    "g": "candidate g<sub>t</sub>", "o": "output gate o<sub>t</sub>", "r": "reset gate r<sub>t</sub>",
    "z": "update gate z<sub>t</sub>", "n": "candidate n<sub>t</sub>",
}
_GATES = {"i", "f", "o", "r", "z"}  # sigmoids: always in (0, 1)
_TANH_BOUNDED = {"g", "n"}  # always in (-1, 1)
_LOG_SPAN = 3  # decades: a norm curve spanning more than this is drawn on a log axis
_PCA_LABELS = 12  # word labels per path in the PCA panel: every word of two sentences piles into a tangle


def activation(trace: Trace) -> str:
    """f of h_t = f(u_t): the configured one for Elman; LSTM, GRU and the fixed window squash with tanh."""
    return trace.config.activation if trace.config.arch == "elman" else "tanh"


def _value_range(trace: Trace, key: str, finite: np.ndarray) -> tuple[float, float, object]:
    """Colour limits and scale: gates 0..1, tanh-bounded values -1..1 around 0, others from the data."""
    f = activation(trace)
    peak = float(np.abs(finite).max()) if finite.size else 1.0
    peak = peak if peak > 0 else 1.0
    if key in _GATES or (key == "h" and f == "sigmoid"):
        return 0.0, 1.0, SEQUENTIAL
    if key == "fprime":
        return 0.0, GAMMA[f], SEQUENTIAL
    if key in _TANH_BOUNDED or (key == "h" and f == "tanh"):
        return -1.0, 1.0, DIVERGING
    if finite.size and finite.min() >= 0:
        return 0.0, peak, SEQUENTIAL
    return -peak, peak, DIVERGING


def hidden_heatmap(trace: Trace, *, layer: int = 0, direction: int = 0, key: str = "h", title: str | None = None,
                   max_ticks: int | None = None) -> go.Figure:
    """Every unit of one recorded quantity (h by default) at every step: tokens across, units down. title replaces
    the default (two heatmaps side by side need names of their own); max_ticks thins the token labels for a
    narrow chart."""
    values = trace.get(key, layer, direction).T.double().numpy()  # (H, T)
    H, T = values.shape
    finite = values[np.isfinite(values)]
    lo, hi, scale = _value_range(trace, key, finite)
    bands = banded(values, lo=lo, hi=hi, scale=scale, ticks=(ticks := linear_ticks(lo, hi), [fmt(t) for t in ticks]),
                   log=False)
    tokens = np.array([esc(t) for t in trace.tokens], dtype=object)
    text = np.vectorize(fmt, otypes=[object])(values)  # (H, T) exact values, inf and NaN included
    custom = np.stack([np.broadcast_to(tokens, (H, T)), text], axis=-1)  # (H, T, 2)
    name = KEY_NAMES.get(key, key)
    fig = go.Figure(go.Heatmap(
        z=bands.z, x=np.arange(T), y=np.arange(H), colorscale=bands.colorscale, zmin=bands.zmin, zmax=bands.zmax,
        colorbar=bands.colorbar(name), customdata=custom, hoverongaps=False,
        hovertemplate="“%{customdata[0]}” (position %{x})<br>unit %{y}<br>value %{customdata[1]}<extra></extra>",
    ))
    bad = int((bands.kinds != "ok").sum())
    subtitle = f"{bad} values overflowed to inf or NaN: they have their own colours (see the colour bar)" \
        if bad else "Each column is one step, each row one unit: a colour that lasts along a row is a unit holding on."
    base_layout(fig, title or f"{name} of every unit, token by token ({layer_label(layer, direction)})",
                height=max(400, min(700, 160 + 12 * H)), subtitle=subtitle)
    vals, labels = thin_ticks(trace.tokens, **({"max_labels": max_ticks} if max_ticks else {}))
    fig.update_xaxes(title="token (position t, in reading order)", tickmode="array", tickvals=vals, ticktext=labels)
    fig.update_yaxes(title="hidden unit", autorange="reversed")
    return fig


def _saturation(h: np.ndarray, f: str, threshold: float) -> tuple[np.ndarray, str]:
    """(T,) share of finite units where f' is near zero (no gradient passes), and what that means for f."""
    finite = np.isfinite(h)
    if f == "sigmoid":
        hit, what = (h > threshold) | (h < 1 - threshold), f"saturated (h < {1 - threshold:.2g} or h > {threshold:.2g})"
    elif f == "relu":
        hit, what = h == 0, "inactive (h = 0, so f′ = 0)"
    elif f == "identity":
        hit, what = np.zeros_like(finite), "saturated (never, for the identity)"
    else:
        hit, what = np.abs(h) > threshold, f"saturated (|h| > {threshold:.2g})"
    with np.errstate(invalid="ignore", divide="ignore"):
        share = (hit & finite).sum(1) / finite.sum(1)  # NaN where no unit is finite
    return share, what


def state_norms(trace: Trace, *, layer: int = 0, direction: int = 0, saturation: float = 0.95) -> go.Figure:
    """The size ‖h_t‖ of the state at each step, and the share of units saturated there (f′ ≈ 0)."""
    h_t = trace.h(layer, direction).double()  # (T, H)
    norms = safe_norm(h_t).numpy()  # (T,)
    h = h_t.numpy()
    T, H = h.shape
    tokens = [esc(t) for t in trace.tokens]
    x = np.arange(T)
    share, what = _saturation(h, activation(trace), saturation)
    broken = (~np.isfinite(h)).sum(1) / H  # (T,) share of units at inf or NaN

    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.08)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_norms = np.log10(norms)
    finite = log_norms[np.isfinite(log_norms)]
    use_log = (~np.isfinite(norms)).any() or (finite.size > 0 and finite.max() - finite.min() > _LOG_SPAN)
    hover = [f"“{tok}” (position {t})<br>‖h<sub>t</sub>‖ = {fmt_log10(v) if use_log else fmt(n)}"
             for t, (tok, v, n) in enumerate(zip(tokens, log_norms, norms))]
    if use_log:
        scale = log10_scale(log_norms)
        for tr in log_curve(x, log_norms, scale, name="‖h<sub>t</sub>‖", color=SERIES[0], hover=hover):
            fig.add_trace(tr, row=1, col=1)
        log10_axis(fig, scale, title="size of the state ‖h<sub>t</sub>‖ (log scale)", axis="yaxis")
    else:
        fig.add_trace(go.Scatter(x=x, y=norms, mode="lines+markers", name="‖h<sub>t</sub>‖", marker={"size": 4},
                                 line={"color": SERIES[0]}, hovertext=hover,
                                 hovertemplate="%{hovertext}<extra></extra>"), row=1, col=1)
        fig.update_yaxes(title="size of the state ‖h<sub>t</sub>‖", rangemode="tozero", row=1, col=1)

    fig.add_trace(go.Scatter(
        x=x, y=100 * share, mode="lines", name=f"units {what}", line={"color": SERIES[1]},
        customdata=np.stack([np.array(tokens, dtype=object), [fmt(100 * s) for s in share]], axis=-1),
        hovertemplate="“%{customdata[0]}” (position %{x})<br>%{customdata[1]}% of units<extra>" + what + "</extra>",
    ), row=2, col=1)
    if broken.any():
        fig.add_trace(go.Scatter(
            x=x, y=100 * broken, mode="lines", name="units at inf or NaN", line={"color": SPECIAL_COLOR["nan"]},
            customdata=np.array(tokens, dtype=object),
            hovertemplate="“%{customdata}” (position %{x})<br>%{y:.1f}% of units at inf or NaN<extra></extra>",
        ), row=2, col=1)
    fig.update_yaxes(title="% of units", range=[-3, 103], row=2, col=1)
    vals, labels = thin_ticks(trace.tokens)
    fig.update_xaxes(tickmode="array", tickvals=vals, ticktext=labels)
    fig.update_xaxes(showticklabels=False, row=1, col=1)
    fig.update_xaxes(title="token (position t)", row=2, col=1)
    return base_layout(fig, f"How big the hidden state is, and how much of it is saturated "
                            f"({layer_label(layer, direction)})", height=520,
                       subtitle="A saturated unit has f′(u) ≈ 0: gradients flowing back through it are crushed.")


def pca_trajectory(traces: list[tuple[str, Trace]], *, layer: int = 0, direction: int = 0) -> go.Figure:
    """Each text's path of hidden states in one shared 2-D projection (core.states.project: PCA fitted on all of
    them together)."""
    paths = [state_path(tr, layer, direction) for _, tr in traces]
    projection = project([states for states, _ in paths])
    exp, n_comp, ratios = projection.exponent, projection.components, projection.ratios
    fig = go.Figure()
    notes = []
    for i, ((name, tr), (states, positions), xy, ok) in enumerate(zip(traces, paths, projection.points,
                                                                       projection.finite)):
        color = SERIES[i % len(SERIES)]
        labels = [esc(tr.tokens[t]) if t >= 0 else "h<sub>init</sub>" for t in positions]
        idx = np.flatnonzero(ok)
        if len(idx) < len(states):
            bad = [positions[j] for j in np.flatnonzero(~ok)]
            notes.append(f"{esc(name)}: {len(bad)} states at inf or NaN (positions {min(bad)}–{max(bad)}) cannot be "
                         "projected and are left out")
        if not len(idx):
            continue
        step = max(1, math.ceil(len(idx) / _PCA_LABELS))  # a few word labels per path: more overlap into a tangle
        text = [labels[j] if n % step == 0 else "" for n, j in enumerate(idx)]
        custom = np.array([[labels[j], positions[j]] for j in idx], dtype=object)
        fig.add_trace(go.Scatter(
            x=xy[idx, 0], y=xy[idx, 1], mode="lines+markers+text", name=esc(name), text=text,
            textposition="top center", textfont={"color": color}, marker={"size": 6, "color": color},
            line={"color": color, "width": 1, "shape": "spline", "smoothing": 0.6}, opacity=0.85,
            customdata=custom, legendgroup=str(i),
            hovertemplate=f"{esc(name)}<br>“%{{customdata[0]}}” (position %{{customdata[1]}})<br>"
                          "PC1 %{x:.4g}, PC2 %{y:.4g}<extra></extra>",
        ))
        for j, (label, symbol) in ((idx[0], ("start", "circle-open")), (idx[-1], ("end", "square"))):
            fig.add_trace(go.Scatter(
                x=[xy[j, 0]], y=[xy[j, 1]], mode="markers+text", text=[label], textposition="bottom center",
                marker={"symbol": symbol, "size": 15, "color": color, "line": {"width": 2, "color": color}},
                showlegend=False, legendgroup=str(i), hoverinfo="skip",
            ))
    if not projection.fitted:
        fig.add_annotation(text="no finite hidden state to project: the network overflowed from the first step",
                           xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, font={"color": GREY})
    units = f", in units of {pow10(exp)}" if exp else ""
    fig.update_xaxes(title=f"PC1 ({ratios[0]:.0%} of the variance{units})")
    fig.update_yaxes(title=f"PC2 ({ratios[1]:.0%} of the variance{units})" if n_comp == 2 else
                     "PC2 (none: only one direction varies)")
    subtitle = "; ".join(notes) if notes else "Nearby points are states the network finds alike; " \
                                              "two texts share one projection, so their paths can be compared."
    return base_layout(fig, f"The path of the hidden state through time, projected to 2-D "
                            f"({layer_label(layer, direction)})", height=560, subtitle=subtitle)
