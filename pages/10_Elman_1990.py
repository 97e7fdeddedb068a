"""Elman 1990: four of "Finding Structure in Time"'s simulations recomputed (see explorer.views.elman1990)."""

from explorer.views import elman1990

elman1990.main()
