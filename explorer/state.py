"""The one place for Streamlit caching: models are shared read-only, traces and gradients are memoised.

st.cache_resource hands the same model object to every session, so it is frozen (no gradients on its
parameters, eval mode) and nothing here mutates it; st.cache_data returns a fresh copy per call.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import streamlit as st
import torch

import core
from core import ModelConfig
from core.gradients import (
    bptt_by_hand,
    jacobian_log_norms,
    row_log_norms,
    safe_norm,
    spectrum,
    step_factors,
    target_gradients,
    w_hh_contributions,
    w_hh_gradient,
)
from core.models import scale_w_hh

from . import catalogue

# One intra-op thread: Streamlit runs every session's script in its own thread, and torch's two-thread
# pool then contends for the same cores; small batched ops slowed 30x under load with two threads.
torch.set_num_threads(1)

MY_MODELS = "my_models"
MAX_TOKENS = 2000  # every token is one more step in each chart; the all-pairs map grows with its square
MAX_MAP_TOKENS = 400  # the T x T map: a few seconds at H = 256 here; beyond, it would stall the page
SPECTRAL_WORK = 4e9  # T^2 H^3: one product and one SVD per pair, a few seconds here at this size


def spectral_map_ok(T: int, H: int) -> bool:
    """Whether the exact spectral map finishes in a few seconds (the dancing passage up to H = 64)."""
    return T * T * H**3 <= SPECTRAL_WORK and T <= MAX_MAP_TOKENS


@st.cache_resource(show_spinner=False)
def pretrained() -> dict[str, catalogue.Entry]:
    """The models shipped in models/, read once per server."""
    return catalogue.scan()


def my_models() -> dict[str, catalogue.Entry]:
    """Models trained or uploaded in this browser session (no other session lists them)."""
    return st.session_state.setdefault(MY_MODELS, {})


def remember(entry: catalogue.Entry) -> None:
    my_models()[entry.key] = entry


@st.cache_resource(max_entries=48, show_spinner=False)
def get_model(config: ModelConfig) -> core.LanguageModel:
    """The untrained network the config describes, or the trained one its `weights` digest names.

    Shared by every session, so it is frozen here and nothing mutates it afterwards.
    """
    if config.weights:
        model = scale_w_hh(copy.deepcopy(catalogue.load(config.weights)), config.w_hh_scale)
        model.config = config
    else:
        model = core.build_model(config)
    model.requires_grad_(False)
    return model.eval()


@st.cache_data(max_entries=128, show_spinner=False)
def get_trace(config: ModelConfig, text: str) -> core.Trace:
    return core.unroll(get_model(config), text)


@st.cache_data(max_entries=128, show_spinner=False)
def get_gradients(config: ModelConfig, text: str, target: int, wrt: str = "hidden", quantity: str = "loss",
                  word: str | None = None, truncate: int | None = None) -> pd.DataFrame:
    return core.gradient_vs_distance(get_model(config), text, target=target, wrt=wrt, quantity=quantity, word=word,
                                     truncate=truncate)


@st.cache_data(max_entries=64, show_spinner=False)
def get_w_hh_contributions(config: ModelConfig, text: str, target: int,
                           truncate: int | None = None) -> tuple[pd.DataFrame, float]:
    """Each step's share of dL/dW_hh, and ||dL/dW_hh||_F (the norm clipping compares), from one backward pass."""
    g = target_gradients(get_model(config), text, target=target, truncate=truncate)
    return w_hh_contributions(g), float(safe_norm(w_hh_gradient(g), dim=(-2, -1)))


def map_frame(log_norms: np.ndarray, tokens) -> pd.DataFrame:
    """The T x T map as a tidy table for CSV: one row per pair s <= t."""
    t, s = np.tril_indices(len(tokens))
    return pd.DataFrame({"t": t, "token_t": [tokens[i] for i in t], "s": s, "token_s": [tokens[i] for i in s],
                         "norm": np.exp(log_norms[t, s]), "log10_norm": log_norms[t, s] / np.log(10)})


@st.cache_data(max_entries=64, show_spinner=False)
def get_jacobian_map(config: ModelConfig, text: str, ord: str = "fro", layer: int = 0,
                     direction: int = 0) -> np.ndarray:
    """(T, T) natural-log norms ||dh_t/dh_s||. float32 products keep about five digits and halve the time."""
    model = get_model(config)
    steps = step_factors(model.core, get_trace(config, text).x, layer=layer, direction=direction,
                         dtype=torch.float32 if ord == "fro" else torch.float64)
    out = jacobian_log_norms(steps, 2 if ord == "2" else "fro")
    return (out.flip(0, 1) if direction == 1 else out).numpy()


@st.cache_data(max_entries=64, show_spinner=False)
def get_jacobian_row(config: ModelConfig, text: str, target: int, layer: int = 0) -> pd.DataFrame:
    """||dh_{t-1}/dh_s||_F for the state that predicts the target (t = target), against k = target - s."""
    model = get_model(config)
    trace = get_trace(config, text)
    logs = row_log_norms(step_factors(model.core, trace.x, layer=layer), target - 1)
    return pd.DataFrame({"position": range(target), "token": trace.tokens[:target],
                         "distance": range(target, 0, -1), "log10_norm": (logs / np.log(10)).numpy()})


@st.cache_data(max_entries=64, show_spinner=False)
def get_spectrum(config: ModelConfig, layer: int = 0, direction: int = 0) -> core.gradients.Spectrum:
    model = get_model(config)
    return spectrum(model.core.cell(layer, direction).W_hh, config.activation)


@st.cache_data(max_entries=64, show_spinner=False)
def get_derivation(config: ModelConfig, text: str, t: int, s: int, layer: int = 0) -> core.gradients.Derivation:
    """The lecture's product dh_t/dh_s written out factor by factor, beside autograd's answer."""
    return bptt_by_hand(get_model(config).core, get_trace(config, text).x, t, s, layer=layer)


@st.cache_data(max_entries=256, show_spinner=False)
def parameter_count(config: ModelConfig) -> int:
    return sum(p.numel() for p in get_model(config).parameters())


def factor_frame(d: core.gradients.Derivation, tokens) -> pd.DataFrame:
    """One row per factor of the by-hand product, for the table and CSV."""
    return pd.DataFrame({
        "step": [f.step for f in d.factors], "token": [tokens[f.step] for f in d.factors],
        "factor_norm": [f.norm for f in d.factors], "running_product_norm": [f.running_norm for f in d.factors],
        "mean_fprime": [f.fprime.mean().item() for f in d.factors],
    })


@st.cache_data(max_entries=64, show_spinner=False)
def get_states_frame(config: ModelConfig, text: str, keys: tuple[str, ...] = ("h",), layer: int = 0,
                     direction: int = 0) -> pd.DataFrame:
    """The CSV behind a heatmap or gate chart: one row per (step, quantity, unit) of one layer and direction
    only; Trace.to_frame would also list every other layer's u, h and f′ (millions of rows for long texts)."""
    trace = get_trace(config, text)
    frame = trace.to_frame([trace.name(key, layer, direction) for key in keys])
    return frame.assign(layer=layer, direction=("fwd", "bwd")[direction],
                        quantity=frame.quantity.str.rsplit(".", n=1).str[-1])
