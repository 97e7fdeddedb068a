"""Training data: Shakespeare splits cleanly, generated tasks have exactly the answers they claim, uploads decode
or are refused with a reason."""

import codecs
import io
import itertools
import pickle
import re
import zipfile
from collections import Counter, defaultdict

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from core.data import (
    CORPORA,
    Corpus,
    UploadError,
    adding_task,
    build_vocab,
    copy_task,
    cue_task,
    decode_text,
    elman_grammar,
    encode,
    from_text,
    letter_stream,
    shakespeare,
    spoken_lines,
    unsegmented_text,
    xor_stream,
)
from core.data.corpus import play_paths
from core.text import CharTokenizer, Vocab, WordTokenizer

# --- Shakespeare -------------------------------------------------------------------------------------------------

PLAY = "\n".join([
    "# The Test", "", "## ACT I", "", "### SCENE I. A heath.", "",
    "_Thunder. Enter three Witches, with", "a drum_", "",
    "**FIRST WITCH**  ",
    "When shall we three meet again  ",
    "In thunder, lightning, or in rain?",
    "_\\[Aside]_  ",
    "Fair is foul\\--and foul is fair.", "",
    "**SECOND WITCH**  ",
    "[Within]_  ",
    "Anon!", "",
    "*Exeunt.*", "",
    "SONG.", "",
    "**HAMLET**  ",
    "O, O, O, O!",
])


def test_markdown_becomes_spoken_lines_only():
    assert spoken_lines(PLAY) == ["When shall we three meet again", "In thunder, lightning, or in rain?",
                                  "Fair is foul--and foul is fair.", "Anon!", "O, O, O, O!"]


def test_shakespeare_has_a_sensible_size_and_no_markdown():
    corpus = shakespeare()
    words = {split: len(getattr(corpus, split).split()) for split in ("train", "valid", "test")}
    assert 800_000 < sum(words.values()) < 880_000  # ~900k words of Markdown, less names and directions
    assert 0.04 < words["valid"] / sum(words.values()) < 0.06 and 0.04 < words["test"] / sum(words.values()) < 0.06
    text = corpus.train + corpus.valid + corpus.test
    for markup in ("**", "#", "_", "[", "]", "\\", "\nHAMLET\n", "\nExeunt"):
        assert markup not in text, markup
    assert "To be, or not to be: that is the question:\n" in corpus.train
    assert len(play_paths()) == 38


def test_every_play_is_split_90_5_5_in_path_order():
    corpus = shakespeare()
    splits = {"train": [], "valid": [], "test": []}
    for path in play_paths():
        lines = spoken_lines(path.read_text(encoding="utf-8"))
        held = round(len(lines) / 20)
        splits["train"] += lines[:len(lines) - 2 * held]
        splits["valid"] += lines[len(lines) - 2 * held:len(lines) - held]
        splits["test"] += lines[len(lines) - held:]
    for name, lines in splits.items():
        assert getattr(corpus, name).splitlines() == lines, name


def test_uploaded_text_splits_contiguously_and_deterministically():
    text = " ".join(f"w{i}" for i in range(200)) + "\n"
    corpus = from_text(text, "mine", valid_fraction=0.25)
    assert corpus == from_text(text, "mine", valid_fraction=0.25)
    assert corpus.train + corpus.valid == text and corpus.test == ""
    assert corpus.valid.split() == [f"w{i}" for i in range(150, 200)]


def test_too_short_an_upload_says_how_many_words_it_has_and_needs():
    with pytest.raises(ValueError, match=r"has 30 words; at least 100"):
        from_text("word " * 30, "mine")
    with pytest.raises(ValueError, match=r"has 150 words; at least 200"):
        from_text("word " * 150, "mine", valid_fraction=0.05)


def test_vocab_comes_from_train_only_and_chars_keep_case():
    corpus = Corpus(name="t", train="The cat sat. the cat", valid="a dog", test="", description="")
    words = build_vocab(corpus, "word", max_size=None)
    assert words.itos == ["<unk>", "cat", "the", ".", "sat"]  # most frequent first, ties alphabetical
    assert "dog" not in words
    assert build_vocab(corpus, "word", max_size=2).itos == ["<unk>", "cat", "the"]
    chars = build_vocab(corpus, "char", max_size=None)
    assert "T" in chars and "t" in chars and "d" not in chars


