"""Text coloured token by token (a unit's activation, a generated token's probability), as escaped HTML, and the bar
chart of units ranked by how well they follow a feature. Pure functions: numbers in, markup or a figure out."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .style import BLUE, VERMILLION, base_layout, esc

WHITE = "#F2F2F2"
BOX = ("font-family: ui-monospace, monospace; white-space: pre-wrap; line-height: 1.9; font-size: 0.95rem; "
       "max-height: 26rem; overflow-y: auto; padding: 0.4rem 0.1rem")
TOKEN = "color: #111; padding: 0.1rem 0; background: {bg}"


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def diverging(value: float, bound: float) -> str:
    """Blue for -bound, near-white for 0, vermillion for +bound (clipped beyond): the heatmaps' diverging scale."""
    if not math.isfinite(value):
        return "#F0E442"  # yellow: overflow or NaN, a colour of its own (as on the diverging heatmaps)
    s = max(-1.0, min(1.0, value / bound)) if bound > 0 else 0.0
    end = _rgb(VERMILLION) if s > 0 else _rgb(BLUE)
    c = _rgb(WHITE) + abs(s) * (end - _rgb(WHITE))
    return "rgb({},{},{})".format(*(int(round(v)) for v in c))


def sequential(p: float) -> str:
    """From white (p = 0) to blue (p = 1): how sure the model was of a token."""
    p = max(0.0, min(1.0, p)) if math.isfinite(p) else 0.0
    c = _rgb(WHITE) + p * (_rgb(BLUE) * 0.55 + _rgb(WHITE) * 0.45 - _rgb(WHITE))
    return "rgb({},{},{})".format(*(int(round(v)) for v in c))


def _shown(token: str) -> str:
    """A token as it reads in running text; a newline is drawn as ↵ and then breaks the line."""
    return "↵\n" if token == "\n" else token


def coloured_text(tokens: Sequence[str], values: Sequence[float], bound: float, gaps: Sequence[str] | None = None,
                  first_step: int = 0) -> str:
    """Every token on a background coloured by its value on the fixed scale ±bound; hovering shows the value.

    gaps[i] is the text between token i-1 and token i as typed (spaces, line breaks; none between characters).
    Tokens are escaped (a vocabulary or a text may hold markup); data-v carries each value exactly as coloured.
    """
    if len(tokens) != len(values) or (gaps is not None and len(gaps) != len(tokens)):
        raise ValueError("one value (and one gap) per token")
    parts = []
    for t, (tok, v) in enumerate(zip(tokens, values)):
        tip = f"step {first_step + t}, {tok!r}: {float(v):.4f}"
        parts.append(html.escape(gaps[t] if gaps is not None else "") +
                     f'<span style="{TOKEN.format(bg=diverging(float(v), bound))}" title="{html.escape(tip)}" '
                     f'data-v="{float(v)!r}">{html.escape(_shown(tok))}</span>')
    return f'<div class="unit-text" style="{BOX}">{"".join(parts)}</div>'


def probability_text(prompt_tail: str, tokens: Sequence[str], probs: Sequence[float],
                     tips: Sequence[str], separators: Sequence[str]) -> str:
    """A continuation after the end of its prompt (in grey): each token shaded by the probability the model gave
    it, with its runners-up on hover. separators[i] is the spacing written before token i."""
    parts = [f'<span style="color: #888">{html.escape(prompt_tail)}</span>']
    for tok, p, tip, sep in zip(tokens, probs, tips, separators):
        parts.append(html.escape(sep) + f'<span style="{TOKEN.format(bg=sequential(p))}" title="{html.escape(tip)}" '
                     f'data-p="{float(p)!r}">{html.escape(_shown(tok))}</span>')
    return f'<div class="generated-text" style="{BOX}">{"".join(parts)}</div>'


def scale_legend(bound: float, low: str = "−", high: str = "+") -> str:
    """The colour bar under a coloured text, with its end values."""
    stops = ", ".join(diverging(v, 1.0) for v in np.linspace(-1, 1, 9))
    return (f'<div style="display:flex; align-items:center; gap:0.5rem; font-size:0.85rem">'
            f"<span>{html.escape(low)}{bound:.3g}</span>"
            f'<span style="flex:0 0 14rem; height:0.8rem; border-radius:0.2rem; '
            f'background: linear-gradient(to right, {stops})"></span>'
            f"<span>{html.escape(high)}{bound:.3g}</span></div>")


def ranking_bars(ranking: pd.DataFrame, feature_label: str, steps: int, n: int = 12, good: float = 0.5) -> go.Figure:
    """The n units with the largest |r| against the feature, as signed bars, with the ±good threshold drawn."""
    top = ranking.dropna(subset=["r"]).head(n).iloc[::-1]
    fig = go.Figure(go.Bar(
        x=top["r"], y=[esc(u) for u in top["unit"]], orientation="h",
        marker_color=[VERMILLION if r > 0 else BLUE for r in top["r"]],
        hovertemplate="%{y}: r = %{x:.3f}<extra></extra>", name="Pearson r",
    ))
    for x in (-good, good):
        fig.add_vline(x=x, line_dash="dot", line_color="#999999")
    base_layout(fig, f"Units that follow “{esc(feature_label)}” best",
                height=max(260, 24 * len(top) + 140),
                subtitle=f"Pearson r over {steps:,} steps; dotted lines at ±{good}, where r² = {good ** 2:.2f}")
    fig.update_xaxes(title_text="correlation r with the feature", range=[-1, 1])
    fig.update_yaxes(title_text="unit")
    return fig
