"""Initialising W_hh so that a user can dial its spectral radius from vanishing to exploding."""

from __future__ import annotations

import math

import torch

from .config import INITS


def recurrent_matrix(size: int, scheme: str, spectral_radius: float, generator: torch.Generator) -> torch.Tensor:
    """A (H, H) W_hh of the given scheme, rescaled so that max |eigenvalue| = spectral_radius.

    gaussian: N(0, 1/H) entries (circular law: radius near 1, but ||W_hh||_2 near 2);
    orthogonal: all singular values equal, so ||W_hh||_2 = radius exactly;
    identity: radius * I, the linear recurrence whose Jacobian norms are exactly radius^k.
    """
    if scheme == "identity":
        return torch.eye(size) * spectral_radius
    if scheme == "gaussian":
        w = torch.randn(size, size, generator=generator) / math.sqrt(size)
    elif scheme == "orthogonal":
        q, r = torch.linalg.qr(torch.randn(size, size, generator=generator))
        w = q * torch.sign(torch.diagonal(r))  # sign fix makes Q uniformly (Haar) distributed
    else:
        raise ValueError(f"unknown W_hh initialisation {scheme!r}: use one of {', '.join(INITS)}")
    radius = torch.linalg.eigvals(w.double()).abs().max().item()
    return w * (spectral_radius / radius) if radius > 0 else w


def uniform(shape: tuple[int, ...], bound: float, generator: torch.Generator) -> torch.Tensor:
    """PyTorch's own default for recurrent weights: U(-1/sqrt(H), 1/sqrt(H))."""
    return (torch.rand(shape, generator=generator) * 2 - 1) * bound
