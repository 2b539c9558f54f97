"""Console pages of moderation: thin, they call selectors and services.

The actions are posted from the inbox item page ("Moderering", `_actions.html`) and go
back there; the log lists every action with its ground, who, and how far the platform
call has come. Every page resolves the municipality through `municipality_view` and the
item through `inbox.access.access_item`, so an outsider gets 404 on every one of them.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ordstyrer.channels.models import Channel
from ordstyrer.core.console import (
    Already,
    Done,
    MunicipalityRequest,
    act,
    act_on_form,
    fail_message,
    form_errors,
    municipality_view,
    submit_form,
)
from ordstyrer.core.errors import NotPermitted, ServiceError
from ordstyrer.core.ids import parse_id
from ordstyrer.core.permissions import not_found, roles_in
from ordstyrer.core.reports import csv_cell, report_period
from ordstyrer.inbox import privacy
from ordstyrer.inbox.access import access_item
from ordstyrer.inbox.models import InboxItem
from ordstyrer.moderation import (
    bans,
    configuration,
    crisis_notices,
    notice_followup,
    preview,
    selectors,
    services,
)
from ordstyrer.moderation.access import access_action, log_channel_ids, may_remove
from ordstyrer.moderation.actions import settings_or_default
from ordstyrer.moderation.auto import rule_text
from ordstyrer.moderation.forms import (
    BanForm,
    HideForm,
    RejectForm,
    RemoveForm,
    SettingsForm,
    UnbanForm,
)
from ordstyrer.moderation.grounds import allowed_grounds, ground_label
from ordstyrer.moderation.models import ActionStatus, ModerationAction, NoticeState
from ordstyrer.moderation.reports import count_chart, moderation_by_ground, totals_by_ground
from ordstyrer.moderation.with_post import WAIT
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import policy_for


def _lang() -> str:
    """The console's language for the guideline's labels (grounds, categories): nb, nn or en."""
    lang = (get_language() or "nb")[:2]
    return lang if lang in ("nb", "nn", "en") else "nb"


def _back(item: InboxItem) -> str:
    url = reverse("inbox:detail", args=[item.channel.municipality.slug, item.pk])
    return f"{url}#moderering"


def _form_kwargs(item: InboxItem) -> dict[str, Any]:
    """A removal form's grounds (MO-1) and the policy whose rules its texts cite."""
    policy = policy_for(municipality=item.municipality)
    grounds = [(code, ground_label(code, _lang())) for code in allowed_grounds(policy)]
    return {"grounds": grounds, "policy": policy}


def _id_privacy(request: MunicipalityRequest, item: InboxItem) -> dict[str, bool]:
    """PU-1 (#18): national ID numbers on a moderation page are masked as on the item's
    own page, and shown only where this person has shown them there («Vis
    fødselsnummer»: `inbox.privacy`, audited, for a while) — so a moderator judging the
    comment (MO-1: a breach of confidentiality or privacy?) sees what they revealed."""
    return {
        "ids_revealed": privacy.is_revealed(request, item),
        "may_reveal_ids": privacy.may_reveal(request.actor, item)
        and privacy.holds_national_id(item),
    }


def _deletion_wording(item: InboxItem) -> str:
    """How the municipality's guideline puts deleting (MO-1), for the pages' own words:
    a code of `policy.tables.HOUSE_RULES_DELETION` (the preset's `[house_rules].deletion`:
    «svært høy terskel» is Indre Fosen's, not every municipality's), or "" for none."""
    return policy_for(municipality=item.municipality).preset.house_rules.deletion or ""


# A moderation action a person may not take is a message on the item's page, not a 403.
REFUSED = (ServiceError, NotPermitted)


def _posted(
    request: MunicipalityRequest,
    municipality: Municipality,
    pk: int,
    form_class: type[Any],
    call: Callable[[InboxItem, dict[str, Any]], Any],
    *,
    done: Done,
    grounds: bool = False,
) -> HttpResponse:
    """A panel form posted: parsed (with the municipality's grounds if it offers them),
    then `call(item, cleaned_data)` calls the service; back to the item's panel."""
    item = access_item(user=request.actor, id=pk, slug=municipality.slug, need="view")
    form = form_class(request.POST, **(_form_kwargs(item) if grounds else {}))
    return act_on_form(
        request, form, lambda data: call(item, data), to=_back(item), done=done, refused=REFUSED
    )


