"""Long-range probes: what earlier words a prediction really uses, and how far back a cue can be carried (see
explorer.views.probes)."""

from explorer.views import probes

probes.main()
