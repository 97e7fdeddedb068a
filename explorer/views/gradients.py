"""Gradients through time: how far back can the prediction of one word still reach? The target's gradient against
distance with the theory's bound, the sentence coloured by reach, truncated BPTT, weight decay and clipping, what
BPTT sums for W_hh, and the map of every pair of states."""

from __future__ import annotations

import math

import streamlit as st

from core import lecture
from core.gradients import DECAY_STEPS, LEARNING_RATE, clip_contributions, decay_rate, verdict, weight_decay_shrink

from .. import captions, charts, pair_map, reach_strip, render, settings, sidebar, state, target_panel, text_input
from ..targets import choose_target, current_target, target_setting

TARGET = target_setting("target")
WRT = settings.Setting("wrt", "hidden", kind="radio", label="Gradient with respect to", options=("hidden", "input"),
                       names={"hidden": "states h_s", "input": "inputs x_s"})
TRUNCATE = settings.Setting(  # 0: full BPTT
    "tbptt", 0, kind="number", label="Truncated BPTT chunk K (0 = full BPTT)", lo=0, hi=200,
    help="Training on chunks of K steps carries the state forward but detaches it: no gradient crosses a chunk "
         "boundary.")
DECAY = settings.Setting(
    "wd", 0.0, kind="slider", label="Weight decay λ on W_hh", lo=0.0, hi=0.1, step=0.001,
    help=f"Each SGD step (learning rate {LEARNING_RATE}) multiplies W_hh by 1 − ηλ; shown after {DECAY_STEPS} steps, "
         "leaving out the loss's own pull on the weights.")
CLIP = settings.Setting(
    "clip", 0.0, kind="number", label="Clip ‖∂L/∂W_hh‖ at (0 = off)", lo=0.0, hi=100.0, step=0.1,
    help="Pascanu et al. (2013): if the gradient norm exceeds the threshold, rescale the whole gradient to the "
         "threshold.")
NORM = settings.Setting(
    "map", "fro", kind="radio", label="Matrix norm", options=("fro", "2"),
    names={"fro": "Frobenius (fast)", "2": "spectral (exact SVD of every product)"},
    help="Exact spectral norms need an SVD for every pair: offered when that takes a few seconds at most (short "
         "texts or small hidden sizes).")
SHOW_WHH = settings.Setting("g.show_whh", False, kind="toggle", in_url=False,  # a view state, not a setting to share
                            label="Show what BPTT sums: each step's share of ∂L/∂W_hh")
SETTINGS = (text_input.PAD, TARGET, WRT, TRUNCATE, DECAY, CLIP, NORM, SHOW_WHH)
BADGE = {"vanishing": "blue", "exploding": "red", "edge": "orange"}


def pick_from_strip() -> None:
    picked = st.session_state["g.strip"].get("pick")
    if picked is not None:
        settings.put(TARGET, int(picked))


def instant_curve(config, T: int, wrt: str, truncate: int | None, norm: str) -> bool:
    """Whether every target's curve goes to the browser with the strip (then hovering or clicking a word redraws
    its curve at once): the one-layer, one-way Elman network, whose map and chain give every curve cheaply."""
    return state.is_simple_elman(config) and T <= state.MAX_MAP_TOKENS and wrt == "hidden" and not truncate \
        and norm == "fro"


