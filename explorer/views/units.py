"""Units: one unit's activation over a passage, token by token on a fixed scale; the units ranked by how well they
follow a feature of the text, with the honest verdict; and LSTMVis's select-and-match."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core import ModelConfig, Trace
from core import units as U

from .. import captions, render, settings, sidebar, state, text_input
from ..charts.text import coloured_text, ranking_bars, scale_legend

PASSAGES = {"heldout": "a held-out Shakespeare passage", "text": "the text box's text"}
PASSAGE = settings.Setting(
    "units.passage", "heldout", kind="radio", label="Read the units over", options=tuple(PASSAGES), names=PASSAGES,
    help="The held-out passage is the start of Shakespeare's test split, which no shipped model was trained on; the "
         "text box is shared with every page (the Generate page can put a continuation there).")
# Layer, direction and unit: the declared range is what a link may ask for; each run narrows it to this model.
LAYER = settings.Setting("units.layer", 0, kind="number", label="Layer", lo=0, hi=15)
DIRECTION = settings.Setting("units.dir", 0, settings.integer(0, 1), kind="radio", label="Direction", options=(0, 1),
                             names=("left to right", "right to left").__getitem__)
KEY = settings.Setting("units.key", "h", kind="radio", label="Quantity", options=("h", "c"),
                       names={"h": "h (hidden state)", "c": "c (cell state)"})
INDEX = settings.Setting("units.index", 0, kind="number", label="Unit", lo=0, hi=4095)
FEATURE = settings.Setting("units.feature", "line_position", kind="select", label="Feature of the text",
                           options=tuple(U.FEATURES), names=U.FEATURES)
TARGET = settings.Setting("units.target", ",", settings.text(40), kind="text", label="Word or character")
WITHIN = settings.Setting("units.k", 10, kind="number", label="within the last k tokens", lo=1, hi=500)
THRESHOLD = settings.Setting("units.thr", 0.5, kind="number", label="A unit is on above", lo=-10.0, hi=10.0,
                             step=0.05)
# "a-b", the first and last step of the selection: drawn as a range slider over this passage's steps (its value is
# a pair, the setting a string), so the page binds it by hand.
SPAN = settings.Setting("units.span", "", settings.text(20), label="Select a span (first and last step)")
SETTINGS = (PASSAGE, LAYER, DIRECTION, KEY, INDEX, FEATURE, TARGET, WITHIN, THRESHOLD, SPAN)
CONTEXT = 12  # tokens shown either side of a match


def passage(config: ModelConfig) -> str:
    if settings.control(PASSAGE, horizontal=True) == "text":
        return text_input.text_box(tokenizer=config.tokenizer)
    text = U.held_out_passage()
    st.caption(f"The first {text.count(chr(10))} lines ({len(text):,} characters) of the test split, from "
               f"“{text.splitlines()[0]}” on.")
    return text


def _clamp(setting: settings.Setting, hi: int) -> int:
    """Keep a link's value inside this model (a unit index past H, a layer it lacks)."""
    if settings.bind(setting) > hi:
        settings.put(setting.key, hi)
    return settings.get(setting.key)


def pick_unit(trace: Trace) -> U.Unit:
    c = trace.config
    cols = st.columns(4)
    layer = _clamp(LAYER, c.num_layers - 1)
    direction = _clamp(DIRECTION, c.num_directions - 1)
    if settings.bind(KEY) not in U.state_keys(trace):
        settings.put(KEY.key, "h")
    H = trace.get("h", layer, direction).shape[1]
    index = _clamp(INDEX, H - 1)
    if c.num_layers > 1:
        settings.control(LAYER, cols[0], max_value=c.num_layers - 1)
    if c.num_directions > 1:
        settings.control(DIRECTION, cols[1])
    if len(U.state_keys(trace)) > 1:
        settings.control(KEY, cols[2], horizontal=True)
    settings.control(INDEX, cols[3], label=f"Unit (0..{H - 1})", max_value=H - 1)
    return U.Unit(layer, direction, settings.get(KEY.key), index)


def colour_unit(trace: Trace, text: str, unit: U.Unit) -> None:
    acts = U.values(trace, unit.layer, unit.direction, unit.key)
    bound, why = U.colour_bound(trace.config, unit.key, acts)
    v = acts[:, unit.index]
    st.html(coloured_text(trace.tokens, v, bound, U.gaps(text, U.spans(trace, text))))
    st.html(scale_legend(bound))
    st.caption(captions.unit_caption(unit.label(), why, v))


def _show_best(row: dict) -> None:
    for s, column in ((LAYER, "layer"), (DIRECTION, "direction"), (KEY, "quantity"), (INDEX, "index")):
        settings.put(s.key, row[column])


