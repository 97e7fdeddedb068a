"""Four ways to the same gradient: autograd, the all-pairs chain, the lecture's product, and closed forms."""

import math

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core import ElmanRNN, ModelConfig, build_model, gradient_vs_distance, jacobian_norms, lecture, unroll
from core.gradients import (
    Steps,
    bptt_by_hand,
    decay_rate,
    extend_log_norms,
    gradient_frame,
    input_reach_map,
    jacobian_log_norms,
    loss_reach_map,
    row_log_norms,
    spectrum,
    state_bptt_by_hand,
    state_steps,
    step_factors,
    target_gradients,
    verdict,
    w_hh_contributions,
    w_hh_gradient,
)


def linear(H: int, a: float) -> ElmanRNN:
    """u_t = W_hx x_t + a h_{t-1} + b_h, h_t = u_t, with a exact in float64 (float32 would round 0.9)."""
    rnn = ElmanRNN(2, H, activation="identity", seed=0).double()
    rnn.cell().W_hh.data = torch.eye(H, dtype=torch.float64) * a
    return rnn


def autograd_map(rnn: ElmanRNN, x: torch.Tensor, ord) -> torch.Tensor:
    """The naive reference: the full Jacobian of all states with respect to perturbations of all states."""
    rnn = rnn.double()
    T, H = x.shape[0], rnn.hidden_size

    def states(delta):  # (T, H) -> (T, H)
        return rnn.run(x[None].double(), perturb={"l0.fwd.h": delta[None]}, record=True).records["l0.fwd.h"][0]

    J = torch.autograd.functional.jacobian(states, torch.zeros(T, H, dtype=torch.float64))  # (T, H, T, H)
    out = torch.zeros(T, T, dtype=torch.float64)
    for t in range(T):
        for s in range(t + 1):
            out[t, s] = torch.linalg.matrix_norm(J[t, :, s, :], ord=ord)
    return out


@settings(max_examples=12, deadline=None)
@given(H=st.integers(1, 7), T=st.integers(1, 30), act=st.sampled_from(["tanh", "sigmoid", "relu", "identity"]),
       ord=st.sampled_from([2, "fro"]), seed=st.integers(0, 1000))
def test_all_pairs_map_equals_autograd(H, T, act, ord, seed):
    torch.manual_seed(seed)
    rnn = ElmanRNN(3, H, activation=act, init="gaussian", spectral_radius=1.2, seed=seed)
    x = torch.randn(T, 3)
    torch.testing.assert_close(jacobian_norms(rnn, x, ord=ord), autograd_map(rnn, x, ord), rtol=1e-9, atol=1e-12)


@settings(max_examples=12, deadline=None)
@given(H=st.integers(1, 6), T=st.integers(1, 40), seed=st.integers(0, 1000))
def test_divide_and_conquer_equals_forming_every_product(H, T, seed):
    torch.manual_seed(seed)
    rnn = ElmanRNN(3, H, init="gaussian", spectral_radius=1.5, seed=seed)
    x = torch.randn(T, 3)
    steps = step_factors(rnn, x)
    divided, direct = jacobian_log_norms(steps, method="divide"), jacobian_log_norms(steps, method="direct")
    torch.testing.assert_close(divided, direct, rtol=0, atol=1e-9)
    torch.testing.assert_close(divided.exp(), autograd_map(rnn, x, "fro"), rtol=1e-9, atol=1e-12)


def test_identity_activation_with_orthogonal_w_hh_preserves_every_norm():
    rnn = ElmanRNN(2, 12, activation="identity", seed=0).double()
    rnn.cell().W_hh.data = torch.linalg.qr(torch.randn(12, 12, dtype=torch.float64))[0]  # orthogonal in float64
    norms = jacobian_norms(rnn, torch.randn(40, 2), ord=2)
    lower = torch.tril(torch.ones(40, 40, dtype=torch.bool))
    torch.testing.assert_close(norms[lower], torch.ones(int(lower.sum()), dtype=torch.float64), rtol=1e-9, atol=0)
    assert (norms[~lower] == 0).all()


