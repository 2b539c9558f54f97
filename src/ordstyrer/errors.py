"""Errors shared below the interfaces, without importing any of them (the pure libraries
sit below the CLI and Django: .importlinter). Pure: no Django.

* `UsageError` and the bound on a command's input: what every library's commands share
  with the `ordstyrer` command.
* The domain errors services, selectors and access helpers raise (house style, "HTTP in
  services"), all `DomainError`s: `NotFound` (404: outsiders never learn that a thing
  exists), `NotPermitted` (403: a member without the role), and the refusals a person
  can act on, `ServiceError` with its kinds `Conflict` (409) and `PolicyBlocked` (422
  with findings). `NotFound` and `NotPermitted` are deliberately not `ServiceError`s: a
  view that shows a refusal as a message on the page must not turn an outsider's 404
  into one. Each interface maps them once: the console in `core.middleware`, the API in
  `api.main`, the CLI in `ordstyrer.cli`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

EXIT_USAGE = 2
# A service refused what a command asked for (not found, not permitted, a conflict):
# one line, this exit code.
EXIT_REFUSED = 1
# Input a command reads (a draft, JSON lines) is read up to this many bytes; more is
# refused with one line rather than read into memory (issue #18: 50 MB took 2 GB).
MAX_INPUT_BYTES = 10 * 1024 * 1024
MAX_INPUT_TEXT = "10 MB"


class UsageError(Exception):
    """Bad arguments or unusable input: reported on one line, exit code 2."""


class DomainError(Exception):
    """A refusal by a service, selector or access helper; `message` is a (lazily)
    translated sentence in the user's language, `rule` the guideline rule behind it."""

    def __init__(self, message: Any = "", *, rule: str | None = None, code: str = "invalid"):
        super().__init__(str(message))
        self.message = message
        self.rule = rule
        self.code = code


class ServiceError(DomainError):
    """A write was refused for a reason the user can act on (the console shows it as a
    message on the page; the API answers 422, or 409 for a `Conflict`).

    `message` is a (lazily) translated sentence in the user's language; `rule` names
    the guideline rule behind the refusal where there is one; `code` is a short machine
    name the API shows.
    """


class NotFound(DomainError):
    """There is no such object for this person: it does not exist, or it belongs to a
    municipality they are not a member of (existence does not leak). Console 404, API 404."""

    def __init__(self, message: Any = "", *, rule: str | None = None, code: str = "not_found"):
        super().__init__(message, rule=rule, code=code)


class NotPermitted(DomainError):
    """The person is a member of the municipality but lacks the role (or channel role)
    for this. `roles` names the roles that would allow it, where one would; the message
    says it in words for the 403 page. Console 403, API 403."""

    def __init__(
        self,
        message: Any = "",
        *,
        roles: Iterable[str] = (),
        rule: str | None = None,
        code: str = "forbidden",
    ) -> None:
        super().__init__(message, rule=rule, code=code)
        self.roles = tuple(roles)


class Conflict(ServiceError):
    """The object's state does not allow this (already deleted, already published, one
    crisis at a time). API 409."""

    def __init__(self, message: Any = "", *, rule: str | None = None, code: str = "conflict"):
        super().__init__(message, rule=rule, code=code)


class PolicyBlocked(ServiceError):
    """The municipality's guideline stops this; `findings` says why (a block finding, or
    warnings without a reason). API 422 with the findings."""

    def __init__(
        self,
        message: Any = "",
        *,
        findings: list[Any],
        rule: str | None = None,
        code: str = "invalid",
    ) -> None:
        super().__init__(message, rule=rule, code=code)
        self.findings = findings
