"""Console pages for running a channel: closures (CH-9), house rules (CH-10), reviews (CH-6)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from ordstyrer.channels import closures as closure_services
from ordstyrer.channels import rules
from ordstyrer.channels.forms import ClosureForm, ReviewForm, text_language
from ordstyrer.channels.models import Channel, ChannelReview, Closure, ClosureState
from ordstyrer.channels.notice import LANGUAGES, markdown_to_plain
from ordstyrer.channels.permissions import access_channel, has_channel_need
from ordstyrer.channels.reviews import CHECKLIST, review_record
from ordstyrer.channels.selectors import channel_closures, channel_reviews, open_review
from ordstyrer.core.console import (
    REFUSED,
    Already,
    MunicipalityRequest,
    act,
    municipality_view,
    submit_form,
)
from ordstyrer.core.relative import exact
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import policy_for

NOTICE_LANGUAGE_NAMES = {"nb": gettext_lazy("bokmål"), "nn": gettext_lazy("nynorsk")}


@municipality_view()
@require_http_methods(["GET", "POST"])
def closures(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Plan a closure, see the notices to publish, end one early (CH-9)."""
    channel = access_channel(user=request.actor, id=pk, slug=municipality.slug)
    may_manage = has_channel_need(request.actor, channel, "manage")
    form = ClosureForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            channel = access_channel(
                user=request.actor, id=pk, slug=municipality.slug, need="manage"
            )
        if form.is_valid():
            planned = _plan_closure(request, channel, form)
            if planned is not None:
                return planned
    policy = policy_for(municipality=municipality)
    required = closure_services.notice_required(policy)
    now = timezone.now()
    rows = []
    for closure in channel_closures(channel=channel):
        closure.channel = channel
        # CH-9: what the platform has not done yet, or refused, for people to act on.
        unhidden, open_posts = closure_services.closure_unsettled(closure)
        refused = closure.state == ClosureState.IN_EFFECT and (
            any(row.failed for row in unhidden) or any(row.failed for row in open_posts)
        )
        platform_failed = closure_services.closure_platform_failed(closure)
        notices = []
        if closure.state in (ClosureState.SCHEDULED, ClosureState.IN_EFFECT):
            notices = [
                (
                    lang,
                    NOTICE_LANGUAGE_NAMES[lang],
                    closure_services.closure_notice_text(closure, lang, policy=policy),
                )
                for lang in LANGUAGES
            ]
        rows.append(
            {
                "closure": closure,
                "notices": notices,
                "retry": platform_failed or refused,
                "platform_failed": platform_failed,
                "refused": refused,
                "unhidden": unhidden,
                "open_posts": open_posts,
                # CH-9 applied: it starts only once its notice is marked published.
                "waiting": closure_services.closure_waits_for_notice(
                    closure, required=required, now=now
                ),
                "notice_first": required
                and closure.state == ClosureState.SCHEDULED
                and closure.notice_published_at is None,
            }
        )
    return render(
        request,
        "channels/closures.html",
        {
            "channel": channel,
            "form": form,
            "rows": rows,
            "may_manage": may_manage,
            "guidance": rules.guidance(policy, ("CH-9",), text_language()),
        },
    )


def _plan_closure(
    request: MunicipalityRequest, channel: Channel, form: ClosureForm
) -> HttpResponse | None:
    """Save the closure of a valid form (CH-9). One whose period has begun closes the
    channel for comments at once, so it is confirmed first on a page that says so (and,
    where the policy applies CH-9, that it closes once its notice is published); only
    that page's form (`confirmed=1`) saves it. The form posted again once the closure
    is saved — a double click, the browser's resend — finds it (before the service, or
    after waiting for the first one's lock) and says so as information. None: the
    closures page again, with the refusal on the form."""
    data = form.cleaned_data
    period = {"reason": data["reason"], "starts_at": data["starts_at"], "ends_at": data["ends_at"]}
    back = reverse(
        "channels:closures", kwargs={"slug": channel.municipality.slug, "pk": channel.pk}
    )
    already = Already(_("Stengingen er allerede lagret. Ingenting er endret."))
    if closure_services.closure_planned(channel=channel, **period) is not None:
        messages.info(request, already)
        return redirect(back)
    if data["starts_at"] <= timezone.now() and request.POST.get("confirmed") != "1":
        try:
            preview = closure_services.closure_schedule_preview(
                actor=request.actor, channel=channel, **period
            )
        except REFUSED as exc:
            form.add_error(None, str(getattr(exc, "message", None) or exc))
            return None
        return render(
            request,
            "channels/closure_confirm.html",
            {"channel": channel, "form": form, "preview": preview},
        )
    try:
        closure = closure_services.closure_schedule(actor=request.actor, channel=channel, **period)
    except REFUSED as exc:
        if closure_services.closure_planned(channel=channel, **period) is not None:
            messages.info(request, already)
            return redirect(back)
        form.add_error(None, str(getattr(exc, "message", None) or exc))
        return None
    if closure.state == ClosureState.IN_EFFECT:
        messages.success(
            request,
            _("Kanalen er stengt for kommentarer til %(ends)s. Publiser beskjeden på kanalen.")
            % {"ends": exact(closure.ends_at)},
        )
    elif closure.starts_at <= timezone.now():  # CH-9 applied: it waits for its notice
        messages.success(
            request,
            _(
                "Stengingen er lagret. Kanalen stenges når beskjeden er publisert og du har "
                "trykket «Beskjeden er publisert» (CH-9)."
            ),
        )
    else:
        messages.success(request, _("Stengingen er lagret. Publiser beskjeden på kanalen."))
    return redirect(back)


