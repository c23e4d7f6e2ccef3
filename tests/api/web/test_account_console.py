"""Signed-in shopping, the chat widget and the operator console in a real browser (Chromium via Playwright)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.api.web.conftest import STAFF_KEY

pytestmark = pytest.mark.slow


def _sign_in(tab: object, customer_id: str | None = None) -> str:
    """Picks a demo customer (the first with orders when none is named) and returns its id."""
    tab.locator("#demo-customers").wait_for()  # type: ignore[attr-defined]
    buttons = tab.locator("#demo-customers button")  # type: ignore[attr-defined]
    chosen = customer_id or buttons.first.inner_text().strip()
    tab.get_by_role("button", name=re.compile(f"^(Sign in as )?{re.escape(chosen)}$")).click()  # type: ignore[attr-defined]
    tab.wait_for_url(re.compile(r"/for-you$"))  # type: ignore[attr-defined]
    return chosen


def _customer_with_orders(site: str) -> tuple[str, dict]:
    """A demo customer on the sign-in page who has an order (read through the page itself)."""
    with httpx.Client(base_url=site) as client:
        page = client.get("/signin").text
        for customer_id in re.findall(r'name="customer_id" value="([^"]+)"', page):
            client.post("/signin", data={"customer_id": customer_id})
            mine = client.get("/for-you").text
            found = re.search(r'<tr id="order-([^"]+)"><td>[^<]*</td><td>[^<]*</td>\s*<td>([^<]+)</td>', mine)
            if found:
                return customer_id, {"order_id": found.group(1), "status": found.group(2).strip()}
    pytest.fail("no demo customer on the sign-in page has an order")


def test_a_signed_in_demo_customer_sees_for_you_and_signs_out(page) -> None:
    tab = page.open("/signin")
    customer_id = _sign_in(tab)
    assert customer_id in tab.locator("h1").inner_text()
    cards = tab.locator("#recommendations .card")
    assert cards.count() > 0
    assert all(card.locator(".reason").inner_text().strip() for card in cards.all())  # each says why
    page.screenshot("storefront-for-you")
    tab.get_by_role("button", name="Sign out").click()
    tab.wait_for_url(re.compile(r"/$"))
    tab.goto(page.base + "/for-you")
    assert tab.url.endswith("/signin")  # signed out: "for you" asks to sign in again
    assert page.errors == []


def test_a_chat_turn_streams_the_customers_real_order_status(page, site) -> None:
    customer_id, order = _customer_with_orders(site)
    tab = page.open("/signin")
    _sign_in(tab, customer_id)
    tab.locator("#chat summary").click()
    tab.get_by_label("Your message").fill(f"where is my order {order['order_id']}?")
    tab.get_by_role("button", name="Send").click()
    answer = tab.locator(".chat-bot").last
    answer.locator(".order-card").wait_for()  # the order card comes with the finished answer
    text = answer.locator(".chat-text").inner_text()
    assert order["order_id"] in text and order["status"] in text
    assert answer.get_attribute("data-intent") == "order_status"
    page.screenshot("storefront-chat")
    assert page.errors == []


def test_a_request_for_a_human_reaches_the_console_queue_and_is_resolved(browser, site) -> None:
    from tests.api.web.conftest import Page

    shopper = Page(browser, site)
    tab = shopper.open("/")
    tab.locator("#chat summary").click()
    tab.get_by_label("Your message").fill("I want to talk to a human agent please")
    tab.get_by_role("button", name="Send").click()
    tab.locator("#chat-handoff").wait_for(state="visible")
    assert shopper.errors == []

    with httpx.Client(base_url=site) as client:  # not signed in: the key form
        assert client.get("/console", follow_redirects=False).headers["location"] == "/console/signin"
    staff = _console(browser, site)
    console = staff.tab
    item = console.locator(".handoff", has_text="I want to talk to a human agent please").first
    item.wait_for()
    assert "explicit_request" in item.locator("h2").inner_text()
    staff.screenshot("console-handoffs")
    item.locator("summary").click()  # the transcript
    item.get_by_label("Resolution note").fill("called the customer back")
    item.get_by_role("button", name="Resolve").click()
    console.wait_for_url(re.compile(r"/console$"))
    assert console.locator(".handoff", has_text="I want to talk to a human agent please").count() == 0
    console.goto(site + "/console?status=resolved")
    resolved = console.locator(".handoff", has_text="I want to talk to a human agent please").first
    assert "called the customer back" in resolved.inner_text()
    resolved.get_by_role("link", name="Read the conversation").click()
    console.locator("#messages").wait_for()
    assert "human_request" in console.locator("#messages").inner_text()  # intents of each turn
    staff.screenshot("console-conversation")
    conversation_id = console.url.rsplit("/", 1)[1]
    console.get_by_role("link", name="Conversations").first.click()  # the list holds it, newest first
    console.wait_for_url(re.compile(r"/console/conversations$"))
    assert console.locator(f'#conversations a[href$="{conversation_id}"]').count() == 1
    staff.screenshot("console-conversations")
    assert staff.errors == []
    shopper.tab.close()
    staff.tab.close()


def test_the_console_refuses_a_wrong_key_and_forged_posts(page, site) -> None:
    tab = page.open("/console/signin")
    tab.get_by_label("API key").fill("not-a-key")
    tab.get_by_role("button", name="Sign in").click()
    assert tab.locator("[role=alert]").inner_text()
    page.errors.clear()  # the 401 of the refused sign-in is the expected answer
    with httpx.Client(base_url=site) as client:  # another site's page posting here
        forged = client.post("/console/signin", data={"api_key": STAFF_KEY["key"]}, headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403 and "l4r_console" not in forged.headers.get("set-cookie", "")
        assert client.get("/console", follow_redirects=False).headers["location"] == "/console/signin"


def _console(browser: object, site: str) -> object:
    """A browser tab signed in to the console with the site's staff key."""
    from tests.api.web.conftest import Page

    staff = Page(browser, site)
    staff.tab.goto(site + "/console/signin")
    staff.tab.get_by_label("API key").fill(STAFF_KEY["key"])
    staff.tab.get_by_role("button", name="Sign in").click()
    staff.tab.wait_for_url(re.compile(r"/console$"))
    return staff

