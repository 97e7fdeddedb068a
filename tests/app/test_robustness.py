"""Bad input through the pages: hostile text, hand-edited links, exploding networks and hostile uploads each get a
clear message or a clamp, never a stack trace, and markup that someone typed (or hid in a model's vocabulary) is
shown as text, never run. docs/robustness.md lists each case with what the user sees."""

from __future__ import annotations

import io
import json
import pickle
import re
from pathlib import Path

import pytest
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors
from streamlit.testing.v1 import AppTest

from core import ModelConfig, WordTokenizer, build_model, lecture
from core import checkpoint as ckpt
from core.text import Vocab
from explorer import catalogue, state, text_input
from explorer import train_runs as tr
from explorer.navigation import PAGES
from tests.app.conftest import ROOT, live_markup, plotly_figures, session_job, settle

TEXT_PAGES = ["pages/1_Unroll.py", "pages/2_Hidden_states.py", "pages/3_Gradients_through_time.py",
              "pages/4_BPTT_by_hand.py", "pages/5_Fixed_window_vs_RNN.py", "pages/6_Deeper_and_bidirectional.py",
              "pages/7_LSTM_and_GRU.py", "pages/9_Long_range_probes.py"]  # the pages with the shared text box
OTHER_PAGES = [p.path for p in PAGES if p.path not in TEXT_PAGES]
SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"
SOUP = (f"the cat 🦓 שלום עולם مرحبا e\u0301 cafe\u0301 a\x00b \x07\x1b[0m \u202eevil\u202c {SCRIPT} {IMG} "
        "zyzzyva quokka flibbertigibbet")  # emoji, RTL, combining, control, NUL, markup, unknown words (last)
PLOTLY_TAGS = {"br", "sub", "sup", "b", "i", "extra"}  # the only markup the charts write themselves
EXPLODING = {"model": "untrained", "act": "relu", "init": "identity", "rho": "4", "tok": "char", "hidden": "8",
             "preset": "custom", "text": "word " * 130}  # 4^t overflows float64 after about 512 steps


def app(path: str, query: dict | None = None) -> AppTest:
    """The whole app (sidebar and link messages included) on `path`; the landing page gets an empty text, so it
    returns at once, unless the query gives one."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"preset": "custom", "text": "", **(query or {})})
    at.run()
    if path != "pages/1_Unroll.py":
        at.switch_page(path).run()
    return at


def page(path: str, query: dict | None = None, session: dict | None = None) -> AppTest:
    """One page script alone (no sidebar, no link messages): the cheapest way to feed it a text."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=120)
    at.query_params.update(query or {})
    for key, value in (session or {}).items():
        at.session_state[key] = value
    return at.run()


def ok(at: AppTest) -> None:
    assert not at.exception, at.exception[0].message


