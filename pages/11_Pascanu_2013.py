"""Pascanu 2013: the bound that forces gradients to vanish, and gradient clipping (see explorer.views.pascanu)."""

from explorer.views import pascanu

pascanu.main()
