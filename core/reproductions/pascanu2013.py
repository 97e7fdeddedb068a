"""Pascanu, Mikolov & Bengio (2013), "On the difficulty of training recurrent neural networks", recomputed.

Sweep (their Sec. 2.1): every step back multiplies the gradient by diag(f'(u)) W_hh, whose norm is at most
γ‖W_hh‖₂ (γ = sup f'), so ‖W_hh‖₂ < 1/γ is *sufficient* for vanishing; above it the gradient may explode.
We scale W_hh to a grid of ‖W_hh‖₂, follow ‖∂h_T/∂h_{T−k}‖₂ back k steps and fit the factor per step.

Clipping (their Sec. 3.2, Algorithm 1): if ‖g‖ > θ then g ← θ g/‖g‖. We train one exploding network twice,
with and without it, on the same batches.

`python -m core.reproductions.pascanu2013 --out results/` rewrites the cached tables the page shows.
"""

from __future__ import annotations

import argparse
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..data.synthetic import adding_task
from ..files import write_csv
from ..gradients import decay_rate, row_log_norms, spectrum, step_factors, verdict
from ..models import ElmanRNN, build_model
from ..models.config import ModelConfig
from ..training import TaskData, TrainConfig, train

Progress = Callable[[float], None]  # share of the work done, 0..1
_THREADS = threading.Lock()


@contextmanager
def one_thread() -> Iterator[None]:
    """Torch on one thread while the block runs. These networks are tiny: on a busy two-core machine two threads
    mostly wait for each other (the tests' clipping run, measured while the machine was busy: 14 s on two threads,
    0.15 s on one)."""
    with _THREADS:
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(before)


@dataclass(frozen=True)
class SweepConfig:
    """One random network per (activation, ‖W_hh‖₂, seed), fed small random inputs."""

    hidden_size: int = 32  # H (the inputs have H dimensions too)
    length: int = 100  # T: the gradient of h_T is followed k = 1..T-1 steps back
    input_scale: float = 0.1  # x_t ~ N(0, scale² I): small, so the inputs alone leave every unit near-linear
    init: str = "orthogonal"  # W_hh before scaling; orthogonal makes every singular value equal ‖W_hh‖₂
    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    per_octave: int = 4  # grid points per doubling of ‖W_hh‖₂
    ranges: tuple[tuple[str, float, float], ...] = (("tanh", 0.25, 4.0), ("sigmoid", 1.0, 32.0))


def norm_grid(lo: float, hi: float, per_octave: int) -> list[float]:
    """lo·2^(i/per_octave) up to hi: powers of two (and so 1/γ = 1 or 4 from lo = 1/4 or 1) land exactly."""
    return [lo * 2 ** (i / per_octave) for i in range(round(math.log2(hi / lo) * per_octave) + 1)]


def _rate(k: torch.Tensor, log_norms: torch.Tensor) -> float:
    """decay_rate for norms beyond float64 (1e-400): fit c·ln‖·‖, which stays in range, then undo the c."""
    c = min(1.0, 600 / max(log_norms.abs().max().item(), 1e-300))
    return decay_rate(k, torch.exp(c * log_norms)) ** (1 / c)


def backward_log_norms(rnn: ElmanRNN, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, float]:
    """k = 1..T-1, ln ‖∂h_T/∂h_{T-k}‖₂ on the input x (T, I), and the fitted factor per step back."""
    T = x.shape[0]
    logs = row_log_norms(step_factors(rnn, x), T - 1, ord=2)[:-1].flip(0)
    k = torch.arange(1, T, dtype=torch.float64)
    return k, logs, _rate(k, logs)


