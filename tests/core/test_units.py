"""Unit reading: features computed from the text by hand, a unit planted to count the line position ranks first,
the verdict speaks from the numbers, and select-and-match finds the places where the same units are on."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core import ModelConfig, build_model, unroll
from core import units as U
from core.text import Vocab

TEXT = "ab, (cd) e\nfgh \"i\" j.\nk"
LINES = "the cat sat\non the mat\nand a long line that goes on\nshort\n" * 3


def char_feature(name, text=TEXT, **kw):
    spans = [(i, i + 1) for i in range(len(text))]
    return U.feature(name, text, spans, list(text), **kw)


def test_features_by_hand():
    lp = char_feature("line_position")
    assert lp[TEXT.index("f")] == 0 and lp[TEXT.index("g")] == 1 and lp[TEXT.index("e")] == TEXT.index("e")
    inside = char_feature("in_brackets")
    assert inside[TEXT.index("c")] == 1 and inside[TEXT.index("i")] == 1
    assert inside[TEXT.index("a")] == 0 and inside[TEXT.index("e")] == 0 and inside[TEXT.index("j")] == 0
    wp = char_feature("word_position")
    assert [wp[TEXT.index(ch)] for ch in "fgh"] == [0, 1, 2] and wp[TEXT.index(" ")] == 0
    after = char_feature("after_punctuation")
    assert after[TEXT.index("(")] == 1, "the comma then a space: '(' comes just after punctuation"
    assert after[TEXT.index("k")] == 1 and after[TEXT.index("b")] == 0
    seen = char_feature("seen_recently", target="c", k=3)
    c = TEXT.index("c")
    assert seen[c - 1] == 0 and seen[c:c + 3].tolist() == [1, 1, 1] and seen[c + 3] == 0


def test_word_model_features_use_the_token_spans():
    text = "The cat, the dog\nand the bird"
    model = build_model(ModelConfig(hidden_size=4))
    trace = unroll(model, text)
    spans = U.spans(trace, text)
    lp = U.feature("line_position", text, spans, trace.tokens)
    assert lp.tolist() == [0, 4, 7, 9, 13, 0, 4, 8]
    seen = U.feature("seen_recently", text, spans, trace.tokens, target="the", k=2)
    assert seen.tolist() == [1, 1, 0, 1, 1, 0, 1, 1], "case is ignored"
    with pytest.raises(ValueError, match="not unrolled from this text"):
        U.spans(trace, text + " more")


def planted_model():
    """A character Elman network whose unit 3 counts the position in the line: relu, u_3 = h_3 + 1 unless the
    input is a newline, which resets it to 0 (so it reads position + 1, and 0 on the newline itself). Every other
    unit keeps its random weights."""
    vocab = Vocab(sorted(set(LINES)), lowercase=False)
    model = build_model(ModelConfig(tokenizer="char", hidden_size=8, activation="relu", embed_dim=8, seed=1), vocab)
    cell = model.core.cell(0, 0)
    newline = vocab.stoi["\n"]
    with torch.no_grad():
        emb = model.embedding.weight  # (V, I)
        emb[:, 0] = 0.0
        emb[newline, 0] = 1.0  # input feature 0 says "this is a newline"
        cell.W_hh[3].zero_()
        cell.W_hh[3, 3] = 1.0
        cell.W_hx[3].zero_()
        cell.W_hx[3, 0] = -1e6  # a newline drives u_3 far below 0: relu resets the count
        cell.b_h[3] = 1.0
    return model


def test_the_ranking_recovers_a_planted_line_position_unit():
    text = LINES
    model = planted_model()
    trace = unroll(model, text)
    f = U.feature("line_position", text, U.spans(trace, text), trace.tokens)
    ranking = U.rank_units(trace, f)
    assert ranking.iloc[0]["index"] == 3
    r = ranking.iloc[0]["r"]
    assert r > 0.8 and ranking.iloc[1]["abs_r"] < r
    v = U.verdict(ranking, f)
    assert v.follows and v.best == "l0.fwd.h[3]" and f"r = {r:+.2f}" in v.sentence("position in the line")
    unplanted = U.rank_units(unroll(build_model(model.config, model.vocab), text), f)
    assert unplanted.iloc[0]["abs_r"] < r, "the planted unit, not chance, tops the ranking"


def test_the_verdict_says_when_nothing_follows_and_when_nothing_changes():
    rng = np.random.default_rng(0)
    model = build_model(ModelConfig(hidden_size=4))
    trace = unroll(model, " ".join(["the cat sat"] * 30))
    weak = rng.normal(size=len(trace))
    v = U.verdict(U.rank_units(trace, weak), weak)
    best = U.rank_units(trace, weak).iloc[0]["abs_r"]
    assert not v.follows and f"|r| = {best:.2f}" in v.sentence("noise") and "No unit follows" in v.sentence("x")
    flat = np.zeros(len(trace))
    assert U.verdict(U.rank_units(trace, flat), flat).constant
    assert "never changes" in U.verdict(U.rank_units(trace, flat), flat).sentence("x")


def test_correlations_match_numpy():
    rng = np.random.default_rng(1)
    acts, f = rng.normal(size=(50, 6)), rng.normal(size=50)
    acts[:, 2] = 3.0  # a unit that never changes has no correlation
    r = U.correlations(acts, f)
    for i in (0, 1, 3, 4, 5):
        assert r[i] == pytest.approx(np.corrcoef(acts[:, i], f)[0, 1])
    assert np.isnan(r[2])


def test_select_and_match_finds_where_the_same_units_are_on_together():
    acts = np.zeros((20, 4))
    acts[2:5, [0, 2]] = 1.0  # the selection
    acts[10:13, [0, 2]] = 1.0  # the same pattern again
    acts[15:16, 0] = 1.0  # only one of the two units: no match
    acts[17:19, [0, 1, 2]] = 1.0  # both (and one more), shorter
    assert U.units_on(acts, 2, 5, 0.5) == [0, 2]
    found = U.matches(acts, [0, 2], 0.5, length=3)
    assert found[["start", "end"]].values.tolist() == [[2, 5], [10, 13], [17, 19]]
    assert U.matches(acts, [], 0.5, 3).empty
    with pytest.raises(ValueError, match="not inside"):
        U.units_on(acts, 5, 30, 0.5)


def test_the_selection_itself_is_no_match_and_leaves_its_place_to_another():
    acts = np.zeros((40, 2))
    for start in range(0, 40, 3):  # 14 runs of one step, every third step
        acts[start, :] = 1.0
    found = U.matches(acts, [0, 1], 0.5, length=1, limit=10, selected=(9, 9))
    assert len(found) == 10 and 9 not in found["start"].tolist()
    assert found["start"].tolist() == [0, 3, 6, 12, 15, 18, 21, 24, 27, 30]
    assert 9 in U.matches(acts, [0, 1], 0.5, length=1)["start"].tolist()


def test_a_selection_comes_from_the_link_else_around_the_units_peak():
    v = np.zeros(20)
    v[11] = 3.0
    assert U.selection("3-5", 20, v) == (3, 5)
    assert U.selection("4-4", 20, v) == (4, 4)
    for bad in ("", "5-3", "3-25", "-1-4", "a-b", "3"):
        assert U.selection(bad, 20, v) == (9, 13), bad
    v[11], v[0] = 0.0, 7.0
    assert U.selection("", 20, v) == (0, 2), "clipped at the first step"
    assert U.selection("", 20, np.full(20, np.nan)) == (0, 2)
    assert U.selection("", 3, np.array([0.0, 0.0, 1.0])) == (0, 2), "clipped at the last step"


@pytest.mark.parametrize("tokenizer", ["word", "char"])
def test_the_gaps_between_tokens_give_the_text_back(tokenizer):
    from core.text import get_tokenizer

    text = "To be,  or not\nto be: that"
    spans = get_tokenizer(tokenizer).spans(text)
    g = U.gaps(text, spans)
    assert "".join(gap + text[a:b] for gap, (a, b) in zip(g, spans, strict=True)) == text[:spans[-1][1]]
    if tokenizer == "word":
        assert g[:4] == ["", " ", "", "  "] and "\n" in g


def test_the_held_out_passage_is_from_the_test_split_and_ends_a_line():
    from core.data import shakespeare

    passage = U.held_out_passage()
    assert shakespeare().test.startswith(passage) and passage.endswith("\n")
    assert passage not in shakespeare().train


def test_the_colour_scale_is_the_activations_range_or_a_percentile_of_the_passage():
    acts = np.array([[0.5, -3.0], [2.0, 1.0]])
    assert U.colour_bound(ModelConfig(), "h", acts)[0] == 1.0
    assert U.colour_bound(ModelConfig(arch="gru"), "h", acts)[0] == 1.0
    bound, why = U.colour_bound(ModelConfig(arch="lstm"), "c", acts)
    assert bound == pytest.approx(np.percentile([0.5, 3.0, 2.0, 1.0], U.SCALE_PERCENTILE))
    assert f"±{bound:.3g}" in why and "cell state" in why
    many = np.concatenate([np.linspace(-1, 1, 1000), [50.0]])[:, None]  # one extreme value does not set the scale
    assert U.colour_bound(ModelConfig(activation="relu"), "h", many)[0] < 2
    assert U.colour_bound(ModelConfig(activation="relu"), "h", np.array([[np.inf, 0.25]]))[0] == 0.25
    assert U.colour_bound(ModelConfig(activation="relu"), "h", np.zeros((3, 2)))[0] == 1.0
