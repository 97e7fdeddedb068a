"""Let a language model continue a text: greedy decoding, temperature and top-k sampling, one token at a time.

    P(w_{t+1} = i | w_1..w_t) = softmax_i(z_t)          sampled from softmax_i(z_t / T), top k kept

The prompt is read once; afterwards each step feeds only the token just chosen and carries the state h_t (and c_t
for the LSTM), so a continuation costs one cell step per token, not a re-read of the whole text. The fixed-window
model has no state to carry and a model that reads both ways would see its right-to-left network change with
every new token, so those two re-read their context at each step. Either way the distribution at each step is
exactly the one `unroll` computes for the prompt followed by the tokens generated so far.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import torch

from .models.lm import LanguageModel
from .text import get_tokenizer

MAX_TOKENS = 1000  # one continuation: enough for a page of text, little enough to stream in a second or two
RUNNERS_UP = 3


@dataclass(frozen=True)
class Step:
    """One generated token: what was chosen, the model's probability for it (softmax(z_t), temperature 1), and the
    most likely other tokens with theirs."""

    token: str
    id: int
    p: float  # P(token | everything before it) under the model itself, before temperature or top-k
    runners_up: tuple[tuple[str, float], ...]  # the next most likely tokens, most likely first


@dataclass(frozen=True)
class Sampling:
    """How the next token is picked. greedy: the most likely one. Otherwise a draw from softmax(z / temperature)
    restricted to the top_k most likely tokens (0 = all), from a generator seeded with `seed`."""

    greedy: bool = False
    temperature: float = 1.0
    top_k: int = 0
    seed: int = 0
    allow_unk: bool = False  # <unk> stands for every word outside the vocabulary: it is no word to write

    def __post_init__(self) -> None:
        if not (self.temperature > 0 and self.temperature < float("inf")):
            raise ValueError(f"the temperature must be a positive number, got {self.temperature!r}")
        if self.top_k < 0:
            raise ValueError(f"top_k must be 0 (all tokens) or more, got {self.top_k}")


def choose(z: torch.Tensor, sampling: Sampling, gen: torch.Generator) -> int:
    """The next token's id from logits z (V,)."""
    z = z.clone()
    if not sampling.allow_unk and z.shape[-1] > 1:
        z[0] = -torch.inf
    if sampling.greedy:
        return int(z.argmax())
    scaled = z / sampling.temperature
    if 0 < sampling.top_k < z.shape[-1]:
        kth = scaled.topk(sampling.top_k).values[-1]
        scaled = torch.where(scaled >= kth, scaled, -torch.inf)
    p = torch.softmax(scaled - scaled.max(), dim=-1)  # (V,); subtracting the max keeps tiny temperatures finite
    return int(torch.multinomial(p, 1, generator=gen))


def generate(model: LanguageModel, prompt: str, n: int, sampling: Sampling = Sampling(),
             dtype: torch.dtype = torch.float64) -> Iterator[Step]:
    """Yield n continuation tokens one by one, as soon as each is chosen (a page can stream them).

    Raises ValueError for an empty prompt or n outside 1..MAX_TOKENS before anything is yielded.
    """
    if not 1 <= n <= MAX_TOKENS:
        raise ValueError(f"the number of tokens to generate must lie in 1..{MAX_TOKENS}, got {n}")
    tokens, ids = model.tokens_and_ids(prompt)
    if not tokens:
        raise ValueError("there is nothing to continue: the prompt has no tokens")
    # A copy already in `dtype`: the model would otherwise convert every weight matrix at every step, which costs
    # more than the step itself for a word model's readout (V x H). The caller's model is left as it was.
    return _steps(copy.deepcopy(model).to(dtype), tokens, ids, n, sampling, dtype)


def _steps(model: LanguageModel, tokens, ids, n: int, sampling: Sampling, dtype) -> Iterator[Step]:
    gen = torch.Generator().manual_seed(sampling.seed)
    stateful = model.core.is_recurrent and model.core.num_directions == 1
    vocab = model.vocab.itos
    with torch.no_grad():
        x = model.embed(tokens, ids, dtype)  # (1, T, I)
        z, res = model.run(x)
        state = res.h_n if res.c_n is None else (res.h_n, res.c_n)
        for k in range(n):
            if not bool(torch.isfinite(z[0, -1]).all()):
                raise ValueError(f"the network has overflowed: its scores for token {k + 1} are inf or NaN, so no "
                                 "next token can be picked. Lower the spectral radius, or pick tanh.")
            p = torch.softmax(z[0, -1], dim=-1)  # (V,)
            i = choose(z[0, -1], sampling, gen)
            top_p, top_i = p.topk(min(RUNNERS_UP + 1, p.shape[-1]))
            others = tuple((vocab[j], float(q)) for j, q in zip(top_i.tolist(), top_p.tolist()) if j != i)
            yield Step(vocab[i], i, float(p[i]), others[:RUNNERS_UP])
            if k == n - 1:
                return
            x_new = model.embed([vocab[i]], torch.tensor([i]), dtype)  # (1, 1, I)
            if stateful:
                z, res = model.run(x_new, state)
                state = res.h_n if res.c_n is None else (res.h_n, res.c_n)
            else:
                x = torch.cat([x, x_new], dim=1)
                context = x if model.is_recurrent else x[:, -model.core.window:]
                z, _ = model.run(context)


def separators(tokenizer: str, prompt: str, tokens: list[str]) -> list[str]:
    """The spacing written before each generated token, as the tokenizer writes text ("the cat" + "," -> no space;
    + "and" -> one space; characters carry their own spaces). Nothing before the first token if the prompt already
    ends in white space."""
    if tokenizer != "word":
        return [""] * len(tokens)
    detokenize = get_tokenizer(tokenizer).detokenize
    prev = get_tokenizer(tokenizer).tokenize(prompt)[-1:]
    out = []
    for i, tok in enumerate(tokens):
        before = [tokens[i - 1]] if i else prev
        out.append("" if not before else detokenize(before + [tok])[len(before[0]):-len(tok) or None])
    if out and prompt[-1:].isspace():
        out[0] = ""
    return out


def continuation_text(tokenizer: str, prompt: str, steps: list[Step]) -> str:
    """What to append to the prompt so that the text reads prompt + continuation, spaced as the tokenizer writes
    it: putting it into the text box unrolls the same tokens again."""
    tokens = [s.token for s in steps]
    return "".join(sep + tok for sep, tok in zip(separators(tokenizer, prompt, tokens), tokens))


def frame(steps: list[Step]) -> pd.DataFrame:
    """One row per generated token: its probability and the runners-up with theirs (for the table and CSV)."""
    rows = []
    for t, s in enumerate(steps):
        row = {"step": t, "token": s.token, "p": s.p}
        for r, (tok, p) in enumerate(s.runners_up, 1):
            row[f"runner_up_{r}"], row[f"p_runner_up_{r}"] = tok, p
        rows.append(row)
    return pd.DataFrame(rows)


def agreement(steps: list[Step]) -> tuple[float, int]:
    """The mean probability of the chosen tokens, and at how many steps the chosen one was the most likely."""
    if not steps:
        return float("nan"), 0
    top = sum(all(s.p >= p for _, p in s.runners_up) for s in steps)
    return sum(s.p for s in steps) / len(steps), top
