"""How the report may quote a comment: the one place that decides it.

The answer is its author's quoting consent (accounts' User.quoting_consent: by
name, anonymously, or not at all), unless the author marked the comment
"Don't quote this comment" (Comment.may_be_quoted), or deleted their account,
which took the consent with it: then not at all."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import User

BY_NAME = User.QuotingConsent.BY_NAME
ANONYMOUSLY = User.QuotingConsent.ANONYMOUSLY
NOT_AT_ALL = User.QuotingConsent.NOT_AT_ALL


def how_to_quote(*, author_consent: str | None, quotable: bool = True) -> str:
    """BY_NAME, ANONYMOUSLY or NOT_AT_ALL: how a comment may be quoted in a report,
    from what its author chose for all their comments (`author_consent`, None
    once the account is deleted) and for this one (`quotable`). Every report
    asks here: the exports for the report, references drawn for it, the summary
    pages, the policy report."""
    if author_consent is None or not quotable:
        return NOT_AT_ALL
    return author_consent


def consent_of(comment) -> str:
    """how_to_quote for a comment with its author loaded."""
    author = comment.author
    return how_to_quote(author_consent=author.quoting_consent if author else None, quotable=comment.may_be_quoted)


@dataclass(frozen=True)
class Quotation:
    """What the report says of one cited comment."""

    how: str
    # "Amina Diallo (Legal Aid Network)", or "a participant from an organisation in Pakistan".
    attribution: str
    # The words quoted; empty when they may not be quoted (the report paraphrases).
    text: str

    @property
    def may_quote(self) -> bool:
        return self.how != NOT_AT_ALL


def describe_anonymously(author) -> str:
    """Who wrote it, without naming them: what kind of participant, and from where."""
    country = countries.name(author.country) if author.country else ""
    if author.speaks_for_organisation:
        if country:
            return _("an organisation in %(country)s") % {"country": country}
        return _("an organisation")
    if author.organisation:
        if country:
            return _("a participant from an organisation in %(country)s") % {"country": country}
        return _("a participant from an organisation")
    if country:
        return _("a participant from %(country)s") % {"country": country}
    return _("a participant")


def quotation(comment, text: str) -> Quotation:
    """How the report shows `text` (a span of the comment, or its whole text)."""
    author = comment.author
    how = consent_of(comment)
    if author is None:
        return Quotation(how, _("a former participant"), "")
    if how == BY_NAME:
        name = author.display_name
        if author.organisation and author.organisation != name:
            name = f"{name} ({author.organisation})"
        return Quotation(how, name, text)
    return Quotation(how, describe_anonymously(author), text if how == ANONYMOUSLY else "")
