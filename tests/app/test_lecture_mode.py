"""Lecture mode through the whole app: every step renders, Next / Previous move and stop at the ends, the step
lives in the URL (a bad one gets a message), the questions explain their answers, and "Open" lands on the
step's page with the step's settings, typed, whichever step was opened before."""

from __future__ import annotations

import ast
from functools import cache

import pytest
from streamlit.testing.v1 import AppTest

from explorer import lecture_path
from explorer.lecture_path import STEP_KEY, STEPS, TRAINED, UNTRAINED
from tests.app.conftest import ROOT
from tests.explorer.test_lecture_path import page_settings, shared_settings

PAGE = "pages/0_Lecture_mode.py"
N = len(STEPS)
H = "16"  # small networks: the walk opens every page
CONCRETE = ("step", "bt", "bs")  # their pages replace the default (-1) by the position it stands for


def open_lecture(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update({"hidden": H, "preset": "cat-sat", **(query or {})})
    at.run()  # AppTest switches pages only after a first run
    return at.switch_page(PAGE).run()


def shown(at: AppTest) -> int:
    """The number of the step on screen, from its heading ("3. A loop, unrolled")."""
    assert not at.exception, at.exception[0].message
    return int(at.header[0].value.split(".", 1)[0])


@cache
def page_title(url_path: str) -> str:
    """The st.title a page script draws, read from its source."""
    tree = ast.parse((ROOT / lecture_path.page_spec(url_path).path).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "title" and node.args:
            return node.args[0].value
    raise AssertionError(f"{url_path} draws no title")


def shipped_models() -> set[str]:
    return {p.stem for p in (ROOT / "models").glob("*.safetensors")}


def test_next_and_previous_walk_every_step_and_stop_at_the_ends():
    at = open_lecture()
    assert shown(at) == 1
    assert at.button(key="lecture_prev").proto.disabled, "Previous stops at the first step (its key too)"
    assert at.button(key="lecture_next").proto.shortcut == "right"
    assert at.button(key="lecture_prev").proto.shortcut == "left"
    assert not at.button(key="lecture_next").proto.disabled
    for i in range(2, N + 1):
        at.button(key="lecture_next").click().run()
        assert shown(at) == i
        assert at.progress[0].text.startswith(f"Step {i} of {N}")
        assert any("What to look at" in el.value for el in at.info)
        assert at.button(key="lecture_open")
    assert at.button(key="lecture_next").proto.disabled, "Next stops at the last step (its key too)"
    assert not at.button(key="lecture_prev").proto.disabled
    at.button(key="lecture_prev").click().run()
    assert shown(at) == N - 1
    at.run()
    assert at.query_params[STEP_KEY] == str(N - 1), "the step is in the link"


def test_jump_to_a_step():
    at = open_lecture()
    at.selectbox(key="w." + STEP_KEY).set_value(7).run()
    assert shown(at) == 7
    assert at.header[0].value.endswith(STEPS[6].title)


def test_a_link_opens_its_step():
    at = open_lecture({STEP_KEY: "9"})
    assert shown(at) == 9
    assert at.header[0].value == f"9. {lecture_path.BY_KEY['vanishing'].title}"
    assert not at.warning


@pytest.mark.parametrize("raw", ["abc", "0", str(N + 1), "2.5e9"])
def test_a_bad_step_in_the_link_gives_a_message(raw):
    at = open_lecture({STEP_KEY: raw})
    assert shown(at) == 1
    assert any(f"`{STEP_KEY}`" in w.value for w in at.warning), [w.value for w in at.warning]


def test_questions_explain_right_and_wrong_answers():
    at = open_lecture({STEP_KEY: str(STEPS.index(lecture_path.BY_KEY["elman-memory"]) + 1)})
    key = "lecture.q.elman-memory"
    right = r"$W_{hh} h_{t-1}$, the recurrent term"
    at.button_group(key=key).set_value([right]).run()
    assert not at.success, "no verdict before checking"
    at.button(key=key + ".button").click().run()
    assert at.success
    assert "feeds the previous state back in" in at.markdown[-1].value
    assert "nothing flows from it back" in at.markdown[-1].value, "the wrong options are explained too"
    at.button_group(key=key).set_value([right, "the bias $b_h$"]).run()
    assert not at.success and not any("Not quite" in w.value for w in at.warning), "a new answer hides the verdict"
    at.button(key=key + ".button").click().run()
    assert any("Not quite" in w.value for w in at.warning)
    assert "you ticked it" in at.markdown[-1].value


def test_the_vanishing_question_says_clipping_is_for_exploding():
    at = open_lecture({STEP_KEY: str(STEPS.index(lecture_path.BY_KEY["vanishing"]) + 1)})
    key = "lecture.q.vanishing"
    at.button_group(key=key).set_value(["gradient clipping"]).run()
    at.button(key=key + ".button").click().run()
    feedback = at.markdown[-1].value
    assert "fixes exploding gradients" in feedback and "you ticked it" in feedback
    assert "LSTM or GRU" in feedback and "you left it out" in feedback


def test_presenter_mode_renders_larger():
    at = open_lecture({"presenter": "1"})
    assert shown(at) == 1
    styles = [el.value for el in at.get("html")]
    assert any("font-size: 21px" in s for s in styles) and any("lecture_next" in s for s in styles)


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
    parsers = shared_settings() | page_settings(step.page)
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


def test_open_lands_on_each_step_page_with_its_settings():
    """One session opens every step in turn, so each landing also proves that the previous step's settings
    (clipping, a custom text, a window size) were reset."""
    at = open_lecture()
    for i, step in enumerate(STEPS, start=1):
        if i > 1:
            at.switch_page(PAGE).run()
            at.button(key="lecture_next").click().run()
        assert shown(at) == i
        at.button(key="lecture_open").click().run()
        check_landing(at, step)
        if step.key == "trained-predictions":  # after "unroll" opened at step 0: back to the last word
            assert at.session_state["step"] == len("the cat sat on the".split()) - 1


def test_open_in_reverse_order_resets_the_later_steps_settings():
    at = open_lecture({STEP_KEY: str(STEPS.index(lecture_path.BY_KEY["clipping"]) + 1)})
    at.button(key="lecture_open").click().run()
    assert at.session_state["clip"] == 1.0
    at.switch_page(PAGE).run()
    at.selectbox(key="w." + STEP_KEY).set_value(STEPS.index(lecture_path.BY_KEY["vanishing"]) + 1).run()
    at.button(key="lecture_open").click().run()
    check_landing(at, lecture_path.BY_KEY["vanishing"])
    assert at.session_state["clip"] == 0.0 and at.session_state["init"] == "orthogonal"
