"""What the Gradients page says about each possible target, made once per text so that the browser can show it the
moment a target is picked: the opening sentence, the verdict with its reason, the measured factor per step and
the cue's distance. The reach strip draws it (explorer.reach_strip); the rerun that follows a pick only confirms.

Every number comes from the same curves the strip draws (core.gradients.loss_reach_map), through the same
functions the server-drawn page uses (decay_rate, verdict, captions), so both paths say the same thing.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from core.gradients import Spectrum, decay_rate, verdict

from . import captions
from .positions import default_target, target_label

BOLD = re.compile(r"\*\*(.+?)\*\*")


def rate_text(rate: float) -> str:
    return "—" if math.isnan(rate) else f"×{rate:.3g}"


def cue_note(tokens: Sequence[str], cue: int | None, target: int) -> str | None:
    """Where the cue sits, said under the strip: only when the dancing passage's cue comes before the target."""
    if cue is None:
        return None
    return (f"“{tokens[cue]}” sits {target - cue} tokens before the target. Slide the cue distance to push it "
            "back.")


def markdown_html(text: str) -> str:
    """The captions' Markdown (plain text and **bold**) as HTML, escaped."""
    return BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


def panel_data(tokens: Sequence[str], q_log10: np.ndarray, spec: Spectrum, *, cue_of: Callable[[int], int | None],
               tokenizer: str, presenter: bool = False) -> dict:
    """The picker and every target's facts, the same for every pick of a text (the page adds "setting", the
    target as the URL holds it: 0 = the text's last word). q_log10[t, s]: log10 ||d loss_t / dh_s|| (the strip's
    curves); cue_of(t): the cue before target t, or None."""
    Q = np.asarray(q_log10, dtype=float)
    unit = captions.unit(tokenizer)
    last = default_target(tokens)
    facts = {}
    for t in range(1, len(tokens)):
        distance = np.arange(t, 0, -1)
        rate = decay_rate(distance, 10.0 ** Q[t, :t])
        v = verdict(spec, rate)
        cue = cue_of(t)
        head = captions.gradients_intro_head(tokens, t, cue, tokenizer)
        facts[str(t)] = {"intro": markdown_html(head), "verdict": v.label, "reason": v.reason, "rate": rate_text(rate),
                         "cue": cue, "cue_note": cue_note(tokens, cue, t)}
    options = [[0, f"the last {unit}: {target_label(tokens, last)}"]]
    options += [[t, target_label(tokens, t)] for t in range(1, len(tokens))]
    return {
        "last": last, "facts": facts, "options": options,
        "intro_tail": markdown_html(captions.GRADIENTS_INTRO_TAIL),
        "label": f"Target {unit} (the {unit} being predicted)",
        "help": f"Or click a {unit} in the coloured text below.",
        "metrics": [["ρ(W_hh), spectral radius", f"{spec.spectral_radius:.3g}"],
                    ["‖W_hh‖₂, largest singular value", f"{spec.spectral_norm:.3g}"],
                    ["γ = sup f′", f"{spec.gamma:g}"]],
        "rate_label": "measured factor per step", "presenter": presenter,
    }
