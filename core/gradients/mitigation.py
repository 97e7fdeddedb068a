"""What weight decay and gradient clipping do to W_hh and to its gradient, as the Gradients page shows them.

Both are closed forms, kept here so a notebook gets the same numbers as the page: weight decay alone scales W_hh
by (1 - eta*lambda) per SGD step; clipping by norm (Pascanu et al., 2013) rescales the whole gradient at once.
"""

from __future__ import annotations

import math

import pandas as pd

DECAY_STEPS = 1000  # the page shows W_hh after this many SGD steps
LEARNING_RATE = 0.1


def weight_decay_shrink(decay: float, steps: int = DECAY_STEPS, learning_rate: float = LEARNING_RATE) -> float:
    """The factor W_hh is multiplied by after `steps` SGD steps of weight decay `decay` (lambda), leaving out the
    loss's own pull on the weights: (1 - eta*lambda)^steps. Every eigenvalue and singular value of W_hh, its
    spectral radius included, scales by the same factor."""
    if not 0 <= learning_rate * decay <= 1:
        raise ValueError("weight decay needs 0 <= learning rate * lambda <= 1")
    return (1 - learning_rate * decay) ** steps


def clip_scale(norm: float, threshold: float) -> float:
    """The factor clipping by norm multiplies the whole gradient by: threshold / norm when the norm exceeds a
    positive threshold, else 1 (off, or within the threshold). An inf or NaN norm gives 1: no rescaling can make
    sense of an overflowed gradient."""
    return threshold / norm if threshold > 0 and math.isfinite(norm) and norm > threshold else 1.0


def clip_contributions(contributions: pd.DataFrame, norm: float, threshold: float) -> tuple[pd.DataFrame, float]:
    """Each step's share of dL/dW_hh (w_hh_contributions) after clipping the sum, whose Frobenius norm is `norm`,
    at `threshold`; and the scale applied. Every share shrinks by the same factor, so the distant steps' vanished
    terms stay vanished."""
    scale = clip_scale(norm, threshold)
    if scale == 1.0:
        return contributions, scale
    return contributions.assign(grad_norm=contributions.grad_norm * scale,
                                log10_grad_norm=contributions.log10_grad_norm + math.log10(scale)), scale
