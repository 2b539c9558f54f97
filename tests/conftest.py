"""Shared test set-up: personas per municipality, and Debian's Chromium for browser tests."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any

import pytest

from ordstyrer.tenants.models import Municipality, Role
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


# --- Browser tests: Debian's chromium, never a downloaded browser ----------------------

CHROMIUM = os.environ.get("ORDSTYRER_CHROMIUM") or shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if "browser" in item.keywords]
    if not browser_items or CHROMIUM:
        return
    message = (
        "NO BROWSER: Debian's chromium was not found (apt-get install chromium, or set "
        "ORDSTYRER_CHROMIUM). The console's browser and accessibility tests did NOT run."
    )
    if os.environ.get("CI"):
        # In CI a missing browser is a failure, never a skip.
        for item in browser_items:
            item.add_marker(pytest.mark.usefixtures("_fail_without_browser"))
        return
    config.issue_config_time_warning(pytest.PytestWarning(message), stacklevel=2)
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture
def _fail_without_browser():
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
