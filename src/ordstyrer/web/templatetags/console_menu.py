"""`{% console_menu %}`: the main menu of every console page, built in Python.

The menu was a dozen `url` and `translate` tags in `base.html`, rendered on every page:
about half of the shell's template time on the inbox list, the busiest page (#14). Which
links a person sees depends only on the language, the municipality and what the person
may do there (their roles, whether they read a moderation log or publish, whether they see
the crisis page, whether they belong to more than one municipality) and, for the URLs,
the script prefix. Those are the key of a small per-process cache of the built links;
nothing else goes in, so a language switch, another municipality or another set of
rights is another entry — never another's menu.
The entry only holds translations and URLs, which do not change while a process runs.
The current page's link gets `aria-current` after the lookup.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from typing import Any, NamedTuple

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ordstyrer.moderation.templatetags.moderation import may_moderate_in
from ordstyrer.publishing.templatetags.publishing_tags import may_publish_in
from ordstyrer.tenants.models import Role

register = template.Library()


class MenuKey(NamedTuple):
    """Everything the menu's links depend on."""

    language: str
    prefix: str  # the script prefix `reverse` puts before every path
    slug: str  # "" outside a municipality: only the switcher, if any
    archive: bool  # communications or archivist (the archive)
    deadletters: bool  # communications (the failed webhook deliveries)
    moderate: bool
    publish: bool
    crisis: bool
    several: bool  # member of more than one municipality: the switcher


class Link(NamedTuple):
    url: str
    plain: str  # the `<li>`
    current: str  # the same, marked as the page shown


def _link(url: str, label: str) -> Link:
    url, label = escape(url), escape(label)
    return Link(
        url,
        f'<li><a href="{url}">{label}</a></li>',
        f'<li><a href="{url}" aria-current="page">{label}</a></li>',
    )


@lru_cache(maxsize=512)
def links(key: MenuKey) -> tuple[Link, ...]:
    """The menu's links for `key`, in the menu's order (built under `key.language`)."""
    out = []
    if key.slug:
        slug = [key.slug]
        wanted = [
            ("dashboard", _("Oversikt"), True),
            ("check", _("Sjekk tekst"), True),
            ("channels:list", _("Kanaler"), True),
            ("inbox:list", _("Innboks"), True),
            ("moderation:log", _("Moderering"), key.moderate),
            ("publishing:index", _("Publisering"), key.publish),
            ("publishing:private_check", _("Før du poster privat"), True),
            ("guideline", _("Retningslinjer"), True),
            ("house_rules", _("Husregler"), True),
            ("archive:list", _("Arkiv"), key.archive),
            ("platforms_deadletters:list", _("Mottaksfeil"), key.deadletters),
            ("crisis:index", _("Krise"), key.crisis),
            ("policy_settings", _("Innstillinger"), True),
        ]
        out = [_link(reverse(name, args=slug), label) for name, label, shown in wanted if shown]
    if key.several:
        # Not marked as the current page: the start page lists the municipalities.
        home = _link(reverse("home"), _("Bytt kommune"))
        out.append(Link("", home.plain, home.plain))
    return tuple(out)


def menu_key(context: Any) -> MenuKey:
    """The cache key of the person's menu on this page. The roles and the other
    municipalities come from the request's `Actor` where there is one; whether the
    person moderates or publishes may take a query each (`may_moderate_in`,
    `may_publish_in`)."""
    from ordstyrer.core.permissions import municipalities_for, roles_in

    request = context["request"]
    user = request.user
    municipality = context.get("current_municipality")
    actor = getattr(request, "actor", None)
    if (
        municipality is not None
        and actor is not None
        and actor.member_elsewhere is not None
        and actor.municipality.pk == municipality.pk
    ):
        several = actor.member_elsewhere  # read with the roles (`actor_in`)
    else:  # ids, two at most: whether there is more than one
        several = len(municipalities_for(user).order_by().values_list("pk", flat=True)[:2]) > 1
    language = get_language() or ""
    prefix = get_script_prefix()
    if municipality is None:
        return MenuKey(language, prefix, "", False, False, False, False, False, several)
    roles = roles_in(actor or user, municipality)
    return MenuKey(
        language,
        prefix,
        municipality.slug,
        archive=bool(roles & {Role.COMMUNICATIONS, Role.ARCHIVIST}),
        deadletters=Role.COMMUNICATIONS in roles,
        moderate=may_moderate_in(context, municipality),
        publish=may_publish_in(context, municipality),
        crisis=bool(context.get("crisis_menu")),
        several=several,
    )


@register.simple_tag(takes_context=True)
def console_menu(context: Any) -> SafeString:
    """The `<li>` links of the signed-in person's main menu."""
    path = context["request"].path
    # Every part is escaped in `_link`.
    return mark_safe(  # noqa: S308
        "".join(
            link.current if link.url == path else link.plain for link in links(menu_key(context))
        )
    )
