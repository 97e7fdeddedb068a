"""One name for everything recorded: record_name makes it, parse_record_name reads it back, every model uses it."""

import pytest
import torch

from core import ModelConfig, build_model, unroll
from core.models.recurrent import DIRECTIONS, parse_record_name, record_name


@pytest.mark.parametrize("layer,direction,key", [(0, 0, "h"), (1, 1, "u"), (12, 0, "fprime"), (3, 1, None)])
def test_parse_inverts_record_name(layer, direction, key):
    name = record_name(layer, direction, key)
    assert parse_record_name(name) == (layer, direction, key)


def test_names_read_as_the_lecture_writes_them():
    assert record_name(1, 1, "u") == "l1.bwd.u"
    assert record_name(0, 0) == "l0.fwd"
    assert record_name(0, 0, "h", recurrent=False) == "window.h"
    assert parse_record_name("window.fprime") == (0, 0, "fprime")


@pytest.mark.parametrize("bad", ["", "h", "l.fwd.h", "lx.fwd.h", "l0.up.h", "layer0.fwd.h"])
def test_other_names_are_refused(bad):
    with pytest.raises(ValueError, match="not a recorded name"):
        parse_record_name(bad)


@pytest.mark.parametrize("config", [ModelConfig(hidden_size=3, num_layers=2, bidirectional=True),
                                    ModelConfig(arch="lstm", hidden_size=3), ModelConfig(arch="gru", hidden_size=3),
                                    ModelConfig(arch="window", hidden_size=3)])
def test_every_recorded_state_is_named_by_record_name(config):
    trace = unroll(build_model(config), "the cat sat")
    for name in trace.states:
        layer, direction, key = parse_record_name(name)
        assert record_name(layer, direction, key, recurrent=config.is_recurrent) == name
        assert trace.get(key, layer, direction) is trace.states[name]
    layers = {parse_record_name(n)[:2] for n in trace.states}
    assert layers == {(layer, d) for layer in range(config.num_layers) for d in range(config.num_directions)}
    assert torch.equal(trace.h(), trace.states[record_name(0, 0, "h", recurrent=config.is_recurrent)])
    assert DIRECTIONS[0] == "fwd"


def test_a_layer_reads_the_input_then_both_directions_of_the_layer_below():
    from core.models import ElmanRNN
    from core.models.recurrent import layer_input

    rnn = ElmanRNN(3, 4, num_layers=2, bidirectional=True, seed=0).double()
    x = torch.randn(1, 5, 3, dtype=torch.float64)
    rec = rnn.run(x, record=True).records
    assert layer_input(rec, x, 0, 2) is x
    below = layer_input(rec, x, 1, 2)  # (1, 5, 8): [left to right; right to left]
    assert torch.equal(below, torch.cat([rec["l0.fwd.h"], rec["l0.bwd.h"]], -1))
    cell = rnn.cell(1, 0)
    u0 = below[0, 0] @ cell.W_hx.T + cell.b_h + rec["l1.fwd.h0"][0] @ cell.W_hh.T
    torch.testing.assert_close(u0, rec["l1.fwd.u"][0, 0])
