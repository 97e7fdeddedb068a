"""Backprop review: the lecture's feed-forward network, each derivative by the chain rule and by autograd
(see explorer.views.backprop)."""

from explorer.views import backprop

backprop.main()
