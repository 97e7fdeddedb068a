"""Generate: let the language model continue a text (see explorer.views.generate)."""

from explorer.views import generate

generate.main()
