"""The model configuration shared by every page: drawn in the sidebar, kept in the session and the URL."""

from __future__ import annotations

import streamlit as st

from core import ModelConfig
from core.models.config import ACTIVATIONS, INITS

from . import catalogue, saved, settings, state

HIDDEN_SIZES = (2, 4, 8, 16, 32, 64, 128, 256)
DEFAULT = ModelConfig(hidden_size=32, spectral_radius=1.0)

ACTIVATION = settings.Setting("act", DEFAULT.activation, settings.choice(ACTIVATIONS))
HIDDEN = settings.Setting("hidden", DEFAULT.hidden_size, settings.choice(HIDDEN_SIZES))
INIT = settings.Setting("init", DEFAULT.init, settings.choice(INITS))
RADIUS = settings.Setting("rho", DEFAULT.spectral_radius, settings.number(0.0, 4.0))
SEED = settings.Setting("seed", DEFAULT.seed, settings.integer(0, 2**31 - 1))
TOKENIZER = settings.Setting("tok", DEFAULT.tokenizer, settings.choice(("word", "char")))
PRESENTER = settings.Setting("presenter", False, settings.flag)
MODEL_SETTINGS = (ACTIVATION, HIDDEN, INIT, RADIUS, SEED, TOKENIZER)
LINK_NOTE = ("The address bar holds these settings, the page's own and your text (when it is short enough): copy it "
             "to share this view. A model trained here reopens from a link while it is saved on this server; an "
             "uploaded one stays in this browser session.")

INIT_HELP = {
    "gaussian": "random N(0, 1/H) entries",
    "orthogonal": "a random rotation: every direction is stretched by the same factor",
    "identity": "ρ·I: each unit only feeds itself",
}


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
    return settings.Setting("model", default, settings.choice(options))


def untrained_config() -> ModelConfig:
    """The untrained network the controls below the model picker describe."""
    for s in MODEL_SETTINGS:
        settings.bind(s)
    return DEFAULT.replace(activation=settings.get("act"), hidden_size=settings.get("hidden"),
                           init=settings.get("init"), spectral_radius=float(settings.get("rho")),
                           seed=int(settings.get("seed")), tokenizer=settings.get("tok"))


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
        st.selectbox("Model", [*trained_models(), catalogue.UNTRAINED], format_func=_model_label,
                     key=settings.widget_key("model"), on_change=settings.on_change("model"),
                     help="A network trained on Shakespeare predicts sensible next words; an untrained one, "
                          "whose W_hh you set yourself, is the laboratory for vanishing and exploding gradients.")
        if current.weights:
            st.caption(trained_models()[settings.get("model")].summary)
        else:
            untrained_controls()
        st.divider()
        st.toggle("Presenter mode", key=settings.widget_key("presenter"), on_change=settings.on_change("presenter"),
                  help="Larger text and charts, for a projector.")
        st.caption(LINK_NOTE)
    return current


def untrained_controls() -> None:
    """The knobs of the untrained network: its activation, size and the scale of W_hh."""
    st.selectbox("Activation f", ACTIVATIONS, key=settings.widget_key("act"), on_change=settings.on_change("act"),
                 help="h_t = f(u_t). Its largest slope γ = sup f′ bounds how fast gradients can shrink: "
                      "γ = 1 for tanh and relu, 1/4 for sigmoid.")
    st.select_slider("Hidden size H", HIDDEN_SIZES, key=settings.widget_key("hidden"),
                     on_change=settings.on_change("hidden"), help="Number of units in h_t.")
    st.radio("W_hh starts as", INITS, key=settings.widget_key("init"), on_change=settings.on_change("init"),
             format_func=lambda s: f"{s}: {INIT_HELP[s]}", help="Then it is rescaled to the spectral radius below.")
    st.slider("Spectral radius ρ(W_hh)", 0.0, 4.0, step=0.05, key=settings.widget_key("rho"),
              on_change=settings.on_change("rho"),
              help="The largest |eigenvalue| of W_hh. Below 1 gradients fade with distance; well above 1 "
                   "they can explode. Elman only: an LSTM's or GRU's W_hh stacks its gates and has no eigenvalues.")
    st.number_input("Seed", 0, 2**31 - 1, step=1, key=settings.widget_key("seed"),
                    on_change=settings.on_change("seed"), help="Same seed, same weights: reset keeps it.")
    st.radio("Tokens", ("word", "char"), horizontal=True, key=settings.widget_key("tok"),
             on_change=settings.on_change("tok"), help="Words (with punctuation and 've as tokens) or characters.")
    st.button("Reset to defaults", on_click=_reset, help="Everything but the seed.", icon=":material/restart_alt:")


def presenter() -> bool:
    return bool(st.session_state.get("presenter", False))