@pytest.mark.parametrize(("tokenizer", "max_size"), [(WordTokenizer(), 500), (CharTokenizer(), 40)])
def test_fast_encode_matches_the_vocab_token_by_token(tokenizer, max_size):
    held_out = shakespeare().test
    vocab = build_vocab(Corpus("t", train=held_out, valid="", test="", description=""), tokenizer.name, max_size)
    sample = shakespeare().valid[:20_000]
    expected = vocab.encode(tokenizer.tokenize(sample))
    assert torch.equal(encode(sample, tokenizer.name, vocab), expected)
    assert (expected == 0).any() and (expected > 0).any()  # both known and unknown tokens were exercised
    assert encode("", tokenizer.name, vocab).shape == (0,)


def test_registry_offers_shakespeare_and_the_grammar():
    assert CORPORA["shakespeare"]() is shakespeare()
    grammar = CORPORA["elman-grammar"]()
    assert set(grammar.train.split()) <= set(elman_grammar(1).categories)
    first = elman_grammar(1, seed=0).sentences[0]
    assert grammar.valid and grammar.train.split()[:len(first)] == first


# --- Generated tasks ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lag", [1, 2, 7])
def test_cue_task_scores_only_the_query_lag_steps_after_the_cue(lag):
    task = cue_task(lag, n=40, num_cues=4)
    assert task.inputs.shape == task.targets.shape == task.mask.shape == (40, lag + 1)
    assert task.mask.dtype == torch.bool and task.mask[:, lag].all() and task.mask.sum() == 40
    assert task.chance == 0.25 and task.lag == lag
    assert task.vocab.decode(task.inputs[:, lag]) == ["so"] * 40
    assert set(task.vocab.decode(task.inputs[:, 0])) == {"jig", "waltz", "tango", "polka"}
    assert task.vocab.decode(task.targets[task.inputs[:, 0] == task.vocab.stoi["jig"], lag])[0] == "ireland"


def test_cue_task_answer_depends_on_the_cue_alone():
    task = cue_task(6, n=400, num_cues=4, seed=3)
    cue, answer, fillers = task.inputs[:, 0], task.targets[:, 6], task.inputs[:, 1:6]
    lookup = {}
    for c, a in zip(cue.tolist(), answer.tolist()):
        assert lookup.setdefault(c, a) == a  # one answer per cue...
    assert len(set(lookup.values())) == 4  # ...and a different one for each
    assert all(lookup[c] == a for c, a in zip(cue.tolist(), answer.tolist()))  # the oracle scores 100%

    seen = defaultdict(list)
    for row, a in zip(fillers.tolist(), answer.tolist()):
        seen[a].append(tuple(row))
    assert len({tuple(sorted(rows)) for rows in seen.values()}) == 1  # every answer sees the same fillers
    by_fillers = defaultdict(Counter)
    for row, a in zip(fillers.tolist(), answer.tolist()):
        by_fillers[tuple(row)][a] += 1
    best = sum(max(c.values()) for c in by_fillers.values()) / len(answer)
    assert best == pytest.approx(task.chance)  # the best guess from fillers alone is chance
    assert not set(task.vocab.decode(fillers.flatten())) & {"jig", "waltz", "tango", "polka", "so"}


def test_cue_task_is_seeded():
    a, b, c = cue_task(5, 64, seed=1), cue_task(5, 64, seed=1), cue_task(5, 64, seed=2)
    assert torch.equal(a.inputs, b.inputs) and torch.equal(a.targets, b.targets)
    assert not torch.equal(a.inputs, c.inputs)


def test_copy_task_recalls_each_symbol_in_order_after_go():
    length, delay = 4, 7
    task = copy_task(length, delay, n=50, num_symbols=6, seed=2)
    T = 2 * length + delay
    assert task.inputs.shape == (50, T) and task.chance == pytest.approx(1 / 6) and task.lag == length + delay
    for inputs, targets, mask in zip(task.inputs, task.targets, task.mask):
        tokens = task.vocab.decode(inputs)
        assert tokens[length:] == ["-"] * delay + ["go"] + ["-"] * (length - 1)
        assert set(tokens[:length]) <= set("abcdef")
        assert mask.tolist() == [False] * (length + delay) + [True] * length
        assert task.vocab.decode(targets[mask]) == tokens[:length]