@pytest.mark.parametrize("a", [0.5, 0.9, 1.1])
@pytest.mark.parametrize("ord", [2, "fro"])
def test_linear_recurrence_w_hh_equal_a_identity_gives_a_to_the_k(a, ord):
    H, T = 5, 60
    rnn = linear(H, a)
    logs = jacobian_norms(rnn, torch.randn(T, 2), ord=ord, log=True)
    k = (torch.arange(T)[:, None] - torch.arange(T)[None, :]).double()
    expected = k * math.log(a) + (0.5 * math.log(H) if ord == "fro" else 0.0)
    lower = k >= 0
    torch.testing.assert_close(logs[lower], expected[lower], rtol=0, atol=1e-9)


def test_norms_near_1e_minus_60_and_1e_minus_300_are_exact_not_zero():
    rnn = linear(4, 0.5)
    norms = jacobian_norms(rnn, torch.randn(201, 2), ord=2)
    assert norms[200, 0].item() == pytest.approx(0.5**200, rel=1e-9)  # 6.2e-61
    rnn = linear(4, 0.1)
    J = step_factors(rnn, torch.randn(301, 2))
    assert row_log_norms(J, 300, ord=2)[0].item() == pytest.approx(300 * math.log(0.1), rel=1e-12)
    assert jacobian_norms(rnn, torch.randn(301, 2), ord="fro")[300, 0].item() == pytest.approx(2e-300, rel=1e-9)


def test_gradient_table_keeps_1e_minus_60():
    # Linear network, W_hh = 0.5 I: dq/dh_s = dq/dh_{t-1} * 0.5^(t-1-s), exactly.
    cfg = ModelConfig(activation="identity", init="identity", spectral_radius=0.5, hidden_size=4)
    model = build_model(cfg)
    frame = gradient_vs_distance(model, "word " * 202, target=-1)
    ratio = frame.grad_norm / frame.grad_norm[frame.distance == 1].item()
    assert ratio[frame.distance == 200].item() == pytest.approx(0.5**199, rel=1e-9)  # 1.2e-60
    assert (frame.status == "ok").all()


def test_sigmoid_stays_under_the_bound_when_w_hh_is_small():
    rnn = ElmanRNN(3, 10, activation="sigmoid", init="gaussian", spectral_radius=2.0, seed=2)
    spec = spectrum(rnn.cell().W_hh, "sigmoid")
    assert spec.spectral_norm < 4
    logs = jacobian_norms(rnn, torch.randn(50, 3) * 3, ord=2, log=True)
    k = (torch.arange(50)[:, None] - torch.arange(50)[None, :]).double()
    lower = k >= 0
    assert (logs[lower] <= k[lower] * math.log(spec.bound_rate) + 1e-9).all()
    assert verdict(spec).label == "vanishing"


def test_row_equals_the_map_row_and_float32_keeps_five_digits():
    rnn = ElmanRNN(3, 16, init="orthogonal", spectral_radius=1.1, seed=0)
    x = torch.randn(70, 3)
    full = jacobian_norms(rnn, x, ord="fro", log=True)
    J = step_factors(rnn, x)
    torch.testing.assert_close(row_log_norms(J, 69), full[69, :70], rtol=0, atol=1e-9)
    torch.testing.assert_close(jacobian_log_norms(J, method="divide"), full, rtol=0, atol=1e-9)
    fast = jacobian_norms(rnn, x, ord="fro", log=True, dtype=torch.float32)
    lower = torch.isfinite(full)
    torch.testing.assert_close(fast[lower], full[lower], rtol=0, atol=1e-5)  # log error 1e-5 = relative 1e-5


def test_backward_direction_map_is_upper_triangular_and_matches_autograd():
    rnn = ElmanRNN(2, 3, bidirectional=True, seed=1)
    x = torch.randn(9, 2)
    norms = jacobian_norms(rnn, x, ord="fro", direction=1)
    assert (torch.tril(norms, -1) == 0).all()
    # reverse the text and the backward network becomes a forward one
    fwd_only = ElmanRNN(2, 3, seed=1)
    fwd_only.cell().load_state_dict(rnn.cell(0, 1).state_dict())
    torch.testing.assert_close(norms, jacobian_norms(fwd_only, x.flip(0), ord="fro").flip(0, 1))


