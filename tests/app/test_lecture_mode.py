"""Lecture mode through the whole app: the contents page starts or continues the path, one click opens each step's
page with the step's settings (typed, whichever step came before), that page carries the step's banner (its text,
question, Back and Next), the step lives in the URL (a bad one gets a message), and the questions explain their
answers."""

from __future__ import annotations

import ast
import inspect
import re
from functools import cache

import pytest
from streamlit.testing.v1 import AppTest

from explorer import lecture_path, navigation
from explorer.lecture_path import STEP_KEY, STEPS, TRAINED, UNTRAINED
from tests.app.conftest import ROOT
from tests.explorer.test_lecture_path import shared_settings

PAGE = "pages/0_Lecture_mode.py"
N = len(STEPS)
H = "16"  # small networks: the walk opens every page
CONCRETE = ("step", "bt", "bs")  # their pages replace the default (-1) by the position it stands for
BANNER = re.compile(r"\*\*Lecture · step (\d+) of (\d+):\*\* (.*)")


def open_lecture(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"hidden": H, "preset": "cat-sat", **(query or {})})
    at.run()  # AppTest switches pages only after a first run
    return follow(at.switch_page(PAGE).run())


def follow(at: AppTest) -> AppTest:
    """Let later runs stay on the page the last run ended on, as a browser does. AppTest keeps requesting the page
    of its last switch_page() (its private `_page_hash`), so a page change made by the app itself
    (st.switch_page, as Back and Next do) would be undone by the next click's run."""
    at._page_hash = ""
    return at


def banner(at: AppTest) -> int | None:
    """The number of the step whose banner is on screen, or None."""
    assert not at.exception, at.exception[0].message
    found = [m for m in (BANNER.match(el.value) for el in at.markdown) if m]
    if not found:
        return None
    assert len(found) == 1 and int(found[0].group(2)) == N
    assert found[0].group(3) == STEPS[int(found[0].group(1)) - 1].title
    return int(found[0].group(1))


@cache
def page_title(url_path: str) -> str:
    """The st.title a page draws, read from its view's source."""
    tree = ast.parse(inspect.getsource(navigation.view(lecture_path.page_spec(url_path))))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "title" and node.args:
            return node.args[0].value
    raise AssertionError(f"{url_path} draws no title")


def shipped_models() -> set[str]:
    return {p.stem for p in (ROOT / "models").glob("*.safetensors")}


def test_the_contents_list_every_step_and_start_opens_the_first():
    at = open_lecture()
    assert banner(at) is None, "the contents page has no banner"
    assert [at.button(key=f"lecture_go_{i}").label.split(".", 1)[0] for i in range(1, N + 1)] == \
        [str(i) for i in range(1, N + 1)]
    assert at.button(key="lecture_start").label == "Start the lecture"
    at.button(key="lecture_start").click().run()
    check_landing(at, STEPS[0])
    assert banner(at) == 1
    assert at.button(key="lecture_back").proto.disabled, "Back stops at the first step"
    assert at.button(key="lecture_next").proto.shortcut == "pagedown"
    assert at.button(key="lecture_back").proto.shortcut == "pageup"


def test_one_click_per_step_walks_the_whole_lecture():
    """Next alone walks every step: each click lands on the step's page with its settings and its banner, which
    also proves that the previous step's settings (clipping, a custom text, a window size) were reset."""
    at = open_lecture()
    at.button(key="lecture_go_1").click().run()
    for i, step in enumerate(STEPS, start=1):
        if i > 1:
            at.button(key="lecture_next").click().run()
        check_landing(at, step)
        assert banner(at) == i
        assert any(el.value.startswith("**What to look at:**") and step.look in el.value for el in at.markdown)
        assert any(step.explain == el.value for el in at.markdown), "the step's text is on its page"
        assert at.query_params[STEP_KEY] == str(i), "the step is in the link"
        if step.key == "trained-predictions":  # after "unroll" opened at step 0: back to the last word
            assert at.session_state["step"] == len("the cat sat on the".split()) - 1
    assert at.button(key="lecture_next").proto.disabled, "Next stops at the last step"
    at.button(key="lecture_back").click().run()
    check_landing(at, STEPS[-2])
    assert banner(at) == N - 1


def test_the_banner_shows_only_on_the_steps_page_and_can_be_left():
    at = open_lecture()
    at.button(key="lecture_go_6").click().run()
    assert banner(at) == 6 and STEPS[5].page == "backprop"
    follow(at.switch_page("pages/1_Unroll.py").run())
    assert banner(at) is None, "another page is not the step"
    follow(at.switch_page("pages/14_Backprop_review.py").run())
    assert banner(at) == 6
    at.button(key="lecture_leave").click().run()
    assert banner(at) is None


def test_a_link_to_a_step_view_shows_its_banner():
    step = lecture_path.BY_KEY["vanishing"]
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"hidden": H, **step.query, STEP_KEY: str(lecture_path.number(step))})
    at.run()
    follow(at.switch_page(lecture_path.page_spec(step.page).path).run())
    assert banner(at) == lecture_path.number(step)


def test_a_link_to_lecture_mode_continues_at_its_step():
    at = open_lecture({STEP_KEY: "9"})
    assert at.button(key="lecture_start").label == f"Continue at step 9: {STEPS[8].title}"
    assert not at.warning
    at.button(key="lecture_start").click().run()
    check_landing(at, STEPS[8])
    assert banner(at) == 9


