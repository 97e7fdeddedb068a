"""The lecture's backpropagation review: a two-layer feed-forward network with 3×3 weights, and each partial
derivative of the slides, once as the chain-rule product written on them and once by autograd.

The network and the lecture's names:

    h_1 = φ_1(W_0 x)        φ_i1 = unit i of the first hidden layer
    h_2 = φ_2(W_1 h_1)      φ_i2 = unit i of the second; v = (W_1 h_1)_1 is the input of φ_12 (v_2, v_3 of the others)
    u = W_out h_2 = w_1^o φ_12 + w_2^o φ_22 + w_3^o φ_32
    ŷ = φ_o(u)              φ_o = sigmoid, L(ŷ, y) = binary cross-entropy with the label y ∈ {0, 1}

The slides write w_ij^ℓ for the weight from unit i of layer ℓ to unit j of layer ℓ + 1, and show the matrix
with w_11, w_21, w_31 on its first row; so W_ℓ[j, i] = w_ij^ℓ (0-based in code), as in torch's `Linear`.

The slides follow one path at a time: ∂L/∂φ_11 "through φ_12" is the product along x → … → φ_11 → φ_12 → ŷ.
φ_11 also reaches ŷ through φ_22 and φ_32, so its full gradient is the sum of the three path products; both are
given here, each checked against autograd (a path alone by cutting the other two paths with detach()).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

ACTIVATIONS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh}
N = 3  # units per layer, as on the slides


@dataclass(frozen=True)
class Network:
    """The weights and one example (float64, so hand and autograd agree to rounding)."""

    W_0: Tensor  # (3, 3) input x → first hidden layer
    W_1: Tensor  # (3, 3) first → second hidden layer
    W_out: Tensor  # (3,) second hidden layer → u
    x: Tensor  # (3,)
    y: float  # the label, 0 or 1
    activation: str = "sigmoid"  # φ_1 and φ_2


@dataclass(frozen=True)
class Factor:
    symbol: str  # LaTeX, as written on the slide
    value: float


@dataclass(frozen=True)
class Term:
    """One partial derivative of the slides: its product of factors, the product's value, autograd's value."""

    key: str  # stable id: "phi12", "phi11@phi12" (a path), "phi11" (the sum over paths)
    of: str  # LaTeX of the variable it differentiates with respect to
    factors: tuple[Factor, ...]  # empty for a sum over paths (see `paths`)
    hand: float
    autograd: float
    edges: tuple[tuple[str, str], ...]  # the drawing's edges the chain runs along, from the unit to ŷ
    paths: tuple[str, ...] = ()  # for a sum: the keys of the path terms it adds up

    @property
    def difference(self) -> float:
        return abs(self.hand - self.autograd)


@dataclass(frozen=True)
class Review:
    network: Network
    h_1: Tensor  # (3,)
    h_2: Tensor  # (3,)
    u: float
    y_hat: float
    loss: float
    terms: tuple[Term, ...]

    def term(self, key: str) -> Term:
        return next(t for t in self.terms if t.key == key)

    @property
    def max_difference(self) -> float:
        return max(t.difference for t in self.terms)


def node(layer: int, unit: int) -> str:
    """The drawing's name for unit `unit` (0-based) of layer 0 (x), 1 or 2 (φ_i1, φ_i2); "out" is ŷ."""
    return f"x{unit + 1}" if layer == 0 else f"phi{unit + 1}{layer}"