def test_adding_task_target_is_the_sum_of_the_two_starred_digits():
    length = 12
    task = adding_task(length, n=300, digits=10, seed=5)
    assert task.inputs.shape == (300, length + 1) and task.mask[:, length].all() and task.mask.sum() == 300
    for inputs, target in zip(task.inputs, task.targets[:, length]):
        tokens = task.vocab.decode(inputs)
        assert tokens[-1] == "="
        starred = [i for i, tok in enumerate(tokens[:-1]) if tok.endswith("*")]
        assert len(starred) == 2 and starred[0] < length // 2 <= starred[1]
        total = sum(int(tokens[i][:-1]) for i in starred)
        assert task.vocab.decode([target]) == [f"s{total}"]
    sums = Counter(a + b for a, b in itertools.product(range(10), repeat=2))
    assert task.chance == pytest.approx(max(sums.values()) / 100)


GRAMMAR = {
    "NOUN-HUM": {"man", "woman", "boy", "girl"}, "NOUN-ANIM": {"cat", "mouse", "dog"},
    "NOUN-INANIM": {"book", "rock", "car"}, "NOUN-AGRESS": {"dragon", "monster", "lion"},
    "NOUN-FRAG": {"glass", "plate"}, "NOUN-FOOD": {"cookie", "bread", "sandwich"},
    "VERB-INTRAN": {"think", "sleep", "exist"}, "VERB-TRAN": {"see", "chase", "like"},
    "VERB-AGPAT": {"move", "break"}, "VERB-PERCEPT": {"smell", "see"}, "VERB-DESTROY": {"break", "smash"},
    "VERB-EAT": {"eat"},
}
TABLE_4 = """HUM EAT FOOD / HUM PERCEPT INANIM / HUM DESTROY FRAG / HUM INTRAN / HUM TRAN HUM / HUM AGPAT INANIM /
HUM AGPAT / ANIM EAT FOOD / ANIM TRAN ANIM / ANIM AGPAT INANIM / ANIM AGPAT / INANIM AGPAT / AGRESS DESTROY FRAG /
AGRESS EAT HUM / AGRESS EAT ANIM / AGRESS EAT FOOD"""


def _templates_matched(sentence):
    matched = set()
    for template in TABLE_4.split("/"):
        slots = template.split()
        cats = [("NOUN-" if i != 1 else "VERB-") + s for i, s in enumerate(slots)]
        if len(cats) == len(sentence) and all(w in GRAMMAR[c] for w, c in zip(sentence, cats)):
            matched.add(template.strip())
    return matched


def test_elman_sentences_follow_the_papers_templates():
    corpus = elman_grammar(3000, seed=4)
    used = set()
    for sentence in corpus.sentences:
        matched = _templates_matched(sentence)
        assert matched, sentence
        used |= matched
    assert len(used) == 16  # every template occurs
    assert corpus.text == " ".join(w for s in corpus.sentences for w in s)
    lexicon = set().union(*GRAMMAR.values())
    assert len(lexicon) == 29 and set(corpus.categories) == lexicon == set(corpus.text.split())
    assert elman_grammar(50, seed=4).sentences == corpus.sentences[:50]


def test_elman_categories_give_part_of_speech_animacy_and_transitivity():
    cats = elman_grammar(1).categories
    assert {w for w, c in cats.items() if c["pos"] == "noun"} == set().union(
        *(v for k, v in GRAMMAR.items() if k.startswith("NOUN")))
    assert cats["woman"]["animacy"] == "animate" and cats["woman"]["kind"] == "human"
    assert cats["lion"]["animacy"] == "animate" and cats["plate"]["animacy"] == "inanimate"
    assert [cats[v]["transitivity"] for v in ("sleep", "chase", "eat", "move", "break")] == [
        "intransitive", "transitive", "transitive", "optional", "optional"]
    assert cats["see"]["classes"] == ["VERB-TRAN", "VERB-PERCEPT"]


def test_xor_stream_every_third_bit_is_the_xor_of_the_two_before():
    bits = xor_stream(3000, seed=7)
    assert len(bits) == 3000 and set(bits) == {"0", "1"}
    for i in range(0, 2999, 3):
        assert int(bits[i + 2]) == int(bits[i]) ^ int(bits[i + 1])
    assert 0.4 < bits[::3].count("1") / 1000 < 0.6  # the first two of each triple are random
    assert xor_stream(10, seed=7) == bits[:10]