def reach_by_word(config, text: str, tokens: tuple[str, ...], target: int, frame, cue: int | None,
                  with_curve: bool = False) -> None:
    """The sentence coloured by reach. For the Elman network every word's row of the all-pairs map goes to the
    browser, so hovering a word recolours the sentence by its own prediction's reach without a rerun;
    with_curve adds every target's gradient curve, drawn under the strip for the word hovered or picked, and the
    target's panel (picker, opening sentence, verdict, measured factor), so that a pick is drawn at once."""
    T = len(tokens)
    if config.arch == "elman" and T <= state.MAX_MAP_TOKENS:
        presenter, dancing = sidebar.presenter(), settings.get(text_input.PRESET) == "dancing"
        rows, curve = state.get_strip_payload(config, text, with_curve, with_curve and presenter)
        data = reach_strip.strip_data(tokens, rows, target=target, cue=cue, hover=True,
                                      quantity="‖∂h<sub>t−1</sub>/∂h<sub>s</sub>‖<sub>F</sub>",
                                      key=str(hash((config, text, with_curve, presenter, dancing))))

        def table():  # built only if the CSV is asked for
            logmap = state.get_jacobian_map(config, text, "fro")
            if not with_curve:
                return state.map_frame(logmap, tokens)
            return state.reach_frame(state.get_loss_reach(config, text), logmap / math.log(10), tokens)

        if with_curve:
            panel = state.get_target_panel(config, text, dancing, presenter)
            data["curve"] = curve
            data["panel"] = {**panel, "setting": settings.get(TARGET)}
    else:  # no all-pairs map here: the target's own gradients, as the curve below
        reach = [math.nan] * T
        for pos, val in zip(frame.position, frame.log10_grad_norm):
            reach[pos] = val
        data = reach_strip.strip_data(tokens, {target: reach_strip.reach_rows_of(reach[:target])}, target=target,
                                      cue=cue, hover=False, quantity="‖∂q/∂h<sub>s</sub>‖")
        table = frame
    reach_strip.show(data, key="g.strip", on_pick=pick_from_strip)
    render.downloads(table, lambda: reach_strip.standalone_html(data), "reach by word", key="g.strip")


def controls(config, text: str):
    """Cue distance and the BPTT / regularisation controls; returns (text, effective config)."""
    if settings.bind(text_input.PRESET) == "dancing":
        pad = settings.control(text_input.PAD)
        text, used = text_input.padded_dancing(pad, config.tokenizer)
        if used < pad:
            st.caption(f"{pad} filler words would push the text past the {state.MAX_TOKENS:,} "
                       f"{captions.unit(config.tokenizer, True)} the explorer unrolls: {used} are inserted, so the "
                       "final “dancing” stays.")
    with st.expander("Truncated BPTT, weight decay and clipping", icon=":material/tune:"):
        left, mid, right = st.columns(3)
        settings.control(TRUNCATE, where=left)
        settings.control(DECAY, where=mid, format="%.3f")
        settings.control(CLIP, where=right)
    shrink = weight_decay_shrink(settings.get(DECAY))
    note = decay_note(config, shrink, state.get_spectrum(config).spectral_radius if shrink < 1 and
                      config.arch == "elman" else None)
    if note:
        st.caption(note)
    return text, config.replace(w_hh_scale=config.w_hh_scale * shrink)


def decay_note(config, shrink: float, radius: float | None) -> str | None:
    """What weight decay has done to this model's W_hh (radius: the Elman W_hh's spectral radius before it)."""
    if shrink == 1:
        return None
    if not config.is_recurrent:
        return "The fixed-window model has no W_hh: weight decay on it changes nothing shown here."
    if radius is None:
        return f"Weight decay has scaled W_hh by {shrink:.3g}."
    return (f"Weight decay has scaled W_hh by {shrink:.3g}: its spectral radius is now {radius * shrink:.3g} instead "
            f"of {radius:.3g}.")


def cue_position(tokens, target: int) -> int | None:
    """Where the dancing passage's clue “jig” sits, when it is the text shown and comes before the target."""
    return lecture.cue_position(tokens, target) if settings.get(text_input.PRESET) == "dancing" else None


@st.fragment
def analysis(config, text: str, tokens: tuple[str, ...]) -> None:
    """Everything that depends on the target word. A fragment: picking another target reruns only this part,
    not the text box, the sidebar or the all-pairs map. The page's opening sentence names the target, so it is
    drawn here too: outside the fragment it would go on naming the last target.

    For the one-layer Elman network the browser draws all of it (instant_curve): a pick shows at once, and the
    rerun it starts only brings the same view back. Other models draw it here, from the target's own gradients."""
    settings.bind(WRT)
    if not config.is_recurrent:  # nothing but the inputs to differentiate
        settings.put(WRT, "input")
    target = current_target(tokens, TARGET)
    truncate = settings.get(TRUNCATE) or None
    norm = settings.bind(NORM) if state.spectral_map_ok(target, state.state_size(config)) else "fro"
    if instant_curve(config, len(tokens), settings.get(WRT), truncate, norm):
        settings.control(WRT, horizontal=True)
        reach_by_word(config, text, tokens, target, None, cue_position(tokens, target), with_curve=True)
        curve_caption(st, bounded=True, truncate=None)
    else:
        server_drawn(config, text, tokens, target, truncate, norm)
    if config.arch == "elman":  # the sum of outer products (∂L/∂u_s) h_{s−1}ᵀ is the Elman W_hh's gradient
        bptt_sum(config, text, target, truncate)
    settings.publish()  # a fragment rerun skips app.py, so the link is brought up to date here


