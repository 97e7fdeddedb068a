"""The lecture's own sentences, kept in core so that untrained models know their words."""

from itertools import cycle, islice

DANCING = (
    "They tuned, discussed for a moment, then struck up a lively jig. Everyone joined in, turning the "
    "courtyard into an even more chaotic scene, people now dancing in circles, swinging and spinning in "
    "circles, everyone making up their own dance steps. I felt my feet tapping, my body wanting to move. "
    "Aside from writing, I've always loved dancing."
)

CAT_SAT = "the cat sat on the"
CAT_CHASED = "the cat chased the"
STARVING_CAT = "the starving cat chased the"
STARVING_AFTER = "starving cat chased after the"
FANATICALLY = "cat fanatically chased after the"
ELUSIVE = "fanatically chased after the elusive"

# Words that carry no dance: padding made of them moves the cue ("jig") away from "dancing".
FILLER = ("The evening was warm and the lamps were lit along the old stone wall . "
          "Somebody laughed near the gate while a dog slept under a cart . ").split()
JIG_SENTENCE_END = DANCING.index("jig.") + len("jig.")


def pad_dancing(extra_tokens: int) -> str:
    """The dancing passage with `extra_tokens` filler tokens after its first sentence (the one with "jig"),
    so the cue sits exactly that many tokens further from the final "dancing"."""
    if extra_tokens < 0:
        raise ValueError("extra_tokens must be zero or more")
    if extra_tokens == 0:
        return DANCING
    filler = " ".join(islice(cycle(FILLER), extra_tokens)).replace(" .", ".")
    return f"{DANCING[:JIG_SENTENCE_END]} {filler}{DANCING[JIG_SENTENCE_END:]}"


SENTENCES = (DANCING, " ".join(FILLER), CAT_SAT + " mat", CAT_CHASED + " mouse", STARVING_CAT + " mouse",
             STARVING_AFTER + " mouse", FANATICALLY + " mouse", ELUSIVE + " mouse")


def cue_position(tokens, target: int, cue: str = "jig") -> int | None:
    """Where the dancing passage's clue sits when it comes before the target position (its first occurrence), else
    None: the distance target - cue_position is how far back the prediction has to reach."""
    return tokens.index(cue) if cue in tuple(tokens[:target]) else None