def test_hand_written_bptt_equals_autograd_in_float64():
    model = build_model(ModelConfig(hidden_size=10, num_layers=2, spectral_radius=1.3))
    trace = unroll(model, lecture.DANCING)
    rnn = model.core.double()
    x = trace.x[None]
    for layer in (0, 1):
        d = bptt_by_hand(model.core, trace.x, t=60, s=10, layer=layer)
        assert len(d.factors) == 50 and [f.step for f in d.factors[:2]] == [60, 59]
        assert d.relative_diff < 1e-12
        # An independent reference: autograd through the model itself, perturbing h_s of that layer.
        name = f"l{layer}.fwd.h"

        def h_60(delta, name=name):
            return rnn.run(x, perturb={name: delta[None]}, record=True).records[name][0, 60]

        reference = torch.autograd.functional.jacobian(h_60, torch.zeros(len(trace), 10, dtype=torch.float64))
        torch.testing.assert_close(d.product, reference[:, 10, :], rtol=1e-9, atol=1e-15)
        assert d.factors[-1].running_norm == pytest.approx(torch.linalg.matrix_norm(d.product, ord=2).item())


def test_gradient_wrt_hidden_matches_the_chain():
    # dq/dh_s = dq/dh_{t-1} @ dh_{t-1}/dh_s: autograd's table against the hand-made Jacobian product.
    model = build_model(ModelConfig(hidden_size=8, spectral_radius=1.5))
    text = "the starving cat chased the mouse across the garden"
    g = target_gradients(model, text, target=-1)
    trace = unroll(model, text)
    t = len(trace) - 1
    for s in range(t - 1):
        jac = bptt_by_hand(model.core, trace.x, t=t - 1, s=s).product
        torch.testing.assert_close(g.d_h["l0.fwd"][s], g.d_h["l0.fwd"][t - 1] @ jac, rtol=1e-9, atol=1e-14)


def test_per_step_w_hh_contributions_sum_to_autograds_gradient():
    model = build_model(ModelConfig(hidden_size=6)).double()
    text = lecture.STARVING_CAT + " mouse"
    g = target_gradients(model, text, target=-1)
    tokens, ids = model.tokens_and_ids(text)
    model.zero_grad()
    z, _ = model.run(model.embed(tokens, ids))
    (-torch.log_softmax(z[0, -2], -1)[ids[-1]]).backward()
    torch.testing.assert_close(w_hh_gradient(g), model.core.cell().W_hh.grad, rtol=1e-9, atol=1e-14)
    frame = w_hh_contributions(target_gradients(model, text))
    assert list(frame.distance) == list(range(len(tokens) - 1, 0, -1))
    assert frame.grad_norm.iloc[0] == 0  # step 0 reads h_0 = 0, so it adds nothing to dq/dW_hh
    assert (frame.grad_norm.iloc[1:] > 0).all()


@pytest.mark.parametrize("n", [1, 3, 5])
def test_fixed_window_gradient_is_exactly_zero_beyond_the_window(n):
    model = build_model(ModelConfig(arch="window", window=n))
    frame = gradient_vs_distance(model, lecture.DANCING, target=-2, wrt="input")
    assert (frame[frame.distance > n].grad_norm == 0).all()
    assert (frame[frame.distance <= n].grad_norm > 0).all()
    with pytest.raises(ValueError, match="no recurrent state"):
        gradient_vs_distance(model, lecture.DANCING, wrt="hidden")


def test_gradient_table_layout_for_stacked_bidirectional_models():
    model = build_model(ModelConfig(num_layers=2, bidirectional=True))
    frame = gradient_vs_distance(model, lecture.CAT_SAT + " mat", target=-1)
    T = 6
    assert len(frame) == 2 * 2 * T  # both directions see the whole text, the target's right side included
    assert set(frame.direction) == {"fwd", "bwd"} and set(frame.layer) == {0, 1}
    assert {"position", "token", "distance", "grad_norm"} <= set(frame.columns)
    one_way = gradient_vs_distance(build_model(ModelConfig()), lecture.CAT_SAT + " mat")
    assert list(one_way.distance) == [5, 4, 3, 2, 1]


