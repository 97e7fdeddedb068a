"""Train: pick a model, data and the BPTT settings, watch it learn (and its gradients' reach change), stop it,
then use the result on every other page or download it."""

import time

import streamlit as st

from core import ModelConfig
from core.checkpoint import CheckpointError
from core.data import UploadError, decode_text
from core.models.config import ACTIVATIONS
from core.training import OPTIMIZERS, TrainConfig
from explorer import catalogue, charts, render, saved, settings, state
from explorer import training as tr

ARCHS = {"elman": "Elman RNN", "lstm": "LSTM", "gru": "GRU", "window": "Fixed window (Bengio 2003)"}
S = settings.Setting
ARCH = S("tr.arch", "elman", settings.choice(tuple(ARCHS)))
TOKENS = S("tr.tok", "word", settings.choice(("word", "char")))
HIDDEN = S("tr.hidden", 64, settings.integer(2, tr.MAX_HIDDEN))
LAYERS = S("tr.layers", 1, settings.integer(1, tr.MAX_LAYERS))
EMBED = S("tr.embed", 32, settings.integer(2, 256))
ACT = S("tr.act", "tanh", settings.choice(ACTIVATIONS))
WINDOW = S("tr.window", 5, settings.integer(1, 10))
DATASET = S("tr.data", "shakespeare", settings.choice(tuple(tr.DATASETS)))
LAG = S("tr.lag", 20, settings.integer(1, 200))
VOCAB = S("tr.vocab", 4000, settings.integer(100, 20000))
STEPS = S("tr.steps", 500, settings.integer(10, tr.MAX_STEPS))
BATCH = S("tr.batch", 32, settings.integer(1, 256))
SEQ = S("tr.seq", 48, settings.integer(4, 512))
TRUNCATE = S("tr.tbptt", 0, settings.integer(0, 512))
OPTIMIZER = S("tr.opt", "adam", settings.choice(OPTIMIZERS))
LR = S("tr.lr", 0.003, settings.number(1e-5, 10.0))
CLIP = S("tr.clip", 1.0, settings.number(0.0, 1000.0))
DECAY = S("tr.wd", 0.0, settings.number(0.0, 1.0))
PATIENCE = S("tr.patience", 0, settings.integer(0, 100))
SEED = S("tr.seed", 0, settings.integer(0, 2**31 - 1))
JOB = "train.job"


def model_controls() -> ModelConfig:
    st.markdown("**The network**")
    arch = settings.widget(st.selectbox, "Architecture", ARCH, tuple(ARCHS), format_func=ARCHS.get)
    tok = settings.widget(st.radio, "Tokens", TOKENS, ("word", "char"), horizontal=True)
    hidden = settings.widget(st.select_slider, "Hidden size H", HIDDEN, (8, 16, 32, 64, 128, 256))
    embed = settings.widget(st.select_slider, "Embedding size d", EMBED, (8, 16, 32, 64, 128))
    config = ModelConfig(arch=arch, tokenizer=tok, hidden_size=hidden, embed_dim=embed, init="orthogonal")
    if arch == "window":
        return config.replace(window=settings.widget(st.slider, "Window n", WINDOW, 1, 10))
    layers = settings.widget(st.slider, "Layers", LAYERS, 1, tr.MAX_LAYERS)
    if arch == "elman":
        act = settings.widget(st.selectbox, "Activation f", ACT, ACTIVATIONS,
                              help="tanh and relu train on torch's fused kernel; sigmoid and identity run the "
                                   "step-by-step loop, several times slower.")
        config = config.replace(activation=act)
    return config.replace(num_layers=layers)


