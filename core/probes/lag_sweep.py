"""Lag sweep: how far back can each architecture carry a cue? Test accuracy on core.data.cue_task by lag.

Bengio, Simard & Frasconi (1994) showed that gradient descent finds it ever harder to learn a dependency as its
span grows; Hochreiter & Schmidhuber (1997) built the LSTM to bridge lags of 100 steps and more. Here every
(model, lag, seed) trains a fresh network with the same hidden size, optimiser, data and step budget (SweepConfig),
stops early once it answers every validation sequence (or stops improving), and is scored on fresh test sequences
drawn with another data seed.

Accuracy is read among the task's answers only (which homeland does the network rank highest?): on the balanced
test set a network that ignores the cue then scores exactly chance = 1/num_cues, trained or not.

The LSTM's forget gate decides how much of its cell survives a step. PyTorch's initialisation starts it near
σ(0) = 1/2, so at first the cell halves every step and the cue is gone long before the query; the 1997 LSTM had no
forget gate at all (the "constant error carousel" keeps the cell unchanged). VARIANTS trains both: "LSTM" with
b_f = 5 (σ = 0.993 kept per step, about half over 100 steps: close to the carousel), and "LSTM, default init".
In pilot runs (seed 0, 800 steps) b_f = 1, a common recommendation, did not learn lag 50, and b_f = 3 learned 50
but not 100.

`python -m core.probes.lag_sweep --out results/lag_sweep.csv` rewrites the cached table the pages show.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import torch

from ..data.synthetic import SequenceTask, cue_task
from ..files import write_csv
from ..models import build_model
from ..models.config import ModelConfig
from ..models.lm import LanguageModel
from ..training import Progress, TaskData, TrainConfig, evaluate, train

RESULTS = Path(__file__).resolve().parents[2] / "results" / "lag_sweep.csv"
LAGS = (5, 10, 20, 50, 100)
SEEDS = (0, 1, 2)
VALID_SEED, TEST_SEED = 10_000, 20_000  # added to the run's seed: validation and test never share a draw with training
COLUMNS = ["model", "arch", "forget_bias", "lag", "seed", "accuracy", "chance", "loss", "steps", "ended", "seconds",
           "hidden_size", "max_steps", "batch_size", "lr", "train_size"]
HELD = 0.95  # test accuracy that counts as carrying the cue
NEAR_CHANCE = 0.05  # within this of chance counts as guessing
ENDED = {"stopped": "solved", "early stopping": "no progress", "steps": "budget", "diverged": "diverged"}


@dataclass(frozen=True)
class Variant:
    """One curve of the sweep: an architecture and, for the LSTM, where its forget gate starts."""

    name: str  # the label in charts and tables
    arch: str  # elman | lstm | gru
    forget_bias: float | None = None  # LSTM: b_f at the start; None = the same initialisation as every other model


VARIANTS = (Variant("Elman", "elman"), Variant("LSTM", "lstm", 5.0), Variant("GRU", "gru"),
            Variant("LSTM, default init", "lstm"))
BY_NAME = {v.name: v for v in VARIANTS}


@dataclass(frozen=True)
class SweepConfig:
    """Everything but the model, the lag and the seed: the same for every run, so the curves compare."""

    hidden_size: int = 32  # H
    embed_dim: int = 16
    steps: int = 600  # the budget: at most this many Adam steps of batch_size sequences
    batch_size: int = 32
    lr: float = 1e-2
    clip: float = 1.0  # gradient-norm clipping (Pascanu et al. 2013), against the odd exploding step
    eval_every: int = 25  # validate this often; stop once every validation sequence is answered right
    patience: int | None = 10  # or after this many validations without a lower validation loss (None = never)
    train_size: int = 512  # sequences; the cue task repeats each filler sequence once per cue
    valid_size: int = 128
    test_size: int = 512
    num_cues: int = 4  # chance = 1 / num_cues
    num_fillers: int = 20

    def train_config(self, seed: int) -> TrainConfig:
        return TrainConfig(steps=self.steps, batch_size=self.batch_size, lr=self.lr, clip=self.clip,
                           eval_every=self.eval_every, patience=self.patience, seed=seed)


def tasks(lag: int, seed: int, config: SweepConfig = SweepConfig()) -> tuple[SequenceTask, SequenceTask, SequenceTask]:
    """Train, validation and test sequences for one run, each drawn with its own data seed."""
    return tuple(cue_task(lag, n, config.num_cues, config.num_fillers, seed=s) for n, s in
                 ((config.train_size, seed), (config.valid_size, VALID_SEED + seed),
                  (config.test_size, TEST_SEED + seed)))


def build(variant: Variant, seed: int, task: SequenceTask, config: SweepConfig = SweepConfig()) -> LanguageModel:
    """The untrained network of one run, over the task's vocabulary."""
    model = build_model(ModelConfig(arch=variant.arch, hidden_size=config.hidden_size, embed_dim=config.embed_dim,
                                    seed=seed), task.vocab)
    if variant.forget_bias is not None:
        model.core.open_forget_gate(variant.forget_bias)
    return model


def cue_accuracy(model: LanguageModel, task: SequenceTask) -> float:
    """Share of sequences whose right answer the model ranks highest among the task's possible answers."""
    mask = task.mask
    truth = task.targets[mask]  # (N,)
    answers = truth.unique()  # the homelands, sorted ids
    with torch.no_grad():
        logits, _ = model(task.inputs)  # (N, T, V)
    picked = answers[logits[mask][:, answers].argmax(-1)]  # (N,)
    return (picked == truth).double().mean().item()


