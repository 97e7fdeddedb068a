"""The model catalogue: what a checkpoint's own metadata may put on screen."""

from core import ModelConfig
from explorer.catalogue import Entry


def test_a_checkpoints_corpus_name_is_shown_as_written_never_as_markdown():
    meta = {"corpus": "[click](http://x) ![img](http://y) **bold** <b>", "valid_perplexity": 12.345}
    summary = Entry("k", "label", ModelConfig(hidden_size=8), meta).summary
    assert summary == (r"Elman, H = 8; trained on \[click\]\(http://x\) \!\[img\]\(http://y\) \*\*bold\*\* \<b\>; "
                       "validation perplexity 12.3")
