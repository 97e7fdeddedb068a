"""Settings, each declared once as data: its URL name, default, range or choices, widget, label and help.

`control(SETTING)` draws the declared widget, binds it to st.session_state and to the URL, and returns the
value; the sidebar, the pages, the lecture path and the tests all refer to the same declaration. A setting's
canonical value lives in st.session_state[key] and survives page changes; its widget uses the key "w.<key>" and
copies its value back on change. The URL is read once per session (bad values are clamped or refused with a
message) and rewritten at the end of every run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, replace
from typing import Any

import streamlit as st

_REGISTERED = "_url_settings"  # keys bound during the current run, in order
_MESSAGES = "_url_messages"  # what was wrong with the URL, shown once
_SEEN = "_url_seen"  # keys bound at any time in this session

# widget kind -> (Streamlit's function for it, what the declaration passes it: a range, choices or neither)
_WIDGETS = {
    "slider": ("slider", "range"),
    "number": ("number_input", "range"),
    "select": ("selectbox", "options"),
    "select_slider": ("select_slider", "options"),
    "radio": ("radio", "options"),
    "toggle": ("toggle", ""),
    "checkbox": ("checkbox", ""),
    "text": ("text_input", ""),
    "text_area": ("text_area", ""),
}


@dataclass(frozen=True)
class Setting:
    """One setting of the app. The URL parser follows from `kind` and the range or choices, unless `parser` is
    given (free text, or choices only known per run: pass `options=` to `with_options`)."""

    key: str  # also the URL parameter name
    default: Any
    parser: Callable[[str], Any] | None = None
    _: KW_ONLY
    kind: str = "none"  # a key of _WIDGETS, or "none" for a setting the page sets itself (a clicked target)
    label: str = ""
    help: str | None = None
    lo: float | None = None  # slider and number bounds, inclusive
    hi: float | None = None
    step: float | None = None
    options: tuple = ()  # choices, in the order the widget lists them
    names: Callable[[Any], str] | dict | None = None  # how a choice is shown (format_func)
    in_url: bool = True
    url_limit: int | None = None  # longer values stay in the session but are left out of the link

    def __post_init__(self) -> None:
        if self.kind != "none" and self.kind not in _WIDGETS:
            raise ValueError(f"unknown widget kind {self.kind!r}")

    def parse(self, raw: str) -> Any:
        """The value a link's raw text stands for; raises ValueError with a reason the user can read."""
        if self.parser is not None:
            return self.parser(raw)
        if self.options:
            return choice(self.options)(raw)
        if isinstance(self.default, bool):
            return flag(raw)
        if self.lo is not None and self.hi is not None:
            whole = isinstance(self.default, int) and (self.step is None or float(self.step).is_integer())
            return (integer(int(self.lo), int(self.hi)) if whole else number(self.lo, self.hi))(raw)
        raise ValueError(f"{self.key} has no parser")  # a declaration error, caught by the tests

    def with_options(self, options: Sequence[Any], default: Any = None) -> Setting:
        """The same setting over choices built per run (the sidebar's models)."""
        return replace(self, options=tuple(options), default=self.default if default is None else default)

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
    """Register the setting for this run and return its value; on the session's first sight of it, start from
    the URL. For settings drawn by `control`, or set by the page itself (a clicked target)."""
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


def control(setting: Setting, where: Any = None, **kwargs) -> Any:
    """Draw the setting's declared widget (in `where`: a column, st.sidebar; the page by default), bound to the
    session and the URL, and return its value. kwargs go to the widget (horizontal=, disabled=, a label
    computed per run...) and override the declaration."""
    bind(setting)
    name, takes = _WIDGETS[setting.kind]
    args: dict[str, Any] = {"label": setting.label, "help": setting.help}
    if takes == "range":
        cast = int if isinstance(setting.default, int) and not isinstance(setting.default, bool) else float
        args |= {"min_value": cast(setting.lo), "max_value": cast(setting.hi)}
        if setting.step is not None:
            args["step"] = cast(setting.step)
    elif takes == "options":
        args["options"] = setting.options
        if setting.names is not None:
            args["format_func"] = setting.names.get if isinstance(setting.names, dict) else setting.names
    args |= {"key": widget_key(setting.key), "on_change": on_change(setting.key)} | kwargs
    getattr(where or st, name)(**args)
    return get(setting.key)


def widget_key(key: str) -> str:
    """Prime the widget with the canonical value and return its key (call just before drawing it), for the few
    widgets `control` cannot draw (a target picker whose options are the text's tokens)."""
    st.session_state["w." + key] = st.session_state[key]
    return "w." + key


def on_change(key: str) -> Callable[[], None]:
    def copy_back() -> None:
        st.session_state[key] = st.session_state["w." + key]
    return copy_back


def get(setting: Setting | str) -> Any:
    """The setting's value in this session (pass the declaration; a key string only where the setting is built
    per run)."""
    return st.session_state[setting.key if isinstance(setting, Setting) else setting]


def put(setting: Setting | str, value: Any) -> None:
    st.session_state[setting.key if isinstance(setting, Setting) else setting] = value


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
