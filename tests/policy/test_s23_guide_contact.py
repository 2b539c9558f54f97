"""EM-9 / DI-10: the guide names the role, and the «Kontakt:» line the person.

Until stop 23 the Gausdal preset's guide said «Kultur- og informasjonsrådgiveren er redaktør
for kommunens Facebook-side» (EM-9) and «… koordineres av kultur- og
informasjonsrådgiveren» (DI-10) — Indre Fosen's «… via kommunikasjonsrådgiveren» — the
guideline's title for its contact, while the «Kontakt:» line under them names the contact
the municipality set (`policy.contact`): a municipality whose contact is its
«kommunikasjonssjef Per Hansen» read of two people. The statements now say
«kontaktpersonen for sosiale medier»."""

from __future__ import annotations

import pytest

from ordstyrer.policy import load_policy
from ordstyrer.policy.preset import Contact
from ordstyrer.policy.render import render_guideline


def _prose(md: str) -> str:
    """The guide's own text: its quotes of the guideline left out."""
    return "\n".join(line for line in md.splitlines() if not line.startswith(">"))


@pytest.mark.parametrize("preset_id", ["gausdal", "indre-fosen"])
@pytest.mark.parametrize("slug", ["own", "adopted"])
def test_em9_and_di10_name_the_contact_the_municipality_set(preset_id, slug):
    """The role, not the guideline's title for the person: the «Kontakt:» line under the
    text names the contact the municipality set (EM-9, DI-10)."""
    source = load_policy(preset_id)
    contact = Contact(title="kommunikasjonssjef", name="Per Hansen", phone="61 22 33 44")
    policy = source.as_municipality(
        slug=preset_id if slug == "own" else "vestby", name="Vestby kommune", contact=contact
    )
    for lang in ("nb", "nn", "en"):
        md = _prose(render_guideline(policy, "md", lang))
        for title in (
            "informasjonsrådgiver",
            "informasjonsrådgivar",
            "information advisor",
            "kommunikasjonsrådgiver",
            "kommunikasjonsrådgivar",
            "communications advisor",
        ):
            assert title not in md, (lang, title)
        assert "kommunikasjonssjef Per Hansen" in md
    nb = _prose(render_guideline(policy, "md", "nb"))
    assert "kontaktpersonen for sosiale medier" in nb.lower()
