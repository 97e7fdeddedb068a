"""Context use of the shipped word models (Khandelwal et al. 2018; core.probes.context): the effective context
and how long the probe takes (run: make bench, or this file).

  --quick reads 32 targets instead of 512 (the test suite uses it to keep this script working).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import checkpoint, pretrained  # noqa: E402
from core.probes.context import POSITIONS, context_use, gradient_reach, sample_positions  # noqa: E402

MODELS = ("elman-word", "lstm-word", "gru-word")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    count = 32 if args.quick else POSITIONS
    _, _, _, test = pretrained.corpus_ids("word")
    positions = sample_positions(len(test), count)
    for name in MODELS:
        model = checkpoint.load(pretrained.ROOT / "models" / f"{name}.safetensors").model
        start = time.perf_counter()
        use = context_use(model, test, positions)
        probe = time.perf_counter() - start
        start = time.perf_counter()
        gradient_reach(model, test, positions)
        reach = time.perf_counter() - start
        print(f"{name}: effective context {use.effective_context} tokens over {use.positions} targets; loss "
              f"{use.loss_at(10):.3f} at k=10, {use.loss_at(use.longest):.3f} at k={use.longest}; "
              f"probe {probe:.1f} s, gradient reach {reach:.1f} s (one thread)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
