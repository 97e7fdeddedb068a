"""Sentences that state facts about the model and the text on screen, computed from the data the charts draw.

Each is a pure function (data in, Markdown out) so that a unit test can hand it other data and see it change;
pages never write such facts inline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from core import ModelConfig
from core.gradients import Derivation

ARCH = {"elman": "Elman network", "lstm": "LSTM", "gru": "GRU", "window": "fixed-window model"}
GATES = {"lstm": 4, "gru": 3}


def unit(tokenizer: str, plural: bool = False) -> str:
    """What one token is: a word or a character."""
    word = "character" if tokenizer == "char" else "word"
    return word + "s" if plural else word


def gradients_intro(tokens: Sequence[str], target: int, cue: int | None, tokenizer: str = "word") -> str:
    """The page's opening example, told with this text's own words and distance."""
    later = target - (cue if cue is not None else 0)
    what = unit(tokenizer, plural=later != 1)
    if cue is not None:
        head = (f"To learn that **“{tokens[cue]}”** should make **“{tokens[target]}”** likely {later} {what} later, "
                f"backpropagation has to carry the error at “{tokens[target]}” all the way back to “{tokens[cue]}”.")
    else:
        head = (f"For the prediction of **“{tokens[target]}”** to learn from **“{tokens[0]}”**, {later} {what} "
                f"earlier, backpropagation has to carry the error at “{tokens[target]}” all the way back.")
    return head + (" On its way it is multiplied once per step by the Jacobian ∂h_i/∂h_{i−1}, which for the Elman "
                   "network is diag(f′(u_i)) W_hh. If those factors are smaller than 1, the signal fades "
                   "geometrically (vanishing gradients); if larger, it blows up (exploding gradients).")


def not_elman_note(config: ModelConfig, w_hh_shape: tuple[int, int] | None = None) -> str:
    """Why the spectral-radius bound is missing for this model, and what the page shows instead."""
    if config.arch == "window":
        return (f"The fixed-window model carries no state from one {unit(config.tokenizer)} to the next, so there is "
                f"no h_s and no chain of Jacobians: shown instead is the gradient with respect to the inputs x_s, "
                f"exactly zero beyond its window of {config.window} {unit(config.tokenizer, True)}.")
    if config.arch in GATES:
        rows, cols = w_hh_shape or (GATES[config.arch] * config.hidden_size, config.hidden_size)
        state = "(h, c)" if config.arch == "lstm" else "h"
        return (f"The {ARCH[config.arch]}'s W_hh stacks its {GATES[config.arch]} gates ({rows}×{cols}), so it has no "
                f"spectral radius and the bound (γ‖W_hh‖₂)^k does not apply: shown instead are the measured gradient "
                f"and the norm of the Jacobian of its full state {state}.")
    return (f"This network has {config.num_layers} layer{'s' if config.num_layers > 1 else ''}"
            f"{' in both directions' if config.bidirectional else ''}: the bound (γ‖W_hh‖₂)^k describes one layer "
            "read one way, so it is left out.")


def window_deeper_note(config: ModelConfig) -> str:
    """Why the Deeper page swaps the fixed window for an Elman network."""
    return (f"The fixed-window model has no recurrence to stack or to run right to left (it reads the last "
            f"{config.window} {unit(config.tokenizer, True)} afresh at every step), so this page shows an untrained "
            f"Elman network of the same size, H = {config.hidden_size}.")


def state_chain_note(config: ModelConfig) -> str:
    """How the by-hand chain reads for a gated cell, whose W_hh is no single factor."""
    state = "(h_i, c_i)" if config.arch == "lstm" else "h_i"
    return (f"For the {ARCH[config.arch]} the same chain rule runs over its full state {state}: each factor is the "
            f"cell's Jacobian ∂{state}/∂{state.replace('_i', '_(i−1)')}, formed by autograd one step at a time "
            "(its W_hh stacks the gates, so there is no single diag(f′) W_hh).")


def factor_caption(d: Derivation) -> str:
    """What the bars of the by-hand product measure and what the product did, from the numbers drawn."""
    norms = np.array([f.norm for f in d.factors], dtype=float)
    product = d.factors[-1].running_norm
    n = len(norms)
    finite = norms[np.isfinite(norms)]
    if finite.size < n or not math.isfinite(product):
        return ("Some factors or the product are inf or NaN: the network has overflowed, and no norm can be read "
                "off them.")
    above, below = int((finite > 1).sum()), int((finite < 1).sum())
    bound = float(np.prod(finite))
    lo, hi = float(finite.min()), float(finite.max())
    state = "(h, c)" if d.state == "hc" else "h"
    head = (f"Bars: the size ‖J_i‖₂ of each factor J_i = ∂{state}_i/∂{state}_(i−1), from {lo:.3g} to {hi:.3g}. "
            f"Line: the size of the running product, which ends at {product:.3g}. ")
    if above == n:
        tail = f"All {n} bars exceed 1"
    elif below == n:
        tail = f"All {n} bars are below 1"
    else:
        tail = f"{above} of {n} bars exceed 1 and {below} are below"
    limit = f"at most their product, {bound:.3g}"
    if product < 1 <= bound:
        how = (f"{tail}, yet the product shrinks to {product:.3g}: a product's norm is {limit} (‖AB‖ ≤ ‖A‖ ‖B‖), "
               "and it is smaller when each factor stretches directions that the next one shrinks.")
    elif product < 1:
        how = f"{tail}; the product's norm, {limit}, shrinks to {product:.3g}."
    else:
        how = f"{tail}; the product's norm is {product:.3g}, {limit}."
    return head + how + " This is one text; other inputs change every factor."