def strings(spec):
    """Every string in a Plotly figure's JSON: titles, tick labels, hover texts, custom data."""
    if isinstance(spec, str):
        yield spec
    elif isinstance(spec, dict):
        for value in spec.values():
            yield from strings(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from strings(value)


def assert_markup_is_text(at: AppTest) -> None:
    """Plotly reads text as HTML, so every '<' in a chart must open one of its own tags (a typed '<' is &lt;; the
    charts' own formulas write "x < 1", which is no tag); Streamlit escapes HTML in Markdown unless
    unsafe_allow_html, which nothing a user typed may reach."""
    for fig in plotly_figures(at):
        for s in strings(fig):
            for tag in re.findall(r"<(?![\s\d=])/?([^\s<>/]*)", s):
                assert tag in PLOTLY_TAGS, f"an unescaped '<' in a chart: {s[:150]!r}"
    for el in [*at.markdown, *at.caption]:
        if el.proto.allow_html:
            assert not re.search(r"<script|<img|onerror", el.value, re.I), el.value[:150]
    for el in at.get("html"):  # fixed CSS, or text escaped into fixed markup (Generate, Units)
        assert not live_markup(el.proto.body), el.proto.body[:150]


def views(at: AppTest) -> list[dict]:
    """Plotly figures and the data of the in-browser views (which escape every token as they draw it)."""
    return plotly_figures(at) + [json.loads(c.proto.json) for c in at.get("bidi_component")]


def messages(at: AppTest) -> str:
    return " ".join(el.value for kind in ("warning", "info", "error") for el in getattr(at, kind))


# --- Hostile text --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", TEXT_PAGES)
def test_hostile_text_in_the_link_gives_a_view_or_a_message_never_a_traceback(path):
    at = settle(page(path, {"preset": "custom", "text": SOUP}))  # settle: the views that run as jobs
    ok(at)
    assert at.text_area(key="w.text").value == SOUP, "the text box shows the text exactly as typed"
    assert views(at), "emoji, RTL, combining marks, control characters, NUL and markup all unroll"
    assert_markup_is_text(at)
    if plotly_figures(at) and not path.endswith("4_BPTT_by_hand.py"):  # BPTT: matrices; tokens in select boxes
        assert any(re.search("&lt;|&gt;", s) for fig in plotly_figures(at) for s in strings(fig)), "'<' as text"
    for text, expected in (("", "Type a sentence"), (" \t\n\u2028 ", "Type a sentence"), ("zebra", None)):
        at.text_area(key="w.text").set_value(text).run()
        ok(at)
        if expected is None:  # one token: drawn where one step makes sense, else "at least two tokens"
            assert views(at) or "at least two tokens" in messages(at), messages(at)
        else:
            assert expected in messages(at) and (path.endswith("9_Long_range_probes.py") or not views(at))


def test_unknown_words_are_explained_on_the_unroll_page():
    at = page("pages/1_Unroll.py", {"model": "untrained", "preset": "custom", "text": SOUP})
    ok(at)
    assert any("“flibbertigibbet” is not in the vocabulary" in c.value for c in at.caption)


@pytest.mark.parametrize("path", OTHER_PAGES)
def test_the_other_pages_survive_a_hostile_link(path):
    at = app(path, {"text": SCRIPT + IMG + "\x00", "hidden": "abc", "model": "nonexistent"})
    ok(at)
    assert_markup_is_text(at)


def test_a_long_paste_is_cut_to_max_tokens_with_a_message_and_kept_out_of_the_link():
    at = app("pages/1_Unroll.py", {"model": "untrained", "hidden": "8", "text": "the cat sat"})
    assert at.query_params["text"] == "the cat sat"
    words = " ".join(f"w{i % 977}" for i in range(50_000))
    at.text_area(key="w.text").set_value(words).run()
    ok(at)
    assert any(f"50,000 tokens; the explorer unrolls the first {state.MAX_TOKENS:,}" in w.value for w in at.warning)
    assert len(json.loads(at.get("bidi_component")[0].proto.json)["tokens"]) == state.MAX_TOKENS  # the player
    assert any(f"longer than {text_input.URL_TEXT_LIMIT:,} characters" in c.value for c in at.caption)
    assert "text" not in at.query_params, "the link does not carry a text longer than the limit"
    paste = ("The quick brown fox jumps over the lazy dog. " * 120_000)[:5_000_000]  # 5 MB
    at.text_area(key="w.text").set_value(paste).run()
    ok(at)
    assert any("1,111,112 tokens" in w.value for w in at.warning), [w.value for w in at.warning]
    assert "text" not in at.query_params


def test_a_link_with_a_text_over_the_limit_is_cut_to_the_limit():
    at = page("pages/1_Unroll.py", {"preset": "custom", "text": "a " * 5000})
    ok(at)
    assert at.text_area(key="w.text").value == ("a " * 5000)[: text_input.URL_TEXT_LIMIT]


@pytest.mark.slow
@pytest.mark.parametrize("path", TEXT_PAGES[1:])
def test_a_five_megabyte_paste_on_every_text_page(path):
    at = page(path, {"model": "untrained", "hidden": "8", "preset": "custom", "text": "x"})
    at.text_area(key="w.text").set_value(("The quick brown fox jumps over the lazy dog. " * 120_000)[:5_000_000]).run()
    ok(at)
    assert any(f"the explorer unrolls the first {state.MAX_TOKENS:,}" in w.value for w in at.warning)


# --- Markup hidden in a model's vocabulary ---------------------------------------------------------------------

def markup_model() -> catalogue.Entry:
    """A 'trained' model whose favourite next words are markup, as an uploaded checkpoint could have."""
    model = build_model(ModelConfig(hidden_size=4), Vocab([SCRIPT, IMG, "the", "cat", "sat"]))
    with torch.no_grad():
        model.b_z[1:3] = 20.0
    return catalogue.entry(catalogue.register(ckpt.to_bytes(model, {"corpus": "test"})), "mine-markup", "markup")


def test_markup_in_a_models_vocabulary_is_drawn_as_text():
    at = page("pages/1_Unroll.py", {"model": "mine-markup", "preset": "custom", "text": "the cat sat"},
              session={"my_models": {"mine-markup": markup_model()}, "u.table": True})  # the table opened
    ok(at)
    assert_markup_is_text(at)
    player = views(at)[0]  # the Unroll step player: raw words as data, escaped by its script as it draws them
    predicted = {w for words in player["top_words"] for w in words}
    assert {SCRIPT, IMG} <= predicted, "predicted, and sent as plain data"
    assert "esc(d.tokens" in at.get("bidi_component")[0].proto.js_content and "esc(w)" in \
        at.get("bidi_component")[0].proto.js_content, "the player escapes words before drawing them"
    assert at.dataframe[0].value["guess_1"].isin([SCRIPT, IMG]).all(), "the table holds them as plain data"


# --- Hand-edited links -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "key", "value"), [
    ({"hidden": "abc"}, "hidden", 32), ({"hidden": "-5"}, "hidden", 32), ({"hidden": "10000000"}, "hidden", 32),
    ({"rho": "nan"}, "rho", 1.0), ({"rho": "-inf"}, "rho", 1.0), ({"seed": "-1"}, "seed", 0),
    ({"seed": "1e999"}, "seed", 0), ({"tok": "bytes"}, "tok", "word"), ({"step": "-7"}, "step", 2),
    ({"act": f"[a link](https://example.com) ![](https://example.com/i.png) {SCRIPT}"}, "act", "tanh"),
    ({"hidden": "x" * 100_000}, "hidden", 32),
], ids=["hidden-abc", "hidden-negative", "hidden-1e7", "rho-nan", "rho-inf", "seed-negative", "seed-1e999",
        "tok-unknown", "step-negative", "act-markdown", "hidden-100k-chars"])
