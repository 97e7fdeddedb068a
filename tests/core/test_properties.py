"""Property-based robustness of the tokenizers and the public API: any text (emoji, right-to-left scripts,
combining marks, control characters, NUL, lone surrogates, markup) and any small size either works, with
shapes that match the token count and inf/NaN reported as such, or is refused with a ValueError that says why.
Never another exception type."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core import ModelConfig, Vocab, build_model, gradient_vs_distance, jacobian_norms, lecture, unroll
from core.models.config import ACTIVATIONS, ARCHS, COMBINES, INITS, SEEDS
from core.text import UNK, CharTokenizer, WordTokenizer, get_tokenizer, hashed_vector

FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The characters people paste by accident or on purpose, so that short texts hit them often.
HOSTILE = ["\x00", "\x07", "\x1b", "\x7f", "\u200b", "\u200f", "\u202e", "\u2028", "\ufeff", "\u0301", "\u0308",
           "\u20d7", "🦓", "ש", "ל", "ו", "ם", "م", "ر", "ح", "ب", "İ", "ß", "ﬁ", "Σ", "ς", "\ud800",
           "\udfff", "<", ">", "/", "=", "'", "-", "\"", "&", " ", "\t", "\n", "\r"]
FRAGMENTS = ["the", "cat", "Cat", "don't", "I've", "it's", "well-known", "n't", "<script>alert(1)</script>",
             "<img src=x onerror=alert(1)>", "e\u0301", "שלום", "مرحبا", "zyzzyva", "quokka", "<unk>", "UNK", "--",
             "'s", "'", "-", " ", "  ", "\n", ".", "?!", "3.14", "👩‍👩‍👧", "🇮🇪"]
HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),  # anything Unicode has, control characters and NUL included
    st.text(st.sampled_from(HOSTILE + list("ab")), max_size=30),
    st.lists(st.sampled_from(FRAGMENTS + HOSTILE), max_size=12).map("".join),
)
TOKENIZERS = [WordTokenizer(), CharTokenizer()]


# --- Tokenizers ---------------------------------------------------------------------------------------------------

@FEW
@given(HOSTILE_TEXT)
@pytest.mark.parametrize("tok", TOKENIZERS, ids=lambda t: t.name)
def test_spans_point_back_into_the_text_in_order(tok, text):
    tokens, spans = tok.tokenize(text), tok.spans(text)
    assert [text[a:b] for a, b in spans] == tokens
    assert all(0 <= a < b <= len(text) for a, b in spans), "every token is non-empty and inside the text"
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:])), "in order, never overlapping"
    if tok.name == "char":
        assert tokens == list(text)
    else:
        assert not any(ch.isspace() for t in tokens for ch in t), "whitespace separates, it is never a token"
        assert "".join(tokens) == "".join(text.split()), "every visible character is in some token"


@FEW
@given(HOSTILE_TEXT, st.data())
@pytest.mark.parametrize("tok", TOKENIZERS, ids=lambda t: t.name)
def test_a_prefix_cut_after_token_k_tokenizes_to_the_first_k_tokens(tok, text, data):
    """What text_input.cap_tokens relies on to keep the first MAX_TOKENS tokens of a long text."""
    tokens, spans = tok.tokenize(text), tok.spans(text)
    assume(tokens)
    k = data.draw(st.integers(1, len(tokens)), label="k")
    assert tok.tokenize(text[: spans[k - 1][1]]) == tokens[:k]


@FEW
@given(HOSTILE_TEXT, HOSTILE_TEXT)
@pytest.mark.parametrize("lowercase", [True, False], ids=["word-vocab", "char-vocab"])
def test_vocab_ids_are_in_range_and_case_is_handled_one_way(lowercase, corpus, text):
    tok = get_tokenizer("word" if lowercase else "char")
    vocab = Vocab.from_texts([corpus, "the cat sat"], tok, lowercase=lowercase)
    tokens = tok.tokenize(text)
    ids = vocab.encode(tokens)
    assert ids.dtype == torch.long and ids.shape == (len(tokens),)
    assert ((ids >= 0) & (ids < len(vocab))).all()
    for t, i in zip(tokens, ids.tolist()):
        assert (i != 0) == (t in vocab and vocab.key(t) != UNK), "id 0 exactly when unknown"
        assert vocab.decode([i]) == [vocab.key(t) if i else UNK]
        if lowercase:
            assert vocab.encode([t.lower()]).item() == i, "a word vocabulary ignores case"
            torch.testing.assert_close(hashed_vector(t, 4), hashed_vector(t.lower(), 4))
    if not lowercase and "A" in vocab and "a" in vocab:
        assert vocab.encode(["A"]).item() != vocab.encode(["a"]).item(), "characters keep their case"


@FEW
@given(HOSTILE_TEXT, st.integers(1, 16), st.integers(*SEEDS))
def test_hashed_vectors_are_fixed_finite_and_defined_for_any_string(token, dim, seed):
    v = hashed_vector(token, dim, seed)
    assert v.shape == (dim,) and torch.isfinite(v).all()
    torch.testing.assert_close(v, hashed_vector(token, dim, seed))


# --- ModelConfig --------------------------------------------------------------------------------------------------

ODD = st.one_of(st.integers(-3, 10), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                st.none(), st.text(max_size=3), st.just(np.int64(3)), st.just(np.float32(0.5)))
NUMERIC_FIELDS = ("embed_dim", "hidden_size", "num_layers", "window", "seed", "spectral_radius", "w_hh_scale")


@FEW
@given(st.sampled_from(NUMERIC_FIELDS), ODD)
def test_config_is_valid_or_says_why_with_a_value_error(field, value):
    try:
        config = ModelConfig(**{field: value})
    except ValueError as err:
        assert field in str(err)
        return
    value = getattr(config, field)
    if field in ("spectral_radius", "w_hh_scale"):
        assert math.isfinite(value) and value >= 0
    else:
        assert isinstance(value, int | np.integer) and not isinstance(value, bool)
        assert field == "seed" or value >= 1


@FEW
@given(st.sampled_from(("arch", "activation", "init", "combine", "tokenizer")), st.one_of(st.text(max_size=8),
                                                                                         st.integers(), st.none()))
def test_config_choices_outside_their_lists_are_value_errors(field, value):
    allowed = {"arch": ARCHS, "activation": ACTIVATIONS, "init": INITS, "combine": COMBINES,
               "tokenizer": ("word", "char")}[field]
    if value in allowed:
        assert getattr(ModelConfig(**{field: value}), field) == value
    else:
        with pytest.raises(ValueError, match=field):
            ModelConfig(**{field: value})


@FEWER
@given(st.dictionaries(st.sampled_from(NUMERIC_FIELDS), st.one_of(st.integers(-2, 6), st.floats(-1, 6),
                                                                 st.booleans(), st.just(np.int64(2))), max_size=4))
def test_a_valid_small_config_always_builds_and_unrolls(changes):
    try:
        config = ModelConfig(**changes)
    except ValueError:
        return
    trace = unroll(build_model(config), "the cat sat on the mat")
    assert len(trace) == 6


# --- The public API on arbitrary text ----------------------------------------------------------------------------

@st.composite
def configs(draw) -> ModelConfig:
    arch = draw(st.sampled_from(ARCHS))
    recurrent = arch != "window"
    return ModelConfig(
        arch=arch, tokenizer=draw(st.sampled_from(("word", "char"))), embed_dim=draw(st.integers(1, 6)),
        one_hot=draw(st.booleans()), hidden_size=draw(st.integers(1, 6)),
        num_layers=draw(st.integers(1, 2)) if recurrent else 1,
        bidirectional=draw(st.booleans()) if recurrent else False, combine=draw(st.sampled_from(COMBINES)),
        activation=draw(st.sampled_from(ACTIVATIONS)), init=draw(st.sampled_from(INITS)),
        spectral_radius=draw(st.floats(0, 6)), window=draw(st.integers(1, 4)), seed=draw(st.integers(0, 2**31)),
        w_hh_scale=draw(st.sampled_from((1.0, 0.0, 50.0))),  # 50: an exploding network more often than not
    )


def refused_if_not_unicode(call, text: str, match: str = "surrogate") -> bool:
    """A lone surrogate (a Python string can hold one; no file or browser can) is refused with a ValueError."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(ValueError, match=match):
            call()
        return True
    return False


