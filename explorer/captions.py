"""Sentences that state facts about the model and the text on screen, computed from the data the charts draw.

Each is a pure function (data in, Markdown out) so that a unit test can hand it other data and see it change;
pages never write such facts inline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from core import ModelConfig
from core.generate import Step, agreement
from core.gradients import Derivation
from core.models.config import ARCH_NAMES
from core.models.recurrent import DIRECTIONS

GATES = {"lstm": 4, "gru": 3}


def unit(tokenizer: str, plural: bool = False) -> str:
    """What one token is: a word or a character."""
    word = "character" if tokenizer == "char" else "word"
    return word + "s" if plural else word


def unknown_words(tokens: Sequence[str], known: Sequence[bool], show: int = 5, tokenizer: str = "word") -> str:
    """Which words of the text the vocabulary lacks (the last few: nearest the last step, where the Unroll player
    opens), and what the network does with them; "" when it knows them all."""
    unknown = list(dict.fromkeys(tok for tok, ok in zip(tokens, known) if not ok))
    if not unknown:
        return ""
    shown = unknown[-show:]
    more = len(unknown) - len(shown)
    return ("; ".join(f"“{tok}” is not in the vocabulary" for tok in shown)
            + (f" (nor are {more} other {unit(tokenizer, True)} of this text)" if more else "")
            + f": the input x_t of such a {unit(tokenizer)} is a fixed random vector made from the {unit(tokenizer)} "
            "itself, and as a prediction target it counts as <unk>.")


GRADIENTS_INTRO_TAIL = (" On its way it is multiplied once per step by the Jacobian ∂h_i/∂h_{i−1}, which for the Elman "
                        "network is diag(f′(u_i)) W_hh. If those factors are smaller than 1, the signal fades "
                        "geometrically (vanishing gradients); if larger, it blows up (exploding gradients).")


def gradients_intro_head(tokens: Sequence[str], target: int, cue: int | None, tokenizer: str = "word") -> str:
    """The opening example's first sentence, told with this text's own words and distance."""
    later = target - (cue if cue is not None else 0)
    what = unit(tokenizer, plural=later != 1)
    if cue is not None:
        return (f"To learn that **“{tokens[cue]}”** should make **“{tokens[target]}”** likely {later} {what} later, "
                f"backpropagation has to carry the error at “{tokens[target]}” all the way back to “{tokens[cue]}”.")
    return (f"For the prediction of **“{tokens[target]}”** to learn from **“{tokens[0]}”**, {later} {what} "
            f"earlier, backpropagation has to carry the error at “{tokens[target]}” all the way back.")


def gradients_intro(tokens: Sequence[str], target: int, cue: int | None, tokenizer: str = "word") -> str:
    """The page's opening example, then what happens to the error on its way back."""
    return gradients_intro_head(tokens, target, cue, tokenizer) + GRADIENTS_INTRO_TAIL