def test_letter_stream_follows_each_consonant_with_its_vowels():
    stream = letter_stream(500, seed=1)
    runs = re.findall(r"ba|dii|guuu", stream)
    assert "".join(runs) == stream and len(runs) == 500
    assert set(Counter(r[0] for r in runs)) == {"b", "d", "g"}


def test_unsegmented_text_marks_where_each_word_begins():
    text, starts = unsegmented_text(40, seed=2)
    assert " " not in text and text.isalpha() and starts[0] == 0
    words = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
    assert all(words) and {"boy", "girl", "sea"} <= set(words)
    assert len(set(words)) < 40  # a small lexicon, as in Elman's experiment


# --- Uploads -----------------------------------------------------------------------------------------------------

KB = 1024


@pytest.mark.parametrize(("data", "encoding"), [
    ("naïve café\r\nsecond\rthird".encode(), "utf-8"),
    (codecs.BOM_UTF8 + "naïve café\r\nsecond\rthird".encode(), "utf-8-sig"),
    ("naïve café\r\nsecond\rthird".encode("utf-16"), "utf-16"),
    (codecs.BOM_UTF16_BE + "naïve café\r\nsecond\rthird".encode("utf-16-be"), "utf-16"),
    ("naïve café\r\nsecond\rthird".encode("utf-32"), "utf-32"),
])
def test_unicode_uploads_decode_with_newlines_normalised(data, encoding):
    decoded = decode_text(data, max_bytes=KB)
    assert decoded.text == "naïve café\nsecond\nthird" and decoded.encoding == encoding and decoded.note == ""


def test_cp1252_is_a_guess_the_note_admits():
    text = "\u201cSmart quotes\u201d and caf\u00e9 \u2014 \u20ac5"
    decoded = decode_text(text.encode("cp1252"), max_bytes=KB)
    assert decoded.text == text and decoded.encoding == "cp1252"
    assert "guess" in decoded.note and "UTF-8" in decoded.note


def test_control_characters_are_removed_and_counted():
    decoded = decode_text(b"bell\x07 and\tescape\x1b[0m\x0c", max_bytes=KB)
    assert decoded.text == "bell and\tescape[0m" and "Removed 3 control characters" in decoded.note


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("story.txt", "once upon a time")
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b" \n\t ", "no visible text"),
    (b"plain\x00text", "NUL bytes"),
    (_zip(), "ZIP archive"),
    (pickle.dumps({"weights": [1.0, 2.0]}), "pickle"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "PNG image"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "PDF"),
    (codecs.BOM_UTF8 + b"\xff\xfe bad", "not valid UTF-8"),
    (b"caf\xe9 \x81\x8d\x8f", "not UTF-8"),  # \x81 has no cp1252 character
    (b"\xe9" + b"\x01\x02\x03" * 10, "not UTF-8"),  # cp1252 would give mostly control codes
])
def test_non_text_uploads_are_refused_with_the_reason(data, message):
    with pytest.raises(UploadError, match=message):
        decode_text(data, max_bytes=KB)


def test_oversize_upload_names_both_sizes():
    with pytest.raises(UploadError, match=r"2\.0 MB; the limit is 1\.0 MB"):
        decode_text(b"a" * (2 * KB * KB), max_bytes=KB * KB)
    with pytest.raises(UploadError, match=r"1,048,577 bytes; the limit is 1,048,576 bytes"):
        decode_text(b"a" * (KB * KB + 1), max_bytes=KB * KB)
    with pytest.raises(UploadError, match=r"3\.0 KB; the limit is 2\.0 KB"):
        decode_text(b"a" * 3 * KB, max_bytes=2 * KB)


BOMS = st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE,
                        codecs.BOM_UTF32_BE, b"PK\x03\x04", b"\x80\x04"])


@given(BOMS, st.binary(max_size=300))
def test_any_bytes_give_text_or_an_upload_error(prefix, data):
    try:
        decoded = decode_text(prefix + data, max_bytes=200)
    except UploadError:
        return
    assert decoded.text.strip() and "\r" not in decoded.text
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in decoded.text)


def test_vocab_built_from_grammar_text_encodes_every_word():
    corpus = CORPORA["elman-grammar"]()
    vocab = build_vocab(corpus, "word", max_size=None)
    assert len(vocab) == 30 and not (encode(corpus.valid, "word", vocab) == 0).any()
    assert isinstance(vocab, Vocab)