@municipality_view(need="inbox")
@require_POST
def hide(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    def call(item: InboxItem, data: dict[str, Any]) -> Any:
        return services.comment_hide(
            actor=request.actor,
            item=item,
            ground=data["ground"],
            justification=data["justification"],
            intent_key=data["intent_key"],
        )

    done = _("Kommentaren skjules på plattformen.")
    return _posted(request, municipality, pk, HideForm, call, done=done, grounds=True)


@municipality_view(need="inbox")
@require_POST
def unhide(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    item = access_item(user=request.actor, id=pk, slug=municipality.slug, need="view")
    return act(
        request,
        lambda: services.comment_unhide(
            actor=request.actor,
            item=item,
            justification=request.POST.get("justification", ""),
            intent_key=request.POST.get("intent_key", ""),
        ),
        to=_back(item),
        done=_("Kommentaren vises igjen på plattformen."),
        refused=REFUSED,
    )


# A refusal the person can put right in the form itself, by its `ServiceError.code`:
# shown beside that field with what they typed kept (not a message over the item page).
REFUSAL_FIELDS = {
    "justification": "justification",
    "ground_not_allowed": "ground",
    "unsupported": "manual",
}


def _removal(
    request: MunicipalityRequest,
    municipality: Municipality,
    pk: int,
    kind: str,
    form_class: type[RemoveForm],
    call: Callable[[InboxItem, dict[str, Any]], ModerationAction],
    done: Callable[[ModerationAction], str],
) -> HttpResponse:
    """Delete or ban in two posts (a deliberate act, MO-1): the panel's form shows the
    confirmation (what is archived, the ground in the guideline's own words, the notice);
    only the confirmation's «Bekreft …» (`confirmed=1`) calls the service.

    A form the person can put right (no ground, too short a justification) comes back
    with their ground and text kept and the error beside the field (400)."""
    item = access_item(user=request.actor, id=pk, slug=municipality.slug, need="view")
    form = form_class(request.POST, **_form_kwargs(item), auto_id=f"mod_{kind}_%s")
    if not form.is_valid():
        return _removal_form(request, item, kind, form)
    data = form.cleaned_data
    if request.POST.get("confirmed") == "1":
        return act(request, lambda: call(item, data), to=_back(item), done=done, refused=REFUSED)
    try:
        shown = preview.removal_preview(
            actor=request.actor,
            item=item,
            kind=kind,  # type: ignore[arg-type]
            ground=data["ground"],
            justification=data["justification"],
            notify=data["notify"],
            manual=bool(data.get("manual")),
            lang=_lang(),
        )
    except REFUSED as exc:
        field = REFUSAL_FIELDS.get(getattr(exc, "code", ""))
        if isinstance(exc, ServiceError) and field in form.fields:
            form.add_error(field, _refusal_text(exc))
            return _removal_form(request, item, kind, form)
        fail_message(request, exc)
        return redirect(_back(item))
    return render(
        request,
        "moderation/confirm.html",
        {
            "preview": shown,
            "form": form,
            "notify_posted": bool(data["notify"]),
            "action_url": request.path,
            "deletion_wording": _deletion_wording(item),
            **_id_privacy(request, item),
        },
    )


def _refusal_text(exc: Exception) -> str:
    """A refusal as `fail_message` words it: with its rule id where the text lacks it."""
    message = str(getattr(exc, "message", None) or exc)
    rule = getattr(exc, "rule", None)
    return f"{message} ({rule})" if rule and rule not in message else message


def _removal_form(
    request: MunicipalityRequest, item: InboxItem, kind: str, form: RemoveForm
) -> HttpResponse:
    """The delete or ban form again, as posted, with its errors beside the fields and the
    comment above it (400). The form lives in the inbox item's panel, which the
    moderation app cannot render with a bound form, so it is shown on a page of its own;
    the next post goes on to the confirmation as from the panel. Someone who may not
    delete or ban gets the reason on the item page, as before."""
    panel = selectors.item_panel(user=request.actor, item=item)
    shows = panel.may_remove and bool(panel.grounds) and not item.removed_at
    if kind == "delete":
        shows = shows and not panel.deletion and not panel.pending_delete
    else:
        shows = (
            shows and bool(item.author_platform_id) and panel.ban is None and not panel.ban_running
        )
    if not shows:
        form_errors(request, form)
        return redirect(_back(item))
    return render(
        request,
        "moderation/removal.html",
        {
            "panel": panel,
            "kind": kind,
            "form": form,
            "written_at": preview.written_at(item),
            "deletion_wording": _deletion_wording(item),
            **_id_privacy(request, item),
        },
        status=400,
    )


@municipality_view(need="inbox")
@require_POST
def delete(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    def call(item: InboxItem, data: dict[str, Any]) -> ModerationAction:
        return services.comment_delete(
            actor=request.actor,
            item=item,
            ground=data["ground"],
            justification=data["justification"],
            notify=data["notify"],
            intent_key=data["intent_key"],
        )

    def done(action: ModerationAction) -> str:
        if action.status == ActionStatus.PENDING_APPROVAL:
            return _(
                "Slettingen venter på godkjenning fra en person til. Kommentaren er skjult så "
                "lenge."
            )
        return _("Kommentaren er arkivert og slettes nå.")

    return _removal(request, municipality, pk, "delete", RemoveForm, call, done)


@municipality_view(need="inbox")
@require_POST
def ban(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    def call(item: InboxItem, data: dict[str, Any]) -> ModerationAction:
        return bans.author_ban(
            actor=request.actor,
            item=item,
            ground=data["ground"],
            justification=data["justification"],
            manual=data["manual"],
            notify=data["notify"],
            intent_key=data["intent_key"],
        )

    def done(action: ModerationAction) -> str:
        if action.status == ActionStatus.RECORDED:
            return _("Utestengingen er registrert og arkivert.")
        return _("Personen utestenges fra kanalen.")

    return _removal(request, municipality, pk, "ban", BanForm, call, done)


@municipality_view(need="inbox")
@require_POST
def unban(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    def call(item: InboxItem, data: dict[str, Any]) -> Any:
        return bans.author_unban(
            actor=request.actor,
            item=item,
            justification=data["justification"],
            manual=data["manual"],
            intent_key=data["intent_key"],
        )

    done = _("Utestengingen er opphevet.")
    return _posted(request, municipality, pk, UnbanForm, call, done=done)


# --- actions in the log ---------------------------------------------------------------------


def _next(request: HttpRequest, action: ModerationAction, municipality: Municipality) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith(f"/m/{municipality.slug}/") and "//" not in target:
        return target
    return _back(action.item)


def _approval_page(
    request: MunicipalityRequest,
    action: ModerationAction,
    municipality: Municipality,
    *,
    reject_form: RejectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The second approver's confirmation: what the approval deletes, archives and sends,
    with «Bekreft sletting» and the rejection beside it. Refused (not waiting any more,
    one's own request, no longer allowed): the reason, back where the person came from."""
    to = _next(request, action, municipality)
    try:
        shown = preview.approval_preview(actor=request.actor, action=action, lang=_lang())
    except REFUSED as exc:
        fail_message(request, exc)
        return redirect(to)
    return render(
        request,
        "moderation/approve.html",
        {
            "preview": shown,
            "next": to,
            "reject_form": reject_form or RejectForm(auto_id="reject_%s"),
            "deletion_wording": _deletion_wording(action.item),
            **_id_privacy(request, action.item),
        },
        status=status,
    )


@municipality_view(need="read")
@require_http_methods(["GET", "POST"])
def approve(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Approve a deletion waiting for a second person (MO-1, MO-5). The approval is what
    deletes, so it is a deliberate act like the request: the log's and the panel's
    «Godkjenn» open the confirmation (GET, or a post without `confirmed=1`), and only
    its «Bekreft sletting» calls the service. A replayed confirmation acts once: the
    service returns the first approval, and the page says it was decided already."""
    action = access_action(user=request.actor, id=pk, municipality=municipality)
    if request.method != "POST" or request.POST.get("confirmed") != "1":
        return _approval_page(request, action, municipality)
    decided = action.status != ActionStatus.PENDING_APPROVAL

    def done(_approved: ModerationAction) -> str:
        if decided:
            return Already(_("Dette er allerede avgjort."))
        return _("Slettingen er godkjent; kommentaren arkiveres og slettes nå.")

    return act(
        request,
        lambda: services.deletion_approve(actor=request.actor, action=action),
        to=_next(request, action, municipality),
        done=done,
        refused=REFUSED,
    )


@municipality_view(need="read")
@require_POST
def reject(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Turn down (or withdraw) a waiting deletion, from the item's panel or from the
    approval's confirmation page (`review=1`): there a missing reason shows the page
    again with the error beside the field."""
    action = access_action(user=request.actor, id=pk, municipality=municipality)
    form = RejectForm(request.POST, auto_id="reject_%s")
    if request.POST.get("review") == "1" and not form.is_valid():
        return _approval_page(request, action, municipality, reject_form=form, status=400)
    decided = action.status != ActionStatus.PENDING_APPROVAL
    return act_on_form(
        request,
        form,
        lambda data: services.deletion_reject(
            actor=request.actor, action=action, reason=data["reason"]
        ),
        to=_next(request, action, municipality),
        done=Already(_("Dette er allerede avgjort."))
        if decided
        else _("Slettingen er avvist. Kommentaren er fortsatt skjult."),
        invalid=_("Skriv hvorfor slettingen avvises."),
        refused=REFUSED,
    )


@municipality_view(need="read")
@require_POST
def notice_retry(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Send a failed notice again (MO-4): `via=private` or `via=public`."""
    action = access_action(user=request.actor, id=pk, municipality=municipality)
    private = request.POST.get("via") == "private"
    return act(
        request,
        lambda: notice_followup.notice_retry(actor=request.actor, action=action, private=private),
        to=_next(request, action, municipality),
        done=_("Beskjeden sendes på nytt som privat melding.")
        if private
        else _("Beskjeden sendes på nytt som offentlig kommentar, uten navnet."),
        refused=REFUSED,
    )


@municipality_view(need="read")
@require_POST
def notice_by_hand(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    """The author was told another way (MO-4), with a note on how."""
    action = access_action(user=request.actor, id=pk, municipality=municipality)
    return act(
        request,
        lambda: notice_followup.notice_mark_delivered(
            actor=request.actor, action=action, note=request.POST.get("note", "")
        ),
        to=_next(request, action, municipality),
        done=_("Registrert: forfatteren har fått beskjed på en annen måte."),
        refused=REFUSED,
    )


@municipality_view(need="read")
@require_GET
def crisis_notices_page(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """The notices held for the crisis leader (PU-12), each with its text and, for the
    crisis leader and the deputies, «Godkjenn og send beskjeden». The crisis page's queue
    lists posts and replies; the e-mail about a held notice links here."""
    found = selectors.held_notices(user=request.actor, municipality=municipality)
    if found is None:
        raise NotPermitted(
            gettext_lazy(
                "Denne siden er for kriseledelsen og for kanalenes administratorer og kommunikasjon."
            )
        )
    held, approves = found
    return render(
        request,
        "moderation/crisis_notices.html",
        {
            "held": held,
            "may_approve": approves,
            "here": request.get_full_path(),
            # How long a take-down waits for its authors' notices (MO-4).
            "wait_minutes": int(WAIT.total_seconds() // 60),
        },
    )


@municipality_view(need="read")
@require_POST
def notice_crisis_approve(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    """The crisis leader lets a notice held during a crisis go out (PU-12), from the
    page of held notices or the item's panel, where its text is shown in full beside
    the button and what approving does."""
    action = (
        ModerationAction.objects.select_related("item__channel__municipality")
        .filter(pk=pk, municipality=municipality)
        .first()
    )
    if action is None:
        raise not_found()
    decided = action.notice_state != NoticeState.AWAITING_CRISIS_APPROVAL
    return act(
        request,
        lambda: crisis_notices.notice_crisis_approve(actor=request.actor, action=action),
        to=_next(request, action, municipality),
        done=Already(_("Dette er allerede avgjort."))
        if decided
        else _("Beskjeden er godkjent og sendes nå."),
        refused=REFUSED,
    )


@municipality_view(need="read")
@require_GET
def action_page(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    action = access_action(user=request.actor, id=pk, municipality=municipality)
    return render(
        request,
        "moderation/action.html",
        {
            "action": action,
            "steps": selectors.action_detail(action),
            "failed_notices": selectors.mark_followups([action], action.item),
            "ground_label": ground_label(action.ground, _lang()) if action.ground else "",
            # MO-1: the automatic rule in the console's language, whatever it was stored in.
            "rule_text": rule_text(action.rule) if action.automatic else "",
            "may_view_archive": bool(
                roles_in(request.actor, municipality) & {"communications", "archivist"}
            ),
            **_id_privacy(request, action.item),
        },
    )


@municipality_view(need="read")
@require_GET
def log(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    if not selectors.log_visible_to(request.actor, municipality):
        raise NotPermitted(
            gettext_lazy("Modereringsloggen er for kanalenes administratorer og kommunikasjon.")
        )
    view = request.GET.get("vis") or "all"
    if view not in selectors.LOG_VIEWS:
        view = "all"
    visible = log_channel_ids(request.actor, municipality)
    channels = Channel.objects.filter(municipality=municipality).order_by("name")
    if visible is not None:
        channels = channels.filter(pk__in=visible)
    chosen = parse_id(request.GET.get("kanal"))
    page = selectors.moderation_log(
        user=request.actor,
        municipality=municipality,
        view=view,
        channel_id=chosen,
        page=request.GET.get("side") or 1,
    )
    policy = policy_for(municipality=municipality)
    for action in page:
        action.ground_label = ground_label(action.ground, _lang()) if action.ground else ""
        # The second approver: another person who may delete on that channel (MO-5).
        action.may_act = (
            action.status == ActionStatus.PENDING_APPROVAL
            and action.requested_by_id != request.user.pk
            and may_remove(request.actor, action.channel, policy)
        )
    return render(
        request,
        "moderation/log.html",
        {
            "page": page,
            "view": view,
            "views": [
                ("all", _("Alle")),
                ("waiting", _("Venter")),
                ("failed", _("Feilet")),
                ("flagged", _("Flagget, ikke vurdert")),
            ],
            "counts": selectors.log_counts(user=request.actor, municipality=municipality),
            "channels": list(channels),
            "chosen_channel": chosen,
            "may_view_archive": bool(
                roles_in(request.actor, municipality) & {"communications", "archivist"}
            ),
            "may_configure": bool(
                roles_in(request.actor, municipality) & {"communications", "chief_administrator"}
            ),
        },
    )


@municipality_view(need="manage_policy")
@require_http_methods(["GET", "POST"])
def settings_page(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    current = settings_or_default(municipality)
    policy = policy_for(municipality=municipality)
    mo4 = policy.applies("MO-4")
    citation = policy.citation("MO-4") if mo4 else None
    mo4_words = citation.text if citation else ""
    initial = {
        "second_approver": current.second_approver,
        "notify_author": mo4 or current.notify_author,
        "notice_delivery": current.notice_delivery,
        "complaint_address": current.complaint_address,
    }
    rules = list(current.auto_rules)
    if request.method == "POST":
        form = SettingsForm(
            request.POST, rules=rules, mo4=mo4, mo4_words=mo4_words, initial=initial
        )
        saved = submit_form(
            request,
            form,
            lambda data: configuration.moderation_settings_update(
                actor=request.actor,
                municipality=municipality,
                second_approver=data["second_approver"],
                notify_author=data["notify_author"],
                notice_delivery=data["notice_delivery"],
                complaint_address=data["complaint_address"],
                auto_rules=form.rules(),
            ),
            to=reverse("moderation:settings", args=[municipality.slug]),
            done=_("Innstillingene for moderering er lagret."),
        )
        if saved is not None:
            return saved
    else:
        form = SettingsForm(rules=rules, mo4=mo4, mo4_words=mo4_words, initial=initial)
    return render(
        request,
        "moderation/settings.html",
        {
            "form": form,
            "grounds": [ground_label(code, _lang()) for code in allowed_grounds(policy)],
            "citation": policy.citation("MO-1"),
            "mo4_citation": citation,
            "settings": current,
            # The website the notice names: the municipality's identity (`policy_for`).
            "notice_website": policy.domains[0] if policy.domains else "",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


REPORT_DEFAULT_DAYS = 365
REPORT_MAX_DAYS = 3 * 366


def _report_rows(request: MunicipalityRequest, municipality: Municipality):
    if not selectors.log_visible_to(request.actor, municipality):
        raise NotPermitted(
            gettext_lazy("Modereringsloggen er for kanalenes administratorer og kommunikasjon.")
        )
    since, until = report_period(
        request, default_days=REPORT_DEFAULT_DAYS, max_days=REPORT_MAX_DAYS
    )
    rows = moderation_by_ground(
        user=request.actor, municipality=municipality, since=since, until=until, lang=_lang()
    )
    return since, until, rows


@municipality_view(need="read")
@require_GET
def report(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """Moderation by ground and month (MO-1), as a chart and a table."""
    since, until, rows = _report_rows(request, municipality)
    totals = totals_by_ground(rows)
    return render(
        request,
        "moderation/report.html",
        {
            "rows": rows,
            "totals": totals,
            "chart": count_chart(totals),
            "since": since,
            "until": until,
            # MO-1: the lead says deleting in the guideline's words (`_deletion_wording`).
            "deletion_wording": policy_for(municipality=municipality).preset.house_rules.deletion
            or "",
        },
    )


@municipality_view(need="read")
@require_GET
def report_csv(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    since, until, rows = _report_rows(request, municipality)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="moderering-{municipality.slug}-{since}-{until}.csv"'
    )
    response.write("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("Måned"), _("Grunnlag"), _("Skjult"), _("Slettet"), _("Utestengt")])
    for row in rows:
        ground = row.label or _("uten grunnlag")
        values = (row.month.strftime("%Y-%m"), ground, row.hidden, row.deleted, row.banned)
        writer.writerow([csv_cell(v) for v in values])
    return response
