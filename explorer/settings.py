"""Settings that live in st.session_state and in the URL, so a link reopens the exact same view.

Each setting has a canonical value in st.session_state[key] that survives page changes; its widget
uses the key "w.<key>" and copies its value back on change. The URL is read once per session (bad
values are clamped or refused with a message) and rewritten at the end of every run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

_REGISTERED = "_url_settings"  # keys bound during the current run, in order
_MESSAGES = "_url_messages"  # what was wrong with the URL, shown once
_SEEN = "_url_seen"  # keys bound at any time in this session


@dataclass(frozen=True)
class Setting:
    key: str  # also the URL parameter name
    default: Any
    parse: Callable[[str], Any]  # raises ValueError with a user-facing reason
    in_url: bool = True
    url_limit: int | None = None  # longer values stay in the session but are left out of the link

    def encode(self, value) -> str:
        if isinstance(value, bool):
            return "1" if value else "0"
        return str(value)


def shown(raw: str, limit: int = 40) -> str:
    """A value from the link as a Markdown code span: shortened, on one line, and never read as Markdown (a
    hand-made link could otherwise put its own links, images or formatting into the app's message)."""
    raw = " ".join(raw.split()).replace("`", "'")
    return f"`{raw if len(raw) <= limit else raw[: limit - 1] + '…'}`" if raw else "an empty value"


def integer(lo: int, hi: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(float(raw))
        except (ValueError, OverflowError):  # int(float("inf")) overflows
            raise ValueError(f"{shown(raw)} is not a whole number") from None
        if not lo <= value <= hi:
            raise ValueError(f"{value} is outside {lo}..{hi}")
        return value
    return parse


def number(lo: float, hi: float) -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{shown(raw)} is not a number") from None
        if not lo <= value <= hi:  # also refuses nan
            raise ValueError(f"{value} is outside {lo}..{hi}")
        return value
    return parse


def choice(options: Sequence[Any]) -> Callable[[str], Any]:
    def parse(raw: str) -> Any:
        for option in options:
            if str(option) == raw:
                return option
        raise ValueError(f"{shown(raw)} is not one of {', '.join(map(str, options))}")
    return parse


def flag(raw: str) -> bool:
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{shown(raw)} is not on/off")


def text(limit: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        return raw[:limit]
    return parse


def bind(setting: Setting) -> Any:
    """Register the setting for this run; on the session's first sight of it, start from the URL."""
    state = st.session_state
    if setting.key not in state:
        raw = st.query_params.get(setting.key)
        value = setting.default
        if raw is not None:
            try:
                value = setting.parse(raw)
            except ValueError as err:
                state.setdefault(_MESSAGES, []).append(f"Link setting `{setting.key}`: {err}; using {setting.default}.")
        state[setting.key] = value
    state.setdefault(_REGISTERED, {})[setting.key] = setting
    return state[setting.key]


def widget_key(key: str) -> str:
    """Prime the widget with the canonical value and return its key (call just before drawing it)."""
    st.session_state["w." + key] = st.session_state[key]
    return "w." + key


def on_change(key: str) -> Callable[[], None]:
    def copy_back() -> None:
        st.session_state[key] = st.session_state["w." + key]
    return copy_back


def widget(draw: Callable[..., Any], label: str, setting: Setting, *args, **kwargs) -> Any:
    """Bind a setting and draw its widget (st.slider, st.selectbox, ... or a column's) in one call."""
    bind(setting)
    draw(label, *args, key=widget_key(setting.key), on_change=on_change(setting.key), **kwargs)
    return get(setting.key)


def get(key: str) -> Any:
    return st.session_state[key]


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def start_run() -> None:
    st.session_state[_REGISTERED] = {}


def url_messages() -> list[str]:
    """Problems found in the link, returned once."""
    return st.session_state.pop(_MESSAGES, [])


def publish() -> None:
    """Write every non-default setting used in this run to the URL (defaults are left out: shorter links).

    Parameters this session has never bound stay: a link may carry settings for a page not opened yet.
    """
    registered = st.session_state.get(_REGISTERED, {})
    seen = st.session_state.setdefault(_SEEN, set())
    seen.update(registered)
    wanted = {key: value for key, value in st.query_params.items() if key not in seen}
    for key, setting in registered.items():
        value = st.session_state[key]
        if setting.in_url and value != setting.default:
            encoded = setting.encode(value)
            if setting.url_limit is None or len(encoded) <= setting.url_limit:
                wanted[key] = encoded
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)
