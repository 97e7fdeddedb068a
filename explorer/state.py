"""The one place for Streamlit caching: models are shared read-only, traces and gradients are memoised.

st.cache_resource hands the same model object to every session, so it is frozen (no gradients on its
parameters, eval mode) and nothing here mutates it; st.cache_data returns a fresh copy per call.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
import torch

import core
import core.backprop_review
import core.lecture
import core.units
from core import ModelConfig
from core.gradients import (
    TargetGradients,
    bptt_by_hand,
    gradient_frame,
    jacobian_log_norms,
    row_log_norms,
    safe_norm,
    spectrum,
    state_bptt_by_hand,
    state_steps,
    step_factors,
    target_gradients,
    w_hh_contributions,
    w_hh_gradient,
)
from core.gradients.state_chain import MAX_DENSE, dense_ok
from core.models import scale_w_hh
from core.models.recurrent import DIRECTIONS
from core.probes import ablation, ablation_gradients

from . import catalogue, map_cache, reach_strip, target_panel

# One intra-op thread: Streamlit runs every session's script in its own thread, and torch's two-thread
# pool then contends for the same cores; small batched ops slowed 30x under load with two threads.
torch.set_num_threads(1)

MY_MODELS = "my_models"
MAX_TOKENS = 2000  # every token is one more step in each chart; the all-pairs map grows with its square
MAX_REACH_TOKENS = 100  # every word's input gradients, one backward pass each: about a second per model at 70
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


@st.cache_data(max_entries=64, show_spinner=False)
def get_target_gradients(config: ModelConfig, text: str, target: int, quantity: str = "loss",
                         word: str | None = None, truncate: int | None = None) -> TargetGradients:
    """The one backward pass of a (model, text, target), from the text's cached Trace: the gradient table and the
    W_hh contributions are both read from it. Callers pass every argument by position (one cache entry)."""
    return target_gradients(get_model(config), get_trace(config, text), target, quantity, word, truncate)


@st.cache_data(max_entries=128, show_spinner=False)
def get_gradients(config: ModelConfig, text: str, target: int, wrt: str = "hidden", quantity: str = "loss",
                  word: str | None = None, truncate: int | None = None) -> pd.DataFrame:
    return gradient_frame(get_model(config), get_target_gradients(config, text, target, quantity, word, truncate), wrt)


@st.cache_data(max_entries=64, show_spinner=False)
def get_w_hh_contributions(config: ModelConfig, text: str, target: int,
                           truncate: int | None = None) -> tuple[pd.DataFrame, float]:
    """Each step's share of dL/dW_hh, and ||dL/dW_hh||_F (the norm clipping compares), from the same backward pass
    as get_gradients."""
    g = get_target_gradients(config, text, target, "loss", None, truncate)
    return w_hh_contributions(g), float(safe_norm(w_hh_gradient(g), dim=(-2, -1)))


def map_frame(log_norms: np.ndarray, tokens) -> pd.DataFrame:
    """The T x T map as a tidy table for CSV: one row per pair s <= t."""
    t, s = np.tril_indices(len(tokens))
    return pd.DataFrame({"t": t, "token_t": [tokens[i] for i in t], "s": s, "token_s": [tokens[i] for i in s],
                         "norm": np.exp(log_norms[t, s]), "log10_norm": log_norms[t, s] / np.log(10)})


def reach_frame(q_log10: np.ndarray, map_log10: np.ndarray, tokens) -> pd.DataFrame:
    """Every target's curve as a tidy table for CSV: one row per target t and earlier position s."""
    t, s = np.tril_indices(len(tokens), -1)
    return pd.DataFrame({"target": t, "token_target": [tokens[i] for i in t], "s": s,
                         "token_s": [tokens[i] for i in s], "distance": t - s,
                         "log10_grad_norm": q_log10[t, s], "log10_jacobian_norm": map_log10[t - 1, s]})


@st.cache_data(max_entries=64, show_spinner=False)
def get_jacobian_map(config: ModelConfig, text: str, ord: str = "fro", layer: int = 0,
                     direction: int = 0) -> np.ndarray:
    """(T, T) natural-log norms ||dh_t/dh_s|| (||dS_t/dS_s|| of the full state for LSTM and GRU). float32 products
    keep about five digits and halve the time."""
    model = get_model(config)
    trace = get_trace(config, text)
    if config.arch == "elman":
        steps = step_factors(model.core, trace, layer=layer, direction=direction,
                             dtype=torch.float32 if ord == "fro" else torch.float64)
    else:  # LSTM, GRU: the dense Jacobians of the full state, left to right
        steps = state_steps(model.core, trace, layer=layer)
    if config.arch == "elman" and ord == "fro":  # new rows only, when the text extends one mapped lately
        out = map_cache.frobenius_map((config, layer, direction), steps)
    else:
        out = jacobian_log_norms(steps, 2 if ord == "2" else "fro")
    return (out.flip(0, 1) if direction == 1 else out).numpy()


