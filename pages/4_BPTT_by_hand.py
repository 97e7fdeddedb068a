"""BPTT by hand: the chain of Jacobians, factor by factor, checked against autograd (see explorer.views.bptt)."""

from explorer.views import bptt

bptt.main()