def test_bad_link_settings_are_refused_with_a_message_and_the_default_is_used(query, key, value):
    at = app("pages/1_Unroll.py", {"model": "untrained", "text": "the cat sat", **query})
    ok(at)
    (warning,) = [w.value for w in at.warning if f"Link setting `{key}`" in w.value]
    assert at.session_state[key] == value
    assert len(warning) < 300, "a long value is shortened in the message"
    if "is outside" not in warning:  # the value as typed, shortened, in a code span: never read as Markdown
        assert "`" + query[key][:20] in warning
    if key == "hidden":
        assert at.select_slider(key="w.hidden").value == 32, "the sidebar shows the size in effect"


def test_an_unknown_model_name_falls_back_to_the_default_model():
    at = app("pages/1_Unroll.py", {"model": "nonexistent", "text": "the cat sat"})
    ok(at)
    model = at.session_state["model"]
    assert model != "nonexistent" and views(at)
    assert any("`nonexistent` is not one of" in w.value and f"using {model}." in w.value for w in at.warning)


@pytest.mark.parametrize(("path", "query", "defaults"), [
    ("pages/3_Gradients_through_time.py", {"preset": "dancing", "target": "-3", "pad": "99999", "tbptt": "-1",
                                           "wd": "nan", "clip": "-1", "map": "3", "wrt": "both"},
     {"target": 0, "pad": 0, "tbptt": 0, "wd": 0.0, "clip": 0.0, "map": "fro", "wrt": "hidden"}),
    ("pages/4_BPTT_by_hand.py", {"bt": "abc", "bs": "1e999"}, {}),
    ("pages/5_Fixed_window_vs_RNN.py", {"fw.window": "0", "fw.target": "1e6"}, {"fw.window": 5, "fw.target": 0}),
    ("pages/6_Deeper_and_bidirectional.py", {"deep.layers": "99", "deep.bidir": "maybe", "deep.combine": "sum",
                                             "deep.dir": "2"},
     {"deep.layers": 2, "deep.bidir": True, "deep.combine": "concat", "deep.dir": 0}),
    ("pages/7_LSTM_and_GRU.py", {"lg.gate": "foo", "lg.target": "abc"}, {"lg.gate": "lstm.f", "lg.target": 0}),
    ("pages/9_Long_range_probes.py", {"probe.logk": "x", "probe.target": "-2"}, {"probe.logk": False,
                                                                                 "probe.target": 0}),
    ("pages/0_Lecture_mode.py", {"lecture.step": "0"}, {"lecture.step": 0}),  # 0: no step chosen yet
    ("pages/8_Train.py", {"tr.hidden": "10000000", "tr.layers": "99", "tr.steps": "1e9", "tr.lr": "nan",
                          "tr.seq": "100000", "tr.batch": "0", "tr.vocab": "1e9", "tr.data": "nope", "tr.clip": "inf",
                          "tr.wd": "-1", "tr.lag": "0", "tr.seed": "-1"},
     {"tr.hidden": 64, "tr.layers": 1, "tr.steps": 500, "tr.lr": 0.003, "tr.seq": 48, "tr.batch": 32,
      "tr.vocab": 4000, "tr.data": "shakespeare", "tr.clip": 1.0, "tr.wd": 0.0, "tr.lag": 20, "tr.seed": 0}),
], ids=lambda v: v.split("/")[-1][:-3] if isinstance(v, str) else None)
def test_each_pages_own_link_settings_are_refused_with_a_message(path, query, defaults):
    at = app(path, {"model": "untrained", "hidden": "8", "preset": "cat-sat", **query})
    ok(at)
    shown = " ".join(w.value for w in at.warning)
    for key in query.keys() - {"preset"}:
        assert f"Link setting `{key}`" in shown, key
    for key, value in defaults.items():
        assert at.session_state[key] == value, key
    if path.endswith("4_BPTT_by_hand.py"):
        T = len(WordTokenizer().tokenize(lecture.CAT_SAT))
        assert (at.session_state["bt"], at.session_state["bs"]) == (T - 1, max(0, T - 11)), "the last step, s ≤ 10 back"


