"""Lecture mode's guided path, as data: one step per idea of the lecture on recurrent networks, each naming the
page to open, the settings to open it with, what to look at there, and (for four steps) the lecture's question.

Nothing here draws or reads Streamlit state (the questions reuse explorer/quiz.py's Question and Option
dataclasses), so the path can be checked without running the app. explorer/lecture.py carries out
`opening(step, ...)` and draws the step's banner (its text, Back and Next) on the page it opens;
explorer/views/lecture_mode.py lists the steps.

How opening a step lands on its page with its settings
------------------------------------------------------
Settings live in st.session_state and in the URL (explorer/settings.py), but `settings.bind` reads the URL only
the first time a session meets a key, so a link alone would be ignored by a session that has already set, say,
`rho`. Opening a step therefore, inside one script run:

1. parses every setting the step names with that setting's own declaration (the sidebar's, the text box's, or
   the page view's SETTINGS) and writes the typed value into the session;
2. drops from the session the sidebar's `model` (its options are this server's models, built per run) and any
   value its declaration refuses, so the page's own `bind` reads it from the URL and reports a bad value the way
   any bad link is reported;
3. st.switch_page(script, query_params=...) with the step's parameters and its number (`lecture.step`, so the
   page shows the step's banner). Parameters of the current URL that the step does not decide are carried over,
   so a setting from the session's first link that no page has read yet is not lost.

Each step is also a complete description of its view: the URL settings it does not name, among the sidebar's and
the text box's (`SHARED_KEYS`) and its page's own (`page_keys`), go back to their defaults. So a step looks the
same whichever steps were opened before it. The audience's own choices that no step sets (hidden size, seed,
presenter mode) are kept. The same parameters make a plain link that reopens the view in a new session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from . import navigation
from .quiz import Option, Question

STEP_KEY = "lecture.step"  # the URL parameter holding the step, counted from 1 so a teacher can read it
TRAINED = "elman-word"  # the pretrained Elman network on words (models/elman-word.safetensors)
UNTRAINED = "untrained"

# Sidebar and text-box settings that steps set; every step resets the ones it does not name.
SHARED_KEYS = ("model", "act", "init", "rho", "tok", "preset", "text")


class SettingLike(Protocol):
    """What opening needs of explorer.settings.Setting: its key, default, whether a link carries it, its parser."""

    key: str
    default: Any
    in_url: bool

    def parse(self, raw: str) -> Any: ...


@dataclass(frozen=True)
class Step:
    key: str  # stable id (quiz widget keys)
    section: str  # the lecture's section
    title: str
    explain: str  # two to four sentences, said the way a teacher would
    page: str  # url_path of the page to open (explorer/navigation.PAGES)
    params: tuple[tuple[str, str], ...]  # URL query parameters, raw strings as in a link
    look: str  # what to look at once there, one sentence
    formula: str = ""  # LaTeX shown with the explanation
    question: Question | None = None  # the lecture's question, with explained answers
    related: tuple[str, ...] = ()  # url_paths worth a visit next (shown once such a page exists)

    @property
    def query(self) -> dict[str, str]:
        return dict(self.params)

    def link(self) -> str:
        """The address of the view, relative to the app's root: it reopens the view in a new session."""
        return f"{self.page}?{urlencode(self.params)}"


@dataclass(frozen=True)
class Opening:
    """What opening a step does: write `values`, drop `forget`, then st.switch_page(script, query_params=query)."""

    script: str  # the page script, relative to the repository root (where app.py is)
    query: dict[str, str]  # the URL it lands on: the step's parameters, and those of the current URL it leaves
    values: dict[str, Any] = field(default_factory=dict)  # typed values to put into the session
    forget: tuple[str, ...] = ()  # keys to drop from the session, so the page re-reads them from the URL