@pytest.mark.parametrize("arch", ["lstm", "gru"])
def test_gated_models_have_gradient_tables_too(arch):
    frame = gradient_vs_distance(build_model(ModelConfig(arch=arch)), lecture.DANCING, target=-2)
    assert (frame.status == "ok").all() and len(frame) == 69


def test_quantities_and_targets_are_checked():
    model = build_model(ModelConfig())
    with pytest.raises(ValueError, match="out of range"):
        gradient_vs_distance(model, "cat", target=0)
    with pytest.raises(ValueError, match="vocabulary"):
        gradient_vs_distance(model, "the cat", quantity="logprob", word="zebra")
    a = gradient_vs_distance(model, "the cat sat on the", quantity="logprob", word="mat")
    b = gradient_vs_distance(model, "the cat sat on the", quantity="logit", word="mat")
    assert not a.grad_norm.equals(b.grad_norm)


def test_exploding_network_is_flagged_not_raised():
    model = build_model(ModelConfig(activation="relu", init="identity", spectral_radius=3.0, hidden_size=8))
    frame = gradient_vs_distance(model, "word " * 800)
    assert set(frame.status) - {"ok"}  # inf or nan entries are reported
    norms = jacobian_norms(model.core, unroll(model, "word " * 50).x, ord="fro")
    assert torch.isfinite(norms).all()  # 3^49 is large, but still a float64


def test_measured_decay_rate_and_verdicts():
    assert decay_rate([1, 2, 3, 4], [0.5, 0.25, 0.125, 0.0625]) == pytest.approx(0.5)
    assert math.isnan(decay_rate([1], [0.3]))
    spec = spectrum(torch.eye(4) * 2.0, "tanh")
    assert verdict(spec, measured_rate=1.5).label == "exploding"
    assert verdict(spec, measured_rate=0.5).label == "vanishing"
    assert verdict(spec, measured_rate=1.0).label == "edge"
    assert verdict(spectrum(torch.eye(4) * 0.5, "tanh")).label == "vanishing"
    assert spec.log10_bound([0, 1, 2]).tolist() == pytest.approx([0, math.log10(2), 2 * math.log10(2)])


def test_jacobian_log_norms_rejects_unknown_orders():
    with pytest.raises(ValueError, match="ord"):
        jacobian_log_norms(Steps(torch.zeros(3, 2), torch.zeros(2, 2)), ord=1)
    with pytest.raises(ValueError, match="method"):
        jacobian_log_norms(Steps(torch.zeros(3, 2), torch.zeros(2, 2)), method="fast")


