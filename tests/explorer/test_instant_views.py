"""The data the in-browser views get: every step of the Unroll player, every row of the reach strip."""

from __future__ import annotations

import math

import numpy as np

from core import ModelConfig, build_model, unroll
from core.trace import elman_terms, elman_terms_all
from explorer import reach_strip, unroll_player


def test_elman_terms_all_is_elman_terms_at_every_step():
    model = build_model(ModelConfig(hidden_size=8))
    trace = unroll(model, "the cat sat on the mat")
    every = elman_terms_all(model, trace)
    for t in range(len(trace)):
        for name, term in elman_terms(model, trace, t).items():
            assert np.allclose(every[name][t], term)


def test_player_data_holds_every_step_and_clamps_the_step():
    model = build_model(ModelConfig(hidden_size=8))
    trace = unroll(model, "the cat sat on the zzzq")
    data = unroll_player.player_data(trace, elman_terms_all(model, trace), 99, trained=False)
    T = len(trace)
    assert data["step"] == T - 1 and data["tokens"][-1] == "zzzq" and data["known"][-1] is False
    assert len(data["top_words"]) == T and all(len(w) == unroll_player.TOP_K for w in data["top_words"])
    assert data["next"] == ["cat", "sat", "on", "the", "<unk>", None], "the next word as the network reads it"
    assert data["next_typed"][-2] == "zzzq" and data["unit"] == "word" and data["vocab_size"] == len(trace.vocab)
    u = np.array(data["terms"]["u_t"])
    assert u.shape == (T, unroll_player.ROWS)
    assert np.allclose(u, np.array(data["terms"]["W_hx x_t"]) + data["terms"]["W_hh h_prev"] + np.array(
        data["terms"]["b_h"]), atol=2e-3)
    gru = build_model(ModelConfig(arch="gru", hidden_size=8))
    assert unroll_player.player_data(unroll(gru, "a b"), None, 0, trained=False)["terms"] is None


def test_a_character_model_names_the_next_character_in_its_own_case():
    model = build_model(ModelConfig(tokenizer="char", hidden_size=8))
    trace = unroll(model, "He said. The End")
    data = unroll_player.player_data(trace, None, 0, trained=False)
    step = data["tokens"].index("T") - 1
    assert data["next"][step] == "T" == data["next_typed"][step], "characters are case-sensitive"
    assert data["unit"] == "character"


def test_the_player_download_is_one_offline_page_whatever_the_text_says():
    model = build_model(ModelConfig(hidden_size=4))
    trace = unroll(model, "a </script><b>x</b>")
    page = unroll_player.standalone_html(unroll_player.player_data(trace, None, 0, trained=False))
    assert page.count("</script>") == 1 and "http" not in page.split("<script>")[1]


def test_reach_rows_slice_the_map_row_that_predicts_each_word():
    L = np.log10(np.tril(np.arange(1, 17, dtype=float).reshape(4, 4)))
    L[3, 0] = math.nan
    L[2, 0] = math.inf
    rows = reach_strip.reach_rows(L)
    assert rows[0] == [] and rows[1] == [round(L[0, 0], 2)]
    assert rows[3][0] == reach_strip.OVERFLOW and rows[2] == [round(L[1, 0], 2), round(L[1, 1], 2)]
    assert reach_strip.reach_rows_of([-math.inf, math.nan]) == [reach_strip.ZERO, None]


def test_strip_data_keeps_words_whole_for_characters_and_a_fixed_scale():
    chars = list("they tuned")
    data = reach_strip.strip_data(chars, [[]] * len(chars), target=9, cue=None, quantity="q", hover=True)
    assert data["chars"] and not reach_strip.char_level(["they", "tuned"])
    words = reach_strip.strip_data(["a", "b"], {1: [-3.0]}, target=1, cue=0, quantity="q", hover=False)
    assert words["rows"] == {"1": [-3.0]} and (words["lo"], words["hi"]) == (data["lo"], data["hi"])
    assert len(words["ticks"]) <= 6 and words["ticks"] == sorted(words["ticks"])