def decay_point(activation: str, norm: float, seed: int, config: SweepConfig = SweepConfig()) -> dict:
    """One network: its W_hh scaled to ‖W_hh‖₂ = norm, the measured factor per step, and the bound."""
    H, T = config.hidden_size, config.length
    rnn = ElmanRNN(H, H, activation=activation, init=config.init, seed=seed)
    with torch.no_grad():
        W = rnn.cell().W_hh
        W.mul_(norm / torch.linalg.matrix_norm(W.double(), ord=2).item())
    x = torch.randn(T, H, generator=torch.Generator().manual_seed(seed), dtype=torch.float64) * config.input_scale
    spec = spectrum(rnn.cell().W_hh, activation)
    k, logs, rate = backward_log_norms(rnn, x)
    # The theorem holds at every k, not only on average: ‖∂h_T/∂h_{T-k}‖₂ <= (γ‖W_hh‖₂)^k.
    worst = ((logs - k * math.log(spec.bound_rate)) / math.log(10)).max().item()
    return {"activation": activation, "seed": seed, "target_norm": norm, "spectral_norm": spec.spectral_norm,
            "spectral_radius": spec.spectral_radius, "gamma": spec.gamma, "bound_rate": spec.bound_rate,
            "rate": rate, "log10_worst_ratio": worst, "regime": verdict(spec, rate).label,
            "hidden_size": H, "length": T, "input_scale": config.input_scale, "init": config.init}


def sweep(config: SweepConfig = SweepConfig(), on_progress: Progress | None = None) -> pd.DataFrame:
    """The measured factor per step against ‖W_hh‖₂, one row per (activation, norm, seed)."""
    jobs = [(act, norm, seed) for act, lo, hi in config.ranges for norm in norm_grid(lo, hi, config.per_octave)
            for seed in config.seeds]
    rows = []
    with one_thread():
        for i, job in enumerate(jobs):
            rows.append(decay_point(*job, config))
            if on_progress is not None:
                on_progress((i + 1) / len(jobs))
    return pd.DataFrame(rows)


def geometric_means(rows: pd.DataFrame) -> pd.DataFrame:
    """One activation's sweep rows summarised per grid point (index: target_norm, ascending): the measured
    ‖W_hh‖₂ (norm), the geometric mean over seeds of the factor per step (log10_rate and rate), the bound
    γ‖W_hh‖₂ (bound) and the number of seeds. Geometric, because the factors multiply: the mean of their logs
    is the typical rate of decay, and one exploding seed cannot drown the others as it would an arithmetic mean.
    A factor of 0 or inf gives a log10_rate of -inf or inf (no finite mean)."""
    if rows["activation"].nunique() > 1:
        raise ValueError("geometric_means takes one activation's rows")
    with np.errstate(divide="ignore", invalid="ignore"):
        log10 = np.log10(rows["rate"].to_numpy(dtype=float))
    means = rows.assign(log10_rate=log10).groupby("target_norm").agg(
        norm=("spectral_norm", "mean"), log10_rate=("log10_rate", "mean"), bound=("bound_rate", "mean"),
        seeds=("seed", "size"))
    return means.assign(rate=10 ** means["log10_rate"])


@dataclass(frozen=True)
class SweepFindings:
    """What one activation's sweep rows show, as numbers (the page puts them into words)."""

    networks: int
    gamma: float
    closest: float  # the closest approach to the bound over every network and k, relative (1 − ‖·‖ / bound)
    largest_below: float | None  # the largest measured factor where ‖W_hh‖₂ < 1/γ (None: no such network)
    first_growing: float | None  # the smallest grid ‖W_hh‖₂ whose geometric-mean factor exceeds 1 (None: none)
    top: float  # the largest grid ‖W_hh‖₂
    top_rate: float  # its geometric-mean factor


def findings(rows: pd.DataFrame) -> SweepFindings:
    """The facts the Pascanu page states about one activation's sweep, computed from its rows alone."""
    means = geometric_means(rows)
    below = rows[rows["bound_rate"] < 1]
    growing = means[means["rate"] > 1]
    top = float(means.index.max())
    return SweepFindings(networks=len(rows), gamma=float(rows["gamma"].iloc[0]),
                         closest=float(1 - 10 ** rows["log10_worst_ratio"].max()),
                         largest_below=float(below["rate"].max()) if len(below) else None,
                         first_growing=float(growing.index.min()) if len(growing) else None,
                         top=top, top_rate=float(means.loc[top, "rate"]))


