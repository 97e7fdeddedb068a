"""Lecture mode: the lecture on recurrent networks as a guided path, one idea per step
(see explorer.views.lecture_mode)."""

from explorer.views import lecture_mode

lecture_mode.main()
