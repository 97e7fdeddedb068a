"""Lecture mode's path as data: every step opens a page that exists with settings that page accepts, follows
the lecture's order, and opening it writes typed values and resets what it does not name."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from explorer import lecture_path, navigation, settings
from explorer.lecture_path import SHARED_KEYS, STEPS, TRAINED, UNTRAINED, Step

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = (lecture_path.BOTTLENECK, lecture_path.TRAINING, lecture_path.CHALLENGES, lecture_path.MITIGATIONS)
URL_PATHS = {p.url_path: p for p in navigation.PAGES}


def page_settings(url_path: str) -> dict[str, settings.Setting]:
    """The page's own settings: its view's SETTINGS, as the lecture path reads them."""
    return lecture_path.page_settings(url_path)


@cache
def shared_settings() -> dict[str, settings.Setting]:
    from explorer import sidebar, text_input

    return {s.key: s for s in (*sidebar.MODEL_SETTINGS, sidebar.PRESENTER, text_input.PRESET, text_input.TEXT)}


def step_ids(step: Step) -> str:
    return step.key


def sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text.replace("et al.", "et al")))


def test_steps_have_unique_keys_and_follow_the_lecture():
    assert len({s.key for s in STEPS}) == len(STEPS)
    order = [SECTIONS.index(s.section) for s in STEPS]
    assert order == sorted(order), "sections in the lecture's order"
    assert set(order) == set(range(len(SECTIONS)))
    keys = [s.key for s in STEPS]
    for earlier, later in (("window-lm", "window-bottleneck"), ("window-bottleneck", "elman-memory"),
                           ("elman-memory", "unroll"), ("unroll", "backprop"), ("backprop", "bptt"),
                           ("bptt", "deeper"),
                           ("deeper", "long-range"), ("long-range", "vanishing"), ("vanishing", "exploding"),
                           ("exploding", "clipping"), ("vanishing", "gates")):
        assert keys.index(earlier) < keys.index(later), (earlier, later)


@pytest.mark.parametrize("step", STEPS, ids=step_ids)
def test_every_step_explains_and_says_what_to_look_at(step):
    assert 2 <= sentences(step.explain) <= 4, step.explain
    assert sentences(step.look) == 1, step.look
    assert step.title and step.section
    assert "  " not in step.explain and "\n" not in step.explain


@pytest.mark.parametrize("step", STEPS, ids=step_ids)
def test_every_step_opens_a_page_of_the_app(step):
    assert step.page in URL_PATHS, f"{step.page} is not in explorer/navigation.PAGES"
    assert (ROOT / URL_PATHS[step.page].path).exists()
    for url_path in step.related:
        assert url_path in URL_PATHS, url_path


def test_every_page_declares_its_settings_and_no_key_is_declared_twice():
    """Settings live in one session: two pages declaring the same key would overwrite each other's value."""
    owner: dict[str, str] = {key: "shared" for key in shared_settings()}
    for spec in navigation.PAGES:
        declared = page_settings(spec.url_path)
        assert all(isinstance(s, settings.Setting) for s in declared.values()), spec.url_path
        for key in declared:
            if spec.url_path == "lecture":
                continue  # lecture.step is the banner's, declared in explorer/lecture.py and shared with it
            assert key not in owner, f"{key} is declared by {owner[key]} and {spec.url_path}"
            owner[key] = spec.url_path
        assert set(lecture_path.page_keys(spec.url_path)) == {k for k, s in declared.items() if s.in_url}


@pytest.mark.parametrize("step", STEPS, ids=step_ids)
def test_every_setting_parses_with_its_own_parser(step):
    query = step.query
    assert len(query) == len(step.params), "no key twice"
    assert {"preset", "model"} <= set(query), "each step says which text and which network"
    assert query["model"] in (UNTRAINED, TRAINED)
    own = page_settings(step.page)
    shared = shared_settings()
    for key, raw in step.params:
        assert isinstance(raw, str), "raw URL strings"
        if key == "model":
            continue  # its options are this server's models, checked in test_the_trained_model_ships
        setting = own.get(key) or shared.get(key)
        assert setting is not None, f"{step.page} has no setting {key!r}"
        assert key in SHARED_KEYS or key in lecture_path.page_keys(step.page)
        value = setting.parse(raw)  # raises ValueError with the page's own message
        assert setting.encode(value) == raw or setting.parse(setting.encode(value)) == value


def test_the_trained_model_ships_once_models_do():
    shipped = {p.stem for p in (ROOT / "models").glob("*.safetensors")}
    if shipped:
        assert TRAINED in shipped


def test_steps_cover_the_lecture_examples_and_the_brief():
    by_key = lecture_path.BY_KEY
    assert by_key["vanishing"].query.items() >= {"preset": "dancing", "model": UNTRAINED, "rho": "0.8",
                                                 "act": "tanh"}.items()
    assert by_key["exploding"].query.items() >= {"model": UNTRAINED, "act": "relu", "init": "identity",
                                                 "rho": "1.5"}.items()
    assert by_key["trained-predictions"].query["model"] == TRAINED
    assert by_key["window-lm"].query["preset"] == "cat-sat"
    assert any(s.query.get("clip") for s in STEPS)
    questions = [s.question for s in STEPS if s.question is not None]
    assert len(questions) == 4
    for q in questions:
        assert any(o.correct for o in q.options) and any(not o.correct for o in q.options)
        assert all(o.why for o in q.options), "every answer, right or wrong, is explained"
    fixes = by_key["vanishing"].question
    assert not next(o for o in fixes.options if "clipping" in o.label).correct
    assert next(o for o in fixes.options if "LSTM" in o.label).correct
    memory = by_key["elman-memory"].question
    assert [o.label for o in memory.options if o.correct] == [r"$W_{hh} h_{t-1}$, the recurrent term"]
    bidir = by_key["deeper"].question
    assert {o.label[:3] for o in bidir.options if o.correct} == {"(a)", "(b)"}
    assert "softmax" in next(o for o in by_key["window-lm"].question.options if o.correct).label


