"""The backprop review's chain-rule products against autograd and against an independent finite difference,
for both activations, both labels and several seeds; and the slides' algebra (paths add up, the factors are
the ones written on the slides)."""

from __future__ import annotations

import pytest
import torch

from core import backprop_review as br


@pytest.mark.parametrize("activation", sorted(br.ACTIVATIONS))
@pytest.mark.parametrize("y", [0.0, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_every_product_matches_autograd(activation, y, seed):
    r = br.review(br.lecture_network(seed, y, activation))
    assert len(r.terms) == 3 + 3 * 4
    for t in r.terms:
        assert t.hand == pytest.approx(t.autograd, rel=1e-12, abs=1e-15), t.key
    assert r.max_difference < 1e-12


def test_hand_values_match_finite_differences_not_only_autograd():
    """An independent check: nudge φ_12 (and φ_11) in the forward pass and watch the loss."""
    net = br.lecture_network(3, 1.0, "tanh")
    r = br.review(net)
    h_1, h_2, *_ = br.forward(net)
    eps = 1e-6

    def loss_h2(h2):
        y_hat = torch.sigmoid(net.W_out @ h2)
        return float(torch.nn.functional.binary_cross_entropy(y_hat, torch.tensor(net.y, dtype=y_hat.dtype)))

    for j in range(3):
        e = torch.zeros(3, dtype=torch.float64)
        e[j] = eps
        numeric = (loss_h2(h_2 + e) - loss_h2(h_2 - e)) / (2 * eps)
        assert r.term(f"phi{j + 1}2").hand == pytest.approx(numeric, rel=1e-6)
    for k in range(3):
        e = torch.zeros(3, dtype=torch.float64)
        e[k] = eps
        numeric = (float(br.forward(net, h_1 + e)[-1]) - float(br.forward(net, h_1 - e)[-1])) / (2 * eps)
        assert r.term(f"phi{k + 1}1").hand == pytest.approx(numeric, rel=1e-6)


def test_the_slides_factors_and_their_values():
    net = br.lecture_network(0)
    r = br.review(net)
    t = r.term("phi12")
    assert [f.symbol for f in t.factors][2] == "w_1^o"
    assert t.factors[2].value == float(net.W_out[0])
    assert t.factors[0].value == pytest.approx(-1 / r.y_hat), "dL/dŷ for y = 1 is −1/ŷ"
    assert t.factors[1].value == pytest.approx(r.y_hat * (1 - r.y_hat))
    deeper = r.term("phi11@phi12")
    assert deeper.factors[:3] == t.factors, "one layer deeper starts with the same three factors"
    assert deeper.factors[4].symbol == r"w_{11}^{\ell=1}" and deeper.factors[4].value == float(net.W_1[0, 0])
    assert r"\partial v" in deeper.factors[3].symbol
    assert r.term("phi21@phi12").factors[4].value == float(net.W_1[0, 1]), "w_21 is W_1's first row, second column"
    assert deeper.edges == (("phi11", "phi12"), ("phi12", "out"))


def test_a_full_gradient_is_the_sum_of_its_paths():
    r = br.review(br.lecture_network(5, 0.0))
    for k in (1, 2, 3):
        full = r.term(f"phi{k}1")
        assert full.paths == tuple(f"phi{k}1@phi{j}2" for j in (1, 2, 3))
        assert full.hand == pytest.approx(sum(r.term(p).autograd for p in full.paths), rel=1e-12)
        assert len(full.edges) == 6
        for p in full.paths:  # each path alone differs from the sum (all three paths carry weight)
            assert r.term(p).autograd != pytest.approx(full.autograd)


def test_the_label_and_the_weights_change_the_numbers():
    a = br.review(br.lecture_network(0, 1.0)).term("phi12").hand
    b = br.review(br.lecture_network(0, 0.0)).term("phi12").hand
    c = br.review(br.lecture_network(1, 1.0)).term("phi12").hand
    assert a * b < 0, "the label flips the sign of dL/dŷ"
    assert a != c


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="activation"):
        br.lecture_network(0, 1.0, "relu6")
    with pytest.raises(ValueError, match="label"):
        br.lecture_network(0, 0.5)
