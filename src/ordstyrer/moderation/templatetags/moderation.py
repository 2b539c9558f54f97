"""`{% moderation_panel %}`: the "Moderering" part of the inbox item page.

The inbox's item template includes `moderation/_actions.html`, which calls this tag with
the page's context (`item`, `request`); the panel's data comes from one selector.
"""

from __future__ import annotations

from typing import Any

from django import template

from ordstyrer.moderation.forms import BanForm, HideForm, RejectForm, RemoveForm, UnbanForm
from ordstyrer.moderation.selectors import item_panel

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
    }
    if item is None or user is None or not user.is_authenticated:
        return out
    panel = item_panel(user=user, item=item)
    grounds = panel.grounds
    notify = {"notify": panel.notify_default}
    out.update(
        {
            "panel": panel,
            "hide_form": HideForm(grounds=grounds, auto_id="mod_hide_%s"),
            "delete_form": RemoveForm(
                grounds=grounds,
                suggested=panel.suggested_ground,
                initial=dict(notify),
                auto_id="mod_delete_%s",
            ),
            "ban_form": BanForm(
                grounds=grounds,
                suggested=panel.suggested_ground,
                initial=dict(notify),
                auto_id="mod_ban_%s",
            ),
            "unban_form": UnbanForm(auto_id="mod_unban_%s"),
            "reject_form": RejectForm(auto_id="mod_reject_%s"),
            "here": request.get_full_path(),
        }
    )
    return out