def test_the_train_pages_caps_are_on_its_widgets():
    at = app("pages/8_Train.py")
    ok(at)
    assert at.number_input(key="w.tr.steps").max == tr.MAX_STEPS
    assert f"{tr.MAX_SECONDS // 60} minutes" in at.number_input(key="w.tr.steps").help
    assert at.slider(key="w.tr.layers").max == tr.MAX_LAYERS
    assert max(at.select_slider(key="w.tr.hidden").options, key=int) == str(tr.MAX_HIDDEN)


@pytest.mark.parametrize(("path", "shown"), [
    ("pages/3_Gradients_through_time.py", f"drawn for texts up to {state.MAX_MAP_TOKENS} tokens"),
    ("pages/4_BPTT_by_hand.py", "Up to 60 steps back"),
    ("pages/9_Long_range_probes.py", "pick a target within the first 100 tokens"),
], ids=["all-pairs-map", "bptt-factors", "ablation-context"])
def test_the_explore_pages_caps_are_shown_where_they_apply(path, shown):
    at = page(path, {"model": "untrained", "hidden": "8", "preset": "custom", "text": "a " * 450})  # 450 tokens
    ok(at)
    helps = " ".join(el.help or "" for el in at.selectbox)
    assert shown in messages(at) + helps, messages(at)


# --- Exploding networks ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", TEXT_PAGES[:7])
def test_an_exploding_network_is_drawn_and_explained(path):
    at = page(path, EXPLODING)
    ok(at)
    figures = plotly_figures(at)
    assert views(at), "the charts still draw"
    said = messages(at) + " ".join(s for f in figures for s in strings(f["layout"]))
    assert re.search(r"inf or NaN|overflowed", said), "the user is told why values are inf or NaN"
    if any(path.endswith(p) for p in ("3_Gradients_through_time.py", "5_Fixed_window_vs_RNN.py",
                                      "6_Deeper_and_bidirectional.py", "7_LSTM_and_GRU.py")):
        names = [trace.get("name") or "" for f in figures for trace in f["data"]]
        assert any(n.endswith(": NaN") or n.endswith("overflow (inf)") for n in names), "NaN gradients are marked"
    if path.endswith("5_Fixed_window_vs_RNN.py"):
        assert any("NaN" in m.value for m in at.metric), "an overflowed gradient is counted as NaN, not as 'no reach'"


# --- Uploads ----------------------------------------------------------------------------------------------------

