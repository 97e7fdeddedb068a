"""The lecture's chain dh_t/dh_s = prod_{i=s+1..t} diag(f'(u_i)) W_hh, for one row or for all pairs.

Every partial product is kept divided by its own Frobenius norm, with the norm's logarithm carried
beside it, so norms from 1e-300 to 1e+300 (and beyond, as logarithms) come out right: a plain float64
product would underflow to a false zero after a few hundred vanishing steps.
"""

from __future__ import annotations

import math

import torch

from ..models.elman import ElmanRNN
from ..models.recurrent import record_name
from ..trace import Trace
from .numeric import spectral_norm
from .recorded import forward_records

_BLOCK = 8  # below this many states, all pairs are cheaper to form directly than to divide further
_FLOPS = 3e10  # what a matrix product reaches on a 2-core laptop, for choosing between the two methods
_CALL = 5e-5  # seconds of Python and dispatch overhead per step of a chain


class Steps:
    """The chain's factors J_i = diag(f'(u_i)) W_hh, kept as f' (T, H) and one W_hh (H, H).

    Storing J itself would cost T*H*H numbers (half a gigabyte at T=1000, H=256); each product with a
    factor is formed from f' and W_hh on the fly instead, in reading order.
    """

    def __init__(self, fprime: torch.Tensor, W_hh: torch.Tensor):
        self.fprime, self.W_hh = fprime, W_hh.to(fprime.dtype)  # (T, H), (H, H)
        self.dtype = fprime.dtype

    def __len__(self) -> int:
        return self.fprime.shape[0]

    @property
    def hidden_size(self) -> int:
        return self.W_hh.shape[0]

    def __getitem__(self, i) -> torch.Tensor:
        """J_i (H, H), or a stack (n, H, H) for a slice."""
        return self.fprime[i][..., :, None] * self.W_hh

    def left(self, i: int, M: torch.Tensor, alpha: float) -> torch.Tensor:
        """alpha * J_i M; the scale rides inside the BLAS call."""
        return torch.addmm(M, self.W_hh, M, beta=0, alpha=alpha).mul_(self.fprime[i][:, None])

    def right(self, M: torch.Tensor, i: int, alpha: float) -> torch.Tensor:
        """alpha * M J_i."""
        return torch.addmm(M, M * self.fprime[i][None, :], self.W_hh, beta=0, alpha=alpha)


def step_factors(rnn: ElmanRNN, x: torch.Tensor | Trace, h0=None, layer: int = 0, direction: int = 0,
                 dtype: torch.dtype = torch.float64) -> Steps:
    """The factors of one layer and direction, in reading order (right to left for direction=1). x: the input
    vectors, or the Trace of this network (its recorded f'(u_i), without running it again)."""
    if not isinstance(rnn, ElmanRNN):
        raise TypeError("the diag(f'(u)) W_hh chain belongs to the Elman network; use autograd for LSTM/GRU")
    if not isinstance(x, Trace) and (x.dim() == 0 or x.numel() == 0 or x.shape[-1] != rnn.input_size):
        raise ValueError(f"x must hold one or more input vectors of size {rnn.input_size}, got shape {tuple(x.shape)}")
    with torch.no_grad():
        records = forward_records(rnn, x, h0)[1]
        fprime = records[record_name(layer, direction, "fprime")][0]  # (T, H)
        if direction == 1:
            fprime = fprime.flip(0)
        return Steps(fprime.to(dtype), rnn.cell(layer, direction).W_hh.detach().to(torch.float64))


