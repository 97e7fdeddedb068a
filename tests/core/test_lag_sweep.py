"""The lag sweep: a short lag is learned, a network that ignores the cue scores exactly chance, the same run gives
the same row, and the cached table holds every model, lag and seed the sweep promises."""

import pandas as pd
import pytest
import torch

from core.probes import lag_sweep as ls

TINY = ls.SweepConfig(hidden_size=16, steps=150, train_size=128, valid_size=64, test_size=128)


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """As the app and the sweep's entry run: a second intra-op thread slows these tiny batches many times over
    on shared cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_an_lstm_learns_a_short_lag():
    row = ls.run(ls.BY_NAME["LSTM"], lag=5, seed=0, config=TINY)
    assert row["accuracy"] >= 0.95, row
    assert row["ended"] == "solved" and row["steps"] < TINY.steps, row


@pytest.mark.parametrize("name", ["Elman", "GRU", "LSTM, default init"])
def test_an_untrained_network_scores_chance_when_the_cue_is_far(name):
    """Every filler sequence carries every cue once, so a guess that depends on the fillers alone is right on
    exactly one sequence in num_cues."""
    train, _, test = ls.tasks(40, seed=0, config=TINY)
    model = ls.build(ls.BY_NAME[name], 0, train, TINY)
    assert ls.cue_accuracy(model, test) == pytest.approx(test.chance, abs=0.03)


def test_accuracy_ranks_the_answers_only():
    """A network that ranks one homeland above the others whatever the cue, and a filler word above them all, is
    right once per cue: the filler is not an answer, so it is never the network's pick."""
    _, _, test = ls.tasks(3, seed=0, config=TINY)
    model = ls.build(ls.BY_NAME["Elman"], 0, test, TINY)
    answer, filler = int(test.targets[test.mask][0]), int(test.inputs[0, 1])
    with torch.no_grad():
        model.W_zh.zero_()
        model.b_z.zero_()
        model.b_z[answer], model.b_z[filler] = 1.0, 5.0
    assert ls.cue_accuracy(model, test) == 1 / TINY.num_cues


def test_the_lstm_variants_differ_only_in_the_forget_gate():
    train, _, _ = ls.tasks(5, seed=0, config=TINY)
    H = TINY.hidden_size
    opened = ls.build(ls.BY_NAME["LSTM"], 0, train, TINY).core.cells[0]
    default = ls.build(ls.BY_NAME["LSTM, default init"], 0, train, TINY).core.cells[0]
    assert torch.all(opened.b_hx[H:2 * H] + opened.b_hh[H:2 * H] == 5.0)
    assert default.b_hx[H:2 * H].abs().max() < 1
    assert torch.equal(opened.W_hh, default.W_hh) and torch.equal(opened.b_hx[:H], default.b_hx[:H])


def test_a_sweep_is_one_reproducible_row_per_run():
    config = ls.SweepConfig(hidden_size=8, steps=20, train_size=32, valid_size=16, test_size=32, eval_every=10)
    variants = [ls.BY_NAME["Elman"], ls.BY_NAME["GRU"]]
    seen = []
    frame = ls.sweep(variants, lags=(2, 4), seeds=(0,), config=config, on_row=lambda row, share: seen.append(share))
    assert list(frame.columns) == ls.COLUMNS
    assert list(zip(frame["model"], frame["lag"])) == [("Elman", 2), ("Elman", 4), ("GRU", 2), ("GRU", 4)]
    assert seen == [0.25, 0.5, 0.75, 1.0]
    assert frame["accuracy"].between(0, 1).all() and (frame["chance"] == 0.25).all()
    assert (frame["steps"] <= 20).all() and (frame["hidden_size"] == 8).all() and (frame["seconds"] > 0).all()
    again = ls.run(ls.BY_NAME["GRU"], 4, 0, config)
    assert (again["accuracy"], again["loss"], again["steps"]) == tuple(frame.iloc[3][["accuracy", "loss", "steps"]])


def test_the_cached_sweep_covers_every_model_lag_and_seed():
    frame = pd.read_csv(ls.RESULTS)
    assert list(frame.columns) == ls.COLUMNS
    runs = set(zip(frame["model"], frame["lag"], frame["seed"]))
    assert runs == {(v.name, lag, seed) for v in ls.VARIANTS for lag in ls.LAGS for seed in ls.SEEDS}
    assert len(frame) == len(runs)
    assert frame["accuracy"].between(0, 1).all() and (frame["chance"] == 0.25).all()
    assert (frame["steps"] <= frame["max_steps"]).all()
    assert set(frame["ended"]) <= set(ls.ENDED.values())
    assert ls.summary(frame).shape == (len(ls.VARIANTS), len(ls.LAGS))
    assert f"H = {frame['hidden_size'].iloc[0]}" in ls.describe(frame)


def made_up(accuracies: dict[str, dict[int, tuple[float, ...]]], chance: float = 0.25) -> pd.DataFrame:
    """A sweep table of our own: per model, per lag, one accuracy per seed."""
    return pd.DataFrame([{"model": model, "lag": lag, "seed": seed, "accuracy": a, "chance": chance}
                         for model, lags in accuracies.items() for lag, seeds in lags.items()
                         for seed, a in enumerate(seeds)])


def test_by_lag_counts_the_seeds_that_held_the_cue():
    frame = made_up({"B": {5: (1.0, 0.96, 0.5), 50: (0.3, 0.2, 0.25)}, "A": {5: (0.94, 0.95, 0.99), 50: (1.0,) * 3}})
    stats = ls.by_lag(frame)
    assert list(stats.index) == [("B", 5), ("B", 50), ("A", 5), ("A", 50)], "models in the table's order"
    assert stats.loc[("B", 5), "held"] == 2 and stats.loc[("A", 5), "held"] == 2 and stats.loc[("B", 50), "held"] == 0
    assert stats.loc[("B", 5), "mean"] == pytest.approx((1.0 + 0.96 + 0.5) / 3)
    assert (stats["runs"] == 3).all() and stats.loc[("A", 50), "std"] == 0
    assert ls.by_lag(frame, held=0.99).loc[("A", 5), "held"] == 1
    assert ls.by_lag(frame.assign(arch="x"), by="arch")["runs"].tolist() == [6, 6]


def test_reaches_say_up_to_which_lag_the_cue_was_held_and_from_which_it_was_lost():
    frame = made_up({"Elman": {5: (1.0, 1.0), 10: (0.8, 1.0), 20: (0.27, 0.25), 50: (0.99, 1.0)},
                     "LSTM": {5: (1.0, 1.0), 10: (0.97, 0.99), 20: (1.0, 1.0), 50: (0.96, 0.95)},
                     "GRU": {5: (0.5, 0.6), 10: (0.3, 0.26), 20: (0.25, 0.25), 50: (0.25, 0.25)}})
    elman, lstm, gru = ls.reaches(frame)
    assert (elman.model, elman.held_to, elman.lost_from, elman.held_all) == ("Elman", 5, 20, False)
    assert (lstm.held_to, lstm.longest, lstm.held_all) == (50, 50, True) and lstm.lost_from is None
    assert (gru.held_to, gru.lost_from) == (0, 10)
    assert ls.reaches(frame, held=0.9)[0].held_to == 10
    assert ls.reaches(frame.assign(chance=0.5))[2].lost_from == 5, "chance is the table's"
