"""The audit's checks beyond axe (text browser, reduced motion, text at 200 %) and the keyboard
journeys' focus check catch the problems they are meant to, on small pages made to have them."""

from __future__ import annotations

from accessibility import audit
from tests.browser.test_keyboard_journeys import FOCUS_PROBLEM


def page_html(main: str, before_main: str = "", after_main: str = "") -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><title>Test</title></head><body>'
        '<a href="#main-content">Skip to main content</a><header>TrackMyCrime</header>'
        f'{before_main}<main id="main-content">{main}</main>{after_main}'
        "<footer><h2>Other ways to get help</h2></footer></body></html>"
    )


def read(html: str) -> list[str]:
    return audit.reading_order_problems(html, audit.text_browser_dump(html))


GOOD_MAIN = (
    "<h1>Your case</h1><p>Crime: burglary</p>"
    '<label for="field-surname">Surname</label><input id="field-surname" value="O&#39;Brien">'
    "<p>Newest first.</p>"
)


def test_a_page_in_a_sensible_order_reads_well_in_a_text_browser():
    assert read(page_html(GOOD_MAIN)) == []


def test_left_over_template_code_and_doubly_escaped_text_are_found():
    problems = read(page_html("<h1>Your case</h1><p>Hello {{ name }}, it&amp;#39;s %(date)s</p>"))
    assert problems == ["left-over template code or escaped text: %(date)s, &#39;, {{, }}"]


def test_a_footer_before_the_main_content_and_a_late_skip_link_are_found():
    html = page_html(GOOD_MAIN).replace(
        '<a href="#main-content">Skip to main content</a>', '<p>Menu</p><a href="#main-content">Skip</a>'
    )
    html = html.replace("<footer><h2>Other ways to get help</h2></footer>", "")
    html = html.replace("<main", "<footer><h2>Other ways to get help</h2></footer><main")
    assert read(html) == [
        "the text does not start with the skip link ('Skip')",
        "the footer ('Other ways to get help') is missing or comes before the end of the main content",
    ]


def test_a_label_after_its_field_is_found():
    main = (
        '<h1>Your case</h1><input id="field-surname" value="Hughes">'
        + '<label for="field-surname">Surname</label>'
    )
    assert read(page_html(main)) == ["the label 'Surname' comes after its field"]


def test_hidden_content_read_before_the_heading_and_boxes_drawn_above_their_labels_are_noted():
    dialog = '<dialog id="idle-warning"><h2>You will be signed out soon</h2></dialog>'
    box = (
        '<label for="field-offers">What they offer</label>'
        + '<textarea id="field-offers" rows="2">Help</textarea>'
    )
    html = page_html("<h1>Force settings</h1>" + box, before_main=dialog)
    notes = audit.text_browser_notes(html, audit.text_browser_dump(html))
    assert notes == [
        "text browsers show the hidden dialog#idle-warning (“You will be signed out soon…”) before the h1",
        "text browsers draw the first line of “What they offer” above its label (a box of several lines "
        "beside a label that is not a block of its own)",
    ]


MOVING = """<style>
  .spinner { animation: spin 2s infinite; }
  @keyframes spin { to { transform: rotate(1turn); } }
  .htmx-added { transition: opacity 0.5s; }
  %s
</style><div class="spinner">Loading</div><p id="new">New message</p>"""
STILL = (
    "@media (prefers-reduced-motion: reduce) { * { animation: none !important; "
    "transition: none !important } }"
)


def test_motion_is_found_unless_reduced_motion_turns_it_off(page):
    page.emulate_media(reduced_motion="reduce")
    page.set_content(MOVING % "")
    found = page.evaluate(audit.MOTION, audit.MOTION_LIMIT_SECONDS)
    assert "div.spinner animates for 2s" in found
    assert "p#new has a 0.5s transition" in found  # only while htmx settles new content
    page.set_content(MOVING % STILL)
    assert page.evaluate(audit.MOTION, audit.MOTION_LIMIT_SECONDS) == []


def test_text_at_200_percent_finds_sideways_scrolling_and_cut_off_text(page):
    page.set_viewport_size({"width": 640, "height": 900})
    page.set_content(
        '<p style="width: 30em">A paragraph as wide as its text.</p>'
        '<div id="box" style="width: 400px; overflow: hidden; white-space: nowrap">'
        "Text that fits at its usual size, not at twice</div>"
        '<div class="visually-hidden" style="width: 1px; overflow: hidden">Hidden on purpose</div>'
    )
    assert page.evaluate(audit.OVERFLOW) == {"scrollWidth": 640, "cut": []}
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    layout = page.evaluate(audit.OVERFLOW)
    assert layout["scrollWidth"] > 640
    assert layout["cut"] == ["div#box"]


def test_focus_without_an_indicator_or_hidden_behind_a_sticky_bar_is_found(page):
    page.set_viewport_size({"width": 320, "height": 400})
    page.set_content(
        '<div style="position: sticky; top: 0; height: 80px; background: #fff" class="bar">Leave</div>'
        '<button id="plain" style="outline: none">Plain</button>'
        '<p style="height: 2000px">Long</p><a id="link" href="#" style="outline: 3px solid #fd0">Link</a>'
        '<p style="height: 2000px">Long</p>'
    )
    page.focus("#plain")
    assert page.evaluate(FOCUS_PROBLEM) == "button#plain (Plain) shows no focus indicator"
    page.focus("#link")
    page.evaluate("window.scrollTo(0, document.querySelector('#link').offsetTop - 20)")
    assert page.evaluate(FOCUS_PROBLEM) == "a#link (Link) is hidden behind div.bar"
