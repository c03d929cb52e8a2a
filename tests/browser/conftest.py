"""The browser-test harness: the real ASGI app under daphne, driven by Debian's Chromium.

pytest-django's live_server speaks only WSGI, so a daphne process is started on a free loopback port
against the test database (a file for SQLite, the test database for PostgreSQL) and serves static
files the production way (collectstatic + whitenoise).
"""

import os

import pytest

from tests.servers import DaphneServer, chromium_path

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make from that
# thread are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def daphne_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """One daphne process for the whole session; each test still gets a flushed database."""
    server = DaphneServer(tmp_path_factory.mktemp("daphne"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(daphne_server, transactional_db):
    daphne_server.clear_mail()
    return daphne_server


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser, server):
    """Open a page in a fresh context: each call is a separate person with their own cookies."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(base_url=server.url, **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