def all_finite_or_flagged(trace) -> None:
    values = [trace.z, *trace.states.values()]
    assert trace.finite == all(bool(torch.isfinite(v).all()) for v in values)


@FEW
@given(configs(), HOSTILE_TEXT)
def test_unroll_shapes_follow_the_tokens_and_overflow_is_flagged_not_raised(config, text):
    model = build_model(config)
    if refused_if_not_unicode(lambda: unroll(model, text), text):
        return
    tokens = model.tokenizer.tokenize(text)
    if not tokens:
        with pytest.raises(ValueError, match="nothing to unroll"):
            unroll(model, text)
        return
    trace = unroll(model, text)
    T, V, I = len(tokens), len(model.vocab), model.input_size
    assert trace.tokens == tuple(tokens) and len(trace) == T
    assert trace.x.shape == (T, I) and trace.z.shape == (T, V) and trace.probs.shape == (T, V)
    assert trace.loss.shape == (T,) and math.isnan(trace.loss[-1])
    assert ((trace.ids >= 0) & (trace.ids < V)).all() and torch.equal(trace.known, trace.ids != 0)
    out = config.hidden_size * (2 if config.bidirectional and config.combine == "concat" else 1)
    assert trace.output.shape == (T, out)
    if config.arch != "window":
        for layer in range(config.num_layers):
            for d in range(config.num_directions):
                assert trace.h(layer, d).shape == (T, config.hidden_size)
    all_finite_or_flagged(trace)
    rows = torch.isfinite(trace.z).all(-1)
    torch.testing.assert_close(trace.probs[rows].sum(-1), torch.ones(int(rows.sum()), dtype=trace.probs.dtype))
    assert len(trace.steps_frame()) == T


