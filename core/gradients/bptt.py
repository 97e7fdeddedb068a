"""Backpropagation through time written out by hand, factor by factor, as on the slide:

    dh_t/dh_s = dh_t/dh_{t-1} dh_{t-1}/dh_{t-2} ... dh_{s+1}/dh_s,   dh_i/dh_{i-1} = diag(f'(u_i)) W_hh
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..models.elman import ACTIVATIONS, ElmanRNN
from ..models.recurrent import record_name
from ..trace import Trace
from .numeric import spectral_norm
from .recorded import forward_records

AGREE = 1e-9  # the largest relative difference between the two products that still counts as agreement


@dataclass(frozen=True)
class Factor:
    """One factor dh_i/dh_{i-1} and the product of all factors from t down to this one."""

    step: int  # i
    fprime: torch.Tensor | None  # (H,) f'(u_i), the diagonal (Elman); None for a gated cell's full state
    matrix: torch.Tensor  # (H, H) diag(f'(u_i)) W_hh, or dS_i/dS_{i-1} of a gated cell
    norm: float  # ||diag(f'(u_i)) W_hh||_2
    running: torch.Tensor  # (H, H) dh_t/dh_{i-1} = factor_t ... factor_i
    running_norm: float  # ||running||_2


@dataclass(frozen=True)
class Derivation:
    t: int
    s: int
    factors: tuple[Factor, ...]  # from i = t down to i = s + 1
    product: torch.Tensor  # (H, H) the hand-made dh_t/dh_s
    autograd: torch.Tensor  # (H, H) the same Jacobian from torch.autograd
    max_abs_diff: float  # max |product - autograd|
    relative_diff: float  # max_abs_diff / max(1, max |autograd|): what "agree" means when entries are huge
    state: str = "h"  # what is differentiated: "h" (Elman, GRU) or "hc", the LSTM's (h_t, c_t)

    @property
    def agrees(self) -> bool:
        """Whether the hand-made product and autograd agree to float64's precision (never once either is inf or
        NaN: an overflowed network)."""
        return self.relative_diff < AGREE  # NaN fails this test too


def bptt_by_hand(rnn: ElmanRNN, x: torch.Tensor | Trace, t: int, s: int, h0=None, layer: int = 0) -> Derivation:
    """dh_t/dh_s (0 <= s < t < T, text positions, left-to-right network) as an explicit product in float64,
    next to autograd's answer for the same Jacobian. x: the input vectors, or the Trace of this network (its
    recorded states, without running it again)."""
    T = len(x) if isinstance(x, Trace) else x.reshape(-1, rnn.input_size).shape[0]
    if not 0 <= s < t < T:
        raise ValueError(f"need 0 <= s < t < {T}, got s={s}, t={t}")
    with torch.no_grad():
        layer_x, rec = forward_records(rnn, x, h0, layer)
        cell = rnn.cell(layer, 0)
        W_hh = cell.W_hh.double()
        fprime, h = rec[record_name(layer, 0, "fprime")][0], rec[record_name(layer, 0, "h")][0]
        factors, running = [], torch.eye(rnn.hidden_size, dtype=torch.float64)
        for i in range(t, s, -1):
            J_i = fprime[i][:, None] * W_hh  # diag(f'(u_i)) W_hh
            running = running @ J_i
            factors.append(Factor(i, fprime[i], J_i, spectral_norm(J_i).item(), running,
                                  spectral_norm(running).item()))
    f = ACTIVATIONS[rnn.activation][0]
    a = layer_x @ cell.W_hx.double().T + cell.b_h.double()  # (T, H) input part of u_i

    def forward_from_s(h_s: torch.Tensor) -> torch.Tensor:
        state = h_s
        for i in range(s + 1, t + 1):
            state = f(a[i] + W_hh @ state)
        return state

    auto = torch.autograd.functional.jacobian(forward_from_s, h[s].clone())
    diff = (running - auto).abs().max().item()
    return Derivation(t, s, tuple(factors), running, auto, diff, diff / max(1.0, auto.abs().max().item()))
