"""Bengio 2003: the fixed-window language model against the recurrence (see explorer.views.bengio)."""

from explorer.views import bengio

bengio.main()
