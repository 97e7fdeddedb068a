"""Start the app warm: `streamlit run app.py` in this process, plus one run of the app as soon as it is up.

Streamlit runs an app's code only when a browser connects, so the first visitor waited while torch imported
and the default page's model loaded (about half of a cold start here). Streamlit's own script health check
runs the app once in a throwaway session; asking for it while the browser is still loading the page overlaps
the two and leaves the shared caches warm.

It also makes a link to any page work as a new server's first visit. Because a `pages/` folder sits beside
app.py, Streamlit takes the app for an old-style multipage app until its first st.navigation call, and
answers a link to /gradients with "Page not found". This app always navigates with st.navigation, so that is
said before the server starts.

    python -m explorer.serve [streamlit run options]     # what `make run` does
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
import urllib.request
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"
WARM_TIMEOUT = 120  # seconds to wait for the server before giving up on warming it (it still serves)


def base_url() -> str | None:
    """Where this process's server answers, once it has bound its port (Streamlit records the port it got)."""
    from streamlit import config
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return None
    address = config.get_option("server.address") or ""
    host = "127.0.0.1" if address in ("", "localhost", "0.0.0.0", "::") else address
    path = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{config.get_option('server.port')}" + (f"/{path}" if path else "")


def warm() -> bool:
    """Wait for the server, then have it run the app once; False (and one line said) when it could not."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an http_proxy
    deadline = time.monotonic() + WARM_TIMEOUT
    while time.monotonic() < deadline:
        base = base_url()
        with contextlib.suppress(OSError):
            if base and direct.open(f"{base}/_stcore/health", timeout=2).read().strip() == b"ok":
                break
        time.sleep(0.1)
    else:
        print("explorer.serve: the server did not answer; the first visitor will start the app", file=sys.stderr)
        return False
    # A 503 means the script raised or took longer than Streamlit's check waits; either way the browser's
    # own run shows what happened.
    with contextlib.suppress(OSError):
        direct.open(f"{base}/_stcore/script-health-check", timeout=WARM_TIMEOUT).close()
    return True


def main(argv: list[str] | None = None) -> int:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False  # app.py navigates with st.navigation (see the docstring)
    threading.Thread(target=warm, name="warm-up", daemon=True).start()
    args = list(sys.argv[1:] if argv is None else argv)
    sys.argv = ["streamlit", "run", str(APP), "--server.scriptHealthCheckEnabled", "true", *args]
    return cli.main(prog_name="streamlit")  # Streamlit's own command line, signal handling and port search


if __name__ == "__main__":
    sys.exit(main())