def _open_console_page(browser: object, site: str, link: str, url: str) -> tuple[object, object]:
    """Signs in to the console and opens one of its pages from the navigation; the page and its tab."""
    staff = _console(browser, site)
    staff.tab.get_by_role("link", name=link).first.click()  # type: ignore[attr-defined]
    staff.tab.wait_for_url(re.compile(url))  # type: ignore[attr-defined]
    return staff, staff.tab  # type: ignore[attr-defined]


def _close(staff: object, screenshot: str) -> None:
    """Writes the page's screenshot, checks that it logged no error and closes it."""
    staff.screenshot(screenshot)  # type: ignore[attr-defined]
    assert staff.errors == []  # type: ignore[attr-defined]
    staff.tab.close()  # type: ignore[attr-defined]


def _open_another_series(tab: object, rows: str, heading: str) -> None:
    """Clicks another series in a page's list (the second) and checks that the page now shows it."""
    listed = tab.locator(rows)  # type: ignore[attr-defined]
    assert listed.count() > 0
    other = listed.nth(min(1, listed.count() - 1)).locator("a")
    product_id = other.inner_text()
    other.click()
    expect(tab.locator(heading)).to_contain_text(product_id)  # type: ignore[attr-defined]


def test_the_demand_page_draws_the_forecast_with_its_interval_and_the_advice(browser, site) -> None:
    staff, tab = _open_console_page(browser, site, "Demand", r"/console/demand")
    canvas = tab.locator("#demand-chart")
    expect(canvas).to_have_attribute("data-rendered", "4")  # history, the band's two edges, the mean
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    assert "MASE" in tab.locator("#forecast").inner_text()
    advice = tab.locator("#series-advice").inner_text()
    assert "Reorder point" in advice and "Order quantity" in advice
    risks = [int(cell.inner_text().rstrip("%")) for cell in tab.locator("#at-risk .risk").all()]
    assert risks and risks == sorted(risks, reverse=True) and risks[0] > 50  # the demo store has a few running out
    tab.locator("#at-risk tbody tr a").first.click()
    expect(tab.locator("#series-risk")).to_have_text(f"{risks[0]}%")
    _open_another_series(tab, "#replenish tbody tr", "#forecast h2")
    _close(staff, "console-demand")


def test_train_now_trains_in_the_background_and_the_page_follows_it(browser, site) -> None:
    staff, tab = _open_console_page(browser, site, "Models", r"/console/models$")
    row = tab.locator("#model-catalog")
    assert row.get_attribute("data-state") == "not_trained"  # the site trains no attribute extractor
    assert tab.locator("#model-search").get_attribute("data-state") == "ready"
    tab.get_by_role("button", name="Train catalog now").click()
    tab.wait_for_url(re.compile(r"/console/models$"))
    # the page polls while something trains, until the new version is served
    expect(tab.locator("#model-catalog")).to_have_attribute("data-state", "ready", timeout=180_000)
    assert re.search(r"v\d{4}", tab.locator("#model-catalog").inner_text())
    _close(staff, "console-models")