class Payload:
    """Unpickling this creates a file: the proof that a pickle would have run code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


def rewrite(data: bytes, **metadata) -> bytes:
    header = ckpt._header(data)["__metadata__"]
    return save_tensors(load_tensors(data), metadata={**header, **metadata})


def test_hostile_checkpoints_are_refused_with_a_reason_and_the_session_goes_on(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    zipped = io.BytesIO()
    torch.save({"W_zh": Payload(marker)}, zipped)
    good = ckpt.to_bytes(build_model(ModelConfig(hidden_size=4)), {"corpus": "test"})
    vocab = json.loads(ckpt._header(good)["__metadata__"]["vocab"])
    cases = {
        "a torch.save file (zip of pickles)": (zipped.getvalue(), "pickled PyTorch file, which can run code"),
        "a bare pickle": (pickle.dumps(Payload(marker), 4), "pickled PyTorch file, which can run code"),
        "a protocol-0 pickle": (pickle.dumps(Payload(marker), 0), "not a .safetensors file"),
        "truncated": (good[: len(good) // 2], "corrupt"),
        "cut inside the header": (good[:40], "truncated"),
        "wrong shapes": (rewrite(good, config=json.dumps(ModelConfig(hidden_size=5).to_dict())),
                         "the weights do not fit the model the configuration describes"),
        "wrong vocabulary": (rewrite(good, vocab=json.dumps({**vocab, "itos": vocab["itos"] + ["zebra"]})),
                             "the vocabulary has 83 tokens but the weights are for 82"),
        "a huge claimed size": (rewrite(good, config=json.dumps(ModelConfig(hidden_size=10**7).to_dict())),
                                "numbers for the readout W_zh alone"),
        "a score that is not a number": (ckpt.to_bytes(build_model(ModelConfig(hidden_size=4)),
                                                       {"valid_perplexity": "abc"}),
                                         "the checkpoint's 'valid_perplexity' metadata should be a number"),
        "empty": (b"", "the file is empty"),
        "a text file": (b"hello world", "not a .safetensors file"),
    }
    at = page("pages/8_Train.py")
    uploader = "tr.upload_ckpt"
    for what, (data, reason) in cases.items():
        at.file_uploader(key=uploader).set_value((f"{what}.safetensors", data, "application/octet-stream")).run()
        ok(at)
        assert [e.value for e in at.error if reason in e.value], (what, [e.value for e in at.error])
        assert not at.success, what
    monkeypatch.setattr(ckpt.load, "__defaults__", (2**20,))  # the cap is 256 MiB; 1 MiB shows the same message
    big = good + bytes(2**20 + 1 - len(good))
    at.file_uploader(key=uploader).set_value(("big.safetensors", big, "application/octet-stream")).run()
    ok(at)
    assert any("the file is 1,048,577 bytes, larger than the 1,048,576 bytes a checkpoint may have" in e.value
               for e in at.error), [e.value for e in at.error]
    monkeypatch.undo()
    at.file_uploader(key=uploader).set_value(("good.safetensors", good, "application/octet-stream")).run()
    ok(at)
    assert at.success and at.success[0].value.startswith("Loaded: Elman, H = 4"), "a good file after bad ones loads"
    assert not marker.exists(), "no payload ever ran"


@pytest.mark.parametrize(("data", "reason"), [
    ("plain text, but UTF-16 without a byte-order mark".encode("utf-16-le"), "NUL bytes (first at offset 1)"),
    ("日本語のテキスト、そして更に日本語".encode("shift_jis"), "does not read as Windows-1252 text either"),
    (b"\x89PNG\r\n\x1a\n" + bytes(20), "This looks like a PNG image, not text"),
    (pickle.dumps({"weights": [1.0]}), "pickles can run code, so it is never opened"),
    (b"a " * 1_000_001, f"2,000,002 bytes; the limit is {tr.MAX_UPLOAD_BYTES:,} bytes"),
    (b"", "The file is empty"),
    (b" \n\t ", "no visible text"),
], ids=["utf16-no-bom", "shift-jis", "png", "pickle", "over-2MB", "empty", "whitespace"])
def test_text_uploads_in_a_strange_encoding_or_too_big_are_refused_with_a_reason(data, reason):
    at = page("pages/8_Train.py", {"tr.data": "upload"})
    assert f"At most {tr.MAX_UPLOAD_BYTES // 1_000_000} MB" in at.file_uploader[0].help
    at.file_uploader[0].set_value(("story.txt", data, "text/plain")).run()
    ok(at)
    assert any(reason in e.value for e in at.error), [e.value for e in at.error]
    next(b for b in at.button if b.label == "Start training").click().run()
    ok(at)
    assert session_job(at, "train.job") is None, "nothing trains on a refused file"
    assert any("Choose a .txt file to train on first" in e.value for e in at.error)


@pytest.mark.parametrize(("data", "note"), [
    ("caf\u00e9 \u201cquoted\u201d and na\u00efve ".encode("cp1252") * 20, "read as cp1252. The file is not UTF-8"),
    ("hello world, twice ".encode("utf-16"), "read as utf-16."),
    (b"bell\x07 escape\x1b[0m and words " * 10, "Removed 20 control characters"),
    ("日本語のテキストです".encode("shift_jis"), "read as cp1252. The file is not UTF-8"),  # every byte is cp1252
], ids=["cp1252", "utf16-bom", "control-characters", "shift-jis-read-as-cp1252"])
def test_text_uploads_that_can_be_read_say_how(data, note):
    at = page("pages/8_Train.py", {"tr.data": "upload"})
    at.file_uploader[0].set_value(("story.txt", data, "text/plain")).run()
    ok(at)
    assert not at.error and any(note in c.value for c in at.caption), [c.value for c in at.caption]
