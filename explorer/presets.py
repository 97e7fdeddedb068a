"""The lecture's sentences, each with the reason it is worth unrolling."""

from __future__ import annotations

from dataclasses import dataclass

from core import lecture


@dataclass(frozen=True)
class Preset:
    key: str  # stable id, used in the URL (?preset=dancing)
    label: str
    text: str
    why: str


PRESETS = [
    Preset("dancing", "The dancing passage", lecture.DANCING,
           "“jig” in the first sentence is the best clue for the last word, “dancing”, more than forty words later: "
           "a long-range dependency that an Elman network struggles to learn."),
    Preset("cat-sat", "the cat sat on the …", lecture.CAT_SAT,
           "The slide's question P(mat | the cat sat on the): what does the network predict next?"),
    Preset("starving", "the starving cat chased the …", lecture.STARVING_CAT,
           "“starving” adds a word before “cat”: for the word after the text, a 3-word window still holds “cat "
           "chased the” but has lost the first “the”; a recurrent state keeps both."),
    Preset("fanatically", "cat fanatically chased after the …", lecture.FANATICALLY,
           "The subject “cat” now sits five words before the word to predict next: a window of fewer than five "
           "words cannot see it; a recurrent state can."),
    Preset("elusive", "fanatically chased after the elusive …", lecture.ELUSIVE,
           "“cat” has left the text altogether; only the verb hints at “mouse”."),
]
BY_KEY = {p.key: p for p in PRESETS}
CUSTOM = "custom"
