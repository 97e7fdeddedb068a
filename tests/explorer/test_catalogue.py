"""The model catalogue: what a checkpoint's own metadata may put on screen."""

import pytest

from core import ModelConfig
from explorer.catalogue import Entry


def test_a_checkpoints_corpus_name_is_shown_as_written_never_as_markdown():
    meta = {"corpus": "[click](http://x) ![img](http://y) **bold** <b>", "valid_perplexity": 12.345}
    summary = Entry("k", "label", ModelConfig(hidden_size=8), meta).summary
    assert summary == (r"Elman, H = 8; trained on \[click\]\(http://x\) \!\[img\]\(http://y\) \*\*bold\*\* \<b\>; "
                       "validation perplexity 12.3")


def test_the_shipped_models_are_listed_from_their_files_as_loading_them_describes_them(tmp_path):
    """scan reads each checkpoint without building its model; the entry is the one a full load gives, and the
    model a page then asks for is built from the same bytes."""
    import shutil

    from core import checkpoint
    from explorer import catalogue

    for name in ("elman-word", "gru-char"):
        shutil.copy(catalogue.PRETRAINED_DIR / f"{name}.safetensors", tmp_path)
    (tmp_path / "broken.safetensors").write_bytes(b"not a checkpoint")
    with pytest.raises(checkpoint.CheckpointError, match="truncated or not a .safetensors"):
        catalogue.scan(tmp_path)  # a broken file is still refused, with its reason
    (tmp_path / "broken.safetensors").unlink()
    entries = catalogue.scan(tmp_path)
    for name, e in entries.items():
        full = checkpoint.load(tmp_path / f"{name}.safetensors")
        assert e == catalogue.entry(full, name)
        assert catalogue.load(e.config.weights).config == full.model.config
