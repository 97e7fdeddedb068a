"""Views that answer in the browser: st.components.v2 components written in this repository (explorer/web/),
with no build step and nothing fetched. Each one gets all its numbers once and redraws itself on input, so the
hot interactions need no script rerun; each also renders as one offline HTML file for its download."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import streamlit as st

WEB = Path(__file__).with_name("web")


@cache
def assets(name: str) -> tuple[str, str, str]:
    """The component's HTML, CSS and JavaScript (web/<name>.html, .css, .js); the script starts with the helpers
    every view shares (web/shared.js), as inline components have no imports of their own."""
    html, css, js = ((WEB / f"{name}.{ext}").read_text() for ext in ("html", "css", "js"))
    return html, css, (WEB / "shared.js").read_text() + "\n" + js


@cache
def component(name: str):
    html, css, js = assets(name)
    # Styles stay unisolated (no shadow root), so the app's theme variables and fonts apply; every class the
    # CSS names carries the component's own prefix, so nothing outside it is touched.
    return st.components.v2.component(f"rnn_{name}", html=html, css=css, js=js, isolate_styles=False)


def standalone_html(name: str, data: dict, title: str) -> str:
    """The component as one offline HTML page (the same markup, style and script), for the HTML download."""
    html, css, js = assets(name)
    script = js.replace("export default function", "function view", 1)
    payload = json.dumps(data).replace("</", "<\\/")  # no "</script>" inside the script, whatever the text says
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title><style>{css}</style></head>"
            f"<body><div id='root'>{html}</div><script>{script}\nview({{data: {payload}, "
            "parentElement: document.getElementById('root'), setTriggerValue() {}});</script></body></html>")
