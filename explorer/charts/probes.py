"""Probes of what a network uses: the context-ablation curves (Khandelwal et al. 2018) beside the gradient at the
same distances, and accuracy against the lag between a cue and the prediction that needs it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.probes.lag_sweep import by_lag

from .gradients import DISTANCE_AXIS
from .style import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    SERIES,
    SPECIAL_SYMBOL,
    VERMILLION,
    base_layout,
    esc,
    fmt,
    fmt_log10,
    log10_axis,
    log10_scale,
    log_curve,
)

INTERVENTION_COLOR = {"remove": BLUE, "unk": ORANGE, "truncate": GREEN, "shuffle": PURPLE}
INTERVENTION_NAME = {"remove": "word removed", "unk": "word → &lt;unk&gt;", "truncate": "only the last k words",
                     "shuffle": "words beyond k shuffled"}
GRADIENT_NAME = "‖∂ log P/∂x<sub>s</sub>‖"


def _what(kind: str, token: str, position: int, k: int) -> str:
    """The intervention at one distance, in words, naming the word it is about."""
    word = f"“{esc(token)}” (position {position}, k = {k})"
    return {"remove": f"without {word}", "unk": f"{word} replaced by &lt;unk&gt;",
            "truncate": f"only the last {k} words kept, from {word}",
            "shuffle": f"the words before {word} shuffled"}[kind]


def _facets(frame: pd.DataFrame, facet: str) -> list[tuple[str, pd.DataFrame]]:
    if facet not in frame.columns:
        return [("", frame)]
    return [(str(name), g) for name, g in frame.groupby(facet, sort=False)]


def _delta_traces(name: str, g: pd.DataFrame, kind: str) -> list[go.Scatter]:
    """One intervention's Δ log P curve; a missing value (no prediction, or a broken network) is drawn as a
    marker on the zero line instead of vanishing from the curve."""
    g = g.sort_values("distance")
    color, label = INTERVENTION_COLOR[kind], INTERVENTION_NAME[kind]
    prefix = f"{esc(name)}<br>" if name else ""
    hover = np.array([f"{prefix}{_what(kind, tok, p, k)}<br>Δ log P = {fmt(d)}<br>log P: {fmt(b)} intact → {fmt(v)}"
                      for tok, p, k, d, b, v in zip(g["token"], g["position"], g["distance"], g["delta"],
                                                    g["baseline_logprob"], g["logprob"])], dtype=object)
    delta = g["delta"].to_numpy(dtype=float)
    x = g["distance"].to_numpy()
    ok = np.isfinite(delta)
    out = [go.Scatter(x=x[ok], y=delta[ok], mode="lines+markers", name=label, legendgroup=kind,
                      line={"color": color}, marker={"size": 5, "color": color}, hovertext=hover[ok],
                      hovertemplate="%{hovertext}<extra></extra>")]
    if not ok.all():  # log P was NaN or -inf (no prediction, or a broken network); the hover says which
        out.append(go.Scatter(
            x=x[~ok], y=np.zeros((~ok).sum()), mode="markers", name=f"{label}: no value", legendgroup=kind,
            marker={"symbol": SPECIAL_SYMBOL["nan"], "size": 9, "color": color},
            hovertext=hover[~ok], hovertemplate="%{hovertext}<extra></extra>",
        ))
    return out


def ablation_figure(frame: pd.DataFrame, gradients: pd.DataFrame | None = None, *, facet: str = "model",
                    log_distance: bool = False, title: str | None = None) -> go.Figure:
    """Δ log P(target) against distance k, one colour per intervention and one column per value of `facet` (e.g.
    Elman, LSTM, GRU); with `gradients` (core.probes.ablation_gradients frames, the same `facet` column when there
    are several columns) the input-gradient norm at the same distances in a second row, on a log axis.

    frame: core.probes.ablation's columns, plus `facet` when several models are compared. log_distance spreads
    the nearby words, where nearly everything happens, over most of the axis."""
    columns = _facets(frame, facet)
    rows = 1 if gradients is None else 2
    fig = make_subplots(rows=rows, cols=len(columns), shared_xaxes=True, shared_yaxes=True,
                        vertical_spacing=0.1, horizontal_spacing=0.04, row_heights=[0.6, 0.4] if rows == 2 else None,
                        subplot_titles=[esc(name) for name, _ in columns] if len(columns) > 1 else None)
    shown: set[str] = set()

    def add(trace: go.Scatter, row: int, col: int) -> None:
        trace.showlegend = trace.name not in shown  # one legend entry per curve, however many columns
        shown.add(trace.name)
        fig.add_trace(trace, row=row, col=col)

    for c, (name, g) in enumerate(columns, start=1):
        for kind, part in g.groupby("intervention", sort=False):
            for trace in _delta_traces(name, part, kind):
                add(trace, 1, c)
        fig.add_hline(y=0, line={"color": GREY, "width": 1}, row=1, col=c)
    if gradients is not None:
        by = gradients[facet].astype(str) if facet in gradients.columns else None
        grads = [(name, gradients if by is None else gradients[by == name]) for name, _ in columns]
        scale = log10_scale(*[g["log10_grad_norm"] for _, g in grads])
        for c, (name, g) in enumerate(grads, start=1):
            g = g.sort_values("distance")
            prefix = f"{esc(name)}<br>" if name else ""
            hover = [f"{prefix}“{esc(tok)}” (position {p}, k = {k})<br>{GRADIENT_NAME} = {fmt_log10(v)}"
                     for tok, p, k, v in zip(g["token"], g["position"], g["distance"], g["log10_grad_norm"])]
            for trace in log_curve(g["distance"], g["log10_grad_norm"], scale, name=GRADIENT_NAME, color=VERMILLION,
                                   hover=hover):
                add(trace, 2, c)
            axis = fig.get_subplot(2, c).yaxis.plotly_name
            log10_axis(fig, scale, title=f"{GRADIENT_NAME} (log scale)" if c == 1 else "", axis=axis)
    fig.update_yaxes(title="Δ log P(target): ablated − intact", row=1, col=1)
    fig.update_xaxes(autorange="reversed")  # earlier words to the left, as on the gradient pages
    if log_distance:  # plotly's own log ticks read "5 2 10 5 2 1"; name every 1, 2, 5 × 10ⁿ in full
        k_max = int(frame["distance"].max())
        ticks = [m * 10**e for e in range(len(str(k_max))) for m in (1, 2, 5) if m * 10**e <= k_max]
        fig.update_xaxes(type="log", tickmode="array", tickvals=ticks, ticktext=[str(v) for v in ticks])
    x_title = DISTANCE_AXIS if len(columns) == 1 else "k: tokens back from the target"
    fig.update_xaxes(title=x_title + (" (log scale)" if log_distance else ""), row=rows)
    word = esc(frame["target_token"].iloc[0]) if "target_token" in frame and len(frame) else "the target"
    return base_layout(
        fig, title or f"What the prediction of “{word}” loses when context is taken away",
        height=480 if rows == 1 else 700,
        subtitle="Below 0: that context helped the prediction. Shuffle is a mean over random orders."
                 + (" The gradient only sees an infinitesimal nudge of each word." if rows == 2 else ""),
    )


def lag_sweep_figure(frame: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Accuracy (a share, 0..1) against the lag between cue and prediction on a log axis: one line per
    architecture at the mean over seeds, error bars ± one standard deviation across seeds (none for one seed),
    chance as a dashed line. frame: columns arch, lag, seed, accuracy, chance."""
    if (frame["lag"] <= 0).any():
        raise ValueError("lags must be positive to sit on a log axis")
    fig = go.Figure()
    for i, (arch, stats) in enumerate(by_lag(frame, by="arch").groupby(level="arch", sort=False)):
        stats = stats.droplevel("arch").sort_index()
        spread = stats["std"].fillna(0.0)  # a single seed has no spread to show
        color = SERIES[i % len(SERIES)]
        custom = np.stack([stats["runs"].to_numpy(), [f"{s:.1%}" for s in spread]], axis=-1)
        fig.add_trace(go.Scatter(
            x=stats.index.to_numpy(), y=stats["mean"].to_numpy(), mode="lines+markers", name=esc(arch),
            line={"color": color}, marker={"color": color},
            error_y={"type": "data", "array": spread.to_numpy(), "visible": True, "color": color},
            customdata=custom,
            hovertemplate=f"{esc(arch)}<br>lag %{{x}}: accuracy %{{y:.1%}} ± %{{customdata[1]}} "
                          "(%{customdata[0]} seeds)<extra></extra>",
        ))
    chance = frame.groupby("lag")["chance"].mean().sort_index()
    fig.add_trace(go.Scatter(
        x=chance.index.to_numpy(), y=chance.to_numpy(), mode="lines", name="chance",
        line={"color": GREY, "dash": "dash"},
        hovertemplate="lag %{x}: chance %{y:.1%}<extra></extra>",
    ))
    lags = sorted(frame["lag"].unique())
    fig.update_xaxes(type="log", title="lag: tokens between the cue and the prediction (log scale)")
    if len(lags) <= 20:
        fig.update_xaxes(tickmode="array", tickvals=lags, ticktext=[str(v) for v in lags])
    fig.update_yaxes(title="accuracy (mean over seeds)", range=[0, 1.02], tickformat=".0%")
    return base_layout(fig, title or "How far back each architecture can carry a cue", height=460,
                       subtitle="Each point: mean over training seeds, bars ± one standard deviation. On the dashed "
                                "line the network only guesses.")
