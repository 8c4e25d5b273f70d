"""Which language to write to a person in (emails, allauth's included): one rule."""

from django.conf import settings

from accounts.models import Acceptance


def _known(code: str | None) -> str:
    return code if code and code in dict(settings.LANGUAGES) else ""


def signup_language(person) -> str:
    """The language of the page the person signed up on, as recorded with what they
    accepted there ("" when unknown: nothing was asked at their sign-up)."""
    if person is None or person.pk is None:
        return ""
    return _known(
        Acceptance.objects.filter(user=person, source=Acceptance.Source.SIGN_UP)
        .order_by("accepted_at", "pk")
        .values_list("language", flat=True)
        .first()
    )


def language_for(person, consultation=None, *, default: str | None = None) -> str:
    """The language to write to this person in: the one chosen in their profile,
    else the one their browser used at sign-up, else the consultation's (for an
    email about one: anything with a `language`), else `default` (allauth: the
    page the request came from), else the site's."""
    return (
        _known(getattr(person, "language", ""))
        or signup_language(person)
        or _known(getattr(consultation, "language", ""))
        or _known(default)
        or settings.LANGUAGE_CODE
    )
