"""The audit log viewer in Chromium: filters, errors and the CSV download; axe-clean at 320 and 1280 px,
with JavaScript on and off."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.axe import assert_accessible
from tests.browser import officer_browsers

officer_cookies = officer_browsers.officer_cookies
officer_page = officer_browsers.officer_page


def both_widths(page, state: str) -> None:
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page, f"{state} at {width}px")


def test_an_admin_filters_and_downloads_the_audit_log(live_server, officer_page):
    for js in (True, False):
        admin = officer_page("admin", js=js)
        admin.goto(live_server.url + "/officer/admin")
        admin.get_by_role("link", name="Audit log").click()
        expect(admin.locator("h1")).to_have_text("Audit log")
        expect(admin.locator("main table tbody tr").first).to_be_visible()
        both_widths(admin, f"audit log (JavaScript {'on' if js else 'off'})")
        admin.get_by_label("Action").select_option("officer.sign_in")
        admin.get_by_role("button", name="Apply filters").click()
        rows = admin.locator("main table tbody tr")
        expect(rows.first).to_contain_text("officer.sign_in")
        with admin.expect_download() as download:
            admin.get_by_role("link", name="Download these entries as a spreadsheet (CSV)").click()
        assert download.value.suggested_filename == "audit-log.csv"
        admin.goto(live_server.url + "/officer/admin/audit?from-day=31&from-month=2&from-year=2026")
        expect(admin.locator(".error-summary")).to_contain_text("The start date must be a real date")
        both_widths(admin, f"audit log with an error (JavaScript {'on' if js else 'off'})")
