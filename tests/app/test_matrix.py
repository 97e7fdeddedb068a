"""Every page with every model the sidebar can hold, through the whole app (sidebar, links, navigation): each shipped
checkpoint, Untrained (words and characters), a model trained in this test and one uploaded, on a preset, a passage
of the test's own and a single token, and a model change after a target was picked. No exception anywhere, and
every page shows a chart or says in plain words why it has none."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core import ModelConfig, build_model, checkpoint, lecture
from core.training import StreamData, TrainConfig, train
from explorer import catalogue, saved, sidebar
from explorer.navigation import PAGES
from tests.app.conftest import ROOT, plotly_figures, settle

TEXT_PAGES = ("pages/1_Unroll.py", "pages/2_Hidden_states.py", "pages/3_Gradients_through_time.py",
              "pages/4_BPTT_by_hand.py", "pages/5_Fixed_window_vs_RNN.py", "pages/6_Deeper_and_bidirectional.py",
              "pages/7_LSTM_and_GRU.py", "pages/9_Long_range_probes.py")
OWN = "My grandmother kept bees; every spring the hives woke, and she said the bees"  # the test's own passage
TEXTS = (OWN, "bees")  # after the preset the page opens with: a passage, then one token
SHIPPED = tuple(catalogue.scan())


@pytest.fixture(scope="module")
def session_models() -> dict[str, catalogue.Entry]:
    """A word model trained here for a few steps, and a character GRU "uploaded" as checkpoint bytes."""
    model = build_model(ModelConfig(hidden_size=8, embed_dim=8))
    model.requires_grad_(True)
    ids = model.tokens_and_ids(" ".join(lecture.SENTENCES * 4))[1].reshape(-1)
    train(model, StreamData(ids, ids), TrainConfig(steps=5, batch_size=2, seq_len=16, eval_every=5))
    trained = catalogue.register(checkpoint.to_bytes(model, {"corpus": "the lecture's sentences"}))
    upload = catalogue.register(checkpoint.to_bytes(build_model(ModelConfig(arch="gru", tokenizer="char",
                                                                            hidden_size=6, embed_dim=4))))
    return {"mine-trained": catalogue.entry(trained, "mine-trained", "Yours: trained in the test"),
            "mine-upload": catalogue.entry(upload, "mine-upload", "Uploaded: a character GRU")}


MODELS = (*SHIPPED, "untrained", "untrained-char", "mine-trained", "mine-upload")


def open_app(path: str, model: str, session: dict, preset: str = "cat-sat", whole: bool = False) -> AppTest:
    """The page with this sidebar model, chosen through the link as a user's would be. Lecture mode links to
    other pages, so it runs inside the whole app; every other page runs alone (the same code, far cheaper)."""
    query = {"model": "untrained", "tok": "char"} if model == "untrained-char" else {"model": model}
    whole = whole or path == "pages/0_Lecture_mode.py"
    at = AppTest.from_file(str(ROOT / ("app.py" if whole else path)), default_timeout=180)
    at.query_params.update({**query, "preset": preset, "hidden": "8"})
    at.session_state["my_models"] = dict(session)
    at.run()
    if whole:
        at.switch_page(path).run()
    return settle(at)  # the views that run as jobs (the probes page's ablation) are drawn once they end


FORMS = ("pages/8_Train.py", "pages/0_Lecture_mode.py")  # a form to fill or a list of steps to start, no chart


def shows_something(at: AppTest, path: str, what: str, chart: bool = False) -> None:
    """No exception, and a view (a Plotly chart, an in-browser component or coloured text; required when `chart`)
    or a message box that says why there is none."""
    assert not at.exception, f"{path} with {what}: {at.exception[0].message}"
    said = [el.value for kind in ("info", "warning", "error") for el in getattr(at, kind)]
    views = plotly_figures(at) + list(at.get("bidi_component")) + [h for h in at.get("html") if "<span" in h.proto.body]
    if path in FORMS:
        assert at.button, f"{path} with {what}: nothing to press"
        return
    assert views or (not chart and said), f"{path} with {what}: no chart" + ("" if chart else " and no message")


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("path", [p.path for p in PAGES])
def test_every_page_with_every_model_and_text(path, model, session_models):
    """The preset the link names, then (on the pages with a text box) the test's passage and one token."""
    at = open_app(path, model, session_models)
    shows_something(at, path, f"{model}, preset", chart=path in TEXT_PAGES)
    if model.startswith("mine-") and path in TEXT_PAGES:  # the pages that read the sidebar's model
        assert at.session_state["model"] == model, "the session's own model is the one shown"
    if path in TEXT_PAGES:
        for text in TEXTS:
            settle(at.text_area(key="w.text").set_value(text).run())
            shows_something(at, path, f"{model}, {text[:20]!r}", chart=text == OWN)


TARGET_PAGES = {"pages/3_Gradients_through_time.py": "target", "pages/5_Fixed_window_vs_RNN.py": "fw.target",
                "pages/6_Deeper_and_bidirectional.py": "deep.target", "pages/7_LSTM_and_GRU.py": "lg.target"}


@pytest.mark.parametrize("path", TARGET_PAGES)
def test_a_target_picked_then_another_model_goes_back_to_the_last_word(path, session_models):
    """A position picked under the word model names another token under the character one: the target resets."""
    at = open_app(path, "elman-word", session_models, preset="dancing", whole=True)  # the sidebar's Model box
    key = TARGET_PAGES[path]
    if path == "pages/3_Gradients_through_time.py":  # the Elman network's picker is drawn in the browser
        at.session_state[key] = 3  # what its pick reports
        at.run()
    else:
        at.selectbox(key=f"w.{key}").set_value(3).run()
    shows_something(at, path, "a picked target")
    assert at.session_state[key] == 3
    at.selectbox(key="w.model").set_value("elman-char").run()
    shows_something(at, path, "the character model after a picked target")
    assert at.session_state[key] == 0, "the target follows the last word of the new tokens"
    at.selectbox(key="w.model").set_value("untrained").run()
    at.radio(key="w.tok").set_value("char").run()
    shows_something(at, path, "untrained characters")
    assert at.session_state[key] == 0


def test_a_link_to_a_model_saved_on_the_server_opens_it_in_a_fresh_session():
    """What the sidebar promises (sidebar.LINK_NOTE): a model trained here reopens from a link in another session,
    found by its name among the saved files; one that is not on the server falls back with a message."""
    model = build_model(ModelConfig(hidden_size=4, embed_dim=4))
    data = checkpoint.to_bytes(model, {"corpus": "the test", "label": "linked"})
    path = saved.new_path()
    saved.save(data, path)
    key = saved.key_of(checkpoint.load(data).digest)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params.update({"model": key, "preset": "cat-sat"})
    at.run()
    assert not at.exception, at.exception[0].message
    assert at.session_state["model"] == key and key in at.session_state["my_models"]
    assert not any("is not one of" in w.value for w in at.warning)
    assert sidebar.LINK_NOTE in [c.value for c in at.sidebar.caption]
    path.unlink()
    gone = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    gone.query_params.update({"model": "mine-0000000000", "preset": "cat-sat"})
    gone.run()
    assert not gone.exception and any("is not one of" in w.value for w in gone.warning)
