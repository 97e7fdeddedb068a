"""The model configuration shared by every page: drawn in the sidebar, kept in the session and the URL."""

from __future__ import annotations

import streamlit as st

from core import ModelConfig
from core.models.config import ACTIVATIONS, INITS

from . import catalogue, saved, settings, state

HIDDEN_SIZES = (2, 4, 8, 16, 32, 64, 128, 256)
DEFAULT = ModelConfig(hidden_size=32, spectral_radius=1.0)
INIT_HELP = {
    "gaussian": "random N(0, 1/H) entries",
    "orthogonal": "a random rotation: every direction is stretched by the same factor",
    "identity": "ρ·I: each unit only feeds itself",
}
MODEL = settings.Setting(
    "model", catalogue.DEFAULT, kind="select", label="Model",
    help="A network trained on Shakespeare predicts sensible next words; an untrained one, whose W_hh you set "
         "yourself, is the laboratory for vanishing and exploding gradients.")  # options: built per run
ACTIVATION = settings.Setting(
    "act", DEFAULT.activation, kind="select", label="Activation f", options=ACTIVATIONS,
    help="h_t = f(u_t). Its largest slope γ = sup f′ bounds how fast gradients can shrink: γ = 1 for tanh and "
         "relu, 1/4 for sigmoid.")
HIDDEN = settings.Setting("hidden", DEFAULT.hidden_size, kind="select_slider", label="Hidden size H",
                          options=HIDDEN_SIZES, help="Number of units in h_t.")
INIT = settings.Setting("init", DEFAULT.init, kind="radio", label="W_hh starts as", options=INITS,
                        names=lambda s: f"{s}: {INIT_HELP[s]}",
                        help="Then it is rescaled to the spectral radius below.")
RADIUS = settings.Setting(
    "rho", DEFAULT.spectral_radius, kind="slider", label="Spectral radius ρ(W_hh)", lo=0.0, hi=4.0, step=0.05,
    help="The largest |eigenvalue| of W_hh. Below 1 gradients fade with distance; well above 1 they can explode. "
         "Elman only: an LSTM's or GRU's W_hh stacks its gates and has no eigenvalues.")
SEED = settings.Setting("seed", DEFAULT.seed, kind="number", label="Seed", lo=0, hi=2**31 - 1, step=1,
                        help="Same seed, same weights: reset keeps it.")
TOKENIZER = settings.Setting("tok", DEFAULT.tokenizer, kind="radio", label="Tokens", options=("word", "char"),
                             help="Words (with punctuation and 've as tokens) or characters.")
PRESENTER = settings.Setting("presenter", False, kind="toggle", label="Presenter mode",
                             help="Larger text and charts, for a projector.")
MODEL_SETTINGS = (ACTIVATION, HIDDEN, INIT, RADIUS, SEED, TOKENIZER)
LINK_NOTE = ("The address bar holds these settings, the page's own and your text (when it is short enough): copy it "
             "to share this view. A model trained here reopens from a link while it is saved on this server; an "
             "uploaded one stays in this browser session.")


def _reset() -> None:
    for s in MODEL_SETTINGS:
        if s is not SEED:  # reset keeps the seed, so the same network comes back
            settings.put(s.key, s.default)


def trained_models() -> dict[str, catalogue.Entry]:
    """Every trained model this session may pick: the shipped ones, then its own."""
    return state.pretrained() | state.my_models()


def _open_linked_model() -> None:
    """A link naming a model trained in the browser opens it from the server's saved models, in any session: the
    link carries its name, the file on this server carries its weights."""
    key = st.query_params.get("model")
    if "model" in st.session_state or not key or not key.startswith("mine-") or key in state.my_models():
        return
    entry = saved.find(key)
    if entry is not None:
        state.remember(entry)


def _model_setting() -> settings.Setting:
    """Which network the pages show; the options include this session's own models, so it is built per run."""
    _open_linked_model()
    options = [*trained_models(), catalogue.UNTRAINED]
    shipped = state.pretrained()
    default = catalogue.DEFAULT if catalogue.DEFAULT in shipped else next(iter(shipped), catalogue.UNTRAINED)
    return MODEL.with_options(options, default)


def untrained_config() -> ModelConfig:
    """The untrained network the controls below the model picker describe."""
    for s in MODEL_SETTINGS:
        settings.bind(s)
    return DEFAULT.replace(activation=settings.get(ACTIVATION), hidden_size=settings.get(HIDDEN),
                           init=settings.get(INIT), spectral_radius=float(settings.get(RADIUS)),
                           seed=int(settings.get(SEED)), tokenizer=settings.get(TOKENIZER))


def config() -> ModelConfig:
    """The configuration the sidebar describes (pages call this; app.py draws the widgets)."""
    settings.bind(PRESENTER)
    key = settings.bind(_model_setting())
    entry = trained_models().get(key)
    if entry is None:  # untrained, or a model of this session that is gone
        return untrained_config()
    return entry.config


def sibling(config: ModelConfig, arch: str) -> ModelConfig:
    """The network of another architecture to set beside this one (see catalogue.sibling)."""
    return catalogue.sibling(state.pretrained(), config, arch)


def label_of(config: ModelConfig) -> str:
    """The sidebar's name for a trained configuration (the session's own models included)."""
    for e in trained_models().values():
        if e.config == config:
            return e.label
    return "untrained"


def describe(config: ModelConfig) -> str:
    """'trained' or 'untrained', for captions that must say which weights a chart shows."""
    return "trained" if config.weights else "untrained"


def _model_label(key: str) -> str:
    entry = trained_models().get(key)
    return "Untrained (set it up below)" if entry is None else entry.label


def render() -> ModelConfig:
    """Draw the controls and return the configuration they describe."""
    current = config()
    with st.sidebar:
        st.subheader("The network", anchor=False)
        settings.control(_model_setting(), format_func=_model_label)
        if current.weights:
            st.caption(trained_models()[settings.get(MODEL)].summary)
        else:
            untrained_controls()
        st.divider()
        settings.control(PRESENTER)
        st.caption(LINK_NOTE)
    return current


def untrained_controls() -> None:
    """The knobs of the untrained network: its activation, size and the scale of W_hh."""
    for s in MODEL_SETTINGS:
        settings.control(s, **({"horizontal": True} if s is TOKENIZER else {}))
    st.button("Reset to defaults", on_click=_reset, help="Everything but the seed.", icon=":material/restart_alt:")


def presenter() -> bool:
    return bool(st.session_state.get("presenter", False))
