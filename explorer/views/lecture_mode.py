"""Lecture mode: the lecture on recurrent networks as a guided path, one idea per step, in the lecture's order.

This page lists the steps. Starting (or clicking a step) opens that step's page with the step's settings; there a
banner carries the step's text, its question, and Back / Next, each one click (explorer/lecture.py). The steps
are data (explorer/lecture_path.py). `lecture.step` in the URL (from 1) is the step to continue at.
"""

from __future__ import annotations

import streamlit as st

from .. import lecture, lecture_path, render, settings
from ..lecture_path import STEPS

SETTINGS = (lecture.STEP,)  # declared beside the banner that shares it (explorer/lecture.py)

BIG_BUTTONS = """
<style>
.st-key-lecture_start button { min-height: 3.2rem; font-size: 1.2rem; }
</style>
"""  # fixed text: nothing a user typed goes into it


def contents(at: int) -> None:
    """Every step by the lecture's sections, each a button that opens it."""
    section = None
    for index, step in enumerate(STEPS, start=1):
        if step.section != section:
            section = step.section
            st.subheader(section, anchor=False)
        spec = lecture_path.page_spec(step.page)
        label = f"{index}. {step.title}" + (f" · {spec.title}" if spec else "")
        if st.button(label, key=f"lecture_go_{index}", type="secondary" if index == at else "tertiary",
                     icon=spec.icon if spec else None, disabled=spec is None):
            lecture.open_step(index)


def main() -> None:
    render.page_style()
    st.html(BIG_BUTTONS)
    st.title("Lecture mode")
    st.markdown("The lecture on recurrent networks, step by step in its own order. Each step opens the page that "
                "shows it, set up for that step; the step's text, its question and Back / Next stay at the top of "
                "the page (Page Up and Page Down work too, as on a presentation clicker).")
    at = max(settings.bind(lecture.STEP), 1)
    label = "Start the lecture" if at == 1 else f"Continue at step {at}: {STEPS[at - 1].title}"
    if st.button(label, key="lecture_start", type="primary", icon=":material/play_arrow:"):
        lecture.open_step(at)
    contents(at)
