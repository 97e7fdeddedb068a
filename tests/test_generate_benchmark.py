"""The generation benchmark keeps running as the code changes (tiny sizes; timings are not asserted)."""

import subprocess
import sys

from tests.app.conftest import ROOT


def test_generation_benchmark_runs_and_compares_with_re_unrolling():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--quick"], capture_output=True,
                         text=True, timeout=300, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("untrained-char:"))
    assert "20 characters in" in line and "the 1 s goal" in line and float(line.split("ratio ")[1].rstrip("x")) > 0
