"""Console shell views: thin, they call selectors, services and the policy engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ordstyrer.core.console import MunicipalityRequest, municipality_view
from ordstyrer.core.errors import NotPermitted, ServiceError
from ordstyrer.core.permissions import has_role, municipalities_for
from ordstyrer.policy import Policy
from ordstyrer.policy.render import (
    render_guideline,
    render_house_rules,
    rule_setting,
    rule_text,
    rule_title,
)
from ordstyrer.publishing.checks import publishing_policy
from ordstyrer.publishing.selectors import text_check
from ordstyrer.tenants.models import Municipality, Role
from ordstyrer.tenants.selectors import policy_for, policy_version_current, policy_versions
from ordstyrer.tenants.services import CRISIS_RULE, policy_crisis_settings_check, policy_update
from ordstyrer.web.forms import CheckForm, PolicyRuleForm
from ordstyrer.web.needs import what_needs_me

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _text_language() -> str:
    """The console's language for the policy's texts: the guideline, the house rules and
    the rules' labels exist in Bokmål, Nynorsk and English (render.py, policy tables)."""
    lang = (get_language() or "nb")[:2]
    return lang if lang in ("nb", "nn", "en") else "nb"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    mine = list(municipalities_for(request.user))
    if len(mine) == 1:
        return redirect("dashboard", slug=mine[0].slug)
    return render(request, "web/switcher.html", {"municipalities": mine})


@municipality_view()
def dashboard(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    policy = policy_for(municipality=municipality)
    labels = [Role(role).label for role in sorted(request.actor.roles)]
    # «Hva trenger meg nå» (#15): what this person can act on, with counts and links.
    needs = what_needs_me(user=request.actor, municipality=municipality, now=timezone.now())
    return render(
        request,
        "web/dashboard.html",
        {"policy": policy, "my_role_labels": labels, "needs": needs},
    )


@municipality_view(need="check")
@require_http_methods(["GET", "POST"])
def check_text(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    # The policy posting uses (PU-9 with the municipality's own website); the API's
    # `POST /check` gives the same findings through the same selector.
    policy = publishing_policy(municipality)
    form = CheckForm(request.POST or None)
    findings = None
    if request.method == "POST" and form.is_valid():
        findings = text_check(
            municipality=municipality,
            kind=form.cleaned_data["kind"],
            draft=form.draft(),
            # municipality_view: logged in, so Django's User.
            signer_first_name=cast("User", request.user).first_name,
            now=timezone.now(),
            policy=policy,
        )
    fragment = request.headers.get("X-Ordstyrer-Fragment") == "findings"
    template = "web/_findings.html" if fragment else "web/check.html"
    return render(
        request,
        template,
        {"form": form, "findings": findings, "policy": policy, "lang": get_language()},
    )


@municipality_view()
def guideline(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    # The policy posting uses: PU-9 names the website the municipality set (publishing
    # settings), also when it follows another municipality's preset and so has no domain.
    policy = publishing_policy(municipality)
    body = render_guideline(policy, "html", _text_language())
    return render(request, "web/document.html", {"title": _("Retningslinjer"), "body": body})


@municipality_view()
def house_rules(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    policy = policy_for(municipality=municipality)
    body = render_house_rules(policy, "html", _text_language(), municipality=municipality.name)
    return render(
        request,
        "web/document.html",
        {"title": _("Husregler for sidene"), "body": body, "copyable": True},
    )


def _policy_forms(
    request: MunicipalityRequest,
    municipality: Municipality,
    *,
    may_edit: bool,
    posted_rule: str | None = None,
) -> tuple[Policy, list[PolicyRuleForm]]:
    """The policy in force and one form per rule with parameters, showing its values and
    the version they are read at; the posted rule's form bound to the post. PU-12's form
    is read-only, with why, where the service would refuse a change of it
    (`policy_crisis_settings_check`: the chief administrator's, never during a crisis)."""
    # The version first: a save in between makes the page's version older than its
    # values (a save from it is refused), never newer (one that would undo that save).
    current = policy_version_current(municipality=municipality)
    policy = policy_for(municipality=municipality)
    crisis_note = ""
    if may_edit and policy.applies(CRISIS_RULE):
        try:
            policy_crisis_settings_check(actor=request.actor, municipality=municipality)
        except (ServiceError, NotPermitted) as exc:
            crisis_note = str(exc.message)
    forms = []
    lang = _text_language()
    for rule_id in policy.rules:
        params = dict(policy.params(rule_id))
        if not params:
            continue
        form = PolicyRuleForm(
            request.POST if posted_rule == rule_id else None,
            rule_id=rule_id,
            params=params,
            version=current.number if current else 0,
            lang=lang,
            read_only=not may_edit,
            locked=crisis_note if rule_id == CRISIS_RULE else "",
            # What is in force, as the guideline page says it (DI-9, PU-9, PU-12 off).
            title=rule_title(policy, rule_id, lang),
            text=rule_text(policy, rule_id, lang),
            state=rule_setting(policy, rule_id).state,
            prefix=rule_id,
        )
        forms.append(form)
    return policy, forms


@municipality_view()
@require_http_methods(["GET", "POST"])
def policy_settings(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    may_edit = has_role(
        request.actor, municipality, {Role.COMMUNICATIONS, Role.CHIEF_ADMINISTRATOR}
    )
    here = reverse("policy_settings", kwargs={"slug": municipality.slug})
    if request.method == "POST" and not may_edit:
        messages.error(request, _("Bare kommunikasjon og kommunedirektøren kan endre dette."))
        return redirect(here)
    posted_rule = request.POST.get("rule") if request.method == "POST" else None
    policy, forms = _policy_forms(request, municipality, may_edit=may_edit, posted_rule=posted_rule)
    form = next((f for f in forms if f.rule_id == posted_rule), None)
    if form is not None and form.locked:
        messages.error(request, form.locked)
        return redirect(here)
    if form is not None and form.is_valid():
        try:
            version = policy_update(
                actor=request.actor,
                municipality=municipality,
                overrides=form.overrides(),
                reason=form.cleaned_data["reason"],
                expected_version=form.shown_version(),
            )
        except (ServiceError, NotPermitted) as exc:
            message = str(exc.message)
            if exc.rule and exc.rule not in message:
                message = f"{message} ({exc.rule})"
            if exc.code != "policy_changed":
                form.add_error(None, message)
            else:
                # Someone saved since this page was opened: the page again with the values
                # in force now and why (at the top, and at the rule's form, lower down),
                # the reason kept; the values posted are not written.
                messages.error(request, message)
                policy, forms = _policy_forms(request, municipality, may_edit=may_edit)
                for fresh in forms:
                    if fresh.rule_id == posted_rule:
                        fresh.refusal = message
                        fresh.fields["reason"].initial = form.cleaned_data["reason"]
        else:
            if version is None:
                messages.info(request, _("Ingen endringer å lagre: verdiene er de samme som før."))
            else:
                messages.success(
                    request,
                    _("Retningslinjen er lagret som versjon %(number)s.")
                    % {"number": version.number},
                )
            return redirect(here)
    return render(
        request,
        "web/policy_settings.html",
        {
            "policy": policy,
            "forms": forms,
            "may_edit": may_edit,
            "versions": policy_versions(municipality=municipality),
        },
    )
