"""How much context a trained language model really uses (Khandelwal et al. 2018, "Sharp Nearby, Fuzzy Far
Away"): read only the k tokens before each target, from a fresh state, and average the loss at the target.

Where the loss stops falling as k grows, tokens further back no longer help: the smallest k whose loss is
within `TOLERANCE` nats of the loss with the longest context is the model's *effective context*. Beside it,
the gradient of the same losses with respect to each input vector, averaged over the same targets, shows
how far back the gradient still reaches; the two need not agree, which is the lesson.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch
from torch.nn import functional as F

from ..files import write_csv
from ..models.lm import LanguageModel

K_GRID = (1, 2, 3, 5, 7, 10, 15, 20, 30, 40, 50, 70, 100, 130, 160, 200)  # the context lengths read
TOLERANCE = 0.01  # nats: "as good as the longest context", as Khandelwal et al. define the effective context
POSITIONS = 512  # targets sampled from the held-out stream
SEED = 0
BATCH = 64  # sequences per forward pass


@dataclass(frozen=True)
class ContextUse:
    """One model's curve: the loss at each context length, and what it says."""

    curve: pd.DataFrame  # k, loss (mean nats), sem (standard error of the mean), saved (loss(k) - loss(k_max))
    effective_context: int  # smallest k within TOLERANCE nats of the loss at the longest k
    per_target: pd.DataFrame  # index: target position in the stream; one column of losses per k

    @property
    def positions(self) -> int:
        return len(self.per_target)

    @property
    def longest(self) -> int:
        return int(self.curve["k"].max())

    def loss_at(self, k: int) -> float:
        return float(self.curve.loc[self.curve["k"] == k, "loss"].iloc[0])

    def saved_beyond(self, k: int) -> float:
        """Nats the tokens more than k back save at the target: loss(k) - loss(longest)."""
        return self.loss_at(k) - self.loss_at(self.longest)


def sample_positions(length: int, count: int = POSITIONS, longest: int = K_GRID[-1], seed: int = SEED) -> torch.Tensor:
    """`count` distinct target positions t with at least `longest` tokens before them, sorted, from a seeded draw."""
    if length <= longest:
        raise ValueError(f"a stream of {length} tokens has no target with {longest} tokens before it")
    gen = torch.Generator().manual_seed(seed)
    pool = torch.arange(longest, length)
    return pool[torch.randperm(len(pool), generator=gen)[:count]].sort().values


def _windows(ids: torch.Tensor, positions: torch.Tensor, k: int) -> torch.Tensor:
    """(P, k) the k ids before each target."""
    return torch.stack([ids[t - k: t] for t in positions.tolist()])


@torch.no_grad()
def target_losses(model: LanguageModel, ids: torch.Tensor, positions: torch.Tensor, k: int) -> torch.Tensor:
    """(P,) -log P(ids[t] | the k ids before t), read from a fresh (zero) state."""
    model.eval()
    out = []
    for i in range(0, len(positions), BATCH):
        chunk = positions[i: i + BATCH]
        output, _ = model.outputs(_windows(ids, chunk, k))  # (b, k, O)
        out.append(F.cross_entropy(model.readout(output[:, -1]), ids[chunk], reduction="none"))
    return torch.cat(out)


def context_use(model: LanguageModel, ids: torch.Tensor, positions: torch.Tensor | None = None,
                ks: tuple[int, ...] = K_GRID, tolerance: float = TOLERANCE) -> ContextUse:
    """The loss at the sampled targets for each context length in `ks`, and the effective context.

    ids: a held-out stream (1-D long). The same targets are used for every k, so differences between k are
    paired and far less noisy than the losses themselves.
    """
    if getattr(model.core, "num_directions", 1) == 2:
        raise ValueError("a bidirectional model reads the target itself, so its context use means nothing here")
    ks = tuple(sorted(set(int(k) for k in ks)))
    if not ks or ks[0] < 1:
        raise ValueError("context lengths must be at least 1")
    positions = sample_positions(len(ids), longest=ks[-1]) if positions is None else positions
    losses = {k: target_losses(model, ids, positions, k).double() for k in ks}
    per_target = pd.DataFrame({k: v.numpy() for k, v in losses.items()}, index=pd.Index(positions.tolist(),
                                                                                         name="position"))
    curve = curve_of(per_target)
    return ContextUse(curve, effective_context(curve, tolerance), per_target)


