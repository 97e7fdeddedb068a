"""Train: pick a model, data and the BPTT settings, watch it learn, stop it, use the result (see
explorer.views.train)."""

from explorer.views import train

train.main()
