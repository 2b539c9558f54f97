"""Console pages of the channel registry: thin, they call selectors and services.

Every page resolves the municipality through `municipality_view` and the channel
through `access_channel`, so an outsider gets 404 on every one of them.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ordstyrer.channels import rules, services, workflow
from ordstyrer.channels.forms import (
    ActivateForm,
    DecisionForm,
    ProposalForm,
    ReasonForm,
    RoleForm,
    members_of,
    text_language,
)
from ordstyrer.channels.models import Channel, ChannelStatus
from ordstyrer.channels.permissions import (
    access_channel,
    has_channel_need,
    may_decide,
    may_edit_proposal,
)
from ordstyrer.channels.roles import channel_role_remove, channel_role_remove_preview
from ordstyrer.channels.selectors import (
    channel_account_list,
    channel_detail_flags,
    channel_events,
    channel_memberships,
    channel_registry,
    channels_awaiting_decision,
    open_review,
    reviews_for,
)
from ordstyrer.core import console
from ordstyrer.core.console import (
    REFUSED,
    Already,
    MunicipalityRequest,
    fail_message,
    municipality_view,
)
from ordstyrer.core.errors import NotPermitted, ServiceError
from ordstyrer.core.ids import parse_id
from ordstyrer.core.intents import clean_intent_key, new_intent_key
from ordstyrer.platforms.connections import connection_disconnect
from ordstyrer.publishing.delivery import scheduled_copies_left
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import policy_for

# The guidance shown beside a proposal: the approval route, the plan, the visual
# profile and "no private pages" (CH-1, CH-2, CH-7, CH-11), where the policy has them.
PROPOSAL_GUIDANCE = ("CH-1", "CH-2", "CH-3", "CH-7", "CH-11")
# The transitions that decide a proposal: a replay of one is answered calmly (`_decide`).
DECISIONS = ("approve", "reject")
# The transitions posted with a reason (`<action>-reason`, read by `_reason`).
REASONED = ("pause", "retire")


def _detail(channel: Channel) -> HttpResponse:
    return redirect("channels:detail", slug=channel.municipality.slug, pk=channel.pk)


@municipality_view()
def channel_list(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    policy = policy_for(municipality=municipality)
    status = request.GET.get("status") or ""
    statuses = [status] if status in ChannelStatus.values else None
    channels = channel_registry(
        municipality=municipality,
        policy=policy,
        today=timezone.localdate(),
        statuses=statuses,
    )
    return render(
        request,
        "channels/list.html",
        {
            "channels": channels,
            "status_choices": ChannelStatus.choices,
            "status": status if statuses else "",
            "awaiting": channels_awaiting_decision(user=request.actor, municipality=municipality),
            "my_reviews": reviews_for(user=request.actor, municipality=municipality),
            "lang": text_language(),
        },
    )


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a cell must not start with a formula character.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@municipality_view()
def account_list_csv(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """CH-8: every official account with its purpose, owner, main admin and status."""
    policy = policy_for(municipality=municipality)
    today = timezone.localdate()
    channels = channel_account_list(municipality=municipality, policy=policy, today=today)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="kontoliste-{municipality.slug}-{today.isoformat()}.csv"'
    )
    response.write("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Navn"),
            _("Plattform"),
            _("Nettadresse"),
            _("Eierenhet"),
            _("Formål"),
            _("Målgruppe"),
            _("Hovedadministrator"),
            _("Status"),
            _("Sist aktiv"),
            _("Flagg"),
        ]
    )
    for channel in channels:
        last = channel.last_activity_at
        writer.writerow(
            [
                _csv_cell(value)
                for value in (
                    channel.name,
                    channel.get_kind_display(),
                    channel.url,
                    channel.unit.name if channel.unit else municipality.name,
                    channel.purpose,
                    channel.audience,
                    ", ".join(
                        m.user.get_full_name() or m.user.username for m in channel.main_admins
                    ),
                    channel.get_status_display(),
                    timezone.localtime(last).strftime("%d.%m.%Y %H:%M") if last else "",
                    " ".join(f"{flag.rule}: {flag.message}" for flag in channel.flags),
                )
            ]
        )
    return response


def _checklist() -> list[tuple[str, str]]:
    return [
        (
            "CH-11",
            _(
                "Kanalen opprettes i kommunens navn først etter godkjenning – aldri som privat side."
            ),
        ),
        ("CH-7", _("Bruk kommunens logo og farger etter den visuelle profilen.")),
        (
            "CH-3",
            _(
                "Utpek minst én hovedadministrator; bare utpekte administratorer og redaktører "
                "publiserer og svarer."
            ),
        ),
        ("CH-10", _("Vis husreglene for siden tydelig når den er i bruk.")),
    ]


def _proposal_context(municipality: Municipality, form: ProposalForm) -> dict[str, Any]:
    policy = policy_for(municipality=municipality)
    lang = text_language()
    checklist = [(rule_id, text) for rule_id, text in _checklist() if policy.applies(rule_id)]
    return {
        "form": form,
        "checklist": checklist,
        "guidance": rules.guidance(policy, PROPOSAL_GUIDANCE, lang),
        "chain": [rules.role_label(code, lang) for code in rules.approval_chain(policy)],
    }


@municipality_view(need="propose_channel")
@require_http_methods(["GET", "POST"])
def propose(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    policy = policy_for(municipality=municipality)
    form = ProposalForm(
        request.POST or None,
        municipality=municipality,
        required_codes=rules.required_plan_fields(policy),
    )
    # The form's intent (`core.intents`): posted again — a double click on «Lagre og
    # send til godkjenning», Back and resend — it proposes nothing a second time (CH-1).
    intent_key = clean_intent_key(request.POST.get("intent_key")) or new_intent_key()
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.channel_propose(
                actor=request.actor,
                municipality=municipality,
                intent_key=intent_key,
                **form.service_kwargs(),
            )
        except services.ProposalReplayed as replay:
            messages.info(request, replay.message)
            return _detail(replay.channel)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            if not request.POST.get("submit_now"):
                messages.success(request, _("Forslaget er lagret som utkast."))
                return _detail(channel)
            try:
                services.channel_submit(actor=request.actor, channel=channel)
            except ServiceError as exc:
                messages.success(request, _("Forslaget er lagret som utkast."))
                fail_message(request, exc)
            else:
                messages.success(request, _("Forslaget er sendt til godkjenning."))
            return _detail(channel)
    context = _proposal_context(municipality, form)
    context["intent_key"] = intent_key
    return render(request, "channels/propose.html", context)


@municipality_view()
@require_http_methods(["GET", "POST"])
def edit(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    channel = access_channel(user=request.actor, id=pk, slug=municipality.slug)
    if not may_edit_proposal(request.actor, channel):
        raise NotPermitted(
            gettext_lazy(
                "Bare den som foreslo kanalen, enhetslederen eller kommunikasjon kan endre den."
            )
        )
    if channel.status not in workflow.EDITABLE:
        messages.error(request, _("Forslaget kan bare endres som utkast eller etter avslag."))
        return _detail(channel)
    policy = policy_for(municipality=municipality)
    # The form shows one main administrator, the first; changing it replaces only them.
    main = channel.memberships.filter(role="main_admin").first()
    initial = {
        "name": channel.name,
        "kind": channel.kind,
        "unit": channel.unit_id,
        "url": channel.url,
        "plan_purpose": channel.purpose,
        "plan_audience": channel.audience,
        "plan_main_admin": main.user_id if main else None,
        **{f"plan_{code}": channel.plan.get(code, "") for code in rules.TEXT_PLAN_FIELDS},
    }
    form = ProposalForm(
        request.POST or None,
        initial=initial,
        municipality=municipality,
        required_codes=rules.required_plan_fields(policy),
    )
    if request.method == "POST":
        saved = console.submit_form(
            request,
            form,
            lambda _data: services.channel_update(
                actor=request.actor,
                channel=channel,
                replaces_main_admin=form.shown_main_admin(),
                **form.service_kwargs(),
            ),
            to=_detail(channel),
            done=_("Forslaget er oppdatert."),
        )
        if saved is not None:
            return saved
    context = _proposal_context(municipality, form)
    context["channel"] = channel
    return render(request, "channels/propose.html", context)


def _chain_steps(channel: Channel, events: list[Any], lang: str) -> list[dict[str, Any]]:
    """The approval chain of the current round, step by step, with who decided."""
    decisions = [
        e
        for e in events
        if e.action in ("approve", "reject") and e.approval_round == channel.approval_round
    ]
    steps = []
    for index, code in enumerate(channel.approval_chain):
        decision = next((e for e in decisions if e.approver_role == code), None)
        if decision is not None and decision.action == "approve" and index < channel.approval_step:
            state = "done"
        elif decision is not None and decision.action == "reject":
            state = "rejected"
        elif index == channel.approval_step and channel.status in workflow.AWAITING_DECISION:
            state = "current"
        else:
            state = "pending"
        steps.append({"role": rules.role_label(code, lang), "state": state, "decision": decision})
    return steps


@municipality_view()
def detail(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    channel = access_channel(user=request.actor, id=pk, slug=municipality.slug)
    policy = policy_for(municipality=municipality)
    lang = text_language()
    events = channel_events(channel=channel)
    actor = request.actor
    may_manage = has_channel_need(actor, channel, "manage")
    allowed = set(workflow.allowed_actions(channel.status))
    plan = [
        (rules.plan_field_label(code, lang), channel.plan.get(code, ""))
        for code in rules.TEXT_PLAN_FIELDS
    ]
    memberships = channel_memberships(channel=channel)
    # Who of them is still active here (can log in and holds a role in the municipality,
    # CH-3): the others are shown «ikke aktiv», to be removed.
    current_ids = set(
        members_of(municipality)
        .filter(pk__in=[m.user_id for m in memberships])
        .order_by()
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "channels/detail.html",
        {
            "channel": channel,
            "flags": channel_detail_flags(channel, policy=policy, today=timezone.localdate()),
            "plan": plan,
            "steps": _chain_steps(channel, events, lang),
            "events": events,
            "memberships": memberships,
            "current_ids": current_ids,
            "review": open_review(channel=channel),
            "may_edit": channel.status in workflow.EDITABLE and may_edit_proposal(actor, channel),
            "may_submit": "submit" in allowed and may_edit_proposal(actor, channel),
            "may_withdraw": "withdraw" in allowed and may_edit_proposal(actor, channel),
            "may_decide": may_decide(actor, channel),
            "may_manage": may_manage,
            "may_activate": may_manage and "activate" in allowed,
            "may_pause": may_manage and "pause" in allowed,
            "may_resume": may_manage and "resume" in allowed,
            "may_retire": may_manage and "retire" in allowed,
            "activate_form": ActivateForm(
                prefix="activate", initial={"url": channel.url, "platform_id": channel.platform_id}
            ),
            "pause_form": ReasonForm(prefix="pause"),
            "retire_form": ReasonForm(prefix="retire"),
            "role_form": RoleForm(prefix="role", municipality=municipality) if may_manage else None,
            "live": channel.status in workflow.LIVE,
        },
    )


@municipality_view()
@require_POST
def act(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """One state transition, named by the posted `action` (retiring and deciding a
    proposal ask for a confirmation first: `_retire`, `_decide`)."""
    channel = access_channel(user=request.actor, id=pk, slug=municipality.slug)
    action = request.POST.get("action", "")
    reason_text = ""
    if action in REASONED:
        reason = _reason(request, action)
        if reason is None:
            return _detail(channel)
        reason_text = reason
    if action == "retire":
        return _retire(request, channel, reason_text)
    if action in DECISIONS:
        return _decide(request, channel, action)
    actor = request.actor
    done = {
        "submit": _("Forslaget er sendt til godkjenning."),
        "withdraw": _("Forslaget er trukket tilbake til utkast."),
        "activate": _("Kanalen er tatt i bruk."),
        "pause": _("Kanalen er satt på pause."),
        "resume": _("Kanalen er i bruk igjen."),
    }
    if action not in done:
        messages.error(request, _("Ukjent handling."))
        return _detail(channel)
    if action == "activate":
        form = ActivateForm(request.POST, prefix="activate")
        if not form.is_valid():
            messages.error(request, _("Sjekk nettadressen."))
            return _detail(channel)
    transitions = {
        "submit": lambda: services.channel_submit(actor=actor, channel=channel),
        "withdraw": lambda: services.channel_withdraw(actor=actor, channel=channel),
        "activate": lambda: services.channel_activate(
            actor=actor,
            channel=channel,
            url=form.cleaned_data["url"],
            platform_id=form.cleaned_data["platform_id"],
        ),
        "pause": lambda: services.channel_pause(actor=actor, channel=channel, reason=reason_text),
        "resume": lambda: services.channel_resume(actor=actor, channel=channel),
    }
    return console.act(request, transitions[action], to=_detail(channel), done=done[action])


def _reason(request: MunicipalityRequest, action: str) -> str | None:
    """The reason posted with `action` (pause, retire), read through its form
    (`ReasonForm`, with the action's prefix): what the form refuses — a NUL byte, which
    PostgreSQL cannot store (a 500 otherwise), or more than it takes — is the detail
    page's error message, and None. A missing reason is the service's to judge: retiring
    asks for one in its own words, pausing takes none."""
    form = ReasonForm(request.POST, prefix=action)
    form.fields["reason"].required = False
    if not form.is_valid():
        console.form_errors(request, form)
        return None
    return str(form.cleaned_data["reason"])


def _decided_message(action: str) -> Already:
    """What a decision replayed by the one who made it says (a double click, the
    browser's back and resend): calmly, instead of a refusal (`_decide`)."""
    if action == "approve":
        return Already(_("Du har allerede godkjent forslaget."))
    return Already(_("Du har allerede avvist forslaget."))


def _decided_already(
    request: MunicipalityRequest, channel: Channel, action: str, approval_round: int | None
) -> bool:
    """Whether the person made this very decision on the proposal in the round the
    confirmation showed (None: its current round)."""
    if approval_round is None:
        rounds = Channel.objects.filter(pk=channel.pk).values_list("approval_round", flat=True)
        return channel.events.filter(
            action=action, approval_round__in=rounds, actor=request.actor.user
        ).exists()
    return channel.events.filter(
        action=action, approval_round=approval_round, actor=request.actor.user
    ).exists()


def _shown_number(value: str) -> int | None:
    """A round or step the confirmation page wrote (0 and up), or None."""
    if not (value.isascii() and value.isdigit()) or len(value) > 5:
        return None
    return int(value)


def _decide(request: MunicipalityRequest, channel: Channel, action: str) -> HttpResponse:
    """Approve or reject (CH-1) in two posts: «Godkjenn …» or «Avvis …» on the detail
    page shows a confirmation of what follows (the next step's approvers are told, or
    the channel becomes approved; or the proposal is rejected with the reason written
    there); only its form (`confirmed=1`) decides, and only the round and step it
    showed (`services.channel_approve(approval_round=…, approval_step=…)`). A replay
    of the person's own decision in that round — before the service, or after it
    waited for the first one's lock (a double click) — is told so as information,
    never the refusal or 403 page that would follow a success; a confirmation of a
    step decided since by someone else, or of an earlier round, decides nothing."""
    form = DecisionForm(request.POST, prefix="decision")
    shown: dict[str, int | None] = {}
    for field, key in (("round", "approval_round"), ("step", "approval_step")):
        raw = request.POST.get(field, "")
        shown[key] = _shown_number(raw) if raw else None
        if raw and shown[key] is None:
            # Not a value this page ever wrote (a hostile or mangled form): decide nothing.
            messages.error(
                request, _("Skjemaet kunne ikke leses. Last inn siden på nytt og prøv igjen.")
            )
            return _detail(channel)
    if _decided_already(request, channel, action, shown["approval_round"]):
        messages.info(request, _decided_message(action))
        return _detail(channel)
    if request.POST.get("confirmed") != "1" or not form.is_valid():
        # Not confirmed yet; or a comment the form refuses (a NUL byte, too long), shown
        # at the field on the confirmation again.
        return _decision_page(request, channel, action, form)
    comment = form.cleaned_data["comment"]
    try:
        if action == "approve":
            services.channel_approve(actor=request.actor, channel=channel, comment=comment, **shown)
        else:
            services.channel_reject(actor=request.actor, channel=channel, reason=comment, **shown)
    except (ServiceError, NotPermitted) as exc:  # `REFUSED`, and the 403
        if _decided_already(request, channel, action, shown["approval_round"]):
            messages.info(request, _decided_message(action))
        elif isinstance(exc, NotPermitted):
            raise
        elif action == "reject" and exc.code != "stale":
            # No reason (or none a reader sees): the confirmation again, as the proposal
            # stands now, with what was written and the service's words at the field.
            form.add_error("comment", exc.message)
            return _decision_page(request, channel, action, form)
        else:
            fail_message(request, exc)
    else:
        done = _("Du har godkjent forslaget.") if action == "approve" else _("Forslaget er avvist.")
        messages.success(request, done)
    return _detail(channel)


def _decision_page(
    request: MunicipalityRequest, channel: Channel, action: str, form: DecisionForm
) -> HttpResponse:
    """The decision's confirmation, as the proposal stands now; a refusal (the step is
    not theirs, the state moved on) is the detail page's message, or the 403 page."""
    try:
        preview = services.channel_decision_preview(
            actor=request.actor, channel=channel, action=action
        )
    except REFUSED as exc:
        fail_message(request, exc)
        return _detail(channel)
    lang = text_language()
    return render(
        request,
        "channels/decide_confirm.html",
        {
            "channel": channel,
            "preview": preview,
            "approve": preview.action == "approve",
            "form": form,
            "role": rules.role_label(preview.role, lang),
            "next_role": rules.role_label(preview.next_role, lang) if preview.next_role else "",
            "step_number": preview.step + 1,
        },
    )


def _retire(request: MunicipalityRequest, channel: Channel, reason: str) -> HttpResponse:
    """Retire in two posts: retiring cannot be undone, and it closes the channel's open
    inbox items, withdraws the replies not yet sent and cancels planned closures (CH-1,
    CH-3). The detail page's form shows the confirmation with those counts; only its
    «Bekreft avvikling» (`confirmed=1`) calls the service. A replayed or double-clicked
    confirmation finds the channel retired (before it, or after waiting for the first
    click's lock) and says so calmly.

    Once retired, the channel's platform connection is disconnected
    (`platforms.connections.connection_disconnect`: the app taken off the Page, the
    token forgotten): a retired channel cannot be connected again, so it must hold no
    token, nor be checked and flagged for a re-authorisation nobody can give. Called
    here, after the service: `channels.services` is reached by the webhooks through the
    inbox, and the platforms' layers (`.importlinter`) keep `connections` out of that."""
    if channel.status == workflow.RETIRED:
        messages.info(request, Already(_("Kanalen er allerede avviklet.")))
        return _detail(channel)
    if request.POST.get("confirmed") != "1":
        try:
            shown = services.channel_retire_preview(
                actor=request.actor, channel=channel, reason=reason
            )
        except REFUSED as exc:
            fail_message(request, exc)
            return _detail(channel)
        return render(
            request, "channels/retire_confirm.html", {"channel": channel, "preview": shown}
        )
    try:
        services.channel_retire(actor=request.actor, channel=channel, reason=reason)
    except REFUSED as exc:
        if Channel.objects.filter(pk=channel.pk, status=workflow.RETIRED).exists():
            messages.info(request, Already(_("Kanalen er allerede avviklet.")))
        else:
            fail_message(request, exc)
    else:
        # The service cancelled the channel's copies on the platform's scheduler while the
        # token still reached it; one it could not is deleted by a person (CH-1).
        left = scheduled_copies_left(channel_id=channel.pk)
        connection_disconnect(actor=request.actor, channel=channel)
        messages.success(request, _("Kanalen er avviklet."))
        if left:
            messages.warning(
                request,
                ngettext(
                    "%(count)s innlegg ligger fortsatt planlagt hos plattformen på kanalen, "
                    "og Ordstyrer fikk ikke slettet det der. Slett det direkte på "
                    "plattformen; innlegget sier når det ellers publiseres.",
                    "%(count)s innlegg ligger fortsatt planlagt hos plattformen på kanalen, "
                    "og Ordstyrer fikk ikke slettet dem der. Slett dem direkte på "
                    "plattformen; innleggene sier når de ellers publiseres.",
                    left,
                )
                % {"count": left},
            )
    return _detail(channel)


@municipality_view()
@require_POST
def roles(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Give, change or take away a role on the channel (CH-3)."""
    channel = access_channel(user=request.actor, id=pk, slug=municipality.slug, need="manage")
    raw = request.POST.get("remove", "")
    if raw:
        return _remove_role(request, channel, raw)
    return console.act_on_form(
        request,
        RoleForm(request.POST, prefix="role", municipality=municipality),
        lambda data: services.channel_role_set(
            actor=request.actor, channel=channel, user=data["user"], role=data["role"]
        ),
        to=_detail(channel),
        done=_("Rollen er lagret."),
        invalid=_("Velg en person og en rolle."),
    )


def _remove_role(request: MunicipalityRequest, channel: Channel, raw: str) -> HttpResponse:
    """A «Fjern …» button of a page opened before the removal asked for a confirmation
    (CH-3): never one click — to the confirmation page (`role_remove`)."""
    person_id = parse_id(raw)
    if person_id is None:
        messages.info(request, Already(_("Rollen er allerede fjernet. Ingenting er endret.")))
        return _detail(channel)
    return redirect(
        "channels:role_remove", slug=channel.municipality.slug, pk=channel.pk, user_id=person_id
    )


def _lost_labels() -> dict[str, str]:
    """What a channel role lets its holder do (`roles.LOST_NEEDS`), as the removal's
    confirmation lists what is lost."""
    return {
        "publish": _("publisere innlegg i kommunens navn"),
        "reply": _("svare på kommentarer og meldinger i kommunens navn"),
        "moderate": _("skjule og slette kommentarer og utestenge brukere"),
        "manage": _("gi og ta roller, ta kanalen i bruk, sette den på pause og stenge den"),
        "review": _("gjennomgå kanalen (CH-6)"),
    }


@municipality_view()
@require_http_methods(["GET", "POST"])
def role_remove(
    request: MunicipalityRequest, municipality: Municipality, pk: int, user_id: int
) -> HttpResponse:
    """Take a person's role on the channel away (CH-3): taking access away is a
    deliberate act, so a confirmation page first says who loses which role on which
    channel and what follows (what they can no longer do there, their open inbox items,
    who still runs the channel — or, for the last active main administrator, that it
    cannot be done until a new one is appointed); only its posted form removes, and only
    the role it showed (`channel_role_remove(role=…)`). Nothing is pre-selected.

    The person is looked up among the channel's own memberships, not among the
    municipality's members: someone who has left (deactivated, or without a role in the
    municipality any longer) is still listed, and must be removable. A replayed
    confirmation (a double click, the browser's back and resend) finds no role to remove
    and says calmly that nothing changed. An outsider gets 404 (`access_channel`)."""
    channel = access_channel(user=request.actor, id=pk, slug=municipality.slug, need="manage")
    person_id = parse_id(user_id)
    membership = (
        channel.memberships.filter(user_id=person_id).select_related("user").first()
        if person_id is not None
        else None
    )
    if membership is None:
        messages.info(request, Already(_("Rollen er allerede fjernet. Ingenting er endret.")))
        return _detail(channel)
    person = membership.user
    if request.method == "POST":
        if request.POST.get("confirmed") != "1":
            messages.error(request, _("Bekreft for å fjerne rollen."))
            return redirect(request.path)
        try:
            removed = channel_role_remove(
                actor=request.actor, channel=channel, user=person, role=request.POST.get("role", "")
            )
        except REFUSED as exc:
            # The page again, as things stand now (its role changed, or the last main
            # administrator): it says what can be done.
            fail_message(request, exc)
            return redirect(request.path)
        if removed:
            messages.success(request, _("Rollen er fjernet."))
        else:
            messages.info(request, Already(_("Rollen er allerede fjernet. Ingenting er endret.")))
        return _detail(channel)
    removal = channel_role_remove_preview(actor=request.actor, channel=channel, user=person)
    if removal is None:  # removed between the two reads
        messages.info(request, Already(_("Rollen er allerede fjernet. Ingenting er endret.")))
        return _detail(channel)
    labels = _lost_labels()
    return render(
        request,
        "channels/role_remove_confirm.html",
        {
            "channel": channel,
            "removal": removal,
            "person": person.get_full_name() or person.get_username(),
            "lost": [labels[need] for need in removal.lost],
            "others": [u.get_full_name() or u.get_username() for u in removal.other_main_admins],
        },
    )
