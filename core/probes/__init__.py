"""Probes of what a trained network uses: interventions on its input, measured on its own predictions.

core.probes.context (how much context a model uses) and core.probes.lag_sweep are imported by name: each is
also a command (python -m ...), which must not be imported before it runs.
"""

from .ablation import INTERVENTIONS, ablation, ablation_gradients, default_target

__all__ = ["INTERVENTIONS", "ablation", "ablation_gradients", "default_target"]