@pytest.mark.parametrize("raw", ["abc", "0", str(N + 1), "2.5e9"])
def test_a_bad_step_in_the_link_gives_a_message(raw):
    """The first run (the default page) leaves the step for Lecture mode, which reports it and starts at 1."""
    at = open_lecture({STEP_KEY: raw})
    assert any(f"`{STEP_KEY}`" in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.button(key="lecture_start").label == "Start the lecture"


def test_a_link_to_another_steps_page_leaves_the_step_alone():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"hidden": H, STEP_KEY: "6"})  # the backprop review, opened on the default page
    at.run()
    assert banner(at) is None and not at.warning
    assert at.query_params[STEP_KEY] == "6", "kept for Lecture mode"


def test_questions_explain_right_and_wrong_answers():
    index = lecture_path.number(lecture_path.BY_KEY["elman-memory"])
    at = open_lecture()
    at.button(key=f"lecture_go_{index}").click().run()
    key = "lecture.q.elman-memory"
    right = r"$W_{hh} h_{t-1}$, the recurrent term"
    at.button_group(key=key).set_value([right]).run()
    assert not at.success, "no verdict before checking"
    at.button(key=key + ".button").click().run()
    assert at.success
    feedback = next(el.value for el in at.markdown if "feeds the previous state back in" in el.value)
    assert "nothing flows from it back" in feedback, "the wrong options are explained too"
    at.button_group(key=key).set_value([right, "the bias $b_h$"]).run()
    assert not at.success and not any("Not quite" in w.value for w in at.warning), "a new answer hides the verdict"
    at.button(key=key + ".button").click().run()
    assert any("Not quite" in w.value for w in at.warning)
    assert any("you ticked it" in el.value for el in at.markdown)


def test_the_long_range_step_says_the_distance_of_the_text_on_screen():
    at = open_lecture()
    at.button(key=f"lecture_go_{lecture_path.number(lecture_path.BY_KEY['long-range'])}").click().run()
    from core.lecture import DANCING
    from core.text import get_tokenizer

    expected = lecture_path.cue_note(get_tokenizer("word").tokenize(DANCING))
    assert any(el.value == expected for el in at.caption), [el.value for el in at.caption][:5]
    distance = int(expected.split(" is ")[1].split()[0])
    at.slider(key="w.pad").set_value(100).run()  # the page's own cue slider: the step's sentence follows it
    assert any(f"is {distance + 100} tokens before the last" in el.value for el in at.caption)


def test_the_last_step_says_what_the_trained_word_models_use_from_the_context_table(monkeypatch, tmp_path):
    import pandas as pd

    from explorer import context_story, state

    curves = pd.read_csv(state.RESULTS / "context_use.csv")
    at = open_lecture()
    at.button(key=f"lecture_go_{lecture_path.number(lecture_path.BY_KEY['gates'])}").click().run()
    assert any(el.value == context_story.headline(context_story.table(curves)) for el in at.caption)
    # other numbers, other words: the sentence is read from the table, not written into the step
    curves.loc[curves["model"] == "lstm-word", "effective_context"] = 150
    curves.to_csv(tmp_path / "context_use.csv", index=False)
    monkeypatch.setattr(state, "RESULTS", tmp_path)
    at.run()
    assert any("LSTM network's loss stops falling at k = 150 tokens" in el.value for el in at.caption)


def test_presenter_mode_renders_larger_and_compact():
    at = open_lecture({"presenter": "1"})
    styles = [el.value for el in at.get("html")]
    assert any("clamp(18px" in s and "-webkit-line-clamp" in s for s in styles)
    at.button(key="lecture_start").click().run()
    assert banner(at) == 1


def check_landing(at: AppTest, step) -> None:
    """The step's page is on screen and the session holds the step's settings (typed) and defaults for the rest."""
    assert not at.exception, at.exception[0].message
    assert at.title[0].value == page_title(step.page), f"{step.key} landed elsewhere"
    messages = [w.value for w in at.warning if "Link setting" in w.value]
    shipped = TRAINED in shipped_models()
    if step.query["model"] == TRAINED and not shipped:
        assert len(messages) == 1 and "`model`" in messages[0], messages  # the page says it, once
    else:
        assert not messages, messages
    parsers = shared_settings() | lecture_path.page_settings(step.page)
    for key, raw in step.params:
        if key == "model":
            expected = raw if raw == UNTRAINED or shipped else at.session_state["model"]
            assert at.session_state["model"] == expected
            continue
        value = at.session_state[key]
        assert value == parsers[key].parse(raw) and type(value) is type(parsers[key].parse(raw)), (step.key, key)
    for key in lecture_path.touched_keys(step):
        if key in step.query or key in ("model", *CONCRETE):
            continue
        default = parsers[key].default
        assert (at.session_state[key] if key in at.session_state else default) == default, (step.key, key)
    if at.session_state["model"] == UNTRAINED:  # a trained model's page never reads the untrained knobs
        assert at.session_state["hidden"] == int(H), "the audience's own settings stay"


def test_back_resets_the_later_steps_settings():
    clipping = lecture_path.number(lecture_path.BY_KEY["clipping"])
    at = open_lecture()
    at.button(key=f"lecture_go_{clipping}").click().run()
    assert at.session_state["clip"] == 1.0
    at.button(key="lecture_back").click().run()
    check_landing(at, STEPS[clipping - 2])
    assert at.session_state["clip"] == 0.0
