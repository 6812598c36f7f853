"""The browser suite's overflow check (tests/browser/helpers.py, issue 18) on small pages written
here: it finds what runs out of its box or of the window, and leaves alone what the DSFR does on
purpose. The mandates table it missed was inside a page no wider than the phone."""

import pytest

from tests.browser.helpers import overflowing_elements

pytestmark = [pytest.mark.browser]


def page_with(open_page, body: str, direction: str = "ltr"):
    page = open_page("en")
    page.set_content(
        f'<!DOCTYPE html><html dir="{direction}"><head><meta name="viewport" '
        f'content="width=device-width"></head><body style="margin:0">{body}</body></html>'
    )
    return page


def test_overflow_check_table_scrolling_inside_its_box_is_found(open_page):
    page = page_with(
        open_page,
        '<div style="width:300px"><table style="display:block;overflow:auto;width:100%">'
        '<tr><td style="min-width:400px">Helper</td><td id="actions">Revoke</td></tr>'
        "</table></div>",
    )
    assert '<td#actions> 97 px out of the window: "Revoke"' in overflowing_elements(page)


def test_overflow_check_content_wider_than_its_box_is_found(open_page):
    page = page_with(
        open_page,
        '<div id="box" style="width:200px"><p style="width:300px;margin:0">Wide</p></div>',
    )
    assert overflowing_elements(page) == ['<div#box> content 100 px wider than its box: "Wide"']


def test_overflow_check_clipped_content_is_found(open_page):
    page = page_with(
        open_page,
        '<p id="cut" style="width:100px;overflow:hidden;white-space:nowrap">'
        "A sentence cut in the middle for every reader</p>",
    )
    assert [line.split(">")[0] for line in overflowing_elements(page)] == ["<p#cut"]


def test_overflow_check_right_to_left_element_past_the_left_edge_is_found(open_page):
    page = page_with(
        open_page,
        '<div style="position:relative"><p id="far" style="position:absolute;right:0;'
        'width:500px;margin:0">بعيد</p></div>',
        direction="rtl",
    )
    assert overflowing_elements(page) == ['<p#far> 140 px out of the window: "بعيد"']


def test_overflow_check_negative_margin_gutters_are_left_alone(open_page):
    page = page_with(
        open_page,
        '<div style="width:300px"><div style="margin:0 -8px;padding:0 8px">'
        "<p>In a grid with gutters</p></div></div>",
    )
    assert overflowing_elements(page) == []


def test_overflow_check_screen_reader_only_text_is_left_alone(open_page):
    page = page_with(
        open_page,
        '<p>Seen<span style="position:absolute;width:1px;height:1px;overflow:hidden;'
        'clip:rect(0,0,0,0);white-space:nowrap">a long text only screen readers say aloud, '
        "wider than anything</span></p>",
    )
    assert overflowing_elements(page) == []
