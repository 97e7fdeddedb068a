"""Trained weights in one .safetensors file that can be shared and opened safely.

The file holds the tensors and, in safetensors' string metadata, everything needed to rebuild the model:
the ModelConfig as JSON (weights="" and w_hh_scale=1: the tensors are the weights as they are), the
vocabulary, a format tag and free metadata (metrics, training config, corpus). Loading parses data only:
never torch.load, never pickle, so a file from a stranger can at worst be refused. The sha256 of the bytes
names the weights (ModelConfig.weights of the loaded model).
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass, fields
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from .files import write_atomically
from .models import LanguageModel, build_model
from .models.config import ModelConfig
from .text import UNK, Vocab

FORMAT = "rnn-explorer"
VERSION = "1"
MAX_BYTES = 256 * 2**20
PICKLE_STARTS = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")  # PROTO opcode, protocols 2 to 5
PICKLE_MESSAGE = ("this looks like a pickled PyTorch file, which can run code when loaded; "
                  "only .safetensors checkpoints are accepted")


class CheckpointError(ValueError):
    """A file that is not a checkpoint this app can load; the message says why, in words for the user."""


@dataclass
class Checkpoint:
    model: LanguageModel  # in eval mode; model.config.weights is the digest
    meta: dict  # the free metadata saved with it (metrics, training config, corpus, ...)
    digest: str  # sha256 hex of the file's bytes


def to_bytes(model: LanguageModel, meta: dict | None = None) -> bytes:
    """The checkpoint file's bytes. meta must be JSON-serialisable."""
    vocab = model.vocab
    header = {
        "format": FORMAT,
        "version": VERSION,
        "config": json.dumps(model.config.replace(weights="", w_hh_scale=1.0).to_dict()),  # the tensors hold it all
        "vocab": json.dumps({"itos": list(vocab.itos), "lowercase": vocab.lowercase}),
        "meta": json.dumps(meta or {}),
    }
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    return _sorted_header(save_tensors(tensors, metadata=header))


