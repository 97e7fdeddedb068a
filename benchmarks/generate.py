"""How fast the Generate page speaks: 200 characters from each shipped character model (goal: under a second),
against the naive way of unrolling the whole text again for every new token (run: make bench, or this file).

Medians of repeated runs on this machine, one torch thread as the app uses; read the ratio, the machine is noisy.
  --quick: an untrained model and 20 tokens only (the test suite uses it to keep this script working).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import ModelConfig, build_model, unroll  # noqa: E402
from core.generate import Sampling, generate  # noqa: E402
from explorer import catalogue  # noqa: E402

PROMPT = "ROMEO:\nBut soft, what light through yonder window breaks?\n"
GOAL_S = 1.0


def median_s(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def naive(model, prompt: str, n: int) -> None:
    """Unroll prompt + everything generated so far at every step, and take the last step's distribution."""
    gen = torch.Generator().manual_seed(0)
    ids = model.tokens_and_ids(prompt)[1]
    for _ in range(n):
        p = unroll(model, ids).probs[-1]
        ids = torch.cat([ids, torch.multinomial(p, 1, generator=gen)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    n, repeats = (20, 2) if args.quick else (200, 5)
    if args.quick:
        models = {"untrained-char": build_model(ModelConfig(tokenizer="char", hidden_size=16))}
    else:
        models = {key: catalogue.load(e.config.weights).eval() for key, e in catalogue.scan().items()
                  if e.config.tokenizer == "char"}
    if not models:
        print("no character model is shipped in models/: nothing to time")
        return
    for key, model in models.items():
        ours = median_s(lambda m=model: list(generate(m, PROMPT, n, Sampling(seed=0))), repeats)
        slow = median_s(lambda m=model: naive(m, PROMPT, n), 1)
        verdict = "meets" if ours < GOAL_S else "MISSES"
        print(f"{key}: {n} characters in {ours:.3f} s ({verdict} the {GOAL_S:.0f} s goal); re-unrolling the text "
              f"for every token {slow:.2f} s; ratio {slow / ours:.0f}x")


if __name__ == "__main__":
    main()
