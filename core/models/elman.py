"""The Elman network, written with the lecture's symbols.

    u_t = W_hx x_t + W_hh h_{t-1} + b_h        h_t = f(u_t)

Lecture name <-> torch.nn.RNN name: W_hx <-> weight_ih_l{k}, W_hh <-> weight_hh_l{k},
b_h <-> bias_ih_l{k} + bias_hh_l{k}; the second direction carries the suffix `_reverse`.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .init import recurrent_matrix, uniform
from .recurrent import RecurrentCore

ACTIVATIONS = {
    "tanh": (torch.tanh, lambda u: 1 - torch.tanh(u) ** 2),
    "sigmoid": (torch.sigmoid, lambda u: torch.sigmoid(u) * (1 - torch.sigmoid(u))),
    "relu": (torch.relu, lambda u: torch.where(torch.isnan(u), u, (u > 0).to(u.dtype))),  # NaN stays NaN
    "identity": (lambda u: u, torch.ones_like),
}
GAMMA = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0, "identity": 1.0}  # sup f': the slope that bounds BPTT


class ElmanCell(nn.Module):
    """One layer in one direction: the three parameters of the lecture."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.W_hx = nn.Parameter(torch.empty(hidden_size, input_size))  # (H, I)
        self.W_hh = nn.Parameter(torch.empty(hidden_size, hidden_size))  # (H, H)
        self.b_h = nn.Parameter(torch.empty(hidden_size))  # (H,)


class ElmanRNN(RecurrentCore):
    """Stacked / bidirectional Elman network with an explicit time loop that records every u_t and h_t.

    Args:
        input_size: I, size of x_t.  hidden_size: H.  num_layers: L.
        activation: f, one of tanh, sigmoid, relu, identity.
        bidirectional: adds a right-to-left network with its own W_hx, W_hh, b_h.
        combine: concat | mean | max, how the top layer's two directions are merged.
        init: None keeps PyTorch's default U(-1/sqrt(H), 1/sqrt(H)); otherwise W_hh is
            gaussian | orthogonal | identity rescaled to `spectral_radius`.
        seed: makes every weight reproducible.
    Inputs: x (B, T, I), h0 (L*D, B, H) or None.  Outputs: output (B, T, D*H), h_n (L*D, B, H).
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, activation: str = "tanh",
                 bidirectional: bool = False, combine: str = "concat", init: str | None = None,
                 spectral_radius: float = 1.0, seed: int | None = None):
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation={activation!r}: use one of {', '.join(ACTIVATIONS)}")
        self.activation = activation
        super().__init__(input_size, hidden_size, num_layers, bidirectional, combine)
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        bound = 1 / math.sqrt(hidden_size)
        with torch.no_grad():
            for cell in self.cells:
                cell.W_hx.copy_(uniform(tuple(cell.W_hx.shape), bound, gen))
                cell.b_h.copy_(uniform((hidden_size,), bound, gen))
                if init is None:
                    cell.W_hh.copy_(uniform((hidden_size, hidden_size), bound, gen))
                else:
                    cell.W_hh.copy_(recurrent_matrix(hidden_size, init, spectral_radius, gen))

    def _make_cell(self, input_size: int) -> nn.Module:
        return ElmanCell(input_size, self.hidden_size)

    @property
    def gamma(self) -> float:
        return GAMMA[self.activation]

    def _prepare(self, cell, x):
        W_hx, W_hh, b_h = (p.to(x.dtype) for p in (cell.W_hx, cell.W_hh, cell.b_h))
        return (ACTIVATIONS[self.activation][0], W_hh), x @ W_hx.T + b_h  # a: the input part of u_t, (B, T, H)

    def step(self, weights, a, state):
        """u_t = W_hx x_t + b_h + W_hh h_{t-1}, h_t = f(u_t)."""
        f, W_hh = weights
        u = a + state[0] @ W_hh.T  # (B, H)
        h = f(u)
        return (h,), {"u": u, "h": h}

    def _finish(self, records):
        return records | {"fprime": ACTIVATIONS[self.activation][1](records["u"])}

    @classmethod
    def from_torch(cls, rnn: nn.RNN) -> ElmanRNN:
        """Copy a torch.nn.RNN's weights (b_h = b_ih + b_hh). Our forward is batch-first whatever rnn says."""
        model = cls(rnn.input_size, rnn.hidden_size, rnn.num_layers, rnn.nonlinearity, rnn.bidirectional)
        with torch.no_grad():
            for cell, sfx in model.torch_cells():
                cell.W_hx.copy_(getattr(rnn, "weight_ih" + sfx))
                cell.W_hh.copy_(getattr(rnn, "weight_hh" + sfx))
                b = torch.zeros(rnn.hidden_size)
                if rnn.bias:
                    b = getattr(rnn, "bias_ih" + sfx) + getattr(rnn, "bias_hh" + sfx)
                cell.b_h.copy_(b)
        return model

    def to_torch(self) -> nn.RNN:
        """A torch.nn.RNN(batch_first=True) with the same function: b_ih = b_h, b_hh = 0."""
        if self.activation not in ("tanh", "relu"):
            raise ValueError(f"torch.nn.RNN supports tanh and relu only, not {self.activation}")
        rnn = nn.RNN(self.input_size, self.hidden_size, self.num_layers, nonlinearity=self.activation,
                     batch_first=True, bidirectional=self.bidirectional)
        with torch.no_grad():
            for cell, sfx in self.torch_cells():
                getattr(rnn, "weight_ih" + sfx).copy_(cell.W_hx)
                getattr(rnn, "weight_hh" + sfx).copy_(cell.W_hh)
                getattr(rnn, "bias_ih" + sfx).copy_(cell.b_h)
                getattr(rnn, "bias_hh" + sfx).zero_()
        return rnn