@st.cache_data(max_entries=64, show_spinner=False)
def get_loss_reach(config: ModelConfig, text: str) -> np.ndarray | None:
    """(T, T) log10 ||d loss_t / dh_s||, [t, s]: every target's gradient curve (one-layer, one-way Elman only)."""
    out = core.gradients.loss_reach_map(get_model(config), get_trace(config, text))
    return None if out is None else (out / np.log(10)).numpy()


@st.cache_resource(max_entries=16, show_spinner=False)
def get_strip_payload(config: ModelConfig, text: str, with_curve: bool, presenter: bool) -> tuple[list, dict | None]:
    """The strip's rows of reach and (with_curve) every target's curve: the same for every target of a text, so a
    target pick reuses them (building them took about 20 ms of each pick's rerun on the dancing passage). Shared
    and never copied (a resource, read only): a copy for each pick would cost a few milliseconds more. An entry
    for 400 tokens holds about 160,000 Python floats (some 5 MB), so the 16 kept stay under 100 MB."""
    logmap = get_jacobian_map(config, text, "fro") / math.log(10)
    curve = reach_strip.curve_data(
        get_loss_reach(config, text), logmap, get_spectrum(config), hidden=config.hidden_size,
        quantity="‖∂q/∂h<sub>s</sub>‖", row_name="‖∂h<sub>t</sub>/∂h<sub>s</sub>‖<sub>F</sub>",
        presenter=presenter) if with_curve else None
    return reach_strip.reach_rows(logmap), curve


@st.cache_resource(max_entries=16, show_spinner=False)
def get_target_panel(config: ModelConfig, text: str, dancing: bool, presenter: bool) -> dict:
    """Every target's facts for the Gradients page's in-browser panel (explorer.target_panel), from the strip's own
    curves: the same for every pick of a text, so shared and never copied, as get_strip_payload. dancing: whether
    the text is the dancing passage, whose cue “jig” the facts name."""
    tokens = get_trace(config, text).tokens
    return target_panel.panel_data(
        tokens, get_loss_reach(config, text), get_spectrum(config), tokenizer=config.tokenizer, presenter=presenter,
        cue_of=(lambda t: core.lecture.cue_position(tokens, t)) if dancing else (lambda t: None))


@st.cache_data(max_entries=64, show_spinner=False)
def get_input_reach(config: ModelConfig, text: str) -> np.ndarray:
    """(T, T) log10 ||d loss_t / dx_s||, [t, s]: every word's reach into every later prediction (any architecture)."""
    return core.gradients.input_reach_map(get_model(config), get_trace(config, text)).numpy()


