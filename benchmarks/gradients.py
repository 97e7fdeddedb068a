"""How fast the gradient views are, as ratios against the naive way (run: make bench, or this file).

Medians of repeated runs on this machine; the machine is noisy, so read ratios, not milliseconds.
  --quick runs tiny sizes only (the test suite uses it to keep this script working).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import ElmanRNN, ModelConfig, build_model, gradient_vs_distance, lecture, unroll  # noqa: E402
from core.gradients import jacobian_log_norms, row_log_norms, step_factors  # noqa: E402


def median_ms(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def autograd_all_pairs(rnn: ElmanRNN, x: torch.Tensor) -> torch.Tensor:
    """The naive way: the full (T, H, T, H) Jacobian of every state with respect to a perturbation of every state."""
    rnn = rnn.double()
    T, H = x.shape[0], rnn.hidden_size

    def states(delta):
        return rnn.run(x[None].double(), perturb={"l0.fwd.h": delta[None]}, record=True).records["l0.fwd.h"][0]

    J = torch.autograd.functional.jacobian(states, torch.zeros(T, H, dtype=torch.float64), vectorize=True)
    return torch.log(torch.linalg.matrix_norm(J.permute(0, 2, 1, 3)))  # (T, T) log Frobenius norms


def autograd_row(rnn: ElmanRNN, x: torch.Tensor, t: int) -> torch.Tensor:
    """The naive row: the (H, T, H) Jacobian of h_t with respect to a perturbation of every state."""
    T, H = x.shape[0], rnn.hidden_size

    def last(delta):
        return rnn.run(x[None], perturb={"l0.fwd.h": delta[None]}, record=True).records["l0.fwd.h"][0, t]

    J = torch.autograd.functional.jacobian(last, torch.zeros(T, H, dtype=x.dtype), vectorize=True)
    return torch.log(torch.linalg.matrix_norm(J.permute(1, 0, 2)))


def elman(hidden: int, seed: int = 0) -> ElmanRNN:
    return ElmanRNN(16, hidden, init="orthogonal", spectral_radius=1.0, seed=seed).double()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 1 if args.quick else 5
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")

    # 1. The ratio the issue names: all pairs vs autograd.functional.jacobian(vectorize=True).
    T, H = (24, 8) if args.quick else (128, 32)
    rnn, x = elman(H), torch.randn(T, 16, dtype=torch.float64)
    ref = autograd_all_pairs(rnn, x)
    t_ref = median_ms(lambda: autograd_all_pairs(rnn, x), max(1, repeats // 2))
    lower = torch.isfinite(ref)
    for dtype in (torch.float64, torch.float32):
        ours = jacobian_log_norms(step_factors(rnn, x, dtype=dtype), "fro")
        err = (ours[lower] - ref[lower]).abs().max().item()
        t_ours = median_ms(lambda dtype=dtype: jacobian_log_norms(step_factors(rnn, x, dtype=dtype), "fro"), repeats)
        print(f"all pairs T={T} H={H} ({str(dtype)[6:]}): ours {t_ours:.1f} ms, autograd jacobian(vectorize=True) "
              f"{t_ref:.1f} ms, ratio {t_ref / t_ours:.0f}x, max |log-norm difference| {err:.1e}")

    # 2. The full map where the app needs it, against forming every product (the O(T^2 H^3) way).
    model = build_model(ModelConfig(hidden_size=8 if args.quick else 128))
    trace = unroll(model, lecture.DANCING)
    sizes = [(len(trace), "dancing passage")] + ([] if args.quick else [(256, "T=256")])
    for T, label in sizes:
        H = model.core.hidden_size
        x = torch.randn(T, model.core.input_size, dtype=torch.float64) if T != len(trace) else trace.x
        for dtype in (torch.float64, torch.float32):
            steps = step_factors(model.core, x, dtype=dtype)
            t_map = median_ms(lambda steps=steps: jacobian_log_norms(steps, "fro", method="divide"), repeats)
            t_direct = median_ms(lambda steps=steps: jacobian_log_norms(steps, "fro", method="direct"), 1)
            print(f"full map, {label} (T={T}, H={H}, {str(dtype)[6:]}): {t_map:.0f} ms "
                  f"(forming every product: {t_direct:.0f} ms, ratio {t_direct / t_map:.1f}x)")
        t_spec = median_ms(lambda: jacobian_log_norms(step_factors(model.core, trace.x), 2), 1) \
            if T == len(trace) else None
        if t_spec is not None:
            print(f"full map, {label}, spectral norms (exact SVD of every product): {t_spec:.0f} ms")

    # 3. One target row, and the scalar-loss gradient table.
    T, H = (50, 16) if args.quick else (1000, 256)
    rnn, x = elman(H), torch.randn(T, 16, dtype=torch.float64)
    for dtype in (torch.float64, torch.float32):
        steps = step_factors(rnn, x, dtype=dtype)
        t_row = median_ms(lambda steps=steps: row_log_norms(steps, T - 1), repeats)
        t_all = median_ms(lambda dtype=dtype: row_log_norms(step_factors(rnn, x, dtype=dtype), T - 1), repeats)
        print(f"one row ||dh_t/dh_s||_F, T={T}, H={H}, {str(dtype)[6:]}: chain {t_row:.0f} ms, "
              f"with the unroll {t_all:.0f} ms")
    small = (30, 8) if args.quick else (300, 64)
    rnn_s, x_s = elman(small[1]), torch.randn(small[0], 16, dtype=torch.float64)
    t_naive = median_ms(lambda: autograd_row(rnn_s, x_s, small[0] - 1), 1)
    t_fast = median_ms(lambda: row_log_norms(step_factors(rnn_s, x_s), small[0] - 1), repeats)
    print(f"one row at T={small[0]}, H={small[1]}: ours {t_fast:.1f} ms, autograd jacobian(vectorize=True) "
          f"{t_naive:.1f} ms, ratio {t_naive / t_fast:.0f}x")
    lm = build_model(ModelConfig(hidden_size=H, embed_dim=16))
    text = " ".join(["the cat sat on the mat and"] * (T // 7 + 1))
    t_loss = median_ms(lambda: gradient_vs_distance(lm, text, target=T - 1), repeats)
    print(f"gradient of the loss w.r.t. every h_s (autograd, float64), T={T}, H={H}: {t_loss:.0f} ms")


if __name__ == "__main__":
    main()
