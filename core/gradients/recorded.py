"""What the chain-rule functions read from a forward pass: one layer's input and every recorded state, taken from a
Trace a view already holds, or from a fresh run over the input vectors x."""

from __future__ import annotations

import torch

from ..models.recurrent import RecurrentCore, layer_input
from ..trace import Trace


def forward_records(core: RecurrentCore, source: torch.Tensor | Trace, h0=None,
                    layer: int = 0) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """(T, I) float64 input of `layer` (x itself for layer 0, the layer below's states above it) and the records of
    the run, each with its batch axis as in RunResult.records. A Trace (unroll's float64) is read as recorded,
    with its own initial state, so it takes no h0."""
    if isinstance(source, Trace):
        if h0 is not None:
            raise ValueError("a Trace starts from the initial state it was recorded with; pass x to choose h0")
        x = source.x.to(torch.float64)
        records = {k: v.to(torch.float64)[None] for k, v in source.states.items()}
    else:
        x = source.to(torch.float64).reshape(-1, core.input_size)
        with torch.no_grad():
            records = core.run(x[None], h0, record=True).records
    return layer_input(records, x[None], layer, core.num_directions)[0], records
