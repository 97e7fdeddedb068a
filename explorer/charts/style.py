"""Colours, layout and axes shared by every chart, so that all figures read alike in light and dark themes.

Colours are Okabe & Ito's colour-blind-safe set (with grey standing in for their black, which vanishes on a
dark background). No template or font colour is set anywhere: Streamlit's own theme fills those in.
Values that span hundreds of decades are plotted as log10 on a linear axis labelled 10ⁿ: Plotly's log
axis cannot show 1e-400 (float64 underflow), an exact zero or an overflow, and those are what we must show.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

ORANGE, SKY, GREEN, YELLOW = "#E69F00", "#56B4E9", "#009E73", "#F0E442"
BLUE, VERMILLION, PURPLE, GREY = "#0072B2", "#D55E00", "#CC79A7", "#999999"
SERIES = (BLUE, ORANGE, GREEN, PURPLE, VERMILLION, SKY, YELLOW)  # one colour per curve, in this order

SEQUENTIAL = "Viridis"  # perceptually uniform and colour-blind safe; none of the special colours is on it
DIVERGING = [[0.0, BLUE], [0.5, "#F2F2F2"], [1.0, VERMILLION]]  # centred on 0
# Non-finite values keep a colour of their own on every heatmap (a band beside the colour scale) and a
# marker of their own on every curve: an exploding network must look different from a quiet one.
# The colours differ per scale, so that none of them also appears on the scale itself.
SPECIAL_COLOR = {"zero": GREY, "overflow": VERMILLION, "nan": PURPLE}  # beside SEQUENTIAL (and on curves)
SPECIAL_COLOR_DIVERGING = {"zero": GREY, "overflow": YELLOW, "nan": GREEN}  # beside DIVERGING
SPECIAL_SYMBOL = {"zero": "triangle-down", "overflow": "triangle-up", "nan": "x"}
SPECIAL_LABEL = {"zero": "exactly 0", "overflow": "overflow (inf)", "nan": "NaN"}

MAX_TICK_LABELS = 40  # more token labels than this on one axis become unreadable; thin them


def base_layout(fig: go.Figure, title: str, height: int | None = None, *, subtitle: str | None = None) -> go.Figure:
    """Title (plus an optional one-line reading guide), margins and a legend under the plot; theme left alone."""
    title_spec = {"text": title, "x": 0.0, "xanchor": "left"}
    if subtitle:
        title_spec["subtitle"] = {"text": subtitle}
    fig.update_layout(
        title=title_spec, height=height, margin={"l": 70, "r": 30, "t": 95 if subtitle else 70, "b": 60},
        # below everything, anchored to the figure: the plot shrinks to make room however many rows it takes
        legend={"orientation": "h", "yref": "container", "y": 0.0, "yanchor": "bottom", "x": 0.0, "xanchor": "left"},
        hoverlabel={"namelength": -1},
    )
    return fig


def esc(text) -> str:
    """Plotly reads text as HTML: '<unk>' would vanish as an unknown tag, so escape every token."""
    return html.escape(str(text), quote=False)


def short(token: str, width: int = 12) -> str:
    """A token cut to fit under one tick, escaped."""
    token = str(token)
    return esc(token if len(token) <= width else token[: width - 1] + "…")


def thin_ticks(labels, max_labels: int = MAX_TICK_LABELS) -> tuple[list[int], list[str]]:
    """Tick positions and texts for a token axis: every label when few, else every k-th with its position."""
    n = len(labels)
    step = max(1, math.ceil(n / max_labels))
    if step == 1:
        return list(range(n)), [short(t) for t in labels]
    vals = list(range(0, n, step))
    return vals, [f"{p}:{short(labels[p], 8)}" for p in vals]


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def pow10(exponent: int) -> str:
    """10⁻⁶⁰ for -60: a power of ten as a tick label."""
    return "10" + str(int(exponent)).translate(_SUPERSCRIPT)


def fmt(value: float, digits: int = 4) -> str:
    """An exact-looking number for hover boxes: 0.1235, 1.235e-60, inf, NaN."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.{digits}g}"


def fmt_log10(l10: float) -> str:
    """The number whose log10 is l10, in scientific notation, beyond float64's range too (1.000e-400)."""
    if math.isnan(l10):
        return "NaN"
    if math.isinf(l10):
        return "inf (overflow)" if l10 > 0 else "0 (exactly)"
    exponent = math.floor(l10)
    mantissa = 10 ** (l10 - exponent)
    if round(mantissa, 3) >= 10:  # 9.9996 would print as 10.000
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.3f}e{exponent:+03d}"


def kinds(values) -> np.ndarray:
    """Per entry of log10 values: 'ok', 'zero' (-inf), 'overflow' (+inf) or 'nan' (as core's status())."""
    v = np.asarray(values, dtype=float)
    return np.select([np.isnan(v), np.isposinf(v), np.isneginf(v)], ["nan", "overflow", "zero"], "ok")


def nice_step(span: float, max_ticks: int) -> float:
    """The smallest of 1, 2, 5, 10, 20, ... (times a power of ten) that puts at most max_ticks ticks on span."""
    raw = max(span, 1e-12) / max_ticks
    base = 10 ** math.floor(math.log10(raw))
    return next(m * base for m in (1, 2, 5, 10) if m * base >= raw)