@st.cache_data(max_entries=64, show_spinner=False)
def get_ablation(config: ModelConfig, text: str, target: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Context ablation and the input gradient of one model at one target: seconds for a long context, so the
    probes page asks for it from a job (explorer.jobs); shared by every session."""
    model = get_model(config)
    return ablation(model, text, target), ablation_gradients(model, text, target)


def is_simple_elman(config: ModelConfig) -> bool:
    """One layer, one direction, Elman: the network the chain diag(f′(u)) W_hh and its bound describe exactly."""
    return config.arch == "elman" and config.num_layers == 1 and not config.bidirectional


def state_size(config: ModelConfig) -> int:
    """How many numbers the state S_t holds: H, or 2H for the LSTM's (h, c)."""
    return config.hidden_size * (2 if config.arch == "lstm" else 1)


def w_hh_shape(config: ModelConfig) -> tuple[int, int] | None:
    """The shape of layer 0's W_hh ((G*H, H) for a gated cell), None for the fixed window."""
    cells = getattr(get_model(config).core, "cells", None)
    return tuple(cells[0].W_hh.shape) if cells else None


def dense_steps(config: ModelConfig) -> int:
    """How many steps of dense full-state Jacobians fit (LSTM, GRU)."""
    n = state_size(config)
    return int(MAX_DENSE // (8 * n * n))


def state_row_ok(config: ModelConfig, target: int) -> bool:
    """Whether the row of state Jacobians up to the target fits: dense per-step Jacobians for LSTM and GRU."""
    return config.arch == "elman" or dense_ok(target, state_size(config))


@st.cache_data(max_entries=64, show_spinner=False)
def get_jacobian_row(config: ModelConfig, text: str, target: int, layer: int = 0, ord: str = "fro") -> pd.DataFrame:
    """||dS_{t-1}/dS_s|| for the state that predicts the target (t = target), against k = target - s; S = h, or
    the LSTM's (h, c). ord: "fro" or "2" (spectral, one SVD per s)."""
    model = get_model(config)
    trace = get_trace(config, text)
    steps = step_factors(model.core, trace, layer=layer) if config.arch == "elman" else \
        state_steps(model.core, trace, layer=layer, stop=target)
    logs = row_log_norms(steps, target - 1, ord=2 if ord == "2" else "fro")[:target]
    return pd.DataFrame({"position": range(target), "token": trace.tokens[:target],
                         "distance": range(target, 0, -1), "log10_norm": (logs / np.log(10)).numpy()})


@st.cache_data(max_entries=64, show_spinner=False)
def get_spectrum(config: ModelConfig, layer: int = 0, direction: int = 0) -> core.gradients.Spectrum:
    model = get_model(config)
    return spectrum(model.core.cell(layer, direction).W_hh, config.activation)


@st.cache_data(max_entries=64, show_spinner=False)
def get_derivation(config: ModelConfig, text: str, t: int, s: int, layer: int = 0) -> core.gradients.Derivation:
    """The lecture's product dh_t/dh_s written out factor by factor, beside autograd's answer; for LSTM and GRU the
    product of the cell's full-state Jacobians dS_i/dS_{i-1}."""
    core_ = get_model(config).core
    trace = get_trace(config, text)
    return bptt_by_hand(core_, trace, t, s, layer=layer) if config.arch == "elman" else \
        state_bptt_by_hand(core_, trace, t, s, layer=layer)


@st.cache_data(max_entries=256, show_spinner=False)
def parameter_count(config: ModelConfig) -> int:
    return sum(p.numel() for p in get_model(config).parameters())


@st.cache_data(max_entries=64, show_spinner=False)
def get_review(seed: int, y: int, activation: str) -> core.backprop_review.Review:
    """The Backprop review page's network and every derivative of the slides, by hand and by autograd."""
    return core.backprop_review.review(core.backprop_review.lecture_network(seed, float(y), activation))


def factor_frame(d: core.gradients.Derivation, tokens) -> pd.DataFrame:
    """One row per factor of the by-hand product, for the table and CSV."""
    return pd.DataFrame({
        "step": [f.step for f in d.factors], "token": [tokens[f.step] for f in d.factors],
        "factor_norm": [f.norm for f in d.factors], "running_product_norm": [f.running_norm for f in d.factors],
        **({} if d.factors[0].fprime is None else {"mean_fprime": [f.fprime.mean().item() for f in d.factors]}),
    })


@st.cache_data(max_entries=64, show_spinner=False)
def get_states_frame(config: ModelConfig, text: str, keys: tuple[str, ...] = ("h",), layer: int = 0,
                     direction: int = 0) -> pd.DataFrame:
    """The CSV behind a heatmap or gate chart: one row per (step, quantity, unit) of one layer and direction
    only; Trace.to_frame would also list every other layer's u, h and f′ (millions of rows for long texts)."""
    trace = get_trace(config, text)
    names = {trace.name(key, layer, direction): key for key in keys}
    frame = trace.to_frame(list(names))
    return frame.assign(layer=layer, direction=DIRECTIONS[direction], quantity=frame.quantity.map(names))


@st.cache_data(max_entries=64, show_spinner=False)
def get_unit_ranking(config: ModelConfig, text: str, feature: str, target: str = "",
                     k: int = 10) -> tuple[pd.DataFrame, np.ndarray]:
    """Every unit ranked by how well it follows a feature of the text (core.units.rank_units), and the feature."""
    trace = get_trace(config, text)
    f = core.units.feature(feature, text, core.units.spans(trace, text), trace.tokens, target=target, k=k)
    return core.units.rank_units(trace, f), f


GENERATED = "gen.results"  # session_state: finished continuations, so a rerun shows them without generating again
KEEP_GENERATED = 12


def generated(key: tuple) -> list | None:
    """This session's finished continuation for (config, prompt, n, sampling), if it made one: it was streamed token
    by token as it was produced, so it is kept per session rather than in st.cache_data."""
    return st.session_state.get(GENERATED, {}).get(key)


def keep_generated(key: tuple, steps: list) -> None:
    store = st.session_state.setdefault(GENERATED, {})
    while len(store) >= KEEP_GENERATED:
        store.pop(next(iter(store)))
    store[key] = steps


RESULTS = Path(__file__).resolve().parents[1] / "results"  # the tables the reproductions' own code caches


@st.cache_data(max_entries=32, show_spinner=False)
def _read_csv(path: str, modified: float) -> pd.DataFrame:  # modified: a rewritten file is read again
    return pd.read_csv(path)


def read_results(path: Path) -> pd.DataFrame | None:
    """The CSV at `path`, parsed once per version of the file; None while it has not been written."""
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError:
        return None
    return _read_csv(str(path), modified)
