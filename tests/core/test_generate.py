"""Generation against unroll: every step's distribution is the one unroll computes for the prompt and the tokens
generated so far; greedy is its argmax, a tiny temperature is greedy, top-k stays in the top k, a seed repeats."""

from __future__ import annotations

import pytest
import torch

from core import ModelConfig, build_model, unroll
from core.generate import MAX_TOKENS, Sampling, continuation_text, generate

PROMPT = {"word": "the cat sat on the", "char": "the cat sat on th"}
CONFIGS = [ModelConfig(arch=a, tokenizer=t, hidden_size=12, embed_dim=8) for a in ("elman", "lstm", "gru", "window")
           for t in ("word", "char")] + [ModelConfig(hidden_size=6, num_layers=2, bidirectional=True, embed_dim=8)]


def ids_of(model, prompt, steps) -> torch.Tensor:
    return torch.cat([model.tokens_and_ids(prompt)[1], torch.tensor([s.id for s in steps], dtype=torch.long)])


@pytest.fixture(scope="module", params=CONFIGS, ids=lambda c: f"{c.arch}-{c.tokenizer}-L{c.num_layers}")
def model(request):
    return build_model(request.param)


def test_greedy_is_the_argmax_of_unrolls_probabilities_at_every_step(model):
    prompt = PROMPT[model.config.tokenizer]
    for allow_unk in (True, False):
        steps = list(generate(model, prompt, 25, Sampling(greedy=True, allow_unk=allow_unk)))
        ids = ids_of(model, prompt, steps)
        P = len(ids) - len(steps)
        for j, step in enumerate(steps):
            probs = unroll(model, ids[: P + j]).probs[-1]  # the prompt and what was generated before step j
            if not allow_unk:
                probs = probs.clone()
                probs[0] = -1
            assert step.id == int(probs.argmax()), (j, step)
            assert step.p == pytest.approx(float(unroll(model, ids[: P + j]).probs[-1, step.id]), rel=1e-9)


def test_runners_up_are_the_next_most_likely_tokens(model):
    prompt = PROMPT[model.config.tokenizer]
    steps = list(generate(model, prompt, 5, Sampling(seed=3)))
    ids = ids_of(model, prompt, steps)
    P = len(ids) - len(steps)
    for j, step in enumerate(steps):
        probs = unroll(model, ids[: P + j]).probs[-1]
        order = [i for i in probs.argsort(descending=True).tolist() if i != step.id][:3]
        assert [tok for tok, _ in step.runners_up] == [model.vocab.itos[i] for i in order]
        assert all(p >= q for (_, p), (_, q) in zip(step.runners_up, step.runners_up[1:]))


def test_a_seed_gives_the_same_continuation_and_another_seed_another(model):
    prompt = PROMPT[model.config.tokenizer]
    a, b = (list(generate(model, prompt, 40, Sampling(temperature=2.0, seed=7))) for _ in range(2))
    assert a == b
    c = list(generate(model, prompt, 40, Sampling(temperature=2.0, seed=8)))
    assert [s.id for s in a] != [s.id for s in c]


def test_a_temperature_near_zero_is_greedy(model):
    prompt = PROMPT[model.config.tokenizer]
    greedy = [s.id for s in generate(model, prompt, 30, Sampling(greedy=True))]
    for seed in range(3):
        cold = [s.id for s in generate(model, prompt, 30, Sampling(temperature=1e-6, seed=seed))]
        assert cold == greedy
    warm = [s.id for s in generate(model, prompt, 30, Sampling(temperature=5.0, seed=0))]
    assert warm != greedy, "a hot temperature really samples (else the test above proves nothing)"


@pytest.mark.parametrize("k", [1, 2, 5])
def test_top_k_never_emits_a_token_outside_the_top_k(model, k):
    prompt = PROMPT[model.config.tokenizer]
    steps = list(generate(model, prompt, 60, Sampling(temperature=10.0, top_k=k, seed=1, allow_unk=True)))
    ids = ids_of(model, prompt, steps)
    P = len(ids) - len(steps)
    ranks = []
    for j, step in enumerate(steps):  # prefixes: a model that reads both ways would see the future otherwise
        top = unroll(model, ids[: P + j]).probs[-1].topk(k).indices.tolist()
        assert step.id in top, (j, step, top)
        ranks.append(top.index(step.id))
    if k > 1:
        assert len(set(ranks)) > 1, "at a high temperature more than the first choice is drawn"


def test_the_continuation_unrolls_as_the_same_tokens():
    """Putting prompt + continuation into the text box gives back the generated tokens (what every page unrolls)."""
    for tokenizer in ("char", "word"):
        model = build_model(ModelConfig(tokenizer=tokenizer, hidden_size=8))
        prompt = PROMPT[tokenizer]
        steps = list(generate(model, prompt, 30, Sampling(seed=2)))
        text = prompt + continuation_text(tokenizer, prompt, steps)
        tokens = model.tokens_and_ids(text)[0]
        assert [model.vocab.key(t) for t in tokens[-30:]] == [s.token for s in steps]
        assert "<unk>" not in [s.token for s in steps], "<unk> is no word to write (allow_unk=False)"


def test_bad_requests_are_refused_before_any_token():
    model = build_model(ModelConfig(hidden_size=4))
    with pytest.raises(ValueError, match="nothing to continue"):
        generate(model, "   ", 5)
    with pytest.raises(ValueError, match="1..1000"):
        generate(model, "the", MAX_TOKENS + 1)
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="temperature"):
            Sampling(temperature=bad)
    with pytest.raises(ValueError, match="top_k"):
        Sampling(top_k=-1)
