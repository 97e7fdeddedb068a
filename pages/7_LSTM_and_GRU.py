"""LSTM and GRU: Elman, LSTM and GRU side by side, their reach and their gates (see explorer.views.lstm_gru)."""

from explorer.views import lstm_gru

lstm_gru.main()
