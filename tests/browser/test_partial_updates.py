"""Every partial update equals a fresh page (issue 16), for every htmx action in the templates.

The actions are read from the templates' hx-post and hx-get attributes, so a new one without a
scenario here fails the first test. Each scenario performs its action in Chromium and then checks
what a person would notice: the text of every region is what a fresh load of the same URL shows
(nothing left stale), focus is on the changed content or its heading (never <body>), and exactly
one live region says what happened.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from starlette.routing import Route

from tests.axe import assert_accessible
from tests.browser import officer_browsers
from tests.web.test_route_list import THROWAWAY_DATABASE
from tests.web.victim_data import add_message
from trackmycrime.app import create_app
from trackmycrime.settings import Settings

from .victim_pages import add_helper, add_history, add_property, in_live_database, new_victim, sign_in

officer_cookies = officer_browsers.officer_cookies
officer_page = officer_browsers.officer_page

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
HTMX_ELEMENT = re.compile(r"<(?P<tag>\w+)(?P<attrs>[^>]*?\bhx-(?:post|get)=\"(?P<url>[^\"]+)\"[^>]*)>", re.S)
# A URL by route name, and a form the post_form macro writes with htmx (its hx-post is the URL given).
URL_FOR = re.compile(r"\{\{\s*url_for\('(?P<name>\w+)'[^}]*\}\}")
HTMX_POST_FORM = re.compile(r"post_form\(\s*url_for\('(?P<name>\w+)'[^)]*\)[^%]*?\bhx_target=", re.S)


def htmx_actions() -> dict[str, str]:
    """Each htmx URL in the templates ({} for a variable part) -> 'person' or 'background' (polling)."""
    paths = route_paths()
    found = {}
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for match in HTMX_ELEMENT.finditer(text):
            if match["url"] == "{{ url }}":  # the post_form macro's own, counted where it is called
                continue
            url = URL_FOR.sub(lambda named: paths[named["name"]], match["url"])
            url = re.sub(r"\{\{.*?\}\}", "{}", url).split("?")[0]
            found[url] = "background" if "data-background" in match["attrs"] else "person"
        for match in HTMX_POST_FORM.finditer(text):
            found[paths[match["name"]]] = "person"
    return found


def route_paths() -> dict[str, str]:
    """Route name -> its path with {} for each parameter."""
    app = create_app(Settings(mode="demo", secret_key="x" * 40, database_url=THROWAWAY_DATABASE))  # type: ignore[arg-type]
    return {
        route.name: re.sub(r"\{[^}]*\}", "{}", route.path)
        for route in app.routes
        if isinstance(route, Route) and route.name
    }


# Text that a fresh load does not show by design: the confirmation of what was just done (its
# words are in the live region, and a reload is not a new action), what is typed in the fields,
# the live regions themselves, and what another process changes on its own (data-live-status: an
# alert's delivery, which the worker records while the test runs).
REGION_TEXTS = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('.notification--success, [aria-live], [role=status], [role=alert]')
      .forEach((element) => element.remove());
  copy.querySelectorAll('textarea, select, input, dialog, [data-live-status]')
      .forEach((element) => element.remove());
  const texts = {};
  copy.querySelectorAll('header, nav, main, footer, main [id]').forEach((element, index) => {
    const label = element.getAttribute('aria-label') || index;
    const name = element.id ? '#' + element.id : element.tagName.toLowerCase() + ':' + label;
    texts[name] = element.textContent.replace(/\\s+/g, ' ').trim();
  });
  return texts;
}"""

LIVE_REGIONS = """() => Object.fromEntries(
  Array.from(document.querySelectorAll('[aria-live], [role=status], [role=alert]'))
  .map((element, index) => [element.id || index, element.textContent.replace(/\\s+/g, ' ').trim()]))"""


FOCUS = """(target) => {
  const element = document.activeElement;
  if (!element || element === document.body) { return 'body'; }
  if (element.closest(target)) { return 'changed content'; }
  return /^H[1-6]$/.test(element.tagName) ? 'heading' : element.outerHTML.slice(0, 120);
}"""


def stale_regions(page: Any) -> dict[str, tuple[str, str]]:
    """The regions whose text differs from a fresh load of the same URL: name -> (after the swap,
    fresh), innermost first."""
    after_swap = page.evaluate(REGION_TEXTS)
    fresh = page.context.new_page()
    try:
        fresh.goto(page.url)
        reloaded = fresh.evaluate(REGION_TEXTS)
    finally:
        fresh.close()
    differing = [
        name for name in after_swap.keys() | reloaded.keys() if after_swap.get(name) != reloaded.get(name)
    ]
    differing.sort(key=lambda name: len(reloaded.get(name) or after_swap.get(name) or ""))
    return {name: (after_swap.get(name, ""), reloaded.get(name, "")) for name in differing}


