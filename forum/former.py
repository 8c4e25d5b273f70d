"""How the forum names someone whose account was deleted (forum.services.erasure):
what they wrote stays in its thread, under a name that is nobody's."""

from django.utils.translation import gettext_lazy as _

FORMER_PARTICIPANT = _("Former participant")
FORMER_MODERATOR = _("Former moderator")


def name_of(person, *, as_moderator: bool = False) -> str:
    """The person's display name, or what stands for it once their account is gone."""
    if person is not None:
        return person.display_name
    return str(FORMER_MODERATOR if as_moderator else FORMER_PARTICIPANT)
