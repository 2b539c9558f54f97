"""What the item page's panel forms say and where they go (status, assign, note, refer,
escalate): a valid post says it is done, an invalid one says what is missing, a refused
one shows the service's reason with its rule; every one goes back to the item."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.test import Client

from ordstyrer.inbox.models import ItemStatus, Referral
from tests.inbox.conftest import comment, ingest


def post(client: Client, url: str, data: dict[str, str]) -> tuple[str, list[tuple[str, str]]]:
    response = client.post(url, data)
    assert response.status_code == 302
    said = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert client.get(response["Location"]).status_code == 200  # shows them: none left over
    return response["Location"], said


def test_the_panel_forms_say_what_happened_and_go_back_to_the_item(world):
    item = ingest(world.channel, comment("c1", "Når kommer brøytebilen?"))
    client = Client()
    client.force_login(world.editor)
    detail = f"/m/{world.municipality.slug}/innboks/{item.pk}/"

    assert post(client, f"{detail}status/", {"action": "acknowledge"}) == (
        detail,
        [("success", "Status er endret.")],
    )
    assert post(client, f"{detail}status/", {"action": "acknowledge"}) == (
        detail,
        [("error", "Dette kan ikke gjøres når henvendelsen har status «Bekreftet mottatt».")],
    )
    assert post(client, f"{detail}status/", {"action": "close"}) == (
        f"{detail}#lukk",
        [("error", "Velg hvorfor henvendelsen lukkes.")],
    )

    assert post(client, f"{detail}tildel/", {"assignee": str(world.editor.pk)}) == (
        detail,
        [("success", "Tildelingen er lagret.")],
    )
    assert post(client, f"{detail}tildel/", {"assignee": str(world.other_editor.pk)}) == (
        detail,
        [("error", "Velg en person fra listen.")],
    )
    item.refresh_from_db()
    assert item.assignee_id == world.editor.pk

    assert post(client, f"{detail}notat/", {"text": "Sjekker med driften."}) == (
        f"{detail}#logg",
        [("success", "Notatet er lagret.")],
    )
    assert post(client, f"{detail}notat/", {"text": "  "}) == (
        f"{detail}#logg",
        [("error", "Notatet er tomt.")],
    )

    assert post(client, f"{detail}henvis/", {"kind": "political"}) == (
        detail,
        # Indre Fosen's guideline has no DI-8: the refusal cites none (test_s15_rule_ids).
        [("error", "Skriv hvilket politisk organ saken er henvist til.")],
    )
    assert post(client, f"{detail}henvis/", {"kind": "ukjent"}) == (
        detail,
        [("error", "Velg hvor saken skal henvises.")],
    )
    assert post(client, f"{detail}henvis/", {"kind": "political", "target": "formannskapet"}) == (
        detail,
        [("success", "Henvisningen er registrert.")],
    )

    assert post(client, f"{detail}eskaler/", {"note": ""}) == (
        detail,
        [("error", "Skriv kort hvorfor saken kan være omdømmekritisk.")],
    )
    assert post(client, f"{detail}eskaler/", {"note": "Kan bli en mediesak."}) == (
        detail,
        [("success", "Saken er sendt til kommunikasjon (DI-10).")],
    )
    item.refresh_from_db()
    assert item.status == ItemStatus.REFERRED
    assert item.escalated_at is not None
    assert list(
        Referral.objects.filter(item=item).values_list("kind", flat=True).order_by("pk")
    ) == [
        "political",
        "escalation",
    ]
