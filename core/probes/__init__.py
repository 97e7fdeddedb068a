"""Probes of what a trained network uses: interventions on its input, measured on its own predictions."""

from .ablation import INTERVENTIONS, ablation, ablation_gradients, default_target

__all__ = ["INTERVENTIONS", "ablation", "ablation_gradients", "default_target"]
