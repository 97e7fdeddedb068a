"""Context ablation (Khandelwal et al. 2018, "Sharp Nearby, Fuzzy Far Away"): how much does log P(w_t | context)
change when the word k tokens back is removed, replaced by <unk>, or when everything further back is dropped
or shuffled?

Same conventions as core.gradients: the target is position t of the predicted word, its probability is read
from the output at t-1, and k = t - s counts back from the target, so the word just before it sits at k = 1.
Gradients say how a prediction responds to an infinitesimal nudge of a word; ablation says what happens when
the word is really gone. The two side by side show where first-order reasoning about "memory" holds.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import torch
from torch import nn

from ..gradients.autograd import gradient_vs_distance, resolve_target
from ..models.lm import LanguageModel

INTERVENTIONS = ("remove", "unk", "truncate", "shuffle")
CUE_WORD = "dancing"  # the lecture's example: "... I've always loved dancing."


def default_target(tokens: Sequence[str]) -> int:
    """The last "dancing" of the text (the lecture's long-range example) when there is one with a word before it,
    else the last token."""
    hits = [p for p, tok in enumerate(tokens) if tok.lower() == CUE_WORD and p >= 1]
    return hits[-1] if hits else len(tokens) - 1


def _target(model: LanguageModel, tokens: list[str], target: int | None) -> int:
    if getattr(model.core, "num_directions", 1) == 2:
        raise ValueError("a bidirectional model reads the target and the words after it, so removing context "
                         "cannot isolate what the past contributes; use a one-way model")
    return resolve_target(default_target(tokens) if target is None else target, len(tokens))


def _unk_vector(model: LanguageModel, dtype: torch.dtype) -> torch.Tensor:
    """The input the model itself learned for <unk> (embedding row 0, or one-hot 0): model.embed would give a
    typed unknown word its own hashed vector instead, which is a different word to the network, not a blank."""
    if model.embedding is None:
        return nn.functional.one_hot(torch.tensor(0), len(model.vocab)).to(dtype)
    return model.embedding.weight[0].detach().to(dtype)


def _variants(x: torch.Tensor, kind: str, unk: torch.Tensor, permutations: int,
              gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Every ablated copy of the context x (t, I), left-aligned: (B, t, I) inputs, (B,) lengths and (B,) distance
    index k - 1 of each row. Rows past a sequence's length are zeros and are never read."""
    t, _ = x.shape
    k = torch.arange(1, t + 1)  # (t,)
    s = t - k  # (t,) the position each distance points at
    j = torch.arange(t)  # (t,) slot in the ablated sequence
    if kind == "remove":  # slot j holds position j, or j + 1 once past the removed one
        idx, lengths = j[None] + (j[None] >= s[:, None]).long(), torch.full((t,), t - 1)
    elif kind == "unk":
        idx, lengths = j.expand(t, t), torch.full((t,), t)
    elif kind == "truncate":  # the last k positions, t-k .. t-1
        idx, lengths = s[:, None] + j[None], k
    elif kind == "shuffle":  # positions before t-k in a random order, the last k in place; `permutations` rows per k
        rows = [torch.cat([torch.randperm(t - kk, generator=gen), torch.arange(t - kk, t)])
                for kk in k.tolist() for _ in range(permutations)]
        idx, lengths, k = torch.stack(rows), torch.full((len(rows),), t), k.repeat_interleave(permutations)
    else:
        raise ValueError(f"intervention={kind!r}: use one of {', '.join(INTERVENTIONS)}")
    xs = x[idx.clamp(max=t - 1)] * (j[None] < lengths[:, None])[..., None]  # (B, t, I)
    if kind == "unk":
        xs[torch.arange(t), s] = unk
    return xs, lengths, k - 1


def ablation(model: LanguageModel, text_or_ids: str | Sequence[int] | torch.Tensor, target: int | None = None, *,
             interventions: Sequence[str] = INTERVENTIONS, permutations: int = 5, seed: int = 0,
             dtype: torch.dtype = torch.float64) -> pd.DataFrame:
    """log P(w_t | ablated context) for every distance k = 1..t and every intervention, against the intact context:

    remove   the word at distance k is deleted (the context gets one shorter);
    unk      the word at distance k becomes <unk>, with the model's own <unk> input (not a typed word's hashed vector);
    truncate only the last k words are kept (k = t keeps them all);
    shuffle  the words further than k back are put in a random order, log P averaged over `permutations` seeded
             draws (so k >= t - 1, with at most one word to move, equals the intact context).

    target: a position (negative counts from the end) or None for default_target. An unknown target word is
    scored as <unk>, as the loss is. Every variant of every intervention runs as one batch through model.run:
    sequences are left-aligned from h_0 and each is read at its own last position, which a one-way model computes
    without looking at the zeros after it (the fixed-window model too: its window there holds only the sequence).
    Removing the only context word (t = 1) leaves nothing to read a prediction from: NaN.

    Columns: distance, position (t - k), token (the word there), intervention, logprob, baseline_logprob, delta
    (= logprob - baseline_logprob, negative where the context helped), target, target_token; one row per
    (intervention, distance). Callers add their own model labels.
    """
    if permutations < 1:
        raise ValueError("shuffle needs at least one permutation")
    tokens, ids = model.tokens_and_ids(text_or_ids)
    t = _target(model, tokens, target)
    x = model.embed(tokens, ids, dtype)[0, :t].detach()  # (t, I): only the context reaches the prediction
    unk, gen = _unk_vector(model, dtype), torch.Generator().manual_seed(seed)
    parts = [_variants(x, kind, unk, permutations, gen) for kind in interventions]
    xs = torch.cat([x[None], *(p[0] for p in parts)])  # the intact context first: the baseline
    lengths = torch.cat([torch.tensor([t]), *(p[1] for p in parts)])
    with torch.no_grad():  # the readout only where it is read: (B, t, V) logits would take a gigabyte at V = 3000
        output = model.core.run(xs).output[torch.arange(len(xs)), (lengths - 1).clamp(min=0)]  # (B, D*H)
        last = output @ model.W_zh.to(dtype).T + model.b_z.to(dtype)  # (B, V): each row's own last output
    readable = lengths >= 1
    logp = torch.log_softmax(last, dim=-1)[:, ids[t]].where(readable, torch.nan)  # (B,)
    baseline = float(logp[0])
    rows, start = [], 1
    for kind, (_, _, k_index) in zip(interventions, parts, strict=True):
        n = len(k_index)
        means = torch.zeros(t, dtype=dtype).index_add_(0, k_index, logp[start:start + n]) / torch.bincount(
            k_index, minlength=t)  # (t,) mean over rows of the same distance (several for shuffle)
        start += n
        for k in range(1, t + 1):
            v = float(means[k - 1])
            rows.append((k, t - k, tokens[t - k], kind, v, baseline, v - baseline))
    frame = pd.DataFrame(rows, columns=["distance", "position", "token", "intervention", "logprob",
                                        "baseline_logprob", "delta"])
    return frame.assign(target=t, target_token=tokens[t])


def ablation_gradients(model: LanguageModel, text_or_ids: str | Sequence[int] | torch.Tensor,
                       target: int | None = None) -> pd.DataFrame:
    """‖∂ log P(w_t)/∂x_s‖ at the same target and distances as ablation(), for plotting beside it (the caller
    keeps the two frames apart: one gradient per distance, four interventions).

    With respect to the input x_s, because that is what every intervention changes (a hidden state is never
    ablated, and the fixed-window model has none); as quantity="loss", whose norm equals that of log P(w_t) and
    which, like ablation(), scores an unknown target as <unk>. Columns as core.gradients.gradient_vs_distance.
    """
    tokens, _ = model.tokens_and_ids(text_or_ids)
    t = _target(model, tokens, target)
    return gradient_vs_distance(model, text_or_ids, t, wrt="input", quantity="loss")