@dataclass(frozen=True)
class Log10Scale:
    """Where log10 values go on a linear axis: finite ones in [lo, hi]; exact zeros on a row below (floor),
    overflows and NaNs on a row above (ceiling); floor / ceiling are None when nothing needs them."""

    lo: float
    hi: float
    floor: float | None
    ceiling: float | None

    def place(self, values) -> np.ndarray:
        """y for every value: finite ones as they are, -inf at the floor, +inf and NaN at the ceiling."""
        v = np.asarray(values, dtype=float)
        k = kinds(v)
        floor = self.lo if self.floor is None else self.floor
        ceiling = self.hi if self.ceiling is None else self.ceiling
        return np.where(k == "ok", v, np.where(k == "zero", floor, ceiling))

    @property
    def range(self) -> list[float]:
        bottom = self.floor if self.floor is not None else self.lo
        top = self.ceiling if self.ceiling is not None else self.hi
        pad = 0.04 * (top - bottom)
        return [bottom - pad, top + pad]


def log10_scale(*arrays) -> Log10Scale:
    """The scale for some arrays of log10 values; finite values decide the range (at least one decade)."""
    v = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays]) if arrays else np.array([])
    finite = v[np.isfinite(v)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    if hi - lo < 1:
        mid = (hi + lo) / 2
        lo, hi = mid - 0.5, mid + 0.5
    lo = math.floor(lo) if lo - math.floor(lo) < 0.15 else lo  # reach a round power of ten when it is close
    hi = math.ceil(hi) if math.ceil(hi) - hi < 0.15 else hi
    gap = max(0.1 * (hi - lo), 0.5)
    k = kinds(v)
    floor = lo - gap if (k == "zero").any() else None
    ceiling = hi + gap if ((k == "overflow") | (k == "nan")).any() else None
    return Log10Scale(lo, hi, floor, ceiling)


def pow10_ticks(lo: float, hi: float, max_ticks: int = 8) -> tuple[list[float], list[str]]:
    """Integer exponents in [lo, hi], spaced 1, 2, 5, 10, ... decades apart, labelled 10ⁿ; under two decades
    also 2×10ⁿ and 5×10ⁿ, so that a short axis still has three or more labels."""
    step = max(1, int(nice_step(hi - lo, max_ticks)))
    vals = [float(e) for e in range(math.ceil(lo / step) * step, math.floor(hi) + 1, step)]
    if len(vals) >= 3:
        return vals, [pow10(int(e)) for e in vals]
    ticks = [(e + math.log10(m), m, e) for e in range(math.floor(lo), math.ceil(hi) + 1) for m in (1, 2, 5)]
    ticks = [(v, m, e) for v, m, e in ticks if lo - 1e-9 <= v <= hi + 1e-9]
    return [v for v, _, _ in ticks], [pow10(e) if m == 1 else f"{m}×{pow10(e)}" for _, m, e in ticks]


def log10_axis(fig: go.Figure, scale: Log10Scale, *, title: str, axis: str = "yaxis") -> go.Figure:
    """Label a linear axis that carries log10 values with powers of ten, plus '0' and 'inf / NaN' rows."""
    vals, text = pow10_ticks(scale.lo, scale.hi)
    if scale.floor is not None:
        vals, text = [scale.floor, *vals], ["0", *text]
    if scale.ceiling is not None:
        vals, text = [*vals, scale.ceiling], [*text, "inf / NaN"]
    fig.update_layout({axis: {"title": {"text": title}, "range": scale.range, "tickmode": "array",
                              "tickvals": vals, "ticktext": text, "zeroline": False}})
    return fig


def special_markers(x, log10_values, scale: Log10Scale, *, hover: list[str], color: str, name: str = "",
                    legendgroup: str | None = None, customdata=None) -> list[go.Scatter]:
    """One marker trace per kind of non-finite value present (exactly 0, overflow, NaN), drawn on the floor
    or ceiling row so that nothing silently disappears from a log plot."""
    x = np.asarray(x)
    k = kinds(log10_values)
    y = scale.place(log10_values)
    hover = np.asarray(hover, dtype=object)
    out = []
    for kind in ("zero", "overflow", "nan"):
        sel = k == kind
        if not sel.any():
            continue
        label = f"{name}: {SPECIAL_LABEL[kind]}" if name else SPECIAL_LABEL[kind]
        out.append(go.Scatter(
            x=x[sel], y=y[sel], mode="markers", name=label, legendgroup=legendgroup,
            marker={"symbol": SPECIAL_SYMBOL[kind], "size": 9, "color": color, "line": {"width": 1, "color": color}},
            hovertext=hover[sel], hovertemplate="%{hovertext}<extra></extra>",
            customdata=None if customdata is None else np.asarray(customdata)[sel],
        ))
    return out


def log_curve(x, log10_values, scale: Log10Scale, *, name: str, color: str, hover: list[str], dash: str | None = None,
              customdata=None) -> list[go.Scatter]:
    """A curve of log10 values: finite points joined by a line, the others as markers on the 0 / inf rows."""
    v = np.asarray(log10_values, dtype=float)
    x = np.asarray(x)
    ok = np.isfinite(v)
    line = go.Scatter(
        x=x[ok], y=v[ok], mode="lines+markers", name=name, legendgroup=name, line={"color": color, "dash": dash},
        marker={"size": 5, "color": color}, hovertext=np.asarray(hover, dtype=object)[ok],
        hovertemplate="%{hovertext}<extra></extra>",
        customdata=None if customdata is None else np.asarray(customdata)[ok],
    )
    return [line, *special_markers(x, v, scale, hover=hover, color=color, name=name, legendgroup=name,
                                   customdata=customdata)]


def linear_ticks(lo: float, hi: float, max_ticks: int = 6) -> list[float]:
    """Round numbers between lo and hi for a colour bar."""
    step = nice_step(hi - lo, max_ticks)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 12) for i in range(int((hi - first) / step + 1e-9) + 1)]


def layer_label(layer: int, direction: int) -> str:
    """'layer 0, left to right': which recurrent network a chart shows (layer numbers as in core's names)."""
    return f"layer {layer}, " + ("left to right" if direction == 0 else "right to left")
