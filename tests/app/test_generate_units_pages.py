"""The Generate and Units pages headless with every model the sidebar can hold (each shipped one, the untrained one,
one trained in this session that is stacked and reads both ways): no stack trace, the numbers on screen are the
data's, and the window model is told plainly that it has no state to read."""

from __future__ import annotations

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core import ModelConfig, build_model, unroll
from core import checkpoint as ckpt
from core import units as U
from core.generate import Sampling, continuation_text, generate
from explorer import catalogue
from tests.app.conftest import ROOT, live_markup
from tests.core.test_units import LINES, planted_model

GENERATE, UNITS = "pages/14_Generate.py", "pages/15_Units.py"
SHIPPED = sorted(catalogue.scan())
MINE = "mine-lstm"
N = 20


def session_model(model, key: str) -> catalogue.Entry:
    return catalogue.entry(catalogue.register(ckpt.to_bytes(model, {"corpus": "test"})), key, key)


@pytest.fixture(scope="module")
def mine() -> dict[str, catalogue.Entry]:
    """A model trained in this browser session: a two-layer LSTM on characters that reads both ways."""
    model = build_model(ModelConfig(arch="lstm", tokenizer="char", hidden_size=6, num_layers=2, bidirectional=True))
    return {MINE: session_model(model, MINE)}


def page(path: str, query: dict, session: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=180)
    at.query_params.update(query)
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def ok(at: AppTest) -> None:
    assert not at.exception, at.exception[0].message


def htmls(at: AppTest, cls: str) -> list[str]:
    return [h.proto.body for h in at.get("html") if f'class="{cls}"' in h.proto.body]


def captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def config_of(at: AppTest, key: str, mine: dict) -> ModelConfig:
    entries = catalogue.scan() | mine
    return entries[key].config if key in entries else ModelConfig(hidden_size=32, tokenizer=at.session_state["tok"])


def model_query(key: str) -> dict:
    """The link that picks a sidebar model: 'untrained-char' is the untrained network reading characters."""
    return {"model": "untrained", "tok": "char"} if key == "untrained-char" else {"model": key}


def model_of(config: ModelConfig):
    return catalogue.load(config.weights).eval() if config.weights else build_model(config)


@pytest.mark.parametrize("key", [*SHIPPED, "untrained", "untrained-char", MINE])
def test_generate_with_every_sidebar_model(key, mine):
    at = page(GENERATE, {**model_query(key), "gen.n": N, "gen.seed": 5}, {"my_models": mine})
    ok(at)
    (shown,) = htmls(at, "generated-text")
    probs = [float(p) for p in re.findall(r'data-p="([^"]+)"', shown)]
    assert len(probs) == N, "one shaded span per generated token"
    table = at.dataframe[0].value
    assert len(table) == N and np.allclose(table["p"], probs), "the shading is the table's probabilities"
    assert f"Mean probability of the chosen tokens {np.mean(probs):.3f}" in captions(at)
    config = config_of(at, key, mine)
    steps = list(generate(model_of(config), at.text_area(key="w.text").value, N,
                          Sampling(temperature=0.8, seed=5)))
    assert table["token"].tolist() == [s.token for s in steps], "the page shows core.generate's continuation"
    if config.arch == "window":
        assert "no state" in captions(at)
    if not config.weights:
        assert any("untrained" in i.value for i in at.info)


@pytest.mark.parametrize("key", [*SHIPPED, "untrained", "untrained-char", MINE])
def test_units_with_every_sidebar_model(key, mine):
    at = page(UNITS, model_query(key), {"my_models": mine})
    ok(at)
    config = config_of(at, key, mine)
    if config.arch == "window":
        assert any("no state to read" in i.value for i in at.info)
        assert not htmls(at, "unit-text")
        return
    first, *matches = htmls(at, "unit-text")
    values = np.array([float(v) for v in re.findall(r'data-v="([^"]+)"', first)])
    assert len(values) == len(unroll(model_of(config), U.held_out_passage()))
    verdicts = [m.value for m in [*at.success, *at.info] if "follow" in m.value or "never changes" in m.value]
    assert len(verdicts) == 1, "the ranking says in words what it found"


def test_the_unit_colouring_is_the_traces_values_for_the_chosen_unit(mine):
    at = page(UNITS, {"model": MINE, "units.layer": 1, "units.dir": 1, "units.key": "c", "units.index": 4},
              {"my_models": mine})
    ok(at)
    trace = unroll(model_of(mine[MINE].config), U.held_out_passage())
    first = htmls(at, "unit-text")[0]
    values = np.array([float(v) for v in re.findall(r'data-v="([^"]+)"', first)])
    assert np.array_equal(values, trace.get("c", 1, 1)[:, 4].numpy())
    assert not np.array_equal(values, trace.get("c", 1, 0)[:, 4].numpy()), "the other direction differs"
    bound = U.colour_bound(trace.config, "c", trace.get("c", 1, 1).numpy())[0]
    assert f"±{bound:.3g}" in captions(at), "the scale states its bound"


