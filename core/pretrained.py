"""The pretrained models shipped in models/, and Bengio et al.'s (2003) window sweep, made by one command.

    python -m core.pretrained              # every model (`make pretrained`): hours here, see the Makefile
    python -m core.pretrained --only window3-word             # one model again (its row is replaced)
    python -m core.pretrained --only elman-word --steps 50   # a short try of one recipe (nothing is written)

Each finished recipe's scores go to results/pretrained.csv (one row per recipe); its word-level rows are
Bengio et al.'s (2003) comparison that the Reproductions page shows.

Every model learns from the same Shakespeare split with the same vocabulary, optimiser and budget, so their
perplexities can be compared; each checkpoint records its recipe, timings and scores in its metadata.
"""

from __future__ import annotations

import argparse
import fcntl
import sys
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd
import torch

from . import checkpoint
from .data import build_vocab, encode, shakespeare
from .files import write_csv
from .models import build_model
from .models.config import ModelConfig
from .text import Vocab
from .training import StreamData, TrainConfig, evaluate, train

ROOT = Path(__file__).resolve().parents[1]
CORPUS_LABEL = "Shakespeare's plays"
WORD_VOCAB = 3000  # the most frequent words; the rest (about 9% of the running text) read as <unk>
CHAR_MIN_COUNT = 5  # characters rarer than this (stray symbols) read as <unk>
WORD = ModelConfig(tokenizer="word", embed_dim=64, hidden_size=128, seed=0)  # Bengio et al.'s comparison
# The shipped Elman, LSTM and GRU models, one recipe per tokenizer: stateful truncated BPTT (the state is carried
# from chunk to chunk of each stream, so the network learns to use more than one chunk of past), long chunks, a
# cosine learning-rate schedule, and the best validated weights kept. The LSTM starts with its forget gates open.
# The shipped word models are twice as wide as the comparison's and train 2,500 steps: with 128 units and 1,500
# steps the LSTM and GRU predicted no better than the Elman network (test perplexity 94.4 and 95.8 against 94.2).
SHIPPED_WORD = WORD.replace(embed_dim=128, hidden_size=256)
CHAR = ModelConfig(tokenizer="char", embed_dim=32, hidden_size=256, seed=0)
WORD_TRAIN = TrainConfig(steps=2500, batch_size=32, seq_len=128, optimizer="adam", lr=3e-3, lr_schedule="cosine",
                         clip=1.0, eval_every=250, patience=3, seed=0)
CHAR_TRAIN = TrainConfig(steps=8000, batch_size=64, seq_len=128, optimizer="adam", lr=3e-3, lr_schedule="cosine",
                         clip=1.0, eval_every=250, patience=3, seed=0)
FORGET_BIAS = 1.0  # the LSTM's b_f at the start (Jozefowicz et al. 2015)
# Bengio et al.'s (2003) comparison: every word model on one smaller, equal budget (the window models are slow).
BENGIO_TRAIN = TrainConfig(steps=1200, batch_size=32, seq_len=48, optimizer="adam", lr=3e-3, clip=1.0,
                           eval_every=300, seed=0)
BENGIO_WINDOWS = range(1, 7)  # the fixed-window model's n, against the recurrent models
RESULTS_CSV = ROOT / "results" / "pretrained.csv"
SNAPSHOTS = ROOT / ".snapshots"  # where an interrupted `make pretrained` resumes from (not shipped)
SNAPSHOT_EVERY = 100  # steps
QUICK_STEPS = 60  # the Bengio page's "retrain here": a rough table in about a minute


@dataclass(frozen=True)
class Recipe:
    name: str  # file stem under models/, and the sidebar's key
    model: ModelConfig
    train: TrainConfig
    shipped: bool = True  # False: trained only for the Bengio table, not written to models/
    bengio: bool = False  # one of the rows of Bengio et al.'s comparison (equal budget)
    forget_bias: float | None = None  # LSTM: b_f at the start; None = the uniform initialisation of every weight


def recipes() -> list[Recipe]:
    shipped = [Recipe(f"{arch}-{tok}", base.replace(arch=arch), cfg,
                      forget_bias=FORGET_BIAS if arch == "lstm" else None)
               for tok, base, cfg in (("word", SHIPPED_WORD, WORD_TRAIN), ("char", CHAR, CHAR_TRAIN))
               for arch in ("elman", "lstm", "gru")]
    shipped.append(Recipe("window-word", WORD.replace(arch="window", window=5), BENGIO_TRAIN, bengio=True))
    sweep = [Recipe(f"window{n}-word", WORD.replace(arch="window", window=n), BENGIO_TRAIN, shipped=False,
                    bengio=True) for n in BENGIO_WINDOWS if n != 5]
    sweep += [Recipe(f"{arch}-word-bengio", WORD.replace(arch=arch), BENGIO_TRAIN, shipped=False, bengio=True)
              for arch in ("elman", "lstm", "gru")]
    return shipped + sweep