def _step(key: str, section: str, title: str, page: str, params: Mapping[str, str], explain: str, look: str,
          formula: str = "", question: Question | None = None, related: Iterable[str] = ()) -> Step:
    return Step(key, section, title, " ".join(explain.split()), page, tuple(params.items()), " ".join(look.split()),
                formula, question, tuple(related))


BOTTLENECK = "Fixing the context bottleneck"
TRAINING = "Training recurrent networks: backpropagation through time"
CHALLENGES = "Training challenges: vanishing gradients"
MITIGATIONS = "Mitigations"

MEMORY = Question(
    r"In $h_t = \sigma(W_{hx} x_t + W_{hh} h_{t-1} + b_h)$, what lets the network keep a state of the words it "
    r"read earlier?",
    (
        Option(r"$W_{hh} h_{t-1}$, the recurrent term", True,
               "yes: it feeds the previous state back in, and that state was itself built from the words before, "
               "so every earlier word can still leave a trace in $h_t$."),
        Option(r"$W_{hx} x_t$, the input term", False,
               "no: it only brings in the current word; without the recurrent term, $h_t$ would forget everything "
               "but $x_t$."),
        Option("the bias $b_h$", False,
               "no: it is the same constant at every step, so it carries no information about which words came."),
        Option(r"the output $\operatorname{softmax}(W_{zh} h_t)$", False,
               "no: it reads the state to predict the next word, but nothing flows from it back into $h_{t+1}$."),
    ),
)
NONZERO = Question(
    "A neural language model gives every sequence a probability above zero, even one never seen in training. Why?",
    (
        Option("the softmax: $e^z > 0$ for every score $z$", True,
               "yes: every word gets some probability at every step, and a sequence's probability is a product of "
               "such positive factors (very long ones may still round to 0.0 in floating point, which is why "
               "models add log-probabilities)."),
        Option("it smooths its counts, as add-one smoothing does", False,
               "no: it stores no counts at all. Smoothing is the n-gram model's patch for zero counts; the neural "
               "model never has zeros to patch."),
        Option("similar words get similar embeddings", False,
               "not the reason: embeddings let similar sequences share what was learned, which makes the "
               "probabilities sensible, but being above zero comes from the softmax alone."),
        Option("training showed it every possible sequence", False,
               "no: there are far too many sequences; the model has a fixed number of weights and generalises."),
    ),
)
BIDIRECTIONAL = Question(
    "For which of these task types can we use a bidirectional RNN?",
    (
        Option("(a) classification", True,
               "yes: the whole text is given before its one label is needed, so the right-to-left network can read "
               "all of it."),
        Option("(b) sequence labelling", True,
               "yes: to tag word t (part of speech, named entity) the words after it help, and they are already in "
               "the input."),
        Option("(c) text generation", False,
               "no: while word t is generated the words after it do not exist yet, so there is nothing for the "
               "backward network to read."),
    ),
)
FIXES = Question(
    "How could we fix the vanishing gradient problem?",
    (
        Option("gated units: LSTM or GRU", True,
               r"yes: their cell or state is updated by adding, and along that path the gradient is multiplied by a "
               r"gate that can stay near 1, not by $\operatorname{diag}(\sigma'(u))\, W_{hh}$ at every step."),
        Option("start $W_{hh}$ as the identity or an orthogonal matrix", True,
               "yes, at least at the start of training: every factor then has size about 1, so the product neither "
               "shrinks nor grows (Le et al. 2015 train ReLU networks from $W_{hh} = I$)."),
        Option("skip connections or other shorter paths through time", True,
               "yes: a connection that jumps k steps back replaces k factors by one; attention takes this to a path "
               "of length one between any two words."),
        Option("gradient clipping", False,
               "no: clipping rescales a gradient whose norm is too large, which fixes exploding gradients. It "
               "cannot enlarge a tiny contribution from far back, and it shrinks everything by the same factor."),
        Option("stronger weight decay on $W_{hh}$", False,
               "no: it pulls $W_{hh}$ towards zero, so each factor gets smaller and the gradient vanishes faster; "
               "regularisation is one reason $W_{hh}$ is small in the first place."),
    ),
)

