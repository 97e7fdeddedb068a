"""The shared loop over layers and directions, so Elman, LSTM and GRU differ only in their cell step."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from .config import COMBINES

DIRECTIONS = ("fwd", "bwd")  # left to right, right to left
WINDOW = "window"  # the fixed-window model's one hidden layer


@dataclass
class RunResult:
    """What one pass over a batch returns; `records` holds every per-step value when asked for."""

    output: torch.Tensor  # (B, T, D*H) for concat, (B, T, H) for mean / max
    h_n: torch.Tensor  # (L*D, B, H) final hidden state of each layer and direction
    c_n: torch.Tensor | None = None  # (L*D, B, H), LSTM only
    records: dict[str, torch.Tensor] = field(default_factory=dict)  # "l0.fwd.h" -> (B, T, H), ...


def record_name(layer: int, direction: int = 0, key: str | None = None, *, recurrent: bool = True) -> str:
    """THE name of everything recorded, as TransformerLens's get_act_name: 'l1.bwd.u' is u_t of layer 1, right-to-left
    network; key=None names one layer and direction ('l1.bwd', how per-direction tables are keyed); the
    fixed-window model (recurrent=False) has one layer and no direction: 'window.h'. Inverse: parse_record_name."""
    base = f"l{layer}.{DIRECTIONS[direction]}" if recurrent else WINDOW
    return base if key is None else f"{base}.{key}"


def parse_record_name(name: str) -> tuple[int, int, str | None]:
    """(layer, direction, key) of a name record_name made: 'l1.bwd.u' -> (1, 1, 'u'), 'l0.fwd' -> (0, 0, None),
    'window.h' -> (0, 0, 'h'). Raises ValueError for anything else."""
    head, _, rest = name.partition(".")
    if head == WINDOW:
        return 0, 0, rest or None
    where, _, key = rest.partition(".")
    if not (head[:1] == "l" and head[1:].isdigit() and where in DIRECTIONS):
        raise ValueError(f"{name!r} is not a recorded name such as 'l0.fwd.h' or 'window.h'")
    return int(head[1:]), DIRECTIONS.index(where), key or None


def layer_input(records: dict[str, torch.Tensor], x: torch.Tensor, layer: int, num_directions: int) -> torch.Tensor:
    """What `layer` reads at every step: x itself for layer 0, else both directions of the layer below concatenated,
    as RecurrentCore.run feeds them. records: run(record=True)'s (B, T, H) with x (B, T, I), or a Trace's states
    (T, H) with trace.x (T, I)."""
    if layer == 0:
        return x
    return torch.cat([records[record_name(layer - 1, d, "h")] for d in range(num_directions)], dim=-1)


class RecurrentCore(nn.Module):
    """Stacked, optionally bidirectional recurrence, run as an explicit loop over time.

    Layer l reads the concatenated outputs of both directions of layer l-1 (as torch.nn.RNN does);
    `combine` only decides how the top layer's two directions are merged for the readout.
    The time loop (`_scan`) is written once, here; subclasses provide `_make_cell(input_size)`, `_prepare` (the
    cell's weights in the input's dtype and the input part of every step at once) and `step` (one cell update).
    """

    is_recurrent = True  # carries a state from step to step (WindowCore does not)

    state_keys: tuple[str, ...] = ("h",)  # LSTM adds "c"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bidirectional: bool = False,
                 combine: str = "concat"):
        super().__init__()
        if combine not in COMBINES:
            raise ValueError(f"combine={combine!r}: use concat, mean or max")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bidirectional, self.combine = bidirectional, combine
        self.num_directions = 2 if bidirectional else 1
        self.cells = nn.ModuleList(
            self._make_cell(input_size if layer == 0 else hidden_size * self.num_directions)
            for layer in range(num_layers)
            for _ in range(self.num_directions)
        )

    @property
    def output_size(self) -> int:
        return self.hidden_size * (self.num_directions if self.combine == "concat" else 1)

    def cell(self, layer: int = 0, direction: int = 0) -> nn.Module:
        return self.cells[layer * self.num_directions + direction]

    def torch_cells(self):
        """(cell, suffix) for every layer and direction, suffix as torch.nn.RNN/LSTM/GRU name their weights
        ("_l1_reverse": layer 1, right-to-left), so from_torch/to_torch are one loop."""
        for layer in range(self.num_layers):
            for d in range(self.num_directions):
                yield self.cell(layer, d), f"_l{layer}" + ("_reverse" if d else "")

    def run(self, x: torch.Tensor, h0=None, *, record: bool = False,
            perturb: dict[str, torch.Tensor] | None = None, detach_every: int | None = None) -> RunResult:
        """x: (B, T, I). perturb maps 'l0.fwd.h' to a (B, T, H) tensor added to h_t right after it is made:
        the gradient with respect to that tensor is the total derivative with respect to h_t.
        detach_every=K cuts the graph of the state carried out of every K-th step, as truncated BPTT does
        between chunks of K steps: values are unchanged, but no gradient flows back across a cut."""
        perturb = perturb or {}
        batch = x.shape[0]
        h0, c0 = self._split_initial(h0, batch, x)
        layer_in, finals_h, finals_c, records = x, [], [], {}
        for layer in range(self.num_layers):
            outs = []
            for d in range(self.num_directions):
                k = layer * self.num_directions + d
                state = (h0[k],) if c0 is None else (h0[k], c0[k])
                out, final, rec = self._scan(self.cells[k], layer_in, state, reverse=d == 1,
                                             delta=perturb.get(record_name(layer, d, "h")), cut=detach_every)
                outs.append(out)
                finals_h.append(final[0])
                if len(final) > 1:
                    finals_c.append(final[1])
                if record:
                    records[record_name(layer, d, "h0")] = h0[k]
                    records.update({record_name(layer, d, key): v for key, v in rec.items()})
            layer_in = torch.cat(outs, dim=-1)  # (B, T, D*H)
        output = layer_in if self.combine == "concat" or self.num_directions == 1 else self._merge(outs)
        return RunResult(output, torch.stack(finals_h), torch.stack(finals_c) if finals_c else None, records)

    def forward(self, x: torch.Tensor, h0=None):
        """Same contract as torch.nn.RNN(batch_first=True): (output, h_n); LSTM returns (output, (h_n, c_n))."""
        res = self.run(x, h0)
        return res.output, (res.h_n if res.c_n is None else (res.h_n, res.c_n))

    def _merge(self, outs: list[torch.Tensor]) -> torch.Tensor:
        stacked = torch.stack(outs)  # (D, B, T, H)
        return stacked.mean(0) if self.combine == "mean" else stacked.amax(0)

    def _split_initial(self, h0, batch: int, x: torch.Tensor):
        shape = (self.num_layers * self.num_directions, batch, self.hidden_size)
        zeros = x.new_zeros(shape)
        if h0 is None:
            return zeros, (zeros if "c" in self.state_keys else None)
        if isinstance(h0, tuple):
            return h0[0].to(x.dtype), h0[1].to(x.dtype)
        return h0.to(x.dtype), (zeros if "c" in self.state_keys else None)

    def _scan(self, cell, x, state, reverse, delta, cut):
        """One layer in one direction over all T steps: returns the outputs (B, T, H), the final state and every
        recorded value stacked over time, each (B, T, H). `delta` (B, T, H) is added to h_t right after it is made
        (and recorded with it); `cut` detaches the carried state at the end of every chunk (see chunk_ends)."""
        weights, a = self._prepare(cell, x)
        # Per-step views with one backward node each: indexing a[:, t] would build a full-size zero gradient
        # for every step in the backward pass (quadratic in T).
        a_t = a.unbind(1)
        d_t = delta.unbind(1) if delta is not None else None
        T = x.shape[1]
        rec: dict[str, list] = {}
        for t in time_order(T, reverse):
            state, values = self.step(weights, a_t[t], state)
            if d_t is not None:
                state = (state[0] + d_t[t], *state[1:])
                values["h"] = state[0]
            if not rec:
                rec = {k: [None] * T for k in values}
            for k, v in values.items():
                rec[k][t] = v
            if chunk_ends(t, cut, reverse):
                state = tuple(s.detach() for s in state)
        rec = self._finish({k: torch.stack(v, 1) for k, v in rec.items()})  # each (B, T, H)
        return rec["h"], state, rec

    def _make_cell(self, input_size: int) -> nn.Module:
        raise NotImplementedError

    def _prepare(self, cell, x: torch.Tensor):
        """(the cell's weights cast to x's dtype, the input part of every step (B, T, G*H) computed at once)."""
        raise NotImplementedError

    def step(self, weights, a: torch.Tensor, state: tuple[torch.Tensor, ...]):
        """One time step of one cell: a (B, G*H) is the input part, state (h_{t-1}, ...) as in `state_keys`.
        Returns the new state and the values to record at this step, by name ("h" among them)."""
        raise NotImplementedError

    def _finish(self, records: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Values derived from the stacked records (Elman adds f'(u_t)); none by default."""
        return records


def time_order(steps: int, reverse: bool) -> range:
    return range(steps - 1, -1, -1) if reverse else range(steps)


def chunk_ends(t: int, every: int | None, reverse: bool = False) -> bool:
    """True after the last step of a chunk: chunks are the positions [0, K), [K, 2K), ... counted from the start of
    the text in both directions, as training cuts them, so the right-to-left network leaves a chunk after its first
    position (t % K == 0); counted from the end, the two directions would disagree whenever K does not divide T."""
    if every is None:
        return False
    return t % every == 0 if reverse else (t + 1) % every == 0
