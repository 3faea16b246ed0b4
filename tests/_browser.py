"""Debian's chromium driven by Playwright, offline: shared by the browser tests.

Playwright's own browser download cannot work offline, so the tests use
``/usr/bin/chromium`` (``make test`` installs it when run as root). Without it
a browser test skips with a message, except under ``CI=true`` where it fails.
"""
from pathlib import Path

import pytest

from conftest import ON_CI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    # No DNS: a request that slipped past the route handler still cannot leave.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def no_browser(reason):
    """Skip (fail under CI=true) because the browser cannot run."""
    message = (f"browser test needs Debian's chromium and the playwright package: {reason}. "
               "`make test` installs chromium when run as root (apt-get install chromium).")
    if ON_CI:
        pytest.fail(f"CI=true, so this cannot be skipped: {message}")
    pytest.skip(message)


def launch():
    """Yield a launched chromium; use it as a module-scoped fixture.

    Module scope matters: Playwright's sync API runs an event loop while it is
    open, so two modules' browsers must not be open at the same time.
    """
    if not CHROMIUM.exists():
        no_browser(f"{CHROMIUM} not found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        no_browser(f"cannot import playwright ({exc})")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
