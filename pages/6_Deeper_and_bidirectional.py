"""Deeper and both ways: stacked layers, and a second network reading right to left
(see explorer.views.deeper)."""

from explorer.views import deeper

deeper.main()
