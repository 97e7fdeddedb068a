"""Checkpoints: an exact round trip, and a clear refusal (never code execution) for anything else."""

import hashlib
import json
import os
import pickle
import struct
from pathlib import Path

import pytest
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from core import ModelConfig, build_model, unroll
from core import checkpoint as ckpt
from core.checkpoint import CheckpointError
from core.text import Vocab, get_tokenizer

SENTENCE = "the cat sat on the mat, and the dog ran."


def trained_like(config: ModelConfig):
    """A model whose weights differ from the seeded ones, so a loader that ignored the tensors would fail."""
    tok = get_tokenizer(config.tokenizer)
    vocab = Vocab.from_texts([SENTENCE], tok, lowercase=config.tokenizer == "word")
    model = build_model(config, vocab)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.1)
    return model


def rewrite(data: bytes, tensors=None, **metadata) -> bytes:
    """The same checkpoint with some tensors or metadata entries replaced (a hand-edited file)."""
    header = ckpt._header(data)["__metadata__"]
    return save_tensors(tensors if tensors is not None else load_tensors(data), metadata={**header, **metadata})


@pytest.mark.parametrize("config", [
    ModelConfig(hidden_size=6),
    ModelConfig(arch="lstm", tokenizer="char", hidden_size=5, bidirectional=True, combine="max"),
    ModelConfig(arch="gru", hidden_size=4, num_layers=2),
    ModelConfig(arch="window", tokenizer="char", hidden_size=7, window=3),
    ModelConfig(activation="relu", tokenizer="char", one_hot=True, hidden_size=3, seed=9),
], ids=["elman-word", "lstm-char", "gru-word", "window-char", "elman-onehot-char"])
def test_round_trip_is_exact(config, monkeypatch):
    model = trained_like(config)
    meta = {"metrics": {"valid_perplexity": 12.5}, "corpus": "test"}
    data = ckpt.to_bytes(model, meta)
    monkeypatch.setattr(torch, "load", lambda *a, **k: pytest.fail("torch.load must never be called"))
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("pickle must never be called"))
    loaded = ckpt.load(data)
    assert loaded.digest == hashlib.sha256(data).hexdigest() and loaded.meta == meta
    assert loaded.model.config == config.replace(weights=loaded.digest) and not loaded.model.training
    assert loaded.model.vocab.itos == model.vocab.itos and loaded.model.vocab.lowercase == model.vocab.lowercase
    theirs = loaded.model.state_dict()
    for name, tensor in model.state_dict().items():
        assert torch.equal(theirs[name], tensor) and theirs[name].dtype == tensor.dtype, name
    a, b = unroll(model, SENTENCE), unroll(loaded.model, SENTENCE)
    assert torch.equal(a.z, b.z) and a.tokens == b.tokens


def test_saved_config_says_seeded_weights_and_a_resave_is_identical(tmp_path):
    model = trained_like(ModelConfig(hidden_size=4))
    digest = ckpt.save(model, tmp_path / "m.safetensors", {"note": "x"})
    loaded = ckpt.load(tmp_path / "m.safetensors")
    assert loaded.digest == digest and loaded.model.config.weights == digest
    assert json.loads(ckpt._header(ckpt.to_bytes(loaded.model))["__metadata__"]["config"])["weights"] == ""
    assert ckpt.to_bytes(loaded.model, {"note": "x"}) == (tmp_path / "m.safetensors").read_bytes()
    assert ckpt.load(str(tmp_path / "m.safetensors")).digest == digest