def run(variant: Variant, lag: int, seed: int = 0, config: SweepConfig = SweepConfig(), *,
        on_progress: Callable[[Progress], None] | None = None) -> dict:
    """Train one network on the cue task at this lag and score it on the test sequences: one row of the sweep."""
    train_task, valid_task, test_task = tasks(lag, seed, config)
    model = build(variant, seed, train_task, config)
    solved = threading.Event()

    def progress(p: Progress) -> None:
        if p.valid_accuracy is not None and p.valid_accuracy >= 1.0:
            solved.set()  # train() stops before the next step
        if on_progress is not None:
            on_progress(p)

    start = time.perf_counter()
    result = train(model, TaskData(train_task, valid_task), config.train_config(seed), on_progress=progress,
                   stop=solved)
    accuracy = cue_accuracy(model, test_task)
    loss = evaluate(model, test_task, batch_size=config.batch_size).loss
    return {"model": variant.name, "arch": variant.arch, "forget_bias": variant.forget_bias, "lag": lag,
            "seed": seed, "accuracy": accuracy, "chance": test_task.chance, "loss": loss,
            "steps": int(result.history["step"].iloc[-1]), "ended": ENDED.get(result.reason, result.reason),
            "seconds": time.perf_counter() - start, "hidden_size": config.hidden_size, "max_steps": config.steps,
            "batch_size": config.batch_size, "lr": config.lr, "train_size": config.train_size}


def sweep(variants: Sequence[Variant] = VARIANTS, lags: Sequence[int] = LAGS, seeds: Sequence[int] = SEEDS,
          config: SweepConfig = SweepConfig(), *, on_row: Callable[[dict, float], None] | None = None) -> pd.DataFrame:
    """One row per (variant, lag, seed), in that order; on_row(row, share done) after each run."""
    jobs = [(v, lag, seed) for v in variants for lag in lags for seed in seeds]
    rows = []
    for i, job in enumerate(jobs, start=1):
        rows.append(run(*job, config))
        if on_row is not None:
            on_row(rows[-1], i / len(jobs))
    return pd.DataFrame(rows, columns=COLUMNS)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean test accuracy over seeds, one row per model and one column per lag."""
    return frame.pivot_table(index="model", columns="lag", values="accuracy", aggfunc="mean", sort=False)


def by_lag(frame: pd.DataFrame, by: str = "model", held: float = HELD) -> pd.DataFrame:
    """Test accuracy over seeds for each (`by`, lag), `by` in the table's order: mean, std (NaN for one seed),
    runs, and held: how many runs reached `held` (a mean hides whether every seed got there or a few did)."""
    g = frame.assign(held=frame["accuracy"] >= held).groupby([by, "lag"], sort=False)
    return pd.DataFrame({"mean": g["accuracy"].mean(), "std": g["accuracy"].std(), "runs": g.size(),
                         "held": g["held"].sum().astype(int)})


@dataclass(frozen=True)
class Reach:
    """How far back one model carried the cue, read from its mean accuracy over seeds at each lag."""

    model: str
    held_to: int  # the longest lag up to which every shorter lag tried was held (mean >= HELD); 0: not the shortest
    lost_from: int | None  # the shortest lag where the mean was within NEAR_CHANCE of chance (None: never)
    longest: int  # the longest lag tried

    @property
    def held_all(self) -> bool:
        return self.held_to == self.longest


def reaches(frame: pd.DataFrame, held: float = HELD, near_chance: float = NEAR_CHANCE) -> list[Reach]:
    """Per model, in the table's order: up to which lag it held the cue and from which lag it only guessed
    (chance: the table's mean chance)."""
    chance = frame["chance"].mean()
    out = []
    for model, row in summary(frame).iterrows():
        held_to = 0
        for lag, accuracy in row.items():
            if accuracy < held:
                break
            held_to = lag
        lost = [lag for lag, accuracy in row.items() if accuracy <= chance + near_chance]
        out.append(Reach(str(model), int(held_to), int(lost[0]) if lost else None, int(row.index[-1])))
    return out


def describe(frame: pd.DataFrame) -> str:
    """The setup behind a sweep table in one paragraph, read from the table itself."""
    c = frame.iloc[0]
    text = (f"{frame['seed'].nunique()} seed(s) per point; every network has H = {c.hidden_size} units and at most "
            f"{c.max_steps} Adam steps of {c.batch_size} sequences (learning rate {c.lr:g}, {c.train_size} training "
            "sequences), stopped early once it answered every validation sequence or when its validation loss stopped "
            "improving.")
    for (model, arch), g in frame.groupby(["model", "arch"], sort=False):
        if arch == "lstm":
            bias = g["forget_bias"].iloc[0]
            text += (f" “{model}” starts with PyTorch's initialisation (forget gate about σ(0) = 0.5)." if pd.isna(bias)
                     else f" “{model}” starts with forget-gate bias b_f = {bias:g}.")
    return text


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS, help="CSV to write")
    parser.add_argument("--lags", type=int, nargs="+", default=list(LAGS))
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # small batched ops: a second thread only contends for shared cores
    config = SweepConfig()
    print(f"Lag sweep: {asdict(config)}", flush=True)
    start = time.perf_counter()

    def report(row: dict, share: float) -> None:
        print(f"{share:6.1%}  {row['model']:<20} lag {row['lag']:>4}  seed {row['seed']}  accuracy "
              f"{row['accuracy']:.3f}  {row['ended']} after {row['steps']} steps, {row['seconds']:.1f} s", flush=True)

    frame = sweep(lags=args.lags, seeds=args.seeds, config=config, on_row=report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_csv(frame, args.out)
    print(summary(frame).to_string(float_format=lambda v: f"{v:.3f}"))
    print(f"{len(frame)} runs in {time.perf_counter() - start:.0f} s wall clock ({time.process_time():.0f} s of CPU); "
          f"wrote {args.out}")


if __name__ == "__main__":
    main()
