"""Generate: the sidebar's model continues the shared text, token by token, greedy or sampled with temperature and
top-k from a seed; each token shows its probability and runners-up; Elman, LSTM and GRU can continue side by side;
a continuation can be put back into the text box so every other page unrolls it."""

from __future__ import annotations

import streamlit as st

from core import ModelConfig
from core.generate import MAX_TOKENS, Sampling, Step, continuation_text, frame, generate, separators
from core.models.config import RECURRENT_ARCHS, SHORT_ARCH_NAMES

from .. import captions, render, settings, sidebar, state, text_input
from ..charts.text import probability_text
from ..presets import CUSTOM

N = settings.Setting("gen.n", 100, kind="number", label="Tokens to generate", lo=1, hi=MAX_TOKENS, step=10,
                     help="Words or characters, as the model reads them.")
METHOD = settings.Setting(
    "gen.method", "sample", kind="radio", label="Decoding", options=("sample", "greedy"),
    names={"sample": "sample", "greedy": "greedy (argmax)"},
    help="Greedy takes the most likely token every time; sampling draws one at random from the model's "
         "distribution, reshaped by the temperature and cut to the top k.")
TEMPERATURE = settings.Setting(
    "gen.temp", 0.8, kind="slider", label="Temperature T", lo=0.05, hi=5.0, step=0.05,
    help="Draws from softmax(z / T): below 1 sharper (towards greedy), above 1 flatter (towards uniform).")
TOP_K = settings.Setting("gen.topk", 0, kind="number", label="Top k (0 = all)", lo=0, hi=1000, step=1,
                         help="Only the k most likely tokens may be drawn.")
SEED = settings.Setting("gen.seed", 0, kind="number", label="Seed", lo=0, hi=2**31 - 1, step=1,
                        help="Same seed, same settings and prompt: the same continuation.")
COMPARE = settings.Setting("gen.compare", False, kind="toggle", label="Continue with all three side by side",
                           help="The same prompt, decoding, temperature, top-k and seed for each network.")
SETTINGS = (N, METHOD, TEMPERATURE, TOP_K, SEED, COMPARE)
SIBLINGS = RECURRENT_ARCHS  # set side by side, each under its short name
TAIL = 200  # characters of the prompt shown before the continuation


def controls() -> Sampling:
    left, mid, right = st.columns([1, 1, 2])
    settings.control(N, left)
    greedy = settings.control(METHOD, mid, horizontal=True) == "greedy"
    with right:
        if greedy:
            st.caption("Greedy decoding has no randomness: temperature, top-k and seed do not apply, and the same "
                       "prompt always gives the same continuation.")
            for s in (TEMPERATURE, TOP_K, SEED):
                settings.bind(s)
        else:
            for s, col in zip((TEMPERATURE, TOP_K, SEED), st.columns(3), strict=True):
                settings.control(s, col)
    return Sampling(greedy=greedy, temperature=float(settings.get(TEMPERATURE.key)),
                    top_k=int(settings.get(TOP_K.key)), seed=int(settings.get(SEED.key)))


def _tail(prompt: str) -> str:
    return prompt if len(prompt) <= TAIL else "…" + prompt[-TAIL:]


def tips(steps: list[Step]) -> list[str]:
    """Hover text of each generated token: its probability, then the runners-up."""
    return [f"P({s.token!r}) = {s.p:.3f}; then " + ", ".join(f"{tok!r} {p:.3f}" for tok, p in s.runners_up)
            for s in steps]


def continuation(config: ModelConfig, prompt: str, n: int, sampling: Sampling, box) -> list[Step]:
    """The continuation, streamed into `box` token by token as it is produced (or the stored one, at once)."""
    key = (config, prompt, n, sampling)
    if (done := state.generated(key)) is not None:
        return done
    steps: list[Step] = []
    shown = _tail(prompt)
    for step in generate(state.get_model(config), prompt, n, sampling):
        before = steps[-1].token if steps else prompt  # the spacing depends on the token before only
        shown += separators(config.tokenizer, before, [step.token])[0] + step.token
        steps.append(step)
        box.text(shown)
    state.keep_generated(key, steps)
    return steps


