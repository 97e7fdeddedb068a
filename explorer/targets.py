"""Choosing the word whose prediction the gradient pages differentiate."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from . import settings
from .positions import default_target, target_label
from .sidebar import MODEL, TOKENIZER
from .state import MAX_TOKENS

_CONTEXT = "_target_context"  # setting key -> (model, tokenizer) its position was chosen under


def target_setting(key: str) -> settings.Setting:
    """Position of the target in the URL; 0 (the default) follows the last word of whatever text is shown."""
    return settings.Setting(key, 0, lo=0, hi=MAX_TOKENS)  # drawn by choose_target: its options are the tokens


def current_target(tokens: Sequence[str], setting: settings.Setting) -> int:
    """The chosen position, always >= 1 (0 in the setting = "the last word").

    A position chosen under one model or tokenizer names another token under the next (a word's position is a
    character's), so when either changes the target goes back to "the last word"."""
    settings.bind(setting)
    context = (st.session_state.get(MODEL.key), st.session_state.get(TOKENIZER.key))  # which model reads it, and how
    seen = st.session_state.setdefault(_CONTEXT, {})
    if seen.get(setting.key, context) != context:
        settings.put(setting.key, 0)
    seen[setting.key] = context
    if not 0 <= settings.get(setting.key) < len(tokens):
        settings.put(setting.key, 0)
    return settings.get(setting.key) or default_target(tokens)


def choose_target(tokens: Sequence[str], setting: settings.Setting, where=st, help: str | None = None,
                  tokenizer: str = "word") -> int:
    """A select box of every position (0 = "the last word"); returns the chosen position, always >= 1."""
    chosen = current_target(tokens, setting)
    last = default_target(tokens)
    unit = "character" if tokenizer == "char" else "word"
    auto = f"the last {unit}: {target_label(tokens, last)}"
    where.selectbox(f"Target {unit} (the {unit} being predicted)", range(len(tokens)),
                    format_func=lambda p: target_label(tokens, p) if p else auto,
                    key=settings.widget_key(setting.key), on_change=settings.on_change(setting.key), help=help)
    return chosen
