"""Console pages of the inbox: thin, they call selectors and services.

Every page resolves the municipality through `municipality_view` and the item through
`access_item`, so an outsider gets 404 on every one of them. Everything works without
JavaScript (links and forms); `inbox.js` adds the keyboard (j/k, a, r, c).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ordstyrer.core.console import (
    REFUSED,
    Done,
    MunicipalityRequest,
    act,
    act_on_form,
    form_errors,
    municipality_view,
    submit_form,
)
from ordstyrer.core.errors import NotPermitted, ServiceError
from ordstyrer.core.ids import parse_id
from ordstyrer.core.intents import new_intent_key
from ordstyrer.core.queries import COUNT_CAP
from ordstyrer.inbox import corrections, presence, privacy, reply_templates, services
from ordstyrer.inbox.access import access_item, may_work, works_anywhere
from ordstyrer.inbox.forms import (
    AssignForm,
    CategoriesForm,
    CloseForm,
    EscalateForm,
    NoteForm,
    ReferForm,
    ReplyForm,
    cited,
)
from ordstyrer.inbox.models import (
    CloseReason,
    InboxItem,
    ItemStatus,
    ReplyStatus,
    person_close_reasons,
)
from ordstyrer.inbox.presenters import list_rows, render_rows
from ordstyrer.inbox.referrals import item_escalate, item_refer
from ordstyrer.inbox.replies import ReplyRefused, reply_send, reply_suggestion
from ordstyrer.inbox.selectors import (
    assignable_people,
    inbox_page,
    item_detail,
    parse_filter,
)
from ordstyrer.inbox.triage import (
    action_text,
    category_label,
    category_labels,
    personal_data_labels,
)
from ordstyrer.policy import load_policy
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import policy_for


def _detail_url(item: InboxItem, anchor: str = "") -> str:
    url = reverse("inbox:detail", args=[item.channel.municipality.slug, item.pk])
    return f"{url}#{anchor}" if anchor else url


@municipality_view(need="inbox")
@require_GET
def inbox_list(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    filters = parse_filter(request.GET)
    now = timezone.now()
    page = inbox_page(user=request.actor, municipality=municipality, filters=filters, now=now)
    next_url = None
    if page.next_cursor:
        next_url = "?" + urlencode(filters.query(etter=page.next_cursor))
    works = works_anywhere(request.actor, municipality, readable=len(page.channels))
    return render(
        request,
        "inbox/list.html",
        {
            "page": page,
            "has_rows": bool(page.items),
            "rows_html": render_rows(
                list_rows(page.items, slug=municipality.slug, now=now), works=works
            ),
            "works": works,
            "filters": filters,
            "count_cap": COUNT_CAP,
            "now": now,
            "next_url": next_url,
            "categories": sorted(category_labels().items(), key=lambda kv: kv[1]),
            "close_reasons": person_close_reasons(),
            # The header cites only the rules the municipality's guideline has (the
            # preset alone: overrides never switch rules on or off; no query).
            "guideline_rules": load_policy(municipality.preset).rules,
            "here": request.get_full_path(),
            "intent_key": new_intent_key(),
        },
    )


def _safe_next(request: MunicipalityRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    slug = request.municipality.slug
    if target.startswith(f"/m/{slug}/innboks/") and "//" not in target:
        return target
    return fallback


@municipality_view(need="inbox")
@require_POST
def inbox_bulk(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """Bulk actions on the checked items, or one row's own button (`row=action:id`)."""
    action = request.POST.get("action") or ""
    # Ids that are not ids ("²", "١", beyond the database's integers) are ignored.
    ids = [pk for i in request.POST.getlist("item") if (pk := parse_id(i)) is not None]
    row_action, _sep, row_text = (request.POST.get("row") or "").partition(":")
    row_id = parse_id(row_text)
    if row_action and row_id is not None:  # one row's own button
        action, ids = row_action, [row_id]
    fallback = reverse("inbox:list", args=[municipality.slug])
    if action not in services.BULK_ACTIONS or not ids:
        messages.error(request, _("Velg minst én henvendelse og en handling."))
        return redirect(_safe_next(request, fallback))
    reason = request.POST.get("close_reason") or CloseReason.NO_REPLY_NEEDED
    result = services.items_bulk(
        actor=request.actor,
        municipality=municipality,
        item_ids=ids,
        action=action,
        close_reason=reason,
        intent_key=request.POST.get("intent_key", ""),
    )
    if result.done:
        messages.success(
            request,
            ngettext(
                "Utført for %(count)s henvendelse.",
                "Utført for %(count)s henvendelser.",
                len(result.done),
            )
            % {"count": len(result.done)},
        )
    for reason_text in sorted(set(result.refused.values())):
        messages.error(request, reason_text)
    return redirect(_safe_next(request, fallback))