class Payload:
    """Unpickling this creates a file: the proof that a pickle can run code."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return Path.touch, (self.marker,)


def test_pickled_files_are_refused_without_running_them(tmp_path):
    proof = tmp_path / "proof"
    pickle.loads(pickle.dumps(Payload(proof)))
    assert proof.exists()  # the payload really runs when unpickled ...
    marker = tmp_path / "marker"
    zipped = tmp_path / "evil.pt"
    torch.save({"W_zh": Payload(marker)}, zipped)
    for source in (zipped, zipped.read_bytes(), pickle.dumps(Payload(marker)), pickle.dumps(Payload(marker), 2)):
        with pytest.raises(CheckpointError, match="pickled PyTorch file, which can run code"):
            ckpt.load(source)
    assert not marker.exists()  # ... but never here


def test_truncated_and_corrupt_files_are_refused():
    data = ckpt.to_bytes(trained_like(ModelConfig(hidden_size=4)))
    for cut in (data[:5], data[:40], data[: len(data) // 2]):
        with pytest.raises(CheckpointError, match="truncated|corrupt"):
            ckpt.load(cut)
    for corrupt in (struct.pack("<Q", 4) + b"{{{{", struct.pack("<Q", 2) + b"[]", data[:-3], data[:-4] + b"\0" * 8):
        with pytest.raises(CheckpointError, match="corrupt"):
            ckpt.load(corrupt)
    with pytest.raises(CheckpointError, match="empty"):
        ckpt.load(b"")


def test_oversize_is_refused_with_both_sizes(tmp_path):
    data = ckpt.to_bytes(trained_like(ModelConfig(hidden_size=4)))
    (tmp_path / "m.safetensors").write_bytes(data)
    for source in (data, tmp_path / "m.safetensors"):
        with pytest.raises(CheckpointError, match=f"{len(data)} bytes.*1000 bytes"):
            ckpt.load(source, max_bytes=1000)


def test_shapes_that_do_not_fit_the_config_are_refused():
    data = ckpt.to_bytes(trained_like(ModelConfig(hidden_size=4)))
    bigger = json.dumps(ModelConfig(hidden_size=5).to_dict())
    with pytest.raises(CheckpointError, match=r"core.cells.0.W_hx is \(4, 16\), expected \(5, 16\)"):
        ckpt.load(rewrite(data, config=bigger))
    tensors = load_tensors(data)
    del tensors["core.cells.0.b_h"]
    tensors["extra"] = torch.zeros(2)
    with pytest.raises(CheckpointError, match="missing core.cells.0.b_h; unexpected extra"):
        ckpt.load(rewrite(data, tensors))
    for huge in (ModelConfig(hidden_size=4, num_layers=10**9), ModelConfig(hidden_size=10**6),
                 ModelConfig(embed_dim=10**7), ModelConfig(arch="window", window=10**8)):
        with pytest.raises(CheckpointError, match="numbers for .* alone, but the file holds only 315"):
            ckpt.load(rewrite(data, config=json.dumps(huge.to_dict())))
    tensors = load_tensors(data)
    tensors["b_z"] = tensors["b_z"].long()
    with pytest.raises(CheckpointError, match="floating-point.*b_z"):
        ckpt.load(rewrite(data, tensors))


def test_bad_metadata_is_refused():
    data = ckpt.to_bytes(trained_like(ModelConfig(hidden_size=4)))
    vocab = json.loads(ckpt._header(data)["__metadata__"]["vocab"])
    cases = {
        "no RNN Explorer metadata": save_tensors(load_tensors(data)),
        "version": rewrite(data, version="99"),
        "lacks a valid 'config'": rewrite(data, config="{not json"),
        "hidden_size must be at least 1": rewrite(data, config=json.dumps({"hidden_size": 0})),
        "hidden_size='4' should be a int": rewrite(data, config=json.dumps({"hidden_size": "4"})),
        "arch='transformer' is not one of": rewrite(data, config=json.dumps({"arch": "transformer"})),
        "list of strings": rewrite(data, vocab=json.dumps({"itos": [1, 2], "lowercase": True})),
        "each token once": rewrite(data, vocab=json.dumps({**vocab, "itos": vocab["itos"] + ["the"]})),
        "vocabulary has": rewrite(data, vocab=json.dumps({**vocab, "itos": vocab["itos"] + ["zebra"]})),
        "'meta' metadata should be a JSON dict": rewrite(data, meta="[1]"),
    }
    for message, bad in cases.items():
        with pytest.raises(CheckpointError, match=message):
            ckpt.load(bad)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    first = trained_like(ModelConfig(hidden_size=4))
    ckpt.save(first, path)
    assert os.listdir(tmp_path) == ["model.safetensors"]
    before = path.read_bytes()

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        ckpt.save(trained_like(ModelConfig(hidden_size=5)), path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["model.safetensors"]
