"""Tokenizers and the vocabulary: any typed text becomes tokens, ids and (for unseen words) a fixed vector."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import torch

UNK = "<unk>"

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # combining marks stay in words
_WORD = rf"(?:\w|[{_MARKS}])+"
_WORD_RE = re.compile(
    rf"{_WORD}(?=n't\b)"  # "do" in "don't"
    r"|n't\b"  # the clitic itself
    r"|'(?:ve|s|re|ll|d|m)\b"  # I've -> I 've, as the lecture writes it
    rf"|{_WORD}(?:-{_WORD})*"  # words, hyphenated words kept whole
    r"|[^\w\s]",  # every other visible character is its own token
    re.IGNORECASE,
)
_NO_SPACE_BEFORE = re.compile(r"^(?:[.,;:!?%)\]}]|n't|'(?:ve|s|re|ll|d|m))$", re.IGNORECASE)
_NO_SPACE_AFTER = {"(", "[", "{", "$"}


class WordTokenizer:
    """Splits words, punctuation and English clitics ('ve, n't) so that each is one token."""

    name = "word"

    def tokenize(self, text: str) -> list[str]:
        return _WORD_RE.findall(text)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character offsets of each token, so a page can colour the text exactly as typed."""
        return [m.span() for m in _WORD_RE.finditer(text)]

    def detokenize(self, tokens: Sequence[str]) -> str:
        out: list[str] = []
        for i, tok in enumerate(tokens):
            if i and not _NO_SPACE_BEFORE.match(tok) and tokens[i - 1] not in _NO_SPACE_AFTER:
                out.append(" ")
            out.append(tok)
        return "".join(out)


class CharTokenizer:
    """One token per character (spaces included), as in Elman's letter-prediction experiments."""

    name = "char"

    def tokenize(self, text: str) -> list[str]:
        return list(text)

    def spans(self, text: str) -> list[tuple[int, int]]:
        return [(i, i + 1) for i in range(len(text))]

    def detokenize(self, tokens: Sequence[str]) -> str:
        return "".join(tokens)


def get_tokenizer(name: str) -> WordTokenizer | CharTokenizer:
    if name == "word":
        return WordTokenizer()
    if name == "char":
        return CharTokenizer()
    raise ValueError(f"unknown tokenizer {name!r}: use 'word' or 'char'")


class Vocab:
    """Token <-> id table with <unk> at id 0; word lookups ignore case, so 'The' and 'the' share a row."""

    def __init__(self, tokens: Iterable[str], lowercase: bool = True):
        self.lowercase = lowercase
        self.itos: list[str] = [UNK]
        self.stoi: dict[str, int] = {UNK: 0}
        for tok in tokens:
            key = self.key(tok)
            if key not in self.stoi:
                self.stoi[key] = len(self.itos)
                self.itos.append(key)

    @classmethod
    def from_texts(cls, texts: Iterable[str], tokenizer, min_count: int = 1, max_size: int | None = None,
                   lowercase: bool = True) -> Vocab:
        """Most frequent tokens first (ties broken alphabetically, so the result is deterministic)."""
        counts = Counter(t.lower() if lowercase else t for text in texts for t in tokenizer.tokenize(text))
        ranked = sorted((t for t, c in counts.items() if c >= min_count), key=lambda t: (-counts[t], t))
        return cls(ranked[:max_size], lowercase=lowercase)

    def key(self, token: str) -> str:
        return token.lower() if self.lowercase else token

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return self.key(token) in self.stoi

    def encode(self, tokens: Sequence[str]) -> torch.Tensor:
        return torch.tensor([self.stoi.get(self.key(t), 0) for t in tokens], dtype=torch.long)  # (T,)

    def decode(self, ids: Iterable[int]) -> list[str]:
        return [self.itos[int(i)] for i in ids]


def hashed_vector(token: str, dim: int, seed: int = 0) -> torch.Tensor:
    """A fixed N(0, 1) vector for a word the vocabulary lacks: same word and seed, same vector, any process.

    Python's hash() changes between runs, so the seed comes from BLAKE2 of the (lower-cased) word.
    """
    key = f"{seed}\x00{token.lower()}".encode("utf-8", "surrogatepass")  # lone surrogates hash too
    digest = hashlib.blake2b(key, digest_size=8).digest()
    gen = torch.Generator().manual_seed(int.from_bytes(digest, "little") & ((1 << 63) - 1))
    return torch.randn(dim, generator=gen)  # (I,)
