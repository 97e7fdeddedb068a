"""Bengio et al. (2003): a feed-forward network that sees only the last n words.

    x_t = [e_{t-n+1}; ...; e_t]  (zeros before the text starts)    h_t = tanh(W x_t + b)
The readout z_t = U h_t is the language model's W_zh. Nothing connects h_t to h_{t-1}: a word
further back than n has no path to the prediction, so its gradient is exactly zero.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .init import uniform
from .recurrent import RunResult, record_name


class WindowCore(nn.Module):
    """The fixed-window hidden layer; `run` has RecurrentCore's signature so the wrapper can treat both alike."""

    is_recurrent = False  # sees only its last n tokens: no state, no Jacobian chain

    num_layers, num_directions = 1, 1

    def __init__(self, input_size: int, hidden_size: int, window: int, seed: int | None = None):
        super().__init__()
        self.input_size, self.hidden_size, self.window = input_size, hidden_size, window
        gen = torch.Generator().manual_seed(seed) if seed is not None else None
        bound = 1 / math.sqrt(window * input_size)
        self.W = nn.Parameter(uniform((hidden_size, window * input_size), bound, gen))  # (H, n*I)
        self.b = nn.Parameter(uniform((hidden_size,), bound, gen))  # (H,)

    @property
    def output_size(self) -> int:
        return self.hidden_size

    def windows(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, I) -> (B, T, n*I): row t holds e_{t-n+1}, ..., e_t, oldest first."""
        B, T, I = x.shape
        padded = torch.cat([x.new_zeros(B, self.window - 1, I), x], dim=1)  # (B, T+n-1, I)
        return padded.unfold(1, self.window, 1).transpose(2, 3).reshape(B, T, self.window * I)

    def run(self, x: torch.Tensor, h0=None, *, record: bool = False, perturb=None, detach_every=None) -> RunResult:
        u = self.windows(x) @ self.W.to(x.dtype).T + self.b.to(x.dtype)  # (B, T, H)
        h = torch.tanh(u)
        values = {"u": u, "h": h, "fprime": 1 - h**2} if record else {}
        records = {record_name(0, 0, k, recurrent=False): v for k, v in values.items()}
        return RunResult(h, h[:, -1].unsqueeze(0), None, records)
