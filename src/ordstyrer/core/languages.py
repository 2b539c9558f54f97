"""Each person's own language: Bokmål first, Nynorsk and English by choice.

The console's language switch sets Django's language cookie for the browser; for a
signed-in person it also keeps the choice (`LanguageChoice`), because a mail is a
message to that person too and is written where no browser is (`core.mail`), and a new
browser has no cookie yet. An anonymous person's choice stays in the cookie only.

The console reads the kept choice from the session (`SESSION_KEY`): copied there at
login (`remember_on_login`) and by the switch, so a request costs no query for it. A
choice made in another browser applies here from the next login; the cookie, where the
browser has one, wins over both (`web.middleware`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings

from ordstyrer.core.models import LanguageChoice

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.http import HttpRequest

SESSION_KEY = "ordstyrer_language"


def known(code: object) -> bool:
    """Whether `code` is one of the installation's languages (settings.LANGUAGES)."""
    return isinstance(code, str) and code in {c for c, _name in settings.LANGUAGES}


def language_choose(*, user: AbstractBaseUser, language: str) -> None:
    """Keep `language` as `user`'s own. Not audited: a person's display language is
    nobody else's business and decides nothing about the municipality's accounts; the
    row is the whole record. An unknown code is a ValueError (the switch refuses it
    before)."""
    if not known(language):
        raise ValueError(f"unknown language {language!r}")
    LanguageChoice.objects.update_or_create(user_id=user.pk, defaults={"language": language})


def languages_chosen(user_ids: Iterable[int]) -> dict[int, str]:
    """Person id → the language they chose, for those of `user_ids` who chose one still
    offered; one query (none for no ids)."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {
        user_id: language
        for user_id, language in LanguageChoice.objects.filter(user_id__in=ids).values_list(
            "user_id", "language"
        )
        if known(language)
    }


def remember_on_login(
    sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    """`user_logged_in` receiver: the person's kept choice into the new session, for the
    console to read without a query (`web.middleware`); none kept, none copied."""
    if request is None or not hasattr(request, "session"):
        return
    chosen = languages_chosen([user.pk]).get(user.pk)
    if chosen:
        request.session[SESSION_KEY] = chosen
    else:
        request.session.pop(SESSION_KEY, None)
