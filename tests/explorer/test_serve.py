"""The warm launcher reads the streamlit options it is given and picks the port it will warm."""

from __future__ import annotations

import socket

from explorer import serve


def test_options_are_read_in_both_spellings():
    args = ["--server.address", "127.0.0.1", "--server.port=8600", "--server.headless", "true"]
    assert serve.option(args, "--server.address") == "127.0.0.1"
    assert serve.option(args, "--server.port") == "8600"
    assert serve.option(args, "--server.baseUrlPath") is None


def test_a_port_someone_listens_on_is_skipped():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve.free_port("127.0.0.1", start=port) != port
