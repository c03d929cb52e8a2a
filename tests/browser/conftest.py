"""The browser-test harness: the real ASGI app under daphne, driven by Debian's Chromium.

pytest-django's live_server speaks only WSGI, so a daphne process is started on a free loopback port
against the test database (a file for SQLite, the test database for PostgreSQL) and serves static
files the production way (collectstatic + whitenoise).
"""

import contextlib
import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.processes import CHROMIUM_ARGS
from tests.servers import DaphneServer, chromium_path

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make from that
# thread are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Two cores shared with other test runs: what a page shows may take longer than Playwright's 5 s.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="package")
def daphne_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """One daphne process for the browser tests; each test still gets a flushed database."""
    server = DaphneServer(tmp_path_factory.mktemp("daphne"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(daphne_server, transactional_db):
    daphne_server.clear_mail()
    yield daphne_server
    # The pages are closed by now; let the server finish telling the room they left before the
    # database is flushed, or the flush and a leave transaction can deadlock on PostgreSQL.
    wait_until_nobody_is_in_a_call()


def wait_until_nobody_is_in_a_call(timeout=5):
    from meetings.models import Participant

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Participant.objects.filter(status__in=Participant.ACTIVE).exclude(channel_name="").exists():
            return
        time.sleep(0.05)


# Package scope, not session: Playwright's sync API keeps an event loop running in the main thread
# while it is started, and the async tests that run after the browser tests need that thread free.
@pytest.fixture(scope="package")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="package")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.failed_in_call = report.failed
    return report


@pytest.fixture
def new_page(browser, server, request):
    """Open a page in a fresh context: each call is a separate person with their own cookies.

    Every page's console is recorded; when the test fails, a screenshot and the console of each page
    are saved under test-artifacts/<test name>/.
    """
    contexts = []
    pages = []

    def make(**context_options):
        context = browser.new_context(base_url=server.url, **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.console_lines = []
        page.on("console", lambda message: page.console_lines.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: page.console_lines.append(f"pageerror: {error}"))
        pages.append(page)
        return page

    yield make
    if getattr(request.node, "failed_in_call", False):
        folder = ARTIFACTS / "failures" / request.node.name
        folder.mkdir(parents=True, exist_ok=True)
        for index, page in enumerate(pages):
            with contextlib.suppress(Exception):
                page.screenshot(path=str(folder / f"page{index}.png"))
            (folder / f"page{index}-console.txt").write_text("\n".join(page.console_lines))
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def signed_in_page(new_page, server):
    """A page whose context is logged in as `user` (a session made in the shared test database)."""
    from django.test import Client

    def make(user, **context_options):
        client = Client()
        client.force_login(user)
        page = new_page(**context_options)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}]
        )
        return page

    return make


@pytest.fixture
def make_meeting(alice):
    """Meetings hosted by alice that people may enter before her unless told otherwise."""
    from meetings import services

    def make(**fields):
        fields = {"title": "Design review", "join_before_host": True, **fields}
        return services.meeting_create(host=alice, **fields)

    return make


@pytest.fixture
def meeting(make_meeting):
    return make_meeting()


@pytest.fixture
def restartable_server(server, daphne_server):
    """The session's daphne, for a test that stops and starts it; it is listening again afterwards."""
    yield daphne_server
    if daphne_server.process is None or daphne_server.process.poll() is not None:
        daphne_server.start()