def server_drawn(config, text: str, tokens: tuple[str, ...], target: int, truncate: int | None, norm: str) -> None:
    """The target's view drawn by the server: the picker, verdict, numbers and Plotly curve of one target."""
    intro = st.container()
    present = sidebar.presenter()  # on a projector the curve comes right under the target, the numbers after it
    top = st.columns([2, 1] if present else [2, 1, 1])
    curve, later = st.container(), st.container()
    if not present:
        curve, later = later, curve
    choose_target(tokens, TARGET, top[0], help="Or click a token in the coloured text below.",
                  tokenizer=config.tokenizer)
    wrt = settings.control(WRT, where=top[1], horizontal=True, disabled=not config.is_recurrent)
    frame = state.get_gradients(config, text, target, wrt, truncate=truncate)
    spec = state.get_spectrum(config) if config.arch == "elman" else None
    rate = decay_rate(frame.distance, frame.grad_norm)
    v = verdict(spec, rate)
    with later if present else top[2]:
        st.badge(v.label, color=BADGE[v.label], icon=":material/monitoring:")
        st.caption(v.reason)

    m = later.columns(4)
    if spec is not None:
        m[0].metric("ρ(W_hh), spectral radius", f"{spec.spectral_radius:.3g}")
        m[1].metric("‖W_hh‖₂, largest singular value", f"{spec.spectral_norm:.3g}")
        m[2].metric("γ = sup f′", f"{spec.gamma:g}")
    m[3].metric("measured factor per step", target_panel.rate_text(rate))
    cue = cue_position(tokens, target)
    intro.markdown(captions.gradients_intro(tokens, target, cue, config.tokenizer))
    with later:
        if not state.is_simple_elman(config):
            st.caption(captions.not_elman_note(config, state.w_hh_shape(config)))
        reach_by_word(config, text, tokens, target, frame, cue)
        note = target_panel.cue_note(tokens, cue, target)
        if note:
            st.caption(note)
    # The bound is about dh_t/dh_s; input gradients carry an extra W_hx diag(f'(u_s)) factor it does not cover.
    bounded = spec is not None and state.is_simple_elman(config) and wrt == "hidden"
    with curve:
        row = None if truncate or wrt != "hidden" or not state.state_row_ok(config, target) else \
            state.get_jacobian_row(config, text, target, ord=norm)
        fig = charts.gradient_vs_distance(frame, spectrum=spec if bounded else None, jacobian_row=row,
                                          row_norm=norm, hidden=config.hidden_size,
                                          state_label="hc" if config.arch == "lstm" else "h")
        render.chart(fig, frame, "gradient vs distance", key="g.curve")
    curve_caption(curve, bounded, truncate)


def curve_caption(where, bounded: bool, truncate: int | None) -> None:
    where.caption(
        "What this shows: for this one text, this one target and these weights, how the gradient's size falls with "
        "distance. What it cannot show: that the network would fail to learn the dependency in general. Other texts, "
        "targets or trained weights move the curve"
        + ("; the bound (dashed) holds for every input." if bounded else ".")
    )
    if truncate:
        where.caption(f"Truncated BPTT with chunks of {truncate} steps: every position before the target's chunk gets "
                      "a gradient of exactly zero (shown at the bottom of the axis).")