def data_controls() -> tuple[str, str | None, str]:
    """The dataset, and the uploaded text and file name when that is the choice (None until a valid file)."""
    st.markdown("**The data**")
    dataset = settings.widget(st.selectbox, "Train on", DATASET, tuple(tr.DATASETS), format_func=tr.DATASETS.get)
    upload, name = None, ""
    if dataset in tr.TASKS:
        settings.widget(st.slider, "Lag: steps between the evidence and the answer", LAG, 1, 200,
                        help="The cue task's distance from cue to question; the copy task's delay; the adding "
                             "task's sequence length.")
    elif settings.get(TOKENS.key) == "word":
        settings.widget(st.number_input, "Vocabulary: most frequent words kept", VOCAB, 100, 20000, step=500)
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
    steps = settings.widget(st.number_input, "Steps", STEPS, 10, tr.MAX_STEPS, step=100,
                            help=f"Optimizer updates; a run also stops after {tr.MAX_SECONDS // 60} minutes.")
    cols = st.columns(2)
    batch = settings.widget(cols[0].number_input, "Batch", BATCH, 1, 256)
    seq = settings.widget(cols[1].number_input, "Sequence length", SEQ, 4, 512,
                          help="Tokens per training sequence of a text (tasks bring their own length).")
    k = settings.widget(st.number_input, "Truncated BPTT chunk K (0 = full BPTT)", TRUNCATE, 0, 512,
                        help="Each sequence is cut into chunks of K steps; the state crosses from one chunk to the "
                             "next but no gradient does, and the weights move after every chunk.")
    cols = st.columns(2)
    opt = settings.widget(cols[0].selectbox, "Optimizer", OPTIMIZER, OPTIMIZERS)
    lr = settings.widget(cols[1].number_input, "Learning rate", LR, 1e-5, 10.0, format="%.4g")
    cols = st.columns(2)
    clip = settings.widget(cols[0].number_input, "Clip ‖g‖ at θ (0 = off)", CLIP, 0.0, 1000.0, step=0.5,
                           help="Pascanu et al. (2013): when the gradient's norm exceeds θ, rescale it to θ.")
    wd = settings.widget(cols[1].number_input, "Weight decay λ", DECAY, 0.0, 1.0, step=1e-4, format="%.4g",
                         help="Adds λw to every gradient: pulls the weights, W_hh included, towards 0.")
    cols = st.columns(2)
    patience = settings.widget(cols[0].number_input, "Early stopping patience (0 = off)", PATIENCE, 0, 100,
                               help="Stop after this many validations without improvement, keeping the best weights.")
    seed = settings.widget(cols[1].number_input, "Seed", SEED, 0, 2**31 - 1)
    every = max(10, steps // 20)
    return TrainConfig(steps=steps, batch_size=batch, seq_len=seq, truncate=k or None, optimizer=opt, lr=lr,
                       clip=clip or None, weight_decay=wd, eval_every=every, patience=patience or None,
                       probe_every=max(every, steps // 8), seed=seed, max_seconds=tr.MAX_SECONDS)


def start(recipe: tr.Recipe, upload: str | None) -> None:
    try:
        prepared = tr.prepare(recipe, upload)
    except ValueError as err:
        render.failure(err)
        return
    m = recipe.model
    label = f"{ARCHS[m.arch]} · {catalogue.TOKEN_NAMES[m.tokenizer]}, H = {m.hidden_size}, on " \
            f"{tr.DATASETS[recipe.dataset].split(':')[0]}"
    st.session_state[JOB] = tr.Job(recipe, label, prepared).start()


@st.fragment(run_every=1.0)
def live(job: tr.Job) -> None:
    """Redrawn every second while the run trains; one last full rerun when it ends shows what to do next."""
    p = job.progress
    if job.waiting:
        st.info("Waiting for a free core: other runs are training on this machine.", icon=":material/hourglass_top:")
    elif p is not None:
        metric = (f"validation perplexity {p.valid_perplexity:.1f}" if p.valid_perplexity is not None else
                  f"validation accuracy {p.valid_accuracy:.0%}" if p.valid_accuracy is not None else "")
        st.progress(min(1.0, p.step / p.steps),
                    text=f"Step {p.step:,} of {p.steps:,} · loss {p.train_loss:.3f} · {metric} · "
                         f"{p.tokens_per_second:,.0f} tokens/s · {p.elapsed:.0f} s")
    if job.save_error:
        st.warning(f"Training goes on, but {job.save_error}.", icon=":material/save:")
    if job.running:
        st.button("Stop training", on_click=job.stop.set, icon=":material/stop_circle:", type="primary")
    curves(job)
    if not job.running and st.session_state.get(JOB + ".drawn_live"):
        st.session_state.pop(JOB + ".drawn_live")
        st.rerun()
    st.session_state[JOB + ".drawn_live"] = job.running


def curves(job: tr.Job) -> None:
    frame = tr.history(job)
    if len(frame) > 1:
        render.chart(charts.training_curves(frame), frame, "training history", key="tr.history")
    if job.probes is not None and len(job.probes):
        render.chart(charts.probe_curves(job.probes), job.probes, "gradient reach during training", key="tr.probes")
        st.caption("Each curve is ‖∂L/∂h_s‖ for one fixed passage (the dancing passage for Shakespeare), measured "
                   "at one moment of training: watch whether learning lifts the far end of the curve.")


def finished(job: tr.Job) -> None:
    if job.error:
        st.error(f"Training failed: {job.error}", icon=":material/error:")
        return
    r = job.result
    reasons = {"steps": "used all its steps", "time": f"reached the {tr.MAX_SECONDS // 60}-minute limit",
               "stopped": "was stopped", "early stopping": "stopped early (no better validation score)",
               "diverged": "diverged: the loss or gradient became inf or NaN; try a smaller learning rate or clipping"}
    st.success(f"The run {reasons.get(r.reason, r.reason)}. {job.entry.summary}.", icon=":material/check_circle:")
    if job.save_error:
        st.warning(f"The model is usable in this session, but {job.save_error}. Download it to keep it.",
                   icon=":material/save:")
    else:
        st.caption(f"Saved on this machine as {job.path.name}: the list below offers it again after a restart.")
    state.remember(job.entry)
    left, right = st.columns(2)
    left.button("Use this model on every page", on_click=settings.put, args=("model", job.entry.key),
                icon=":material/arrow_forward:", type="primary",
                help="Selects it in the sidebar's Model box (only in your session).")
    right.download_button("Download the checkpoint (.safetensors)", job.checkpoint,
                          file_name=f"{job.entry.key}.safetensors", mime="application/octet-stream",
                          on_click="ignore", icon=":material/download:")
    curves(job)


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
                                f"Yours: {catalogue.ARCH_NAMES[ckpt.model.config.arch]} from {file.name}")
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
                settings.put("model", entry.key)
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
    job: tr.Job | None = st.session_state.get(JOB)
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
        start(recipe, upload)
        job = st.session_state.get(JOB)
    if job is not None:
        st.subheader(job.label, anchor=False)
        if job.running:
            live(job)
        else:
            finished(job)
    load_checkpoint()
    saved_models()


main()
