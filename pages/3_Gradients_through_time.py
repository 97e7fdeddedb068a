"""Gradients through time: how far back the prediction of one word still reaches (see explorer.views.gradients)."""

from explorer.views import gradients

gradients.main()
