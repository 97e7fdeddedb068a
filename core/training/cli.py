"""Train a language model from the command line and save it as a checkpoint the app can open.

    python -m core.training.cli \
        --corpus shakespeare --arch lstm --hidden 128 --steps 2000 --clip 1 --out lstm.safetensors
    python -m core.training.cli \
        --text my_book.txt --tokenizer char --truncate 32 --max-seconds 300 --out mine.safetensors

Prints a progress line every --log-every steps and the final validation perplexity; the checkpoint's
metadata holds the metrics, the training settings and the corpus name.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import time
from pathlib import Path

import torch

from .. import checkpoint
from ..models import build_model
from ..models.config import ACTIVATIONS, ARCHS, COMBINES, INITS, TOKENIZERS, ModelConfig
from . import OPTIMIZERS, Progress, StreamData, TrainConfig, evaluate, train


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m core.training.cli", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    m, d, t = (p.add_argument_group(title) for title in ("model", "data", "training"))
    default_model, default_train = ModelConfig(), TrainConfig()
    m.add_argument("--arch", choices=ARCHS, default=default_model.arch)
    m.add_argument("--tokenizer", choices=TOKENIZERS, default=default_model.tokenizer)
    m.add_argument("--hidden", type=int, default=default_model.hidden_size, help="H")
    m.add_argument("--layers", type=int, default=default_model.num_layers, help="L")
    m.add_argument("--embed", type=int, default=default_model.embed_dim, help="size of e_w")
    m.add_argument("--one-hot", action="store_true", help="one-hot inputs instead of learned embeddings")
    m.add_argument("--bidirectional", action="store_true",
                   help="adds a right-to-left network, which reads the word it is asked to predict: its perplexity "
                        "is no language model's")
    m.add_argument("--combine", choices=COMBINES, default=default_model.combine)
    m.add_argument("--activation", choices=ACTIVATIONS, default=default_model.activation)
    m.add_argument("--init", choices=INITS, default=default_model.init, help="W_hh before rescaling")
    m.add_argument("--spectral-radius", type=float, default=default_model.spectral_radius,
                   help="rho(W_hh) at initialisation, Elman only: the LSTM's and GRU's W_hh stack their gates and "
                        "have no spectral radius")
    m.add_argument("--window", type=int, default=default_model.window, help="n of the fixed-window model")
    m.add_argument("--seed", type=int, default=0, help="the initial weights and the batch order")
    source = d.add_mutually_exclusive_group(required=True)
    source.add_argument("--corpus", help="a shipped corpus: shakespeare or elman-grammar")
    source.add_argument("--text", type=Path, help="a UTF-8 text file; its last --valid-fraction is held out")
    d.add_argument("--valid-fraction", type=float, default=0.1)
    d.add_argument("--vocab-size", type=int, default=4000, help="most frequent words kept (word tokenizer)")
    d.add_argument("--min-count", type=int, default=None, help="rarer tokens read as <unk> (default: 1 word, 2 char)")
    t.add_argument("--steps", type=int, default=default_train.steps)
    t.add_argument("--batch-size", type=int, default=default_train.batch_size)
    t.add_argument("--seq-len", type=int, default=default_train.seq_len)
    t.add_argument("--truncate", type=int, default=None, help="tBPTT chunk length K (default: full BPTT)")
    t.add_argument("--optimizer", choices=OPTIMIZERS, default=default_train.optimizer)
    t.add_argument("--lr", type=float, default=default_train.lr)
    t.add_argument("--momentum", type=float, default=default_train.momentum)
    t.add_argument("--clip", type=float, default=None, help="gradient-norm threshold (default: off)")
    t.add_argument("--weight-decay", type=float, default=default_train.weight_decay)
    t.add_argument("--dropout", type=float, default=default_train.dropout,
                   help="share of the inputs and outputs of the core dropped in training (never the recurrence)")
    t.add_argument("--eval-every", type=int, default=default_train.eval_every)
    t.add_argument("--patience", type=int, default=None, help="early stopping after this many worse validations")
    t.add_argument("--max-seconds", type=float, default=None)
    t.add_argument("--explicit", action="store_true", help="train on the explicit loop instead of torch's kernels")
    t.add_argument("--log-every", type=int, default=50, help="a progress line every this many steps")
    p.add_argument("--out", type=Path, help="where to write the .safetensors checkpoint")
    return p


def load_corpus(args: argparse.Namespace):
    from ..data import CORPORA, from_text  # imported here: the corpora are only needed when training

    if args.text is not None:
        return from_text(args.text.read_text(encoding="utf-8"), args.text.name, args.valid_fraction)
    if args.corpus not in CORPORA:
        raise ValueError(f"unknown corpus {args.corpus!r}: choose from {', '.join(CORPORA)}")
    return CORPORA[args.corpus]()


def caveats(config: ModelConfig) -> list[str]:
    """What the numbers printed for this model do not mean, said before they are printed."""
    out = []
    if config.bidirectional:
        out.append("note: a bidirectional network's right-to-left half has read the word it predicts, so this "
                   "perplexity is not a language model's (it can be far below any one-way model's).")
    if config.arch in ("lstm", "gru") and config.spectral_radius != ModelConfig().spectral_radius:
        out.append(f"note: --spectral-radius applies to the Elman network only; the {config.arch.upper()} ignored it.")
    return out


def main(argv: list[str] | None = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    try:
        model_config = ModelConfig(arch=args.arch, tokenizer=args.tokenizer, embed_dim=args.embed,
                                   one_hot=args.one_hot, hidden_size=args.hidden, num_layers=args.layers,
                                   bidirectional=args.bidirectional, combine=args.combine,
                                   activation=args.activation, init=args.init, spectral_radius=args.spectral_radius,
                                   window=args.window, seed=args.seed)
        config = TrainConfig(steps=args.steps, batch_size=args.batch_size, seq_len=args.seq_len,
                             truncate=args.truncate, optimizer=args.optimizer, lr=args.lr, momentum=args.momentum,
                             clip=args.clip, weight_decay=args.weight_decay, dropout=args.dropout,
                             eval_every=args.eval_every, patience=args.patience, seed=args.seed,
                             max_seconds=args.max_seconds, fused=not args.explicit)
        corpus = load_corpus(args)
    except (ValueError, OSError) as e:
        p.error(str(e))
    from ..data import build_vocab, encode

    tok = model_config.tokenizer
    min_count = args.min_count if args.min_count is not None else (1 if tok == "word" else 2)
    vocab = build_vocab(corpus, tok, max_size=args.vocab_size if tok == "word" else None, min_count=min_count)
    data = StreamData(encode(corpus.train, tok, vocab), encode(corpus.valid, tok, vocab))
    model = build_model(model_config, vocab)
    print(f"{corpus.name}: {len(data.train):,} training and {len(data.valid):,} validation tokens, "
          f"vocabulary {len(vocab):,}; {sum(q.numel() for q in model.parameters()):,} parameters, "
          f"{torch.get_num_threads()} threads", flush=True)

    def report(progress: Progress) -> None:
        if progress.step % args.log_every == 0 or progress.step == config.steps:
            valid = "" if progress.valid_perplexity is None else f", valid perplexity {progress.valid_perplexity:.2f}"
            print(f"step {progress.step}/{progress.steps}: train loss {progress.train_loss:.4f}{valid}, "
                  f"|g| {progress.grad_norm:.3g}{' (clipped)' if progress.clipped else ''}, "
                  f"{progress.tokens_per_second:,.0f} tokens/s, {progress.elapsed:.1f} s", flush=True)

    started = time.perf_counter()
    result = train(model, data, config, on_progress=report)
    valid = evaluate(model, data, batch_size=config.batch_size, seq_len=config.seq_len)
    metrics = {"valid_loss": valid.loss, "valid_perplexity": valid.perplexity}
    if corpus.test:
        test = evaluate(model, encode(corpus.test, tok, vocab), batch_size=config.batch_size, seq_len=config.seq_len)
        metrics.update(test_loss=test.loss, test_perplexity=test.perplexity)
    for line in caveats(model_config):
        print(line)
    print(f"stopped ({result.reason}) after {int(result.history.step.max())} steps, best at step {result.best_step}; "
          f"validation perplexity {valid.perplexity:.2f}"
          + (f", test perplexity {metrics['test_perplexity']:.2f}" if "test_perplexity" in metrics else ""))
    if args.out is not None:
        meta = {"corpus": corpus.name, **{k: v for k, v in metrics.items() if math.isfinite(v)},
                "train_config": config.to_dict(), "steps": int(result.history.step.max()),
                "best_step": result.best_step, "stopped": result.reason,
                "seconds": round(time.perf_counter() - started, 1),
                "tokens_per_second": round(result.tokens_per_second),
                "command": shlex.join(["python", "-m", "core.training.cli", *(sys.argv[1:] if argv is None else argv)])}
        digest = checkpoint.save(model, args.out, meta)
        print(f"wrote {args.out} (sha256 {digest[:12]}...)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
