"""The lecture's in-class questions, asked on the page: pick answers, check, and read why each option is right
or wrong (the reasons are the point; a bare score teaches nothing)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Option:
    label: str
    correct: bool
    why: str  # shown after checking, whichever way the student answered


@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple[Option, ...]


def grade(question: Question, chosen) -> list[tuple[Option, bool]]:
    """Each option with whether the student judged it right (ticked a correct one or left a wrong one)."""
    return [(o, (o.label in chosen) == o.correct) for o in question.options]


def _mark_checked(key: str) -> None:
    st.session_state[key + ".checked"] = True


def _forget_check(key: str) -> None:
    st.session_state.pop(key + ".checked", None)


def ask(question: Question, key: str) -> None:
    """Pills for every answer the student thinks is right, a check button, then a verdict and every reason.
    Changing the selection hides the old verdict, so it always matches what is ticked."""
    chosen = st.pills(question.prompt, [o.label for o in question.options], selection_mode="multi", key=key,
                      on_change=_forget_check, args=(key,), help="Tick every answer you think is right.")
    st.button("Check my answer", key=key + ".button", on_click=_mark_checked, args=(key,),
              icon=":material/fact_check:")
    if not st.session_state.get(key + ".checked"):
        return
    graded = grade(question, chosen)
    if all(ok for _, ok in graded):
        st.success("Right.", icon=":material/check_circle:")
    else:
        st.warning(f"Not quite: {sum(ok for _, ok in graded)} of {len(graded)} options judged right.",
                   icon=":material/help:")
    st.markdown("\n".join(f"- {':material/check:' if o.correct else ':material/close:'} **{o.label}**: {o.why}"
                          + ("" if ok else f" *(you {'left it out' if o.correct else 'ticked it'})*")
                          for o, ok in graded))
