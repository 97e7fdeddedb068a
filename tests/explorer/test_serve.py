"""The warm launcher (explorer.serve); the browser test tests/e2e/test_start.py starts it for real."""

from __future__ import annotations

from explorer import serve


def test_there_is_nothing_to_warm_before_the_server_runs():
    assert serve.base_url() is None