@municipality_view(need="inbox")
@require_GET
def item_page(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    item = access_item(user=request.actor, id=pk, slug=municipality.slug, need="view")
    return _render_detail(request, item)


def _render_detail(
    request: MunicipalityRequest,
    item: InboxItem,
    *,
    reply_form: ReplyForm | None = None,
    findings: list[Any] | None = None,
    categories_form: CategoriesForm | None = None,
    note_form: NoteForm | None = None,
    refer_form: ReferForm | None = None,
    escalate_form: EscalateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = item_detail(item=item)
    works = may_work(request.actor, item.channel)
    # Read once: the reply suggestion and the moderation panel both need it.
    policy = policy_for(municipality=item.municipality)
    # Every template, each citing its rule only where the policy applies it.
    offered = list(reply_templates.TEMPLATES)
    template_code = request.GET.get("mal") or ""
    if template_code not in offered:
        template_code = reply_templates.suggested_code(item.category, item.action) or ""
    suggestion = None
    if reply_form is None:
        initial: dict[str, Any] = {
            "template": template_code,
            "effect": reply_templates.effect_of(template_code) if template_code else "answer",
            "intent_key": new_intent_key(),
        }
        if template_code:
            suggestion = reply_suggestion(
                item=item, actor=request.actor, code=template_code, policy=policy
            )
            initial["text"] = suggestion.text
        reply_form = ReplyForm(initial=initial, auto_id="reply_%s", policy=policy)
    language = reply_templates.language_for(item.written_standard)
    interface = (get_language() or "nb")[:2]
    templates = [
        (code, reply_templates.label(code, interface, policy), code == template_code)
        for code in offered
    ]
    people = assignable_people(channel=item.channel) if works else []
    # After a reply the box stays closed until the editor asks for a new one (#15), or
    # the citizen writes again (the item is new or reopened).
    last_reply = detail.replies[-1] if detail.replies else None
    asked_for_box = bool(request.GET.get("mal")) or request.GET.get("svar") == "nytt"
    reply_closed = (
        reply_form.is_bound is False
        and last_reply is not None
        and last_reply.status not in (ReplyStatus.FAILED, ReplyStatus.REJECTED)
        and item.status not in (ItemStatus.NEW, ItemStatus.REOPENED)
        and not asked_for_box
    )
    now = timezone.now()
    # "Someone else is writing here" (#15): asking for a template or a new reply, or a
    # refused draft shown again, opens the box without any script; presence.js adds
    # the typing in between.
    if works and item.listed and not reply_closed and (asked_for_box or reply_form.is_bound):
        presence.presence_mark(actor=request.actor, item=item, now=now)
    reveal_at = privacy.reveal_place(detail)
    return render(
        request,
        "inbox/detail.html",
        {
            "item": item,
            "detail": detail,
            "policy": policy,
            # The timeline and the referrals, each label citing its rules (DI-7, DI-8,
            # DI-10, DI-11, MO-1, MO-2, MO-4) only where the policy applies them.
            "timeline": [
                (event, cited(event.label, event.rules, policy)) for event in detail.events
            ],
            "referrals": [
                (referral, cited(referral.get_kind_display(), referral.rules, policy))
                for referral in detail.referrals
            ],
            "works": works,
            "reply_form": reply_form,
            "reply_closed": reply_closed,
            "last_reply": last_reply,
            "findings": findings,
            "templates": templates,
            "template_code": template_code,
            "reply_language": language,
            "category_label": category_label(item.category) if item.category else "",
            # The suggested action, citing only rules the policy applies; without one it
            # is the product's general advice, and the page says so.
            "action_text": action_text(item, policy),
            "pii_labels": personal_data_labels(item),
            "categories": [category_label(c) for c in item.categories],
            "close_form": CloseForm(auto_id="close_%s"),
            "assign_form": AssignForm(
                people=people,
                initial={"assignee": str(item.assignee_id or "")},
                auto_id="assign_%s",
            ),
            "note_form": note_form or NoteForm(auto_id="note_%s"),
            # The categories as they stand; the § 185 ground only as an editor gave it.
            "categories_form": categories_form
            or CategoriesForm(
                initial={
                    "labels": list(item.categories),
                    "hate_ground": corrections.editors_hate_ground(item),
                },
                auto_id="categories_%s",
            ),
            # Each with a fresh intent key: posted twice, it acts once (`core.intents`).
            "escalate_form": escalate_form
            or EscalateForm(auto_id="escalate_%s", initial={"intent_key": new_intent_key()}),
            "refer_form": refer_form
            or ReferForm(
                auto_id="refer_%s", policy=policy, initial={"intent_key": new_intent_key()}
            ),
            "now": now,
            "writers": presence.others_writing(item=item, user=request.actor, now=now)
            if works
            else [],
            # PU-1 (#18): national ID numbers are masked unless shown (audited); the one
            # «Vis fødselsnummer» sits where a number is, in the text or only in a note.
            "ids_revealed": privacy.is_revealed(request, item),
            "reveal_at": reveal_at,
            "may_reveal_ids": reveal_at is not None and privacy.may_reveal(request.actor, item),
        },
        status=status,
    )


@municipality_view(need="inbox")
@require_POST
def item_reveal_ids(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    """Show the item's national ID numbers to this person for a while (PU-1; audited)."""
    item = access_item(user=request.actor, id=pk, slug=municipality.slug, need="view")
    privacy.item_reveal_national_ids(actor=request.actor, item=item, now=timezone.now())
    privacy.remember_revealed(request, item)
    # Back to where the button was: one of the page's own fragments, never a URL; the
    # thread's (where the button always was) for a post that names none of them.
    place = request.POST.get("til", "")
    if place not in privacy.REVEAL_PLACES:
        place = privacy.AT_THREAD
    return redirect(_detail_url(item, place))


def _work_item(request: MunicipalityRequest, municipality: Municipality, pk: int) -> InboxItem:
    return access_item(user=request.actor, id=pk, slug=municipality.slug, need="work")


# Errors that leave nothing worth keeping: a field left empty (or only zero-width
# characters), a choice not on the list. The panel then says its one sentence and goes
# back to the item.
NOTHING_TO_KEEP = frozenset({"required", "invalid_choice"})


def _panel_form(
    request: MunicipalityRequest,
    item: InboxItem,
    form: NoteForm | ReferForm | EscalateForm,
    call: Any,
    *,
    to: str,
    done: Done,
    invalid: str,
    refused: tuple[type[Exception], ...] = REFUSED,
) -> HttpResponse:
    """A panel form of the item page (`act_on_form`), except that any other error (a
    text past its length, a NUL character) shows the page again with the text as typed
    and the field's own error, at the field and on top of the page: a fixed sentence
    and a redirect said "the note is empty" and lost a long text."""
    if not form.is_valid():
        codes = {error.code for errors in form.errors.as_data().values() for error in errors}
        if not codes <= NOTHING_TO_KEEP:
            form_errors(request, form)
            return _render_detail(
                request,
                item,
                note_form=form if isinstance(form, NoteForm) else None,
                refer_form=form if isinstance(form, ReferForm) else None,
                escalate_form=form if isinstance(form, EscalateForm) else None,
                status=400,
            )
    return act_on_form(request, form, call, to=to, done=done, invalid=invalid, refused=refused)


@municipality_view(need="inbox")
@require_POST
def item_reply(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    item = _work_item(request, municipality, pk)
    # The policy, so that a form shown again cites only the rules it applies.
    policy = policy_for(municipality=item.municipality)
    form = ReplyForm(request.POST, auto_id="reply_%s", policy=policy)
    if not form.is_valid():
        return _render_detail(request, item, reply_form=form, status=400)
    data = form.cleaned_data
    try:
        reply = reply_send(
            actor=request.actor,
            item=item,
            text=data["text"],
            template=data["template"] or "",
            effect=data["effect"] or None,
            override_reason=data["override_reason"],
            referral_target=data["referral_target"],
            referral_kind=data["referral_kind"],
            intent_key=data["intent_key"],
        )
    except ReplyRefused as exc:
        form.add_error(None, str(exc.message))
        return _render_detail(request, item, reply_form=form, findings=exc.findings, status=400)
    except ServiceError as exc:
        form.add_error(None, str(exc.message))
        return _render_detail(request, item, reply_form=form, status=400)
    presence.presence_end(actor=request.actor, item=item)
    if reply.status == ReplyStatus.AWAITING_CRISIS_APPROVAL:
        messages.success(request, _("Kommunen er i krise: svaret venter på kriselederen (PU-12)."))
    else:
        messages.success(request, _("Svaret er lagt i kø og sendes nå."))
    return redirect(_detail_url(item))


@municipality_view(need="inbox")
@require_http_methods(["GET", "POST"])
def item_presence(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    """The "someone else is writing here" notice as a fragment for presence.js (#15);
    a POST first records that this person is writing (a heartbeat while they type)."""
    item = _work_item(request, municipality, pk)
    now = timezone.now()
    if request.method == "POST":
        presence.presence_mark(actor=request.actor, item=item, now=now)
    response = render(
        request,
        "inbox/_presence.html",
        {"writers": presence.others_writing(item=item, user=request.actor, now=now), "now": now},
    )
    response["Cache-Control"] = "no-store"
    return response


@municipality_view(need="inbox")
@require_POST
def item_status(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    item = _work_item(request, municipality, pk)
    action = request.POST.get("action") or ""
    if action not in services.STATUS_ACTIONS:
        messages.error(request, _("Ukjent handling."))
        return redirect(_detail_url(item))
    reason = ""
    note = ""
    if action == "close":
        form = CloseForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Velg hvorfor henvendelsen lukkes."))
            return redirect(_detail_url(item, "lukk"))
        reason, note = form.cleaned_data["close_reason"], form.cleaned_data["note"]
    return act(
        request,
        lambda: services.item_set_status(
            actor=request.actor, item=item, action=action, note=note, close_reason=reason
        ),
        to=_detail_url(item),
        done=_("Status er endret."),
    )


@municipality_view(need="inbox")
@require_POST
def item_assign(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    item = _work_item(request, municipality, pk)
    form = AssignForm(request.POST, people=assignable_people(channel=item.channel))
    return act_on_form(
        request,
        form,
        lambda data: services.item_assign(actor=request.actor, item=item, assignee=form.person()),
        to=_detail_url(item),
        done=_("Tildelingen er lagret."),
        invalid=_("Velg en person fra listen."),
    )


@municipality_view(need="inbox")
@require_POST
def item_note(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    item = _work_item(request, municipality, pk)
    return _panel_form(
        request,
        item,
        NoteForm(request.POST, auto_id="note_%s"),
        lambda data: services.item_note(actor=request.actor, item=item, text=data["text"]),
        to=_detail_url(item, "logg"),
        done=_("Notatet er lagret."),
        invalid=_("Notatet er tomt."),
    )


@municipality_view(need="inbox")
@require_POST
def item_categories(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    """An editor sets the item's categories right (issue #16)."""
    item = _work_item(request, municipality, pk)
    form = CategoriesForm(request.POST, auto_id="categories_%s")
    done = submit_form(
        request,
        form,
        lambda data: corrections.item_correct_categories(
            actor=request.actor, item=item, labels=data["labels"], hate_ground=data["hate_ground"]
        ),
        to=_detail_url(item, "kategori"),
        done=_("Kategoriene er lagret. Forslaget til handling følger dem nå."),
    )
    # Refused: the page again with the editor's choice and the error inside the panel.
    return done or _render_detail(request, item, categories_form=form, status=400)


@municipality_view(need="inbox")
@require_POST
def item_refer_view(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    item = _work_item(request, municipality, pk)
    return _panel_form(
        request,
        item,
        ReferForm(
            request.POST, auto_id="refer_%s", policy=policy_for(municipality=item.municipality)
        ),
        lambda data: item_refer(
            actor=request.actor,
            item=item,
            kind=data["kind"],
            target=data["target"],
            note=data["note"],
            intent_key=data["intent_key"],
        ),
        to=_detail_url(item),
        done=_("Henvisningen er registrert."),
        invalid=_("Velg hvor saken skal henvises."),
    )


@municipality_view(need="inbox")
@require_POST
def item_escalate_view(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    item = _work_item(request, municipality, pk)
    # DI-10 is cited only where the municipality's guideline has it (Birkenes' has not).
    escalated = (
        _("Saken er sendt til kommunikasjon (DI-10).")
        if policy_for(municipality=item.municipality).applies("DI-10")
        else _("Saken er sendt til kommunikasjon.")
    )
    return _panel_form(
        request,
        item,
        EscalateForm(request.POST, auto_id="escalate_%s"),
        lambda data: item_escalate(
            actor=request.actor, item=item, note=data["note"], intent_key=data["intent_key"]
        ),
        to=_detail_url(item),
        done=escalated,
        invalid=_("Skriv kort hvorfor saken kan være omdømmekritisk."),
        refused=(ServiceError, NotPermitted),
    )
