"""The crisis console (PU-12): status, declare, end, the approval queue, the paused
posts' decisions, deputies and the crisis log. Thin: every write is a service call.

Deliberate acts (declare, end, approve, reject, resume, discard, remove a deputy) take
two steps: the first POST (or GET) shows the consequence, the second carries
`confirm=yes`. A replayed or double-clicked confirmation does nothing twice (the
services are idempotent) and says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ordstyrer.channels.forms import text_language
from ordstyrer.core.console import (
    Already,
    MunicipalityRequest,
    act,
    act_on_form,
    fail_message,
    form_errors,
    municipality_view,
)
from ordstyrer.core.errors import Conflict, NotFound, NotPermitted, ServiceError, lazy_interpolate
from ordstyrer.core.forms import visible_text
from ordstyrer.core.ids import parse_id
from ordstyrer.core.permissions import roles_in
from ordstyrer.crisis import queue, services
from ordstyrer.crisis.forms import DeclareForm, DeputyForm, PausedDecisionForm, ReasonForm
from ordstyrer.crisis.models import Crisis, CrisisLogEntry, CrisisLogKind
from ordstyrer.crisis.selectors import (
    active_crisis,
    crises_recent,
    crisis_approvers,
    crisis_approvers_said,
    crisis_deputies,
    crisis_latest_id,
    crisis_log,
    crisis_requiring_approval,
    crisis_settings,
    deputy_namers,
    may_approve_in_crisis,
    may_declare_crisis,
    may_name_deputies,
    may_view_crisis,
)
from ordstyrer.policy.render import quote_status, rule_title
from ordstyrer.tenants.models import Municipality, Role
from ordstyrer.tenants.selectors import policy_for

# What a crisis does here, by the municipality's PU-12 settings (whether new posts and
# replies wait for the crisis leader: `approve_posts`, `approve_replies`); scheduled
# posts pause whatever they say. Lazy: a module-level `gettext` would freeze the
# sentence in the language that was active when the module was first imported.
CONSEQUENCES = {
    (True, True): gettext_lazy(
        "Alle planlagte innlegg settes på pause, alle nye innlegg og svar venter på kriseleder."
    ),
    (True, False): gettext_lazy(
        "Alle planlagte innlegg settes på pause, alle nye innlegg venter på kriseleder. "
        "Svar går ut som vanlig og føres i kriseloggen."
    ),
    (False, True): gettext_lazy(
        "Alle planlagte innlegg settes på pause, alle nye svar venter på kriseleder. "
        "Nye innlegg går ut som vanlig og føres i kriseloggen."
    ),
    (False, False): gettext_lazy(
        "Alle planlagte innlegg settes på pause. Nye innlegg og svar går ut som vanlig og "
        "føres i kriseloggen."
    ),
}


def consequence(settings: dict[str, Any]) -> str:
    """The consequence of a crisis as `crisis_settings` has it (PU-12): never that
    replies or posts wait where the municipality lets them through."""
    return str(CONSEQUENCES[(settings["approve_posts"], settings["approve_replies"])])


def _rule_shown(municipality: Municipality) -> dict[str, str] | None:
    """PU-12 as the municipality's settings leave it, as the guide says it
    (`policy.render`): its title in force ("Krise: godkjenning slått av"), and the line
    that frames the guideline's words as not (or only partly) applying here where the
    approval is switched off. None where PU-12 does not apply."""
    policy = policy_for(municipality=municipality)
    if not policy.applies("PU-12"):
        return None
    lang = text_language()
    return {
        "title": rule_title(policy, "PU-12", lang),
        "quote_status": quote_status(policy, "PU-12", lang),
    }


def _require_view(request: MunicipalityRequest, municipality: Municipality) -> None:
    if not may_view_crisis(user=request.actor, municipality=municipality):
        raise NotPermitted(
            gettext_lazy("Krisesiden er for kriseledelsen og kommunikasjon (PU-12).")
        )


def _index(municipality: Municipality) -> HttpResponse:
    return redirect("crisis:index", slug=municipality.slug)


def _confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "yes"


@municipality_view()
def index(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    _require_view(request, municipality)
    crisis = active_crisis(municipality=municipality)
    recent = crises_recent(municipality=municipality)
    shown = crisis or (recent[0] if recent else None)
    user = request.actor
    settings = crisis_settings(municipality=municipality)
    return render(
        request,
        "crisis/index.html",
        {
            "crisis": crisis,
            "shown": shown,
            "log": _log_lines(crisis_log(crisis=shown)) if shown else [],
            "recent": recent,
            "settings": settings,
            "approvals": queue.crisis_approvals(municipality=municipality),
            # Notices to authors held for the crisis leader (MO-4, PU-12): approved on the
            # moderation app's page, counted and linked here.
            "held_notices": queue.held_notices(user=user, municipality=municipality),
            "paused": queue.paused_posts(municipality=municipality),
            "deputies": list(crisis_deputies(municipality=municipality)),
            "may_declare": may_declare_crisis(user=user, municipality=municipality),
            "may_name_deputies": may_name_deputies(user=user, municipality=municipality),
            "may_approve": may_approve_in_crisis(user=user, municipality=municipality),
            "approvers_said": crisis_approvers_said(municipality=municipality),
            "declare_form": DeclareForm(),
            "deputy_form": DeputyForm(municipality=municipality),
            "consequence": consequence(settings),
            "rule": _rule_shown(municipality),
        },
    )


@municipality_view()
@require_POST
def declare(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    _require_view(request, municipality)
    if not may_declare_crisis(user=request.actor, municipality=municipality):
        raise NotPermitted(
            lazy_interpolate(
                gettext_lazy("Bare disse rollene kan erklære krise her: %(roles)s (PU-12)."),
                {"roles": services.declarers_text(municipality)},
            )
        )
    form = DeclareForm(request.POST)
    if not form.is_valid():
        if visible_text(request.POST.get("name")):
            form_errors(request, form)  # too long, a null character: the real reason
        else:  # empty, or only characters nobody sees
            messages.error(request, _("Gi krisen et navn."))
        return _index(municipality)
    name = form.cleaned_data["name"]
    if not _confirmed(request):
        try:
            # A crisis is active: refused here, before a confirmation that would promise
            # to pause posts (the same sentence the service says on confirmation).
            services.crisis_declare_check(municipality=municipality)
        except ServiceError as exc:
            fail_message(request, exc)
            return _index(municipality)
        settings = crisis_settings(municipality=municipality)
        return render(
            request,
            "crisis/confirm_declare.html",
            {
                "name": name,
                # The latest crisis (0: none) the confirmation is shown after: posted again
                # once another was declared (and perhaps ended), it declares nothing.
                "after": crisis_latest_id(municipality=municipality),
                "consequence": consequence(settings),
                "to_pause": queue.posts_to_pause(municipality=municipality),
                "settings": settings,
            },
        )
    # The latest crisis the confirmation was shown after (PU-12, deliberate acts idempotent
    # on replay): a crisis declared since refuses it, also once that one has ended (Back
    # and resubmit, a restored tab). A form without it (a page written before it carried
    # the id) is refused only while a crisis is active, as before.
    posted = request.POST.get("after", "")
    after = 0 if posted == "0" else parse_id(posted) if posted else None
    if posted and after is None:
        messages.error(
            request, _("Skjemaet kunne ikke leses. Last inn siden på nytt og prøv igjen.")
        )
        return _index(municipality)
    try:
        crisis = services.crisis_declare(
            municipality=municipality,
            name=name,
            actor=request.actor,
            now=timezone.now(),
            after=after,
        )
    except ServiceError as exc:
        current = active_crisis(municipality=municipality)
        if (
            isinstance(exc, Conflict)
            and current is not None
            and current.name == " ".join(name.split())
        ):
            messages.info(request, _("Krisen er allerede erklært."))  # a replayed form
        else:
            fail_message(request, exc)
        return _index(municipality)
    declared = ngettext(
        "Krisen «%(name)s» er erklært. %(count)s planlagt innlegg er satt på pause.",
        "Krisen «%(name)s» er erklært. %(count)s planlagte innlegg er satt på pause.",
        crisis.paused_scheduled_count,
    ) % {"name": crisis.name, "count": crisis.paused_scheduled_count}
    if crisis.paused_waiting_count:
        declared += " " + services.paused_posts_text(
            scheduled=0, waiting=crisis.paused_waiting_count
        )
    messages.success(request, declared)
    return _index(municipality)


@municipality_view()
@require_http_methods(["GET", "POST"])
def end(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    _require_view(request, municipality)
    if not may_declare_crisis(user=request.actor, municipality=municipality):
        raise NotPermitted(
            lazy_interpolate(
                gettext_lazy("Bare disse rollene kan avslutte krisen her: %(roles)s (PU-12)."),
                {"roles": services.declarers_text(municipality)},
            )
        )
    crisis = active_crisis(municipality=municipality)
    if not _confirmed(request):
        if crisis is None:
            messages.info(request, _("Ingen krise er erklært nå."))
            return _index(municipality)
        return render(
            request,
            "crisis/confirm_end.html",
            {
                "crisis": crisis,
                "paused": queue.paused_posts(municipality=municipality),
                "approvals": queue.crisis_approvals(municipality=municipality),
                # They wait after the end too (MO-4, PU-12): said and linked here.
                "held_notices": queue.held_notices(user=request.actor, municipality=municipality),
                # Whether "until you decide" is true of the one ending it (not the
                # chief administrator as such: `may_decide_paused_posts`).
                "decides": _decides_paused(request, municipality),
            },
        )
    # The crisis the confirmation was shown for: a stale confirmation never ends another
    # crisis declared since (PU-12). A form without it (a page written before it carried
    # the id) ends the active one.
    posted = request.POST.get("crisis", "")
    crisis_id = parse_id(posted) if posted else None
    if posted and crisis_id is None:
        messages.error(
            request, _("Skjemaet kunne ikke leses. Last inn siden på nytt og prøv igjen.")
        )
        return _index(municipality)
    ended = _("Krisen er allerede avsluttet.")
    decides = _decides_paused(request, municipality)
    after = redirect("crisis:paused" if decides else "crisis:index", slug=municipality.slug)
    if crisis is None or (crisis_id is not None and crisis.pk != crisis_id):
        messages.info(request, ended)  # a replayed or stale form
        return after
    try:
        services.crisis_end(
            municipality=municipality, actor=request.actor, now=timezone.now(), crisis_id=crisis.pk
        )
    except Conflict:  # ended (and perhaps another declared) while this request ran
        messages.info(request, ended)
        return after
    except ServiceError as exc:
        fail_message(request, exc)
        return _index(municipality)
    if decides:
        said = _(
            "Krisen «%(name)s» er avsluttet. Bestem hva som skal skje med innleggene på pause."
        )
    else:
        said = _(
            "Krisen «%(name)s» er avsluttet. Kriseleder, kommunikasjon eller forfatteren "
            "bestemmer hva som skal skje med hvert av innleggene på pause."
        )
    messages.success(request, said % {"name": crisis.name})
    return after


def _decides_paused(request: MunicipalityRequest, municipality: Municipality) -> bool:
    """Whether the one ending a crisis decides on its paused posts
    (`publishing.access.may_decide_paused_posts`, as `post_resume` asks): only then is
    the page of paused posts where the end leads them. The chief administrator, who ends
    it in Birkenes and Gausdal, goes back to the crisis page (PU-12)."""
    from ordstyrer.publishing.access import may_decide_paused_posts

    return may_decide_paused_posts(request.actor, municipality)


def _back(
    request: HttpRequest, municipality: Municipality, *, post_id: int | None, default: str
) -> str:
    """Where a decision goes afterwards (and "Avbryt" leads): the post's page when it was
    started there (`from=post`), else the crisis page it belongs to."""
    origin = request.POST.get("from") or request.GET.get("from")
    if post_id is not None and origin == "post":
        return reverse("publishing:detail", kwargs={"slug": municipality.slug, "pk": post_id})
    return default


@municipality_view()
@require_http_methods(["GET", "POST"])
def decide(
    request: MunicipalityRequest, municipality: Municipality, kind: str, object_id: int
) -> HttpResponse:
    """Approve or reject one waiting post or reply, after a confirmation (PU-12). The one
    way to decide in the console: the post's own page links here (`from=post`)."""
    approver = may_approve_in_crisis(user=request.actor, municipality=municipality)
    if not approver:  # an approver the preset names may lack the crisis page's roles
        _require_view(request, municipality)
    # Another municipality's or an unknown post/reply: 404 before anything else.
    services.crisis_object_check(municipality=municipality, kind=kind, object_id=object_id)
    if not approver:
        raise NotPermitted(
            gettext_lazy("Bare kriselederen eller en stedfortreder kan godkjenne (PU-12).")
        )
    action = (request.POST.get("action") or request.GET.get("action") or "").strip()
    if action not in ("approve", "reject"):
        raise NotFound(gettext_lazy("Fant ikke siden."))
    back = _back(
        request,
        municipality,
        post_id=object_id if kind == "post" else None,
        default=reverse("crisis:index", kwargs={"slug": municipality.slug}),
    )
    waiting = queue.waiting_item(municipality=municipality, kind=kind, object_id=object_id)
    if action == "approve" and waiting is not None:
        # Their own text (a deputy's post or reply), or a reply whose item a later reply
        # has answered: refused before the confirmation, as the service would refuse it
        # (PU-12); the first as the 403 page, the second as the page's message.
        try:
            services.crisis_approve_check(
                municipality=municipality, kind=kind, object_id=object_id, actor=request.actor
            )
        except Conflict as exc:
            fail_message(request, exc)
            return redirect(back)
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if _confirmed(request):
        # The approval round of the post's text the confirmation showed (PU-12): a form of
        # an earlier round decides nothing (`services.crisis_approve`). A form without one
        # (a page written before it carried the round) decides the post as it is now.
        posted_round = request.POST.get("round", "") if kind == "post" else ""
        approval_round = parse_id(posted_round) if posted_round else None
        if posted_round and approval_round is None:
            # Not a round this page ever wrote (a hostile or mangled form): decide nothing.
            messages.error(
                request, _("Skjemaet kunne ikke leses. Last inn siden på nytt og prøv igjen.")
            )
            return redirect(back)
        if action == "reject" and not form.is_valid():
            return _decide_page(request, waiting, kind, object_id, action, form, back)
        now = timezone.now()

        def call() -> Any:
            if action == "approve":
                return services.crisis_approve(
                    municipality=municipality,
                    kind=kind,
                    object_id=object_id,
                    actor=request.actor,
                    now=now,
                    approval_round=approval_round,
                )
            return services.crisis_reject(
                municipality=municipality,
                kind=kind,
                object_id=object_id,
                actor=request.actor,
                reason=form.cleaned_data["reason"],
                now=now,
                approval_round=approval_round,
            )

        def said(result: Any) -> str:
            # A replayed form: nothing waited, or the service returned the post as it was
            # (decided already by a double click or a racing form, or a form of an earlier
            # round whose text has changed since): it was not decided now.
            stamp = "crisis_approved_at" if action == "approve" else "rejected_at"
            replayed = waiting is None or (kind == "post" and getattr(result, stamp, now) != now)
            if replayed:
                return Already(_("Dette er allerede avgjort."))
            if action == "approve":
                return _("Godkjent. Teksten publiseres nå.")
            return _("Avvist. Forfatteren har fått begrunnelsen.")

        return act(request, call, to=back, done=said)
    if waiting is None:
        messages.info(request, _("Dette er allerede avgjort."))
        return redirect(back)
    return _decide_page(request, waiting, kind, object_id, action, ReasonForm(), back)