STEPS: tuple[Step, ...] = (
    _step(
        "window-lm", BOTTLENECK, "A fixed-window neural language model", "fixed-window",
        {"preset": "cat-sat", "model": TRAINED, "fw.window": "5"},
        """To estimate P(mat | the cat sat on the), Bengio et al. (2003) look up an embedding for each of the last
        n words, glue them into one long vector and pass it through a hidden layer and a softmax over the
        vocabulary. Because it works with embeddings instead of counts, it has no sparsity problem and its size
        depends on its weights, not on how many sequences exist. The catch is the window: W has one block of columns
        per word in it, so every extra word of context costs more weights, and nothing is shared between blocks.""",
        """The parameter chart at the bottom: the fixed-window model grows with every word added to the window,
        while the recurrent network's count stays flat.""",
        formula=r"x = [e_{t-n}; \dots; e_{t-1}] \qquad h = \tanh(Wx + b) \qquad "
                r"P(w = i \mid \text{context}) = \operatorname{softmax}_i(Uh)",
        question=NONZERO, related=("bengio-2003",),
    ),
    _step(
        "window-bottleneck", BOTTLENECK, "The context bottleneck", "fixed-window",
        {"preset": "custom", "text": "cat fanatically chased after the mouse", "model": UNTRAINED,
         "fw.window": "4"},
        """What should come after “chased after the”? Mouse, if you know who is chasing. In the lecture's sentences
        the word that matters, “cat”, drifts further back until it falls out of a 4-word window, and then the
        model cannot use it however well it is trained. A recurrent network has no window: it reads one word at a
        time and carries a state forward.""",
        """The curves for “mouse”: the window model's is exactly zero for “cat”, five words back (no path exists),
        while the RNN's is not.""",
        related=("bengio-2003",),
    ),
    _step(
        "elman-memory", BOTTLENECK, "The Elman network keeps a memory", "hidden-states",
        {"preset": "cat-sat", "other": "the starving cat chased the", "model": UNTRAINED},
        """Elman's network (1990) has two ingredients. Its state h_t is the memory, carried from step to step, and
        its weight matrices are shared by all steps, so the number of parameters does not depend on the length of
        the text. Here the two sentences end with the same word; whatever differs in their final states can only
        have come from what was read before.""",
        """The two trajectories and the last column of each heatmap: the same last word “the”, yet different
        states.""",
        formula=r"h_t = \sigma(W_{hx} x_t + W_{hh} h_{t-1} + b_h)",
        question=MEMORY, related=("elman-1990",),
    ),
    _step(
        "unroll", BOTTLENECK, "A loop, unrolled", "unroll",
        {"preset": "cat-sat", "model": UNTRAINED, "step": "0"},
        """A recurrent network applies the same cell at every word and feeds its own state back in: a network with
        a feedback loop. Drawing one copy of the cell per word unrolls the loop into an ordinary feed-forward graph,
        as deep as the text is long, whose layers all share the same weights. That graph is what we run forward to
        read the text, and backwards to train.""",
        """Press Step on the page and follow h_t from column to column: every column uses the same W_hx, W_hh and
        W_zh.""",
        formula=r"h_t = \sigma(W_{hx} x_t + W_{hh} h_{t-1} + b_h) \qquad z_t = \operatorname{softmax}(W_{zh} h_t)",
    ),
    _step(
        "trained-predictions", BOTTLENECK, "What a trained network predicts", "unroll",
        {"preset": "cat-sat", "model": TRAINED},
        """The objective: learn W_hh, W_hx and W_zh so that the network's next-word distribution matches real text.
        After training, the softmax at each step should put its mass on words that fit the context read so far,
        where an untrained network spreads it almost evenly.""",
        """The next-word bars after “the cat sat on the”: which words win, and how much probability is left for
        all the others.""",
        related=("train", "probes"),
    ),
    _step(
        "backprop", TRAINING, "Backpropagation review: a feed-forward network", "backprop",
        {"preset": "cat-sat", "model": UNTRAINED, "bp.term": "phi11@phi12"},
        """Before the recurrent case, the lecture reviews backpropagation on a feed-forward network with two hidden
        layers of three units and the weights W_0, W_1 and W_out. The derivative of the loss with respect to a unit
        is a product of local factors along the path from that unit to the loss: first ∂L/∂ŷ, then the output's
        slope, then one weight per edge, and one more slope and weight for each layer deeper.""",
        """The orange path on the drawing, φ_11 → φ_12 → ŷ, and each factor of the product under it with its number,
        beside autograd's answer.""",
        formula=r"\frac{\partial \mathcal{L}}{\partial \phi_{11}}\Big|_{\text{through }\phi_{12}}"
                r" = \frac{\partial \mathcal{L}}{\partial \hat y}\,\frac{\partial \phi_o(u)}{\partial u}\, w_1^o\,"
                r"\frac{\partial \phi_{12}(v)}{\partial v}\, w_{11}^{\ell=1}",
    ),
    _step(
        "bptt", TRAINING, "Backpropagation through time", "bptt",
        {"preset": "cat-sat", "model": UNTRAINED, "bt": "4", "bs": "0"},
        """How would we extend backpropagation to a recurrent network? Unrolled, it is a feed-forward network, so
        the chain rule applies as in any deep net: the gradient reaching h_s from a loss at step t is a product of
        one Jacobian per step in between. The twist is that every factor contains the same matrix W_hh, and its
        gradient is the sum of one contribution per step. In practice autograd does this for us; here we do it by
        hand, once, and check.""",
        """The bars: one factor diag(σ′(u_i)) W_hh per step between “cat sat on the”, and the line for their
        running product; the hand-made product agrees with autograd.""",
        formula=r"\frac{\partial h_t}{\partial h_s} = \prod_{i=s+1}^{t} \frac{\partial h_i}{\partial h_{i-1}}"
                r" = \prod_{i=s+1}^{t} \operatorname{diag}\big(\sigma'(u_i)\big)\, W_{hh}",
    ),
    _step(
        "deeper", TRAINING, "Stacked and bidirectional RNNs", "deeper",
        {"preset": "cat-sat", "model": UNTRAINED, "deep.layers": "2", "deep.bidir": "1"},
        """Stacking puts a second recurrent layer on top of the first: it reads the first layer's states instead of
        the words. A bidirectional RNN adds a second network, with its own parameters, that reads the text from
        right to left, and combines both states at every step (concatenated, or averaged, or a max). It is the right
        choice whenever the future text is available for the task.""",
        """The gradient curves: the right-to-left network's continue to k ≤ 0, so it has already read the very word
        it is asked to predict.""",
        formula=r"y_t = [\overrightarrow{h}_t;\, \overleftarrow{h}_t]",
        question=BIDIRECTIONAL,
    ),
    _step(
        "long-range", CHALLENGES, "A long-range dependency", "gradients",
        {"preset": "dancing", "model": TRAINED},
        """In theory an RNN can use an unbounded context; in practice every step overwrites part of its state. In
        the dancing passage the best clue for the last word, “dancing”, is “jig” in the first sentence, more than
        forty words earlier. To learn that link, the error at “dancing” has to travel back through every one of those
        steps.""",
        """The coloured sentence: how much each word can still move the prediction of “dancing”, with “jig”
        marked.""",
        related=("long-lags",),
    ),
    _step(
        "vanishing", CHALLENGES, "Vanishing gradients", "gradients",
        {"preset": "dancing", "model": UNTRAINED, "act": "tanh", "init": "orthogonal", "rho": "0.8"},
        """Going back k steps multiplies k factors diag(σ′(u_i)) W_hh. The slopes σ′ are at most 1 for tanh, and
        W_hh is usually small, not least because of regularisation, so the factors tend to be below 1 and the
        product shrinks geometrically. Far-away words then get almost no gradient: the network cannot learn that
        they matter.""",
        """The gradient against distance: on a log scale it falls along a straight line, one fixed factor per step
        (the page reports it as the “measured factor per step”).""",
        formula=r"\Big\lVert \frac{\partial h_t}{\partial h_{t-k}} \Big\rVert \le"
                r" \prod_{i=t-k+1}^{t} \lVert \operatorname{diag}(\sigma'(u_i)) \rVert\, \lVert W_{hh} \rVert"
                r" \le (\gamma\, \lVert W_{hh} \rVert)^k",
        question=FIXES,
    ),
    _step(
        "sigmoid", CHALLENGES, "Why the factors are usually below one", "gradients",
        {"preset": "dancing", "model": UNTRAINED, "act": "sigmoid", "init": "orthogonal", "rho": "1"},
        """Many activation functions have small slopes: the sigmoid's is at most 1/4. Even with a W_hh that
        neither shrinks nor stretches (spectral radius 1), each step then divides the gradient by four or more.
        Weight decay makes it worse, because it pulls W_hh towards zero; you can try it in the page's panel of
        extra controls.""",
        """γ = sup σ′ = 0.25 in the metrics, and a far steeper fall than with tanh.""",
    ),
    _step(
        "exploding", CHALLENGES, "Exploding gradients", "gradients",
        {"preset": "dancing", "model": UNTRAINED, "act": "relu", "init": "identity", "rho": "1.5"},
        """The same product can also grow. With ReLU (slope 1 where a unit is active) and W_hh = 1.5·I, every
        step multiplies the gradient by 1.5, and 56 steps make that a factor of about 10^10. One such gradient step
        throws the weights far away from everything learned so far.""",
        """The curve now rises with distance, and the verdict badge says “exploding”.""",
        related=("pascanu-2013",),
    ),
    _step(
        "clipping", MITIGATIONS, "Fix for exploding: gradient clipping", "gradients",
        {"preset": "dancing", "model": UNTRAINED, "act": "relu", "init": "identity", "rho": "1.5", "clip": "1"},
        """Pascanu et al. (2013): if the norm of the gradient exceeds a threshold, rescale the whole gradient down to
        that threshold. The direction is kept, only the step is shortened, so one huge gradient cannot wreck
        training. It does nothing for vanishing gradients: what was too small stays too small.""",
        """Switch on “Show what BPTT sums” at the end of the analysis: every step's share is scaled down by the same
        factor, so their proportions stay as they were.""",
        formula=r"g \leftarrow \frac{\theta}{\lVert g \rVert}\, g \quad \text{if } \lVert g \rVert > \theta",
        related=("pascanu-2013",),
    ),
    _step(
        "identity", MITIGATIONS, "Fix for vanishing: start at the edge", "gradients",
        {"preset": "dancing", "model": UNTRAINED, "act": "relu", "init": "identity", "rho": "1"},
        """If every factor has size about 1, the product neither vanishes nor explodes. Starting W_hh as the
        identity with ReLU units does exactly that at the beginning of training: an active unit passes its
        gradient back unchanged. Orthogonal initialisation and skip connections through time follow the same
        idea.""",
        """The curve stays nearly flat across the whole passage, and the badge says “edge”.""",
    ),
    _step(
        "gates", MITIGATIONS, "Fix for vanishing: LSTM and GRU", "lstm-gru",
        {"preset": "dancing", "model": TRAINED, "lg.gate": "lstm.f"},
        """LSTMs and GRUs keep a memory that is updated by adding, not rewritten at every step. Along the LSTM's
        cell path the gradient is multiplied by the forget gate alone, with no weight matrix and no squashing
        slope, so where the gate stays near 1 the signal survives many steps. The network learns when to keep and
        when to forget.""",
        """How far back each of the three models reaches, then the forget-gate heatmap: units near 1 are the ones
        keeping a memory.""",
        formula=r"c_t = f_t \odot c_{t-1} + i_t \odot g_t \quad\Rightarrow\quad"
                r" \frac{\partial c_t}{\partial c_{t-1}} \approx \operatorname{diag}(f_t)",
        related=("long-lags",),
    ),
)
BY_KEY = {s.key: s for s in STEPS}