def show(config: ModelConfig, prompt: str, steps: list[Step], box) -> None:
    """The finished continuation shaded by probability, and what its numbers say."""
    tokens = [s.token for s in steps]
    box.html(probability_text(_tail(prompt), tokens, [s.p for s in steps], tips(steps),
                              separators(config.tokenizer, prompt, tokens)))
    st.caption(captions.continuation_caption(steps, len(state.get_model(config).vocab)))


def _put_in_text_box(text: str) -> None:
    settings.put(text_input.PRESET, CUSTOM)
    settings.put(text_input.TEXT, text)


def notes(config: ModelConfig) -> None:
    """What this model's continuation can and cannot mean, from its configuration."""
    if not config.weights:
        st.info("This network is untrained: its weights are random, so it continues with tokens from its small "
                "lecture vocabulary almost at random. Pick a trained model in the sidebar to hear Shakespeare.",
                icon=":material/casino:")
    if not config.is_recurrent:
        st.caption(f"The fixed-window model has no state: each next token depends on the last n = {config.window} "
                   "tokens only, which it reads again at every step.")
    if config.bidirectional:
        st.caption("This model reads both ways: at every step its right-to-left network re-reads the whole text, "
                   "the tokens generated so far included.")


def one(config: ModelConfig, prompt: str, n: int, sampling: Sampling) -> list[Step] | None:
    box = st.empty()
    try:
        steps = continuation(config, prompt, n, sampling, box)
    except ValueError as err:
        render.failure(err)
        return None
    show(config, prompt, steps, box)
    return steps


def side_by_side(config: ModelConfig, prompt: str, n: int, sampling: Sampling) -> None:
    for arch, col in zip(SIBLINGS, st.columns(len(SIBLINGS)), strict=True):
        sibling = sidebar.sibling(config, arch)
        with col:
            st.markdown(f"**{SHORT_ARCH_NAMES[arch]}** · {sidebar.describe(sibling)}, H = {sibling.hidden_size}")
            one(sibling, prompt, n, sampling)


def main() -> None:
    render.page_style()
    st.title("Generate")
    st.markdown(
        "A language model gives P(next token | everything before it). Pick a token from that distribution, append "
        "it, and ask again: that is all generation is. Greedy decoding always takes the most likely token; sampling "
        "draws one, with the temperature T reshaping the distribution as softmax(z / T) and top-k keeping only the k "
        "most likely tokens."
    )
    config = sidebar.config()
    prompt = text_input.text_box("Prompt", tokenizer=config.tokenizer)
    sampling = controls()
    n = int(settings.get(N.key))
    if not prompt.strip():
        st.info("Type a prompt above (or pick a preset) for the model to continue.")
        return
    notes(config)
    steps = one(config, prompt, n, sampling)
    if steps:
        full = prompt + continuation_text(config.tokenizer, prompt, steps)
        st.button("Unroll this continuation", on_click=_put_in_text_box, args=(full,), key="gen.unroll",
                  icon=":material/input:", help="Puts the prompt and its continuation into the text box, so that "
                                                 "every page (Unroll, Hidden states, Units, ...) reads it.")
        with st.expander("Every generated token, its probability and the runners-up"):
            st.dataframe(frame(steps), hide_index=True)
    st.subheader("Elman, LSTM and GRU on the same prompt", anchor=False)
    if settings.control(COMPARE):
        side_by_side(config, prompt, n, sampling)
        st.caption("Trained models are the shipped ones for the same tokens; an untrained model's siblings share "
                   "its hidden size and seed. The same seed gives the same random numbers, but each network's "
                   "distribution differs, so they pick other tokens.")
