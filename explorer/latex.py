"""The lecture's equations as LaTeX with live numbers (pure strings: testable, no streamlit)."""

from __future__ import annotations

import math

import torch

F_NAME = {"tanh": r"\tanh", "sigmoid": r"\sigma", "relu": r"\mathrm{relu}", "identity": r"\mathrm{id}"}


def number(value: float) -> str:
    if math.isnan(value):
        return r"\mathrm{NaN}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    if value != 0 and not 1e-3 <= abs(value) < 1e4:
        mantissa, exponent = f"{value:.2e}".split("e")
        return rf"{mantissa}\!\times\!10^{{{int(exponent)}}}"
    return f"{value:.3f}"


def vector(v: torch.Tensor, rows: int = 6) -> str:
    """A column vector showing its first `rows` entries (and a vertical ellipsis when there are more)."""
    values = [number(x) for x in v[:rows].tolist()]
    if len(v) > rows:
        values.append(r"\vdots")
    return r"\begin{bmatrix}" + r" \\ ".join(values) + r"\end{bmatrix}"


def elman_step(terms: dict[str, torch.Tensor], t: int, activation: str, rows: int = 6) -> tuple[str, str]:
    """u_t = W_hx x_t + W_hh h_{t-1} + b_h and h_t = f(u_t), each term with this step's numbers (two lines,
    so that each fits a laptop-wide column)."""
    f = F_NAME[activation]
    previous = t - 1 if t > 0 else r"\text{init}"  # the state before the first word, as the charts call it
    u = (
        rf"\underbrace{{{vector(terms['u_t'], rows)}}}_{{u_{{{t}}}}} = "
        rf"\underbrace{{{vector(terms['W_hx x_t'], rows)}}}_{{W_{{hx}}x_{{{t}}}}} + "
        rf"\underbrace{{{vector(terms['W_hh h_prev'], rows)}}}_{{W_{{hh}}h_{{{previous}}}}} + "
        rf"\underbrace{{{vector(terms['b_h'], rows)}}}_{{b_h}}"
    )
    return u, rf"h_{{{t}}} = {f}(u_{{{t}}}) = {vector(terms['h_t'], rows)}"
