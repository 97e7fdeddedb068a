"""Start the app warm: `streamlit run app.py`, plus one run of the app as soon as the server answers.

Streamlit runs an app's code only when a browser connects, so the first visitor waits while torch imports and
the default page's model loads (about half of a cold start here), and a link to any page but the first, opened
before that, shows a spurious "Page not found" (Streamlit learns st.navigation's pages on its first run).
Streamlit's own script health check runs the app once in a throwaway session; asking for it while the browser
is still loading the page overlaps the two, and leaves the shared caches warm.

    python -m explorer.serve [streamlit run options]     # what `make run` does
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"
FIRST_PORT = 8501  # Streamlit's own default
WARM_TIMEOUT = 120  # seconds to wait for the server before giving up on warming it (it still runs)


def option(args: list[str], name: str) -> str | None:
    """The value of `--name value` or `--name=value` in a streamlit command line."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def free_port(address: str, start: int = FIRST_PORT) -> int:
    """The first port from `start` nobody listens on: as Streamlit picks one, but chosen here, so the warm-up
    knows where the server is."""
    for port in range(start, start + 100):
        with socket.socket() as s:
            if s.connect_ex((address, port)) != 0:
                return port
    raise OSError(f"no free port in {start}..{start + 99}")


def warm(base: str, proc: subprocess.Popen) -> bool:
    """Wait for the server, then have it run the app once; False if the server never answered."""
    deadline = time.monotonic() + WARM_TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    break
        time.sleep(0.1)
    else:
        return False
    with contextlib.suppress(OSError):  # a 503 (the script failed) is the browser's to show, with its message
        urllib.request.urlopen(f"{base}/_stcore/script-health-check", timeout=WARM_TIMEOUT).close()
    return True


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    address = option(args, "--server.address") or ""
    host = address if address not in ("", "localhost", "0.0.0.0") else "127.0.0.1"
    port = option(args, "--server.port")
    if port is None:
        port = str(free_port(host))
        args += ["--server.port", port]
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.scriptHealthCheckEnabled", "true", *args]
    proc = subprocess.Popen(cmd)
    try:
        warm(f"http://{host}:{port}", proc)
        return proc.wait()
    except KeyboardInterrupt:  # Ctrl+C reaches the server too; let it finish
        return proc.wait()


if __name__ == "__main__":
    sys.exit(main())
