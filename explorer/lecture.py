"""Lecture mode in the app: open a step's page with its settings in one click, and on that page draw the step's
banner (where we are, its text, Back and Next). The path itself is data (explorer/lecture_path.py).

A page shows the banner when the session follows the lecture (a step was opened, or the link carries
`lecture.step`) and the page is the current step's page; app.py calls `banner` before the page runs.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.text import get_tokenizer

from . import context_story, lecture_path, quiz, settings, sidebar, state, text_input
from .lecture_path import STEP_KEY, STEPS, UNTRAINED, Step

N = len(STEPS)
STEP = settings.Setting(STEP_KEY, 0, settings.integer(1, N))  # 0: none yet (so step 1 too stays in the URL)
SHARED = {s.key: s for s in (*sidebar.MODEL_SETTINGS, text_input.PRESET, text_input.TEXT)}  # parsed here
ON = "lecture.on"  # session only: this session follows the lecture
LECTURE_PAGE = "lecture"
# Back, the step's title and Next on one line at any width: the title shrinks and wraps, the buttons do not.
ROW_CSS = """
<style>
.st-key-lecture_row { flex-wrap: nowrap !important; }
.st-key-lecture_row > [data-testid="stElementContainer"][width="100%"] { flex: 1 1 0; min-width: 0; width: auto; }
.st-key-lecture_row button { white-space: nowrap; }
</style>
"""  # fixed text: nothing a user typed goes into it


def _cue() -> str:
    tokenizer = sidebar.config().tokenizer
    tokens = get_tokenizer(tokenizer).tokenize(text_input.shown_text(tokenizer))
    return lecture_path.cue_note(tokens)


# Per-step sentences computed from what the opened page shows (the text, the model), drawn under the step's
# text. A step's wording may not claim a fact about data the user can change; such a fact goes here.
def _context_use() -> str:
    """The lecture ends on "gates fix it": say what the shipped word models measurably use (results/)."""
    curves = state.read_results(state.RESULTS / "context_use.csv")
    return "" if curves is None else context_story.headline(context_story.table(curves))


NOTES: dict[str, Callable[[], str]] = {"long-range": _cue, "gates": _context_use}


def open_step(index: int) -> None:
    """Make step `index`'s settings this session's, then switch to its page with them (and the step) in the URL.
    Ends the script run (st.switch_page), so call it outside callbacks."""
    step = STEPS[min(max(index, 1), N) - 1]
    plan = lecture_path.opening(step, SHARED, st.query_params.to_dict())
    for key in plan.forget:
        st.session_state.pop(key, None)
    for key, value in plan.values.items():
        settings.put(key, value)
    settings.put(STEP_KEY, lecture_path.number(step))
    st.session_state[ON] = True
    st.switch_page(plan.script, query_params=plan.query)


def _leave() -> None:
    st.session_state[ON] = False


def current(url_path: str) -> Step | None:
    """The step whose banner this page shows, or None (not following the lecture, or another page).

    A link's `lecture.step` starts the lecture only on that step's own page; elsewhere it is left in the URL, for
    Lecture mode to read (and to report if it is bad)."""
    if url_path == LECTURE_PAGE:
        return None
    if ON not in st.session_state and STEP_KEY in st.query_params:  # a link to a step's view
        try:
            linked = STEPS[STEP.parse(st.query_params[STEP_KEY]) - 1]
        except ValueError:
            return None
        if linked.page != url_path:
            return None
        st.session_state[ON] = True
    if not st.session_state.get(ON):
        return None
    index = settings.bind(STEP)
    step = STEPS[index - 1] if index else None
    return step if step is not None and step.page == url_path else None


def model_note(step: Step) -> None:
    """Say when the step wants a trained model this server does not have."""
    wanted = step.query.get("model")
    if wanted and wanted != UNTRAINED and wanted not in sidebar.trained_models():
        st.caption(f"This step is meant for the trained model “{wanted}”, which this server does not have: the page "
                   "shows the untrained network instead.")


def banner(url_path: str) -> None:
    """The step's banner at the top of its page: Back, where we are, Next (one click each, PageUp and PageDown
    as on a presentation clicker), then what to look at, the step's text and its question."""
    step = current(url_path)
    if step is None:
        return
    index = lecture_path.number(step)
    with st.container(border=True, key="lecture_banner"):
        st.html(ROW_CSS)
        row = st.container(horizontal=True, vertical_alignment="center", gap="small", key="lecture_row")
        back = row.button("Back", key="lecture_back", icon=":material/arrow_back:", disabled=index == 1,
                          shortcut="PageUp", help="The step before (Page Up).")
        row.markdown(f"**Lecture · step {index} of {N}:** {step.title}", width="stretch")
        nxt = row.button("Next", key="lecture_next", type="primary", icon=":material/arrow_forward:",
                         icon_position="right", disabled=index == N, shortcut="PageDown",
                         help="Opens the next step's page with its settings (Page Down).")
        row.button("", key="lecture_leave", icon=":material/close:", on_click=_leave, type="tertiary",
                   help="Leave the lecture: this page stays, without the banner.")
        if back:
            open_step(index - 1)
        if nxt:
            open_step(index + 1)
        st.markdown(f"**What to look at:** {step.look}")
        model_note(step)
        note = NOTES.get(step.key, str)()
        if note:
            st.caption(note)
        with st.expander("The step's text" + (" and the lecture's question" if step.question else ""),
                         expanded=not sidebar.presenter(), key="lecture_text"):
            st.markdown(step.explain)
            if step.formula:
                st.latex(step.formula)
            if step.question is not None:
                quiz.ask(step.question, f"lecture.q.{step.key}")
            st.caption("The link to this view, which opens it with its settings in a new session: "
                       f"`{step.link()}&{STEP_KEY}={index}`")
