"""The chain rule over the full state of any recurrent cell: S_t = (h_t) for Elman and GRU, (h_t, c_t) for LSTM.

The Elman chain diag(f'(u_i)) W_hh (chain.py) is a special case. An LSTM's or GRU's W_hh stacks its gates
((4H, H) or (3H, H)), so it has no eigenvalues and no single factor per step; what carries the gradient back one
step is the Jacobian dS_i/dS_{i-1} of the whole cell, formed here by autograd, one dense matrix per step. The
same renormalised products as chain.py then give exact norms of dS_t/dS_s for any distance.
"""

from __future__ import annotations

import torch

from ..models.recurrent import RecurrentCore, record_name
from ..trace import Trace
from .bptt import Derivation, Factor
from .numeric import spectral_norm
from .recorded import forward_records

MAX_DENSE = 1.2e8  # bytes: T dense (n, n) factors in float64 (230 steps of a 128-unit LSTM); the batched backward
# pass that forms them needs a few times that again


class DenseSteps:
    """The factors J_i = dS_i/dS_{i-1}, stored as a (T, n, n) stack; the same interface as chain.Steps."""

    def __init__(self, J: torch.Tensor):
        self.J, self.dtype = J, J.dtype

    def __len__(self) -> int:
        return self.J.shape[0]

    @property
    def hidden_size(self) -> int:
        return self.J.shape[1]

    def __getitem__(self, i) -> torch.Tensor:
        return self.J[i]

    def left(self, i: int, M: torch.Tensor, alpha: float) -> torch.Tensor:
        return alpha * (self.J[i] @ M)

    def right(self, M: torch.Tensor, i: int, alpha: float) -> torch.Tensor:
        return alpha * (M @ self.J[i])


def dense_ok(steps: int, n: int) -> bool:
    """Whether `steps` dense (n, n) Jacobians fit in MAX_DENSE."""
    return steps * n * n * 8 <= MAX_DENSE


def state_names(core: RecurrentCore) -> tuple[str, ...]:
    """('h',) or ('h', 'c'): what the state S_t holds."""
    return core.state_keys


def _states(core: RecurrentCore, records: dict, layer: int) -> torch.Tensor:
    """(T + 1, n): S_{-1} = the initial state, then S_0 .. S_{T-1} of the left-to-right direction."""
    keys = state_names(core)
    h0 = records[record_name(layer, 0, "h0")][0]
    first = torch.cat([h0] + [torch.zeros_like(h0)] * (len(keys) - 1), dim=-1)
    later = torch.cat([records[record_name(layer, 0, k)][0] for k in keys], dim=-1)  # (T, n)
    return torch.cat([first[None], later])


def _step(core: RecurrentCore, cell, x_t: torch.Tensor, S: torch.Tensor) -> torch.Tensor:
    """S_i from S_{i-1} and the layer's input at step i: one step of the cell's own code."""
    parts = S.reshape(1, len(state_names(core)), core.hidden_size).unbind(1)  # each (1, H)
    _, final, _ = core._scan(cell, x_t.reshape(1, 1, -1), tuple(parts), reverse=False, delta=None, cut=None)
    return torch.cat(final, dim=-1).reshape(-1)


def _jacobians(core: RecurrentCore, cell, inputs: torch.Tensor, S_prev: torch.Tensor) -> torch.Tensor:
    """(m, n, n): dS_i/dS_{i-1} for m steps at once, a batch of m one-step runs, step j from S_prev[j] reading
    inputs[j]; one batched backward pass per output number."""
    m, n = S_prev.shape
    with torch.enable_grad():
        S_prev = S_prev.clone().requires_grad_(True)
        parts = S_prev.reshape(m, len(state_names(core)), core.hidden_size).unbind(1)
        _, final, _ = core._scan(cell, inputs.reshape(m, 1, -1), parts, reverse=False, delta=None, cut=None)
        S_next = torch.cat(final, dim=-1)  # (m, n)
        rows = torch.eye(n, dtype=S_next.dtype)[:, None, :].expand(n, m, n)
        (grads,) = torch.autograd.grad(S_next, S_prev, rows, is_grads_batched=True)  # (n_out, m, n_in)
    return grads.permute(1, 0, 2).contiguous()


def state_steps(core: RecurrentCore, x: torch.Tensor | Trace, layer: int = 0, stop: int | None = None) -> DenseSteps:
    """dS_i/dS_{i-1} for i = 0 .. stop-1 (all steps by default) of one layer's left-to-right direction, float64.
    x: the input vectors, or the Trace of this network (its recorded states, without running it again)."""
    if not isinstance(core, RecurrentCore):
        raise TypeError("the fixed-window model has no state carried from step to step")
    with torch.no_grad():
        layer_x, rec = forward_records(core, x, layer=layer)
        S = _states(core, rec, layer)
    T = layer_x.shape[0] if stop is None else min(stop, layer_x.shape[0])
    n = S.shape[1]
    if not dense_ok(T, n):
        raise ValueError(f"{T} steps of a {n}-number state are too many dense Jacobians to hold")
    return DenseSteps(_jacobians(core, core.cell(layer, 0), layer_x[:T], S[:T]))


def state_bptt_by_hand(core: RecurrentCore, x: torch.Tensor | Trace, t: int, s: int, layer: int = 0) -> Derivation:
    """dS_t/dS_s as an explicit product of per-step Jacobians, beside autograd's answer for the whole stretch.
    x: the input vectors, or the Trace of this network."""
    T = len(x) if isinstance(x, Trace) else x.reshape(-1, core.input_size).shape[0]
    if not 0 <= s < t < T:
        raise ValueError(f"need 0 <= s < t < {T}, got s={s}, t={t}")
    with torch.no_grad():
        layer_x, rec = forward_records(core, x, layer=layer)
        S = _states(core, rec, layer)
    cell = core.cell(layer, 0)
    J = _jacobians(core, cell, layer_x[s + 1:t + 1], S[s + 1:t + 1])  # J[j] = dS_{s+1+j}/dS_{s+j}
    n = J.shape[1]
    factors, running = [], torch.eye(n, dtype=torch.float64)
    for i in range(t, s, -1):
        J_i = J[i - s - 1]
        running = running @ J_i
        factors.append(Factor(i, None, J_i, spectral_norm(J_i).item(), running, spectral_norm(running).item()))

    def forward_from_s(S_s: torch.Tensor) -> torch.Tensor:
        state = S_s
        for i in range(s + 1, t + 1):
            state = _step(core, cell, layer_x[i], state)
        return state

    with torch.enable_grad():
        auto = torch.autograd.functional.jacobian(forward_from_s, S[s + 1].clone())
    diff = (running - auto).abs().max().item()
    return Derivation(t, s, tuple(factors), running, auto, diff, diff / max(1.0, auto.abs().max().item()),
                      state="".join(state_names(core)))
