"""Real core results for the figure builders, computed once per session on small models."""

from __future__ import annotations

import pytest

import core
from core import ModelConfig, build_model, gradient_vs_distance, jacobian_norms, unroll
from core.gradients import bptt_by_hand, spectrum

from .helpers import DANCING, long_text

EXPLODING = ModelConfig(activation="relu", init="identity", spectral_radius=3.0, hidden_size=8)


@pytest.fixture(scope="session")
def elman():
    return build_model(ModelConfig(hidden_size=16))


@pytest.fixture(scope="session")
def dancing(elman):
    return unroll(elman, DANCING)


@pytest.fixture(scope="session")
def grad_frame(elman):
    return gradient_vs_distance(elman, DANCING, target=-2)


@pytest.fixture(scope="session")
def logmap(elman, dancing):
    return jacobian_norms(elman.core, dancing.x, ord="fro", log=True)  # (T, T) natural logs, -inf above


@pytest.fixture(scope="session")
def elman_spectrum(elman):
    return spectrum(elman.core.cell(0, 0).W_hh)


@pytest.fixture(scope="session")
def derivation(elman, dancing):
    return bptt_by_hand(elman.core, dancing.x, t=30, s=10)


@pytest.fixture(scope="session")
def exploding():
    """~850 steps of a ReLU network with ρ(W_hh) = 3: ‖h‖ grows 3× per step, overflows to inf near step 647,
    then inf - inf turns everything into NaN."""
    trace = unroll(build_model(EXPLODING), long_text(800))
    assert not trace.finite
    return trace


@pytest.fixture(scope="session")
def long_trace():
    trace = unroll(build_model(ModelConfig(hidden_size=4)), long_text(2000))
    assert len(trace) >= 2000
    return trace


@pytest.fixture(scope="session")
def window_frame():
    return gradient_vs_distance(build_model(ModelConfig(arch="window", window=5)), DANCING, target=-2, wrt="input")


@pytest.fixture(scope="session")
def input_frame(elman):
    return gradient_vs_distance(elman, DANCING, target=-2, wrt="input")


@pytest.fixture(scope="session")
def lstm():
    return unroll(build_model(ModelConfig(arch="lstm", hidden_size=8)), DANCING)


@pytest.fixture(scope="session")
def gru():
    return unroll(build_model(ModelConfig(arch="gru", hidden_size=8)), DANCING)


@pytest.fixture(scope="session")
def deep_frame():
    model = build_model(ModelConfig(hidden_size=8, num_layers=2, bidirectional=True))
    return gradient_vs_distance(model, core.lecture.CAT_SAT + " mat", target=-1)
