"""Train: pick a model, data and the BPTT settings, watch it learn (and its gradients' reach change), stop it,
then use the result on every other page or download it. The run itself is explorer.train_runs, run by
explorer.jobs."""

from __future__ import annotations

import time

import streamlit as st

from core import ModelConfig
from core.checkpoint import CheckpointError
from core.data import UploadError, decode_text
from core.models.config import ACTIVATIONS, ARCH_NAMES, ARCHS, SHORT_ARCH_NAMES, TOKENIZERS
from core.training import OPTIMIZERS, TrainConfig

from .. import catalogue, charts, jobs, render, saved, settings, sidebar, state
from .. import train_runs as tr

S = settings.Setting
ARCH = S("tr.arch", "elman", kind="select", label="Architecture", options=ARCHS,
         names=ARCH_NAMES | {"window": f"{ARCH_NAMES['window']} (Bengio 2003)"})
TOKENS = S("tr.tok", "word", kind="radio", label="Tokens", options=TOKENIZERS)
HIDDEN = S("tr.hidden", 64, kind="select_slider", label="Hidden size H", options=(8, 16, 32, 64, 128, tr.MAX_HIDDEN))
LAYERS = S("tr.layers", 1, kind="slider", label="Layers", lo=1, hi=tr.MAX_LAYERS)
EMBED = S("tr.embed", 32, kind="select_slider", label="Embedding size d", options=(8, 16, 32, 64, 128))
ACT = S("tr.act", "tanh", kind="select", label="Activation f", options=ACTIVATIONS,
        help="tanh and relu train on torch's fused kernel; sigmoid and identity run the step-by-step loop, several "
             "times slower.")
WINDOW = S("tr.window", 5, kind="slider", label="Window n", lo=1, hi=10)
DATASET = S("tr.data", "shakespeare", kind="select", label="Train on", options=tuple(tr.DATASETS), names=tr.DATASETS)
LAG = S("tr.lag", 20, kind="slider", label="Lag: steps between the evidence and the answer", lo=1, hi=200,
        help="The cue task's distance from cue to question; the copy task's delay; the adding task's sequence length.")
VOCAB = S("tr.vocab", 4000, kind="number", label="Vocabulary: most frequent words kept", lo=100, hi=20000, step=500)
STEPS = S("tr.steps", 500, kind="number", label="Steps", lo=10, hi=tr.MAX_STEPS, step=100,
          help=f"Optimizer updates; a run also stops after {tr.MAX_SECONDS // 60} minutes.")
BATCH = S("tr.batch", 32, kind="number", label="Batch", lo=1, hi=256)
SEQ = S("tr.seq", 48, kind="number", label="Sequence length", lo=4, hi=512,
        help="Tokens per training sequence of a text (tasks bring their own length).")
TRUNCATE = S("tr.tbptt", 0, kind="number", label="Truncated BPTT chunk K (0 = full BPTT)", lo=0, hi=512,
             help="Each sequence is cut into chunks of K steps; the state crosses from one chunk to the next but no "
                  "gradient does, and the weights move after every chunk.")
OPTIMIZER = S("tr.opt", "adam", kind="select", label="Optimizer", options=OPTIMIZERS)
LR = S("tr.lr", 0.003, kind="number", label="Learning rate", lo=1e-5, hi=10.0)
CLIP = S("tr.clip", 1.0, kind="number", label="Clip ‖g‖ at θ (0 = off)", lo=0.0, hi=1000.0, step=0.5,
         help="Pascanu et al. (2013): when the gradient's norm exceeds θ, rescale it to θ.")
DECAY = S("tr.wd", 0.0, kind="number", label="Weight decay λ", lo=0.0, hi=1.0, step=1e-4,
          help="Adds λw to every gradient: pulls the weights, W_hh included, towards 0.")
PATIENCE = S("tr.patience", 0, kind="number", label="Early stopping patience (0 = off)", lo=0, hi=100,
             help="Stop after this many validations without improvement, keeping the best weights.")
SEED = S("tr.seed", 0, kind="number", label="Seed", lo=0, hi=2**31 - 1)
SETTINGS = (ARCH, TOKENS, HIDDEN, LAYERS, EMBED, ACT, WINDOW, DATASET, LAG, VOCAB, STEPS, BATCH, SEQ, TRUNCATE,
            OPTIMIZER, LR, CLIP, DECAY, PATIENCE, SEED)
