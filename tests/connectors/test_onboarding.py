"""Connecting a Page: token exchange and the list of Pages with their tasks (spec §1.1)."""

from __future__ import annotations

import pytest

from ordstyrer.connectors.base import ConnectorError, ErrorCode
from ordstyrer.connectors.facebook.connector import FacebookConnector
from ordstyrer.connectors.facebook.onboarding import exchange_for_long_lived, list_pages
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.platforms.oauth import debug_token


def test_exchange_then_list_pages_then_connect(fake, page, session) -> None:
    fake.store.add_user_token("EAAshortlived", {page.id})
    settings = {"base_url": fake.base_url, "graph_version": "v25.0", "session": session}
    st = fake.store.settings
    long_token = exchange_for_long_lived(
        SecretToken("EAAshortlived"),
        app_id=st.app_id,
        app_secret=SecretToken(st.app_secret),
        **settings,
    )
    assert long_token.reveal() != "EAAshortlived"
    pages = list_pages(long_token, **settings)
    assert [(p.id, p.name) for p in pages] == [(page.id, "Eksempel kommune")]
    assert pages[0].missing_tasks() == [] and "MODERATE" in pages[0].tasks
    connector = FacebookConnector.from_config(
        {**settings, "page_id": pages[0].id, "token": pages[0].token}
    )
    assert connector.check_access().name == "Eksempel kommune"


def test_missing_tasks_are_named(fake, page, session) -> None:
    fake.store.add_user_token("EAAanalyst", {page.id}, tasks={"ANALYZE"})
    pages = list_pages(SecretToken("EAAanalyst"), base_url=fake.base_url, session=session)
    assert pages[0].missing_tasks() == ["CREATE_CONTENT", "MESSAGING", "MODERATE"]


def test_wrong_app_secret(fake, page, session) -> None:
    fake.store.add_user_token("EAAshort2", {page.id})
    with pytest.raises(ConnectorError) as info:
        exchange_for_long_lived(
            SecretToken("EAAshort2"),
            app_id=fake.store.settings.app_id,
            app_secret=SecretToken("feil-hemmelighet"),
            base_url=fake.base_url,
            session=session,
        )
    assert info.value.permanent and info.value.code == ErrorCode.BAD_REQUEST
    assert "feil-hemmelighet" not in str(info.value)


@pytest.mark.parametrize("token", [None, "", 42])
def test_an_exchange_answer_without_a_token_asks_for_a_new_login(fake, page, session, token):
    """A missing, empty or non-text token in Meta's answer is never used as a token: the
    person is asked to log in again (read through `answers.AccessToken`)."""
    fake.store.add_user_token("EAAshortlived", {page.id})
    fake.malform(path="/oauth/access_token", values={"access_token": token})
    st = fake.store.settings
    with pytest.raises(ConnectorError) as info:
        exchange_for_long_lived(
            SecretToken("EAAshortlived"),
            app_id=st.app_id,
            app_secret=SecretToken(st.app_secret),
            base_url=fake.base_url,
            session=session,
        )
    assert info.value.code == ErrorCode.NEEDS_REAUTH and info.value.permanent
    assert info.value.message == "Meta ga ikke noe langtidstoken."


@pytest.mark.parametrize(
    "answer",
    [{"data": "ugyldig"}, {"data": {"is_valid": True, "scopes": "alle"}}, {}],
)
def test_a_token_check_meta_does_not_document_says_not_valid(fake, page, session, answer):
    fake.malform(path="/debug_token", body=answer)
    info = debug_token(SecretToken(page.token), base_url=fake.base_url, session=session)
    assert (info.valid, info.scopes, info.kind, info.expires_at) == (False, (), "", None)


def test_a_page_token_checked(fake, page, session):
    info = debug_token(SecretToken(page.token), base_url=fake.base_url, session=session)
    assert info.valid and info.kind == "PAGE" and info.expires_at == 0