@lru_cache(maxsize=2)
def corpus_ids(tokenizer: str) -> tuple[Vocab, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The vocabulary and the three splits as ids, shared by every model with this tokenizer."""
    corpus = shakespeare()
    if tokenizer == "word":
        vocab = build_vocab(corpus, "word", max_size=WORD_VOCAB)
    else:
        vocab = build_vocab(corpus, "char", max_size=None, min_count=CHAR_MIN_COUNT)
    return (vocab, *(encode(text, tokenizer, vocab) for text in (corpus.train, corpus.valid, corpus.test)))


def make(recipe: Recipe, steps: int | None = None, log=print, save: bool = True) -> dict:
    """Train one recipe and return its row of scores (the checkpoint's metadata holds the same).

    save=False, or a recipe that is not shipped, leaves models/ untouched (a quick run must not replace them).
    """
    vocab, train_ids, valid_ids, test_ids = corpus_ids(recipe.model.tokenizer)
    cfg = recipe.train if steps is None else replace(recipe.train, steps=steps)
    model = build_model(recipe.model, vocab)
    if recipe.forget_bias is not None:
        model.core.open_forget_gate(recipe.forget_bias)
    snapshot = SNAPSHOTS / f"{recipe.name}.pt"
    resume = torch.load(snapshot, weights_only=True) if save and steps is None and snapshot.exists() else None
    if resume is not None:
        log(f"  {recipe.name}: resuming from step {resume['log']['step']} ({snapshot})")
    started = time.perf_counter() - (resume["rows"][-1]["elapsed"] if resume else 0.0)

    def report(p) -> None:
        if p.step % 100 == 0:
            valid = f", valid ppl {p.valid_perplexity:.1f}" if p.valid_perplexity else ""
            log(f"  {recipe.name} step {p.step}/{p.steps}: train loss {p.train_loss:.3f}{valid} "
                f"({p.tokens_per_second:,.0f} tokens/s)")

    def keep(snap: dict) -> None:  # written, then renamed: a kill mid-write leaves the previous snapshot
        SNAPSHOTS.mkdir(exist_ok=True)
        torch.save(snap, snapshot.with_suffix(".tmp"))
        snapshot.with_suffix(".tmp").replace(snapshot)

    result = train(model, StreamData(train_ids, valid_ids), cfg, on_progress=report,
                   on_snapshot=keep if save and steps is None else None, snapshot_every=SNAPSHOT_EVERY, resume=resume)
    valid = evaluate(model, valid_ids, batch_size=cfg.batch_size, seq_len=cfg.seq_len)
    test = evaluate(model, test_ids, batch_size=cfg.batch_size, seq_len=cfg.seq_len)
    row = {"name": recipe.name, "arch": recipe.model.arch, "tokenizer": recipe.model.tokenizer,
           "window": None if recipe.model.is_recurrent else recipe.model.window,
           "parameters": sum(p.numel() for p in model.parameters()), "vocabulary": len(vocab),
           "valid_perplexity": valid.perplexity, "test_perplexity": test.perplexity,
           "steps": int(result.history["step"].max()), "best_step": result.best_step, "stopped": result.reason,
           "seconds": round(time.perf_counter() - started, 1), "tokens_per_second": round(result.tokens_per_second)}
    if recipe.shipped and save:
        meta = {**row, "corpus": CORPUS_LABEL, "train_config": cfg.to_dict(), "forget_bias": recipe.forget_bias,
                "command": "make pretrained"}
        (ROOT / "models").mkdir(exist_ok=True)
        checkpoint.save(model, ROOT / "models" / f"{recipe.name}.safetensors", meta)
    if save and steps is None:
        snapshot.unlink(missing_ok=True)
    log(f"{recipe.name}: valid perplexity {valid.perplexity:.1f}, test {test.perplexity:.1f}, "
        f"{row['parameters']:,} parameters, {row['seconds']} s")
    return row


def bengio_recipes() -> list[Recipe]:
    """The word-level models of Bengio et al.'s comparison: the window for every n, and the recurrent ones, all on
    the same budget."""
    return [r for r in recipes() if r.bengio]


def bengio_table(rows: list[dict] | pd.DataFrame) -> pd.DataFrame:
    """The word-level rows, in the order of the comparison (window n = 1..6, then Elman, LSTM, GRU)."""
    table = pd.DataFrame(rows)
    names = {r.name for r in recipes() if r.bengio}
    table = table[table["name"].isin(names)].drop(columns=["tokenizer"])
    order = table["arch"].map({"window": 0, "elman": 1, "lstm": 2, "gru": 3})
    return table.assign(_order=order).sort_values(["_order", "window"]).drop(columns="_order")


def record(row: dict) -> pd.DataFrame:
    """Put one recipe's scores into results/pretrained.csv, replacing its earlier row; rows in recipe order.

    Locked, so that runs of different recipes in parallel processes (--only) never lose each other's rows.
    """
    RESULTS_CSV.parent.mkdir(exist_ok=True)
    with open(RESULTS_CSV.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        old = pd.read_csv(RESULTS_CSV) if RESULTS_CSV.exists() else pd.DataFrame()
        if len(old):
            old = old[old["name"] != row["name"]]
        table = pd.concat([old, pd.DataFrame([row])], ignore_index=True)
        order = {r.name: i for i, r in enumerate(recipes())}
        table = table.sort_values("name", key=lambda names: names.map(order)).reset_index(drop=True)
        write_csv(table, RESULTS_CSV)
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="recipe names (default: all)")
    parser.add_argument("--steps", type=int, help="override every recipe's step budget (a short try: nothing is "
                                                  "written)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # one thread: the same sums in the same order anywhere, and 3x faster on a busy machine
    chosen = [r for r in recipes() if not args.only or r.name in args.only]
    if not chosen:
        parser.error(f"no recipe named {args.only}; choose from {', '.join(r.name for r in recipes())}")
    for recipe in chosen:
        row = make(recipe, args.steps, save=args.steps is None)  # a short try never replaces a model
        if args.steps is None:
            table = record(row)
    if args.steps is None:
        print(table.drop(columns=["tokenizer"]).to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
