"""The room page as a browser downloads it: light, local, and usable without JavaScript."""

import gzip
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from benchmarks.page_weight import build_room
from tests import factories
from tests.browser.conftest import LOCAL_HOSTS, log_in

# HTML, CSS and JavaScript together, compressed as a web server sends them.
WEIGHT_LIMIT_BYTES = 150_000
COMMENTS = 100


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_room_page_with_twenty_threads_weighs_at_most_150_kb_compressed_and_loads_nothing_from_elsewhere(
    live_server, transactional_db, page, offsite_requests, page_errors, signed_in
):
    room, _authors = build_room(threads=20, replies_per_thread=4)
    if signed_in:
        log_in(page, live_server, factories.make_user("Ada Okafor"), room.get_absolute_url())
        # From an empty tab, so that only the measured load is collected.
        page.goto("about:blank")

    requests, responses = [], []
    page.on("request", lambda request: requests.append(request))
    page.on("response", lambda response: responses.append(response))
    page.goto(live_server.url + room.get_absolute_url(), wait_until="load")
    expect(page.locator("article.comment")).to_have_count(COMMENTS)
    if signed_in:
        expect(page.locator("a.comment__reply")).to_have_count(COMMENTS)

    # The live server does not compress: weigh each body as gzip would send it.
    weights = [(response.url, len(gzip.compress(response.body(), compresslevel=6))) for response in responses]
    total = sum(size for _url, size in weights)
    loaded_types = {request.resource_type for request in requests}
    fonts = [request.url for request in requests if request.resource_type == "font"]

    assert total <= WEIGHT_LIMIT_BYTES, f"{total:,} bytes compressed: {weights}"
    assert {"document", "stylesheet", "script"} <= loaded_types
    assert [url for url in fonts if urlsplit(url).hostname not in LOCAL_HOSTS] == []
    assert [request.url for request in requests if urlsplit(request.url).hostname not in LOCAL_HOSTS] == []
    assert offsite_requests == []
    assert page_errors == []


def test_with_javascript_off_a_signed_in_person_replies_through_the_plain_reply_page(
    live_server, transactional_db, browser, offsite_requests
):
    room, _authors = build_room(threads=20, replies_per_thread=4)
    parent = room.comments.filter(level=0).order_by("thread_number")[2]
    person = factories.make_user("Ada Okafor")
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)

    def keep_local(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            offsite_requests.append(route.request.url)
            route.abort()

    context.route(re.compile(r"^https?://"), keep_local)
    page = context.new_page()
    try:
        # Reading needs no script: every comment is in the page as sent.
        page.goto(live_server.url + room.get_absolute_url())
        expect(page.locator("article.comment")).to_have_count(COMMENTS)

        log_in(page, live_server, person, room.get_absolute_url())
        page.locator(f"#comment-{parent.pk}").get_by_role("link", name="Reply").click()

        # Without forum.js the link leads to the reply page instead of opening a form in place.
        expect(page).to_have_url(re.compile(rf"/reply/{parent.pk}/$"))
        expect(page.get_by_role("heading", name=f"Reply to {parent.author.display_name}")).to_be_visible()
        page.get_by_label("Your reply").fill("Paralegals were paid by the district councils after the project ended.")
        page.get_by_role("button", name="Post reply").click()

        # The room page already shows 100 comments, so the reply is shown on its thread's page.
        reply = page.locator("article.comment", has_text="Paralegals were paid by the district councils")
        expect(reply).to_be_visible()
        expect(reply).to_have_class(re.compile(r"\bdepth-1\b"))
        expect(page.locator(f"#comment-{parent.pk}")).to_be_visible()
        reply_id = int(reply.get_attribute("id").removeprefix("comment-"))
        expect(page).to_have_url(re.compile(rf"#comment-{reply_id}$"))
    finally:
        context.close()
    assert room.comments.get(pk=reply_id).parent_id == parent.pk
    assert offsite_requests == []