def curve_of(per_target: pd.DataFrame) -> pd.DataFrame:
    """The mean curve (k, loss, sem, saved) of a table of per-target losses (one column per k)."""
    full = per_target[per_target.columns.max()]
    return pd.DataFrame([{"k": int(k), "loss": v.mean(), "sem": v.std() / math.sqrt(len(v)),
                          "saved": (v - full).mean()} for k, v in per_target.items()])


def effective_context(curve: pd.DataFrame, tolerance: float = TOLERANCE) -> int:
    """Smallest k whose loss is within `tolerance` nats of the loss at the longest k (curve: k, loss)."""
    curve = curve.sort_values("k")
    final = curve["loss"].iloc[-1]
    return int(curve.loc[curve["loss"] <= final + tolerance, "k"].iloc[0])


def gradient_reach(model: LanguageModel, ids: torch.Tensor, positions: torch.Tensor, longest: int = K_GRID[-1]
                   ) -> pd.DataFrame:
    """Mean ‖∂loss_t/∂x_{t−k}‖ over the targets, for k = 1..longest: the loss at t read after `longest` tokens
    from a fresh state, differentiated with respect to every input vector (embedding) before it.

    Columns: distance, grad_norm (mean over targets), log10_grad_norm (mean of log10, robust to a few large
    values), positions.
    """
    model.eval()
    if model.embedding is None:
        raise ValueError("gradient_reach differentiates the embedding vectors; this model reads one-hot inputs")
    sums = torch.zeros(longest, dtype=torch.float64)
    logs = torch.zeros(longest, dtype=torch.float64)
    for i in range(0, len(positions), BATCH):
        chunk = positions[i: i + BATCH]
        x = model.embedding(_windows(ids, chunk, longest)).detach().requires_grad_(True)  # (b, k, I)
        output, _ = model.core_outputs(x)
        loss = F.cross_entropy(model.readout(output[:, -1]), ids[chunk], reduction="sum")
        (grad,) = torch.autograd.grad(loss, x)
        norms = grad.double().norm(dim=-1).flip(1)  # (b, longest): column j is distance j + 1
        sums += norms.sum(0)
        logs += norms.clamp_min(1e-300).log10().sum(0)
    n = len(positions)
    mean = sums / n
    return pd.DataFrame({"distance": range(1, longest + 1), "grad_norm": mean.numpy(),
                         "log10_grad_norm": (logs / n).numpy(), "positions": n})


def main(argv: list[str] | None = None) -> int:
    """Write results/context_use.csv (curves), context_targets.csv (each target's losses, so that a test can
    recompute any of them) and context_reach.csv (gradients) for the shipped word models."""
    from .. import checkpoint
    from ..pretrained import ROOT, corpus_ids

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="*", default=["elman-word", "lstm-word", "gru-word"])
    parser.add_argument("--positions", type=int, default=POSITIONS)
    parser.add_argument("--out", type=Path, default=ROOT / "results")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    curves, reaches, targets = [], [], []
    for name in args.models:
        model = checkpoint.load(ROOT / "models" / f"{name}.safetensors").model
        _, _, _, test = corpus_ids(model.config.tokenizer)
        positions = sample_positions(len(test), args.positions)
        use = context_use(model, test, positions)
        curves.append(use.curve.assign(model=name, effective_context=use.effective_context, positions=use.positions))
        reaches.append(gradient_reach(model, test, positions).assign(model=name))
        targets.append(use.per_target.rename(columns=lambda k: f"k{k}").reset_index().assign(model=name))
        print(f"{name}: effective context {use.effective_context} tokens; loss {use.loss_at(10):.3f} at k=10, "
              f"{use.loss_at(use.longest):.3f} at k={use.longest}; tokens 20..{use.longest} back save "
              f"{use.saved_beyond(20):.3f} nats")
    args.out.mkdir(exist_ok=True)
    write_csv(pd.concat(curves, ignore_index=True), args.out / "context_use.csv")
    write_csv(pd.concat(reaches, ignore_index=True), args.out / "context_reach.csv")
    write_csv(pd.concat(targets, ignore_index=True), args.out / "context_targets.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
