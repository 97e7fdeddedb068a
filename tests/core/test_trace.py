"""unroll records the same numbers the model computes, and never raises on an exploding network."""

import pytest
import torch

from core import ModelConfig, build_model, lecture, unroll
from core.trace import elman_terms


def test_trace_agrees_with_the_batched_forward():
    model = build_model(ModelConfig(num_layers=2, bidirectional=True, hidden_size=6))
    trace = unroll(model, lecture.CAT_SAT)
    logits = model(trace.ids[None])[0].double()[0]
    torch.testing.assert_close(trace.z, logits, atol=1e-5, rtol=0)
    T = len(trace)
    assert trace.h(1, 1).shape == (T, 6) and trace.output.shape == (T, 12)
    torch.testing.assert_close(trace.output, torch.cat([trace.h(1, 0), trace.h(1, 1)], -1))
    u, h = trace.get("u"), trace.h()
    torch.testing.assert_close(h, torch.tanh(u))
    torch.testing.assert_close(trace.get("fprime"), 1 - h**2)
    W, b, Wx = (getattr(model.core.cell(), n).double() for n in ("W_hh", "b_h", "W_hx"))
    torch.testing.assert_close(u[2], Wx @ trace.x[2] + W @ h[1] + b)  # the Elman equation, step 2


def test_loss_is_the_negative_log_probability_of_the_next_token():
    model = build_model(ModelConfig())
    trace = unroll(model, "the cat sat on the mat")
    for t in range(len(trace) - 1):
        assert trace.loss[t].item() == pytest.approx(-torch.log(trace.probs[t, trace.ids[t + 1]]).item())
    assert torch.isnan(trace.loss[-1])
    frame = trace.steps_frame(k=3)
    assert list(frame["token"]) == ["the", "cat", "sat", "on", "the", "mat"]
    assert frame["p_guess_1"].iloc[0] >= frame["p_guess_2"].iloc[0] >= frame["p_guess_3"].iloc[0]


def test_tidy_frame_holds_every_recorded_value():
    model = build_model(ModelConfig(arch="lstm", hidden_size=4))
    trace = unroll(model, "a b c")
    frame = trace.to_frame()
    assert set(frame["quantity"]) == {f"l0.fwd.{k}" for k in "hcifgo"}
    assert len(frame) == 6 * 3 * 4
    row = frame[(frame.quantity == "l0.fwd.c") & (frame.step == 2) & (frame.unit == 1)]
    assert row["value"].item() == trace.get("c")[2, 1].item()
    only = trace.to_frame([trace.name("f")])
    assert set(only.quantity) == {"l0.fwd.f"} and len(only) == 3 * 4


def test_ids_and_text_give_the_same_trace():
    model = build_model(ModelConfig())
    a = unroll(model, "the cat sat")
    b = unroll(model, a.ids)
    torch.testing.assert_close(a.z, b.z)


def test_empty_text_says_so():
    with pytest.raises(ValueError, match="no tokens"):
        unroll(build_model(ModelConfig()), "   ")


def test_exploding_network_is_recorded_not_raised():
    model = build_model(ModelConfig(activation="relu", init="identity", spectral_radius=3.0, hidden_size=8))
    trace = unroll(model, "word " * 800)
    assert not trace.finite
    assert torch.isinf(trace.h()).any() or torch.isnan(trace.h()).any()


def test_elman_terms_add_up_to_u_t_in_every_layer():
    model = build_model(ModelConfig(num_layers=2, hidden_size=5))
    trace = unroll(model, "the cat sat on the mat")
    for layer in (0, 1):
        for t in (0, 3):
            terms = elman_terms(model, trace, t, layer)
            torch.testing.assert_close(terms["W_hx x_t"] + terms["W_hh h_prev"] + terms["b_h"], terms["u_t"])
            torch.testing.assert_close(torch.tanh(terms["u_t"]), terms["h_t"])
    with pytest.raises(ValueError, match="Elman"):
        elman_terms(build_model(ModelConfig(arch="gru")), unroll(build_model(ModelConfig(arch="gru")), "a b"), 0)
