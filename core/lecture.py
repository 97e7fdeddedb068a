"""The lecture's own sentences, kept in core so that untrained models know their words."""

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

SENTENCES = (DANCING, CAT_SAT + " mat", CAT_CHASED + " mouse", STARVING_CAT + " mouse",
             STARVING_AFTER + " mouse", FANATICALLY + " mouse", ELUSIVE + " mouse")