def lecture_network(seed: int = 0, y: float = 1.0, activation: str = "sigmoid") -> Network:
    """Random weights N(0, 1) and a random input, reproducible from the seed."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}")
    if y not in (0.0, 1.0):
        raise ValueError("the label y is 0 or 1")
    g = torch.Generator().manual_seed(seed)
    W_0, W_1, W_out, x = (torch.randn(*shape, generator=g, dtype=torch.float64)
                          for shape in ((N, N), (N, N), (N,), (N,)))
    return Network(W_0, W_1, W_out, x, float(y), activation)


def forward(net: Network, h_1: Tensor | None = None, keep: int | None = None):
    """(h_1, h_2, u, ŷ, L), as tensors. With `keep`, only unit `keep` of h_2 sees h_1; the others see a detached copy,
    so autograd follows the single path through that unit."""
    phi = ACTIVATIONS[net.activation]
    if h_1 is None:
        h_1 = phi(net.W_0 @ net.x)
    if keep is None:
        h_2 = phi(net.W_1 @ h_1)
    else:
        cut = phi(net.W_1 @ h_1.detach())
        h_2 = torch.stack([phi(net.W_1[j] @ h_1) if j == keep else cut[j] for j in range(N)])
    u = net.W_out @ h_2
    y_hat = torch.sigmoid(u)
    loss = torch.nn.functional.binary_cross_entropy(y_hat, torch.tensor(net.y, dtype=y_hat.dtype))
    return h_1, h_2, u, y_hat, loss


def _slope(activation: str, value: Tensor) -> Tensor:
    """φ′ from the unit's output φ: σ(1 − σ) or 1 − tanh²."""
    return value * (1 - value) if activation == "sigmoid" else 1 - value**2


def _autograd_h1(net: Network, keep: int | None) -> Tensor:
    h_1 = ACTIVATIONS[net.activation](net.W_0 @ net.x).detach().requires_grad_(True)
    *_, loss = forward(net, h_1, keep)
    (grad,) = torch.autograd.grad(loss, h_1)
    return grad


def review(net: Network) -> Review:
    """Every derivative of the slides: ∂L/∂φ_i2 for i = 1..3, then one layer deeper ∂L/∂φ_k1 through φ_12 (as
    the slides do) and through each other unit, and the full ∂L/∂φ_k1, their sum."""
    h_1, h_2, u, y_hat, loss = forward(net)
    h_2_leaf = h_2.detach().requires_grad_(True)
    y_hat_2 = torch.sigmoid(net.W_out @ h_2_leaf)
    loss_2 = torch.nn.functional.binary_cross_entropy(y_hat_2, torch.tensor(net.y, dtype=y_hat_2.dtype))
    (auto_h2,) = torch.autograd.grad(loss_2, h_2_leaf)

    p = float(y_hat)
    dL_dyhat = Factor(r"\frac{\partial \mathcal{L}}{\partial \hat{y}}", -net.y / p + (1 - net.y) / (1 - p))
    dphi_o = Factor(r"\frac{\partial \phi_o(u)}{\partial u}", p * (1 - p))
    slope_2 = _slope(net.activation, h_2.detach())
    terms: list[Term] = []
    for j in range(N):
        factors = (dL_dyhat, dphi_o, Factor(f"w_{j + 1}^o", float(net.W_out[j])))
        terms.append(Term(node(2, j), rf"\phi_{{{j + 1}2}}", factors, _product(factors), float(auto_h2[j]),
                          ((node(2, j), "out"),)))
    per_path = {j: _autograd_h1(net, keep=j) for j in range(N)}
    full = _autograd_h1(net, keep=None)
    for k in range(N):
        keys = []
        for j in range(N):
            v = "v" if j == 0 else f"v_{j + 1}"  # the slides name only φ_12's input
            factors = (*terms[j].factors, Factor(rf"\frac{{\partial \phi_{{{j + 1}2}}({v})}}{{\partial {v}}}",
                                                 float(slope_2[j])),
                       Factor(rf"w_{{{k + 1}{j + 1}}}^{{\ell=1}}", float(net.W_1[j, k])))
            key = f"{node(1, k)}@{node(2, j)}"
            keys.append(key)
            terms.append(Term(key, rf"\phi_{{{k + 1}1}}", factors, _product(factors), float(per_path[j][k]),
                              ((node(1, k), node(2, j)), (node(2, j), "out"))))
        paths = [t for t in terms if t.key in keys]
        terms.append(Term(node(1, k), rf"\phi_{{{k + 1}1}}", (), sum(t.hand for t in paths), float(full[k]),
                          tuple(e for t in paths for e in t.edges), tuple(keys)))
    return Review(net, h_1.detach(), h_2.detach(), float(u), p, float(loss), tuple(terms))


def _product(factors: tuple[Factor, ...]) -> float:
    out = 1.0
    for f in factors:
        out *= f.value
    return out
