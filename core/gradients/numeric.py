"""Norms that stay right from 1e-300 to 1e+300: float64 alone squares 1e-200 into zero."""

from __future__ import annotations

import torch


def safe_norm(v: torch.Tensor, dim=-1) -> torch.Tensor:
    """Euclidean (or Frobenius, with dim=(-2, -1)) norm computed as m * ||v / m||, m = max |v|.

    torch.linalg.vector_norm squares each entry, so a vector of size 1e-200 would report 0.
    inf stays inf and NaN stays NaN.
    """
    m = v.abs().amax(dim=dim, keepdim=True)
    scaled = v / torch.where((m > 0) & torch.isfinite(m), m, torch.ones_like(m))
    norm = torch.linalg.vector_norm(scaled, dim=dim, keepdim=True) * torch.where(torch.isfinite(m), m, 1)
    norm = torch.where(torch.isinf(m) & ~torch.isnan(v).any(dim=dim, keepdim=True), torch.inf, norm)
    return norm.squeeze(dim)


def status(values: torch.Tensor) -> list[str]:
    """A word per entry for tables: ok, zero, overflow (inf) or nan."""
    out = []
    for v in values.tolist():
        out.append("nan" if v != v else "overflow" if v in (float("inf"), float("-inf")) else
                   "zero" if v == 0 else "ok")
    return out


def spectral_norm(M: torch.Tensor) -> torch.Tensor:
    """||M||_2 of (..., H, H) matrices; NaN for a matrix holding inf or NaN (the SVD refuses those outright)."""
    finite = torch.isfinite(M).flatten(-2).all(-1)
    out = torch.full(M.shape[:-2], torch.nan, dtype=M.dtype)
    if finite.any():
        out[finite] = torch.linalg.matrix_norm(M[finite], ord=2)
    return out