def _decide_page(
    request: HttpRequest,
    waiting: Any,
    kind: str,
    object_id: int,
    action: str,
    form: ReasonForm,
    back: str,
) -> HttpResponse:
    context = {
        "waiting": waiting,
        "kind": kind,
        "object_id": object_id,
        "action": action,
        "form": form,
        "back": back,
        "origin": request.POST.get("from") or request.GET.get("from") or "",
    }
    post = getattr(waiting, "post", None)
    if post is not None:
        # The crisis leader approves all information (PU-12), and a deliberate act's
        # confirmation shows its consequence: what the approval chain's confirmation
        # shows (`publishing.views.decide`) — where and when it goes out, the text and
        # links, the files with their alternative text, the findings as the checks read
        # it now (they may have changed while it waited) and the author's reason.
        from ordstyrer.publishing.access import post_channels
        from ordstyrer.publishing.services import post_findings_now
        from ordstyrer.publishing.views import _approve_consequence

        channels = post_channels(post)
        context |= {
            "post": post,
            "attached": waiting.attached,
            "findings": post_findings_now(post),
            "consequence": " ".join(
                (
                    _approve_consequence(post, channels, timezone.now()),
                    _("Godkjenningen føres i kriseloggen."),
                )
            ),
        }
    return render(request, "crisis/confirm_decide.html", context)


