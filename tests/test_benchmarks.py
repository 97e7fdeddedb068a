"""The benchmark scripts keep running as the code changes (tiny sizes; timings are not asserted)."""

import subprocess
import sys

from tests.app.conftest import ROOT


def test_gradient_benchmark_runs_and_agrees_with_autograd():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gradients.py"), "--quick"], capture_output=True,
                         text=True, timeout=300, check=True).stdout
    assert "ratio" in out and "max |log-norm difference|" in out
    float64, float32 = (float(part.split()[0]) for part in out.split("max |log-norm difference| ")[1:3])
    assert float64 < 1e-9 and float32 < 1e-4


def test_training_benchmark_runs_and_compares_with_plain_torch():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "training.py"), "--quick"], capture_output=True,
                         text=True, timeout=300, check=True).stdout
    for arch, rnn in (("elman", "nn.RNN"), ("lstm", "nn.LSTM")):
        line = next(line for line in out.splitlines() if line.startswith(f"{arch}:"))
        assert f"plain {rnn} loop" in line and float(line.split("ratio ")[1].split(";")[0]) > 0


def test_context_use_benchmark_runs_on_the_shipped_word_models():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "context_use.py"), "--quick"], capture_output=True,
                         text=True, timeout=300, check=True).stdout
    for name in ("elman-word", "lstm-word", "gru-word"):
        line = next(line for line in out.splitlines() if line.startswith(f"{name}:"))
        assert "effective context" in line and "over 32 targets" in line