def cue_note(tokens: Sequence[str], cue: str = "jig", word: str = "dancing") -> str:
    """How far the cue is from the last occurrence of the word in these tokens, said plainly (the long-range
    step's sentence about the text on screen, which the user may have changed)."""
    lower = [t.lower() for t in tokens]
    if word not in lower or cue not in lower[: len(lower) - lower[::-1].index(word) - 1]:
        split = " (character tokens split the words apart)" if lower and all(len(t) <= 1 for t in lower) else ""
        return f"The text on screen has no token “{cue}” before a “{word}”{split}."
    last = len(lower) - 1 - lower[::-1].index(word)
    first = lower.index(cue)
    return f"In the text on screen, “{cue}” is {last - first} tokens before the last “{word}”."


def page_spec(url_path: str, pages: Iterable[navigation.PageSpec] | None = None) -> navigation.PageSpec | None:
    """The page served at this url_path, or None while it is not in the app's navigation."""
    return next((p for p in (navigation.PAGES if pages is None else pages) if p.url_path == url_path), None)


def number(step: Step) -> int:
    """The step's place in the path, counted from 1 (as in the URL's `lecture.step`)."""
    return STEPS.index(step) + 1


def page_settings(url_path: str, pages: Iterable[navigation.PageSpec] | None = None) -> dict[str, SettingLike]:
    """The page's own settings, from its view's SETTINGS (empty for a page not in the navigation)."""
    spec = page_spec(url_path, pages)
    return {} if spec is None else {s.key: s for s in navigation.view(spec).SETTINGS}


