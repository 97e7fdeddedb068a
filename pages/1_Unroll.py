"""Unroll: the Elman network read one word at a time, with the real numbers of every step
(see explorer.views.unroll)."""

from explorer.views import unroll

unroll.main()
