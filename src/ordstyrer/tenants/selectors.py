"""Reads about municipalities, roles and the effective policy."""

from __future__ import annotations

from ordstyrer.policy import Policy, load_policy
from ordstyrer.tenants.models import Municipality, PolicyVersion


def policy_version_current(*, municipality: Municipality) -> PolicyVersion | None:
    return municipality.policy_versions.order_by("-number").first()


def policy_for(*, municipality: Municipality) -> Policy:
    """The municipality's effective policy: its preset with the latest overrides, under
    its own name (`Policy.adopted_by`: not another municipality's addresses)."""
    version = policy_version_current(municipality=municipality)
    overrides = version.overrides if version and version.preset == municipality.preset else {}
    policy = load_policy(municipality.preset, overrides)
    return policy.adopted_by(slug=municipality.slug, name=municipality.name)


def policy_versions(*, municipality: Municipality) -> list[PolicyVersion]:
    return list(municipality.policy_versions.select_related("changed_by").order_by("-number"))
