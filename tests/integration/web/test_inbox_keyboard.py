"""The inbox for a reviewer on the keyboard alone, or on a small screen or at 400% zoom, in
Debian's headless Chromium against a running stack."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.web.conftest import Seeded, Tab

pytestmark = pytest.mark.integration


def _focused(page: Any) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        "(() => { const e = document.activeElement;"
        " return {id: e.id, index: e.getAttribute('data-index'),"
        " inTranscript: !!e.closest('#transcript'), text: e.textContent}; })()"
    )
    return found


def test_the_transcripts_words_are_reached_with_tab_moved_with_arrows_and_played_with_enter(
    acme: Tab, seeded: Seeded
) -> None:
    page = acme.page
    page.goto(f"/inbox/jobs/{seeded.audio_job}")
    words = page.locator("#transcript .w[data-start]")
    assert words.count() > 5
    reached = False
    for _ in range(60):
        page.keyboard.press("Tab")
        if _focused(page)["inTranscript"]:
            reached = True
            break
    assert reached, "Tab never reaches a word of the transcript"
    first = _focused(page)

    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    moved = _focused(page)
    page.keyboard.press("ArrowLeft")
    back = _focused(page)
    start = float(words.nth(int(back["index"])).get_attribute("data-start") or 0)
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('recording').currentTime > 0")

    assert int(moved["index"]) == int(first["index"]) + 3
    assert int(back["index"]) == int(first["index"]) + 2
    assert page.evaluate("document.getElementById('recording').currentTime") >= start - 0.05
    # The transcript is one stop: Tab leaves it rather than walking every word.
    page.keyboard.press("Tab")
    assert not _focused(page)["inTranscript"]
    outline = words.nth(0).evaluate("w => { w.focus(); return getComputedStyle(w).outlineStyle; }")
    assert outline != "none", "a focused word shows no focus indicator"


def test_a_saved_or_refused_review_puts_the_focus_on_its_message(acme: Tab, seeded: Seeded) -> None:
    page = acme.page
    page.goto(f"/inbox/jobs/{seeded.batch_jobs[2]['id']}")
    page.get_by_role("button", name="Save review").click()  # nothing changed: refused
    page.wait_for_load_state()
    refused = _focused(page)

    page.get_by_label("Done: this voicemail needs nothing more").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save review").click()
    saved = _focused(page)

    assert refused["id"] == "review-error", refused
    assert saved["id"] == "review-saved", saved
    assert "saved" in saved["text"]


PAGES_AT_320 = ("/inbox", "/inbox/batches", "/inbox/batches/{batch}", "/inbox/jobs/{audio}")


def test_at_320_css_pixels_wide_no_page_scrolls_sideways(acme: Tab, seeded: Seeded) -> None:
    page = acme.page
    # 1280 px at 400% zoom (WCAG 1.4.10 Reflow): text is read down the page, not across.
    page.set_viewport_size({"width": 320, "height": 640})
    wide: dict[str, int] = {}
    for path in PAGES_AT_320:
        page.goto(path.format(batch=seeded.batch_id, audio=seeded.audio_job))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            wide[path] = width
        acme.shot(f"320-{path.strip('/').replace('/', '-').replace('{', '').replace('}', '')}")

    assert not wide, f"pages wider than the window: {wide}"


def test_the_single_key_shortcuts_can_be_turned_off_and_stay_off(acme: Tab) -> None:
    page = acme.page
    page.goto("/inbox")
    keys = page.get_by_label("Use the single-key shortcuts")
    assert keys.is_checked()

    keys.uncheck()  # a speech-input user's dictated "k" or "j" must not move the focus
    page.evaluate("document.activeElement.blur()")  # not typing into the box
    page.keyboard.press("j")
    page.keyboard.press("/")
    off = page.evaluate("document.activeElement.tagName")
    page.reload()
    still_off = not page.get_by_label("Use the single-key shortcuts").is_checked()
    page.get_by_label("Use the single-key shortcuts").check()
    page.evaluate("document.activeElement.blur()")  # not typing into the box
    page.keyboard.press("j")
    on = page.evaluate("document.activeElement.className")

    assert off == "BODY"
    assert still_off, "turned off, the shortcuts came back on the next page"
    assert on == "row-link"


def _ax_node(page: Any, selector: str) -> dict[str, str]:
    """The node Chromium's accessibility tree has for ``selector``: what a screen reader is
    given."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node_id = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    node = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node_id, "fetchRelatives": False})
    found = node["nodes"][0]
    return {"role": found["role"]["value"], "name": found.get("name", {}).get("value", "")}


def test_a_focused_word_of_the_transcript_is_announced_as_a_button_named_by_the_word(
    acme: Tab, seeded: Seeded
) -> None:
    page = acme.page
    page.goto(f"/inbox/jobs/{seeded.audio_job}")
    words = page.locator("#transcript .w[data-start]")
    words.nth(0).focus()
    page.keyboard.press("ArrowRight")
    second = words.nth(1).inner_text().strip()

    assert _focused(page)["index"] == "1"
    spoken = _ax_node(page, '#transcript .w[data-index="1"]')

    # Before, a focused word was a generic node: its text, but nothing saying Enter plays it.
    assert spoken == {"role": "button", "name": second}
    # Read through, the transcript is its words, not a row of buttons.
    assert words.nth(0).get_attribute("role") is None