def _sorted_header(data: bytes) -> bytes:
    """safetensors writes the metadata from a hash map, in a different order in every process; sorting the
    header's keys makes the bytes, and so the digest, depend on the model and its metadata alone."""
    (n,) = struct.unpack("<Q", data[:8])
    header = json.dumps(json.loads(data[8: 8 + n]), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    header = header.encode() + b" " * (-len(header.encode()) % 8)  # the tensor data stays 8-byte aligned
    return struct.pack("<Q", len(header)) + header + data[8 + n:]


def save(model: LanguageModel, path: str | Path, meta: dict | None = None) -> str:
    """Write the model's checkpoint to `path` atomically (see write); returns its digest."""
    return write(to_bytes(model, meta), path)


def write(data: bytes, path: str | Path) -> str:
    """Write a checkpoint's bytes atomically (core.files.write_atomically); returns the digest."""
    return write_atomically(data, path)


@dataclass(frozen=True)
class Summary:
    """What a list of models needs to know about a checkpoint, without its model built."""

    config: ModelConfig  # config.weights is the digest
    meta: dict
    digest: str


def load(source: bytes | str | Path, max_bytes: int = MAX_BYTES) -> Checkpoint:
    """Rebuild the model from a checkpoint's bytes or path: build_model(config, vocab), then the tensors with
    load_state_dict(strict=True). Raises CheckpointError with a readable reason for anything else."""
    config, vocab, meta, tensors, digest = _parse(source, max_bytes)
    model = build_model(config, vocab)
    _check_shapes(model, tensors)
    model.load_state_dict(tensors, strict=True)
    return Checkpoint(model.eval(), meta, digest)


def describe(source: bytes | str | Path, max_bytes: int = MAX_BYTES) -> Summary:
    """The config, metadata and digest, with every check of `load` but the tensors' shapes against a built model:
    listing the shipped models by loading them all cost a new server's first page 0.4 s."""
    config, _, meta, _, digest = _parse(source, max_bytes)
    return Summary(config, meta, digest)


def _parse(source: bytes | str | Path, max_bytes: int):
    """The file's parts, checked: (config with weights = digest, vocab, meta, tensors, digest)."""
    data = _read(source, max_bytes)
    header = _header(data)
    info = header.get("__metadata__")
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise CheckpointError("this .safetensors file has no RNN Explorer metadata (format tag missing): "
                              "it was not saved by this app")
    if info.get("version") != VERSION:
        raise CheckpointError(f"checkpoint format version {info.get('version')!r} is not supported "
                              f"(this app reads version {VERSION})")
    config, vocab, meta = _config(info), _vocab(info), _json(info, "meta", dict)
    for key in ("valid_perplexity", "valid_accuracy"):  # the app shows these as numbers
        if meta.get(key) is not None and (isinstance(meta[key], bool) or not isinstance(meta[key], int | float)):
            raise CheckpointError(f"the checkpoint's '{key}' metadata should be a number, not {meta[key]!r:.40}")
    try:
        tensors = load_tensors(data)
    except (SafetensorError, ValueError, RuntimeError) as e:
        raise CheckpointError(f"the checkpoint's tensors are corrupt: {e}") from None
    not_float = [k for k, v in tensors.items() if not v.dtype.is_floating_point]
    if not_float:
        name = not_float[0]
        raise CheckpointError(f"weights must be floating-point numbers; {name} holds {tensors[name].dtype}")
    bias = tensors.get("b_z")
    if bias is not None and bias.dim() == 1 and len(bias) != len(vocab):
        raise CheckpointError(f"the vocabulary has {len(vocab)} tokens but the weights are for {len(bias)}")
    _check_size_claims(config, vocab, tensors)
    digest = hashlib.sha256(data).hexdigest()
    return config.replace(weights=digest), vocab, meta, tensors, digest


def _read(source: bytes | str | Path, max_bytes: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        _check_size(len(data), max_bytes)
    else:
        path = Path(source)
        try:
            _check_size(path.stat().st_size, max_bytes)
            with path.open("rb") as f:
                data = f.read(max_bytes + 1)  # the file may have grown since stat
        except OSError as e:
            raise CheckpointError(f"cannot read {path}: {e.strerror or e}") from None
        _check_size(len(data), max_bytes)
    if not data:
        raise CheckpointError("the file is empty")
    if data[:4] == b"PK\x03\x04" or data[:2] in PICKLE_STARTS:  # torch.save's zip, or a bare pickle
        raise CheckpointError(PICKLE_MESSAGE)
    return data


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        shown = (_mb(size), _mb(max_bytes))
        if shown[0] == shown[1]:  # "256.0 MB, larger than the 256.0 MB": give the bytes
            shown = (f"{size:,} bytes", f"{max_bytes:,} bytes")
        raise CheckpointError(f"the file is {shown[0]}, larger than the {shown[1]} a checkpoint may have")


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size} bytes"


def _header(data: bytes) -> dict:
    """safetensors' layout: an 8-byte little-endian length n, n bytes of JSON, then the raw tensor data."""
    if len(data) < 8:
        raise CheckpointError(f"the file is truncated or not a .safetensors file ({len(data)} bytes)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise CheckpointError("the file is truncated or not a .safetensors file (its header runs past the end)")
    try:
        header = json.loads(data[8: 8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError("the file is corrupt or not a .safetensors file (unreadable header)") from None
    if not isinstance(header, dict):
        raise CheckpointError("the file is corrupt or not a .safetensors file (unreadable header)")
    return header


def _json(info: dict, key: str, kind: type):
    try:
        value = json.loads(info[key])
    except (KeyError, TypeError, json.JSONDecodeError):
        raise CheckpointError(f"the checkpoint's metadata lacks a valid '{key}' entry") from None
    if not isinstance(value, kind):
        raise CheckpointError(f"the checkpoint's '{key}' metadata should be a JSON {kind.__name__}")
    return value


def _config(info: dict) -> ModelConfig:
    """Each field must have its default's JSON type (ModelConfig checks ranges, not types); a field missing
    from an older file keeps its default."""
    raw = _json(info, "config", dict)
    for f in fields(ModelConfig):
        if f.name in raw and not _same_type(raw[f.name], f.default):
            raise CheckpointError(f"the checkpoint's model configuration is invalid: {f.name}={raw[f.name]!r} "
                                  f"should be a {type(f.default).__name__}")
    try:
        return ModelConfig.from_dict(raw).replace(weights="", w_hh_scale=1.0)  # the weights are the tensors as saved
    except ValueError as e:
        raise CheckpointError(f"the checkpoint's model configuration is invalid: {e}") from None


def _same_type(value, default) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def _vocab(info: dict) -> Vocab:
    raw = _json(info, "vocab", dict)
    itos, lowercase = raw.get("itos"), raw.get("lowercase")
    if not isinstance(itos, list) or not all(isinstance(t, str) for t in itos) or not isinstance(lowercase, bool):
        raise CheckpointError("the checkpoint's vocabulary must be a list of strings and a lowercase flag")
    vocab = Vocab(itos[1:], lowercase=lowercase)
    if not itos or itos[0] != UNK or vocab.itos != itos:
        raise CheckpointError(f"the checkpoint's vocabulary must start with {UNK} and list each token once"
                              + (" (lower-cased)" if lowercase else ""))
    return vocab


def _check_shapes(model: LanguageModel, tensors: dict[str, torch.Tensor]) -> None:
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in tensors.items()}
    problems = [f"missing {k}" for k in expected if k not in found]
    problems += [f"unexpected {k}" for k in found if k not in expected]
    problems += [f"{k} is {found[k]}, expected {expected[k]}" for k in expected
                 if k in found and found[k] != expected[k]]
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise CheckpointError(f"the weights do not fit the model the configuration describes: "
                              f"{'; '.join(problems[:3])}{more}")


def _check_size_claims(config: ModelConfig, vocab: Vocab, tensors: dict[str, torch.Tensor]) -> None:
    """Refuse, before building anything, a configuration whose model could not fit in the file's tensors: every
    model has these matrices (or larger ones), so an honest file holds at least this many numbers. This bounds
    what a hand-edited configuration can make us allocate by a small multiple of the file's size."""
    numbers = sum(t.numel() for t in tensors.values())
    V, H, E = len(vocab), config.hidden_size, config.embed_dim
    I = V if config.one_hot else E
    claims = {"the readout W_zh": V * H, "the embedding": 0 if config.one_hot else V * E}
    if not config.is_recurrent:
        claims["the window layer"] = H * config.window * I
    else:
        claims["the W_hh matrices"] = config.num_layers * config.num_directions * H * H
        claims["the first W_hx"] = H * I
    for what, size in claims.items():
        if size > numbers:
            raise CheckpointError(f"the configuration needs {size:,} numbers for {what} alone, "
                                  f"but the file holds only {numbers:,}")
