"""Elman (1990) recomputed: small networks show each of the paper's effects, the cluster scores mean what they
say on trees built by hand, and the cached tables have the current code's columns and claims."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.reproductions import elman1990 as e90

RESULTS = Path(__file__).resolve().parents[2] / "results"
S = e90.Setup


# Small versions of each experiment, seconds each; the cached tables use the module's (larger) defaults.
@pytest.fixture(scope="module")
def xor() -> pd.DataFrame:
    return e90.temporal_xor(S(hidden_size=4, steps=600, lr=0.1, seq_len=12), n_test=600)


@pytest.fixture(scope="module")
def letters() -> pd.DataFrame:
    return e90.letter_sequences(S(hidden_size=10, steps=200, lr=0.03), n_consonants=300, n_test=100)


@pytest.fixture(scope="module")
def words() -> pd.DataFrame:
    return e90.word_boundaries(S(hidden_size=20, steps=200, lr=0.03), n_test=30)


@pytest.fixture(scope="module")
def lexicon() -> pd.DataFrame:
    return e90.lexical_categories(S(hidden_size=64, steps=300, lr=0.01), n_sentences=3000, n_test=500, seeds=(0,))


def means(frame: pd.DataFrame, by: str) -> dict:
    return dict(zip(*e90.mean_errors(frame, by)[[by, "loss"]].to_numpy().T))


def test_xor_positions_are_where_the_xor_is(xor):
    bits = xor.set_index("step")["token"].astype(int)
    third = xor[(xor["position"] == 3) & (xor["step"] >= 3)]["step"]  # step 0 is never predicted: no row
    assert (bits[third].to_numpy() == (bits[third - 1].to_numpy() ^ bits[third - 2].to_numpy())).all()
    assert set(xor["role"]) == set(e90.XOR_ROLES.values())


def test_xor_error_is_lowest_on_the_predictable_bit(xor):
    loss = means(xor, "position")  # measured: 0.73, 0.79, 0.38 nats
    assert loss[3] < min(loss[1], loss[2]) - 0.2
    cycle = e90.xor_cycle(xor)
    assert list(cycle["cycle_step"]) == list(range(1, 13))
    lows = cycle.nsmallest(4, "squared_error")["cycle_step"]
    assert sorted(lows) == [3, 6, 9, 12], "the four lowest of twelve steps are the four XOR bits"


def test_consonants_are_hard_and_vowels_easy(letters):
    assert (letters["kind"] == "consonant").eq(letters["token"].isin(["b", "d", "g"])).all()
    loss = means(letters, "kind")  # measured: 1.14 and 0.004 nats
    assert loss["consonant"] > 0.9, "close to ln 3: a consonant comes, which one is a coin toss"
    assert loss["vowel"] < 0.1


def test_error_peaks_at_word_onsets(words):
    assert (words["onset"] == (words["letter_in_word"] == 1)).all()
    onsets = words[words["onset"]]
    assert (onsets["token"] == onsets["word"].str[0]).all()
    loss = means(words, "onset")  # measured: 0.94 at onsets, 0.13 within words
    assert loss[True] > 3 * loss[False]


def centroids(points: dict[str, list[tuple[float, float]]]) -> pd.DataFrame:
    """Hand-made 'averaged hidden states': group -> one 2-D point per word."""
    rows = [{"word": f"{group}{i}", "group": group, "h0": x, "h1": y}
            for group, pts in points.items() for i, (x, y) in enumerate(pts)]
    return pd.DataFrame(rows)


def test_purity_counts_each_clusters_majority():
    assert e90.purity([1, 1, 2, 2], ["a", "a", "a", "b"]) == 0.75
    assert e90.purity([1, 2, 3], ["a", "a", "a"]) == 1.0


def test_category_purity_scores_elmans_tree_as_perfect():
    nouns_then_verbs = centroids({"animate noun": [(0, 0), (0, 0.1), (0.1, 0)],
                                  "inanimate noun": [(0, 2), (0.1, 2)],
                                  "verb": [(9, 0), (9, 0.1), (9.1, 0)]})
    assert set(e90.category_purity(nouns_then_verbs).values()) == {1.0}


def test_category_purity_scores_animates_split_off_first():
    """Animate nouns far from everything, verbs near inanimate nouns: the top split mixes nouns and verbs."""
    frame = centroids({"animate noun": [(9, 0), (9, 0.1), (9.1, 0)],
                       "inanimate noun": [(0, 0), (0.1, 0)],
                       "verb": [(0, 2), (0, 2.1), (0.1, 2)]})
    scores = e90.category_purity(frame)
    assert scores["top split vs noun / verb"] == pytest.approx(6 / 8)  # {3 animate} pure; {2 inanimate, 3 verbs}
    assert scores["nouns' split vs animate / inanimate"] == 1.0
    assert scores["three clusters vs animate / inanimate / verb"] == 1.0
    assert e90.cut(frame, 2) == [["inanimate noun0", "inanimate noun1", "verb0", "verb1", "verb2"],
                                 ["animate noun0", "animate noun1", "animate noun2"]]


def test_lexical_categories_are_recovered(lexicon):
    assert len(lexicon) == 29 and lexicon["word"].is_unique
    assert e90.hidden_matrix(lexicon).shape == (29, 64)
    assert (lexicon["count"] > 0).all()
    scores = e90.category_purity(lexicon)  # measured: 0.72, 1.0, 1.0 (the top split takes the animate nouns apart)
    assert scores["three clusters vs animate / inanimate / verb"] >= 0.9
    assert scores["nouns' split vs animate / inanimate"] >= 0.9


def test_unknown_linkage_is_refused():
    with pytest.raises(ValueError, match="method"):
        e90.cluster(centroids({"verb": [(0, 0), (1, 1)]}), "median")


def cached(name: str) -> pd.DataFrame:
    path = RESULTS / e90.FILES[name]
    assert path.exists(), f"{path} missing: python -m core.reproductions.elman1990 --out results/"
    return pd.read_csv(path)


@pytest.mark.parametrize("name", ["xor", "letters", "words", "lexicon"])
def test_cached_tables_have_the_current_columns(request, name):
    table, fresh = cached(name), request.getfixturevalue(name)
    hidden = [c for c in fresh.columns if c.startswith("h") and c[1:].isdigit()]
    expected = [c for c in fresh.columns if c not in hidden]
    assert [c for c in table.columns if c not in set(table.filter(regex=r"^h\d+$"))] == expected
    if name == "lexicon":
        assert table.filter(regex=r"^h\d+$").shape[1] == e90.LEXICON.hidden_size
        assert sorted(table["seed"].unique()) == list(e90.SEEDS)
    else:
        assert table["hidden_size"].iloc[0] == getattr(e90, {"xor": "XOR", "letters": "LETTERS",
                                                             "words": "WORDS"}[name]).hidden_size


def test_cached_tables_show_the_claims():
    xor = means(cached("xor"), "position")
    assert xor[3] < min(xor[1], xor[2]) - 0.2
    letters = means(cached("letters"), "kind")
    assert letters["consonant"] > 10 * letters["vowel"]
    words = means(cached("words"), "onset")
    assert words[True] > 3 * words[False]
    for seed, scores in e90.purity_by_seed(cached("lexicon")).set_index("seed").iterrows():
        assert scores["three clusters vs animate / inanimate / verb"] >= 0.9, seed


def test_cached_words_table_is_what_the_current_code_computes():
    """The cheapest full-size run (about 2 s), recomputed: same errors, up to float noise in training."""
    table, fresh = cached("words"), e90.word_boundaries()
    assert len(table) == len(fresh) and (table["token"] == fresh["token"]).all()
    for by in ("onset", "letter_in_word"):
        old, new = e90.mean_errors(table, by), e90.mean_errors(fresh, by)
        assert np.allclose(old[["loss", "squared_error"]], new[["loss", "squared_error"]], rtol=1e-3, atol=1e-5)