def _chain(J: Steps, start: int, stop: int, left: bool, keep: bool = True) -> tuple[torch.Tensor | None, torch.Tensor]:
    """Partial products divided by their Frobenius norms (when keep), and those norms' logarithms.

    left=True:  P_{t,start} = J_t ... J_{start+1} for t = start+1..stop, built forward.
    left=False: P_{stop,s}  = J_stop ... J_{s+1}  for s = stop-1..start, built backward; returned in s order.
    keep=False skips storing the products (a row of Frobenius norms needs only the logarithms).
    """
    idx = range(start + 1, stop + 1) if left else range(stop, start, -1)
    H = J.hidden_size
    mats = torch.empty((len(idx), H, H), dtype=J.dtype) if keep else None
    logs = torch.empty(len(idx), dtype=torch.float64)
    M, scale, log = None, 1.0, 0.0
    for n, i in enumerate(idx):
        if M is None:
            M = J[i]
        else:  # the division by the previous norm rides inside the BLAS call (alpha), costing nothing
            M = J.left(i, M, scale) if left else J.right(M, i, scale)
        norm = torch.linalg.matrix_norm(M).item()
        log += math.log(norm) if norm > 0 else (-math.inf if norm == 0 else math.nan)  # NaN stays NaN
        scale = 1.0 / norm if 0 < norm < math.inf else 1.0
        logs[n] = log
        if keep:
            mats[n] = M * scale
    if left:
        return mats, logs
    return (mats.flip(0) if keep else None), logs.flip(0)


def row_log_norms(J: Steps, t: int, ord="fro") -> torch.Tensor:
    """log ||dh_t/dh_s|| for s = 0..t (s = t is the identity): one backward sweep of t matrix products."""
    out = torch.empty(t + 1, dtype=torch.float64)
    out[t] = 0.5 * math.log(J.hidden_size) if ord == "fro" else 0.0
    if t == 0:
        return out
    if ord == "fro":
        out[:t] = _chain(J, 0, t, left=False, keep=False)[1]
        return out
    mats, logs = _chain(J, 0, t, left=False)
    out[:t] = torch.log(spectral_norm(mats.to(torch.float64))) + logs
    return out


def _direct_pairs(J: Steps, out: torch.Tensor, lo: int, hi: int, ord) -> None:
    """out[t, s] for lo <= s < t <= hi by diagonals: P_{s+k,s} = J_{s+k} P_{s+k-1,s}, batched over s.

    The factors of the block are formed once ((n, H, H): this method is only chosen when that is small).
    """
    factors = J[lo + 1:hi + 1]  # (n, H, H): J_{lo+1} .. J_hi
    P = factors  # k = 1
    norms = torch.linalg.matrix_norm(P)
    logs = torch.log(norms.to(torch.float64))
    for k in range(1, hi - lo + 1):
        P = P / torch.where(norms > 0, norms, 1)[:, None, None]
        diagonal = out.diagonal(-k)[lo:hi - k + 1]  # the pairs (s + k, s), a view into out
        diagonal.copy_(logs if ord == "fro" else torch.log(spectral_norm(P.to(torch.float64))) + logs)
        if lo + k < hi:
            P = factors[k:] @ P[:-1]
            norms = torch.linalg.matrix_norm(P)
            logs = logs[:-1] + torch.log(norms.to(torch.float64))


def _fro_pairs(J: Steps, out: torch.Tensor, lo: int, hi: int) -> None:
    """Fill out[t, s] = log ||P_{t,s}||_F for lo <= s < t <= hi by splitting at mid.

    A pair with s < mid < t splits as P_{t,s} = P_{t,mid} P_{mid,s}, and ||A B||_F^2 = <A^T A, B B^T>:
    one H*H inner product instead of an H^3 product. The whole map then costs O(T log T) matrix
    products plus O(T^2 H^2), instead of the O(T^2 H^3) of forming every product.
    """
    if hi - lo <= _BLOCK:
        _direct_pairs(J, out, lo, hi, "fro")
        return
    mid = (lo + hi) // 2
    _cross(J, out, lo, mid, hi)
    _fro_pairs(J, out, lo, mid)
    _fro_pairs(J, out, mid, hi)


