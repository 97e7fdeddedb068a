"""The shipped models are what the README says: small, loadable, trained on Shakespeare, scored honestly
(their recorded validation perplexity is recomputed here), and the Elman word model reads like English."""

from __future__ import annotations

import pandas as pd
import pytest

from core import checkpoint, lecture, pretrained, unroll
from core.training import TrainConfig, evaluate

MODELS = pretrained.ROOT / "models"
SHIPPED = [r for r in pretrained.recipes() if r.shipped]


def test_every_shipped_recipe_has_a_checkpoint_under_30_mb_in_all():
    files = {p.stem: p for p in MODELS.glob("*.safetensors")}
    assert set(files) == {r.name for r in SHIPPED}
    assert sum(p.stat().st_size for p in files.values()) < 30 * 2**20


@pytest.mark.parametrize("recipe", SHIPPED, ids=lambda r: r.name)
def test_each_checkpoint_holds_its_recipe_and_the_scores_of_results_csv(recipe):
    ckpt = checkpoint.load(MODELS / f"{recipe.name}.safetensors")
    assert ckpt.model.config.replace(weights="") == recipe.model
    assert ckpt.meta["corpus"] == pretrained.CORPUS_LABEL
    assert TrainConfig.from_dict(ckpt.meta["train_config"]) == recipe.train
    assert ckpt.meta["best_step"] <= ckpt.meta["steps"] <= recipe.train.steps
    assert ckpt.meta.get("forget_bias") == recipe.forget_bias
    row = pd.read_csv(pretrained.RESULTS_CSV).set_index("name").loc[recipe.name]
    assert row["valid_perplexity"] == pytest.approx(ckpt.meta["valid_perplexity"])
    assert row["parameters"] == sum(p.numel() for p in ckpt.model.parameters())


def test_the_recorded_perplexity_is_what_the_model_scores_on_the_validation_split():
    recipe = next(r for r in SHIPPED if r.name == "elman-word")
    ckpt = checkpoint.load(MODELS / "elman-word.safetensors")
    vocab, _, valid, _ = pretrained.corpus_ids("word")
    assert vocab.itos == ckpt.model.vocab.itos
    scored = evaluate(ckpt.model, valid, batch_size=recipe.train.batch_size, seq_len=recipe.train.seq_len)
    assert scored.perplexity == pytest.approx(ckpt.meta["valid_perplexity"], rel=1e-4)


def test_the_elman_word_model_continues_the_cat_sat_on_the_with_words():
    model = checkpoint.load(MODELS / "elman-word.safetensors").model

    def top(text: str, k: int = 6) -> list[str]:
        p, i = unroll(model, text).top_k(k)
        assert float(p[-1, 0]) > 10 / len(model.vocab), "far from a uniform guess"
        return [model.vocab.itos[j] for j in i[-1].tolist()]

    after_the = [w for w in top(lecture.CAT_SAT) if w != "<unk>"]  # rare words all share <unk>: often first
    assert all(w.isalpha() for w in after_the) and "the" not in after_the, after_the
    assert {"ground", "earth", "world", "floor", "field", "sea", "court", "table"} & set(after_the), after_the
    assert top("to be or not to")[0] == "be"
