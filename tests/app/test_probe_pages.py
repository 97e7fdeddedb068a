"""The probe pages headless: the ablation chart has one column per architecture, edge inputs get messages instead of
charts, a run trained on the page joins the cached sweep, and the reproduction page reads its table from the CSV."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from core import ModelConfig
from core.probes import lag_sweep as ls
from explorer import catalogue
from tests.app.conftest import ROOT, plotly_figures, run_page, settle

PROBES, LAGS = "pages/9_Long_range_probes.py", "pages/13_Long_time_lags.py"
UNTRAINED = {"model": "untrained", "hidden": "8"}
ABLATION, SWEEP = "What the prediction of", "How far back each architecture"


def titled(at, start: str) -> list[dict]:
    return [f for f in plotly_figures(at) if f["layout"]["title"]["text"].startswith(start)]


def infos(at) -> str:
    return " ".join(i.value for i in at.info)


def test_the_probe_page_draws_ablation_for_three_networks_and_the_sweep():
    at = settle(run_page(PROBES, query=UNTRAINED))  # the ablation is a job: the page draws it once it is done
    assert not at.exception, at.exception[0].message
    (fig,) = titled(at, ABLATION)
    assert "dancing" in fig["layout"]["title"]["text"], "the default target is the passage's last word"
    columns = {a["text"] for a in fig["layout"]["annotations"]}
    assert {"Elman RNN", "LSTM", "GRU"} <= columns
    assert len(titled(at, SWEEP)) == 1
    assert len(at.download_button) == 2 * len(plotly_figures(at)), "every chart offers CSV and HTML"
    assert any("untrained, H = 8" in c.value for c in at.caption)


@pytest.mark.parametrize(("text", "message"), [("", "Type a sentence"), ("hello", "at least two tokens"),
                                               ("word " * 300, "has 299 words before it")])
def test_edge_texts_get_a_message_and_the_sweep_stays(text, message):
    at = run_page(PROBES, query={**UNTRAINED, "preset": "custom", "text": text})
    assert not at.exception, at.exception[0].message
    assert message in infos(at), infos(at)
    assert not titled(at, ABLATION)
    assert len(titled(at, SWEEP)) == 1


def test_a_long_character_text_counts_characters():
    at = run_page(PROBES, query={**UNTRAINED, "tok": "char", "preset": "custom", "text": "ab " * 100})
    assert not at.exception, at.exception[0].message
    assert "has 298 characters before it" in infos(at) and "first 100 tokens" in infos(at), infos(at)


def test_a_bidirectional_model_is_refused_unless_trained_siblings_stand_in():
    """A trained model of this session that reads both ways: its siblings are the pretrained one-way models where
    they exist, else untrained two-way ones, which ablation cannot probe."""
    at = AppTest.from_file(str(ROOT / PROBES), default_timeout=60)
    mine = ModelConfig(hidden_size=8, bidirectional=True, weights="f" * 64)
    at.session_state["my_models"] = {"mine": catalogue.Entry("mine", "Mine", mine)}
    at.query_params.update({"model": "mine"})
    settle(at.run())
    assert not at.exception, at.exception[0].message
    pretrained = {e.config.arch for e in catalogue.scan().values() if e.config.tokenizer == "word"}
    one_way = pretrained >= {"elman", "lstm", "gru"}
    assert ("bidirectional" in infos(at)) != one_way
    assert bool(titled(at, ABLATION)) == one_way


def test_a_run_trained_on_the_page_is_shown_beside_the_cached_ones():
    """Same settings and seed as the cached sweep, so the page's run reproduces the cached one."""
    at = run_page(PROBES, query={**UNTRAINED, "preset": "custom", "text": ""})
    at.selectbox(key="w.probe.live.model").set_value("GRU")
    at.number_input(key="w.probe.live.lag").set_value(5)
    at.button(key="probe.live.go").click().run()
    assert not at.exception, at.exception[0].message
    assert at.get("progress"), "it trains in the background, with a progress bar"
    settle(at)
    assert not at.exception, at.exception[0].message
    (fig,) = titled(at, SWEEP)
    assert {"GRU", "GRU · trained here"} <= {t["name"] for t in fig["data"]}
    table = at.dataframe[0].value
    assert set(table["source"]) == {"cached", "trained here"} and (table["lag"] == 5).all()
    here = table[table["source"] == "trained here"].iloc[0]
    cached = table[(table["source"] == "cached") & (table["seed"] == 0)].iloc[0]
    assert (here["accuracy"], here["steps"]) == (cached["accuracy"], cached["steps"])


def test_the_long_lags_page_shows_the_sweep_and_our_numbers():
    at = run_page(LAGS)
    assert not at.exception, at.exception[0].message
    (fig,) = titled(at, SWEEP)
    frame = pd.read_csv(ls.RESULTS)
    assert {t["name"] for t in fig["data"]} == set(frame["model"]) | {"chance"}
    table = at.dataframe[0].value
    assert list(table.index) == list(frame["model"].unique())
    assert list(table.columns) == [f"lag {lag}" for lag in sorted(frame["lag"].unique())]
    means = ls.summary(frame)
    assert table.loc["Elman", "lag 5"].startswith(f"{means.loc['Elman', 5]:.0%}")
    assert len(at.download_button) == 2


def test_the_long_lags_page_explains_a_missing_table(monkeypatch, tmp_path):
    monkeypatch.setattr(ls, "RESULTS", tmp_path / "lag_sweep.csv")
    at = run_page(LAGS)
    assert not at.exception, at.exception[0].message
    assert "python -m core.probes.lag_sweep" in infos(at)
    assert not plotly_figures(at)


def test_the_context_use_section_draws_the_cached_table_and_says_what_it_shows():
    from explorer import context_story

    curves = pd.read_csv(ROOT / "results" / "context_use.csv")
    at = run_page(PROBES, query=UNTRAINED)
    assert not at.exception, at.exception[0].message
    (fig,) = titled(at, "How much of the past")
    assert len([t for t in fig["data"] if t.get("showlegend") is not False]) == curves["model"].nunique()
    headline = context_story.headline(context_story.table(curves))
    assert any(m.value == headline for m in at.markdown), "the sentence is the one computed from the table"


def test_without_a_context_table_the_section_says_how_to_make_one(monkeypatch, tmp_path):
    from explorer import state

    monkeypatch.setattr(state, "RESULTS", tmp_path)
    at = run_page(PROBES, query=UNTRAINED)
    assert not at.exception, at.exception[0].message
    assert "python -m core.probes.context" in infos(at) and not titled(at, "How much of the past")
