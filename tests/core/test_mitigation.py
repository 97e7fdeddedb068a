"""Weight decay and gradient clipping as the Gradients page applies them, checked against doing them by hand."""

import math

import pytest
import torch

from core import ModelConfig, build_model, lecture
from core.gradients import (
    clip_contributions,
    clip_scale,
    spectrum,
    target_gradients,
    w_hh_contributions,
    w_hh_gradient,
    weight_decay_shrink,
)


@pytest.mark.parametrize("decay, steps, lr", [(0.0, 1000, 0.1), (0.01, 1000, 0.1), (0.1, 50, 0.1), (0.05, 7, 0.5)])
def test_weight_decay_shrink_is_what_that_many_sgd_steps_do_to_w_hh(decay, steps, lr):
    W = build_model(ModelConfig(hidden_size=8, spectral_radius=1.3)).core.cell().W_hh.detach().double()
    decayed = W.clone()
    for _ in range(steps):  # SGD on lambda/2 ||W||^2 alone: W <- W - lr * lambda * W
        decayed -= lr * decay * decayed
    shrink = weight_decay_shrink(decay, steps, lr)
    torch.testing.assert_close(decayed, W * shrink, rtol=1e-9, atol=0)
    assert spectrum(decayed, "tanh").spectral_radius == pytest.approx(spectrum(W, "tanh").spectral_radius * shrink)


def test_weight_decay_refuses_a_step_past_zero():
    with pytest.raises(ValueError):
        weight_decay_shrink(20.0, 10, 0.1)


def w_hh_gradient_of(text: str, rho: float):
    model = build_model(ModelConfig(hidden_size=6, spectral_radius=rho, activation="relu", init="identity"))
    return target_gradients(model, text, target=-1)


@pytest.mark.parametrize("rho", [0.5, 1.5])
def test_clipping_rescales_the_whole_gradient_to_the_threshold(rho):
    g = w_hh_gradient_of(lecture.DANCING, rho)
    norm = float(torch.linalg.matrix_norm(w_hh_gradient(g)))
    threshold = norm / 3
    scale = clip_scale(norm, threshold)
    assert float(torch.linalg.matrix_norm(w_hh_gradient(g) * scale)) == pytest.approx(threshold)
    shares, applied = clip_contributions(w_hh_contributions(g), norm, threshold)
    assert applied == scale < 1
    before = w_hh_contributions(g)
    assert shares.grad_norm.tolist() == pytest.approx((before.grad_norm * scale).tolist())  # the same factor for all
    assert shares.log10_grad_norm.tolist() == pytest.approx((before.log10_grad_norm + math.log10(scale)).tolist())
    unchanged, one = clip_contributions(before, norm, 2 * norm)  # within the threshold
    assert one == 1.0 and unchanged is before


@pytest.mark.parametrize("norm, threshold", [(5.0, 0.0), (math.inf, 1.0), (math.nan, 1.0), (0.0, 1.0), (1.0, 1.0)])
def test_clipping_leaves_alone_what_it_cannot_or_need_not_rescale(norm, threshold):
    assert clip_scale(norm, threshold) == 1.0
