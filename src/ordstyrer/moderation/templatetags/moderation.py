"""`{% moderation_panel %}`: the "Moderering" part of the inbox item page.

The inbox's item template includes `moderation/_actions.html`, which calls this tag with
the page's context (`item`, `request`); the panel's data comes from one selector.
"""

from __future__ import annotations

from typing import Any

from django import template

from ordstyrer.core.intents import new_intent_key
from ordstyrer.inbox.widgets import RENDERER
from ordstyrer.moderation.actions import moderated_kind
from ordstyrer.moderation.forms import BanForm, HideForm, RejectForm, RemoveForm, UnbanForm
from ordstyrer.moderation.selectors import Panel, item_panel
from ordstyrer.policy import Policy
from ordstyrer.tenants.selectors import policy_for

register = template.Library()


@register.inclusion_tag("moderation/_panel.html", takes_context=True)
def moderation_panel(context: Any) -> dict[str, Any]:
    request = context.get("request")
    item = context.get("item")
    user = getattr(request, "user", None)
    out: dict[str, Any] = {
        "panel": None,
        "csrf_token": context.get("csrf_token"),
        "current_municipality": context.get("current_municipality"),
        "works": context.get("works"),
        "request": request,
        "policy": context.get("policy"),  # which rules the page may cite
        # PU-1: the item page's audited «Vis fødselsnummer» (`inbox.privacy`) holds here too.
        "ids_revealed": bool(context.get("ids_revealed")),
    }
    if item is None or user is None or not user.is_authenticated:
        return out
    if not moderated_kind(item):
        # A message or an employee's report (DI-11) is nothing on the platform to hide,
        # delete or ban from: no panel at all (the services refuse it too).
        return out
    # The page passes the policy it has read already (`policy`), so it is read once.
    # The person acting with their roles (`request.actor`, read once per request).
    # The crisis menu (`crisis.context`, read for every page already) is shown to the
    # crisis staff: only for them does the panel of someone who does not moderate look
    # for notices held for the crisis leader (PU-12).
    policy = context.get("policy")
    if policy is None:
        policy = policy_for(municipality=item.municipality)
    panel = item_panel(
        user=getattr(request, "actor", user),
        item=item,
        policy=policy,
        crisis_roles=bool(context.get("crisis_menu", True)),
    )
    out["panel"] = panel
    out["here"] = request.get_full_path()
    if panel.may_moderate:
        out.update(_forms(panel, policy))
    return out


def _forms(panel: Panel, policy: Policy) -> dict[str, Any]:
    """Only the forms the panel shows for the item's state (see `_panel.html`); their
    texts cite the rules `policy` applies, no others."""
    item, grounds = panel.item, panel.grounds
    forms: dict[str, Any] = {}
    open_for_removal = not panel.deletion and not item.removed_at
    # Every form gets its own fresh intent key (`core.intents`): one action per post.
    if open_for_removal and not item.hidden and not panel.hide_pending:
        forms["hide_form"] = HideForm(
            grounds=grounds,
            policy=policy,
            initial=_key(),
            auto_id="mod_hide_%s",
            renderer=RENDERER,
        )
    if open_for_removal and item.hidden:
        forms["unhide_key"] = new_intent_key()
    removes = bool(grounds) and panel.may_remove
    if removes and open_for_removal and not panel.pending_delete:
        forms["delete_form"] = RemoveForm(
            grounds=grounds,
            policy=policy,
            initial={"notify": panel.notify_default, **_key()},
            auto_id="mod_delete_%s",
            renderer=RENDERER,
        )
    # A ban or its lifting not finished yet: the opposite act waits (`bans.under_way`).
    if removes and item.author_platform_id and not panel.ban_running:
        if panel.ban:
            forms["unban_form"] = UnbanForm(
                initial=_key(), auto_id="mod_unban_%s", renderer=RENDERER
            )
        else:
            forms["ban_form"] = BanForm(
                grounds=grounds,
                policy=policy,
                initial={"notify": panel.notify_default, **_key()},
                auto_id="mod_ban_%s",
                renderer=RENDERER,
            )
    if panel.pending_delete:
        forms["reject_form"] = RejectForm(auto_id="mod_reject_%s", renderer=RENDERER)
    return forms


@register.simple_tag(takes_context=True)
def may_moderate_in(context: Any, municipality: Any) -> bool:
    """Whether the signed-in person reads a moderation log in `municipality` (the menu:
    communications and the chief administrator, and the channels' administrators)."""
    from ordstyrer.moderation.selectors import log_visible_to

    request = context.get("request")
    user = getattr(request, "user", None)
    if municipality is None or user is None or not user.is_authenticated:
        return False
    return log_visible_to(getattr(request, "actor", user), municipality)


def _key() -> dict[str, str]:
    return {"intent_key": new_intent_key()}
