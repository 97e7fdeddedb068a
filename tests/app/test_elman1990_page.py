"""The Elman (1990) page: every section drawn from the cached tables, numbers that are the tables' own, the
error measure, linkage and seed switches, the recompute button, and the figures' own promises."""

from __future__ import annotations

import pandas as pd
import pytest

from core.reproductions import elman1990 as e90
from explorer.charts import elman1990 as charts
from tests.app.conftest import ROOT, finish_jobs, plotly_figures, run_page

PAGE = "pages/10_Elman_1990.py"  # runs explorer.views.elman1990
TITLES = ("Temporal XOR", "Letter sequences", "Word boundaries", "Lexical categories")


@pytest.fixture(scope="module")
def page():
    return run_page(PAGE, timeout=120)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def purity_lines(at) -> str:
    return next(md.value for md in at.markdown if "purity of the tree's clusters" in md.value)


def cached(name: str) -> pd.DataFrame:
    return pd.read_csv(ROOT / "results" / e90.FILES[name])


def test_every_section_renders_from_the_cache(page):
    assert not page.exception
    titles = [fig["layout"]["title"]["text"] for fig in plotly_figures(page)]
    assert len(titles) == 4 and all(t.startswith(s) for t, s in zip(titles, TITLES))
    captions = " ".join(c.value for c in page.caption)
    assert captions.count("cached in results/elman1990_") == 4
    assert len(page.dataframe) == 1  # purity by seed


def test_metrics_are_the_cached_tables_means(page):
    shown = metrics(page)
    xor = e90.mean_errors(cached("xor"), "position").set_index("position")["squared_error"]
    assert [shown[f"bit {p}"] for p in (1, 2, 3)] == [f"{xor[p]:.3f}" for p in (1, 2, 3)]
    words = e90.mean_errors(cached("words"), "onset").set_index("onset")["squared_error"]
    assert shown["ratio"] == f"{words[True] / words[False]:.1f}×"
    lexicon = cached("lexicon")
    scores = e90.category_purity(lexicon[lexicon["seed"] == e90.SEEDS[0]].reset_index(drop=True), "ward")
    assert all(f"- {name}: **{v:.0%}**" in purity_lines(page) for name, v in scores.items())


def test_switches_change_the_numbers_and_the_tree():
    at = run_page(PAGE, timeout=120).radio(key="w.e90.measure").set_value("loss").run()
    assert not at.exception
    xor = e90.mean_errors(cached("xor"), "position").set_index("position")["loss"]
    assert metrics(at)["bit 3"] == f"{xor[3]:.3f}"
    assert "cross-entropy" in plotly_figures(at)[0]["layout"]["yaxis"]["title"]["text"]

    seed = e90.SEEDS[-1]
    at.selectbox(key="w.e90.method").set_value("average")
    at = at.selectbox(key="w.e90.seed").set_value(seed).run()
    assert not at.exception
    assert "average linkage" in plotly_figures(at)[3]["layout"]["xaxis"]["title"]["text"]
    lexicon = cached("lexicon")
    scores = e90.category_purity(lexicon[lexicon["seed"] == seed].reset_index(drop=True), "average")
    assert all(f"- {name}: **{v:.0%}**" in purity_lines(at) for name, v in scores.items())


def test_recompute_replaces_the_cached_table():
    at = run_page(PAGE, timeout=120)
    at = at.button(key="e90.run.words").click().run()
    assert not at.exception
    assert at.get("progress") and at.button(key="e90.run.words.stop"), "progress and Stop while it trains"
    at = finish_jobs(at)
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "recomputed here in" in captions and captions.count("cached in results/") == 3


def test_stop_ends_the_training_and_keeps_the_cached_table():
    at = run_page(PAGE, timeout=120).button(key="e90.run.lexicon").click().run()
    at = at.button(key="e90.run.lexicon.stop").click().run()
    at = finish_jobs(at)
    assert not at.exception
    assert at.session_state["_jobs"]["e90.run.lexicon"].stopped
    assert any("Stopped" in i.value for i in at.info)
    captions = " ".join(c.value for c in at.caption)
    assert "recomputed here" not in captions and captions.count("cached in results/elman1990_") == 4


def test_a_failed_recomputation_says_why_and_keeps_the_cached_table(monkeypatch):
    def broken(on_progress=None):
        on_progress(0.5)
        raise RuntimeError("the test broke this experiment")

    monkeypatch.setitem(e90.EXPERIMENTS, "xor", broken)
    at = finish_jobs(run_page(PAGE, timeout=120).button(key="e90.run.xor").click().run())
    assert not at.exception
    assert any("the test broke this experiment" in e.value for e in at.error)
    assert " ".join(c.value for c in at.caption).count("cached in results/elman1990_") == 4


def test_the_settings_come_from_the_link_and_the_seed_stays_out_of_it():
    from explorer.views import elman1990

    assert {s.key for s in elman1990.SETTINGS} == {"e90.measure", "e90.method", "e90.seed"}
    seed = e90.SEEDS[-1]
    at = run_page(PAGE, query={"e90.measure": "loss", "e90.method": "average"}, timeout=120)
    assert not at.exception
    assert "cross-entropy" in plotly_figures(at)[0]["layout"]["yaxis"]["title"]["text"]
    assert "average linkage" in plotly_figures(at)[3]["layout"]["xaxis"]["title"]["text"]
    at = at.selectbox(key="w.e90.seed").set_value(seed).run()
    assert at.session_state["e90.seed"] == seed and "e90.seed" not in at.query_params
    assert at.query_params["e90.measure"] == "loss"


def test_figures_escape_tokens_and_keep_every_point():
    frame = pd.DataFrame({"step": [1, 2, 3], "token": ["<unk>", "a", "b"], "previous": ["x", "<unk>", "a"],
                          "loss": [2.0, 0.1, 1.0], "squared_error": [0.9, 0.01, 0.5], "p_target": [0.1, 0.9, 0.4],
                          "kind": ["consonant", "vowel", "consonant"]})
    fig = charts.error_sequence(frame, "kind", {"consonant": "consonant", "vowel": "vowel"}, measure="loss",
                                title="t", subtitle="s")
    assert list(fig.layout.xaxis.ticktext) == ["&lt;unk&gt;", "a", "b"]
    markers = {tr.name: list(tr.y) for tr in fig.data if tr.mode == "markers"}
    assert markers == {"consonant": [2.0, 1.0], "vowel": [0.1]}
    assert "“&lt;unk&gt;”" in fig.data[1].hovertext[0]


def test_dendrogram_draws_every_word_once_coloured_by_class():
    lexicon = cached("lexicon")
    words = lexicon[lexicon["seed"] == e90.SEEDS[0]].reset_index(drop=True)
    fig = charts.dendrogram(words, e90.cluster(words, "ward"), method="ward")
    assert sorted(fig.layout.yaxis.ticktext) == sorted(words["word"])
    leaves = {tr.name: len(tr.y) for tr in fig.data if tr.mode == "markers"}
    assert leaves == words["group"].value_counts().to_dict()
    links = fig.data[0]
    assert sum(x is None for x in links.x) == len(words) - 1, "one ⊐ per merge"
