"""Context ablation against one-sequence runs built by hand, and against what each architecture makes certain:
a fixed window ignores everything beyond it, a contracting Elman network forgets geometrically."""

import math

import pytest
import torch

from core import ModelConfig, build_model, gradient_vs_distance, lecture
from core.probes import INTERVENTIONS, ablation, ablation_gradients, default_target

TEXT = "the starving cat chased the elusive mouse around the old stone wall"


@pytest.fixture(scope="module")
def models():
    return {arch: build_model(ModelConfig(arch=arch, hidden_size=12, embed_dim=8))
            for arch in ("elman", "lstm", "gru")}


def logprob_by_hand(model, tokens, word_id, dtype=torch.float64, unk_at=None):
    """log P(word | tokens) from one unbatched run; unk_at puts the typed token "<unk>" there, which the model's
    own embed maps to the <unk> row (the convention ablation() must follow)."""
    tokens = list(tokens)
    if unk_at is not None:
        tokens[unk_at] = "<unk>"
    ids = model.vocab.encode(tokens)
    with torch.no_grad():
        z, _ = model.run(model.embed(tokens, ids, dtype))
    return float(torch.log_softmax(z[0, -1], -1)[word_id])


def row(frame, kind, k):
    found = frame[(frame["intervention"] == kind) & (frame["distance"] == k)]
    assert len(found) == 1
    return found.iloc[0]


def test_default_target_is_the_last_dancing_else_the_last_token():
    words = ["Dancing", "is", "dancing", "."]
    assert default_target(words) == 2
    assert default_target(["dancing", "now"]) == 1  # the only "dancing" has nothing before it
    assert default_target(["a", "b", "c"]) == 2


@pytest.mark.parametrize("arch", ["elman", "lstm", "gru"])
@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-9), (torch.float32, 1e-5)])
def test_each_intervention_equals_its_ablated_sequence_run_alone(models, arch, dtype, tol):
    model = models[arch]
    tokens, ids = model.tokens_and_ids(TEXT)
    t = 9  # "the" before "old stone wall"; words after it must not matter
    frame = ablation(model, TEXT, t, dtype=dtype)
    word = int(ids[t])
    base = logprob_by_hand(model, tokens[:t], word, dtype)
    assert frame["baseline_logprob"].unique() == pytest.approx([base], abs=tol)
    for k in (1, 4, t):
        s = t - k
        expect = {
            "remove": logprob_by_hand(model, tokens[:s] + tokens[s + 1:t], word, dtype),
            "unk": logprob_by_hand(model, tokens[:t], word, dtype, unk_at=s),
            "truncate": logprob_by_hand(model, tokens[s:t], word, dtype),
        }
        for kind, value in expect.items():
            got = row(frame, kind, k)
            assert got["logprob"] == pytest.approx(value, abs=tol), (kind, k)
            assert got["delta"] == pytest.approx(value - base, abs=2 * tol)
            assert got["position"] == s and got["token"] == tokens[s]


def test_the_frame_is_tidy_and_names_the_target(models):
    tokens, _ = models["gru"].tokens_and_ids(lecture.DANCING)
    frame = ablation(models["gru"], lecture.DANCING)
    t = default_target(tokens)
    assert tokens[t] == "dancing" and t < len(tokens) - 1  # the passage ends "... loved dancing."
    assert len(frame) == 4 * t and set(frame["intervention"]) == set(INTERVENTIONS)
    assert (frame["target"] == t).all() and (frame["target_token"] == "dancing").all()
    for _, g in frame.groupby("intervention"):
        assert sorted(g["distance"]) == list(range(1, t + 1))
        assert (g["position"] == t - g["distance"]).all()
        assert list(g["token"]) == [tokens[p] for p in g["position"]]
    assert (frame["delta"] == frame["logprob"] - frame["baseline_logprob"]).all()


def test_truncating_at_the_full_context_and_shuffling_nothing_change_nothing(models):
    model = models["lstm"]
    frame = ablation(model, TEXT, 10)
    assert row(frame, "truncate", 10)["delta"] == pytest.approx(0, abs=1e-12)
    for k in (9, 10):  # one word or none further back than k: no other order exists
        assert row(frame, "shuffle", k)["delta"] == pytest.approx(0, abs=1e-12)
    shuffle = frame[frame["intervention"] == "shuffle"].set_index("distance")["delta"]
    assert (shuffle.loc[1:7].abs() > 1e-6).all()  # six or more words reordered: the state must notice


def test_shuffle_only_reorders_the_far_words(models):
    """Far words all alike: every reordering is the same text, so shuffling changes nothing while removing does."""
    model = models["elman"]
    text = "cat " * 8 + "chased the elusive mouse"  # target "mouse" at t = 11; k >= 3 leaves only cats beyond
    frame = ablation(model, text, -1, permutations=3, seed=7)
    shuffle = frame[frame["intervention"] == "shuffle"].set_index("distance")["delta"].abs()
    assert (shuffle.loc[3:] < 1e-12).all() and (shuffle.loc[:2] > 1e-9).all()
    assert (frame.loc[frame["intervention"] == "remove", "delta"].abs() > 1e-9).all()