JOB = "train.job"
REASONS = {"steps": "used all its steps", "time": f"reached the {tr.MAX_SECONDS // 60}-minute limit",
           "stopped": "was stopped", "early stopping": "stopped early (no better validation score)",
           "diverged": "diverged: the loss or gradient became inf or NaN; try a smaller learning rate or clipping"}


def model_controls() -> ModelConfig:
    st.markdown("**The network**")
    arch = settings.control(ARCH)
    tok = settings.control(TOKENS, horizontal=True)
    config = ModelConfig(arch=arch, tokenizer=tok, hidden_size=settings.control(HIDDEN),
                         embed_dim=settings.control(EMBED), init="orthogonal")
    if not config.is_recurrent:
        return config.replace(window=settings.control(WINDOW))
    layers = settings.control(LAYERS)
    if arch == "elman":
        config = config.replace(activation=settings.control(ACT))
    return config.replace(num_layers=layers)


def data_controls() -> tuple[str, str | None, str]:
    """The dataset, and the uploaded text and file name when that is the choice (None until a valid file)."""
    st.markdown("**The data**")
    dataset = settings.control(DATASET)
    upload, name = None, ""
    if dataset in tr.TASKS:
        settings.control(LAG)
    elif settings.get(TOKENS.key) == "word":
        settings.control(VOCAB)
    if dataset == "upload":
        file = st.file_uploader("A plain-text file (.txt)", type=["txt"],
                                help=f"At most {tr.MAX_UPLOAD_BYTES // 1_000_000} MB; UTF-8 is best.")
        if file is not None:
            try:
                decoded = decode_text(file.getvalue(), tr.MAX_UPLOAD_BYTES)
            except UploadError as err:
                render.failure(err)
            else:
                upload, name = decoded.text, file.name
                words = len(upload.split())
                st.caption(f"{words:,} word{'s' * (words != 1)} read as {decoded.encoding}. {decoded.note}".strip())
    return dataset, upload, name