@municipality_view()
def paused(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """After a crisis: every paused post waits for a deliberate decision. A post's form
    is shown only to whoever may decide on it (`publishing.access.may_decide_paused`, as
    `post_resume` asks): the chief administrator, say, reads the list without forms."""
    from ordstyrer.publishing import access as post_access

    _require_view(request, municipality)
    everyone = post_access.may_decide_paused_posts(request.actor, municipality)
    rows = [
        (
            post,
            PausedDecisionForm(prefix=f"p{post.pk}", post=post)
            if everyone or post_access.may_decide_paused(request.actor, post)
            else None,
        )
        for post in queue.paused_posts(municipality=municipality)
    ]
    return render(
        request,
        "crisis/paused.html",
        {
            # The crisis that keeps paused posts from going on (PU-12, as `post_resume`
            # asks): none where the municipality lets posts through in a crisis.
            "crisis": crisis_requiring_approval(municipality=municipality, kind="post"),
            "rows": rows,
            "may_decide": any(form is not None for _post, form in rows) or not rows,
            "back": reverse("crisis:index", kwargs={"slug": municipality.slug}),
        },
    )


def _resume_approver(post: Any, waits_for: str) -> str:
    """Who a resumed post waits for (`waits_for`, the status it goes to), as the
    confirmation names them ("" if released)."""
    from ordstyrer.publishing.models import Approval, PostStatus
    from ordstyrer.tenants.models import Role

    if waits_for == PostStatus.AWAITING_CRISIS_APPROVAL:
        return str(Role.CRISIS_LEADER.label).lower()
    if waits_for == PostStatus.AWAITING_APPROVAL and post.approval in Approval.values:
        return str(Approval(post.approval).label).lower()
    return ""


@municipality_view()
@require_POST
def paused_decide(
    request: MunicipalityRequest, municipality: Municipality, post_id: int
) -> HttpResponse:
    """Resume (now or at a time) or discard one paused post, after a confirmation that
    says what will happen to that post. Open to whoever may decide on it, from the page
    of paused posts or the post's own page (`publishing.access.may_decide_paused`: the
    crisis leader, communications, a crisis approver, whoever may edit the post)."""
    from ordstyrer.publishing import access as post_access
    from ordstyrer.publishing import services as publishing
    from ordstyrer.publishing.models import Post, PostStatus

    services.crisis_object_check(municipality=municipality, kind="post", object_id=post_id)
    post = Post.objects.select_related("municipality", "author").get(pk=post_id)
    # The service's own predicate (`post_resume`, `post_discard`), before any confirmation:
    # seeing the crisis page (the chief administrator) is not deciding on its posts.
    if not post_access.may_decide_paused(request.actor, post):
        raise NotPermitted(gettext_lazy("Du har ikke rollen som trengs for dette innlegget."))
    staff = may_view_crisis(user=request.actor, municipality=municipality)
    detail = reverse("publishing:detail", kwargs={"slug": municipality.slug, "pk": post.pk})
    back = (
        _back(
            request,
            municipality,
            post_id=post.pk,
            default=reverse("crisis:paused", kwargs={"slug": municipality.slug}),
        )
        if staff
        else detail
    )
    if post.status != PostStatus.PAUSED:
        messages.info(request, _("Innlegget er allerede avgjort."))  # a replayed form
        return redirect(back)
    form = PausedDecisionForm(request.POST, prefix=f"p{post.pk}", post=post)
    now = timezone.now()
    crisis = crisis_requiring_approval(municipality=municipality, kind="post")
    # What the service would refuse is refused here, before the confirmation promises it,
    # and shown on the form with what was typed: a resume while posts wait for the crisis
    # leader (`post_resume` asks the same; where the municipality lets posts through in a
    # crisis, PU-12 `approve_posts` off, a paused post may go on during it).
    if form.is_valid() and form.cleaned_data["decision"] != "discard":
        if crisis is not None:
            form.add_error(
                "decision", _("Krisen er ikke avsluttet; innlegg går via kriseleder (PU-12).")
            )
        elif form.cleaned_data["decision"] == "resume_at":
            try:
                publishing.publish_at_check(form.cleaned_data["publish_at"], now=now)
            except ServiceError as exc:
                form.add_error("publish_at", exc.message)
    origin = request.POST.get("from") or ""
    if not form.is_valid():
        return render(
            request,
            "crisis/paused.html",
            {
                "crisis": crisis,
                "rows": [(post, form)],
                "back": back,
                "back_to_post": back == detail,
                "origin": origin,
            },
        )
    data = form.cleaned_data
    publish_at = data["publish_at"] if data["decision"] == "resume_at" else now

    def confirmation() -> HttpResponse:
        # What `post_resume` will do with this post, by its own decision (PU-12, CH-4):
        # released at its time or now, or back to an approval (the one it waited for,
        # or its approver's again for a time other than the approved one); and the
        # findings then, a reason asked for the warnings the post does not carry yet
        # (the "warn" rule, as when it was sent).
        plan = None
        if data["decision"] != "discard":
            plan = publishing.resumption(
                actor=request.actor, post=post, publish_at=publish_at, now=now
            )
        waits_for = plan.status if plan is not None else ""
        return render(
            request,
            "crisis/confirm_paused.html",
            {
                "post": post,
                "form": form,
                "data": data,
                "back": back,
                "back_to_post": back == detail,
                "origin": origin,
                "plan": plan,
                "findings": list(plan.findings) if plan is not None else None,
                "waits": waits_for
                in (PostStatus.AWAITING_APPROVAL, PostStatus.AWAITING_CRISIS_APPROVAL),
                "approver": _resume_approver(post, waits_for),
            },
        )

    if not _confirmed(request):
        return confirmation()
    if data["decision"] == "discard":
        return act(
            request,
            lambda: publishing.post_discard(
                post_id=post.pk, actor=request.actor, now=now, reason=data["reason"]
            ),
            to=back,
            done=_("Innlegget er forkastet."),
        )
    try:
        publishing.post_resume(
            post_id=post.pk,
            actor=request.actor,
            now=now,
            publish_at=publish_at,
            override_reason=data["override_reason"],
        )
    except publishing.PostRefused as exc:
        if exc.code != "needs_override":
            fail_message(request, exc)
            return redirect(back)
        # No reason for a warning: the confirmation again, as the checks read it now,
        # with what was typed and the service's words beside the field.
        form.add_error("override_reason", exc.message)
        return confirmation()
    except ServiceError as exc:
        fail_message(request, exc)
        return redirect(back)
    messages.success(request, _("Innlegget er satt i gang igjen."))
    return redirect(back)


@municipality_view()
@require_http_methods(["GET", "POST"])
def deputies(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """Name a deputy, or remove one after a confirmation (PU-12)."""
    _require_view(request, municipality)
    remove = request.POST.get("remove") or request.GET.get("fjern")
    if remove:
        return _deputy_remove(request, municipality, remove)
    if request.method != "POST":
        return _index(municipality)
    return act_on_form(
        request,
        DeputyForm(request.POST, municipality=municipality),
        lambda data: services.crisis_deputy_add(
            municipality=municipality, user=data["user"], actor=request.actor, now=timezone.now()
        ),
        to=_index(municipality),
        done=_("Stedfortrederen er oppnevnt."),
        invalid=_("Velg en person i kommunen."),
    )


def _deputy_remove(
    request: MunicipalityRequest, municipality: Municipality, raw: str
) -> HttpResponse:
    """Take a deputy's right to approve away (PU-12): a deliberate act, so «Fjern …»
    opens a confirmation page (GET `?fjern=<id>`, or a post of the old one-click form)
    that names who loses the right, whether a crisis is going on and what waits for
    approval, and who is left to approve; only its form (`confirm=yes`) removes. A
    replayed or double-clicked confirmation finds no deputy and says so calmly. Only
    those who name deputies see the page (`may_name_deputies`)."""
    person_id = parse_id(raw)
    if person_id is None:
        raise Http404
    if not may_name_deputies(user=request.actor, municipality=municipality):
        # What `services.crisis_deputy_remove` says, before the page (the 403 page).
        roles = ", ".join(
            str(Role(code).label) for code in deputy_namers(municipality=municipality)
        )
        raise NotPermitted(
            lazy_interpolate(
                gettext_lazy(
                    "Bare disse rollene kan oppnevne og fjerne stedfortredere her: %(roles)s (PU-12)."
                ),
                {"roles": roles},
            )
        )
    already = Already(_("Stedfortrederen er allerede fjernet."))
    deputy = crisis_deputies(municipality=municipality).filter(user_id=person_id).first()
    if deputy is None:  # a replayed form (or a stale page): nothing to remove
        messages.info(request, already)
        return _index(municipality)
    user = deputy.user
    if not _confirmed(request):
        return render(
            request, "crisis/confirm_deputy_remove.html", _deputy_removal(municipality, user)
        )
    return act(
        request,
        lambda: services.crisis_deputy_remove(
            municipality=municipality, user=user, actor=request.actor, now=timezone.now()
        ),
        to=_index(municipality),
        done=lambda removed: _("Stedfortrederen er fjernet.") if removed else already,
    )


def _deputy_removal(municipality: Municipality, user: Any) -> dict[str, Any]:
    """What the removal's confirmation shows (PU-12): who loses the right, whether they
    keep it through a role the preset lets approve, the crisis going on and what waits
    for approval, and who else approves once they are gone."""
    settings = crisis_settings(municipality=municipality)
    crisis = active_crisis(municipality=municipality)
    return {
        "deputy": user,
        "person": user.get_full_name() or user.get_username(),
        "keeps": bool(roles_in(user, municipality) & settings["approvers"]),
        "crisis": crisis,
        "waiting": len(queue.crisis_approvals(municipality=municipality)) if crisis else 0,
        "others": [
            u.get_full_name() or u.get_username()
            for u in crisis_approvers(municipality=municipality)
            if u.pk != user.pk
        ],
    }


@municipality_view()
def log(request: MunicipalityRequest, municipality: Municipality, crisis_id: int) -> HttpResponse:
    _require_view(request, municipality)
    crisis = get_object_or_404(Crisis, pk=crisis_id, municipality=municipality)
    return render(
        request, "crisis/log.html", {"shown": crisis, "log": _log_lines(crisis_log(crisis=crisis))}
    )


def _log_lines(entries: Iterable[CrisisLogEntry]) -> list[tuple[CrisisLogEntry, str]]:
    """Each log line with its text as the reader sees it: a "posts paused" line says its
    counts in the reader's language (the line stores them in Bokmål words); any line whose
    text is not one of those sentences shows as stored."""
    lines = []
    for entry in entries:
        text = entry.text
        if entry.kind == CrisisLogKind.POSTS_PAUSED:
            counts = services.paused_posts_counts(entry.text)
            if counts is not None:
                text = services.paused_posts_text(scheduled=counts[0], waiting=counts[1])
        lines.append((entry, text))
    return lines
