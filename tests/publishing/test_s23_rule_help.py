"""PU-2, PU-3, PU-4, PU-6, PU-7, PU-9, PU-10, AR-1: the publishing forms cite only the
rules the municipality's guideline has ("no more, no less").

The composer's help and labels were fixed texts: «Skriv informasjonen i selve innlegget
… (PU-2)», «Lenk til saken på kommunens nettside (PU-9)», «Barn på bildet du laster opp
(PU-6)» with «Bilder av barn krever foresattes signerte samtykkeskjema.», and so on —
also in Rennebu and Gausdal, whose guidelines have none of these rules (rules.md, who
columns), and where the check lets such a photo through. The media register's forms and
the settings (PU-9, PU-10) did the same. The forms now get the municipality's policy: a
rule's id and the advice that is the rule's alone only where the policy applies it,
neutral advice without a rule id elsewhere."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ordstyrer.publishing import media
from tests.publishing.conftest import make_world, png

pytestmark = pytest.mark.django_db

CHILD_FORM = "Bilder av barn krever foresattes signerte samtykkeskjema."
COMPOSER_CITES = [
    "Skriv informasjonen i selve innlegget, ikke bare i bildet (PU-2).",
    "Lenk til saken på kommunens nettside (PU-9).",
    "Innlegget har dokumentasjonsverdi og skal arkiveres (AR-1)",
    "Beskriv kort hva bildet viser (PU-4).",
    "Personer på bildet du laster opp (PU-6)",
    "Barn på bildet du laster opp (PU-6)",
    CHILD_FORM,
    "Fotografen har gitt tillatelse (PU-7)",
    "Teksting av videoen du laster opp (PU-3)",
]


def _page(user, url: str) -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_indre_fosen_s_composer_cites_its_rules():
    w = make_world("fosen", "indre-fosen")
    html = _page(w.p.communications, reverse("publishing:compose", args=["fosen"]))
    for text in COMPOSER_CITES:
        assert text in html, text


@pytest.mark.parametrize("preset", ["rennebu", "gausdal"])
def test_a_guideline_without_the_rules_gets_no_rule_ids_nor_the_rules_advice(preset):
    w = make_world("utenby", preset)
    html = _page(w.p.communications, reverse("publishing:compose", args=["utenby"]))
    for rule in ("PU-2", "PU-3", "PU-4", "PU-6", "PU-7", "PU-9"):
        assert f"{rule})" not in html, rule
    assert CHILD_FORM not in html  # PU-6's signed form: the rule's alone
    assert "Lenk til saken på kommunens nettside" not in html  # PU-9's alone
    # Neutral advice stays, without a rule id.
    assert "Skriv informasjonen i selve innlegget, ikke bare i bildet." in html
    assert "Beskriv kort hva bildet viser." in html
    assert "Barn på bildet du laster opp" in html
    # AR-1: Rennebu's guideline has it, Gausdal's too (rules.md: F R M G).
    assert "Innlegget har dokumentasjonsverdi og skal arkiveres (AR-1)" in html


def test_birkenes_has_no_ar_1_to_cite_on_the_composer():
    w = make_world("birkby", "birkenes")
    html = _page(w.p.communications, reverse("publishing:compose", args=["birkby"]))
    assert "(AR-1)" not in html
    assert "Innlegget har dokumentasjonsverdi og skal arkiveres" in html
    assert "Lenk til saken på kommunens nettside (PU-9)." in html  # B has PU-9


@pytest.mark.parametrize(
    ("preset", "cites"), [("indre-fosen", True), ("rennebu", False), ("gausdal", False)]
)
def test_the_media_register_cites_pu_3_4_6_7_where_they_apply(preset, cites):
    w = make_world("medby", preset)
    asset = media.media_upload(
        actor=w.p.communications, municipality=w.municipality, filename="b.png", content=png()
    )
    listing = _page(w.p.communications, reverse("publishing:media", args=["medby"]))
    detail = _page(w.p.communications, reverse("publishing:media_detail", args=["medby", asset.pk]))
    texts = {
        listing: ["Teksting (video, PU-3)", "Beskriv kort hva bildet viser (PU-4)."],
        detail: ["Personer på bildet (PU-6)", "Fotografen har gitt tillatelse (PU-7)"],
    }
    for html, cited in texts.items():
        for text in cited:
            assert (text in html) is cites, text
    if not cites:
        assert "Teksting (video)" in listing and "Personer på bildet" in detail


@pytest.mark.parametrize(
    ("preset", "pu9", "pu10"),
    [("midt-telemark", True, True), ("indre-fosen", True, False), ("rennebu", False, False)],
)
def test_the_settings_cite_pu_9_and_pu_10_where_they_apply(preset, pu9, pu10):
    w = make_world("setby", preset)
    html = _page(w.p.communications, reverse("publishing:settings", args=["setby"]))
    assert ("innlegg lenker hit (PU-9)" in html) is pu9
    assert ("Hovedside (PU-10)" in html) is pu10
    assert "Svar og varsler viser hit." in html and "Hovedside" in html


def test_another_municipalitys_person_cannot_open_the_composer():
    w = make_world("utenby", "rennebu")
    client = Client()
    client.force_login(w.p.outsider)
    assert client.get(reverse("publishing:compose", args=["utenby"])).status_code in (403, 404)