@FEWER
@given(configs(), HOSTILE_TEXT, st.integers(-12, 12), st.sampled_from(("hidden", "input")))
def test_gradient_table_matches_the_tokens_or_refuses_with_a_value_error(config, text, target, wrt):
    model = build_model(config)
    if refused_if_not_unicode(lambda: gradient_vs_distance(model, text, target=target, wrt=wrt), text,
                              match="surrogate|fixed-window"):
        return
    T = len(model.tokenizer.tokenize(text))
    t = target + T if target < 0 else target
    if not 1 <= t < T or (wrt == "hidden" and config.arch == "window"):
        with pytest.raises(ValueError):
            gradient_vs_distance(model, text, target=target, wrt=wrt)
        return
    frame = gradient_vs_distance(model, text, target=target, wrt=wrt)
    per_curve = T if config.bidirectional else t
    curves = config.num_layers * config.num_directions if wrt == "hidden" and config.arch != "window" else 1
    assert len(frame) == curves * per_curve
    assert (frame.distance == t - frame.position).all()
    norms, logs = frame.grad_norm.to_numpy(), frame.log10_grad_norm.to_numpy()
    expected = {"ok": lambda v, lg: np.isfinite(v) and v > 0, "zero": lambda v, lg: v == 0,
                "overflow": lambda v, lg: np.isinf(v), "nan": lambda v, lg: np.isnan(v),
                "underflow": lambda v, lg: v == 0 and np.isfinite(lg)}
    for status, v, lg in zip(frame.status, norms, logs):
        assert expected[status](v, lg), (status, v, lg)


@FEWER
@given(st.integers(1, 5), st.sampled_from(ACTIVATIONS), st.floats(0, 6), HOSTILE_TEXT)
def test_jacobian_map_is_square_in_the_tokens_and_never_negative(H, activation, radius, text):
    model = build_model(ModelConfig(hidden_size=H, activation=activation, spectral_radius=radius, embed_dim=3))
    if refused_if_not_unicode(lambda: unroll(model, text), text):
        return
    tokens = model.tokenizer.tokenize(text)
    if not tokens:
        with pytest.raises(ValueError):
            jacobian_norms(model.core, torch.zeros(0, 3, dtype=torch.float64))
        return
    x = unroll(model, text).x
    norms = jacobian_norms(model.core, x, ord="fro")
    assert norms.shape == (len(tokens), len(tokens))
    assert not (norms < 0).any(), "a norm is >= 0, inf or NaN"
    assert (torch.triu(norms, 1) == 0).all(), "no state depends on a later one"


@pytest.mark.parametrize("refused", [
    "", "   ", "\n\t \u2028", "a \ud800 b", None, [], [-1], [10**6], [2**70], [[1, 2], [3]], ["a"],
], ids=["empty", "spaces", "whitespace", "surrogate", "None", "no ids", "negative id", "id past V", "huge id", "ragged",
        "str ids"])
def test_refused_input_is_a_value_error_with_a_reason(refused):
    model = build_model(ModelConfig(hidden_size=3))
    with pytest.raises(ValueError, match="nothing to unroll|token ids|text or token ids|surrogate"):
        unroll(model, refused)


def test_single_token_unrolls_but_has_no_gradient_to_take():
    model = build_model(ModelConfig(hidden_size=3))
    assert len(unroll(model, "zebra")) == 1
    with pytest.raises(ValueError, match="single token"):
        gradient_vs_distance(model, "zebra")


def test_a_long_text_unrolls_in_full_with_unknown_words_and_hostile_characters():
    """The API has no length cap (the app cuts at MAX_TOKENS); 3,000 tokens of every kind still unroll."""
    text = " ".join(["zyzzyva", "🦓", "שלום", "e\u0301", "\x00", "<script>", lecture.CAT_SAT] * 300)
    model = build_model(ModelConfig(hidden_size=4))
    trace = unroll(model, text)
    assert len(trace) == len(WordTokenizer().tokenize(text)) and trace.finite
    assert not bool(trace.known[0]), "an unknown word gets a hashed vector and counts as <unk>"
