"""Parity with PyTorch's own recurrent layers: the explicit loop must compute exactly what nn.RNN does."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core import GRU, LSTM, ElmanRNN, ModelConfig, build_model


@settings(max_examples=25, deadline=None)
@given(
    I=st.integers(1, 9), H=st.integers(1, 12), L=st.integers(1, 3), B=st.integers(1, 3), T=st.integers(1, 15),
    bi=st.booleans(), act=st.sampled_from(["tanh", "relu"]), seed=st.integers(0, 10_000),
)
def test_elman_matches_torch_rnn(I, H, L, B, T, bi, act, seed):
    torch.manual_seed(seed)
    rnn = torch.nn.RNN(I, H, L, nonlinearity=act, batch_first=True, bidirectional=bi)
    ours = ElmanRNN.from_torch(rnn)
    x, h0 = torch.randn(B, T, I), torch.randn(L * (2 if bi else 1), B, H)
    (out_ref, hn_ref), (out, hn) = rnn(x, h0), ours(x, h0)
    assert out.shape == out_ref.shape == (B, T, H * (2 if bi else 1))
    torch.testing.assert_close(out, out_ref, atol=1e-5, rtol=0)
    torch.testing.assert_close(hn, hn_ref, atol=1e-5, rtol=0)


@pytest.mark.parametrize("bi", [False, True])
@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_to_torch_round_trip(act, bi):
    ours = ElmanRNN(4, 6, num_layers=2, activation=act, bidirectional=bi, init="orthogonal", seed=3)
    x = torch.randn(2, 7, 4)
    torch.testing.assert_close(ours.to_torch()(x)[0], ours(x)[0], atol=1e-6, rtol=0)
    back = ElmanRNN.from_torch(ours.to_torch())
    torch.testing.assert_close(back(x)[0], ours(x)[0], atol=1e-6, rtol=0)


def test_to_torch_refuses_what_torch_lacks():
    with pytest.raises(ValueError, match="tanh and relu"):
        ElmanRNN(2, 3, activation="sigmoid").to_torch()


@settings(max_examples=15, deadline=None)
@given(I=st.integers(1, 6), H=st.integers(1, 8), L=st.integers(1, 3), T=st.integers(1, 10), bi=st.booleans(),
       seed=st.integers(0, 10_000))
def test_lstm_and_gru_match_torch(I, H, L, T, bi, seed):
    torch.manual_seed(seed)
    x = torch.randn(2, T, I)
    lstm = torch.nn.LSTM(I, H, L, batch_first=True, bidirectional=bi)
    out_ref, (h_ref, c_ref) = lstm(x)
    out, (h, c) = LSTM.from_torch(lstm)(x)
    for a, b in ((out, out_ref), (h, h_ref), (c, c_ref)):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=0)
    gru = torch.nn.GRU(I, H, L, batch_first=True, bidirectional=bi)
    out_ref, h_ref = gru(x)
    out, h = GRU.from_torch(gru)(x)
    torch.testing.assert_close(out, out_ref, atol=1e-5, rtol=0)
    torch.testing.assert_close(h, h_ref, atol=1e-5, rtol=0)
    torch.testing.assert_close(LSTM.from_torch(lstm).to_torch()(x)[0], lstm(x)[0], atol=1e-6, rtol=0)


def test_gates_are_recorded_and_consistent():
    lstm = LSTM(3, 5, seed=0)
    res = lstm.run(torch.randn(1, 6, 3), record=True)
    i, f, g, o, c, h = (res.records[f"l0.fwd.{k}"] for k in "ifgoch")
    assert ((0 <= i) & (i <= 1)).all() and ((0 <= f) & (f <= 1)).all()
    torch.testing.assert_close(h, o * torch.tanh(c))


@pytest.mark.parametrize("combine", ["mean", "max"])
def test_bidirectional_combine(combine):
    rnn = ElmanRNN(3, 4, bidirectional=True, combine=combine, seed=0)
    concat = ElmanRNN(3, 4, bidirectional=True, seed=0)
    x = torch.randn(2, 5, 3)
    out, full = rnn(x)[0], concat(x)[0]
    fwd, bwd = full[..., :4], full[..., 4:]
    expected = (fwd + bwd) / 2 if combine == "mean" else torch.maximum(fwd, bwd)
    torch.testing.assert_close(out, expected)


@pytest.mark.parametrize("scheme", ["gaussian", "orthogonal", "identity"])
@pytest.mark.parametrize("radius", [0.5, 1.0, 2.5])
def test_spectral_radius_is_what_was_asked(scheme, radius):
    W = ElmanRNN(2, 16, init=scheme, spectral_radius=radius, seed=1).cell().W_hh.double()
    assert torch.linalg.eigvals(W).abs().max().item() == pytest.approx(radius, rel=1e-5)
    if scheme != "gaussian":  # orthogonal and identity: every singular value equals the radius
        expected = torch.full((16,), radius, dtype=torch.float64)
        torch.testing.assert_close(torch.linalg.svdvals(W), expected, rtol=1e-5, atol=0)  # float32 weights


def test_same_config_same_weights_different_seed_different_weights():
    a, b = build_model(ModelConfig(seed=4)), build_model(ModelConfig(seed=4))
    c = build_model(ModelConfig(seed=5))
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q), name
    assert not torch.equal(a.core.cell().W_hh, c.core.cell().W_hh)


@pytest.mark.parametrize("arch", ["elman", "lstm", "gru", "window"])
def test_every_architecture_builds_and_predicts(arch):
    model = build_model(ModelConfig(arch=arch, num_layers=2 if arch != "window" else 1))
    logits, _ = model(torch.tensor([[1, 2, 3, 4]]))
    assert logits.shape == (1, 4, len(model.vocab))
    torch.testing.assert_close(logits.softmax(-1).sum(-1), torch.ones(1, 4))


def test_config_rejects_nonsense():
    with pytest.raises(ValueError, match="activation"):
        ModelConfig(activation="softplus")
    with pytest.raises(ValueError, match="hidden_size"):
        ModelConfig(hidden_size=0)
    with pytest.raises(ValueError, match="spectral_radius"):
        ModelConfig(spectral_radius=float("nan"))


def test_models_built_in_parallel_threads_get_their_own_seeded_weights():
    """Streamlit builds each session's model in that session's thread: no draw may come from a shared RNG."""
    from concurrent.futures import ThreadPoolExecutor

    configs = [ModelConfig(arch=arch, hidden_size=h, seed=s) for arch in ("elman", "lstm", "gru", "window")
               for h in (8, 32) for s in (0, 1)] * 3
    expected = {c: build_model(c).state_dict() for c in configs}
    with ThreadPoolExecutor(8) as pool:
        built = list(pool.map(build_model, configs))
    for config, model in zip(configs, built):
        for name, value in model.state_dict().items():
            assert torch.equal(value, expected[config][name]), (config, name)
