"""Which trained networks the app can show: the pretrained ones shipped in models/, and each session's own.

A trained model is named by the SHA-256 digest of its checkpoint file (ModelConfig.weights), so a cache
key can never point at different weights. The table from digest to file is process-wide, like Streamlit's
resource cache; which models a session *lists* is kept in that session alone.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from core import ModelConfig, checkpoint
from core.models.config import SHORT_ARCH_NAMES

PRETRAINED_DIR = Path(__file__).resolve().parents[1] / "models"
UNTRAINED = "untrained"
DEFAULT = "elman-word"  # what a newcomer sees first: a trained Elman network that reads words
TOKEN_NAMES = {"word": "words", "char": "characters"}

MARKDOWN = re.compile(r"[\\`*_{}\[\]()#+\-.!|<>~]")  # characters Markdown would read as formatting
_SOURCES: dict[str, Path | bytes] = {}  # digest -> checkpoint file or its bytes
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Entry:
    """One trained model the sidebar can offer."""

    key: str  # its value in the URL (?model=elman-word)
    label: str
    config: ModelConfig  # weights = the checkpoint's digest
    meta: dict = field(default_factory=dict, compare=False, hash=False)  # metrics and training settings

    @property
    def summary(self) -> str:
        """One line for the sidebar: what was trained on what, and how well it does."""
        c = self.config
        parts = [f"{SHORT_ARCH_NAMES[c.arch]}, H = {c.hidden_size}"]
        if corpus := self.meta.get("corpus"):  # from the file: shown as written, never as Markdown
            parts.append(f"trained on {plain(str(corpus)[:80])}")
        if (ppl := self.meta.get("valid_perplexity")) is not None:
            parts.append(f"validation perplexity {float(ppl):.1f}")
        if (acc := self.meta.get("valid_accuracy")) is not None:
            parts.append(f"validation accuracy {float(acc):.0%}")
        return "; ".join(parts)


def plain(text: str) -> str:
    """Text from a file, escaped so that Markdown shows it as written (no links, images or formatting)."""
    return MARKDOWN.sub(r"\\\g<0>", text)


def register(data: Path | bytes) -> checkpoint.Checkpoint:
    """Check a checkpoint (it must load) and remember where its bytes are, under its digest."""
    ckpt = checkpoint.load(data)
    remember(ckpt.digest, data)
    return ckpt


def remember(digest: str, data: Path | bytes) -> None:
    with _LOCK:
        _SOURCES.setdefault(digest, data)


def entry(ckpt: checkpoint.Checkpoint | checkpoint.Summary, key: str, label: str | None = None) -> Entry:
    config = (ckpt.config if isinstance(ckpt, checkpoint.Summary) else ckpt.model.config).replace(weights=ckpt.digest)
    label = label or f"{SHORT_ARCH_NAMES[config.arch]} · {TOKEN_NAMES[config.tokenizer]}"
    return Entry(key, label, config, dict(ckpt.meta))


def scan(folder: Path = PRETRAINED_DIR) -> dict[str, Entry]:
    """Every checkpoint in the folder, keyed by file name: models/elman-word.safetensors -> "elman-word". Read,
    not built: a model is built when a page first asks for it (load)."""
    out = {}
    for path in sorted(folder.glob("*.safetensors")):
        summary = checkpoint.describe(path)
        remember(summary.digest, path)
        out[path.stem] = entry(summary, path.stem)
    return out


def load(digest: str):
    """The model whose checkpoint has this digest, freshly built (callers cache and freeze it)."""
    with _LOCK:
        source = _SOURCES.get(digest)
    if source is None:
        raise LookupError("This trained model is not on the server any more (it may have been trained in a session "
                          "that has ended). Pick another model in the sidebar.")
    return checkpoint.load(source).model


def sibling(entries: dict[str, Entry], config: ModelConfig, arch: str) -> ModelConfig:
    """The same kind of model with another architecture: the matching pretrained one for a trained model
    (same tokenizer), else the untrained network with the sidebar's settings."""
    if config.weights:
        for e in entries.values():
            if e.config.arch == arch and e.config.tokenizer == config.tokenizer:
                return e.config
    return config.replace(arch=arch, weights="", w_hh_scale=1.0)