def act(page: Any, action: Callable[[], None]) -> list[str]:
    """Do it, wait until htmx has swapped and settled what the answer carried; the live regions
    whose words changed (what a screen reader would have announced)."""
    before = page.evaluate(LIVE_REGIONS)
    page.evaluate(
        "() => { window.settled = 0;"
        " document.addEventListener('htmx:afterSettle', () => { window.settled += 1; }); }"
    )
    action()
    for _ in range(100):
        if page.evaluate("() => window.settled"):
            break
        page.wait_for_timeout(50)
    page.wait_for_timeout(200)
    after = page.evaluate(LIVE_REGIONS)
    return [str(name) for name, words in after.items() if words and words != before.get(name)]


@dataclass
class World:
    """A crime of the test's own: a registered victim with property and an unread message."""

    crime_id: int
    party_id: int
    item_ids: list[int]
    case: Any


def new_world(live_server: Any) -> World:
    case = new_victim(live_server)
    items = add_property(live_server, case)

    async def unread(session: Any) -> None:
        add_message(session, case.party, "Has anyone been arrested?", days_ago=0.1)

    in_live_database(live_server, unread)
    return World(case.crime.id, case.party.id, items, case)


def victim_on(page: Any, live_server: Any, world: World, path: str) -> None:
    sign_in(page, live_server, world.case)
    page.goto(live_server.url + path)


def officer_on_crime(page: Any, live_server: Any, world: World) -> None:
    page.goto(f"{live_server.url}/officer/crimes/{world.crime_id}")


def conversation(page: Any, world: World) -> Any:
    return page.locator(f"#conversation-{world.party_id}")


def officer_on_crime_with_own_update(page: Any, live_server: Any, world: World) -> None:
    """The crime page with an update this officer has just posted (still theirs to withdraw)."""
    officer_on_crime(page, live_server, world)
    page.get_by_label("Update", exact=True).fill("We have checked the CCTV.")
    act(page, lambda: page.get_by_role("button", name="Post update").click())
    officer_on_crime(page, live_server, world)


def told_outside(page: Any, world: World) -> None:
    section = page.locator(f"#told-{world.party_id}")
    section.get_by_role("radio", name=re.compile("phone", re.I)).check()
    section.get_by_label("What you told them").fill("Rang to say we are looking at CCTV.")
    section.get_by_role("button", name=re.compile("^Record it")).click()


def helpers_section(page: Any, world: World) -> Any:
    return page.locator(f"#helpers-{world.party_id}")


def add_a_helper(page: Any, world: World) -> None:
    section = helpers_section(page, world)
    section.locator("summary").click()  # the form is folded away until wanted
    section.get_by_label("First name").fill("Jo")
    section.get_by_label("Last name").fill("Carer")
    section.get_by_label("Day").fill("1")
    section.get_by_label("Month").fill("6")
    section.get_by_label("Year").fill("1975")
    section.get_by_role("radio", name="carer").check()
    section.get_by_label("Their email address").fill("jo.carer@example.org")
    section.get_by_role("button", name=re.compile("^Add and invite")).click()


def officer_on_crime_with_helper(page: Any, live_server: Any, world: World) -> None:
    add_helper(live_server, world.case)
    officer_on_crime(page, live_server, world)


# action URL -> (who, how to open the page, what to do, the swapped element's CSS selector)
SCENARIOS: dict[str, tuple[str, Callable[..., None], Callable[..., None], Callable[[World], str]]] = {
    "/case/messages": (
        "victim",
        lambda page, server, world: victim_on(page, server, world, "/case"),
        lambda page, world: (
            page.get_by_label("Your message").fill("Thank you."),
            page.get_by_role("button", name="Send message").click(),
        ),
        lambda world: "#send-message",
    ),
    "/case/timeline": (
        "victim",
        lambda page, server, world: victim_on(page, server, world, "/case"),
        lambda page, world: page.locator(".timeline-filter").get_by_role("link", name="Messages").click(),
        lambda world: "#case-timeline",
    ),
    "/case/ask-for-update": (
        "victim",
        lambda page, server, world: victim_on(page, server, world, "/case"),
        lambda page, world: page.locator("#ask-for-update-button").click(),
        lambda world: "#ask-for-update",
    ),
    "/property/{}/messages": (
        "victim",
        lambda page, server, world: victim_on(page, server, world, "/property"),
        lambda page, world: (
            page.get_by_label("Tell the officer more on “Silver laptop”").fill("Serial C02XK1"),
            page.get_by_role("button", name="Send to the officer about “Silver laptop”").click(),
        ),
        lambda world: f"#item-{world.item_ids[0]}",
    ),
    "/officer/crimes/{}/timeline": (
        "officer",
        officer_on_crime,
        lambda page, world: (
            page.locator("#updates-timeline .timeline-filter").get_by_role("link", name="Messages").click()
        ),
        lambda world: "#updates-timeline",
    ),
    "/officer/crimes/{}/parties/{}/read": (
        "officer",
        officer_on_crime,
        lambda page, world: conversation(page, world).get_by_role("button", name="Mark as read").click(),
        lambda world: f"#conversation-{world.party_id}",
    ),
    "/officer/crimes/{}/parties/{}/messages": (
        "officer",
        officer_on_crime,
        lambda page, world: (
            conversation(page, world).get_by_role("textbox").fill("Not yet, we are looking at CCTV."),
            conversation(page, world).get_by_role("button", name="Send").click(),
        ),
        lambda world: f"#conversation-{world.party_id}",
    ),
    "/officer/crimes/{}/updates": (
        "officer",
        officer_on_crime,
        lambda page, world: (
            page.get_by_label("Update", exact=True).fill("We have spoken to a witness."),
            page.get_by_role("button", name="Post update").click(),
        ),
        lambda world: "#updates",
    ),
    "/officer/crimes/{}/update-form": (
        "officer",
        officer_on_crime,
        lambda page, world: (
            page.get_by_label("Start from a standard update").select_option(index=1),
            page.get_by_role("button", name="Use this text").click(),
        ),
        lambda world: "#update-form",
    ),
    "/officer/crimes/{}/parties/{}/told": (
        "officer",
        officer_on_crime,
        told_outside,
        lambda world: f"#told-{world.party_id}",
    ),
    "/officer/crimes/{}/parties/{}/helpers": (
        "officer",
        officer_on_crime,
        add_a_helper,
        lambda world: f"#helpers-{world.party_id}",
    ),
    "/officer/crimes/{}/parties/{}/helpers/{}/remove": (
        "officer",
        officer_on_crime_with_helper,
        lambda page, world: (
            helpers_section(page, world).get_by_role("button", name=re.compile("^Remove")).click()
        ),
        lambda world: f"#helpers-{world.party_id}",
    ),
    "/officer/crimes/{}/updates/{}/withdraw": (
        "officer",
        officer_on_crime_with_own_update,
        lambda page, world: page.get_by_role("button", name=re.compile("^Withdraw")).first.click(),
        lambda world: "#updates",
    ),
    "/officer/crimes/{}/property/{}": (
        "officer",
        officer_on_crime,
        lambda page, world: (
            page.get_by_label("New state of Silver laptop").select_option("recovered"),
            page.get_by_role("button", name="Change state of Silver laptop").click(),
        ),
        lambda world: "#property",
    ),
}


