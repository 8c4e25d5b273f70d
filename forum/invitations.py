"""The link in a moderator invitation: the invitation's token, signed with the
time it was made, so that a link changed by hand is refused and an old one
expires after FORUM_INVITATION_DAYS. Reading a link back either finds its
invitation or says, in words, why not."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from forum.models import ModeratorInvitation

_SALT = "forum.invitations"


class InvitationRefused(Exception):
    """A link that leads to no invitation: `message` for the person, `status` for the page."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def invitation_path(invitation: ModeratorInvitation) -> str:
    token = signing.TimestampSigner(salt=_SALT).sign(invitation.token)
    return reverse("forum:invitation", kwargs={"token": token})


def invitation_url(invitation: ModeratorInvitation) -> str:
    return f"{settings.SITE_URL}{invitation_path(invitation)}"


def get_invitation(token: str) -> ModeratorInvitation:
    """The invitation a link names, with its room and consultation; InvitationRefused
    when the link was changed (400), has expired (410) or its invitation was withdrawn (404)."""
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        unsigned = signer.unsign(token, max_age=timedelta(days=settings.FORUM_INVITATION_DAYS))
    except signing.SignatureExpired:
        raise InvitationRefused(
            _("This invitation has expired. Ask the person who invited you to send a new one."), 410
        ) from None
    except signing.BadSignature:
        raise InvitationRefused(
            _("This invitation link is not valid. Check that it was copied whole from the email."), 400
        ) from None
    invitation = ModeratorInvitation.objects.select_related("room__consultation").filter(token=unsigned).first()
    if invitation is None:
        raise InvitationRefused(_("This invitation has been withdrawn."), 404)
    return invitation


def address_has_account(email: str) -> bool:
    """Someone has signed up with this address (confirmed or not)."""
    return (
        get_user_model().objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )
