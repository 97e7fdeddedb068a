"""The hot interactions answer in the browser: stepping, playing and hovering change the view with no script
rerun, and the link still holds the state."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e import harness

PLAYER = "[data-rnn-step]"
STRIP = "[data-rnn-shown]"


def step_in_url(page) -> int | None:
    values = parse_qs(urlsplit(page.url).query).get("step")
    return int(values[0]) if values else None


def shown_step(page) -> int:
    return int(page.locator(PLAYER).get_attribute("data-rnn-step"))


def button(page, name: str):
    return page.locator(PLAYER).get_by_role("button", name=re.compile(name))


def hover(page, strip, word, shown: str, tries: int = 3) -> None:
    """Hover `word` until `strip` shows its reach. On a loaded machine the strip's script can bind its handlers a
    moment after the strip is drawn, so a first hover may come too early; the test still requires that hovering
    itself never starts a script run."""
    for _ in range(tries):
        word.hover()
        try:
            expect(strip).to_have_attribute("data-rnn-shown", shown, timeout=1500)
            return
        except AssertionError:
            page.mouse.move(0, 0)
    raise AssertionError(f"hovering never showed {shown}: {strip.get_attribute('data-rnn-shown')}")


@pytest.mark.e2e
def test_step_back_slider_and_play_run_in_the_browser(base_url, page):
    page.goto(f"{base_url}/?preset=cat-sat")  # Unroll: "the cat sat on the", five steps
    harness.wait_for_idle(page)
    page.locator(PLAYER).wait_for()
    runs = harness.runs(page)
    last = shown_step(page)
    assert last == 4 and button(page, "Step").is_disabled()

    button(page, "Back").click()
    assert shown_step(page) == 3 and "step 3 reads" in page.locator(PLAYER).inner_text()
    assert "Step 3: reading “on”" in page.locator(PLAYER).inner_text()  # the equation moved with the diagram
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '3'", timeout=2000)

    button(page, "Reset").click()
    assert shown_step(page) == 0 and button(page, "Back").is_disabled()
    slider = page.locator(PLAYER).locator("input[type=range]")
    slider.evaluate("e => { e.value = '2'; e.dispatchEvent(new Event('input', {bubbles: true})); }")  # a drag
    assert shown_step(page) == 2

    speed = page.locator(PLAYER).get_by_role("combobox")
    speed.select_option("16")  # steps per second
    button(page, "Play").click()
    page.wait_for_function(f"() => document.querySelector('{PLAYER}').getAttribute('data-rnn-step') === '4'",
                           timeout=3000)
    page.wait_for_timeout(200)
    assert slider.input_value() == "4", "the slider moved with the steps"
    assert button(page, "Play").is_visible(), "at the last step Play stops and shows Play, not Pause"
    speed.select_option("0.5")
    button(page, "Play").click()  # Play at the end starts over
    assert shown_step(page) == 0 and button(page, "Pause").is_visible()
    page.wait_for_function(f"() => document.querySelector('{PLAYER}').getAttribute('data-rnn-step') === '1'",
                           timeout=5000)
    assert slider.input_value() == "1" and not button(page, "Back").is_disabled(), "while playing, in step"
    button(page, "Pause").click()
    paused = shown_step(page)
    page.wait_for_function("(s) => new URLSearchParams(location.search).get('step') === String(s)", arg=paused,
                           timeout=2000)
    page.wait_for_timeout(500)
    assert harness.runs(page) == runs, "stepping and playing started a script run"

    # The link reopens the step in a new session.
    other = harness.new_page(page.context.browser)
    try:
        other.goto(page.url)
        harness.wait_for_idle(other)
        other.locator(PLAYER).wait_for()
        assert shown_step(other) == paused
    finally:
        other.context.close()


@pytest.mark.e2e
def test_hovering_a_word_recolours_the_sentence_and_a_click_makes_it_the_target(base_url, page):
    page.goto(f"{base_url}/gradients")
    harness.wait_for_idle(page)
    strip = page.locator(STRIP)
    strip.wait_for()
    target = int(strip.get_attribute("data-rnn-shown"))
    word = strip.locator(".rs-t[data-t='12']")  # "lively"
    early = strip.locator(".rs-t[data-t='5']")
    colour_for_target = early.evaluate("e => e.style.backgroundColor")
    runs = harness.runs(page)

    curve = strip.locator("svg[data-rnn-curve]")  # the Elman network's curve, drawn by the strip
    assert curve.get_attribute("data-rnn-curve") == str(target)
    hover(page, strip, word, "12")
    assert "“lively”" in strip.locator(".rs-title").inner_text()
    assert curve.get_attribute("data-rnn-curve") == "12", "the curve follows the hovered word"
    assert "“lively” (hovered)" in strip.locator(".rs-curve-title").inner_text()
    assert early.evaluate("e => e.style.backgroundColor") != colour_for_target, "the sentence recoloured"
    later = strip.locator(".rs-t[data-t='40']")
    assert later.evaluate("e => e.style.backgroundColor") == "", "words after the hovered one have no colour"
    page.mouse.move(0, 0)
    assert strip.get_attribute("data-rnn-shown") == str(target)
    page.wait_for_timeout(300)
    assert harness.runs(page) == runs, "hovering started a script run"

    # A click draws the whole target panel at once; the rerun it starts brings back the same view and changes
    # nothing on screen (the strip's element is watched from the click on).
    picker = page.get_by_role("combobox", name="Target word (the word being predicted)")
    word.click()
    changes = watch(strip)
    assert curve.get_attribute("data-rnn-curve") == "12", "the picked word’s curve is drawn at once"
    assert picker.input_value() == "12"
    assert "prediction of “lively”" in strip.locator(".rs-intro").inner_text(), "the opening sentence, at once"
    rate = strip.locator(".rs-metric").last.inner_text()
    harness.wait_for_rerun(page, runs)
    harness.wait_for_idle(page)
    assert "target=12" in page.url
    assert changes() == 0, "the rerun redrew what the click had drawn"
    assert strip.locator(".rs-metric").last.inner_text() == rate
    assert strip.get_attribute("data-rnn-shown") == "12"
    assert page.locator(harness.PLOTLY).count() == 0, "the curve is the strip's, the map a canvas: no Plotly chart"

    runs = harness.runs(page)
    picker.select_option("0")  # "the last word": the picker is the strip's own, drawn in the browser too
    changes = watch(strip)
    assert strip.get_attribute("data-rnn-shown") == str(target)
    assert "“dancing”" in strip.locator(".rs-intro").inner_text()
    assert strip.locator(".rs-t.rs-cue").inner_text() == "jig", "the cue of the new target is underlined"
    assert "tokens before the target" in strip.locator(".rs-cue-note").inner_text()
    harness.wait_for_rerun(page, runs)
    harness.wait_for_idle(page)
    assert "target=" not in page.url, "the last word is the default, so the link leaves it out"
    assert changes() == 0


def watch(locator):
    """Start counting DOM changes inside the element; returns a function that reads the count."""
    locator.evaluate("""e => { e.__changes = 0;
      new MutationObserver((r) => { e.__changes += r.length; }).observe(e, {subtree: true, childList: true,
        attributes: true, characterData: true}); }""")
    return lambda: locator.evaluate("e => e.__changes")


def stable_box(page, locator, tries: int = 50) -> dict:
    """The element's box once two reads 100 ms apart agree (it moved while the page above it still grew)."""
    box = locator.bounding_box()
    for _ in range(tries):
        page.wait_for_timeout(100)
        again = locator.bounding_box()
        if again == box:
            return box
        box = again
    raise AssertionError(f"the element kept moving: {box}")


@pytest.mark.e2e
def test_the_map_of_every_pair_labels_the_cell_under_the_pointer(base_url, page):
    page.goto(f"{base_url}/gradients")
    harness.wait_for_idle(page)
    canvas = page.locator(".pm-plot canvas")
    canvas.scroll_into_view_if_needed()
    n = page.locator(f"{STRIP} .rs-t").count()
    box = stable_box(page, canvas)  # the page may still be laying out below the fold: hover where the map is
    runs = harness.runs(page)

    def pixel(t: int, s: int) -> list[int]:  # the centre of cell (t, s), in the canvas's own pixels
        return canvas.evaluate("(c, [t, s, n]) => [...c.getContext('2d').getImageData("
                               "Math.floor((s + 0.5) / n * c.width), Math.floor((t + 0.5) / n * c.height), 1, 1).data]",
                               [t, s, n])

    assert pixel(40, 13)[3] == 255 and pixel(13, 40)[3] == 0, "painted below the diagonal, blank above it"
    assert pixel(40, 13) != pixel(40, 39), "a distant pair is coloured apart from a near one"
    page.mouse.move(box["x"] + (13.5 / n) * box["width"], box["y"] + (40.5 / n) * box["height"])
    tip = page.locator(".pm-tip")
    expect(tip).to_be_visible()
    label = tip.inner_text()
    assert re.search(r"t = “.+” \(40\)\ns = “jig” \(13\)\n.+ = \d\.\d{3}e[+-]\d{2}$", label), label
    page.mouse.move(box["x"] + (40.5 / n) * box["width"], box["y"] + (13.5 / n) * box["height"])
    expect(tip).to_be_hidden()  # no path leads from a later state to an earlier one
    page.wait_for_timeout(300)
    assert harness.runs(page) == runs, "hovering the map started a script run"


@pytest.mark.e2e
def test_each_network_on_the_lstm_page_recolours_its_sentence_on_hover(base_url, page):
    page.goto(f"{base_url}/lstm-gru")
    harness.wait_for_idle(page)
    strips = page.locator(STRIP)
    strips.first.wait_for()
    assert strips.count() == 3, "Elman, LSTM and GRU each colour the text"
    runs = harness.runs(page)
    for i in range(3):
        strip = strips.nth(i)
        early = strip.locator(".rs-t[data-t='5']")
        before = early.evaluate("e => e.style.backgroundColor")
        hover(page, strip, strip.locator(".rs-t[data-t='12']"), "12")
        assert early.evaluate("e => e.style.backgroundColor") != before, "the sentence recoloured"
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    assert harness.runs(page) == runs, "hovering started a script run"


def player_note(page, data: dict) -> str:
    """The player's next-token panel as the browser draws it, from its offline page (no server)."""
    from explorer import unroll_player

    page.goto("about:blank")  # a fresh document: the page's top-level names are declared once per document
    page.set_content(unroll_player.standalone_html(data))
    return page.locator(".rp-next").inner_text()


@pytest.mark.e2e
def test_the_players_next_token_sentences_follow_the_model_and_its_numbers(page):
    from core import ModelConfig, build_model, unroll
    from explorer import unroll_player

    model = build_model(ModelConfig(tokenizer="char", hidden_size=8))
    trace = unroll(model, "He said. The End")
    step = trace.tokens.index("T") - 1
    note = player_note(page, unroll_player.player_data(trace, None, step, trained=False))
    assert "P(next character |" in note and "“T”: the character that actually follows" in note
    assert "One column per character" in page.locator(".rp-caption").inner_text()
    assert "Spread almost evenly" in note and "“untrained” looks like" in note, "an untrained network is near 1/V"

    peaked = unroll(model, "He said. The End")
    peaked.probs[step] = 0
    peaked.probs[step, peaked.vocab.index("T")] = 0.9  # the same step, now sure of its next character
    note = player_note(page, unroll_player.player_data(peaked, None, step, trained=True))
    top = round(0.9 * len(trace.vocab))
    assert f"gets 0.9, {top} times the even share 1/{len(trace.vocab)}" in note and "Spread" not in note

    words = unroll(build_model(ModelConfig(hidden_size=8)), "the zzzq")
    note = player_note(page, unroll_player.player_data(words, None, 0, trained=False))
    assert "“zzzq”: the word that actually follows, which the network reads as <unk>" in note
    words.probs[0] = 0
    words.probs[0, 0] = 1.0  # id 0 is <unk>: now the favourite, so the note says what it stands for
    note = player_note(page, unroll_player.player_data(words, None, 0, trained=True))
    assert "<unk> stands for every word outside the vocabulary" in note
