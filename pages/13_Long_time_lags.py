"""Long time lags: Hochreiter & Schmidhuber (1997) beside our own lag sweep (see explorer.views.long_lags)."""

from explorer.views import long_lags

long_lags.main()