def not_elman_note(config: ModelConfig, w_hh_shape: tuple[int, int] | None = None) -> str:
    """Why the spectral-radius bound is missing for this model, and what the page shows instead."""
    if not config.is_recurrent:
        return (f"The fixed-window model carries no state from one {unit(config.tokenizer)} to the next, so there is "
                f"no h_s and no chain of Jacobians: shown instead is the gradient with respect to the inputs x_s, "
                f"exactly zero beyond its window of {config.window} {unit(config.tokenizer, True)}.")
    if config.arch in GATES:
        rows, cols = w_hh_shape or (GATES[config.arch] * config.hidden_size, config.hidden_size)
        state = "(h, c)" if config.arch == "lstm" else "h"
        name = ARCH_NAMES[config.arch]
        return (f"The {name}'s W_hh stacks its {GATES[config.arch]} gates ({rows}×{cols}), so it has no "
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


def backward_peek(frame, token: str) -> str:
    """What the Deeper page's gradient table says at the target itself (k = 0): the right-to-left network of layer 0
    has read the word it is asked to predict when its gradient there is not zero."""
    at_target = frame[(frame.distance == 0) & (frame.layer == 0) & (frame.direction == DIRECTIONS[1])]
    norm = float(at_target.grad_norm.iloc[0])
    verdict = (", not zero: the prediction depends on the very word it is meant to predict." if norm > 0
               else " for this one target and these weights.")
    return (f"Here the right-to-left network's gradient at the target “{token}” itself (k = 0, layer 0) is "
            f"**{norm:.3g}**{verdict}")


def window_cost(frame, window: str, tokenizer: str = "word") -> str:
    """What one more word of context costs the fixed-window model, read from the parameter counts the chart draws
    (columns n, model, parameters; `window` names the fixed-window model's rows)."""
    rows = frame[frame.model == window].sort_values("n")
    per_word = int(rows.parameters.iloc[1] - rows.parameters.iloc[0])
    word = unit(tokenizer)
    return (f"W is H × n·d: it has one block of columns per {word} in the window, so every extra {word} of context "
            "adds "
            f"H·d = {per_word:,} weights here. The RNN's W_hx is H × d and its W_hh is H × H whatever the length of "
            "the text: it reuses the same two matrices at every step.")


def state_chain_note(config: ModelConfig) -> str:
    """How the by-hand chain reads for a gated cell, whose W_hh is no single factor."""
    state, name = "(h_i, c_i)" if config.arch == "lstm" else "h_i", ARCH_NAMES[config.arch]
    return (f"For the {name} the same chain rule runs over its full state {state}: each factor is the "
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


def trained_word(trained: bool) -> str:
    return "trained" if trained else "untrained"


def influence_caption(trained: dict[str, bool]) -> str:
    """What the three-model chart compares, with each model's status as it is."""
    if all(trained.values()):
        who = "all three trained"
    elif not any(trained.values()):
        who = "all three untrained, with the same hidden size and seed: how each architecture passes gradients back " \
              "at initialisation, not how well a trained one remembers"
    else:
        who = ", ".join(f"{name} {trained_word(t)}" for name, t in trained.items())
    return f"‖∂q/∂x_s‖ for the same text and target in each model ({who})."


def reach_comparison(frames: dict, lstm: str = ARCH_NAMES["lstm"], elman: str = ARCH_NAMES["elman"],
                     tokenizer: str = "word") -> str | None:
    """Which of the two curves on the chart reaches further back at the farthest word both measured."""
    a, b = frames[lstm], frames[elman]
    both = a.merge(b, on="distance", suffixes=("_a", "_b"))
    both = both[np.isfinite(both.log10_grad_norm_a) & np.isfinite(both.log10_grad_norm_b) & (both.distance > 0)]
    if both.empty:
        return None
    far = both.loc[both.distance.idxmax()]
    k, la, lb = int(far.distance), float(far.log10_grad_norm_a), float(far.log10_grad_norm_b)
    ratio = 10 ** abs(la - lb)
    times = f"{ratio:.2g}" if ratio < 10 else f"{ratio:,.0f}" if ratio < 1e4 else f"{ratio:.1e}"  # never "1 times"
    than = "more" if la > lb else "less"
    return (f"On the chart, the {unit(tokenizer)} k = {k} tokens back moves the {lstm}'s prediction with "
            f"‖∂q/∂x_s‖ = {10 ** la:.2g} "
            f"and the {elman}'s with {10 ** lb:.2g}: the {lstm} responds {times} times {than}.")


def forget_gate_sentence(f, target: int, trained: bool, tokenizer: str = "word") -> str:
    """The cell path's own factor over the text, read off this trace's forget gates f (T, H)."""
    f = np.asarray(f, dtype=float)[1:target + 1]  # f_1 .. f_target: the steps from the first word to the target
    if f.size == 0:
        return ""
    mean = float(f.mean())
    with np.errstate(divide="ignore"):
        per_unit = np.exp(np.log(f).sum(axis=0))  # (H,) the cell path's product of f_t for each unit
    best = float(per_unit.max())
    status = ("These gates are trained" if trained else "These gates are untrained")
    return (f"**{status}.** Here the forget gate averages **{mean:.2f}**; along the cell path alone the product of "
            f"f_t over the {f.shape[0]} steps from the first {unit(tokenizer)} to the target is at most {best:.1e} "
            "(the unit that keeps its gate most open). The full gradient also takes the paths through h_t, so the "
            "chart above can lie above or below this.")


def gates_caption(means: dict[str, float], trained: bool) -> str:
    """Each gate's mean over units and steps, as the gate chart draws them."""
    listed = "; ".join(f"{name} {value:.2f}" for name, value in means.items())
    near = [name for name, value in means.items() if abs(value - 0.5) < 0.1]
    tail = (f" {', '.join(near)} stay near 0.5, neither open nor shut." if near else
            " None stays near 0.5: every gate leans open or shut.")
    return (f"Each gate's mean over units at every step ({trained_word(trained)}; over the whole text: {listed})."
            + tail + " An average over units can hide the few units that do open or close.")


def continuation_caption(steps: Sequence[Step], vocab_size: int) -> str:
    """What the shading of a generated continuation says: the mean probability of the chosen tokens against a
    uniform guess, and how often the chosen token was the model's first choice (core.generate.agreement)."""
    mean_p, top = agreement(list(steps))
    return (f"Shaded by the probability the model gave each token (temperature 1, whatever the sampling); hover for "
            f"the runners-up. Mean probability of the chosen tokens {mean_p:.3f}, against {1 / vocab_size:.4f} for a "
            f"uniform guess over its {vocab_size:,} tokens; the chosen token was the most likely one at {top} of "
            f"{len(steps)} steps.")


def unit_caption(label: str, why: str, v: np.ndarray) -> str:
    """The colouring of one unit over the passage: which unit, the scale and why, and the range it covers."""
    return (f"Unit {label} at every step, blue below 0 and red above; hover a token for its value. Scale {why} Over "
            f"these {len(v):,} steps it ranges from {np.nanmin(v):.3f} to {np.nanmax(v):.3f}.")


def bptt_terms_note(contrib) -> str:
    """How the farthest step's share of dL/dW_hh compares with the nearest one's, read from the chart's own rows
    (columns distance, grad_norm): whether the distant terms vanished, dominate, or neither."""
    norms = contrib.grad_norm.to_numpy(dtype=float)
    if not np.isfinite(norms).all():
        return "Some steps' terms overflowed (inf or NaN): their sum means nothing here."
    rows = contrib[norms > 0]
    if len(rows) < 2:
        return "Fewer than two steps add anything, so there is nothing to compare."
    near, far = rows.loc[rows.distance.idxmin()], rows.loc[rows.distance.idxmax()]
    ratio = float(far.grad_norm / near.grad_norm)
    k, k0 = int(far.distance), int(near.distance)
    if ratio < 1e-2:
        return (f"The farthest step's term (k = {k}) is {ratio:.1e} of the nearest's (k = {k0}): the distant steps' "
                "terms are the ones that vanish.")
    if ratio > 1e2:
        return (f"The farthest step's term (k = {k}) is {ratio:.1e} times the nearest's (k = {k0}): the distant "
                "steps dominate the sum.")
    return (f"The farthest step's term (k = {k}) and the nearest's (k = {k0}) differ by a factor of "
            f"{max(ratio, 1 / ratio):.2g}: here the distant terms have neither vanished nor taken over.")
