"""How fast our train() is against the plain hand-written PyTorch loop (run: make bench, or this file).

Ours: core.training.train on a LanguageModel whose explicit cells are trained through torch's fused kernel
(models.fused), with everything train() does per step (gradient norm, clipping check, history, progress).
Plain: nn.Embedding -> nn.RNN / nn.LSTM -> nn.Linear with Adam, the loop anyone would write, on the same
token stream, sizes and batches (B contiguous streams, the state carried detached between sequences).
Throughput is tokens per second of the whole call; medians over alternating repeats, since the machine is
noisy. The target is ours >= 0.9 x plain. The explicit loop (our per-step Python loop, the naive way) is
timed over fewer steps for comparison.
  --quick runs tiny sizes only (to keep this script working).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import ModelConfig, build_model  # noqa: E402
from core.text import Vocab  # noqa: E402
from core.training import StreamData, TrainConfig, train  # noqa: E402


class Plain(nn.Module):
    def __init__(self, V: int, E: int, H: int, rnn: type[nn.RNNBase]):
        super().__init__()
        self.embedding, self.rnn, self.readout = nn.Embedding(V, E), rnn(E, H, batch_first=True), nn.Linear(H, V)


def plain_loop(model: Plain, ids: torch.Tensor, B: int, T: int, steps: int, lr: float) -> float:
    """The hand-written loop; returns tokens per second."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    n = (len(ids) - 1) // B
    x, y = ids[: B * n].view(B, n), ids[1: B * n + 1].view(B, n)
    state = None
    start = time.perf_counter()
    for s in range(steps):
        out, state = model.rnn(model.embedding(x[:, s * T:(s + 1) * T]), state)
        loss = F.cross_entropy(model.readout(out).flatten(0, 1), y[:, s * T:(s + 1) * T].flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        state = tuple(h.detach() for h in state) if isinstance(state, tuple) else state.detach()
    return steps * B * T / (time.perf_counter() - start)


def ours(config: ModelConfig, vocab: Vocab, data: StreamData, train_config: TrainConfig) -> float:
    """tokens per second of the whole train() call (its two validations on a one-sequence valid split included)."""
    model = build_model(config, vocab)
    start = time.perf_counter()
    result = train(model, data, train_config)
    tokens = int(result.history.tokens.iloc[-1])
    return tokens / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    V, E, H, B, T = (200, 8, 16, 4, 16) if args.quick else (2000, 32, 128, 32, 64)
    steps, warm, explicit_steps, repeats = (10, 2, 3, 1) if args.quick else (200, 10, 10, 5)
    lr = 1e-3
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; V={V}, E={E}, H={H}, B={B}, T={T}, "
          f"{steps} steps after {warm} warm-up steps, median of {repeats}")
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(1, V, (B * T * steps + 1,), generator=g)
    data = StreamData(ids, ids[: T + 1])  # validation: one short sequence, so train()'s timing is the steps'
    vocab = Vocab(f"w{i}" for i in range(1, V))
    settings = dict(batch_size=B, seq_len=T, lr=lr, eval_every=10**9)
    for arch, rnn in (("elman", nn.RNN), ("lstm", nn.LSTM)):
        config = ModelConfig(arch=arch, embed_dim=E, hidden_size=H)
        ours(config, vocab, data, TrainConfig(steps=warm, **settings))
        plain_loop(Plain(V, E, H, rnn), ids, B, T, warm, lr)
        mine, theirs = [], []
        for _ in range(repeats):  # alternating, so a busy spell on the machine hits both
            mine.append(ours(config, vocab, data, TrainConfig(steps=steps, **settings)))
            theirs.append(plain_loop(Plain(V, E, H, rnn), ids, B, T, steps, lr))
        a, b = statistics.median(mine), statistics.median(theirs)
        naive = ours(config, vocab, data, TrainConfig(steps=explicit_steps, fused=False, **settings))
        print(f"{arch}: ours (fused) {a:,.0f} tokens/s, plain nn.{rnn.__name__} loop {b:,.0f} tokens/s, "
              f"ratio {a / b:.2f}; explicit loop {naive:,.0f} tokens/s (fused / explicit {a / naive:.1f}x)")


if __name__ == "__main__":
    main()
