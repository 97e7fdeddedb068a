"""RNN Explorer: the entry point builds the navigation and the shared sidebar, then runs the chosen page."""

from pathlib import Path

import streamlit as st

from explorer.navigation import sections

# A file, not an emoji (Streamlit would load its emoji catalogue: half a second of a new server's first page) nor
# a Material icon (its favicon is fetched from a font server, which an offline laptop cannot reach).
st.set_page_config(page_title="RNN Explorer", page_icon=Path(__file__).parent / "explorer/web/favicon.png",
                   layout="wide")
pages = {p.url_path: st.Page(p.path, title=p.title, url_path=p.url_path, icon=p.icon, default=p.default)
         for specs in sections().values() for p in specs}
page = st.navigation({section: [pages[p.url_path] for p in specs] for section, specs in sections().items()})

# Imported only now, as they bring torch: on a server's first run the browser gets the page list above and draws
# the navigation while torch imports.
from explorer import lecture, settings, sidebar  # noqa: E402

settings.start_run()
sidebar.render()
notices = st.container()  # filled after the page ran, so its own link settings are checked too
# the lecture step's text, Back and Next, on the step's page only (the default page's own url_path reads "")
lecture.banner(next(url for url, p in pages.items() if p is page))
page.run()
with notices:
    for message in settings.url_messages():
        st.warning(message, icon=":material/link_off:")
settings.publish()