def _cross(J: Steps, out: torch.Tensor, lo: int, mid: int, hi: int) -> None:
    """out[t, s] for mid < t <= hi and lo <= s < mid, through the split P_{t,s} = P_{t,mid} P_{mid,s}."""
    A, la = _chain(J, mid, hi, left=True)  # t = mid+1..hi, each ||A_t||_F = 1
    B, lb = _chain(J, lo, mid, left=False)  # s = lo..mid-1
    G = (A.mT @ A).flatten(1)  # (nt, H*H) Gram matrices A^T A
    C = (B @ B.mT).flatten(1)  # (ns, H*H) Gram matrices B B^T
    V = (G @ C.T).to(torch.float64)  # (nt, ns): ||A_t B_s||_F^2 of the normalised factors
    # Where A_t B_s nearly cancels, the inner product has lost digits: form those products directly.
    eps = torch.finfo(J.dtype).eps
    lossy = V < 10 * math.sqrt(eps) * torch.linalg.vector_norm(G, dim=1)[:, None].double() * \
        torch.linalg.vector_norm(C, dim=1)[None].double()
    for i, j in lossy.nonzero().tolist():
        V[i, j] = torch.linalg.matrix_norm((A[i] @ B[j]).double()) ** 2
    out[mid + 1:hi + 1, lo:mid] = 0.5 * torch.log(V) + la[:, None] + lb[None, :]


def extend_log_norms(J: Steps, known: torch.Tensor) -> torch.Tensor:
    """jacobian_log_norms(J, "fro") for a text that extends one already mapped: `known` is the map of the first n
    factors (the same f'(u_i) for i < n), so only the pairs with t >= n are formed.

    A student who adds a sentence to the text then waits for the new rows alone: through the split at the last
    known state, about 2T matrix products instead of the whole map's 2T log T.
    """
    T, n = len(J), known.shape[0]
    if n < 2 or n >= T:
        return jacobian_log_norms(J) if n < T else known[:T, :T].clone()
    out = torch.full((T, T), -torch.inf, dtype=torch.float64)
    out.diagonal().fill_(0.5 * math.log(J.hidden_size))
    out[:n, :n] = known
    mid = n - 1
    _cross(J, out, 0, mid, T - 1)
    _fro_pairs(J, out, mid, T - 1)
    return out


def jacobian_log_norms(J: Steps, ord="fro", method: str = "auto") -> torch.Tensor:
    """(T, T) float64 natural-log norms of dh_t/dh_s for s <= t, from the chain's factors; -inf above.

    "fro": divide and conquer with Gram matrices when that is cheaper (long texts, wide layers), else every
    product formed by diagonals. 2: every product formed, exact SVD of each (slower).
    method: "auto" picks the cheaper of "divide" and "direct" (tests pin one to check both).
    """
    if ord not in ("fro", 2):
        raise ValueError("ord must be 2 (spectral) or 'fro' (Frobenius)")
    T, H = len(J), J.hidden_size
    out = torch.full((T, T), -torch.inf, dtype=torch.float64)
    out.diagonal().fill_(0.5 * math.log(H) if ord == "fro" else 0.0)
    direct = T * T * H**3 / _FLOPS + T * _CALL  # forming every product, batched by diagonal
    divided = T * math.log2(max(T, 2)) * (4 * H**3 / _FLOPS + _CALL)  # two products per state per level
    if method not in ("auto", "divide", "direct"):
        raise ValueError("method must be auto, divide or direct")
    if ord == "fro" and (method == "divide" or (method == "auto" and divided < direct)):
        _fro_pairs(J, out, 0, T - 1)
    else:
        _direct_pairs(J, out, 0, T - 1, ord)
    return out


def jacobian_norms(rnn: ElmanRNN, x: torch.Tensor, h0=None, ord=2, layer: int = 0, direction: int = 0,
                   log: bool = False, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    """(T, T): entry [t, s] is ||dh_t/dh_s|| for s < t, the identity's norm on the diagonal, zero above.

    x is (T, I). ord: 2 (spectral: exact SVD of every product) or "fro" (Frobenius, far faster).
    direction=1 (the right-to-left network): h_t depends on h_s for s > t, so the map is upper triangular.
    log=True returns natural logarithms (-inf for zero), which never overflow. dtype=torch.float32
    halves the time at about five correct digits (the logarithms of the scales stay float64).
    """
    out = jacobian_log_norms(step_factors(rnn, x, h0, layer, direction, dtype), ord)
    if direction == 1:
        out = out.flip(0, 1).contiguous()
    return out if log else out.exp()
