"""Browser tests: Playwright for Python driving Debian's Chromium against live_server.

Without Chromium the suite is skipped with the reason shown; CI sets
NMP_REQUIRE_BROWSER=1, which turns that skip into a failure.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls
# made by the tests themselves (fixtures) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    e2e = [item for item in items if "/tests/e2e/" in str(item.fspath)]
    for item in e2e:
        item.add_marker(pytest.mark.e2e)
    if CHROMIUM or not e2e:
        return
    reason = "Chromium is not installed (apt-get install chromium); the browser suite needs it"
    if os.environ.get("NMP_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"{reason}, and NMP_REQUIRE_BROWSER=1 forbids skipping it.")
    for item in e2e:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def new_page(browser, live_server):
    """Makes pages, each in a fresh browser context; the test fails on any JavaScript error in them."""
    contexts, errors = [], []

    def _make(*, viewport=DESKTOP, javascript=True, locale="nl-NL"):
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport=viewport, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield _make
    for context in contexts:
        context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def content(transactional_db):
    """The real NMP content, loaded into the database the live server reads."""
    from django.core.management import call_command

    call_command("load_nmp_content", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    from topics.models import Topic

    return list(Topic.objects.order_by("number"))


@pytest.fixture
def login(live_server):
    """Log ``user`` in on a Playwright ``page`` without going through the login form.

    Use the real form in tests of the login flow itself; everywhere else this
    keeps tests fast. Usage: ``login(page, user)``. Staff are logged in as if
    they also gave the code from their authenticator app, so the admin opens.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from tests.auth import give_staff_mfa, mark_session_mfa

    def _login(page, user):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "participants.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if user.is_staff:
            give_staff_mfa(user)
            mark_session_mfa(session, user)
        session.save()
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": live_server.url}]
        )
        return user

    return _login


@pytest.fixture(autouse=True)
def _site_url_is_the_live_server(settings, live_server):
    """Links in mails are built from SITE_URL; in the browser tests that is the live server's address."""
    settings.SITE_URL = live_server.url
