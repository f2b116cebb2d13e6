"""The display macros in components/display.html write the markup of each component, and pages use them.

Pages must not write a component by hand: the check below looks for the class attribute of each
component outside components/display.html.
"""

import re

import pytest

from trackmycrime.pages import create_templates
from trackmycrime.paths import TEMPLATES_DIR
from trackmycrime.static_assets import StaticAssets

IMPORT = (
    '{% from "components/display.html" import tag, summary_list, summary_row, notification_banner, table %}'
)

# The class attribute of each component's elements, as the macros write them.
HAND_WRITTEN = re.compile(
    r'class="(tag|summary-list|summary-list__row|summary-list__key|summary-list__value'
    r'|notification|notification__title|table|table-wrapper)[" {]'
)

PAGES = sorted(p.relative_to(TEMPLATES_DIR).as_posix() for p in TEMPLATES_DIR.rglob("*.html"))


def render(source: str, **context: object) -> str:
    environment = create_templates(StaticAssets())
    html = environment.from_string(IMPORT + source).render(context)
    return re.sub(r">\s+<", "><", html.strip())


def test_a_tag_is_blue_unless_given_a_colour():
    assert render('{{ tag("New") }}') == '<strong class="tag">New</strong>'
    assert render('{{ tag("Late", "red") }}') == '<strong class="tag tag--red">Late</strong>'
    assert render("{{ tag(text) }}", text="<b>") == '<strong class="tag">&lt;b&gt;</strong>'


def test_a_summary_row_takes_a_plain_value_or_a_call_block():
    html = render(
        "{% call summary_list() %}{{ summary_row('Name', name) }}"
        "{% call summary_row('When', id='when') %}<time>today</time>{% endcall %}{% endcall %}",
        name="O'Brien & <Co>",
    )
    assert html == (
        '<dl class="summary-list"><div class="summary-list__row"><dt class="summary-list__key">Name</dt>'
        '<dd class="summary-list__value">O&#39;Brien &amp; &lt;Co&gt;</dd></div>'
        '<div class="summary-list__row" id="when"><dt class="summary-list__key">When</dt>'
        '<dd class="summary-list__value"><time>today</time></dd></div></dl>'
    )


def test_a_tag_and_a_row_value_carry_the_attributes_given():
    assert render('{{ tag("Sent", attributes={"data-statement-state": state}) }}', state='a"b') == (
        '<strong class="tag" data-statement-state="a&#34;b">Sent</strong>'
    )
    html = render(
        '{{ summary_row("Last reached", "Today", value_class="statement-text",'
        ' value_attributes={"data-live-status": ""}) }}'
    )
    assert html == (
        '<div class="summary-list__row"><dt class="summary-list__key">Last reached</dt>'
        '<dd class="summary-list__value statement-text" data-live-status>Today</dd></div>'
    )


def test_a_summary_list_can_be_sent_out_of_band():
    html = render("{% call summary_list(id='facts', oob=True) %}{% endcall %}")
    assert html == '<dl class="summary-list" id="facts" hx-swap-oob="true"></dl>'


def test_a_notification_banner_without_a_landmark_has_a_paragraph_title():
    assert render('{{ notification_banner("Saved", success=True, role="status") }}') == (
        '<div class="notification notification--success" role="status">'
        '<p class="notification__title">Saved</p></div>'
    )
    assert render("{{ notification_banner(title) }}", title="<i>") == (
        '<div class="notification"><p class="notification__title">&lt;i&gt;</p></div>'
    )


def test_a_notification_banner_with_a_title_id_is_a_labelled_region():
    html = render('{% call notification_banner("Signed out", title_id="out") %}<p>Again</p>{% endcall %}')
    assert html == (
        '<div class="notification" role="region" aria-labelledby="out">'
        '<h2 class="notification__title" id="out">Signed out</h2><p>Again</p></div>'
    )


def test_a_notification_banner_takes_its_title_element_class_and_attributes():
    html = render(
        '{{ notification_banner("Thanks", title_tag="h1", title_class="heading-l", classes="extra",'
        ' id="thanks", role="alert", attributes={"data-focus-after-swap": "", "data-kind": "x"}) }}'
    )
    assert html == (
        '<div class="notification extra" id="thanks" role="alert" data-focus-after-swap data-kind="x">'
        '<h1 class="heading-l">Thanks</h1></div>'
    )


def test_a_table_writes_its_caption_headings_and_body():
    html = render(
        "{% call table(caption, ['Name', 'Count'], numeric_columns=[1]) %}<tr><td>a</td></tr>{% endcall %}",
        caption="Rows & more",
    )
    assert html == (
        '<div class="table-wrapper"><table class="table"><caption>Rows &amp; more</caption>'
        '<thead><tr><th scope="col">Name</th><th scope="col" class="numeric">Count</th></tr></thead>'
        "<tbody><tr><td>a</td></tr></tbody></table></div>"
    )


def test_a_wide_table_scrolls_in_a_labelled_region():
    html = render(
        "{% call table('Figures', ['A'], id='figures', caption_hidden=True, region_label='Figures') %}"
        "{% endcall %}"
    )
    assert html.startswith(
        '<div class="table-wrapper" role="region" aria-label="Figures" tabindex="0">'
        '<table class="table" id="figures"><caption class="visually-hidden">Figures</caption>'
    )
    unwrapped = render("{% call table('T', ['A'], wrapper=False) %}{% endcall %}")
    assert unwrapped.startswith('<table class="table">')


@pytest.mark.parametrize("name", PAGES)
def test_no_page_writes_a_component_by_hand(name):
    if name == "components/display.html":
        return
    copies = HAND_WRITTEN.findall((TEMPLATES_DIR / name).read_text())
    assert not copies, f"{name} writes {copies} by hand: use the macros in components/display.html"
