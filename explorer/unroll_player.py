"""The Unroll page's step player: every step's diagram, equation and next-word bars sent to the browser once,
so that Step, Back, the slider and Play answer within a frame, with no script rerun.

The browser keeps the step in the address bar itself (history.replaceState), so a link copied at any moment
reopens that step; the server reads it from the link when a session starts, as every other setting.
"""

from __future__ import annotations

import math

import torch

from core import Trace

from . import captions, components

ROWS = 6  # hidden units written out in the equation
TOP_K = 8  # candidates in the next-word bars
RATES = (0.5, 1, 2, 4, 8, 16)  # Play's steps per second, for the user to choose
DEFAULT_RATE = 2


def _num(value: float) -> float | None:
    """4 significant digits (what the page shows) keep the JSON small; NaN and inf as null and ±1e308."""
    if math.isnan(value):
        return None
    if math.isinf(value):
        return math.copysign(1e308, value)
    return float(f"{value:.4g}")


def _column(values: torch.Tensor) -> list[list[float | None]]:
    """(T, H) -> (T, ROWS) nested lists of rounded numbers."""
    return [[_num(v) for v in row] for row in values[:, :ROWS].tolist()]


def player_data(trace: Trace, terms: dict[str, torch.Tensor] | None, step: int, *, trained: bool,
                rate: float = DEFAULT_RATE) -> dict:
    """Everything the player draws, for every step (terms: core.trace.elman_terms_all, or None when the model
    is not an Elman network and has no such equation)."""
    T = len(trace)
    probs, ids = trace.top_k(TOP_K)
    tokens = [str(t) for t in trace.tokens]
    read = trace.ids.tolist()  # each token as a vocabulary id
    data = {
        "tokens": tokens,
        "known": [bool(k) for k in trace.known.tolist()],
        # the next token as the network reads it (the vocabulary's spelling, <unk> when unknown), and as typed
        "next": [trace.vocab[read[t + 1]] if t + 1 < T else None for t in range(T)],
        "next_typed": [tokens[t + 1] if t + 1 < T else None for t in range(T)],
        "unit": captions.unit(trace.config.tokenizer),
        "vocab_size": len(trace.vocab),
        "top_words": [[trace.vocab[i] for i in row] for row in ids.tolist()],
        "top_probs": [[_num(p) for p in row] for row in probs.tolist()],
        "step": min(max(step, 0), T - 1),
        "rate": rate,
        "rates": list(RATES),
        "trained": trained,
        "hidden": int(trace.h(0).shape[-1]),
        "activation": trace.config.activation,
        "terms": None,
    }
    if terms is not None:
        data["terms"] = {name: _column(terms[name]) for name in ("u_t", "W_hx x_t", "W_hh h_prev", "b_h", "h_t")}
    return data


def show(data: dict, key: str) -> None:
    """Mount the player; it reports nothing back (the step lives in the browser and the address bar)."""
    components.component("unroll_player")(data=data, key=key)


def standalone_html(data: dict) -> str:
    return components.standalone_html("unroll_player", data, "The RNN unrolled")