def test_shuffle_is_seeded(models):
    a, b, c = (ablation(models["gru"], TEXT, -1, interventions=["shuffle"], seed=s) for s in (1, 1, 2))
    assert a.equals(b) and not a.equals(c)


def test_unk_uses_the_unk_row_not_the_hashed_vector_of_a_typed_unknown(models):
    """Replacing an unknown typed word by <unk> changes its input (hashed vector -> <unk> row), so it moves log P."""
    model = models["elman"]
    text = "the zorblax cat chased the mouse"
    tokens, ids = model.tokens_and_ids(text)
    assert int(ids[1]) == 0  # "zorblax" is typed, unknown, and gets a hashed vector
    frame = ablation(model, text, -1)
    k = len(tokens) - 1 - 1
    expect = logprob_by_hand(model, tokens[:-1], int(ids[-1]), unk_at=1)
    assert row(frame, "unk", k)["logprob"] == pytest.approx(expect, abs=1e-9)
    assert abs(row(frame, "unk", k)["delta"]) > 1e-9


def test_one_hot_models_put_the_unk_one_hot_in(models):
    model = build_model(ModelConfig(one_hot=True, hidden_size=8))
    tokens, ids = model.tokens_and_ids(TEXT)
    frame = ablation(model, TEXT, 6, interventions=["unk"])
    assert row(frame, "unk", 2)["logprob"] == pytest.approx(logprob_by_hand(model, tokens[:6], int(ids[6]),
                                                                            unk_at=4), abs=1e-9)


@pytest.mark.parametrize("n", [1, 3, 5])
def test_a_fixed_window_ignores_every_change_beyond_it(n):
    """The output at t-1 reads positions t-n .. t-1, i.e. distances 1..n. Removing or blanking a word at k > n
    leaves that window as it was; truncating to k >= n or shuffling beyond k >= n leaves it too. Anything closer
    changes what the window holds."""
    model = build_model(ModelConfig(arch="window", window=n, hidden_size=8))
    frame = ablation(model, lecture.DANCING)
    for kind in INTERVENTIONS:
        g = frame[frame["intervention"] == kind].set_index("distance")["delta"]
        reach = n if kind in ("remove", "unk") else n - 1  # the last distance at which the window can change
        assert (g[g.index > reach].abs() < 1e-12).all(), kind
        if kind != "shuffle":  # a reorder may put an equal word (",") into the window by chance
            assert (g[g.index <= reach].abs() > 1e-9).all(), kind


def test_a_contracting_elman_network_forgets_removed_words_geometrically():
    """‖W_hh‖₂ = 0.1 and tanh is 1-Lipschitz: removing the word at k >= 2 moves h_{t-1} by at most 2√H·0.1^(k-1),
    and |Δ log p| <= 2 ‖Δz‖_∞ <= 2 ‖W_zh‖₂ ‖Δh‖."""
    H = 16
    model = build_model(ModelConfig(hidden_size=H, spectral_radius=0.1))
    frame = ablation(model, lecture.DANCING, interventions=["remove"]).set_index("distance")
    delta = frame["delta"].abs()
    blocks = [delta.loc[k:k + 2].max() for k in (1, 4, 7)]  # single steps may rise (another word, another
    assert blocks == sorted(blocks, reverse=True)  # direction), three steps at a time it falls by decades
    bound = 4 * math.sqrt(H) * torch.linalg.matrix_norm(model.W_zh.detach().double(), 2).item()
    k = delta.index.to_numpy()
    assert (delta.loc[2:].to_numpy() <= bound * 0.1 ** (k[1:] - 1) + 1e-13).all()
    assert delta.loc[1] > 1e-3


def test_removing_the_only_context_word_has_no_prediction(models):
    frame = ablation(models["elman"], "the cat", 1)
    assert math.isnan(row(frame, "remove", 1)["logprob"]) and not math.isnan(row(frame, "unk", 1)["logprob"])


def test_bidirectional_and_bad_arguments_are_refused():
    bi = build_model(ModelConfig(bidirectional=True, hidden_size=4))
    with pytest.raises(ValueError, match="bidirectional"):
        ablation(bi, TEXT)
    with pytest.raises(ValueError, match="bidirectional"):
        ablation_gradients(bi, TEXT)
    model = build_model(ModelConfig(hidden_size=4))
    with pytest.raises(ValueError, match="intervention"):
        ablation(model, TEXT, interventions=["blur"])
    with pytest.raises(ValueError, match="permutation"):
        ablation(model, TEXT, permutations=0)
    with pytest.raises(ValueError, match="out of range"):
        ablation(model, TEXT, 0)


def test_gradients_share_the_default_target_and_are_input_gradients_of_log_p(models):
    model = models["lstm"]
    g = ablation_gradients(model, lecture.DANCING)
    tokens, ids = model.tokens_and_ids(lecture.DANCING)
    t = default_target(tokens)
    assert sorted(g["distance"]) == list(range(1, t + 1))
    reference = gradient_vs_distance(model, lecture.DANCING, t, wrt="input", quantity="logprob", word="dancing")
    assert g["grad_norm"].to_numpy() == pytest.approx(reference["grad_norm"].to_numpy(), rel=1e-12)
