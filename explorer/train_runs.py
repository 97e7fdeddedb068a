"""Training runs started from the browser: the recipe the Train page builds, its data, and the run itself, which
explorer.jobs executes in the background so the page keeps redrawing (and every other page keeps working) while
the network learns. (core.training is the training loop; this module is what one browser run adds to it.)

The run owns its model until it ends; then the weights become a checkpoint, registered under its digest
and listed in this session only. No other session's view changes, and the shared cached models are never
touched. At most jobs.MAX_CONCURRENT jobs compute at once; later ones wait their turn. While it trains, and
when it ends, the run is also saved to disk (explorer.saved, atomically), so a killed server loses nothing.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import torch

from core import LanguageModel, ModelConfig, build_model, checkpoint, lecture
from core.data import CORPORA, adding_task, build_vocab, copy_task, cue_task, encode, from_text
from core.text import Vocab
from core.training import Progress, StreamData, TaskData, TrainConfig, TrainResult, train

from . import catalogue, jobs, saved

MAX_STEPS = 5000  # optimizer steps in one run
MAX_SECONDS = 600  # wall time of one run
MAX_HIDDEN = 256
MAX_LAYERS = 3
MAX_UPLOAD_BYTES = 2_000_000  # a 2 MB text is ~350k words: plenty for a few minutes of training
TASK_TRAIN, TASK_VALID = 2048, 512  # sequences generated for a synthetic task

DATASETS = {
    "shakespeare": "Shakespeare's plays",
    "elman-grammar": "Elman's simple sentences (1990)",
    "upload": "Your own text file",
    "cue": "Cue task: a word decides another, lag steps later",
    "copy": "Copy task: repeat 5 symbols after a delay",
    "adding": "Adding task: the sum of two marked digits",
}
TASKS = ("cue", "copy", "adding")


@dataclass(frozen=True)
class Recipe:
    """What the user asked for: a model, a dataset and how to train."""

    model: ModelConfig
    train: TrainConfig
    dataset: str  # a key of DATASETS
    lag: int = 20  # for the synthetic tasks: the distance the evidence must be carried
    vocab_size: int = 4000  # words kept (word models on text); characters keep all that occur twice
    upload_name: str = ""


@dataclass
class Prepared:
    vocab: Vocab
    data: StreamData | TaskData
    probe: tuple  # (ids or text, target) for the gradient-against-distance curve
    description: str


def _text_data(corpus, recipe: Recipe) -> Prepared:
    tok = recipe.model.tokenizer
    vocab = build_vocab(corpus, tok, max_size=recipe.vocab_size if tok == "word" else None,
                        min_count=1 if tok == "word" else 2)
    data = StreamData(encode(corpus.train, tok, vocab), encode(corpus.valid, tok, vocab))
    probe_text = lecture.DANCING if recipe.dataset == "shakespeare" else corpus.valid[:400]
    return Prepared(vocab, data, (probe_text, -1), corpus.description)


def _task_data(recipe: Recipe) -> Prepared:
    make = {"cue": lambda n, s: cue_task(recipe.lag, n, seed=s),
            "copy": lambda n, s: copy_task(delay=recipe.lag, n=n, seed=s),
            "adding": lambda n, s: adding_task(recipe.lag, n, seed=s)}[recipe.dataset]
    seed = recipe.train.seed
    train_task, valid_task = make(TASK_TRAIN, seed), make(TASK_VALID, seed + 1)
    # The probe: one validation sequence up to its first scored output, with that output's answer appended,
    # so "predict the answer" is the last word and the gradient runs back over the whole gap.
    t = int(valid_task.mask[0].nonzero()[0])
    ids = torch.cat([valid_task.inputs[0, : t + 1], valid_task.targets[0, t : t + 1]])
    return Prepared(train_task.vocab, TaskData(train_task, valid_task), (ids, t + 1), train_task.description)


def check(recipe: Recipe, upload: str | None = None) -> None:
    """Raise ValueError with a reason the user can act on, before anything is prepared."""
    if recipe.dataset == "upload" and not upload:
        raise ValueError("Choose a .txt file to train on first.")


def prepare(recipe: Recipe, upload: str | None = None) -> Prepared:
    """Vocabulary, data and probe for a recipe: seconds for Shakespeare's words, so a run does it in its job."""
    check(recipe, upload)
    if recipe.dataset in TASKS:
        return _task_data(recipe)
    if recipe.dataset == "upload":
        return _text_data(from_text(upload, recipe.upload_name or "your text"), recipe)
    return _text_data(CORPORA[recipe.dataset](), recipe)


