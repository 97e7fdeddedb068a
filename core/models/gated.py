"""LSTM and GRU behind the Elman interface, recording their gates at every step.

Written out rather than calling nn.LSTMCell so that each gate can be recorded; the equations and the
gate order are PyTorch's, so `from_torch` copies weight_ih/weight_hh/bias_* unchanged:
    LSTM: i, f, g, o = sigma, sigma, tanh, sigma (W_hx x_t + b_hx + W_hh h_{t-1} + b_hh)
          c_t = f * c_{t-1} + i * g        h_t = o * tanh(c_t)
    GRU:  r, z = sigma(W_hx x_t + b_hx + W_hh h_{t-1} + b_hh)   (first two thirds)
          n = tanh(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))     h_t = (1 - z) * n + z * h_{t-1}
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .init import uniform
from .recurrent import RecurrentCore


class GatedCell(nn.Module):
    def __init__(self, input_size: int, hidden_size: int, gates: int):
        super().__init__()
        self.W_hx = nn.Parameter(torch.empty(gates * hidden_size, input_size))  # (G*H, I)
        self.W_hh = nn.Parameter(torch.empty(gates * hidden_size, hidden_size))  # (G*H, H)
        self.b_hx = nn.Parameter(torch.empty(gates * hidden_size))  # (G*H,)
        self.b_hh = nn.Parameter(torch.empty(gates * hidden_size))  # (G*H,)


class _Gated(RecurrentCore):
    gates = 0
    torch_class: type[nn.RNNBase]

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bidirectional: bool = False,
                 combine: str = "concat", seed: int | None = None):
        super().__init__(input_size, hidden_size, num_layers, bidirectional, combine)
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(uniform(tuple(p.shape), 1 / math.sqrt(hidden_size), gen))

    def _make_cell(self, input_size: int) -> nn.Module:
        return GatedCell(input_size, self.hidden_size, self.gates)

    def _prepare(self, cell, x):
        W_hx, W_hh, b_hx, b_hh = (p.to(x.dtype) for p in (cell.W_hx, cell.W_hh, cell.b_hx, cell.b_hh))
        return (W_hh, b_hh), x @ W_hx.T + b_hx  # a: (B, T, G*H)

    @classmethod
    def from_torch(cls, rnn: nn.RNNBase):
        model = cls(rnn.input_size, rnn.hidden_size, rnn.num_layers, rnn.bidirectional)
        with torch.no_grad():
            for cell, sfx in model.torch_cells():
                cell.W_hx.copy_(getattr(rnn, "weight_ih" + sfx))
                cell.W_hh.copy_(getattr(rnn, "weight_hh" + sfx))
                for ours, theirs in ((cell.b_hx, "bias_ih"), (cell.b_hh, "bias_hh")):
                    ours.copy_(getattr(rnn, theirs + sfx) if rnn.bias else torch.zeros_like(ours))
        return model

    def to_torch(self) -> nn.RNNBase:
        rnn = self.torch_class(self.input_size, self.hidden_size, self.num_layers, batch_first=True,
                               bidirectional=self.bidirectional)
        with torch.no_grad():
            for cell, sfx in self.torch_cells():
                for ours, theirs in ((cell.W_hx, "weight_ih"), (cell.W_hh, "weight_hh"),
                                     (cell.b_hx, "bias_ih"), (cell.b_hh, "bias_hh")):
                    getattr(rnn, theirs + sfx).copy_(ours)
        return rnn


class LSTM(_Gated):
    """Long short-term memory: the cell state c_t is updated additively, so gradients can survive."""

    gates = 4
    state_keys = ("h", "c")
    torch_class = nn.LSTM

    def open_forget_gate(self, bias: float) -> None:
        """Start every forget gate at b_f = bias (torch's gate order i, f, g, o: the second quarter of b_hx; b_hh's
        share is zeroed). At b_f = 0 the gate starts near sigma(0) = 0.5 and the cell halves every step; a positive
        bias lets it remember from the first update (Gers et al. 2000, Jozefowicz et al. 2015)."""
        H = self.hidden_size
        with torch.no_grad():
            for cell in self.cells:
                cell.b_hx[H:2 * H] = bias
                cell.b_hh[H:2 * H] = 0.0

    def step(self, weights, a, state):
        """i, f, g, o from W_hx x_t + b_hx (in a) + W_hh h_{t-1} + b_hh; c_t = f c_{t-1} + i g, h_t = o tanh(c_t)."""
        W_hh, b_hh = weights
        h, c = state
        i, f, g, o = (a + h @ W_hh.T + b_hh).chunk(4, dim=-1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        return (h, c), {"h": h, "c": c, "i": i, "f": f, "g": g, "o": o}


class GRU(_Gated):
    """Gated recurrent unit: the update gate z_t interpolates between the old state and a new candidate."""

    gates = 3
    torch_class = nn.GRU

    def step(self, weights, a, state):
        """r, z = sigma(a_r + W_hr h + b_hr), sigma(a_z + W_hz h + b_hz); n = tanh(a_n + r (W_hn h + b_hn))."""
        W_hh, b_hh = weights
        h = state[0]
        a_r, a_z, a_n = a.chunk(3, dim=-1)
        g_r, g_z, g_n = (h @ W_hh.T + b_hh).chunk(3, dim=-1)
        r, z = torch.sigmoid(a_r + g_r), torch.sigmoid(a_z + g_z)
        n = torch.tanh(a_n + r * g_n)
        h = (1 - z) * n + z * h
        return (h,), {"h": h, "r": r, "z": z, "n": n}