@pytest.mark.parametrize("arch", ["elman", "lstm", "gru"])
def test_truncated_bptt_stops_at_the_chunk_and_is_exact_inside_it(arch):
    model = build_model(ModelConfig(arch=arch, hidden_size=8, num_layers=2))
    text = lecture.DANCING
    full = gradient_vs_distance(model, text, target=-2)
    cut = gradient_vs_distance(model, text, target=-2, truncate=10)
    T = len(model.tokens_and_ids(text)[0])
    chunk_start = ((T - 3) // 10) * 10  # the chunk holding h_{t-1}, t = T - 2
    inside = cut.position >= chunk_start
    assert (cut[~inside].grad_norm == 0).all() and (cut[~inside].status == "zero").all()
    torch.testing.assert_close(torch.tensor(cut[inside].grad_norm.values), torch.tensor(full[inside].grad_norm.values),
                               rtol=1e-12, atol=0)
    same_values = unroll(model, text)
    tokens, ids = model.tokens_and_ids(text)
    z, _ = model.run(model.embed(tokens, ids), detach_every=10)
    torch.testing.assert_close(z[0], same_values.z)  # truncation changes gradients, never values


def test_relu_slope_of_an_overflowed_state_is_nan_not_zero():
    model = build_model(ModelConfig(activation="relu", init="identity", spectral_radius=3.0, hidden_size=4))
    trace = unroll(model, "word " * 900)
    u, fprime = trace.get("u"), trace.get("fprime")
    assert torch.isnan(u).any()
    assert torch.equal(torch.isnan(fprime), torch.isnan(u))


@pytest.mark.parametrize("wrt", ["hidden", "input"])
def test_gradient_table_stays_exact_far_below_float64(wrt):
    # W_hh = 0.1 I, identity activation: each step back divides the gradient by exactly 10.
    model = build_model(ModelConfig(activation="identity", init="identity", spectral_radius=0.1, hidden_size=4))
    model.core.double()
    model.core.cell().W_hh.data = torch.eye(4, dtype=torch.float64) * 0.1
    frame = gradient_vs_distance(model, "word " * 402, target=-1, wrt=wrt)
    first = frame.log10_grad_norm[frame.distance == 1].item()
    deep = frame[frame.distance == 400]
    assert deep.log10_grad_norm.item() == pytest.approx(first - 399, abs=1e-9)  # about 1e-400
    assert deep.status.item() == "underflow" and deep.grad_norm.item() == 0
    truncated = gradient_vs_distance(model, "word " * 402, target=-1, wrt=wrt, truncate=50)
    assert (truncated[truncated.distance > 50].status == "zero").all()


def test_chain_reports_nan_as_nan_not_as_zero():
    model = build_model(ModelConfig(activation="relu", init="identity", spectral_radius=4.0, hidden_size=4))
    trace = unroll(model, "word " * 900)
    row = row_log_norms(step_factors(model.core, trace.x), len(trace) - 1)
    assert torch.isnan(row[:-1]).any() and not torch.isneginf(row).any()
    frame = gradient_vs_distance(model, "word " * 900)
    assert "zero" not in set(frame.status) and "nan" in set(frame.status)


def test_the_loss_is_about_the_word_that_comes_next():
    with pytest.raises(ValueError, match="logprob"):
        gradient_vs_distance(build_model(ModelConfig()), "the cat sat", quantity="loss", word="mat")
    with pytest.raises(ValueError, match="single token"):
        gradient_vs_distance(build_model(ModelConfig()), "cat")


def test_spectral_norms_of_an_overflowed_network_are_nan_not_an_exception():
    model = build_model(ModelConfig(activation="relu", init="identity", spectral_radius=4.0, tokenizer="char"))
    trace = unroll(model, "word " * 290)
    T = len(trace)
    d = bptt_by_hand(model.core, trace.x, T - 1, T - 11)
    assert math.isnan(d.relative_diff) and math.isnan(d.factors[0].norm) and not d.agrees
    row = row_log_norms(step_factors(model.core, trace.x), T - 1, ord=2)
    assert torch.isnan(row[:-1]).all()


def test_truncated_bptt_cuts_both_directions_at_the_same_chunks_as_training():
    """Chunks are [0, K), [K, 2K), ... in both directions (training cuts the text so): with T = 10 and K = 4 the
    state predicting word 5 is h_4, in chunk [4, 8); left to right it depends on h_4 alone, right to left on h_4..h_7.
    Counted from the end, the right-to-left chunks would be [6, 10), [2, 6) and give h_4, h_5 instead."""
    model = build_model(ModelConfig(hidden_size=6, bidirectional=True, seed=3))
    frame = gradient_vs_distance(model, "the cat sat on the mat and the dog ran", target=5, truncate=4)
    reached = {d: sorted(g.position[g.grad_norm > 0]) for d, g in frame.groupby("direction")}
    assert reached == {"fwd": [4], "bwd": [4, 5, 6, 7]}


@pytest.mark.parametrize("arch", ["elman", "lstm", "gru"])
def test_the_full_state_chain_multiplies_out_to_autograds_jacobian(arch):
    """LSTM and GRU have no diag(f') W_hh: their chain is the product of the cell's Jacobians dS_i/dS_{i-1} over
    the full state S = (h, c) or h; written out, it equals autograd's Jacobian of the whole stretch, and for the
    Elman network it is the lecture's chain itself."""
    from core.gradients import state_bptt_by_hand, state_steps

    model = build_model(ModelConfig(arch=arch, hidden_size=5, seed=1))
    trace = unroll(model, "the cat sat on the mat and the dog")
    d = state_bptt_by_hand(model.core, trace.x, 7, 2)
    assert d.relative_diff < 1e-12 and len(d.factors) == 5 and d.agrees
    assert d.product.shape == ((10, 10) if arch == "lstm" else (5, 5)) and d.state == ("hc" if arch == "lstm" else "h")
    if arch == "elman":
        torch.testing.assert_close(d.product, bptt_by_hand(model.core, trace.x, 7, 2).product)
        torch.testing.assert_close(row_log_norms(state_steps(model.core, trace.x), 7),
                                   row_log_norms(step_factors(model.core, trace.x), 7))


@pytest.mark.parametrize("arch", ["elman", "lstm", "gru"])
def test_input_reach_map_rows_equal_gradient_vs_distance(arch):
    model = build_model(ModelConfig(arch=arch, seed=3))
    text = lecture.CAT_SAT + " mat and the dog sat too"
    L = input_reach_map(model, text).numpy()
    T = L.shape[0]
    assert np.isnan(L[0]).all() and np.isnan(L[np.triu_indices(T)]).all()  # nothing at or after the target
    for t in (1, 4, T - 1):
        frame = gradient_vs_distance(model, text, target=t, wrt="input")
        np.testing.assert_allclose(L[t, :t], frame.log10_grad_norm.to_numpy(), rtol=0, atol=1e-9)
    other = input_reach_map(build_model(ModelConfig(arch=arch, seed=4)), text).numpy()
    assert not np.allclose(L[1:, 0], other[1:, 0])  # the map follows the weights


TRACE_MODELS = {
    "elman": ModelConfig(hidden_size=8, spectral_radius=1.2),
    "deep-bidirectional": ModelConfig(hidden_size=6, num_layers=2, bidirectional=True),
    "lstm": ModelConfig(arch="lstm", hidden_size=6),
    "gru": ModelConfig(arch="gru", hidden_size=6),
    "window": ModelConfig(arch="window", window=3),
    "char": ModelConfig(hidden_size=5, tokenizer="char"),
}


def assert_same_gradients(a, b) -> None:
    assert (a.tokens, a.target, a.quantity, a.word, a.value, a.truncate) == \
        (b.tokens, b.target, b.quantity, b.word, b.value, b.truncate)
    assert torch.equal(a.d_x, b.d_x)
    for field in ("d_h", "d_u", "h_prev", "fprime"):
        x, y = getattr(a, field), getattr(b, field)
        assert x.keys() == y.keys() and all(torch.equal(x[k], y[k]) for k in x), field


@pytest.mark.parametrize("name", TRACE_MODELS)
def test_the_trace_path_gives_exactly_the_text_paths_gradients(name):
    """A view hands its one Trace to every gradient function: the numbers are bit for bit those of the text."""
    model = build_model(TRACE_MODELS[name])
    text = lecture.STARVING_CAT + " mouse, and the zebra"  # "zebra": a word outside the vocabulary
    trace = unroll(model, text)
    wrts = ("input",) if name == "window" else ("hidden", "input")
    for target, truncate, quantity in ((-1, None, "loss"), (5, 3, "loss"), (-2, None, "logit")):
        from_text = target_gradients(model, text, target, quantity, truncate=truncate)
        from_trace = target_gradients(model, trace, target, quantity, truncate=truncate)
        assert_same_gradients(from_text, from_trace)
        for wrt in wrts:
            expected = gradient_vs_distance(model, text, target, wrt, quantity, truncate=truncate)
            pd.testing.assert_frame_equal(gradient_vs_distance(model, trace, target, wrt, quantity, truncate=truncate),
                                          expected)
            pd.testing.assert_frame_equal(gradient_frame(model, from_trace, wrt), expected)  # the shared pass
    torch.testing.assert_close(input_reach_map(model, trace), input_reach_map(model, text), rtol=0, atol=0,
                               equal_nan=True)


def test_a_trace_of_another_model_is_refused():
    trace = unroll(build_model(ModelConfig(seed=1)), lecture.CAT_SAT)
    with pytest.raises(ValueError, match="another model"):
        target_gradients(build_model(ModelConfig(seed=2)), trace)
    with pytest.raises(ValueError, match="initial state"):  # a Trace carries its own h0
        step_factors(build_model(ModelConfig(seed=1)).core, trace, h0=torch.zeros(1, 1, 32))


@pytest.mark.parametrize("name", ["elman", "deep-bidirectional", "lstm", "gru"])
def test_the_chain_read_from_a_trace_equals_the_chain_from_a_fresh_run(name):
    """step_factors, state_steps and the by-hand products read the Trace's recorded states instead of running the
    network again: the same factors, products and autograd answers."""
    model = build_model(TRACE_MODELS[name])
    trace = unroll(model, lecture.STARVING_CAT + " mouse")
    core, T = model.core, len(trace)
    layers = range(core.num_layers)
    if name == "elman" or name == "deep-bidirectional":
        for layer in layers:
            for direction in range(core.num_directions):
                a, b = step_factors(core, trace.x, layer=layer, direction=direction), \
                    step_factors(core, trace, layer=layer, direction=direction)
                assert torch.equal(a.fprime, b.fprime) and torch.equal(a.W_hh, b.W_hh)
        pairs = [(bptt_by_hand(core, trace.x, T - 1, 2, layer=layer), bptt_by_hand(core, trace, T - 1, 2, layer=layer))
                 for layer in layers]
    else:
        assert torch.equal(state_steps(core, trace.x, stop=6).J, state_steps(core, trace, stop=6).J)
        pairs = [(state_bptt_by_hand(core, trace.x, T - 1, 2), state_bptt_by_hand(core, trace, T - 1, 2))]
    for a, b in pairs:
        assert torch.equal(a.product, b.product) and torch.equal(a.autograd, b.autograd)
        assert [f.norm for f in a.factors] == [f.norm for f in b.factors]


@settings(max_examples=15, deadline=None)
@given(H=st.integers(1, 6), T=st.integers(1, 45), n=st.integers(0, 45), seed=st.integers(0, 1000))
def test_extending_a_known_map_equals_mapping_the_whole_text(H, T, n, seed):
    # A text that extends another: its map from the other's map plus the new rows, against autograd.
    rnn = ElmanRNN(3, H, init="gaussian", spectral_radius=1.5, seed=seed)
    x = torch.randn(T, 3, generator=torch.Generator().manual_seed(seed))
    steps = step_factors(rnn, x)
    n = min(n, T)
    known = jacobian_log_norms(Steps(steps.fprime[:n], steps.W_hh)) if n else torch.empty(0, 0)
    torch.testing.assert_close(extend_log_norms(steps, known).exp(), autograd_map(rnn, x, "fro"), rtol=1e-9,
                               atol=1e-12)


@pytest.mark.parametrize("act", ["tanh", "relu", "sigmoid"])
def test_every_targets_loss_reach_equals_autograd_one_target_at_a_time(act):
    # The batched chain against plain float64 autograd of each loss, one backward pass per target.
    model = build_model(ModelConfig(hidden_size=8, spectral_radius=1.3, activation=act, seed=3))
    text = "the starving cat chased the mouse across the garden and back"
    trace = unroll(model, text)
    got = loss_reach_map(model, trace)
    T = len(trace)
    assert got.shape == (T, T) and torch.isnan(got[0]).all()
    for t in range(1, T):
        d_h = target_gradients(model, trace, target=t).d_h["l0.fwd"][:t]
        torch.testing.assert_close(got[t, :t], torch.log(torch.linalg.vector_norm(d_h, dim=1)), rtol=1e-10,
                                   atol=1e-12)
        assert torch.isnan(got[t, t:]).all()


def test_every_targets_loss_reach_stays_exact_far_below_float64():
    # W_hh = 0.1 I, identity activation: each step back divides every target's gradient by exactly 10.
    model = build_model(ModelConfig(activation="identity", init="identity", spectral_radius=0.1, hidden_size=4))
    model.core.double()
    model.core.cell().W_hh.data = torch.eye(4, dtype=torch.float64) * 0.1
    got = loss_reach_map(model, "word " * 402) / math.log(10)
    assert got[401, 1].item() == pytest.approx(got[401, 400].item() - 399, abs=1e-9)  # about 1e-400
    frame = gradient_vs_distance(model, "word " * 402, target=300)
    np.testing.assert_allclose(got[300, :300].numpy(), frame.log10_grad_norm.to_numpy(), rtol=1e-12)


def test_loss_reach_map_belongs_to_the_one_layer_one_way_elman_network():
    for cfg in (ModelConfig(arch="lstm"), ModelConfig(num_layers=2), ModelConfig(bidirectional=True)):
        assert loss_reach_map(build_model(cfg), "a b c") is None