def rank(config: ModelConfig, text: str) -> None:
    left, mid, right = st.columns([2, 1, 1])
    feature = settings.control(FEATURE, left)
    target, k = settings.bind(TARGET), settings.bind(WITHIN)
    if feature == "seen_recently":
        target, k = settings.control(TARGET, mid), int(settings.control(WITHIN, right))
    label = U.FEATURES[feature] if feature != "seen_recently" else f"“{target}” within the last {k} tokens"
    table, f = state.get_unit_ranking(config, text, feature, target, k)
    v = U.verdict(table, f)
    (st.success if v.follows else st.info)(v.sentence(label), icon=":material/query_stats:")
    if feature == "line_position" and "\n" not in text.rstrip("\n") and not v.constant:
        st.warning("This text is a single line: the position in the line is just the step number here, and any unit "
                   "that drifts over time follows it. Read the held-out passage, whose lines are short.",
                   icon=":material/warning:")
    if v.constant:
        return
    render.chart(ranking_bars(table, label, v.steps, good=U.GOOD_R), table, f"units ranked by {feature}",
                 key="units.ranking")
    st.caption(f"Pearson's r between each unit and the feature over the {v.steps:,} steps. A unit “follows” the "
               f"feature when |r| ≥ {U.GOOD_R}: its value then accounts for at least r² = {U.GOOD_R ** 2:.0%} of the "
               "feature's variance. A lower r can still be a real but loose relation; a correlation says nothing "
               "about whether the network uses that unit.")
    best = table.dropna(subset=["r"]).iloc[0].to_dict()
    st.button(f"Colour the best unit, {best['unit']}", on_click=_show_best, args=(best,), key="units.best",
              icon=":material/arrow_upward:")


def _set_span(widget: str) -> None:
    value = st.session_state[widget]
    a, b = value if isinstance(value, tuple | list) else (value, value)  # a slider may come back with one end
    settings.put(SPAN.key, f"{min(a, b)}-{max(a, b)}")


def select_and_match(trace: Trace, text: str, unit: U.Unit) -> None:
    acts = U.values(trace, unit.layer, unit.direction, unit.key)
    T = len(trace)
    a, b = U.selection(settings.bind(SPAN), T, acts[:, unit.index])
    widget = f"units.w.span.{T}"  # one slider per passage length: its range is the steps
    st.session_state[widget] = (a, b)
    st.slider(SPAN.label, 0, T - 1, key=widget, on_change=_set_span, args=(widget,))
    threshold = float(settings.control(THRESHOLD))
    on = U.units_on(acts, a, b + 1, threshold)
    spans = U.spans(trace, text)
    selected = " ".join(text[spans[a][0]:spans[b][1]].split())
    prefix = unit.name
    if not on:
        st.info(f"No unit of {prefix} is above {threshold:g} at every step of {selected!r} (steps {a}..{b}): lower "
                "the threshold or select a shorter span.")
        return
    found = U.matches(acts, on, threshold, b + 1 - a, selected=(a, b))
    listed = ", ".join(f"[{i}]" for i in on[:40]) + ("…" if len(on) > 40 else "")
    st.markdown(f"**{len(on)}** unit{'s' if len(on) != 1 else ''} of {prefix} stay above {threshold:g} throughout "
                f"{selected!r} (steps {a}..{b}): {listed}")
    if found.empty:
        st.info("Nowhere else in this passage are all of them on together.")
        return
    bound, _ = U.colour_bound(trace.config, unit.key, acts)
    between = U.gaps(text, spans)
    mean = acts[:, on].mean(1)
    st.caption(f"Other places where all {len(on)} are on together, closest in length to the selection first "
               f"({len(found)} shown); coloured by their mean activation on the same scale.")
    for row in found.itertuples():
        lo, hi = max(0, row.start - CONTEXT), min(T, row.end + CONTEXT)
        inside = (np.arange(lo, hi) >= row.start) & (np.arange(lo, hi) < row.end)
        st.html(coloured_text(trace.tokens[lo:hi], np.where(inside, mean[lo:hi], 0.0), bound,
                              [""] + between[lo + 1:hi], first_step=lo))


def main() -> None:
    render.page_style()
    st.title("Units")
    st.markdown(
        "Karpathy, Johnson and Fei-Fei (2015) found single units of character models that track the position in a "
        "line or an open quote; LSTMVis (Strobelt et al.) lets one select where some units are on and find where "
        "they are on again. Here: one unit over a whole passage, every unit ranked by how well it follows a feature, "
        "and select-and-match."
    )
    config = sidebar.config()
    if not config.is_recurrent:
        st.info("The fixed-window model has no state to read: its hidden layer is computed afresh at every step from "
                f"the last n = {config.window} tokens alone, and nothing is carried from one step to the next. Pick an "
                "Elman, LSTM or GRU model in the sidebar (the Generate page still lets this one speak).",
                icon=":material/block:")
        return
    text = passage(config)
    trace = render.trace_or_message(config, text, "read its units")
    if trace is None:
        return
    render.overflow_notice(trace)
    if not config.weights:
        st.caption("This network is untrained: whatever its units follow, they follow by chance.")
    st.subheader("One unit over the text", anchor=False)
    unit = pick_unit(trace)
    colour_unit(trace, text, unit)
    st.subheader("Which units follow a feature?", anchor=False)
    rank(config, text)
    st.subheader("Select and match", anchor=False)
    st.markdown("Select a span: the units of the same layer that stay on across it form a pattern; below are the "
                "other places in the passage where that whole pattern is on together.")
    select_and_match(trace, text, unit)