def test_sign_in_refuses_unknown_customers_and_other_sites(site) -> None:
    with httpx.Client(base_url=site) as client:
        unknown = client.post("/signin", data={"customer_id": "no-such-customer"})
        assert unknown.status_code == 404 and "no-such-customer" in unknown.text
        assert "l4r_shopper" not in unknown.headers.get("set-cookie", "")
        picker = client.get("/signin").text
        customer_id = re.findall(r'name="customer_id" value="([^"]+)"', picker)[0]
        forged = client.post("/signin", data={"customer_id": customer_id}, headers={"Origin": "https://evil.example"})
        assert forged.status_code == 403 and "l4r_shopper" not in forged.headers.get("set-cookie", "")
        chat = client.post("/store/chat", json={"message": "hi"}, headers={"Origin": "https://evil.example"})
        assert chat.status_code == 403
        assert client.get("/for-you", follow_redirects=False).headers["location"] == "/signin"


def test_the_pricing_page_draws_profit_against_price_with_the_recommendation(browser, site) -> None:
    staff, tab = _open_console_page(browser, site, "Pricing", r"/console/pricing")
    expect(tab.locator("#profit-chart")).to_have_attribute("data-rendered", "5")  # band, mean, current, recommended
    figures = tab.locator("#price-figures").inner_text()
    assert "Price elasticity" in figures and "Recommended price" in figures and "chance profit rises" in figures
    _open_another_series(tab, "#elasticities tbody tr", "#price-advice h2")
    _close(staff, "console-pricing")


def test_the_customers_page_builds_an_audience_and_exports_it_as_csv(browser, site) -> None:
    staff, tab = _open_console_page(browser, site, "Customers", r"/console/customers")
    segments = tab.locator("#segments tbody tr")
    assert segments.count() > 1
    everyone = int(re.search(r"\d+", tab.locator("#audience-size").inner_text()).group())
    first = segments.first.locator("th").inner_text().strip()
    tab.locator(f'#audience-form input[value="{first}"]').check()
    tab.get_by_label("Least purchase probability").fill("0.2")
    tab.get_by_role("button", name="Show").click()
    tab.wait_for_url(re.compile(r"segment="))
    size = int(re.search(r"\d+", tab.locator("#audience-size").inner_text()).group())
    assert 0 < size < everyone
    assert {cell.inner_text() for cell in tab.locator("#audience tbody tr td:nth-child(2)").all()} == {first}
    csv = tab.request.get(site + tab.locator("#audience-csv").get_attribute("href"))  # with the page's cookie
    lines = csv.text().strip().splitlines()
    assert csv.status == 200 and lines[0].startswith("customer_id,segment") and len(lines) == size + 1
    _close(staff, "console-customers")


def test_the_risk_queue_ranks_flagged_payments_and_stores_a_verdict(browser, site) -> None:
    staff, tab = _open_console_page(browser, site, "Risk", r"/console/risk")
    rows = tab.locator("#review-queue tbody tr")
    assert rows.count() > 3
    scores = [float(cell.inner_text()) for cell in tab.locator("#review-queue tbody tr td:nth-child(3)").all()]
    assert scores == sorted(scores, reverse=True)
    first = rows.first
    payment_id = first.get_attribute("id").removeprefix("payment-")
    assert first.locator(".reasons li").count() > 0
    first.get_by_role("button", name="Legitimate").click()
    tab.wait_for_url(re.compile(r"/console/risk"))
    expect(tab.locator(f"#payment-{payment_id} .label")).to_have_text("legitimate")
    tab.locator(f"#payment-{payment_id}").get_by_role("button", name="Fraud").click()
    tab.wait_for_url(re.compile(r"/console/risk"))
    expect(tab.locator(f"#payment-{payment_id} .label")).to_have_text("fraud")
    staff.screenshot("console-risk")
    assert staff.errors == []
    forged = httpx.post(f"{site}/console/risk/{payment_id}/label", data={"verdict": "legitimate"})
    assert forged.status_code in {303, 403} and "/console/risk" not in forged.headers.get("location", "")
    tab.close()