def test_a_link_past_this_models_units_is_kept_inside_it():
    at = page(UNITS, {"model": "untrained", "hidden": 8, "units.index": 300, "units.layer": 3})
    ok(at)
    assert at.session_state["units.index"] == 7 and at.session_state["units.layer"] == 0


def test_the_verdict_is_the_ranking_of_the_data_and_the_best_unit_can_be_shown():
    at = page(UNITS, {"model": "untrained", "hidden": 8})
    ok(at)
    model = build_model(ModelConfig(hidden_size=8))
    passage = U.held_out_passage()
    trace = unroll(model, passage)
    f = U.feature("line_position", passage, U.spans(trace, passage), trace.tokens)
    v = U.verdict(U.rank_units(trace, f), f)
    assert v.sentence("position in the line") in [m.value for m in [*at.info, *at.success]]
    at.button(key="units.best").click().run()
    ok(at)
    assert f"l0.fwd.h[{at.session_state['units.index']}]" == v.best


def test_a_planted_line_position_unit_is_found_on_the_page():
    model = planted_model()
    at = page(UNITS, {"model": "planted", "units.passage": "text", "preset": "custom", "text": LINES},
              {"my_models": {"planted": session_model(model, "planted")}})
    ok(at)
    (best,) = [s.value for s in at.success]
    assert "the best is l0.fwd.h[3]" in best
    at.button(key="units.best").click().run()
    assert at.session_state["units.index"] == 3


def test_the_window_model_generates_and_unroll_this_continuation_fills_the_text_box():
    key = next((k for k in SHIPPED if k.startswith("window")), None)
    query = {"model": key} if key else {"model": "untrained"}
    at = page(GENERATE, {**query, "gen.n": N, "gen.method": "greedy", "preset": "custom", "text": "the cat sat on"})
    ok(at)
    table = at.dataframe[0].value
    at.button(key="gen.unroll").click().run()
    ok(at)
    config = config_of(at, query["model"], {})
    steps = list(generate(model_of(config), "the cat sat on", N, Sampling(greedy=True)))
    assert table["token"].tolist() == [s.token for s in steps]
    assert at.session_state["preset"] == "custom"
    assert at.session_state["text"] == "the cat sat on" + continuation_text(config.tokenizer, "the cat sat on", steps)


def test_side_by_side_continues_with_three_networks():
    at = page(GENERATE, {"model": "untrained", "hidden": 8, "gen.n": N, "gen.compare": 1})
    ok(at)
    assert len(htmls(at, "generated-text")) == 4, "the sidebar's model, then Elman, LSTM and GRU"
    heads = [m.value for m in at.markdown if m.value.startswith("**")]
    assert [h.split("**")[1] for h in heads] == ["Elman", "LSTM", "GRU"]


def test_a_seeded_link_gives_the_same_continuation_and_greedy_ignores_the_seed():
    def tokens(query):
        return page(GENERATE, {"model": "untrained", "gen.n": N, **query}).dataframe[0].value["token"].tolist()

    assert tokens({"gen.seed": 1}) == tokens({"gen.seed": 1})
    assert tokens({"gen.seed": 1, "gen.temp": 3}) != tokens({"gen.seed": 2, "gen.temp": 3})
    assert tokens({"gen.method": "greedy", "gen.seed": 1}) == tokens({"gen.method": "greedy", "gen.seed": 2})


def test_an_exploding_network_gets_a_message_not_a_trace():
    at = page(GENERATE, {"model": "untrained", "act": "relu", "init": "identity", "rho": "4", "hidden": "8",
                         "tok": "char", "preset": "custom", "text": "word " * 130, "gen.n": N})
    ok(at)
    assert any("overflowed" in e.value for e in at.error)


def assert_no_live_markup(at: AppTest) -> None:
    for el in at.get("html"):
        assert not live_markup(el.proto.body), "typed markup reaches st.html escaped"


def test_hostile_text_and_a_markup_vocabulary_are_shown_as_text():
    from tests.app.test_robustness import IMG, SCRIPT, SOUP, markup_model

    for path in (GENERATE, UNITS):
        at = page(path, {"model": "untrained", "hidden": 8, "preset": "custom", "text": SOUP, "units.passage": "text",
                         "gen.n": N})
        ok(at)
        assert_no_live_markup(at)
        assert any("&lt;" in el.proto.body and "script" in el.proto.body for el in at.get("html"))
    at = page(GENERATE, {"model": "mine-markup", "preset": "custom", "text": "the cat", "gen.method": "greedy",
                         "gen.n": 3}, {"my_models": {"mine-markup": markup_model()}})
    ok(at)
    assert_no_live_markup(at)
    assert set(at.dataframe[0].value["token"]) <= {SCRIPT, IMG}, "the markup tokens are generated, as data"