@municipality_view()
@require_POST
def closure_action(
    request: MunicipalityRequest, municipality: Municipality, pk: int, closure_id: int
) -> HttpResponse:
    channel = access_channel(user=request.actor, id=pk, slug=municipality.slug, need="manage")
    closure = get_object_or_404(Closure, pk=closure_id, channel=channel)
    back = reverse("channels:closures", kwargs={"slug": municipality.slug, "pk": channel.pk})
    action = request.POST.get("action")
    if action == "end":
        return act(
            request,
            lambda: closure_services.closure_end(actor=request.actor, closure=closure),
            to=back,
            done=lambda ended: (
                _("Den planlagte stengingen er avlyst.")
                if ended.state == ClosureState.CANCELLED
                else _("Kanalen er åpnet igjen.")
            ),
        )
    if action == "notice_published":
        return act(
            request,
            lambda: closure_services.closure_mark_notice_published(
                actor=request.actor, closure=closure
            ),
            to=back,
            done=lambda marked: (
                _("Registrert at beskjeden er publisert. Kanalen er stengt for kommentarer.")
                if marked.state == ClosureState.IN_EFFECT
                else _("Registrert at beskjeden er publisert.")
            ),
        )
    if action == "retry_platform":
        return act(
            request,
            lambda: closure_services.closure_platform_retry(actor=request.actor, closure=closure),
            to=back,
            done=lambda queued: (
                _("Ordstyrer prøver plattformen igjen.")
                if queued
                else Already(_("Ingenting å prøve igjen. Ingenting er endret."))
            ),
        )
    messages.error(request, _("Ukjent handling."))
    return redirect(back)


@municipality_view()
def house_rules(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """The forum's own rules from the policy, ready to paste on the channel (CH-10)."""
    from ordstyrer.policy.render import render_house_rules

    channel = access_channel(user=request.actor, id=pk, slug=municipality.slug)
    policy = policy_for(municipality=municipality)
    lang = "nn" if text_language() == "nn" else "nb"
    versions = [
        {
            "lang": code,
            "name": NOTICE_LANGUAGE_NAMES[code],
            "text": markdown_to_plain(
                render_house_rules(policy, "md", code, municipality=municipality.name)
            ),
        }
        for code in LANGUAGES
    ]
    return render(
        request,
        "channels/house_rules.html",
        {
            "channel": channel,
            "body": render_house_rules(policy, "html", lang, municipality=municipality.name, top=3),
            "versions": versions,
            "guidance": rules.guidance(policy, ("CH-10",), text_language()),
        },
    )


@municipality_view()
@require_http_methods(["GET", "POST"])
def review(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Record a review of the channel and see earlier ones (CH-6)."""
    channel = access_channel(user=request.actor, id=pk, slug=municipality.slug)
    may_review = has_channel_need(request.actor, channel, "review")
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        channel = access_channel(user=request.actor, id=pk, slug=municipality.slug, need="review")
        now = timezone.now()

        def said(review: ChannelReview) -> str:
            if review.completed_at != now:  # the day's review was registered before
                return Already(_("Kanalen er allerede gjennomgått i dag. Ingenting er endret."))
            return _("Gjennomgangen er registrert.")

        saved = submit_form(
            request,
            form,
            lambda data: review_record(
                actor=request.actor,
                channel=channel,
                answers=form.answers(),
                notes=data["notes"],
                now=now,
            ),
            to=reverse("channels:review", kwargs={"slug": municipality.slug, "pk": channel.pk}),
            done=said,
        )
        if saved is not None:
            return saved
    policy = policy_for(municipality=municipality)
    return render(
        request,
        "channels/review.html",
        {
            "channel": channel,
            "form": form,
            "may_review": may_review,
            "open_review": open_review(channel=channel),
            "reviews": channel_reviews(channel=channel),
            "checklist": CHECKLIST,
            "interval": rules.review_interval_days(policy),
            "guidance": rules.guidance(policy, ("CH-6",), text_language()),
        },
    )
