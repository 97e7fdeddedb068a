"""The text every page unrolls: one shared text box with the lecture's presets, capped with a reason."""

from __future__ import annotations

import streamlit as st

from core.lecture import pad_dancing
from core.text import get_tokenizer

from . import settings
from .presets import BY_KEY, CUSTOM, PRESETS
from .sidebar import presenter
from .state import MAX_TOKENS

URL_TEXT_LIMIT = 1500  # longer texts stay in the session but not in the link
PRESET = settings.Setting("preset", "dancing", kind="select", label="Preset",
                          options=(*(p.key for p in PRESETS), CUSTOM),
                          names={p.key: p.label for p in PRESETS} | {CUSTOM: "Your own text"})
TEXT = settings.Setting("text", "", settings.text(URL_TEXT_LIMIT), kind="text_area", label="Text to unroll",
                        help="Press Ctrl+Enter (or click outside) to apply. Words the model has never seen still get "
                             "their own fixed random vector.", url_limit=URL_TEXT_LIMIT)

PAD = settings.Setting("pad", 0, kind="slider", label="Cue distance: filler words inserted after “jig”", lo=0,
                       hi=400, step=5,
                       help="Moves the cue further back from the final “dancing”; watch its reach fade.")


def _choose_preset() -> None:
    key = st.session_state["w.preset"]
    settings.put(PRESET, key)
    if key != CUSTOM:
        settings.put(TEXT, "")


def _edit_text() -> None:
    settings.put(TEXT, st.session_state["w.text"])
    settings.put(PRESET, CUSTOM)


def current_text() -> str:
    preset = settings.bind(PRESET)
    typed = settings.bind(TEXT)
    return typed if preset == CUSTOM else BY_KEY[preset].text


def text_box(label: str = TEXT.label, *, tokenizer: str = "word", height: int = 110) -> str:
    """Draw the preset picker and the text area; return the text to use, truncated to MAX_TOKENS tokens.
    In presenter mode the box is two lines high and the preset's note becomes its tooltip, so the chart below
    stays on the first screen of a projector."""
    text = current_text()
    compact = presenter()
    left, right = st.columns([1, 2])
    with left:
        preset = settings.get(PRESET.key)
        why = BY_KEY[preset].why if preset != CUSTOM else None
        settings.control(PRESET, on_change=_choose_preset, help=why if compact else None)
        if why and not compact:
            st.caption(why)
    with right:
        st.session_state["w.text"] = text  # a preset's own text is shown, not the setting's (empty) value
        st.text_area(label, key="w.text", height=68 if compact else height, on_change=_edit_text, help=TEXT.help)
    if len(text) > URL_TEXT_LIMIT:
        st.caption(f"This text is longer than {URL_TEXT_LIMIT:,} characters, so the link does not carry it.")
    return cap_tokens(text, tokenizer)


def padded_dancing(pad: int, tokenizer: str = "word") -> tuple[str, int]:
    """The dancing passage with `pad` filler words after “jig”, as many as fit in MAX_TOKENS tokens (characters
    fill up five times faster than words), so the final “dancing” is never cut off; returns (text, words used)."""
    def count(p: int) -> int:
        return len(get_tokenizer(tokenizer).spans(pad_dancing(p)))

    if count(pad) <= MAX_TOKENS:
        return pad_dancing(pad), pad
    lo, hi = 0, pad  # count(lo) fits, count(hi) does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if count(mid) <= MAX_TOKENS else (lo, mid)
    return pad_dancing(lo), lo


def shown_text(tokenizer: str = "word") -> str:
    """The text the pages unroll before the cap: the dancing passage padded as its cue-distance slider says."""
    if settings.bind(PRESET) == "dancing":
        return padded_dancing(settings.bind(PAD), tokenizer)[0]
    return current_text()


def cap_tokens(text: str, tokenizer: str = "word") -> str:
    """Keep the first MAX_TOKENS tokens, and say so."""
    spans = get_tokenizer(tokenizer).spans(text)
    if len(spans) <= MAX_TOKENS:
        return text
    st.warning(f"Your text has {len(spans):,} tokens; the explorer unrolls the first {MAX_TOKENS:,}. Every token "
               "is one more step to compute and draw, and the all-pairs map grows with the square of the length.",
               icon=":material/content_cut:")
    return text[: spans[MAX_TOKENS - 1][1]]