@dataclass
class Run:
    """One training run and what the page shows about it while it trains (the job's data); only the job's thread
    writes to it. `work` is what explorer.jobs runs."""

    recipe: Recipe
    label: str
    prepared: Prepared | None = None  # made by the work, unless given
    upload: str | None = field(default=None, repr=False)  # the text of an uploaded file, for prepare
    rows: list[dict] = field(default_factory=list)  # one per step, from the progress reports
    probes: pd.DataFrame | None = None
    result: TrainResult | None = None
    entry: catalogue.Entry | None = None
    checkpoint: bytes | None = None
    started: float = field(default_factory=time.time)
    path: Path = field(default_factory=saved.new_path)  # where the run is saved as it trains
    save_error: str | None = None  # why the last save failed (a full or read-only disk): training goes on
    _model: LanguageModel | None = field(default=None, repr=False)
    _saved_at: float = 0.0

    def _report(self, job: jobs.Job, p: Progress) -> None:
        """Called by train() between steps, in the job's thread: the model is between two updates."""
        metric = (f" · validation perplexity {p.valid_perplexity:.1f}" if p.valid_perplexity is not None else
                  f" · validation accuracy {p.valid_accuracy:.0%}" if p.valid_accuracy is not None else "")
        job.report(p.step / p.steps, f"step {p.step:,} of {p.steps:,} · loss {p.train_loss:.3f}{metric} · "
                                     f"{p.tokens_per_second:,.0f} tokens/s")
        if time.time() - self._saved_at >= saved.SAVE_EVERY_SECONDS:
            self._save(checkpoint.to_bytes(self._model, self.metadata(p.step, "interrupted", p, complete=False)))
        self.rows.append({"step": p.step, "train_loss": p.train_loss, "valid_loss": p.valid_loss,
                          "valid_perplexity": p.valid_perplexity, "valid_accuracy": p.valid_accuracy,
                          "grad_norm": p.grad_norm, "clipped": p.clipped})
        if p.probes:
            self.probes = pd.concat(p.probes, ignore_index=True)

    def work(self, job: jobs.Job) -> TrainResult:
        """Prepare the data, train, save and register the model; Stop ends the run after its current step, keeping
        what it learned."""
        if self.prepared is None:
            job.report(0.0, "reading and tokenising the data")
            self.prepared = prepare(self.recipe, self.upload)
            job.check()
        job.report(0.0, "scoring the untrained network first (validation and gradient probe at step 0)")
        model = self._model = build_model(self.recipe.model, self.prepared.vocab)
        model.requires_grad_(True)
        self._saved_at = time.time()  # the first save comes after some training
        self.result = train(model, self.prepared.data, self.recipe.train, on_progress=lambda p: self._report(job, p),
                            stop=job.stop, probe=self.prepared.probe)
        self.probes = self.result.probes
        history = self.result.history
        self.checkpoint = checkpoint.to_bytes(model, self.metadata(
            int(history["step"].max()), self.result.reason, history, complete=True))
        self._save(self.checkpoint)
        ckpt = catalogue.register(self.checkpoint)
        self.entry = catalogue.entry(ckpt, f"mine-{ckpt.digest[:10]}", f"Yours: {self.label}")
        return self.result

    def _save(self, data: bytes) -> None:
        try:
            saved.save(data, self.path)
        except OSError as err:
            self.save_error = f"could not save to {self.path.parent}: {err.strerror or err}"
        else:
            self.save_error = None
        self._saved_at = time.time()

    def metadata(self, steps: int, reason: str, scores: Progress | pd.DataFrame, complete: bool) -> dict:
        """What the checkpoint records besides its weights: the data, the settings, how far it got and how well.

        scores: the live Progress (mid-run saves) or the finished history (its last validation is used).
        """
        if isinstance(scores, pd.DataFrame):
            valid = scores.dropna(subset=["valid_loss"])
            scores = valid.iloc[-1].to_dict() if len(valid) else {}
        else:
            scores = {"valid_perplexity": scores.valid_perplexity, "valid_accuracy": scores.valid_accuracy}
        meta = {"label": self.label,
                "corpus": DATASETS[self.recipe.dataset] if self.recipe.dataset != "upload"
                else f"your file {self.recipe.upload_name}",
                "train_config": self.recipe.train.to_dict(), "steps": steps, "stopped": reason, "complete": complete,
                "seconds": round(time.time() - self.started, 1)}
        for key in ("valid_perplexity", "valid_accuracy"):
            value = scores.get(key)
            if value is not None and not math.isnan(value):
                meta[key] = float(value)
        return meta


def history(run: Run) -> pd.DataFrame:
    """The finished run's exact history, or the live one rebuilt from the progress reports."""
    if run.result is not None:
        return run.result.history
    frame = pd.DataFrame(run.rows)
    if len(frame):  # a validation is a point where its loss changes, not every report after it
        frame.loc[frame["valid_loss"].eq(frame["valid_loss"].shift()), ["valid_loss", "valid_perplexity",
                                                                          "valid_accuracy"]] = math.nan
    return frame.dropna(axis=1, how="all")
