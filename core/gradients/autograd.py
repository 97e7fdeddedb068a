"""Gradients of one prediction with respect to every earlier state and input, by autograd in float64.

The target is the word being predicted, as on the slide: for P(mat | the cat sat on the) the target
is "mat" at position t, and the prediction is read from h_{t-1}. Distance k = t - s counts tokens back
from the target to position s, so the word just before the target sits at k = 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import torch

from ..models.elman import ElmanRNN
from ..models.lm import LanguageModel
from ..models.recurrent import DIRECTIONS, parse_record_name, record_name
from ..trace import Trace
from .numeric import safe_norm, status

QUANTITIES = ("loss", "logprob", "logit")
Source = str | Sequence[int] | torch.Tensor | Trace  # what the functions below read: a text, token ids or a Trace


@dataclass(frozen=True)
class TargetGradients:
    """Raw gradients of one scalar q (the loss, a log-probability or a logit at the target)."""

    tokens: tuple[str, ...]
    target: int  # position t of the predicted word
    quantity: str
    word: str  # the word whose probability / logit q measures
    value: float  # q itself
    d_x: torch.Tensor  # (T, I) dq/dx_s
    d_h: dict[str, torch.Tensor]  # "l0.fwd" -> (T, H) dq/dh_s (total derivative through every path)
    d_u: dict[str, torch.Tensor]  # "l0.fwd" -> (T, H) dq/du_s (Elman only)
    h_prev: dict[str, torch.Tensor]  # "l0.fwd" -> (T, H) the state each step read, h_{s-1} (Elman only)
    fprime: dict[str, torch.Tensor]  # "l0.fwd" -> (T, H) f'(u_s) (Elman only)
    truncate: int | None = None


def resolve_target(target: int, length: int) -> int:
    t = target + length if target < 0 else target
    if not 1 <= t < length:
        raise ValueError(
            f"target {target} is out of range: the predicted word needs at least one word before it "
            + (f"(valid positions are 1..{length - 1}, or -1 for the last word)" if length > 1 else
               "(this text has a single token)")
        )
    return t


def inputs(model: LanguageModel, source: Source) -> tuple[list[str], torch.Tensor, torch.Tensor]:
    """Tokens, ids and the input vectors x (1, T, I) in float64: from a Trace of this model as recorded (no
    second tokenisation or embedding), else from the text or ids."""
    if isinstance(source, Trace):
        if source.config != model.config:
            raise ValueError("the trace was recorded by another model than the one asked to differentiate it")
        return list(source.tokens), source.ids, source.x.to(torch.float64)[None]
    tokens, ids = model.tokens_and_ids(source)
    return tokens, ids, model.embed(tokens, ids)


def target_gradients(model: LanguageModel, source: Source, target: int = -1, quantity: str = "loss",
                     word: str | None = None, truncate: int | None = None) -> TargetGradients:
    """q = -log P(w_t | w_<t) ("loss"), log P(word | w_<t) ("logprob") or z_{t-1}[word] ("logit"),
    differentiated with respect to every x_s and every h_s of every layer and direction: one backward pass, from
    which gradient_frame and w_hh_contributions both read. `source`: a text, token ids, or the Trace a view
    already holds (the same numbers, without tokenising and embedding again).

    truncate=K: truncated BPTT with chunks of K steps (the state is carried across chunks but detached),
    so nothing before the chunk that holds step t-1 receives any gradient.
    """
    if truncate is not None and truncate < 1:
        raise ValueError("the truncation chunk must be at least one step long")
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity={quantity!r}: use one of {', '.join(QUANTITIES)}")
    tokens, ids, x = inputs(model, source)
    t = resolve_target(target, len(tokens))
    if quantity == "loss" and word is not None and word != tokens[t]:
        raise ValueError("the loss is about the word that actually comes next; use quantity='logprob' or 'logit' "
                         "to ask about another word")
    word = tokens[t] if word is None else word
    if quantity != "loss" and word not in model.vocab:
        raise ValueError(f"'{word}' is not in the model's vocabulary, so it has no probability of its own")
    word_id = model.vocab.stoi[model.vocab.key(word)] if word in model.vocab else 0
    core = model.core
    x = x.detach().clone().requires_grad_(True)  # (1, T, I)
    recurrent = core.is_recurrent
    names = [record_name(layer, d) for layer in range(core.num_layers) for d in range(core.num_directions)]
    deltas = {n: x.new_zeros(1, len(tokens), core.hidden_size, requires_grad=True) for n in names} \
        if recurrent else {}
    perturb = {record_name(*parse_record_name(n)[:2], "h"): v for n, v in deltas.items()}  # 'l0.fwd' -> 'l0.fwd.h'
    z, res = model.run(x, perturb=perturb, record=True, detach_every=truncate)
    logits = z[0, t - 1]  # (V,): the prediction of position t, read from h_{t-1}
    log_p = torch.log_softmax(logits, dim=-1)
    q = {"loss": -log_p[ids[t]], "logprob": log_p[word_id], "logit": logits[word_id]}[quantity]
    grads = torch.autograd.grad(q, [x, *deltas.values()], allow_unused=True)
    d_x = grads[0][0].detach()
    d_h = {n: (g[0].detach() if g is not None else torch.zeros_like(deltas[n][0]))
           for n, g in zip(deltas, grads[1:], strict=True)}
    d_u, h_prev, fprime = {}, {}, {}
    if isinstance(core, ElmanRNN):  # dq/du_s = f'(u_s) * dq/dh_s
        for n in names:
            layer, d, _ = parse_record_name(n)
            rec = {k: res.records[record_name(layer, d, k)].detach()[0] for k in ("h", "fprime")}
            h0 = res.records[record_name(layer, d, "h0")].detach()[0]
            fprime[n] = rec["fprime"]
            d_u[n] = rec["fprime"] * d_h[n]
            h_prev[n] = torch.cat([h0[None], rec["h"][:-1]]) if d == 0 else torch.cat([rec["h"][1:], h0[None]])
    return TargetGradients(tuple(tokens), t, quantity, word, float(q.detach()), d_x, d_h, d_u, h_prev, fprime,
                           truncate)


def _exact_log_norms(core, g: TargetGradients) -> tuple[torch.Tensor, torch.Tensor] | None:
    """ln ||dq/dh_s|| and ln ||dq/dx_s|| for s < t by the chain itself, renormalised at every step.

    float64 autograd reads anything below about 1e-308 as an exact 0; carrying the scale as a logarithm
    keeps 1e-600 a number. Only for a one-layer, one-way Elman network, where the chain
    dq/dh_s = dq/dh_{s+1} diag(f'(u_{s+1})) W_hh is the only path back (None otherwise).
    """
    if not isinstance(core, ElmanRNN) or core.num_layers != 1 or core.num_directions != 1:
        return None
    cell, fp, t = core.cell(), g.fprime["l0.fwd"], g.target
    W_hh, W_hx = cell.W_hh.detach().double(), cell.W_hx.detach().double()
    log_h = torch.full((t,), -math.inf, dtype=torch.float64)
    units = torch.zeros(t, W_hh.shape[0], dtype=torch.float64)  # dq/dh_s divided by its norm
    v, log = g.d_h["l0.fwd"][t - 1], 0.0  # the readout's own gradient: one step from q, never underflowed
    for s in range(t - 1, -1, -1):
        if s < t - 1:
            if g.truncate and (s + 1) % g.truncate == 0:
                break  # truncated BPTT: the state carried out of step s was detached
            v = (v * fp[s + 1]) @ W_hh  # (H,) one step back; v had norm 1, so this cannot underflow
        n = torch.linalg.vector_norm(v).item()
        if not n > 0:  # exactly zero from here on, or NaN from an exploded network
            log_h[: s + 1] = -math.inf if n == 0 else math.nan
            break
        v, log = v / n, log + math.log(n)
        log_h[s], units[s] = log, v
    log_x = log_h + torch.log(safe_norm((units * fp[:t]) @ W_hx))  # dq/dx_s = (dq/dh_s * f'(u_s)) W_hx
    return log_h, log_x


def _positions(g: TargetGradients, bidirectional: bool) -> range:
    """A one-way model cannot see the target or anything after it; a two-way model sees everything."""
    return range(len(g.tokens)) if bidirectional else range(g.target)


def _frame(g: TargetGradients, rows: range, norms: torch.Tensor, log_norms: torch.Tensor | None = None,
           **columns) -> pd.DataFrame:
    """The table; with log_norms (natural logs), grad_norm may underflow to 0 while log10_grad_norm stays exact."""
    log10 = torch.log10(norms) if log_norms is None else log_norms / math.log(10)
    state = status(norms)
    if log_norms is not None:
        state = ["underflow" if v == 0 and math.isfinite(lg) else w
                 for v, lg, w in zip(norms.tolist(), log_norms.tolist(), status(log_norms.exp()))]
    return pd.DataFrame({
        "position": list(rows), "token": [g.tokens[s] for s in rows],
        "distance": [g.target - s for s in rows], **columns,
        "grad_norm": norms.tolist(), "log10_grad_norm": log10.tolist(), "status": state,
    })


def gradient_vs_distance(model: LanguageModel, source: Source, target: int = -1, wrt: str = "hidden",
                         quantity: str = "loss", word: str | None = None, truncate: int | None = None) -> pd.DataFrame:
    """How strongly each earlier position still reaches the prediction of the target word.

    wrt="hidden": ||dq/dh_s|| for every layer and direction (columns layer, direction);
    wrt="input": ||dq/dx_s||, the reach of the word itself (the only choice for the fixed-window model).
    Columns: position, token, distance (= target - position), grad_norm, log10_grad_norm, status
    (ok | zero | underflow | overflow | nan: an exploding network is flagged, never raised). For a one-layer,
    one-way Elman network the norms come from the renormalised chain, so log10_grad_norm stays exact far
    below float64's 1e-308 (status "underflow" where grad_norm itself reads 0); other models use autograd
    in float64, where anything below about 1e-308 reads as 0.
    truncate=K shows truncated BPTT with chunks of K steps: exact zeros before the target's chunk.
    `source`: a text, token ids or a Trace of this model (the same table either way).
    """
    _check_wrt(model, wrt)
    return gradient_frame(model, target_gradients(model, source, target, quantity, word, truncate), wrt)


def _check_wrt(model: LanguageModel, wrt: str) -> None:
    if wrt not in ("hidden", "input"):
        raise ValueError("wrt must be 'hidden' or 'input'")
    if wrt == "hidden" and not model.core.is_recurrent:
        raise ValueError("the fixed-window model has no recurrent state h_s to differentiate; use wrt='input'")


def gradient_frame(model: LanguageModel, g: TargetGradients, wrt: str = "hidden") -> pd.DataFrame:
    """gradient_vs_distance's table from a backward pass already made (target_gradients), so that a view derives
    it and the W_hh contributions from the same one."""
    _check_wrt(model, wrt)
    core = model.core
    bidirectional = getattr(core, "num_directions", 1) == 2
    rows = _positions(g, bidirectional)
    exact = _exact_log_norms(core, g)
    if exact is not None:
        logs = exact[0] if wrt == "hidden" else exact[1]
        columns = {"layer": 0, "direction": DIRECTIONS[0]} if wrt == "hidden" else {}
        return _frame(g, rows, logs.exp(), logs, **columns)
    if wrt == "input":
        return _frame(g, rows, safe_norm(g.d_x[list(rows)]))
    parts = []
    for name, d_h in g.d_h.items():
        layer, direction, _ = parse_record_name(name)
        parts.append(_frame(g, rows, safe_norm(d_h[list(rows)]), layer=layer, direction=DIRECTIONS[direction]))
    return pd.concat(parts, ignore_index=True)


def w_hh_contributions(g: TargetGradients, layer: int = 0, direction: int = 0) -> pd.DataFrame:
    """What BPTT sums: dq/dW_hh = sum_s (dq/du_s) h_{s-1}^T, one outer product per step s (g from
    target_gradients, so truncation and the chosen quantity carry over).

    Column grad_norm is ||(dq/du_s) h_{s-1}^T||_F = ||dq/du_s|| ||h_{s-1}||, the share step s adds.
    """
    name = record_name(layer, direction)
    if name not in g.d_u:
        raise ValueError("W_hh contributions are defined for the Elman network only")
    rows = _positions(g, any(parse_record_name(n)[1] == 1 for n in g.d_h))
    idx = list(rows)
    norms = safe_norm(g.d_u[name][idx]) * safe_norm(g.h_prev[name][idx])
    return _frame(g, rows, norms, layer=layer, direction=DIRECTIONS[direction])


def w_hh_gradient(g: TargetGradients, layer: int = 0, direction: int = 0) -> torch.Tensor:
    """(H, H) the sum of all per-step outer products: equals autograd's dq/dW_hh (a test checks it)."""
    name = record_name(layer, direction)
    return g.d_u[name].T @ g.h_prev[name]


def input_reach_map(model: LanguageModel, source: Source) -> torch.Tensor:
    """log10 ||dq_t/dx_s|| for every target t and every s < t, from one forward pass: (T, T), [t, s].

    q_t is the loss of word t, -log P(w_t | w_<t) (log P has the same gradient norm); row 0 and s >= t are NaN (nothing
    predicts the first word, and a one-way model cannot see the target or anything after it). Input gradients
    exist for every architecture, so Elman, LSTM and GRU can be set side by side. Plain float64 autograd:
    anything below about 1e-308 reads as 0 (-inf here), unlike gradient_vs_distance's renormalised Elman chain.
    `source`: a text, token ids or a Trace of this model.
    """
    tokens, ids, x = inputs(model, source)
    T = len(tokens)
    out = torch.full((T, T), math.nan, dtype=torch.float64)
    if T < 2:
        return out
    x = x.detach().clone().requires_grad_(True)  # (1, T, I)
    z, _ = model.run(x)
    log_p = torch.log_softmax(z[0, :-1], dim=-1).gather(1, ids[1:, None].to(z.device))[:, 0]  # (T-1,) log P(w_t)
    for t in range(1, T):  # one backward pass per target through the same graph
        (d_x,) = torch.autograd.grad(log_p[t - 1], x, retain_graph=t < T - 1)
        out[t, :t] = torch.log10(safe_norm(d_x[0, :t].detach()))
    return out


def loss_reach_map(model: LanguageModel, source: Source) -> torch.Tensor | None:
    """ln ||dq_t/dh_s|| for every target t and every s < t, [t, s]: every target's curve at once, (T, T).

    q_t is the loss of word t. The Gradients page sends these rows to the browser, so that picking or hovering a
    word redraws its curve without a rerun. Each row follows the chain gradient_vs_distance follows for one
    target, dq_t/dh_s = dq_t/dh_{s+1} diag(f'(u_{s+1})) W_hh, here stepped back for all targets together, each row
    renormalised at every step (exact far below 1e-308, like the single curve). Row 0 and s >= t are NaN.
    None unless the model is a one-layer, one-way Elman network, where that chain is the only path back.
    """
    core = model.core
    if not isinstance(core, ElmanRNN) or core.num_layers != 1 or core.num_directions != 1:
        return None
    tokens, ids, x = inputs(model, source)
    T = len(tokens)
    out = torch.full((T, T), math.nan, dtype=torch.float64)
    if T < 2:
        return out
    with torch.no_grad():
        z, res = model.run(x, record=True)
        fp = res.records[record_name(0, 0, "fprime")][0]  # (T, H) f'(u_s)
        W_zh, W_hh = model.W_zh.detach().double(), core.cell().W_hh.detach().double()
        p = torch.softmax(z[0, :-1].double(), dim=-1)  # the prediction of word t, read from h_{t-1}
        p[torch.arange(T - 1), ids[1:]] -= 1.0  # d(-log p_w)/dz = p - onehot(w)
        V = p @ W_zh  # (T-1, H): row i is dq_t/dh_{t-1} for the target t = i + 1
        log = torch.zeros(T - 1, dtype=torch.float64)
        for s in range(T - 2, -1, -1):  # row i reaches h_s when i >= s; row s starts here
            V[s + 1:] = (V[s + 1:] * fp[s + 1]) @ W_hh  # one step back, from h_{s+1} to h_s
            n = torch.linalg.vector_norm(V[s:], dim=1)
            log[s:] += torch.log(n)  # log 0 = -inf stays -inf; NaN stays NaN
            V[s:] /= torch.where((n > 0) & torch.isfinite(n), n, 1.0)[:, None]
            out[s + 1:, s] = log[s:]
    return out
