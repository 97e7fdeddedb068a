"""Units: read single units of the network over a passage (see explorer.views.units)."""

from explorer.views import units

units.main()
