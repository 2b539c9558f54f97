"""Shared test set-up: personas per municipality, the product on the Graph stand-in, and
Debian's Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from ordstyrer.moderation.models import ModerationAction
from ordstyrer.tenants.models import Municipality, Role
from ordstyrer_fakegraph import FakeGraph
from tests.factories import MunicipalityFactory, person_with_roles


@dataclass
class Personas:
    """Named people of one municipality, plus an outsider from another one."""

    municipality: Municipality
    communications: Any
    chief_administrator: Any
    unit_leader: Any
    crisis_leader: Any
    archivist: Any
    employee: Any
    outsider: Any


def make_personas(slug: str = "testby", preset: str = "indre-fosen") -> Personas:
    municipality = MunicipalityFactory(slug=slug, name=f"{slug.title()} kommune", preset=preset)
    other = MunicipalityFactory(slug=f"{slug}-nabo", name="Nabokommune", preset="gausdal")
    return Personas(
        municipality=municipality,
        communications=person_with_roles(
            municipality, Role.COMMUNICATIONS, username=f"{slug}-kom", first_name="Kari"
        ),
        chief_administrator=person_with_roles(
            municipality, Role.CHIEF_ADMINISTRATOR, username=f"{slug}-radmann"
        ),
        unit_leader=person_with_roles(municipality, Role.UNIT_LEADER, username=f"{slug}-leder"),
        crisis_leader=person_with_roles(municipality, Role.CRISIS_LEADER, username=f"{slug}-krise"),
        archivist=person_with_roles(municipality, Role.ARCHIVIST, username=f"{slug}-arkiv"),
        employee=person_with_roles(municipality, username=f"{slug}-ansatt"),
        outsider=person_with_roles(other, Role.COMMUNICATIONS, username=f"{slug}-utenfra"),
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many logins.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


# --- The product on the Graph stand-in ---------------------------------------------------


@pytest.fixture
def graph(settings, monkeypatch) -> Iterator[FakeGraph]:
    """The Graph stand-in on loopback with the product's settings pointed at it; tasks
    queued on commit run at once, in the test's thread. (tests/platforms has a `graph`
    of its own: a frozen clock and the login dialog.)"""
    # Imported here: tests/publishing/conftest.py imports this module.
    from tests.publishing.conftest import product_on_graph

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with product_on_graph(settings, monkeypatch) as fake:
        yield fake


@pytest.fixture
def run(django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """Run a service (or the outbox sweep) and everything it queued on commit; a
    moderation action it returns is read again."""

    def call(fn: Callable[..., Any], **kwargs: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(**kwargs)
        if isinstance(result, ModerationAction):
            result.refresh_from_db()
        return result

    return call


# --- Browser tests: Debian's chromium, never a downloaded browser ----------------------

CHROMIUM = os.environ.get("ORDSTYRER_CHROMIUM") or shutil.which("chromium")


NO_BROWSER = (
    "NO BROWSER: Debian's chromium was not found (apt-get install chromium, or set "
    "ORDSTYRER_CHROMIUM). The console's browser and accessibility tests did NOT run."
)


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "browser" in item.keywords]
    if not browser_items or CHROMIUM or os.environ.get("CI"):
        return
    config.issue_config_time_warning(pytest.PytestWarning(NO_BROWSER), stacklevel=2)
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=NO_BROWSER))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """In CI a missing browser fails each browser test before its fixtures start, never a
    skip (a marker added at collection cannot add a fixture: pytest fixes an item's
    fixtures when it is made), and never Playwright's advice to download a browser."""
    if not CHROMIUM and os.environ.get("CI") and "browser" in item.keywords:
        pytest.fail("CI needs Debian's chromium for the browser tests; it was not found.")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nb-NO"}


def pytest_configure(config):
    # Playwright's sync API keeps an event loop on the test thread; the test code
    # itself only talks to the database synchronously.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