@pytest.mark.parametrize("step", STEPS, ids=step_ids)
def test_the_link_carries_exactly_the_settings(step):
    page, query = step.link().split("?", 1)
    assert page == step.page
    assert parse_qsl(query) == list(step.params)


def test_opening_writes_typed_values_and_resets_the_rest():
    known = shared_settings()
    step = lecture_path.BY_KEY["vanishing"]
    plan = lecture_path.opening(step, known)
    assert plan.script == URL_PATHS["gradients"].path
    assert plan.query == step.query | {"lecture.step": str(lecture_path.number(step))}
    assert plan.values["rho"] == 0.8 and isinstance(plan.values["rho"], float)
    assert plan.values["act"] == "tanh" and plan.values["init"] == "orthogonal"
    assert plan.values["preset"] == "dancing"
    assert plan.values["text"] == "" and plan.values["tok"] == "word", "reset to defaults"
    assert plan.forget == ("model",), "the sidebar parses the model from the URL (its options are per run)"
    assert plan.values["target"] == 0 and plan.values["clip"] == 0.0 and plan.values["map"] == "fro", \
        "the page's own settings, parsed by its view's declarations, reset to their defaults"
    assert "hidden" not in plan.values and "seed" not in plan.values and "presenter" not in plan.values
    assert not set(plan.values) & set(plan.forget)


def test_every_opening_decides_everything_another_step_could_have_changed():
    known = shared_settings()
    for step in STEPS:
        plan = lecture_path.opening(step, known)
        decided = set(plan.values) | set(plan.forget)
        assert decided == set(lecture_path.touched_keys(step))
        for other in STEPS:
            if other.page == step.page:
                assert set(other.query) <= decided, (step.key, other.key)
            assert set(SHARED_KEYS) <= decided


def test_a_value_the_parser_refuses_is_left_to_the_page():
    class Refusing:
        key, default, in_url = "rho", 0.0, True

        def parse(self, raw: str):
            raise ValueError(f"{raw} refused")

    plan = lecture_path.opening(lecture_path.BY_KEY["vanishing"], {"rho": Refusing()})
    assert "rho" in plan.forget and "rho" not in plan.values


def test_a_page_not_in_the_navigation_cannot_be_opened():
    assert lecture_path.page_spec("bengio-2003", pages=[]) is None
    with pytest.raises(LookupError, match="not part of the app"):
        lecture_path.opening(STEPS[0], {}, pages=[])


def test_the_url_keeps_what_the_step_does_not_decide():
    step = lecture_path.BY_KEY["vanishing"]
    current = {"hidden": "16", "seed": "3", "tr.steps": "50", "lecture.step": "9", "rho": "2", "clip": "5",
               "text": "my own words"}
    plan = lecture_path.opening(step, shared_settings(), current)
    assert plan.query == {"hidden": "16", "seed": "3", "tr.steps": "50"} | step.query | {"lecture.step": "10"}
    assert plan.query["rho"] == "0.8" and "clip" not in plan.query and "text" not in plan.query
    assert plan.query["lecture.step"] == str(lecture_path.number(step)), "the page shows the step's banner"


def test_the_lecture_order_of_pages():
    """Fixed window, Elman network, unrolling, backprop review, BPTT, stacked and bidirectional, vanishing
    gradients, LSTM and GRU: each page's first step comes in this order."""
    first: list[str] = []
    for step in STEPS:
        if step.page not in first:
            first.append(step.page)
    assert first == ["fixed-window", "hidden-states", "unroll", "backprop", "bptt", "deeper", "gradients",
                     "lstm-gru"]


def test_the_bidirectional_question_has_the_deeper_pages_options():
    """The lecture asks it with three options; Lecture mode and the Deeper page ask the same ones."""
    from explorer.views import deeper

    ours = lecture_path.BY_KEY["deeper"].question
    assert len(ours.options) == len(deeper.TASKS.options) == 3
    assert [o.label for o in ours.options] == [o.label for o in deeper.TASKS.options]
    assert [o.correct for o in ours.options] == [o.correct for o in deeper.TASKS.options]


def test_every_opening_carries_its_step_number():
    for i, step in enumerate(STEPS, start=1):
        assert lecture_path.opening(step, shared_settings()).query["lecture.step"] == str(i)


@pytest.mark.parametrize(("tokens", "expected"), [
    ("a jig b c dancing".split(), "“jig” is 3 tokens before the last “dancing”"),
    ("jig dancing x dancing".split(), "“jig” is 3 tokens before"),
    ("dancing jig".split(), "no token “jig” before a “dancing”"),
    (list("jig dancing"), "character tokens split the words apart"),
    ([], "no token"),
])
def test_the_cue_note_is_computed_from_the_tokens(tokens, expected):
    assert expected in lecture_path.cue_note(tokens)


def test_the_padded_passage_keeps_its_end_within_the_token_cap():
    from core.text import get_tokenizer
    from explorer import text_input
    from explorer.state import MAX_TOKENS

    assert text_input.padded_dancing(400, "word")[1] == 400, "400 filler words fit as words"
    text, used = text_input.padded_dancing(400, "char")
    assert 0 < used < 400 and len(get_tokenizer("char").spans(text)) <= MAX_TOKENS and text.endswith("dancing.")
    assert len(get_tokenizer("char").spans(text_input.padded_dancing(used + 1, "word")[0])) > MAX_TOKENS, "the most"
