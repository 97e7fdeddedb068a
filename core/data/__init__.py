"""Data to train on: Shakespeare and uploads as text, and generated tasks whose answers are known exactly."""

from .corpus import CORPORA, Corpus, build_vocab, elman_sentences, encode, from_text, shakespeare, spoken_lines
from .synthetic import (
    GrammarCorpus,
    SequenceTask,
    adding_task,
    copy_task,
    cue_task,
    elman_grammar,
    letter_stream,
    unsegmented_text,
    xor_stream,
)
from .uploads import DecodedText, UploadError, decode_text

__all__ = [
    "Corpus", "CORPORA", "shakespeare", "from_text", "elman_sentences", "build_vocab", "encode", "spoken_lines",
    "SequenceTask", "GrammarCorpus", "cue_task", "copy_task", "adding_task", "elman_grammar", "xor_stream",
    "letter_stream", "unsegmented_text", "DecodedText", "UploadError", "decode_text",
]
