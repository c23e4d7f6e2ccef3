"""Every storefront and console page at phone width and on the keyboard: no console errors, no page wider than
the screen, every form control named (a label, `aria-label` or text), and the first Tab stop skips to content."""

from __future__ import annotations

import pytest

from tests.api.web.conftest import STAFF_KEY, Page

pytestmark = pytest.mark.slow

STOREFRONT = ["/", "/?q=sofa", "/signin"]
CONSOLE = ["/console", "/console/conversations", "/console/demand", "/console/pricing", "/console/customers",
           "/console/risk", "/console/reviews", "/console/data", "/console/models", "/console/evaluation",
           "/console/online"]  # fmt: skip
WIDEST = """
[...document.querySelectorAll('body *')].filter((element) => element.getBoundingClientRect().right > 391)
  .slice(0, 3).map((element) => element.tagName + '#' + element.id + '.' + element.className)
"""
FIRST_FOCUSABLE = """
(document.querySelector('a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex="-1"])')
  || {getAttribute: () => null}).getAttribute('href')
"""
UNNAMED_CONTROLS = """
[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter((control) => control.offsetParent !== null)
  .filter((control) => !(control.labels && control.labels.length) && !control.getAttribute('aria-label')
                       && !control.getAttribute('aria-labelledby') && !(control.textContent || '').trim()
                       && !(control.type === 'submit' && control.value))
  .map((control) => control.outerHTML.slice(0, 120))
"""


def _check(page: Page, path: str) -> None:
    tab = page.open(path)
    width = tab.evaluate("document.documentElement.scrollWidth")
    widest = tab.evaluate(WIDEST)
    assert width <= 390, f"{path} is {width}px wide on a 390px screen: {widest}"
    assert tab.evaluate(UNNAMED_CONTROLS) == [], f"{path} has controls without a name"
    first = tab.evaluate(FIRST_FOCUSABLE)
    assert first == "#main", f"{path}: the first focusable element is {first!r}, not the skip link"
    if not tab.evaluate("document.querySelector('[autofocus]')"):  # the search box takes the focus itself
        tab.keyboard.press("Tab")
        assert tab.evaluate("document.activeElement.getAttribute('href')") == "#main", f"{path}: first Tab stop"


def test_every_storefront_page_at_phone_width(browser, site) -> None:
    phone = Page(browser, site, width=390)
    product = phone.open("/?q=sofa").locator(".hits .card a").first.get_attribute("href").split("?")[0]
    for path in [*STOREFRONT, product]:
        _check(phone, path)
    assert phone.errors == []
    phone.tab.close()


def test_every_console_page_at_phone_width(browser, site) -> None:
    phone = Page(browser, site, width=390)
    phone.tab.goto(site + "/console/signin")
    phone.tab.get_by_label("API key").fill(STAFF_KEY["key"])
    phone.tab.get_by_role("button", name="Sign in").click()
    phone.tab.wait_for_url(site + "/console")
    for path in CONSOLE:
        _check(phone, path)
    phone.screenshot("console-phone")
    assert phone.errors == []
    phone.tab.close()
