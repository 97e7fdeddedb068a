"""unroll(model, text) -> Trace: a data-only record of every step, in the lecture's names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import torch

from .models.config import ModelConfig
from .models.lm import LanguageModel
from .models.recurrent import layer_input, record_name


@dataclass(frozen=True)
class Trace:
    """Everything the network computed on one text. Index t is the step that reads token t.

    states: 'l{layer}.{fwd|bwd}.{key}' -> (T, H) with key in h, u, fprime (Elman), h, c, i, f, g, o
    (LSTM), h, r, z, n (GRU), and '.h0' -> (H,), the state before the first step; the fixed-window
    model records 'window.h', 'window.u', 'window.fprime'.
    z[t] are the logits of the word after token t; loss[t] = -log P(token t+1 | tokens 0..t), NaN at the
    last step (nothing follows it).
    """

    config: ModelConfig
    tokens: tuple[str, ...]  # as typed
    ids: torch.Tensor  # (T,) vocabulary ids, 0 = <unk>
    known: torch.Tensor  # (T,) bool, the word is in the vocabulary
    x: torch.Tensor  # (T, I) input vectors x_t
    states: dict[str, torch.Tensor]
    output: torch.Tensor  # (T, O) what the readout sees (top layer, directions combined)
    z: torch.Tensor  # (T, V) logits z_t = W_zh h_t + b_z
    probs: torch.Tensor  # (T, V) softmax(z_t)
    loss: torch.Tensor  # (T,)
    vocab: tuple[str, ...]  # id -> word

    def __len__(self) -> int:
        return len(self.tokens)

    def h(self, layer: int = 0, direction: int = 0) -> torch.Tensor:
        """(T, H) hidden states of one layer and direction."""
        return self.states[_name(self, layer, direction, "h")]

    def get(self, key: str, layer: int = 0, direction: int = 0) -> torch.Tensor:
        return self.states[_name(self, layer, direction, key)]

    @property
    def finite(self) -> bool:
        """False once any state or logit has overflowed to inf or NaN (an exploding network)."""
        return bool(torch.isfinite(self.z).all()) and all(bool(torch.isfinite(v).all()) for v in self.states.values())

    def top_k(self, k: int = 5) -> tuple[torch.Tensor, torch.Tensor]:
        """(T, k) probabilities and ids of the k most likely next words at each step."""
        k = min(k, self.probs.shape[-1])
        p, i = torch.nan_to_num(self.probs, nan=-1.0).topk(k, dim=-1)
        return torch.where(p < 0, torch.nan, p), i

    def steps_frame(self, k: int = 3) -> pd.DataFrame:
        """One row per step: token, whether known, next token, its probability and loss, top-k guesses."""
        p, i = self.top_k(k)
        nxt = list(self.tokens[1:]) + [None]
        p_next = [float(self.probs[t, self.ids[t + 1]]) if t + 1 < len(self) else float("nan")
                  for t in range(len(self))]
        frame = pd.DataFrame({
            "step": range(len(self)), "token": self.tokens, "known": self.known.tolist(),
            "next_token": nxt, "p_next": p_next, "loss": self.loss.tolist(),
        })
        for r in range(p.shape[1]):
            frame[f"guess_{r + 1}"] = [self.vocab[j] for j in i[:, r].tolist()]
            frame[f"p_guess_{r + 1}"] = p[:, r].tolist()
        return frame

    def name(self, key: str, layer: int = 0, direction: int = 0) -> str:
        """The states key of one quantity: 'l0.fwd.h', or 'window.h' for the fixed-window model."""
        return _name(self, layer, direction, key)

    def to_frame(self, names: Sequence[str] | None = None) -> pd.DataFrame:
        """Tidy long format for CSV export: one row per (step, recorded quantity, unit); `names` keeps only
        those quantities (e.g. one layer's h instead of every layer's u, h and f')."""
        parts = []
        for name in names or list(self.states):
            v = self.states[name]
            if v.dim() != 2:
                continue
            T, H = v.shape
            parts.append(pd.DataFrame({
                "step": torch.arange(T).repeat_interleave(H).numpy(),
                "token": [tok for tok in self.tokens for _ in range(H)],
                "quantity": name, "unit": torch.arange(H).repeat(T).numpy(),
                "value": v.reshape(-1).numpy(),
            }))
        return pd.concat(parts, ignore_index=True)


def _name(trace: Trace, layer: int, direction: int, key: str) -> str:
    return record_name(layer, direction, key, recurrent=trace.config.is_recurrent)


def unroll(model: LanguageModel, text_or_ids: str | Sequence[int] | torch.Tensor, *, h0=None,
           dtype: torch.dtype = torch.float64) -> Trace:
    """Run `model` over a text (or ids) one step at a time and record every intermediate value.

    Computed in float64 by default so that later gradient chains do not underflow. Never raises on
    overflow: inf/NaN states are recorded as they are (see Trace.finite).
    """
    tokens, ids = model.tokens_and_ids(text_or_ids)
    if not tokens:
        raise ValueError("there is nothing to unroll: the text has no tokens")
    with torch.no_grad():
        x = model.embed(tokens, ids, dtype)  # (1, T, I)
        z, res = model.run(x, h0, record=True)
        z = z[0]  # (T, V)
        log_p = torch.log_softmax(z, dim=-1)
        loss = torch.full((len(tokens),), torch.nan, dtype=dtype)
        loss[:-1] = -log_p[:-1].gather(1, ids[1:, None])[:, 0]
    states = {k: v[0] for k, v in res.records.items()}  # drop the batch axis
    return Trace(model.config, tuple(tokens), ids, ids != 0, x[0], states, res.output[0], z, log_p.exp(), loss,
                 tuple(model.vocab.itos))


def elman_terms(model: LanguageModel, trace: Trace, t: int, layer: int = 0) -> dict[str, torch.Tensor]:
    """The Elman equation at step t with its real numbers: u_t = W_hx x_t + W_hh h_{t-1} + b_h, h_t = f(u_t).

    Returns each term as an (H,) vector (first layer: x_t is the word's vector; deeper layers read the
    layer below), so a page can write the equation out and the terms provably add up to u_t.
    """
    return {name: term[t] for name, term in elman_terms_all(model, trace, layer).items()}


def elman_terms_all(model: LanguageModel, trace: Trace, layer: int = 0) -> dict[str, torch.Tensor]:
    """elman_terms for every step at once: each term as a (T, H) tensor (b_h repeated), one matrix product per
    term, so a view can send every step's equation to the browser in one go."""
    if trace.config.arch != "elman":
        raise ValueError("the Elman equation belongs to the Elman network")
    cell = model.core.cell(layer, 0)
    x = layer_input(trace.states, trace.x, layer, model.core.num_directions)
    h = trace.h(layer)  # (T, H)
    h_prev = torch.cat([trace.get("h0", layer)[None], h[:-1]])  # (T, H)
    W_hx, W_hh, b_h = (p.detach().to(trace.x.dtype) for p in (cell.W_hx, cell.W_hh, cell.b_h))
    return {"x_t": x, "h_prev": h_prev, "W_hx x_t": x @ W_hx.T, "W_hh h_prev": h_prev @ W_hh.T,
            "b_h": b_h.expand_as(h), "u_t": trace.get("u", layer), "h_t": h}
