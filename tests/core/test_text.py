"""Tokenizers round-trip what people type; unknown words still get their own fixed vector."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from core import CharTokenizer, ModelConfig, Vocab, WordTokenizer, build_model, lecture
from core.text import hashed_vector


def test_dancing_passage_round_trips_and_splits_like_the_lecture():
    tok = WordTokenizer()
    tokens = tok.tokenize(lecture.DANCING)
    assert tok.detokenize(tokens) == lecture.DANCING
    assert tokens[-6:] == ["I", "'ve", "always", "loved", "dancing", "."]  # the slide writes "I 've ... dancing ."
    assert "jig" in tokens and tokens.count("dancing") == 2


def test_clitics_and_punctuation_are_their_own_tokens():
    assert WordTokenizer().tokenize("I don't know, it's fine!") == ["I", "do", "n't", "know", ",", "it", "'s",
                                                                     "fine", "!"]


@given(st.text())
def test_word_tokens_cover_every_visible_character(text):
    tokens = WordTokenizer().tokenize(text)
    assert "".join(tokens) == "".join(text.split())
    spans = WordTokenizer().spans(text)
    assert [text[a:b] for a, b in spans] == tokens


@given(st.text())
def test_char_tokenizer_round_trips_anything(text):
    tok = CharTokenizer()
    assert tok.detokenize(tok.tokenize(text)) == text


def test_vocab_maps_unknown_words_to_unk_and_ignores_case():
    vocab = Vocab.from_texts(["the cat sat on the mat"], WordTokenizer())
    assert vocab.itos[:2] == ["<unk>", "the"]  # most frequent first
    ids = vocab.encode(["The", "cat", "zebra"])
    assert ids.tolist() == [1, vocab.stoi["cat"], 0]
    assert vocab.decode(ids) == ["the", "cat", "<unk>"]


def test_unknown_words_get_distinct_deterministic_vectors():
    model = build_model(ModelConfig())
    tokens, ids = model.tokens_and_ids("zebra quokka zebra")
    assert ids.tolist() == [0, 0, 0]
    x = model.embed(tokens, ids)[0]
    torch.testing.assert_close(x[0], x[2])
    assert not torch.allclose(x[0], x[1])
    torch.testing.assert_close(hashed_vector("zebra", 8, 0), hashed_vector("Zebra", 8, 0))
    assert not torch.allclose(hashed_vector("zebra", 8, 0), hashed_vector("zebra", 8, 1))


@pytest.mark.parametrize("extra", [0, 1, 13, 250])
def test_padding_moves_the_cue_exactly(extra):
    tokens = WordTokenizer().tokenize(lecture.pad_dancing(extra))
    base = WordTokenizer().tokenize(lecture.DANCING)
    assert len(tokens) == len(base) + extra
    assert (len(tokens) - 2) - tokens.index("jig") == (len(base) - 2) - base.index("jig") + extra
    assert tokens[-2:] == ["dancing", "."] and "dance" in tokens