def bptt_sum(config, text: str, target: int, truncate: int | None) -> None:
    """What BPTT adds up for W_hh, drawn only on request: one backward pass of the target (cached, and the same
    one the Plotly curve reads when that is drawn; the in-browser curve needs none)."""
    if not settings.control(SHOW_WHH):
        return
    contrib, norm = state.get_w_hh_contributions(config, text, target, truncate)
    clip = settings.get(CLIP)
    contrib, scale = clip_contributions(contrib, norm, clip)
    total = contrib.grad_norm.sum()  # of the terms drawn, after any clipping
    if clip > 0 and not math.isfinite(norm):
        st.caption(f"‖∂L/∂W_hh‖ is {norm}: the network has overflowed, and no rescaling can make sense of it.")
    elif clip > 0 and scale == 1.0:
        st.caption(f"‖∂L/∂W_hh‖ = {norm:.3g} is within the threshold {clip:g}: clipping leaves it alone.")
    if scale < 1:
        st.caption(f"Clipping rescaled the whole gradient by {scale:.3g}: every step's share shrinks by the same "
                   "factor, so clipping stops explosions but cannot revive a vanished distant contribution.")
    fig = charts.gradient_vs_distance(contrib, title="Each step's contribution (∂L/∂u_s) h_{s−1}ᵀ to ∂L/∂W_hh",
                                      quantity="‖(∂L/∂u_s) h_{s−1}ᵀ‖")
    render.chart(fig, contrib, "w_hh contributions", key="g.whh")
    st.caption(f"The gradient for W_hh is the sum of one outer product per step (sum of their norms: {total:.3g}). "
               + captions.bptt_terms_note(contrib))


def all_pairs(config, text: str, tokens: tuple[str, ...]) -> None:
    """The T x T map: the same for every target, so it sits outside the fragment and is not redrawn."""
    S = "(h, c)" if config.arch == "lstm" else "h"
    st.subheader(f"Every pair: ‖∂{S}_t/∂{S}_s‖", anchor=False)
    T = len(tokens)
    if not config.is_recurrent:
        st.info("The fixed-window model has no state h_t, so there are no pairs of states to compare.")
    elif not state.state_row_ok(config, T):
        st.info(f"The map of all pairs for the {config.arch.upper()} needs one dense Jacobian of its full state per "
                f"step: drawn for texts of up to {state.dense_steps(config)} tokens (this one has {T}).")
    elif T > state.MAX_MAP_TOKENS:
        st.info(f"The map of all pairs is drawn for texts up to {state.MAX_MAP_TOKENS} tokens "
                f"(this one has {T}): beyond that it has more cells than the screen has pixels.")
    else:
        settings.bind(NORM)
        spectral_ok = state.spectral_map_ok(T, state.state_size(config))
        if not spectral_ok and settings.get(NORM) == "2":
            settings.put(NORM, "fro")
        norm = settings.control(NORM, horizontal=True, disabled=not spectral_ok)
        logmap = state.get_jacobian_map(config, text, norm)
        data = pair_map.map_data(logmap, tokens, state=S, presenter=sidebar.presenter())
        pair_map.show(data, key="g.map")
        render.downloads(lambda: state.map_frame(logmap, tokens), lambda: pair_map.standalone_html(data),
                         "all pairs map", key="g.map")  # up to 80,000 rows: built only if the CSV is asked for
        st.caption(f"Row t shows how much {S}_t depends on every earlier state {S}_s. Along each row the colour "
                   "fades to the left when gradients vanish; each diagonal band has one distance k = t − s.")


def main() -> None:
    render.page_style()
    st.title("Gradients through time")
    config = sidebar.config()
    text = text_input.text_box(tokenizer=config.tokenizer)
    body, extras = st.container(), st.container()  # on a projector the analysis first, the cue and BPTT knobs after
    if not sidebar.presenter():
        body, extras = extras, body
    with extras:
        text, config = controls(config, text)
    trace = render.trace_or_message(config, text, "follow its gradients back through time")
    if trace is None:
        return
    tokens, T = trace.tokens, len(trace)
    if T < 2:
        st.info("Type at least two tokens: the target needs a word before it to look back to.")
        return
    render.overflow_notice(trace)
    with body:
        analysis(config, text, tokens)
    all_pairs(config, text, tokens)