def training_controls() -> TrainConfig:
    st.markdown("**Backpropagation through time**")
    steps = settings.control(STEPS)
    cols = st.columns(2)
    batch, seq = settings.control(BATCH, where=cols[0]), settings.control(SEQ, where=cols[1])
    k = settings.control(TRUNCATE)
    cols = st.columns(2)
    opt, lr = settings.control(OPTIMIZER, where=cols[0]), settings.control(LR, where=cols[1], format="%.4g")
    cols = st.columns(2)
    clip, wd = settings.control(CLIP, where=cols[0]), settings.control(DECAY, where=cols[1], format="%.4g")
    cols = st.columns(2)
    patience, seed = settings.control(PATIENCE, where=cols[0]), settings.control(SEED, where=cols[1])
    every = max(10, steps // 20)
    return TrainConfig(steps=steps, batch_size=batch, seq_len=seq, truncate=k or None, optimizer=opt, lr=lr,
                       clip=clip or None, weight_decay=wd, eval_every=every, patience=patience or None,
                       probe_every=max(every, steps // 8), seed=seed, max_seconds=tr.MAX_SECONDS)


def start(recipe: tr.Recipe, upload: str | None) -> jobs.Job | None:
    try:
        tr.check(recipe, upload)
    except ValueError as err:
        render.failure(err)
        return None
    m = recipe.model
    label = f"{ARCH.names[m.arch]} · {catalogue.TOKEN_NAMES[m.tokenizer]}, H = {m.hidden_size}, on " \
            f"{tr.DATASETS[recipe.dataset].split(':')[0]}"
    run = tr.Run(recipe, label, upload=upload)  # its job prepares the data: seconds for Shakespeare
    return jobs.submit(JOB, label, run.work, data=run)


def as_it_trains(run: tr.Run) -> None:
    """Redrawn every second under the progress bar while the run trains."""
    if run.save_error:
        st.warning(f"Training goes on, but {run.save_error}.", icon=":material/save:")
    curves(run)


def curves(run: tr.Run) -> None:
    frame = tr.history(run)
    if len(frame) > 1:
        render.chart(charts.training_curves(frame), frame, "training history", key="tr.history")
    if run.probes is not None and len(run.probes):
        render.chart(charts.probe_curves(run.probes), run.probes, "gradient reach during training", key="tr.probes")
        st.caption("Each curve is ‖∂L/∂h_s‖ for one fixed passage (the dancing passage for Shakespeare), measured "
                   "at one moment of training: watch whether learning lifts the far end of the curve.")


def finished(job: jobs.Job) -> None:
    run: tr.Run = job.data
    if jobs.said_why_not(job, "Training", "The run was stopped before it started."):
        return
    r = run.result
    st.success(f"The run {REASONS.get(r.reason, r.reason)}. {run.entry.summary}.", icon=":material/check_circle:")
    if run.save_error:
        st.warning(f"The model is usable in this session, but {run.save_error}. Download it to keep it.",
                   icon=":material/save:")
    else:
        st.caption(f"Saved on this machine as {run.path.name}: the list below offers it again after a restart.")
    state.remember(run.entry)
    left, right = st.columns(2)
    left.button("Use this model on every page", on_click=settings.put, args=("model", run.entry.key),
                icon=":material/arrow_forward:", type="primary",
                help="Selects it in the sidebar's Model box (only in your session).")
    right.download_button("Download the checkpoint (.safetensors)", run.checkpoint,
                          file_name=f"{run.entry.key}.safetensors", mime="application/octet-stream",
                          on_click="ignore", icon=":material/download:")
    curves(run)


def load_checkpoint() -> None:
    with st.expander("Load a model from a checkpoint file", icon=":material/upload_file:"):
        st.caption("A .safetensors file saved by this app. Only tensors and plain-text settings are read: nothing "
                   "in the file can run as code.")
        file = st.file_uploader("Checkpoint", type=["safetensors"], key="tr.upload_ckpt")
        if file is None:
            return
        try:
            ckpt = catalogue.register(file.getvalue())
        except CheckpointError as err:
            render.failure(err)
            return
        entry = catalogue.entry(ckpt, f"mine-{ckpt.digest[:10]}",
                                f"Yours: {SHORT_ARCH_NAMES[ckpt.model.config.arch]} from {file.name}")
        state.remember(entry)
        st.success(f"Loaded: {entry.summary}.", icon=":material/check_circle:")
        st.button("Use this model on every page", on_click=settings.put, args=("model", entry.key),
                  key="tr.use_uploaded", icon=":material/arrow_forward:")


def saved_models() -> None:
    """The models saved on this machine by any session (they keep across restarts); opening one adds it here."""
    found = saved.listing()
    with st.expander(f"Models saved on this machine ({len(found)})", icon=":material/inventory_2:"):
        st.caption(f"Every run is saved to {saved.folder()} while it trains, so a crash or a restart loses at "
                   "most the last few seconds. Every session can see this list; a model joins your sidebar only "
                   "when you open it.")
        for i, item in enumerate(found[:50]):
            left, right = st.columns([5, 1])
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(item.modified))
            label = catalogue.plain(str(item.meta.get("label", item.path.stem)))
            left.markdown(f"**{label}** · {when} · {catalogue.plain(item.status)}",
                          help=str(item.path))
            if not item.error and right.button("Open", key=f"tr.saved.{i}", icon=":material/folder_open:"):
                try:
                    entry = saved.open_saved(item.path)
                except (OSError, CheckpointError) as err:
                    render.failure(err)
                    continue
                state.remember(entry)
                settings.put(sidebar.MODEL, entry.key)
                st.success(f"Opened and selected in the sidebar: {entry.summary}.", icon=":material/check_circle:")


def main() -> None:
    render.page_style()
    st.title("Train a network")
    st.markdown(
        "Training unrolls the network over a stretch of text, adds up the loss of every prediction, and "
        "backpropagates through time to move W_hx, W_hh and W_zh a little. Truncated BPTT cuts long texts into "
        "chunks so each update is cheap, at the price of never seeing dependencies longer than a chunk; clipping "
        "keeps one exploding gradient from throwing the weights away."
    )
    job = jobs.get(JOB)
    busy = job is not None and job.running
    cols = st.columns(3, gap="large")
    with cols[0]:
        model = model_controls()
    with cols[1]:
        dataset, upload, upload_name = data_controls()
    with cols[2]:
        train_config = training_controls()
    recipe = tr.Recipe(model.replace(seed=train_config.seed), train_config, dataset, settings.bind(LAG),
                       settings.bind(VOCAB), upload_name)
    if st.button("Start training", type="primary", disabled=busy, icon=":material/play_arrow:",
                 help="Runs in the background: you can open other pages meanwhile." if not busy else
                 "A run is in progress: stop it first."):
        job = start(recipe, upload) or job
    if job is not None:
        st.subheader(job.label, anchor=False)
        if job.running:
            jobs.progress(job, "Stop training", also=lambda: as_it_trains(job.data), type="primary")
        else:
            finished(job)
    load_checkpoint()
    saved_models()