@dataclass(frozen=True)
class ClipConfig:
    """One network trained twice on the same batches, once with Algorithm 1 and once without.

    relu with an orthogonal W_hh of norm 1.8 (= its spectral radius): the gradient grows per step back (the
    table's initial_rate measures by how much, on the first training sequence) and its norm starts in the thousands.
    """

    activation: str = "relu"
    spectral_norm: float = 1.8  # ‖W_hh‖₂ at the start
    hidden_size: int = 32
    length: int = 20  # digits of the adding problem (their Sec. 4.1), made discrete: say the two starred ones' sum
    train_size: int = 512
    valid_size: int = 128
    steps: int = 200
    batch_size: int = 32
    lr: float = 0.1  # plain SGD, no momentum: the step is exactly lr·g, so ‖g‖ decides how far it jumps
    threshold: float = 10.0  # θ of Algorithm 1: above ordinary steps' norms (median 2.8 here), far below the blow-up
    seed: int = 0


def clipping(config: ClipConfig = ClipConfig(), on_progress: Progress | None = None) -> pd.DataFrame:
    """Per step of each run: training loss, ‖g‖ before clipping (the trainer's), ‖g‖ the optimizer applied
    (read back from the parameters' .grad after the step), and whether the step was clipped."""
    data = TaskData(adding_task(config.length, config.train_size, seed=config.seed),
                    adding_task(config.length, config.valid_size, seed=config.seed + 1))
    answers = data.train.targets[data.train.mask]
    freq = torch.bincount(answers).double() / len(answers)
    prior = -(freq[freq > 0] * freq[freq > 0].log()).sum().item()  # the best loss without reading the digits
    frames = []
    with one_thread():
        for i, clip in enumerate((None, config.threshold)):
            def report(done: float, i=i) -> None:
                if on_progress is not None:
                    on_progress((i + done) / 2)
            frames.append(_train_once(config, data, clip, report).assign(task=data.train.name, prior_loss=prior,
                                                                          chance=data.train.chance))
    return pd.concat(frames, ignore_index=True)


def _train_once(config: ClipConfig, data: TaskData, clip: float | None, report: Progress) -> pd.DataFrame:
    """One run from the seeded initial weights; clip=None trains without Algorithm 1."""
    model = build_model(ModelConfig(hidden_size=config.hidden_size, activation=config.activation, init="orthogonal",
                                    spectral_radius=config.spectral_norm, seed=config.seed), data.train.vocab)
    w_norm = torch.linalg.matrix_norm(model.core.cell().W_hh.double(), ord=2).item()
    tokens, ids = model.tokens_and_ids(data.train.inputs[0])
    initial_rate = backward_log_norms(model.core, model.embed(tokens, ids)[0])[2]
    applied: dict[int, float] = {}

    def measure(progress) -> None:  # after the optimizer step, .grad still holds the gradient it applied
        grads = [p.grad for p in model.parameters() if p.grad is not None]
        applied[progress.step] = torch.nn.utils.get_total_norm(grads).item()
        report(progress.step / config.steps)

    started = time.perf_counter()
    result = train(model, data, TrainConfig(steps=config.steps, batch_size=config.batch_size, optimizer="sgd",
                                            lr=config.lr, clip=clip, eval_every=config.steps, seed=config.seed),
                   on_progress=measure)
    report(1.0)
    h = result.history
    return h.assign(run="no clipping" if clip is None else f"clipped at θ = {clip:g}",
                    threshold=math.nan if clip is None else clip, applied_norm=h["step"].map(applied),
                    ended=result.reason, seconds=time.perf_counter() - started, activation=config.activation,
                    hidden_size=config.hidden_size, w_hh_norm=w_norm, lr=config.lr, batch_size=config.batch_size,
                    initial_rate=initial_rate)


FILES = {"sweep": "pascanu2013_sweep.csv", "clipping": "pascanu2013_clipping.csv"}


def write(out: Path) -> dict[str, pd.DataFrame]:
    """Recompute both tables with the default settings and save them as CSV under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    tables = {"sweep": sweep(), "clipping": clipping()}
    for name, table in tables.items():
        write_csv(table, out / FILES[name])
    return tables


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results"), help="folder for the CSV tables")
    args = parser.parse_args(argv)
    for name, table in write(args.out).items():
        print(f"{args.out / FILES[name]}: {len(table)} rows")


if __name__ == "__main__":
    main()