def test_every_htmx_action_in_the_templates_has_a_scenario():
    actions = htmx_actions()
    assert actions.get("/case/activity") == "background", "polling is marked data-background"
    by_people = {url for url, kind in actions.items() if kind == "person"}
    assert by_people == set(SCENARIOS), "add a scenario here for each new htmx action"


@pytest.mark.parametrize("url", sorted(SCENARIOS))
def test_after_each_htmx_action_the_page_reads_as_a_fresh_load_would(url, page, officer_page, live_server):
    who, open_page, action, target = SCENARIOS[url]
    world = new_world(live_server)
    if who == "officer":
        page = officer_page("officer")
    open_page(page, live_server, world)
    speaking = act(page, lambda: action(page, world))

    assert page.evaluate(FOCUS, target(world)) in ("changed content", "heading"), f"focus after {url}"
    assert speaking == ["announcer"], f"exactly one live region tells what happened after {url}"
    stale = stale_regions(page)
    assert not stale, f"after {url}, these differ from a fresh load: " + "\n".join(
        f"{name}:\n  after the swap: {texts[0]}\n  fresh page:     {texts[1]}"
        for name, texts in list(stale.items())[:1]
    )
    assert_accessible(page, f"after {url}")


def test_an_error_after_a_swap_says_so_in_the_title_and_takes_focus(officer_page, live_server):
    world = new_world(live_server)
    page = officer_page("officer")
    officer_on_crime(page, live_server, world)
    title = page.title()
    act(page, lambda: page.get_by_role("button", name="Post update").click())
    assert page.title() == "Error: " + title
    expect(page.locator(".error-summary")).to_be_focused()
    page.get_by_label("Update", exact=True).fill("We have spoken to a witness.")
    act(page, lambda: page.get_by_role("button", name="Post update").click())
    assert page.title() == title


def test_show_earlier_adds_the_page_its_own_url_shows_and_focuses_the_first_added(page, live_server):
    """The one htmx action that is not compared with a reload of the page's URL (the list grows; the
    URL stays): the entries it adds are those of its link's own page without JavaScript."""
    world = new_world(live_server)
    add_history(live_server, world.case, 30)
    victim_on(page, live_server, world, "/case")
    entries = page.locator("#timeline-entries > li")
    newest = entries.all_text_contents()
    link = page.locator("#timeline-more a")
    earlier_url = live_server.url + link.get_attribute("href")
    speaking = act(page, lambda: link.click())

    first_added = f"#timeline-entries > li:nth-child({len(newest) + 1})"
    assert page.evaluate(FOCUS, first_added) == "changed content", "focus on the first entry added"
    assert speaking == ["announcer"]
    fresh = page.context.new_page()
    try:
        fresh.goto(earlier_url)
        earlier = fresh.locator("#timeline-entries > li").all_text_contents()
        more_fresh = fresh.locator("#timeline-more").inner_html()
    finally:
        fresh.close()
    assert entries.all_text_contents() == newest + earlier, "nothing lost or repeated"
    assert page.locator("#timeline-more").inner_html() == more_fresh
    assert_accessible(page, "after showing earlier entries")