def test_the_reviews_page_charts_sentiment_and_analyses_pasted_text(browser, site) -> None:
    staff, tab = _open_console_page(browser, site, "Reviews", r"/console/reviews")
    expect(tab.locator("#reviews-chart")).to_have_attribute("data-rendered", "2")  # reviews a month, positive share
    assert re.search(r"\d+ reviews, [\d.]+% positive", tab.locator("#reviews-figures").inner_text())
    assert tab.locator("#aspects tbody tr").count() >= 3 and tab.locator("#review-categories tbody tr").count() >= 2
    tab.get_by_label("Paste reviews, one per line").fill("Great quality, fast delivery\n质量太差，物流也很慢")
    tab.get_by_role("button", name="Analyse").click()
    rows = tab.locator("#analysed tbody tr")
    expect(rows).to_have_count(2)
    assert rows.nth(0).locator(".sentiment").inner_text().startswith("positive")
    assert rows.nth(1).locator(".sentiment").inner_text().startswith("negative")
    assert "quality" in rows.nth(1).inner_text() and "shipping" in rows.nth(1).inner_text()
    _close(staff, "console-reviews")


def test_the_data_page_imports_a_file_with_progress_and_its_rejections(browser, site) -> None:
    staff, tab = _open_console_page(browser, site, "Data", r"/console/data")
    before = int(tab.locator('#table-counts tr[data-table="products"] td').inner_text())
    rows = ["product_id,title,price,currency,category,brand"]
    rows += [f"web-import-{i},Imported oak shelf {i},{20 + i}.50,USD,Home > Shelves,Webwood" for i in range(30)]
    rows += ["web-import-bad-1,A shelf with a bad price,not-a-price,USD,Home,Webwood", ",no id at all,10,USD,Home,Webwood"]
    tab.set_input_files("#import-file", files=[{"name": "new products.csv", "mimeType": "text/csv",
                                                "buffer": ("\n".join(rows) + "\n").encode()}])  # fmt: skip
    tab.get_by_label("Table").select_option("products")
    tab.get_by_role("button", name="Upload and import").click()
    tab.wait_for_url(re.compile(r"/console/data\?job="))
    expect(tab.locator("#import-job")).to_have_attribute("data-state", "done", timeout=60_000)
    assert tab.locator("#import-files .accepted").inner_text() == "30"
    assert tab.locator("#import-files .rejected").inner_text() == "2"
    assert tab.locator("#rejections li").count() == 2
    csv = tab.request.get(site + tab.locator("#rejections-csv").get_attribute("href"))
    assert csv.status == 200 and len(csv.text().strip().splitlines()) == 3  # header and the two rows
    tab.reload()
    assert int(tab.locator('#table-counts tr[data-table="products"] td').inner_text()) == before + 30
    found = httpx.get(f"{site}/search", params={"q": "imported oak shelf"}).json()
    assert any(hit["product_id"].startswith("web-import-") for hit in found["hits"])  # search follows the import
    staff.screenshot("console-data")
    assert staff.errors == []
    forged = httpx.post(f"{site}/console/data/import", params={"filename": "x.csv"}, content=b"a,b\n1,2\n")
    assert forged.status_code in {303, 403} and "/console/data" not in forged.headers.get("location", "")
    tab.close()


def test_the_evaluation_page_shows_the_latest_report_with_its_models_charted(browser, site) -> None:
    staff, tab = _open_console_page(browser, site, "Evaluation", r"/console/evaluation")
    section = tab.locator("#eval-risk")
    expect(section.locator(".eval-chart")).to_have_attribute("data-rendered", "3")  # supervised, unsupervised, rules
    assert {row.inner_text().split()[0] for row in section.locator(".models tbody th").all()} == {"supervised", "unsupervised", "rules"}
    assert "review_recall_test" in section.locator(".metrics").inner_text()
    _close(staff, "console-evaluation")


def test_shown_lists_and_clicks_reach_online_evaluation(browser, site) -> None:
    from tests.api.web.conftest import Page

    shopper = Page(browser, site)
    tab = shopper.tab
    tab.goto(site + "/?q=sofa")
    first = tab.locator(".hits .card a").first
    href = first.get_attribute("href")
    assert re.search(r"\?imp=[0-9a-f]{32}&pos=1$", href)
    first.click()
    tab.wait_for_url(re.compile(r"/item/"))
    assert tab.locator("#similar .card a").count() == 0 or "imp=" in tab.locator("#similar .card a").first.get_attribute("href")
    assert any(cookie["name"] == "l4r_visitor" and cookie["httpOnly"] for cookie in tab.context.cookies())
    tab.close()
    staff = _console(browser, site)
    console = staff.tab
    console.get_by_role("link", name="Online").first.click()
    console.wait_for_url(re.compile(r"/console/online"))
    search = console.locator('#online tbody tr[data-surface="search"]').first
    assert search.get_attribute("data-model").startswith("search/v")
    assert int(search.locator(".impressions").inner_text()) >= 1
    assert not search.locator(".ctr").inner_text().startswith("0.0%")  # the click above counts
    staff.screenshot("console-online")
    assert staff.errors == [] and shopper.errors == []
    console.close()
