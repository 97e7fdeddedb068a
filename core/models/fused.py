"""torch's fused recurrent kernels, run on the explicit model's own Parameters so that training is fast.

The explicit loop (RecurrentCore.run) records every u_t and h_t for the pages but steps through time in
Python; torch.nn.RNN/LSTM/GRU compute the same function in C++. The kernel built here owns no weights: its
weight_ih_l0, weight_hh_l0, ... ARE the cells' W_hx, W_hh, ... Parameter objects (assigned, never copied), so
every optimizer step taken through the kernel is seen at once by the traces, which read the explicit cells.

Elman: torch adds two biases, b_ih + b_hh; b_h plays bias_ih and bias_hh is a fixed zero that never trains.
Sigmoid and identity Elman networks and the fixed-window model have no torch kernel (see `supports`).
"""

from __future__ import annotations

import torch
from torch import nn

from .elman import ElmanRNN
from .gated import GRU, LSTM
from .recurrent import RecurrentCore


def supports(core: nn.Module) -> bool:
    """True where torch has a kernel computing exactly this core's function."""
    return isinstance(core, (LSTM, GRU)) or (isinstance(core, ElmanRNN) and core.activation in ("tanh", "relu"))


class FusedCore:
    """A torch.nn.RNN/LSTM/GRU(batch_first=True) wired to `core`'s Parameters, with the core's `combine`.

    Deliberately not an nn.Module attribute of the model: its parameters would appear twice in state_dict().
    """

    def __init__(self, core: RecurrentCore):
        if not supports(core):
            raise ValueError(f"torch has no fused kernel for {type(core).__name__}"
                             + (f" with {core.activation}" if isinstance(core, ElmanRNN) else ""))
        self.core = core
        self.key = _key(core)
        kwargs = {"batch_first": True, "bidirectional": core.bidirectional, "device": "meta"}  # meta: no init, no RNG
        if isinstance(core, ElmanRNN):
            rnn = nn.RNN(core.input_size, core.hidden_size, core.num_layers, nonlinearity=core.activation, **kwargs)
        else:
            rnn = core.torch_class(core.input_size, core.hidden_size, core.num_layers, **kwargs)
        for cell, sfx in core.torch_cells():
            # RNNBase.__setattr__ puts each assigned Parameter into the list the kernel reads (_flat_weights).
            setattr(rnn, "weight_ih" + sfx, cell.W_hx)
            setattr(rnn, "weight_hh" + sfx, cell.W_hh)
            if isinstance(core, ElmanRNN):
                setattr(rnn, "bias_ih" + sfx, cell.b_h)
                setattr(rnn, "bias_hh" + sfx, nn.Parameter(torch.zeros_like(cell.b_h), requires_grad=False))
            else:
                setattr(rnn, "bias_ih" + sfx, cell.b_hx)
                setattr(rnn, "bias_hh" + sfx, cell.b_hh)
        self.rnn = rnn

    def is_current(self, core: RecurrentCore) -> bool:
        """False once the core's Parameters were replaced or changed dtype/device (then build a new one)."""
        return core is self.core and _key(core) == self.key

    def __call__(self, x: torch.Tensor, h0=None):
        """x (B, T, I), h0 as RecurrentCore.run takes it -> output (B, T, D*H or H) and the final state
        (h_n (L*D, B, H), or (h_n, c_n) for the LSTM), exactly what RecurrentCore.run computes."""
        core = self.core
        if h0 is not None:
            h, c = core._split_initial(h0, x.shape[0], x)
            h0 = (h, c) if c is not None else h
        output, state = self.rnn(x, h0)  # (B, T, D*H): [left-to-right; right-to-left] as RecurrentCore concatenates
        if core.num_directions == 2 and core.combine != "concat":
            output = core._merge(list(output.chunk(2, dim=-1)))  # (B, T, H)
        return output, state


def _key(core: RecurrentCore) -> tuple:
    return tuple((id(p), p.dtype, p.device) for p in core.parameters())
