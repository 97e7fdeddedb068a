"""Fixed window vs recurrence: beyond its window a word has no path to the prediction; Elman's state keeps one
(see explorer.views.fixed_window)."""

from explorer.views import fixed_window

fixed_window.main()
