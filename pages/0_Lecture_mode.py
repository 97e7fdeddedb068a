"""Lecture mode: the lecture on recurrent networks as a guided path, one idea per step. Each step says what to
think about, opens the page that shows it with the right settings, says what to look at there, and asks the
lecture's questions with explained answers.

The steps are data (explorer/lecture_path.py, whose docstring explains how opening a step makes its settings
take effect in an ongoing session). The step shown is a URL setting, `lecture.step` (from 1), so a teacher can
link a step; → and ← move through the path, O opens the step's page.
"""

from urllib.parse import urljoin

import streamlit as st

from explorer import lecture_path, quiz, render, settings, sidebar, text_input
from explorer.lecture_path import STEP_KEY, STEPS, UNTRAINED, Step

N = len(STEPS)
STEP = settings.Setting(STEP_KEY, 1, settings.integer(1, N))
KNOWN = {s.key: s for s in (*sidebar.MODEL_SETTINGS, text_input.PRESET, text_input.TEXT)}  # parsed here
BIG_BUTTONS = """
<style>
.st-key-lecture_prev button, .st-key-lecture_next button, .st-key-lecture_open button {
  min-height: 3.2rem; font-size: 1.2rem;
}
</style>
"""  # fixed text: nothing a user typed goes into it


def go(index: int) -> None:
    settings.put(STEP_KEY, min(max(index, 1), N))


def jump() -> None:
    go(st.session_state["w." + STEP_KEY])


def open_step(step: Step) -> None:
    """Make the step's settings this session's, then switch to its page with them in the URL."""
    plan = lecture_path.opening(step, KNOWN, st.query_params.to_dict())
    for key in plan.forget:
        st.session_state.pop(key, None)
    for key, value in plan.values.items():
        settings.put(key, value)
    st.switch_page(plan.script, query_params=plan.query)


def navigator(index: int) -> None:
    """Previous / where we are / Next, with ← and → as shortcuts."""
    st.progress(index / N, text=f"Step {index} of {N} · {STEPS[index - 1].section}")
    prev, mid, nxt = st.columns([1, 2, 1], vertical_alignment="bottom")
    prev.button("Previous", key="lecture_prev", icon=":material/arrow_back:", on_click=go, args=(index - 1,),
                disabled=index == 1, shortcut="Left", width="stretch", help="The step before (← key).")
    mid.selectbox("Jump to step", range(1, N + 1), format_func=lambda i: f"{i}. {STEPS[i - 1].title}",
                  key=settings.widget_key(STEP_KEY), on_change=jump, label_visibility="collapsed")
    nxt.button("Next", key="lecture_next", type="primary", icon=":material/arrow_forward:", icon_position="right",
               on_click=go, args=(index + 1,), disabled=index == N, shortcut="Right", width="stretch",
               help="The next step (→ key).")


def model_note(step: Step) -> None:
    """Say ahead when the step wants a trained model this server does not have."""
    wanted = step.query.get("model")
    if wanted and wanted != UNTRAINED and wanted not in sidebar.trained_models():
        st.caption(f"This step is meant for the trained model “{wanted}”, which this server does not have: the page "
                   "will say so and show the untrained network instead.")


def view_link(step: Step) -> str:
    """The view's address: absolute when the browser told us where the app is served."""
    try:
        here = st.context.url
    except Exception:  # no browser behind this run (tests, bare mode)
        here = None
    return urljoin(here, step.link()) if here else "/" + step.link()


def destination(step: Step) -> None:
    """What to look at, the settings, and the button that opens the page with them."""
    spec = lecture_path.page_spec(step.page)
    st.info(f"**What to look at:** {step.look}", icon=":material/visibility:")
    if spec is None:
        st.warning(f"This step's page (“{step.page}”) is not part of the app yet.", icon=":material/construction:")
        return
    model_note(step)
    if st.button(f"Open “{spec.title}” with these settings", key="lecture_open", type="primary", icon=spec.icon,
                 shortcut="O", help="Sets the model, the text and the page's controls for this step, then goes "
                                    "there (O key). Come back with “Lecture mode” in the navigation."):
        open_step(step)
    with st.expander("The settings and a link to this view", icon=":material/link:"):
        st.markdown(" · ".join(f"`{key}` = `{value}`" for key, value in step.params))
        st.caption("Settings this step does not name go back to their defaults; your hidden size, seed and "
                   "presenter mode stay. The link opens the same view in a new session:")
        st.code(view_link(step), language=None)
    pages = [p for p in (lecture_path.page_spec(u) for u in step.related) if p is not None]
    if pages:
        st.caption("More on this:")
        for p in pages:
            st.page_link(p.path, label=p.title, icon=p.icon)


def main() -> None:
    render.page_style()
    st.html(BIG_BUTTONS)
    st.title("Lecture mode")
    settings.bind(STEP)
    index = settings.get(STEP_KEY)
    navigator(index)
    step = STEPS[index - 1]
    st.header(f"{index}. {step.title}", anchor=False)
    st.markdown(step.explain)
    if step.formula:
        st.latex(step.formula)
    destination(step)
    if step.question is not None:
        st.subheader("Question from the lecture", anchor=False)
        quiz.ask(step.question, f"lecture.q.{step.key}")


main()
