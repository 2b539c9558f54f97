"""MO-1 (HS-02): an automatic rule matches any of a comment's triage labels, not only its
top one. A comment labelled hate speech and harassment, harassment on top, is hidden
by a rule that hides hate speech; before, it escaped the rule. The action names the
rule that matched."""

from __future__ import annotations

import pytest
from django.utils import timezone

from ordstyrer.moderation.actions import settings_for
from ordstyrer.moderation.auto import auto_sweep, validate_rules
from ordstyrer.moderation.models import ModerationAction
from tests.moderation.conftest import citizen_comment, on_platform

pytestmark = pytest.mark.django_db

BOTH = "Innvandrerne er en pest for bygda, og du er en idiot, ordfører"


def _rules(world, rules):
    settings = settings_for(world.municipality)
    settings.auto_rules = validate_rules(rules)
    settings.save()


def test_mo_1_a_hide_hate_speech_rule_hides_a_comment_whose_top_label_is_harassment(world, run):
    _rules(world, [{"category": "hate_speech", "action": "hide"}])
    item = citizen_comment(world.channel, BOTH)
    assert item.category == "harassment"
    assert set(item.categories) >= {"hate_speech", "harassment"}

    assert run(auto_sweep, now=timezone.now()) == 1
    assert on_platform(world.channel, item.platform_id)["hidden"] is True
    hide = ModerationAction.objects.get(item=item, kind="hide")
    assert hide.automatic and hide.justification == "Automatisk regel: skjul «Hatefulle ytringer»"
    flag = ModerationAction.objects.get(item=item, kind="flag")
    assert flag.rule == "flag:hate_speech"


def test_mo_1_the_top_labels_rule_names_the_action(world, run):
    _rules(
        world,
        [
            {"category": "hate_speech", "action": "flag"},
            {"category": "harassment", "action": "flag"},
        ],
    )
    item = citizen_comment(world.channel, BOTH)
    assert item.category == "harassment"
    run(auto_sweep, now=timezone.now())
    (flag,) = ModerationAction.objects.filter(item=item)
    assert flag.kind == "flag" and flag.rule == "flag:harassment"
    assert on_platform(world.channel, item.platform_id)["hidden"] is False


def test_mo_1_a_rule_on_a_label_the_comment_lacks_does_nothing(world, run):
    _rules(world, [{"category": "spam", "action": "hide"}])
    item = citizen_comment(world.channel, BOTH)
    assert "spam" not in item.categories
    run(auto_sweep, now=timezone.now())
    assert not ModerationAction.objects.filter(item=item).exists()