def page_keys(url_path: str) -> tuple[str, ...]:
    """The page's own settings that a link carries (a step resets those it does not name)."""
    return tuple(key for key, s in page_settings(url_path).items() if s.in_url)


def touched_keys(step: Step) -> tuple[str, ...]:
    """Every setting opening this step decides: its own, then the others it resets to their defaults."""
    own = [key for key, _ in step.params]
    rest = [key for key in (*SHARED_KEYS, *page_keys(step.page)) if key not in own]
    return (*own, *rest)


def opening(step: Step, shared: Mapping[str, SettingLike], current: Mapping[str, str] | None = None,
            pages: Iterable[navigation.PageSpec] | None = None) -> Opening:
    """How to open the step (see the module's docstring). `shared` holds the sidebar's and the text box's
    Settings but `model`; the page's own come from its view. A value a Setting refuses is dropped instead, so
    that the page reports it as it reports any bad link.
    `current` is the URL's query now: parameters the step does not decide stay in it (a hidden size from the
    link the session started with, say, that no page has read yet).

    Raises LookupError when the step's page is not in the navigation.
    """
    spec = page_spec(step.page, pages)
    if spec is None:
        raise LookupError(f"The page “{step.page}” is not part of the app yet.")
    known = {**shared, **page_settings(step.page, pages)}
    decided = set(touched_keys(step)) | {STEP_KEY}
    query = {key: value for key, value in (current or {}).items() if key not in decided} | step.query
    if step in STEPS:  # the page then shows the step's banner (explorer/lecture.py), and a reload keeps it
        query[STEP_KEY] = str(number(step))
    values: dict[str, Any] = {}
    forget: list[str] = []
    for key in touched_keys(step):
        setting = known.get(key)
        if setting is None:
            forget.append(key)
        elif key not in step.query:
            values[key] = setting.default
        else:
            try:
                values[key] = setting.parse(step.query[key])
            except ValueError:
                forget.append(key)
    return Opening(spec.path, query, values, tuple(forget))
