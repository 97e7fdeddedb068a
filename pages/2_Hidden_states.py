"""Hidden states: what h_t looks like at every step, and how two sentences move through the same space
(see explorer.views.hidden_states)."""

from explorer.views import hidden_states

hidden_states.main()
